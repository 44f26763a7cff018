"""Packing benchmark: rackplan.pack_vectors against published optima, side by side with
plain first-fit decreasing and OR-Tools CP-SAT on the same instances in the same run.

    python benchmarks/packing.py --data ../shared/bench-data [--time-limit 1.0]
        [--sets bpp,vbp] [--jobs N] [--per-set N] [--solvers rackplan,ffd,cpsat]
        [--out benchmarks/results]

Reads BPPLIB one-dimensional instances (bpp/) and vector instances (vbp/) with
their optima.csv. Each set runs in its own process, side by side (--jobs, by
default one per set up to the number of cores), and gets packing-<set>.md (the
table per group and solver) and packing-<set>.json (every instance). Then
100,000 random two-dimensional items are timed alone, and packing.md gets the
headline figures against issue 16's targets. The data folder is read in place.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import rackplan


@dataclass
class Instance:
    group: str  # set (bpp) or class (vbp)
    name: str
    sizes: np.ndarray
    capacity: np.ndarray
    optimum: int


@dataclass
class Outcome:
    solver: str
    group: str
    name: str
    bins: int | None
    optimum: int
    seconds: float


def read_bpp(path: Path) -> tuple[np.ndarray, np.ndarray]:
    values = path.read_text().split()
    n, capacity = int(values[0]), float(values[1])
    sizes = np.array([float(v) for v in values[2 : 2 + n]]).reshape(-1, 1)
    return sizes, np.array([capacity])


def read_vbp(path: Path) -> tuple[np.ndarray, np.ndarray]:
    values = [float(v) for v in path.read_text().split()]
    d = int(values[0])
    capacity = np.array(values[1 : 1 + d])
    m = int(values[1 + d])
    rows = []
    pos = 2 + d
    for _ in range(m):
        row = values[pos : pos + d]
        demand = int(values[pos + d])
        rows.extend([row] * demand)
        pos += d + 1
    return np.array(rows), capacity


def load_instances(data: Path, sets: list[str], per_set: int | None) -> list[Instance]:
    out: list[Instance] = []
    if "bpp" in sets:
        counts: dict[str, int] = defaultdict(int)
        for row in csv.DictReader((data / "bpp" / "optima.csv").open()):
            group = row["file"].split("/")[0]
            if per_set is not None and counts[group] >= per_set:
                continue
            counts[group] += 1
            sizes, capacity = read_bpp(data / "bpp" / row["file"])
            out.append(Instance(f"bpp/{group}", row["name"], sizes, capacity, int(row["optimum"])))
    if "vbp" in sets:
        counts = defaultdict(int)
        for row in csv.DictReader((data / "vbp" / "optima.csv").open()):
            if int(row["optimum"]) < 0:
                continue  # the benchmark measures gaps to proven optima only
            group = row["file"].split("/")[1]
            if per_set is not None and counts[group] >= per_set:
                continue
            counts[group] += 1
            sizes, capacity = read_vbp(data / "vbp" / row["file"])
            out.append(Instance(f"vbp/{group}", row["name"], sizes, capacity, int(row["optimum"])))
    return out


def ffd(sizes: np.ndarray, capacity: np.ndarray) -> list[int]:
    """Plain first-fit decreasing by the sum of normalized sizes (the textbook reference).

    Written independently of rackplan's kernels; the fit test is vectorized over open bins.
    """
    order = np.argsort(-(sizes / capacity).sum(axis=1), kind="stable")
    loads = np.zeros((len(sizes), sizes.shape[1]))
    n_bins = 0
    assignment = [0] * len(sizes)
    for i in order:
        fits = np.all(loads[:n_bins] + sizes[i] <= capacity, axis=1)
        b = int(np.argmax(fits)) if fits.any() else n_bins
        if b == n_bins:
            n_bins += 1
        loads[b] += sizes[i]
        assignment[i] = b
    return assignment


def cpsat(sizes: np.ndarray, capacity: np.ndarray, time_limit_s: float) -> int | None:
    """Assignment model in CP-SAT with an FFD hint and bin-symmetry breaking; one worker."""
    from ortools.sat.python import cp_model

    hint = ffd(sizes, capacity)
    n, d = sizes.shape
    m = max(hint) + 1
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{b}") for b in range(m)] for i in range(n)]
    y = [model.new_bool_var(f"y{b}") for b in range(m)]
    for i in range(n):
        model.add_exactly_one(x[i])
    for b in range(m):
        for k in range(d):
            model.add(sum(int(sizes[i, k]) * x[i][b] for i in range(n)) <= int(capacity[k]) * y[b])
        if b:
            model.add(y[b] <= y[b - 1])
    for i in range(n):
        for b in range(m):
            model.add_hint(x[i][b], hint[i] == b)
    for b in range(m):
        model.add_hint(y[b], True)
    model.minimize(sum(y))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return round(solver.objective_value)
    return None


def verify(inst: Instance, assignment: np.ndarray) -> None:
    """Independent check that a packing respects every bin's capacity; raise if not."""
    loads = np.zeros((int(assignment.max()) + 1, inst.sizes.shape[1]))
    np.add.at(loads, assignment, inst.sizes)
    if np.any(loads > inst.capacity * (1 + 1e-12)):
        raise AssertionError(f"{inst.name}: infeasible packing returned")


def run(instances: list[Instance], solvers: list[str], time_limit_s: float,
        cpsat_max_vars: int) -> list[Outcome]:
    rackplan.pack_vectors(np.array([[1.0], [1.0]]), [1.5], time_limit_s=0.01)  # warm the JIT
    outcomes = []
    for count, inst in enumerate(instances, 1):
        for solver in solvers:
            started = time.perf_counter()
            if solver == "rackplan":
                packed = rackplan.pack_vectors(inst.sizes, inst.capacity, time_limit_s=time_limit_s)
                verify(inst, packed.assignment)
                bins: int | None = packed.n_bins
            elif solver == "ffd":
                bins = max(ffd(inst.sizes, inst.capacity)) + 1
            else:
                n = inst.sizes.shape[0]
                ub = max(ffd(inst.sizes, inst.capacity)) + 1  # CP-SAT's model size
                started = time.perf_counter()
                if n * ub > cpsat_max_vars or not np.all(inst.sizes == np.round(inst.sizes)):
                    continue
                bins = cpsat(inst.sizes, inst.capacity, time_limit_s)
            outcomes.append(Outcome(solver, inst.group, inst.name, bins, inst.optimum,
                                    time.perf_counter() - started))
        if count % 50 == 0:
            print(f"  {count}/{len(instances)} instances", file=sys.stderr, flush=True)
    return outcomes


def summarize(outcomes: list[Outcome]) -> list[dict[str, object]]:
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.group.split("/")[0] + "/ALL", o.solver)].append(o)
        groups[(o.group, o.solver)].append(o)
    rows = []
    for (group, solver), items in sorted(groups.items()):
        solved = [o for o in items if o.bins is not None]
        gaps = [(o.bins - o.optimum) / o.optimum for o in solved]  # type: ignore[operator]
        rows.append({
            "set": group, "solver": solver, "instances": len(items),
            "answered": len(solved),
            "optimal_share": sum(o.bins == o.optimum for o in solved) / len(items),
            "mean_gap_pct": 100 * statistics.fmean(gaps) if gaps else None,
            "mean_s": statistics.fmean(o.seconds for o in items),
            "max_s": max(o.seconds for o in items),
        })
    return rows


def scaling(n: int = 100_000, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 500, size=(n, 2))
    capacity = np.array([1000, 1000])
    started = time.perf_counter()
    result = rackplan.pack_vectors(sizes, capacity)
    seconds = time.perf_counter() - started
    return {"items": n, "dimensions": 2, "seconds": seconds, "bins": result.n_bins,
            "lower_bound": result.lower_bound}


def markdown(rows: list[dict[str, object]], meta: dict[str, object]) -> str:
    lines = [f"# Packing benchmark ({meta['date']})", "",
             f"time limit {meta['time_limit_s']} s per instance; machine: {meta['machine']}; "
             "CP-SAT: 1 worker, FFD hint, instances with n x bins <= "
             f"{meta['cpsat_max_vars']} variables; 'answered': instances where it returned a "
             "packing within the limit (gaps are over those).", "",
             "| set | solver | instances | answered | optimal | mean gap % | mean s | max s |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        gap = "-" if r["mean_gap_pct"] is None else f"{r['mean_gap_pct']:.2f}"
        lines.append(f"| {r['set']} | {r['solver']} | {r['instances']} | {r['answered']} | "
                     f"{100 * float(r['optimal_share']):.1f}% | {gap} | "  # type: ignore[arg-type]
                     f"{r['mean_s']:.3f} | {r['max_s']:.3f} |")
    return "\n".join(lines) + "\n"


TARGETS = {  # issue 16
    "bpp_optimal": 0.993, "falkenauer_t_optimal": 0.95, "bpp_mean_s": 0.3,
    "vbp_mean_gap_pct": 0.25, "vbp_worst_class_gap_pct": 0.6,
}


def _run_set(args: tuple[Path, str, int | None, list[str], float, int]) -> list[Outcome]:
    data, one_set, per_set, solvers, time_limit, cpsat_max_vars = args
    instances = load_instances(data, [one_set], per_set)
    print(f"{one_set}: {len(instances)} instances", file=sys.stderr, flush=True)
    return run(instances, solvers, time_limit, cpsat_max_vars)


def _row(rows: list[dict[str, object]], group: str, solver: str) -> dict[str, object] | None:
    return next((r for r in rows if r["set"] == group and r["solver"] == solver), None)


def headline(rows: list[dict[str, object]], meta: dict[str, object]) -> str:
    """packing.md: the figures issue 16 sets targets for, rackplan beside FFD and CP-SAT."""
    def share(group: str, solver: str) -> str:
        r = _row(rows, group, solver)
        if r is None:
            return "-"
        text = f"{100 * float(r['optimal_share']):.1f}%"  # type: ignore[arg-type]
        return text if solver != "cpsat" else f"{text} of {r['instances']} taken"

    def mean_s(group: str, solver: str) -> str:
        r = _row(rows, group, solver)
        return "-" if r is None else f"{r['mean_s']:.3f} s"

    def gap(group: str, solver: str) -> str:
        r = _row(rows, group, solver)
        if r is None or r["mean_gap_pct"] is None:
            return "-"
        text = f"{r['mean_gap_pct']:.2f}%"
        return text if solver != "cpsat" else f"{text} on {r['answered']} answered"

    def worst(solver: str) -> str:
        classes = [r for r in rows if str(r["set"]).startswith("vbp/class") and r["solver"] == solver
                   and r["mean_gap_pct"] is not None]
        if not classes:
            return "-"
        r = max(classes, key=lambda r: float(r["mean_gap_pct"]))  # type: ignore[arg-type]
        return f"{r['mean_gap_pct']:.2f}% ({str(r['set']).split('/')[1]})"

    bold = {"rackplan"}

    def line(measure: str, target: str, cell: object) -> str:
        cells = [cell(s) for s in ("rackplan", "ffd", "cpsat")]  # type: ignore[operator]
        cells = [f"**{c}**" if s in bold and c != "-" else c
                 for s, c in zip(("rackplan", "ffd", "cpsat"), cells, strict=True)]
        return f"| {measure} | {target} | {' | '.join(cells)} |"

    t = TARGETS
    lines = [
        f"# Packing benchmark: headline ({meta['date']})", "",
        f"Produced by `benchmarks/packing.py` (time limit {meta['time_limit_s']} s per instance, "
        f"{meta['machine']}); the sets ran side by side, one process each. Details per group: "
        "[packing-bpp.md](packing-bpp.md), [packing-vbp.md](packing-vbp.md).", "",
        "| measure | target (issue 16) | rackplan | FFD | CP-SAT |",
        "|---|---|---|---|---|",
    ]
    if _row(rows, "bpp/ALL", "rackplan") is not None:
        n = _row(rows, "bpp/ALL", "rackplan")["instances"]  # type: ignore[index]
        lines += [
            line(f"BPPLIB ({n:,}): share optimal", f">= {100 * t['bpp_optimal']:.1f}%",
                 lambda s: share("bpp/ALL", s)),
            line("Falkenauer T: share optimal", f">= {100 * t['falkenauer_t_optimal']:.0f}%",
                 lambda s: share("bpp/falkenauer_t", s)),
            line("BPPLIB: mean time per instance", f"<= {t['bpp_mean_s']} s",
                 lambda s: mean_s("bpp/ALL", s)),
        ]
    if _row(rows, "vbp/ALL", "rackplan") is not None:
        n = _row(rows, "vbp/ALL", "rackplan")["instances"]  # type: ignore[index]
        lines += [
            line(f"Vector ({n:,} with known optimum): mean gap to optimum",
                 f"<= {t['vbp_mean_gap_pct']}%", lambda s: gap("vbp/ALL", s)),
            line("Vector: worst class mean gap", f"<= {t['vbp_worst_class_gap_pct']}%", worst),
            line("Vector: mean time per instance", "", lambda s: mean_s("vbp/ALL", s)),
        ]
    if "scaling" in meta:
        sc = meta["scaling"]
        lines += ["", f"100,000 random two-dimensional items (default time limit): "
                      f"{sc['seconds']:.2f} s, {sc['bins']:,} bins (lower bound "  # type: ignore[index]
                      f"{sc['lower_bound']:,}).", ""]  # type: ignore[index]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the bench-data folder")
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--sets", default="bpp,vbp")
    parser.add_argument("--jobs", type=int, default=None,
                        help="sets run at once, one process each (default: one per set, up to "
                             "the number of cores)")
    parser.add_argument("--per-set", type=int, default=None, help="first N instances per set/class")
    parser.add_argument("--solvers", default="rackplan,ffd,cpsat")
    parser.add_argument("--cpsat-max-vars", type=int, default=20_000)
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    sets = args.sets.split(",")
    jobs = args.jobs or min(len(sets), os.cpu_count() or 1)
    tasks = [(args.data, one, args.per_set, args.solvers.split(","), args.time_limit,
              args.cpsat_max_vars) for one in sets]
    if jobs > 1 and len(sets) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            by_set = dict(zip(sets, pool.map(_run_set, tasks), strict=True))
    else:
        by_set = {one: _run_set(task) for one, task in zip(sets, tasks, strict=True)}
    meta: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"), "time_limit_s": args.time_limit,
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}, {os.cpu_count()} cores",
        "cpsat_max_vars": args.cpsat_max_vars, "rackplan": rackplan.__version__,
        "sets_side_by_side": jobs > 1 and len(sets) > 1,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    all_rows: list[dict[str, object]] = []
    for one, outcomes in by_set.items():
        rows = summarize(outcomes)
        all_rows += rows
        (args.out / f"packing-{one}.json").write_text(json.dumps(
            {"meta": meta, "summary": rows, "instances": [asdict(o) for o in outcomes]}, indent=1))
        (args.out / f"packing-{one}.md").write_text(markdown(rows, meta))
    if not args.no_scaling:
        from rackplan.packing import _warm_up

        _warm_up()  # the search kernels load here, not in the timed run (the sets ran elsewhere)
        meta["scaling"] = scaling()  # alone, after the sets
    text = headline(all_rows, meta)
    (args.out / "packing.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
