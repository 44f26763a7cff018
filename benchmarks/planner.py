"""Planner benchmark: rackplan.plan against exact MILPs (HiGHS, OR-Tools CP-SAT) side by side.

    python benchmarks/planner.py [--sizes small,medium,large] [--per-size 20,10,6]
        [--time-limit 60] [--scaling 1000,10000,100000,1000000] [--out benchmarks/results]
        [--tight 200] [--tight-max-racks 2000] [--many 10] [--only tight,many]

1. Exactness and speed: generated scenarios of growing size (tests/scenario_gen.py:
   2-4 workloads, 3-6 candidate models, 2-3 rack types with limited positions, rack
   prices scaled 1-15x). Each is planned by rackplan and solved by the assignment MILP
   of tests/exact_milp.py with HiGHS and with CP-SAT (1 thread each, capped at
   --time-limit seconds). Reports objective ratios (rackplan / proven optimum) and time
   ratios (solver time / rackplan time).
2. Scaling: a three-workload scenario from 1,000 to 1,000,000 GPUs, each planned in a
   fresh process with a warm Numba cache; wall time of rackplan.plan and peak RSS.
3. CLI latency: `rackplan plan examples/enterprise-pod.yaml` with a cold Numba cache
   (empty NUMBA_CACHE_DIR: compilation included) and warm (median of 5).

4. Tight sites (--tight N, default 200): tests/scenario_gen.tight_site_scenario, synthetic
   catalogs whose sites have exactly the positions the optimum needs with ample positions
   (split over the rack types as the optimum does or at random, plus 0 or 1 per type),
   5 to --tight-max-racks (2,000) racks. Each is planned by rackplan and solved by the
   pattern-MILP reference of tests/pattern_milp.py (HiGHS, 1 thread, --time-limit per
   scenario) in the same process: refusals (InfeasibleError / SearchLimitError while the
   reference has a plan), objective ratios, time ratios, agreement on infeasible ones.
5. Many item types (--many N, default 10): tests/scenario_gen.many_types_scenario, 60
   server sizes in one rack type. Racks used by rackplan.plan vs rackplan.pack_vectors on
   the same servers vs the LP bound (column generation with HiGHS, tests/pattern_milp.py)
   and the planner's own bounds.racks_lower_bound.

--only tight,many (any of exact, scaling, cli, tight, many) runs those families only and
keeps the other sections of the existing planner.json in --out.

HiGHS and OR-Tools ship conflicting HiGHS symbols, so CP-SAT runs in a spawned worker
process. Writes planner.md and planner.json to --out.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIZES = {
    "small": dict(servers=(1, 10), positions=(1, 6)),
    "medium": dict(servers=(5, 30), positions=(4, 16)),
    "large": dict(servers=(20, 80), positions=(10, 30)),
}


def _cpsat_worker(model, time_limit):  # type: ignore[no-untyped-def]
    from tests.exact_milp import solve_cpsat

    return solve_cpsat(model, time_limit)


def exactness(sizes: list[str], per_size: list[int], time_limit: float) -> list[dict]:
    import rackplan
    from tests.exact_milp import build_model, solve_highs
    from tests.scenario_gen import random_scenario

    rows = []
    pool = cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
    # warm the planner's kernels once
    sc, cat = random_scenario(0)
    rackplan.plan(sc, cat)
    for size, count in zip(sizes, per_size, strict=True):
        for i in range(count):
            seed = 1000 * (list(SIZES).index(size) + 1) + i
            sc, cat = random_scenario(seed, **SIZES[size])
            t0 = time.perf_counter()
            try:
                plan = rackplan.plan(sc, cat)
                value = plan.bounds.objective_value
                bound = plan.bounds.objective_lower_bound
            except rackplan.InfeasibleError:
                value = bound = math.inf
            t_plan = time.perf_counter() - t0
            model = build_model(sc, cat)
            highs = solve_highs(model, time_limit)
            cpsat = pool.submit(_cpsat_worker, model, time_limit).result()
            row = dict(size=size, seed=seed, workloads=len(sc.workloads),
                       positions=sum(p.count for p in sc.site.rack_positions),
                       columns=len(model.cols), rackplan=value, rackplan_bound=bound,
                       rackplan_s=t_plan, highs_status=highs.status, highs=highs.value,
                       highs_s=highs.seconds, cpsat_status=cpsat.status, cpsat=cpsat.value,
                       cpsat_s=cpsat.seconds)
            rows.append(row)
            print(f"{size:6} seed {seed}: rackplan {value:,.0f} in {t_plan:.3f}s; HiGHS "
                  f"{highs.status} {highs.value:,.0f} in {highs.seconds:.2f}s; CP-SAT "
                  f"{cpsat.status} {cpsat.value:,.0f} in {cpsat.seconds:.2f}s", flush=True)
    pool.shutdown()
    return rows


def scaling_scenario(gpus: int):  # type: ignore[no-untyped-def]
    from rackplan.models import Scenario

    pre, inf, ft = gpus // 2, gpus * 3 // 10, gpus - gpus // 2 - gpus * 3 // 10
    return Scenario.model_validate({
        "name": f"scale-{gpus}", "start": "2027-01-04", "objective": "tco",
        "site": {"it_power_kw": 100_000_000, "power_allocation": 0.9,
                 "rack_positions": [{"rack": "air-48u-40kw", "count": min(1_000_000, gpus // 8 + 10)},
                                    {"rack": "dlc-48u-140kw", "count": min(1_000_000, gpus // 36 + 10)},
                                    {"rack": "orv3-dlc-300kw", "count": min(1_000_000, gpus // 72 + 10)}]},
        "workloads": [
            {"name": "pretraining", "gpus": pre, "allowed": ["b200", "gb200", "b300"]},
            {"name": "inference", "gpus": inf, "allowed": ["h200-sxm", "mi355x", "mi300x"]},
            {"name": "finetune", "gpus": ft, "allowed": ["h100-sxm", "h200-nvl"],
             "placement": "dedicated"},
        ]})


def one_scaling(gpus: int) -> dict:
    import rackplan

    scenario = scaling_scenario(gpus)
    catalog = rackplan.load_catalog()
    rackplan.plan(scaling_scenario(1000), catalog)  # load the cached kernels
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    plan = rackplan.plan(scenario, catalog)
    seconds = time.perf_counter() - t0
    rss_after = _rss_mb()
    t1 = time.perf_counter()
    text = plan.model_dump_json()
    dump_s = time.perf_counter() - t1
    # Python and numpy allocations (tracemalloc sees numpy buffers) in a second, traced run
    tracemalloc.start()
    rackplan.plan(scenario, catalog)
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return dict(gpus=gpus, servers=plan.totals.servers, racks=plan.totals.racks,
                plan_s=seconds, json_s=dump_s, json_mb=len(text) / 1e6, gap=plan.bounds.gap,
                rss_before_mb=rss_before, rss_after_mb=rss_after, traced_peak_mb=traced_peak,
                peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def scaling(sizes: list[int]) -> list[dict]:
    rows = []
    for gpus in sizes:
        out = subprocess.run([sys.executable, __file__, "--one-scaling", str(gpus)],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"scaling {gpus:>9,} GPUs: {row['plan_s']:.2f}s, {row['racks']:,} racks, "
              f"peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
        rows.append(row)
    return rows


def cli_latency() -> dict:
    exe = Path(sys.executable).with_name("rackplan")
    cmd = [str(exe), "plan", str(REPO / "examples" / "enterprise-pod.yaml")]
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            warm.append(time.perf_counter() - t0)
    row = dict(command=" ".join(["rackplan", *cmd[1:2], "examples/enterprise-pod.yaml"]),
               cold_s=cold, warm_median_s=statistics.median(warm), warm_s=warm)
    print(f"CLI: cold {cold:.2f}s, warm median {row['warm_median_s']:.2f}s", flush=True)
    return row


def _planner_outcome(exc: BaseException) -> str:
    """``infeasible`` (proven), ``search_limit`` (stopped without plan or proof) or ``error``."""
    import rackplan

    search_limit = getattr(rackplan, "SearchLimitError", None)
    if search_limit is not None and isinstance(exc, search_limit):
        return "search_limit"
    if not isinstance(exc, rackplan.InfeasibleError):
        return "error"
    diagnosis = getattr(exc, "diagnosis", None)
    if diagnosis is not None and (getattr(diagnosis, "proven", True) is False
                                  or (diagnosis.details or {}).get("search_limit_reached")):
        return "search_limit"
    return "infeasible"


def _run_planner(scenario, catalog) -> dict:  # type: ignore[no-untyped-def]
    import rackplan

    t0 = time.perf_counter()
    try:
        plan = rackplan.plan(scenario, catalog)
    except Exception as exc:  # noqa: BLE001 - a crash is a result here, reported as "error"
        return dict(planner_status=_planner_outcome(exc), planner=math.inf, planner_bound=None,
                    planner_racks=None, planner_racks_bound=None,
                    planner_s=time.perf_counter() - t0,
                    planner_reason=f"{type(exc).__name__}: {exc}"[:300])
    seconds = time.perf_counter() - t0
    return dict(planner_status="plan", planner=plan.bounds.objective_value,
                planner_bound=plan.bounds.objective_lower_bound, planner_racks=plan.totals.racks,
                planner_racks_bound=plan.bounds.racks_lower_bound, planner_s=seconds,
                planner_reason="", planner_selections={s.workload: s.count for s in plan.selections})


def tight(n: int, time_limit: float, max_racks: int = 2000, first_seed: int = 0) -> list[dict]:
    from tests.pattern_milp import solve_reference
    from tests.scenario_gen import tight_site_scenario

    for seed in range(first_seed, first_seed + 3):  # compile / load the planner's kernels
        sc, cat, _ = tight_site_scenario(seed, max_racks=50)
        _run_planner(sc, cat)
    rows = []
    for seed in range(first_seed, first_seed + n):
        t0 = time.perf_counter()
        sc, cat, info = tight_site_scenario(seed, max_racks=max_racks)
        gen_s = time.perf_counter() - t0
        row: dict = dict(seed=seed, racks_unlimited=info["optimum_racks_unlimited"],
                         split=info["split"], positions=sum(info["positions"].values()),
                         rack_types=len(info["positions"]), workloads=len(sc.workloads),
                         dedicated=sum(w.placement == "dedicated" for w in sc.workloads),
                         generate_s=gen_s)
        row.update(_run_planner(sc, cat))
        ref = solve_reference(sc, cat, time_limit_s=time_limit)
        row.update(ref_status=ref.status, ref=ref.value, ref_s=ref.seconds,
                   ref_racks=sum(ref.racks_by_type.values()) if ref.racks_by_type else None,
                   ref_patterns=ref.notes.get("max_patterns", 0), ref_choice=ref.choice,
                   ref_combinations=ref.notes.get("combinations", 0))
        finite = math.isfinite(row["planner"]) and math.isfinite(ref.value)
        row["ratio"] = row["planner"] / ref.value if finite else None
        rows.append(row)
        ratio = f"{row['ratio']:.6f}" if row["ratio"] is not None else "-"
        print(f"tight seed {seed}: {row['racks_unlimited']:,} racks ({row['split']}); rackplan "
              f"{row['planner_status']} {row['planner']:,.0f} in {row['planner_s']:.3f}s; reference "
              f"{ref.status} {ref.value:,.0f} in {ref.seconds:.2f}s; ratio {ratio}"
              + (f"; {row['planner_reason'][:120]}" if row["planner_reason"] else ""), flush=True)
    return rows


def many(n: int, time_limit: float, pack_limit: float = 1.0, types: int = 60) -> list[dict]:
    import numpy as np

    import rackplan
    from tests.pattern_milp import Item, lp_bound_colgen, rack_caps
    from tests.scenario_gen import many_types_scenario

    rows = []
    for seed in range(n):
        sc, cat = many_types_scenario(seed, types=types)
        row: dict = dict(seed=seed, types=types)
        row.update(_run_planner(sc, cat))
        cap = np.array(rack_caps(sc, cat)[0].cap)
        alloc = sc.site.power_allocation
        counts = row.get("planner_selections") or {}
        items, sizes = [], []
        for w in sc.workloads:
            s = cat.server((w.allowed or [])[0])
            count = counts.get(w.name, -(-(w.gpus or 0) // s.gpu_count))
            kw = alloc * s.power_max_w / 1000
            size = (kw, kw * (1 - s.liquid_fraction), kw * s.liquid_fraction, float(s.u_height),
                    s.weight_kg)
            items.append(Item(s.id, size, count))
            sizes += [size] * count
        dims = cap > 0
        scaled = np.array(sizes)[:, dims] / cap[dims]
        t0 = time.perf_counter()
        packed = rackplan.pack_vectors(scaled, np.ones(int(dims.sum())), time_limit_s=pack_limit,
                                       seed=0)
        pack_s = time.perf_counter() - t0
        loads = np.zeros((packed.n_bins, scaled.shape[1]))
        np.add.at(loads, np.asarray(packed.assignment), scaled)
        lp = lp_bound_colgen(items, tuple(cap), time_limit_s=time_limit)
        row.update(servers=len(sizes), pack_bins=int(packed.n_bins),
                   pack_lower_bound=int(packed.lower_bound), pack_s=pack_s,
                   pack_valid=bool((loads <= 1 + 1e-9).all()), lp=lp.lp,
                   lp_bound=lp.racks_lower_bound, lp_converged=lp.converged,
                   lp_iterations=lp.iterations, lp_s=lp.seconds)
        row.pop("planner_selections", None)
        rows.append(row)
        print(f"many seed {seed}: {len(sizes)} servers; rackplan {row['planner_status']} "
              f"{row['planner_racks']} racks (bound {row['planner_racks_bound']}) in "
              f"{row['planner_s']:.2f}s; pack_vectors {packed.n_bins} (bound "
              f"{packed.lower_bound}) in {pack_s:.2f}s; LP bound {lp.racks_lower_bound} "
              f"(LP {lp.lp:.3f}{'' if lp.converged else ', not converged'}) in {lp.seconds:.1f}s",
              flush=True)
    return rows


def _share(k: int, n: int) -> str:
    return f"{k} of {n} ({100 * k / n:.1f}%)" if n else "0 of 0"


def _tight_lines(rows: list[dict]) -> list[str]:
    out = ["| racks (optimum, ample positions) | instances | reference optimal / infeasible / "
           "limit | rackplan refused while the reference has a plan (proven infeasible / search "
           "limit / error) | within 0.1% | within 0.5% | worst ratio | below the optimum | "
           "rackplan median s | reference median s | reference/rackplan time (median) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    buckets = [("5-100", 0, 100), ("101-500", 101, 500), ("501-2,000", 501, 10**9),
               ("all", 0, 10**9)]
    for label, lo, hi in buckets:
        rs = [r for r in rows if lo <= r["racks_unlimited"] <= hi]
        if not rs:
            continue
        opt = [r for r in rs if r["ref_status"] == "optimal"]
        inf = [r for r in rs if r["ref_status"] == "infeasible"]
        has_plan = [r for r in rs if math.isfinite(r["ref"])]
        refused = [r for r in has_plan if r["planner_status"] != "plan"]
        kinds = [sum(r["planner_status"] == k for r in refused)
                 for k in ("infeasible", "search_limit", "error")]
        both = [r for r in opt if r["planner_status"] == "plan"]
        ratios = [r["ratio"] for r in both]
        t_ratio = [r["ref_s"] / max(r["planner_s"], 1e-4) for r in rs]
        out.append(
            f"| {label} | {len(rs)} | {len(opt)} / {len(inf)} / {len(rs) - len(opt) - len(inf)} | "
            f"{_share(len(refused), len(has_plan))} ({kinds[0]} / {kinds[1]} / {kinds[2]}) | "
            f"{_share(sum(x <= 1.001 for x in ratios), len(both))} | "
            f"{_share(sum(x <= 1.005 for x in ratios), len(both))} | "
            f"{max(ratios, default=math.nan):.5f} | {sum(x < 1 - 1e-7 for x in ratios)} | "
            f"{statistics.median(r['planner_s'] for r in rs):.3f} | "
            f"{statistics.median(r['ref_s'] for r in rs):.3f} | "
            f"{statistics.median(t_ratio):.2f}x |")
    return out


def _tight_report(rows: list[dict]) -> list[str]:
    inf = [r for r in rows if r["ref_status"] == "infeasible"]
    inf_kinds = {k: sum(r["planner_status"] == k for r in inf)
                 for k in ("infeasible", "search_limit", "error", "plan")}
    bad_bound = [r for r in rows if r["ref_status"] == "optimal" and r["planner_bound"] is not None
                 and r["planner_bound"] > r["ref"] * (1 + 1e-7)]
    notable = [r for r in rows if (math.isfinite(r["ref"]) and r["planner_status"] != "plan")
               or (r["ratio"] is not None and (r["ratio"] > 1.001 or r["ratio"] < 1 - 1e-7))
               or r in bad_bound or r["planner_status"] == "error"
               or (r["ref_status"] == "infeasible" and r["planner_status"] == "plan")]
    big = [r for r in rows if r["racks_unlimited"] >= 1500]
    lines = ["## Tight sites", "",
             "tests/scenario_gen.tight_site_scenario: synthetic catalogs (2-3 air rack types, "
             "servers of 8 GPUs of 2-10 U, 40-250 kg, 3-12 per rack by power), 3-6 workloads "
             "with 1-2 candidate models, 30% dedicated; positions = the optimum's racks with "
             "ample positions, split as the optimum does or at random, plus 0 or 1 per type. "
             "Reference: the pattern MILP of tests/pattern_milp.py (every maximal rack pattern, "
             "HiGHS 1 thread, every model choice not pruned by a bound), in the same process. "
             "Ratio = rackplan objective / reference optimum. Time ratio = reference seconds / "
             "rackplan seconds per instance.", "", *_tight_lines(rows), "",
             f"Reference proves infeasible: {len(inf)}; rackplan raises InfeasibleError (proven) "
             f"on {inf_kinds['infeasible']}, SearchLimitError on {inf_kinds['search_limit']}, "
             f"errors on {inf_kinds['error']}, returns a plan on {inf_kinds['plan']} (a bug in "
             "one of them).",
             f"rackplan's objective_lower_bound above the reference optimum: {len(bad_bound)}.",
             f"Reference on sites of 1,500+ racks: {len(big)} instances, "
             + (f"median {statistics.median(r['ref_s'] for r in big):.2f} s, max "
                f"{max(r['ref_s'] for r in big):.2f} s." if big else "none in this run."), ""]
    if notable:
        lines += ["Instances to look at (refused while the reference has a plan, more than 0.1% "
                  "off, below the optimum, a bound above it, errors):", "",
                  "| seed | racks | split | rackplan | reference | ratio | rackplan says |",
                  "|---|---|---|---|---|---|---|"]
        for r in notable:
            ratio = f"{r['ratio']:.5f}" if r["ratio"] is not None else "-"
            lines.append(f"| {r['seed']} | {r['racks_unlimited']:,} | {r['split']} | "
                         f"{r['planner_status']} {r['planner']:,.0f} | {r['ref_status']} "
                         f"{r['ref']:,.0f} | {ratio} | {r['planner_reason'][:160]} |")
        lines.append("")
    lines += ["<details><summary>Every instance</summary>", "",
              "| seed | racks (ample) | positions | split | workloads | rackplan | rackplan s | "
              "reference | reference s | patterns | ratio |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['ratio']:.6f}" if r["ratio"] is not None else "-"
        lines.append(f"| {r['seed']} | {r['racks_unlimited']:,} | {r['positions']:,} | {r['split']} | "
                     f"{r['workloads']} | {r['planner_status']} {r['planner']:,.0f} | "
                     f"{r['planner_s']:.3f} | {r['ref_status']} {r['ref']:,.0f} | {r['ref_s']:.2f} | "
                     f"{r['ref_patterns']:,} | {ratio} |")
    lines += ["", "</details>", ""]
    return lines


def _many_report(rows: list[dict]) -> list[str]:
    lines = ["## Many item types", "",
             "tests/scenario_gen.many_types_scenario: 60 distinct server sizes (one shared "
             "workload of 1-6 servers each) in one rack type with ample positions, objective "
             "capex. Racks used by rackplan.plan; by rackplan.pack_vectors on the same servers "
             "(sizes = the five dimensions divided by the rack's capacity, dimensions the rack "
             "lacks dropped; identical bins); the LP bound by column generation "
             "(tests/pattern_milp.lp_bound_colgen: HiGHS simplex master, HiGHS MILP pricing, "
             "stopped once ceil of the Farley bound equals ceil of the master); and the "
             "planner's own bounds.racks_lower_bound.", "",
             "| seed | servers | rackplan racks | rackplan s | pack_vectors bins | pack_vectors "
             "bound | pack_vectors s | LP bound (column generation) | LP | rackplan "
             "racks_lower_bound |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lp = f"{r['lp']:.3f}" + ("" if r["lp_converged"] else " (not converged)")
        lines.append(f"| {r['seed']} | {r['servers']} | {r['planner_racks'] or r['planner_status']} | "
                     f"{r['planner_s']:.2f} | {r['pack_bins']} | {r['pack_lower_bound']} | "
                     f"{r['pack_s']:.2f} | {r['lp_bound']} | {lp} | {r['planner_racks_bound']} |")
    ok = [r for r in rows if r["planner_racks"] is not None]
    if ok:
        at_lp = sum(r["planner_racks"] <= r["lp_bound"] for r in ok)
        fewer = sum(r["planner_racks"] < r["pack_bins"] for r in ok)
        more = sum(r["planner_racks"] > r["pack_bins"] for r in ok)
        below = sum(r["planner_racks"] < r["lp_bound"] for r in ok)
        lines += ["", f"rackplan at the LP bound on {_share(at_lp, len(ok))}; fewer racks than "
                  f"pack_vectors on {fewer}, more on {more}; pack_vectors packings valid: "
                  f"{sum(r['pack_valid'] for r in rows)} of {len(rows)}; a rackplan rack count "
                  f"below the LP bound (a bug): {below}."]
    lines.append("")
    return lines


def _ratio(r: dict, solver: str) -> float:
    return r[f"{solver}_s"] / max(r["rackplan_s"], 1e-4)


def _ratio_rows(rows: list[dict]) -> list[str]:
    out = ["| size | instances | positions (mean) | MILP columns (mean) | HiGHS optimal | "
           "rackplan within 0.5% | worst ratio | rackplan mean s | HiGHS mean s | "
           "HiGHS/rackplan time: min, median | CP-SAT optimal | CP-SAT mean s | "
           "CP-SAT/rackplan time (median) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in dict.fromkeys(r["size"] for r in rows):
        rs = [r for r in rows if r["size"] == size]
        solved = [r for r in rs if r["highs_status"] == "optimal"]
        if not solved:
            continue
        ratios = [r["rackplan"] / r["highs"] for r in solved]
        within = sum(1 for x in ratios if x <= 1.005)
        cps = [r for r in solved if r["cpsat_status"] == "optimal"]
        out.append(
            f"| {size} | {len(rs)} | {statistics.mean(r['positions'] for r in rs):.0f} | "
            f"{statistics.mean(r['columns'] for r in rs):,.0f} | {len(solved)} | "
            f"{within} of {len(solved)} | {max(ratios):.5f} | "
            f"{statistics.mean(r['rackplan_s'] for r in solved):.3f} | "
            f"{statistics.mean(r['highs_s'] for r in solved):.2f} | "
            f"{min(_ratio(r, 'highs') for r in solved):,.0f}x, "
            f"{statistics.median(_ratio(r, 'highs') for r in solved):,.0f}x | "
            f"{len(cps)} of {len(solved)} | {statistics.mean(r['cpsat_s'] for r in solved):.2f} | "
            f"{statistics.median(_ratio(r, 'cpsat') for r in solved):,.0f}x |")
    return out


def _infeasible_rows(rows: list[dict]) -> list[str]:
    out = ["| size | HiGHS proves infeasible | rackplan raises InfeasibleError | CP-SAT infeasible "
           "/ unknown at cap | rackplan mean s (search + diagnosis) | HiGHS mean s |",
           "|---|---|---|---|---|---|"]
    for size in dict.fromkeys(r["size"] for r in rows):
        rs = [r for r in rows if r["size"] == size and r["highs_status"] == "infeasible"]
        if not rs:
            continue
        agree = sum(1 for r in rs if r["rackplan"] == math.inf)
        cp_inf = sum(1 for r in rs if r["cpsat_status"] == "infeasible")
        out.append(f"| {size} | {len(rs)} | {agree} | {cp_inf} / {len(rs) - cp_inf} | "
                   f"{statistics.mean(r['rackplan_s'] for r in rs):.3f} | "
                   f"{statistics.mean(r['highs_s'] for r in rs):.2f} |")
    return out


def report(exact: list[dict], scale: list[dict], cli: dict | None, args,  # type: ignore[no-untyped-def]
           tight_rows: list[dict] | None = None, many_rows: list[dict] | None = None) -> str:
    lines = ["# Planner benchmark", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}. Solvers: 1 thread, {args.time_limit:.0f} s cap. "
             "Command: `python benchmarks/planner.py " + " ".join(sys.argv[1:]) + "`", ""]
    if exact:
        over = [r for r in exact if r["rackplan"] < r["highs"] * (1 - 1e-7)]
        lines += ["## Against exact MILPs", "",
                  "Ratio = rackplan objective / HiGHS proven optimum (1.0 = optimal), over the "
                  "instances HiGHS solves to optimality. Time ratio = solver seconds / rackplan "
                  "seconds per instance; a solver stopped at the cap counts its cap.", "",
                  *_ratio_rows(exact), "",
                  f"Instances where rackplan is below a proven optimum (a bug in one of them): "
                  f"{len(over)}.", "", "Infeasible scenarios:", "", *_infeasible_rows(exact), ""]
    if scale:
        lines += ["## Scaling", "", "Each size in a fresh process with a warm Numba cache. Memory: "
                  "resident set before and after `plan()`, the peak of Python and numpy "
                  "allocations during `plan()` (tracemalloc), and the process high-water mark "
                  "(dominated by Numba and LLVM loading).", "",
                  "| GPUs | servers | racks | plan s | JSON dump s | JSON MB | gap | RSS before MB | "
                  "RSS after MB | traced peak MB | process peak MB |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in scale:
            lines.append(f"| {r['gpus']:,} | {r['servers']:,} | {r['racks']:,} | {r['plan_s']:.2f} | "
                         f"{r['json_s']:.2f} | {r['json_mb']:.1f} | {r['gap']:.5f} | "
                         f"{r['rss_before_mb']:.0f} | {r['rss_after_mb']:.0f} | "
                         f"{r['traced_peak_mb']:.1f} | {r['peak_rss_mb']:.0f} |")
        lines.append("")
    if cli:
        lines += ["## CLI latency", "", f"`{cli['command']}`: cold Numba cache {cli['cold_s']:.2f} s "
                  f"(compilation included), warm {cli['warm_median_s']:.2f} s (median of 5).", ""]
    if tight_rows:
        lines += _tight_report(tight_rows)
    if many_rows:
        lines += _many_report(many_rows)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--per-size", default="20,10,6")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--scaling", default="1000,10000,100000,1000000")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    ap.add_argument("--exact-from", help="reuse the exactness rows of this planner.json")
    ap.add_argument("--tight", type=int, default=200, help="tight-site scenarios (0: none)")
    ap.add_argument("--tight-max-racks", type=int, default=2000)
    ap.add_argument("--many", type=int, default=10, help="many-item-type scenarios (0: none)")
    ap.add_argument("--only", help="comma-separated families to run (exact, scaling, cli, tight, "
                    "many); the other sections are kept from the existing planner.json in --out")
    ap.add_argument("--one-scaling", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_scaling:
        print(json.dumps(one_scaling(args.one_scaling)))
        return
    families = {"exact", "scaling", "cli", "tight", "many"}
    if args.only:
        families = {f.strip() for f in args.only.split(",") if f.strip()}
        unknown = families - {"exact", "scaling", "cli", "tight", "many"}
        if unknown:
            ap.error(f"--only: unknown families {sorted(unknown)}")
    out = Path(args.out)
    previous = {}
    if args.only and (out / "planner.json").exists():
        previous = json.loads((out / "planner.json").read_text())
    sizes = [s for s in args.sizes.split(",") if s]
    per = [int(x) for x in args.per_size.split(",")][: len(sizes)]
    if "exact" not in families:
        exact = previous.get("exactness", [])
    elif args.exact_from:
        exact = json.loads(Path(args.exact_from).read_text())["exactness"]
    else:
        exact = exactness(sizes, per, args.time_limit) if sizes else []
    tight_rows = (tight(args.tight, args.time_limit, args.tight_max_racks) if "tight" in families
                  and args.tight else previous.get("tight", []))
    many_rows = (many(args.many, args.time_limit) if "many" in families and args.many
                 else previous.get("many", []))
    scale = (scaling([int(x) for x in args.scaling.split(",") if x]) if "scaling" in families
             else previous.get("scaling", []))
    cli = (None if args.no_cli else cli_latency()) if "cli" in families else previous.get("cli")
    out.mkdir(parents=True, exist_ok=True)
    (out / "planner.md").write_text(report(exact, scale, cli, args, tight_rows, many_rows))
    (out / "planner.json").write_text(json.dumps(
        {"exactness": exact, "scaling": scale, "cli": cli, "tight": tight_rows, "many": many_rows},
        indent=1, default=str))
    print(f"wrote {out / 'planner.md'}")


if __name__ == "__main__":
    main()
