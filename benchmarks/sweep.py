"""Sweep benchmark: points per second in this process, in 2 local worker processes and on a
2-worker Dask LocalCluster, side by side on the same points, and the sweep's own overhead per point.

    python benchmarks/sweep.py [--points 10000] [--repeat 3] [--out benchmarks/results]

The points are examples/sweep-neocloud.yaml with ``samples`` raised to --points (electricity
price and TW tariff drawn uniformly, four budgets, seed 1): the neocloud site, three workloads,
a plan in a few milliseconds, about a fifth of the points infeasible (the lowest budget).

- ``1 worker``: ``rackplan.sweep(..., workers=1)``, every point in this process (what
  ``rackplan sweep --workers 1`` does). While it runs, the time spent inside ``rackplan.plan``
  is summed; the rest, per point, is the sweep's overhead (apply the values to the base dict,
  validate the scenario, build the row, chunking and callbacks).
- ``2 local workers``: ``workers=2``, two spawned worker processes; the wall time includes
  starting them (each imports rackplan and loads the Numba kernels from the cache).
- ``Dask``: ``scheduler=client`` on a ``distributed.LocalCluster(n_workers=2, processes=True,
  threads_per_worker=1)`` started for the run (its start-up is not counted); the wall time
  includes the workers importing rackplan on their first task.

The three run one after another, --repeat times; each figure is the best of its runs (the
machine may be shared: the table says how many cores other processes kept busy during each
configuration's best run, from /proc/stat minus this benchmark's own processes). The rows of
every run must be identical. Targets (issue 13): 2 local workers at least 1.7x one; Dask within
15% of local processes; overhead under 5 ms a point. Writes sweep.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "examples" / "sweep-neocloud.yaml"

ONE = "1 worker (in process)"
LOCAL = "2 local workers"
DASK = "Dask LocalCluster, 2 workers"


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy (every process, /proc/stat), or NaN."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    ticks = [int(f) for f in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process and of its finished (reaped) descendants."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class FirstRows:
    """A progress callback that notes when the first rows came back."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.after: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.after is None:
            self.after = time.perf_counter() - self.start


def measured(run: Callable[[], tuple[list, float, float | None]]) -> dict[str, Any]:
    """Run one configuration; its rows, wall time, first-rows time and the cores other
    processes kept busy meanwhile (measured from before its set-up to after its teardown)."""
    busy, own, t = busy_cpu_s(), own_cpu_s(), time.perf_counter()
    rows, wall, first = run()
    deadline = time.monotonic() + 30
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)  # local workers exit in the background: reap them, count their CPU
    span = time.perf_counter() - t
    other = (busy_cpu_s() - busy) - (own_cpu_s() - own)
    return {"rows": rows, "wall": wall, "first": first, "other_cores": max(other, 0.0) / span}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = ap.parse_args()

    import distributed

    import rackplan
    from rackplan.sweep import load_sweep, prepare, runner

    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    t0 = time.perf_counter()
    prepared = prepare(load_sweep(EXAMPLE).model_copy(update={"samples": a.points}))
    prepare_s = time.perf_counter() - t0
    rackplan.sweep(dataclasses.replace(prepared, points=prepared.points[:20]),
                   workers=1)  # warm: kernels loaded in this process
    overheads: list[tuple[float, float]] = []

    def one() -> tuple[list, float, float | None]:
        inside = 0.0
        real_plan = runner.plan

        def timed_plan(*args: Any, **kw: Any) -> Any:
            nonlocal inside
            t = time.perf_counter()
            try:
                return real_plan(*args, **kw)
            finally:
                inside += time.perf_counter() - t

        runner.plan = timed_plan  # type: ignore[assignment]
        try:
            t = time.perf_counter()
            rows = rackplan.sweep(prepared, workers=1)
            wall = time.perf_counter() - t
        finally:
            runner.plan = real_plan  # type: ignore[assignment]
        overheads.append(((wall - inside) / a.points * 1000, inside / a.points * 1000))
        return rows, wall, None

    def local() -> tuple[list, float, float | None]:
        first = FirstRows()
        rows = rackplan.sweep(prepared, workers=2, progress=first)
        return rows, time.perf_counter() - first.start, first.after

    def on_dask() -> tuple[list, float, float | None]:
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            first = FirstRows()
            rows = rackplan.sweep(prepared, scheduler=client, progress=first)
            return rows, time.perf_counter() - first.start, first.after

    configs: dict[str, Callable[[], tuple[list, float, float | None]]] = {
        ONE: one, LOCAL: local, DASK: on_dask}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    reference: list[dict] | None = None
    for repeat in range(a.repeat):
        for name, config in configs.items():
            result = measured(config)
            dumped = [r.model_dump() for r in result.pop("rows")]
            if reference is None:
                reference = dumped
                statuses = Counter(r["status"] for r in dumped)
            assert dumped == reference, f"{name}: rows differ from the first run's"
            runs[name].append(result)
            print(f"[{repeat + 1}/{a.repeat}] {name}: {result['wall']:.1f} s, other processes "
                  f"{result['other_cores']:.2f} cores", flush=True)

    best = {name: min(rs, key=lambda r: r["wall"]) for name, rs in runs.items()}
    pps = {name: a.points / r["wall"] for name, r in best.items()}
    overhead_ms, plan_ms = min(overheads)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                         text=True).stdout.strip()
    lines = [
        "# Sweep benchmark", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"rackplan {rev} (with the sweep changes, uncommitted), distributed {distributed.__version__}. "
        f"Command: `python benchmarks/sweep.py --points {a.points} --repeat {a.repeat}`. "
        f"Load average (1 min) before the runs: {load:.2f}.", "",
        f"{a.points:,} points of `examples/sweep-neocloud.yaml` (`samples` raised to {a.points:,}; "
        "electricity price and TW tariff drawn uniformly, four budgets, seed 1) on the neocloud "
        f"site: {', '.join(f'{n:,} {s}' for s, n in statuses.items())}. Listing and checking the "
        f"points (`prepare`): {prepare_s:.2f} s. The same points, one configuration after "
        f"another, {a.repeat} rounds; each figure is the configuration's best round. In this "
        "process (`workers=1`); two spawned local worker processes (wall time includes starting "
        "them); a two-worker Dask `LocalCluster` (one thread per worker) started for the run "
        "(start-up not counted; its workers import rackplan on their first task, counted). Rows "
        "identical in every run: yes (`model_dump()` compared). *Other processes*: cores the rest of the "
        "machine kept busy during that run (/proc/stat minus this benchmark's processes); "
        "near 0 on a quiet machine.", "",
        "| execution | wall s | points/s | vs 1 worker | first rows after s | "
        "other processes (cores) | every round, wall s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in best.items():
        first_s = "" if r["first"] is None else f"{r['first']:.2f}"
        every = ", ".join(f"{x['wall']:.1f}" for x in runs[name])
        lines.append(f"| {name} | {r['wall']:.1f} | {pps[name]:,.0f} | {pps[name] / pps[ONE]:.2f}x | "
                     f"{first_s} | {r['other_cores']:.2f} | {every} |")
    lines += [
        "", "| measure | target | result |", "|---|---|---|",
        f"| 2 local workers / 1 worker | >= 1.7x | {pps[LOCAL] / pps[ONE]:.2f}x |",
        f"| Dask / 2 local workers | >= 0.85x (within 15%) | {pps[DASK] / pps[LOCAL]:.2f}x |",
        f"| overhead per point (sweep minus `plan()`, in process, best round) | < 5 ms | "
        f"{overhead_ms:.3f} ms (`plan()` itself: {plan_ms:.2f} ms) |",
    ]
    out = Path(a.out) / "sweep.md"
    from rackplan._io import write_atomic  # after REPO is on sys.path

    write_atomic(out, "\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
