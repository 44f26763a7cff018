"""Packing benchmark: rackplan.pack_vectors against published optima, side by side with
plain first-fit decreasing and OR-Tools CP-SAT on the same instances in the same run.

    python benchmarks/packing.py --data ../shared/bench-data [--time-limit 1.0]
        [--sets bpp,vbp] [--per-set N] [--solvers rackplan,ffd,cpsat] [--out benchmarks/results]

Reads BPPLIB one-dimensional instances (bpp/) and vector instances (vbp/) with
their optima.csv, and writes packing.md and packing.json to --out. Also times
100,000 random two-dimensional items. The data folder is read in place.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import sys
import time
from collections import defaultdict
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
    if "scaling" in meta:
        sc = meta["scaling"]
        lines += ["", f"100,000 two-dimensional items: {sc['seconds']:.2f} s, "  # type: ignore[index]
                      f"{sc['bins']} bins (lower bound {sc['lower_bound']})."]  # type: ignore[index]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the bench-data folder")
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--sets", default="bpp,vbp")
    parser.add_argument("--per-set", type=int, default=None, help="first N instances per set/class")
    parser.add_argument("--solvers", default="rackplan,ffd,cpsat")
    parser.add_argument("--cpsat-max-vars", type=int, default=20_000)
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    instances = load_instances(args.data, args.sets.split(","), args.per_set)
    print(f"{len(instances)} instances", file=sys.stderr)
    outcomes = run(instances, args.solvers.split(","), args.time_limit, args.cpsat_max_vars)
    rows = summarize(outcomes)
    meta: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"), "time_limit_s": args.time_limit,
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
        "cpsat_max_vars": args.cpsat_max_vars, "rackplan": rackplan.__version__,
    }
    if not args.no_scaling:
        meta["scaling"] = scaling()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "packing.json").write_text(json.dumps(
        {"meta": meta, "summary": rows, "instances": [asdict(o) for o in outcomes]}, indent=1))
    text = markdown(rows, meta)
    (args.out / "packing.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
