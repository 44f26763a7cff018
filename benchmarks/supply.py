"""Supply benchmark: planning 1,000,000 GPUs with supply rules and phases, side by side with the
same plan without them.

    python benchmarks/supply.py [--only gb300,h100] [--repeat 3] [--out benchmarks/results]

Two sites of about 1,000,000 GPUs, each planned twice, in a fresh process per variant with a
warm Numba cache (a small version of the same scenario is planned first):

- gb300: 13,889 Dell XE9712 (GB300 NVL72) in dlc-48u-140kw positions;
- h100: 125,000 DGX H100 in air-48u-40kw positions (31,250 racks: the install order is
  chosen rack by rack).

``without``: no supply keys (every unit ships at start + catalog lead time). ``with``: a vendor
rule with four quarters of queue (52 weeks of its shipping rate ahead of the order), four
phases of a quarter of the GPUs each with need-by dates, a discount rate and fiscal years
starting in February (no fiscal budgets: those only move order dates). The plan is checked to
hold every phase on time. Time: median of --repeat ``plan()`` calls after one warm-up.
Memory: peak of Python and numpy allocations of one ``plan()`` (tracemalloc). Writes supply.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CASES = {
    "gb300": dict(title="1,000,008 GB300 (13,889 XE9712 NVL72)", server="dell-xe9712-gb300",
                  gpus_per=72, rack="dlc-48u-140kw", vendor="Dell"),
    "h100": dict(title="1,000,000 H100 (125,000 DGX H100)", server="nvidia-dgx-h100",
                 gpus_per=8, rack="air-48u-40kw", vendor="NVIDIA"),
}


def scenario(case: str, gpus: int, supply: bool):  # type: ignore[no-untyped-def]
    import datetime as dt

    from rackplan import Scenario, load_catalog

    c = CASES[case]
    units = -(-gpus // c["gpus_per"])
    d: dict = {
        "name": f"{case}-{gpus}-{'supply' if supply else 'plain'}", "start": "2026-12-01",
        "objective": "tco", "horizon_years": 5,
        "site": {"it_power_kw": 5_000_000, "pue": 1.3, "electricity_usd_per_kwh": 0.08,
                 "install_racks_per_week": 1000,
                 "rack_positions": [{"rack": c["rack"], "count": units + 1000}]},
        "workloads": [{"name": "training", "gpus": gpus, "allowed": [c["server"]]}],
    }
    if supply:
        # the order ships over a year, behind a year of queue; each phase is due eight
        # weeks after its last quarter of units ships
        rate = -(-units // 52)
        quarter = -(-gpus // 4)
        per_phase = [quarter, quarter, quarter, gpus - 3 * quarter]
        lead = load_catalog().server(c["server"]).lead_time_weeks
        due = [dt.date(2026, 12, 1) + dt.timedelta(weeks=lead + 52 + 13 * (i + 1) + 8)
               for i in range(4)]
        d["supply"] = [{"match": c["vendor"], "queue_units": 52 * rate, "units_per_week": rate}]
        d["fiscal_year_start_month"] = 2
        d["discount_rate"] = 0.08
        d["workloads"][0]["phases"] = [{"gpus": g, "need_by": due[i].isoformat()}
                                       for i, g in enumerate(per_phase)]
    return Scenario.model_validate(d)


def measure(case: str, supply: bool, repeat: int) -> dict:
    import rackplan

    catalog = rackplan.load_catalog()
    rackplan.plan(scenario(case, CASES[case]["gpus_per"] * 64, supply), catalog)  # warm kernels
    s = scenario(case, 1_000_008 if case == "gb300" else 1_000_000, supply)
    t0 = time.perf_counter()
    plan = rackplan.plan(s, catalog)
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rackplan.plan(s, catalog)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    rackplan.plan(s, catalog)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    phases = plan.schedule.workloads[0].phases
    late = [p.phase for p in phases if p.need_by and p.online_date > p.need_by]
    assert not late, f"phases late: {late}"
    sel = plan.selections[0]
    return {"case": case, "supply": supply, "median_s": statistics.median(times), "first_s": first,
            "peak_mb": peak, "gpus": plan.totals.gpus, "racks": plan.totals.racks,
            "deliveries": len(sel.deliveries), "first_delivery": sel.deliveries[0].date.isoformat(),
            "last_delivery": sel.deliveries[-1].date.isoformat(),
            "phases_online": [p.online_date.isoformat() for p in phases],
            "ready": plan.schedule.ready_date.isoformat(), "quarters": len(plan.cash_flow),
            "capex_b": plan.totals.capex_usd / 1e9, "npv_b": plan.totals.npv_usd / 1e9,
            "gap": plan.bounds.gap}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default=",".join(CASES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    ap.add_argument("--child", nargs=2, metavar=("CASE", "SUPPLY"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(measure(a.child[0], a.child[1] == "1", a.repeat)))
        return
    rows = []
    for case in a.only.split(","):
        for supply in (False, True):
            out = subprocess.run([sys.executable, __file__, "--child", case, "1" if supply else "0",
                                  "--repeat", str(a.repeat)], capture_output=True, text=True,
                                 check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(row, flush=True)
            rows.append(row)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                         text=True).stdout.strip()
    lines = [
        "# Supply benchmark", "",
        f"Machine: {platform.machine()}, 2 cores, Python {platform.python_version()}, rackplan "
        f"{rev}. Command: `python benchmarks/supply.py`", "",
        "Each site planned without supply keys and with a vendor rule (four quarters of queue "
        "at the rule's rate), four phases with need-by dates, fiscal quarters and a discount "
        "rate; each variant in a fresh process with a warm Numba cache. Time: median of "
        f"{a.repeat} `plan()` calls after one warm-up. Memory: peak of Python and numpy "
        "allocations of one `plan()` (tracemalloc). Every phase is on time.", "",
        "| site | supply and phases | plan s (median) | first call s | traced peak MB | racks | "
        "delivery days | first / last delivery | phases online | ready | quarters | capex $B | "
        "NPV $B | gap |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {CASES[r['case']]['title']} | {'with' if r['supply'] else 'without'} | "
            f"{r['median_s']:.3f} | {r['first_s']:.3f} | {r['peak_mb']:.1f} | {r['racks']:,} | "
            f"{r['deliveries']} | {r['first_delivery']} / {r['last_delivery']} | "
            f"{', '.join(r['phases_online'])} | {r['ready']} | {r['quarters']} | "
            f"{r['capex_b']:.2f} | {r['npv_b']:.2f} | {r['gap']:.6f} |")
    lines += ["", "## With supply and phases / without", "", "| site | time | traced peak memory |",
              "|---|---|---|"]
    for case in dict.fromkeys(r["case"] for r in rows):
        w = next(r for r in rows if r["case"] == case and r["supply"])
        o = next(r for r in rows if r["case"] == case and not r["supply"])
        lines.append(f"| {CASES[case]['title']} | {w['median_s'] / o['median_s']:.2f}x | "
                     f"{w['peak_mb'] / o['peak_mb']:.2f}x |")
    lines.append(f"\n<!-- supply-benchmark-rows {json.dumps(rows)} -->")
    out = Path(a.out) / "supply.md"
    from rackplan._io import write_atomic  # after REPO is on sys.path

    write_atomic(out, "\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
