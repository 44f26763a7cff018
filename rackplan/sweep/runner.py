"""Running a sweep's points: in this process, in local worker processes, or on a Dask cluster.

Every way runs the same module-level task, :func:`run_chunk`, on the same :class:`Payload`
(the base scenario as a dict, the resolved catalog and the paths), so the rows are identical,
and a worker needs nothing but ``pip install rackplan``: no file is read on a worker. The
payload goes to each worker once (down a local worker's pipe, or ``client.scatter(...,
broadcast=True)``); then only chunks of points travel, ``(index, values)`` each, and rows come
back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import multiprocessing.resource_tracker
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
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
"""Most points in one chunk of a local pool: small enough for steady progress and frequent
saves; large enough that sending a chunk costs little beside planning it. (Ctrl-C does not wait
for a chunk: it terminates the workers.)"""

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


# --------------------------------------------------------------------------- this process, local processes

STOP_WAIT_S = 5.0
"""How long a stopped worker gets to exit after SIGTERM before it is killed."""


class CtrlCHeld:
    """``with ctrl_c_held() as held:``: a Ctrl-C (SIGINT) in the block is only noted
    (``held.pending``), then raised again when the block ends (``signal.raise_signal``), for the
    handler in place: Python's own raises KeyboardInterrupt, the console script's ends the
    process or unwinds (:mod:`rackplan._entry`). So nothing is interrupted half-way: a worker
    half started, a file half written, a Numba kernel's result half converted (a segmentation
    fault). Unlike ``SIG_IGN``, nothing is lost. Only in the main thread, where Python runs
    signal handlers; elsewhere the block changes nothing."""

    def __init__(self) -> None:
        self.pending = False
        self._previous: Any = None

    def _note(self, signum: int, frame: object) -> None:
        self.pending = True

    def __enter__(self) -> CtrlCHeld:
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is not None):  # None: set from C, not restorable
            self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            if self.pending:
                signal.raise_signal(signal.SIGINT)


def ctrl_c_held() -> CtrlCHeld:
    """Hold Ctrl-C back for a ``with`` block: see :class:`CtrlCHeld`."""
    return CtrlCHeld()


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread for the block (``pthread_sigmask``): a process started in
    it inherits the mask through fork and exec, so a worker that is still starting never sees a
    terminal's Ctrl-C (which reaches the whole foreground process group): it cannot die or print
    a traceback before its parent stops it. A SIGINT for this process meanwhile goes to another
    thread or waits for the block's end. (Not on Windows, where a process inherits nothing.)"""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_here(payload: Payload, chunks: list[Chunk],
              done: Callable[[list[SweepRow]], None]) -> None:
    """Plan the chunks in this process: in a thread of its own, while this thread waits for the
    rows and hands them on. Python acts on a Ctrl-C in the main thread only, so a
    KeyboardInterrupt then ends the waiting, at once, and never lands inside the planner (where
    it could come as a Numba kernel's result is converted, and crash the process, or wait for a
    kernel to compile). The rows planned so far are handed on before it propagates; the planning
    thread stops after its point (in the console script the process ends first)."""
    planned: list[SweepRow] = []  # the planning thread appends, a point at a time
    marks: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
    stop = threading.Event()

    def plan_points() -> None:
        try:
            for chunk in chunks:
                for item in chunk:
                    if stop.is_set():
                        return
                    planned.extend(run_chunk(payload, [item]))  # the same task, a point at a time
                marks.put(("chunk", len(planned)))
            marks.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 (raised again in the waiting thread)
            marks.put(("error", exc))

    threading.Thread(target=plan_points, name="rackplan-sweep", daemon=True).start()
    handed = 0  # rows of `planned` handed on; a mark lost to a KeyboardInterrupt loses no row
    try:
        while (mark := marks.get())[0] == "chunk":
            rows, handed = planned[handed:mark[1]], mark[1]
            done(rows)
        if mark[0] == "error":
            raise mark[1]
    finally:
        stop.set()
        if handed < len(planned):  # Ctrl-C or an error: the points planned so far
            rows, handed = planned[handed:], len(planned)
            done(rows)


def _worker(conn: multiprocessing.connection.Connection) -> None:
    """A local worker process: receive the payload, then plan each chunk the parent sends and
    send back its rows, until the parent sends None.

    Ctrl-C is the parent's to handle (it stops the workers): SIGINT is ignored here, and was
    blocked from the start (:func:`_sigint_blocked`). The worker exits when the parent dies, so a
    killed sweep leaves none behind, and it ends with ``os._exit``: tearing down an interpreter
    with the kernels loaded takes about a second, and nothing is left to flush."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    try:
        payload = conn.recv()
        while (chunk := conn.recv()) is not None:
            try:
                reply = pickle.dumps(("rows", run_chunk(payload, chunk)), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 (raised again in the parent, as a pool would)
                try:
                    reply = pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 (the error does not pickle: its text does)
                    reply = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")),
                                         pickle.HIGHEST_PROTOCOL)
            conn.send_bytes(reply)
    except (EOFError, OSError):  # the parent is gone
        os._exit(1)
    os._exit(0)


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _run_local(payload: Payload, chunks: list[Chunk], workers: int,
               done: Callable[[list[SweepRow]], None]) -> None:
    # spawn: fresh interpreters like a cluster's workers, never a fork of a process that may
    # run threads (a Dask client, a GUI); each imports rackplan once and plans many chunks.
    # Each worker has a pipe of its own, and nothing else is shared: no queue, no semaphore,
    # no thread here, so stopping the workers is terminate, join and close, whatever they do.
    context = multiprocessing.get_context("spawn")
    processes: list[multiprocessing.process.BaseProcess] = []
    conns: list[multiprocessing.connection.Connection] = []
    finished = False
    # started now, not by the first worker's start(): starting it unblocks SIGINT in this
    # thread (multiprocessing.resource_tracker.ensure_running), which would undo the block below
    multiprocessing.resource_tracker.ensure_running()
    try:
        with ctrl_c_held() as held:
            for _ in range(workers):
                if held.pending:  # Ctrl-C: start no more; it is raised when the block ends
                    break
                ours, theirs = context.Pipe()
                conns.append(ours)
                try:
                    process = context.Process(target=_worker, args=(theirs,), daemon=True,
                                              name="rackplan-sweep")
                    with _sigint_blocked():
                        process.start()
                    processes.append(process)
                finally:
                    theirs.close()  # the worker's end is the worker's alone: its exit is EOF here
        _feed(conns, payload, chunks, done)
        finished = True
    finally:
        with ctrl_c_held():  # a second Ctrl-C waits until the workers are gone
            _stop(processes, conns, finished)


def _feed(conns: list[multiprocessing.connection.Connection], payload: Payload,
          chunks: list[Chunk], done: Callable[[list[SweepRow]], None]) -> None:
    """Send the payload to every worker, then one chunk at a time to each idle worker; hand
    each chunk's rows to ``done`` in completion order."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    for conn in conns:
        _send(conn, data)
    todo = iter(chunks)
    busy: list[multiprocessing.connection.Connection] = []
    for conn in conns:
        chunk = next(todo, None)
        _send(conn, pickle.dumps(chunk))  # None: nothing left for this worker, which exits
        if chunk is not None:
            busy.append(conn)
    while busy:
        for ready in multiprocessing.connection.wait(busy):
            assert isinstance(ready, multiprocessing.connection.Connection)
            try:
                kind, value = ready.recv()
            except (EOFError, OSError):
                raise _died() from None
            if kind == "error":
                raise value
            chunk = next(todo, None)
            _send(ready, pickle.dumps(chunk))  # the next chunk before the rows are handled
            if chunk is None:
                busy.remove(ready)
            done(value)


def _send(conn: multiprocessing.connection.Connection, data: bytes) -> None:
    try:
        conn.send_bytes(data)
    except OSError:  # the worker's end is closed: the worker is gone
        raise _died() from None


def _died() -> RackplanError:
    return RackplanError("a sweep worker process died (killed, or out of memory); the rows done "
                         "so far are kept: rerun to resume")


def _stop(processes: list[multiprocessing.process.BaseProcess],
          conns: list[multiprocessing.connection.Connection], finished: bool) -> None:
    """End the workers and close their pipes. After a finished sweep each was sent None and
    exits by itself; otherwise (Ctrl-C, an error) each is terminated at once, whatever it is
    doing: it ignores SIGINT, and a chunk can take seconds."""
    if not finished:
        for process in processes:
            process.terminate()
    for process in processes:
        process.join(STOP_WAIT_S)
        if process.exitcode is None:
            process.kill()
            process.join()
        process.close()
    for conn in conns:
        conn.close()


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
    top level with ``if __name__ == "__main__":``. A KeyboardInterrupt (Ctrl-C) terminates them at
    once; the rows already given to ``on_rows`` are the caller's to keep. With ``workers=1`` the
    points are planned in a thread of this process (see :func:`_run_here`), which stops after
    its point when a KeyboardInterrupt ends the sweep.
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
                _run_here(payload, chunks, finished)
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
