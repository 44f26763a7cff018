"""Running a sweep's points: in this process, in local worker processes, or on a Dask cluster.

Every way runs the same module-level task, :func:`run_chunk`, on the same :class:`Payload`
(the base scenario as a dict, the resolved catalog and the paths), so the rows are identical,
and a worker needs nothing but ``pip install rackplan``: no file is read on a worker. The
payload goes to each worker once (a pool initializer, or ``client.scatter(..., broadcast=True)``);
then only chunks of points travel, ``(index, values)`` each, and rows come back.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import Problem, RackplanError, ScenarioError
from ..models import Catalog, Scenario
from ..planning import plan
from .paths import Key, apply
from .prepare import PreparedSweep, prepare
from .rows import SweepRow, row_from_exception, row_from_plan
from .spec import SweepSpec

Chunk = Sequence[tuple[int, tuple[Any, ...]]]
"""Points to run together: ``(point index, values in vary order)`` each."""

MAX_CHUNK = 64
"""Most points in one chunk of a local pool: small enough for steady progress, a prompt Ctrl-C
and frequent saves; large enough that sending a chunk costs little beside planning it."""

MAX_DASK_CHUNK = 256
"""Most points in one Dask task: a task costs far more than a local chunk (a scheduler round
trip, a result fetched by the client), so Dask gets fewer, larger ones."""


WAIT_FOR_WORKERS_S = 60.0
"""How long a sweep waits for a first worker on a Dask scheduler that has none."""


@dataclass(frozen=True)
class Payload:
    """What every worker needs, sent once per worker."""

    raw: dict[str, Any]
    """The base scenario's dict (objective override applied)."""
    catalog: Catalog
    """The catalog every point is planned against."""
    paths: tuple[str, ...]
    keys: tuple[tuple[Key, ...], ...]
    """Each path's steps into ``raw``."""
    base_file: str
    """Named by errors found while planning."""
    version: str = __version__
    """The client's rackplan version; a worker with another refuses to plan."""


def payload_for(prepared: PreparedSweep) -> Payload:
    """The payload of a prepared sweep."""
    return Payload(prepared.raw, prepared.catalog, prepared.paths,
                   tuple(t.keys for t in prepared.targets), prepared.base_file)


def run_point(payload: Payload, point: int, values: tuple[Any, ...]) -> SweepRow:
    """Plan one point: its values applied to a copy of the base, validated, planned. Any failure
    becomes the row's status and error."""
    named = dict(zip(payload.paths, values, strict=True))
    try:
        scenario = Scenario.model_validate(apply(payload.raw, payload.keys, values))
        scenario.set_source_file(payload.base_file)
        result = plan(scenario, payload.catalog)
    except Exception as exc:  # noqa: BLE001 (a failed point is a row, never a lost sweep)
        return row_from_exception(point, named, exc)
    return row_from_plan(point, named, result)


def run_chunk(payload: Payload, chunk: Chunk) -> list[SweepRow]:
    """The task every executor runs: the rows of ``chunk``'s points, in its order."""
    if payload.version != __version__:
        raise RuntimeError(f"this worker has rackplan {__version__} and the client "
                           f"{payload.version}; install the same version on both")
    return [run_point(payload, point, values) for point, values in chunk]


# --------------------------------------------------------------------------- local processes

_PAYLOAD: Payload | None = None


def _init_process(payload: Payload) -> None:
    """Pool initializer: keep the payload; leave Ctrl-C to the parent (it stops the pool);
    exit when the parent dies, so a killed sweep leaves no worker behind; and once the pool
    lets the worker go, exit at once: tearing down an interpreter with the kernels loaded
    takes about a second, and nothing is left to flush (results go back synchronously)."""
    global _PAYLOAD
    _PAYLOAD = payload
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit.register(os._exit, 0)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


@contextlib.contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with SIGINT ignored: a terminal's Ctrl-C reaches every process of
    the foreground group, and a worker still importing rackplan would print a traceback. A
    spawned interpreter keeps an inherited SIG_IGN. (Only the main thread may set handlers.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_in_pool(chunk: Chunk) -> list[SweepRow]:
    assert _PAYLOAD is not None, "the pool initializer did not run"
    return run_chunk(_PAYLOAD, chunk)


def _run_local(payload: Payload, chunks: list[Chunk], workers: int,
               done: Callable[[list[SweepRow]], None]) -> None:
    # spawn: fresh interpreters like a cluster's workers, never a fork of a process that may
    # run threads (a Dask client, a GUI); each imports rackplan once and plans many chunks
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_process,
                               initargs=(payload,))
    finished = False
    try:
        with _children_ignore_ctrl_c():  # submit starts the workers
            futures = [pool.submit(_run_in_pool, chunk) for chunk in chunks]
        for future in as_completed(futures):
            done(future.result())
        finished = True
    except BrokenProcessPool:
        raise RackplanError("a sweep worker process died (killed, or out of memory); the rows "
                            "done so far are kept: rerun to resume") from None
    finally:
        # interrupted or failed: cancel the rest; the workers finish their chunk and exit
        pool.shutdown(wait=finished, cancel_futures=True)


# --------------------------------------------------------------------------- Dask


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise ScenarioError([Problem(None, None, "--scheduler",
                                     "running on a Dask cluster needs Dask distributed: "
                                     "pip install 'rackplan[dask]'")]) from None
    return distributed


def _run_dask(payload: Payload, todo: list[tuple[int, tuple[Any, ...]]], scheduler: Any,
              chunk_size: int | None, done: Callable[[list[SweepRow]], None]) -> None:
    distributed = _dask()
    own = not isinstance(scheduler, distributed.Client)
    if own:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScenarioError([Problem(None, None, "--scheduler",
                                         f"cannot connect to {scheduler!r}: "
                                         f"{' '.join(str(exc).split()) or type(exc).__name__}")]
                                ) from None
    else:
        client = scheduler
    futures: list[Any] = []
    try:
        if not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
            except TimeoutError:
                raise ScenarioError([Problem(None, None, "--scheduler",
                                             f"no worker joined {scheduler!r} within "
                                             f"{WAIT_FOR_WORKERS_S:g} s; start some with "
                                             "'dask worker ADDRESS'")]) from None
        threads = max(1, sum(client.nthreads().values()))
        shared = client.scatter(payload, broadcast=True, hash=False)
        if chunk_size is None:
            chunk_size = max(1, min(MAX_DASK_CHUNK, math.ceil(len(todo) / (threads * 8))))
        futures = [client.submit(run_chunk, shared, chunk, pure=False)
                   for chunk in chunks_of(todo, threads, chunk_size)]
        for _future, rows in distributed.as_completed(futures, with_results=True):
            done(rows)
        futures = []
    finally:
        if futures:
            client.cancel(futures)
        if own:
            client.close()


# --------------------------------------------------------------------------- the entry point


def chunks_of(todo: list[tuple[int, tuple[Any, ...]]], parallel: int,
              size: int | None = None) -> list[Chunk]:
    """``todo`` cut into consecutive chunks: about 16 per worker, at most :data:`MAX_CHUNK`."""
    if size is None:
        size = max(1, min(MAX_CHUNK, math.ceil(len(todo) / (parallel * 16))))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def default_workers(points: int) -> int:
    """``os.cpu_count()``, at most one per point, at least 1."""
    return max(1, min(os.cpu_count() or 1, points))


def sweep(spec: str | Path | SweepSpec | PreparedSweep, *, workers: int | None = None,
          scheduler: Any = None, progress: Callable[[int, int], None] | None = None,
          on_rows: Callable[[list[SweepRow]], None] | None = None,
          done: Iterable[SweepRow] = (), chunk_size: int | None = None,
          sensitivity: float | None = None,
          catalog_files: Sequence[str | Path] = ()) -> list[SweepRow]:
    """Plan every point of a sweep; return one :class:`SweepRow` per point, in spec order.

    ``spec``: a sweep file, a :class:`SweepSpec` or a :func:`prepare`'d sweep. ``workers``:
    local worker processes (default ``os.cpu_count()``, at most one per point; ``1`` plans in
    this process). ``scheduler``: a Dask scheduler address or a ``distributed.Client``; the
    points then run on its workers (``workers`` must be None). ``progress(done, total)`` is
    called after each chunk with the points planned by this call so far and how many it plans;
    ``on_rows(rows)`` gets each chunk's rows as they finish (in completion order).
    ``done``: rows already computed (a resumed sweep); their points are not planned again, and
    each must match its point's values (else ``ValueError``). ``sensitivity``: percent, as the
    spec's ``sensitivity: {percent: X}``. ``catalog_files``: extra catalog files, merged after
    the base scenario's ``catalogs:`` (ignored for a prepared sweep).

    The rows are the same whichever way the points run. A point that fails is a row (status
    ``infeasible``, ``search_limit`` or ``error``, with the message), never a lost sweep.
    Local worker processes are started with ``spawn``: a script that calls this must guard its
    top level with ``if __name__ == "__main__":``.
    """
    prepared = spec if isinstance(spec, PreparedSweep) else \
        prepare(spec, sensitivity=sensitivity, catalog_files=catalog_files)
    if scheduler is not None and workers is not None:
        raise ValueError("give workers (local processes) or scheduler (Dask), not both")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    have: dict[int, SweepRow] = {}
    for row in done:
        mismatch = row_mismatch(prepared, row)
        if mismatch:
            raise ValueError(f"done rows belong to another sweep: {mismatch}")
        if row.point in have:
            raise ValueError(f"done rows hold point {row.point} twice")
        # the values as the spec gives them (a CSV holds them as text)
        have[row.point] = row.model_copy(update={"values": dict(zip(
            prepared.paths, prepared.points[row.point], strict=True))})
    todo = [(i, values) for i, values in enumerate(prepared.points) if i not in have]
    results: dict[int, SweepRow] = dict(have)
    total = len(todo)
    count = 0

    def finished(rows: list[SweepRow]) -> None:
        nonlocal count
        for row in rows:
            results[row.point] = row
        count += len(rows)
        if on_rows is not None:
            on_rows(rows)
        if progress is not None:
            progress(count, total)

    if todo:
        payload = payload_for(prepared)
        if scheduler is not None:
            _run_dask(payload, todo, scheduler, chunk_size, finished)
        else:
            n = default_workers(total) if workers is None else min(workers, total)
            chunks = chunks_of(todo, n, chunk_size)
            if n == 1:
                for chunk in chunks:
                    finished(run_chunk(payload, chunk))
            else:
                _run_local(payload, chunks, n, finished)
    return [results[i] for i in range(len(prepared.points))]


def row_mismatch(prepared: PreparedSweep, row: SweepRow) -> str | None:
    """Why ``row`` is not a row of ``prepared`` (its point or its values differ), or None."""
    if not 0 <= row.point < len(prepared.points):
        return f"point {row.point} is not one of the sweep's {len(prepared.points)} points"
    if list(row.values) != list(prepared.paths):
        return (f"point {row.point} varies {', '.join(row.values) or 'nothing'}, the sweep "
                f"{', '.join(prepared.paths)}")
    expected = prepared.points[row.point]
    for path, want in zip(prepared.paths, expected, strict=True):
        if value_key(row.values[path]) != value_key(want):
            return f"point {row.point} has {path} = {_shown(row.values[path])}, the sweep {_shown(want)}"
    return None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def value_key(value: Any) -> str:
    """A value as text that compares equal however it was stored (CSV text, JSON, Parquet)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if text in ("true", "false"):
            return text
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return repr(number)
        if text[:1] in ("[", "{"):
            try:
                return json.dumps(json.loads(text), separators=(",", ":"), default=str)
            except ValueError:
                pass
        return value
    return json.dumps(value, separators=(",", ":"), default=str)
