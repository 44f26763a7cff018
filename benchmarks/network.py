"""Network benchmark: sizing and placing the fabrics of 100,000 and 1,000,000 GPUs with
rackplan.plan, side by side with the same plan without the scenario's ``network``.

    python benchmarks/network.py [--only 100k,1m] [--repeat 3] [--profile-top 8]
        [--out benchmarks/results]

1. 100k: 12,500 DGX H100 (100,000 GPUs) in air-48u-40kw positions, network racks
   net-42u-20kw. Compute fabric on nvidia-q3400 (144 x 800G; switch optic osfp-2x800g-dr8,
   the 1.6T twin-port module whose 800G per port carries the switches' 800G links; node
   optic osfp-2x400g-sr8 at the DGX's 400G ports), storage on nvidia-qm9700, in-band on
   nvidia-sn4600c (3:1), out-of-band on nvidia-sn2201, 4 UFM and 50 DDN AI400X2 appliances.
   Also planned with the compute fabric on nvidia-qm9700, which must be rejected (a
   three-tier tree of 64-port switches reaches 64 pods, 65,536 ports): its message is shown.
2. 1m: 13,889 Dell XE9712 (GB300 NVL72, 1,000,008 GPUs) in dlc-48u-140kw positions (the
   48U system does not fit the 44U orv3-dlc-300kw). One compute fabric on nvidia-q3400 with
   non-blocking leaves and spine_oversubscription 2.5, the smallest half step whose three-tier
   tree fits 144 pods (2.0 needs 145 pods: shown as a rejected row); storage on nvidia-q3400
   (nvidia-qm9700 cannot reach 500,000 ports at any oversubscription) and in-band on
   nvidia-sn5600 (nvidia-sn4600c would need 327 pods of 64).

Each size is planned with and without ``network`` (everything else equal), each variant in a
fresh process with a warm Numba cache: the kernels are loaded by planning a small version of
the same scenario (with and without network) first, then the measured scenario is planned
once as a warm-up and --repeat times timed (median reported). Memory: resident set before
and after the timed runs, the peak of Python and numpy allocations of one plan() traced by
tracemalloc, and the process high-water mark (ru_maxrss, dominated by Numba and LLVM). One
more plan() of the network variant runs under cProfile (--profile-top functions, 0: none).

--only 100k (or 1m) runs those sizes only and keeps the other sizes' rows from the existing
network.md in --out (the rows are stored in it as a JSON comment). Writes network.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SEMIANALYSIS_MW = 150.0
"""SemiAnalysis, "100,000 H100 Clusters" (2024-06): "The critical IT power required for a 100k
H100 cluster is ~150MW" (servers about 1,275 W per GPU plus about 10% for storage,
networking, CPU nodes and optics); "will require >150MW in datacenter capacity"."""

ROWS_TAG = "network-benchmark-rows"


# ---------------------------------------------------------------- scenarios

def _fabrics_h100(compute_switch: str) -> dict:
    compute_optic = "osfp-2x800g-dr8" if compute_switch == "nvidia-q3400" else "osfp-2x400g-sr8"
    return {
        "rack": "net-42u-20kw",
        "compute": {"switch": compute_switch,
                    "optics": {"switch": compute_optic, "node": "osfp-2x400g-sr8",
                               "cable": "mpo-fiber-patch"}},
        "storage": {"switch": "nvidia-qm9700",
                    "optics": {"switch": "osfp-2x400g-sr8", "node": "qsfp112-400g-sr4",
                               "cable": "mpo-fiber-patch"}},
        "inband": {"switch": "nvidia-sn4600c", "optics": {"node": "qsfp28-100g-aoc"},
                   "oversubscription": 3.0},
        "oob": {"switch": "nvidia-sn2201", "optics": {"cable": "cat6-patch"}},
        "appliances": [{"appliance": "nvidia-ufm-3", "count": 4},
                       {"appliance": "ddn-ai400x2", "count": 50}],
    }


def h100_scenario(gpus: int = 100_000, network: bool = True,
                  compute_switch: str = "nvidia-q3400"):  # type: ignore[no-untyped-def]
    """DGX H100 (8 GPUs, 10.2 kW, air) with a DGX SuperPOD-like network."""
    from rackplan import Scenario

    servers = -(-gpus // 8)
    d: dict = {
        "name": f"h100-{gpus}", "start": "2026-12-01", "objective": "tco", "horizon_years": 5,
        "site": {"it_power_kw": 200_000, "pue": 1.3, "electricity_usd_per_kwh": 0.08,
                 "power_redundancy": "2N",
                 "rack_positions": [{"rack": "air-48u-40kw", "count": max(servers * 2 // 5, 20)},
                                    {"rack": "net-42u-20kw", "count": max(servers * 6 // 25, 20)}]},
        "workloads": [{"name": "training", "gpus": gpus, "allowed": ["nvidia-dgx-h100"]}],
    }
    if network:
        d["network"] = _fabrics_h100(compute_switch)
    return Scenario.model_validate(d)


def gb300_scenario(gpus: int = 1_000_008, network: bool = True,
                   spine_oversubscription: float = 2.5):  # type: ignore[no-untyped-def]
    """Dell XE9712 (GB300 NVL72: 72 GPUs, 140 kW, one rack position each)."""
    from rackplan import Scenario

    systems = -(-gpus // 72)
    d: dict = {
        "name": f"gb300-{gpus}", "start": "2026-12-01", "objective": "tco", "horizon_years": 5,
        "site": {"it_power_kw": 3_000_000, "pue": 1.3, "electricity_usd_per_kwh": 0.08,
                 "power_redundancy": "2N",
                 "rack_positions": [{"rack": "dlc-48u-140kw", "count": systems + 111},
                                    {"rack": "net-42u-20kw", "count": max(systems * 4, 400)}]},
        "workloads": [{"name": "training", "gpus": gpus, "allowed": ["dell-xe9712-gb300"]}],
    }
    if network:
        d["network"] = {
            "rack": "net-42u-20kw",
            "compute": {"switch": "nvidia-q3400", "oversubscription": 1.0,
                        "spine_oversubscription": spine_oversubscription,
                        "optics": {"switch": "osfp-2x800g-dr8", "node": "osfp-800g-dr8",
                                   "cable": "mpo-fiber-patch"}},
            "storage": {"switch": "nvidia-q3400",
                        "optics": {"switch": "osfp-2x800g-dr8", "node": "qsfp112-400g-sr4",
                                   "cable": "mpo-fiber-patch"}},
            "inband": {"switch": "nvidia-sn5600", "optics": {"node": "qsfp56-200g-aoc"},
                       "oversubscription": 3.0},
            "oob": {"switch": "nvidia-sn2201", "optics": {"cable": "cat6-patch"}},
            "appliances": [{"appliance": "nvidia-ufm-3", "count": 4},
                           {"appliance": "ddn-ai400x2", "count": 500}],
        }
    return Scenario.model_validate(d)


CASES: dict[str, dict] = {
    "100k": dict(
        title="100,000 H100 (12,500 DGX H100)", build=h100_scenario, gpus=100_000,
        warm_gpus=1_024,
        rejected=[("compute fabric on nvidia-qm9700 (64 ports)",
                   dict(compute_switch="nvidia-qm9700"))]),
    "1m": dict(
        title="1,000,008 GB300 (13,889 XE9712 NVL72)", build=gb300_scenario, gpus=1_000_008,
        warm_gpus=72 * 16,
        rejected=[("compute spine_oversubscription 2.0", dict(spine_oversubscription=2.0))]),
}


# ---------------------------------------------------------------- one measured process

def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _summary(plan) -> dict:  # type: ignore[no-untyped-def]
    fabrics = [dict(name=f.name, workload=f.workload, switch=f.switch, tiers=f.tiers,
                    leaf=f.leaf, spine=f.spine, core=f.core, pods=f.pods, power_kw=f.power_kw,
                    capex_usd=f.capex_usd, node_leaf=f.links.node_leaf,
                    modules=sum(f.modules.values()), cables=f.cables) for f in plan.fabrics]
    network_racks = sum(r.role == "network" for r in plan.racks)
    return dict(servers=plan.totals.servers, gpus=plan.totals.gpus, racks=plan.totals.racks,
                server_racks=plan.totals.racks - network_racks, network_racks=network_racks,
                it_power_kw=plan.totals.it_power_kw,
                facility_power_kw=plan.totals.facility_power_kw,
                capex_usd=plan.totals.capex_usd, tco_usd=plan.totals.tco_usd,
                network_usd=plan.costs.network_usd, optics_usd=plan.costs.optics_usd,
                gap=plan.bounds.gap, fabrics=fabrics, warnings=list(plan.warnings),
                ready_date=str(plan.schedule.ready_date))


def _profile(fn, top: int) -> list[dict]:  # type: ignore[no-untyped-def]
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof)
    rows = []
    for (path, line, name), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(dict(function=f"{_short(path)}:{line}({name})", calls=nc, self_s=tt, cum_s=ct))
    total = max((r["cum_s"] for r in rows), default=0.0)
    rows.sort(key=lambda r: -r["self_s"])
    by_self = rows[:top]
    rackplan_cum = sorted((r for r in rows if "rackplan/" in r["function"]
                           and not r["function"].endswith("(plan)")),
                          key=lambda r: -r["cum_s"])[:top]
    return [dict(r, kind="self") for r in by_self] + [dict(r, kind="cum") for r in rackplan_cum] \
        + [dict(function="total", calls=1, self_s=total, cum_s=total, kind="total")]


def _short(path: str) -> str:
    p = path.replace(str(REPO) + os.sep, "")
    if "site-packages" in p:
        p = p.split("site-packages" + os.sep, 1)[1]
    return p


def one(case: str, variant: str, repeat: int, profile_top: int) -> dict:
    import rackplan

    spec = CASES[case]
    build = spec["build"]
    network = variant == "network"
    catalog = rackplan.load_catalog()
    t0 = time.perf_counter()
    rackplan.plan(build(spec["warm_gpus"], network=False), catalog)  # load the cached kernels
    rackplan.plan(build(spec["warm_gpus"], network=True), catalog)
    kernels_s = time.perf_counter() - t0
    scenario = build(spec["gpus"], network=network)
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    plan = rackplan.plan(scenario, catalog)  # warm-up of this size
    first_s = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        plan = rackplan.plan(scenario, catalog)
        times.append(time.perf_counter() - t0)
    rss_after = _rss_mb()
    # Python and numpy allocations (tracemalloc sees numpy buffers) in a separate, traced run
    tracemalloc.start()
    rackplan.plan(scenario, catalog)
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    profile = (_profile(lambda: rackplan.plan(scenario, catalog), profile_top)
               if network and profile_top else [])
    return dict(case=case, variant=variant, kernels_s=kernels_s, first_s=first_s,
                times_s=times, median_s=statistics.median(times), rss_before_mb=rss_before,
                rss_after_mb=rss_after, traced_peak_mb=traced_peak,
                peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                profile=profile, **_summary(plan))


def rejected(case: str) -> list[dict]:
    """The configurations that must be refused, with the planner's message."""
    import rackplan

    spec = CASES[case]
    catalog = rackplan.load_catalog()
    rows = []
    for label, kwargs in spec["rejected"]:
        t0 = time.perf_counter()
        try:
            plan = rackplan.plan(spec["build"](spec["gpus"], network=True, **kwargs), catalog)
            outcome, message = "plan (expected a refusal)", f"{plan.totals.racks:,} racks"
        except rackplan.InfeasibleError as exc:  # SearchLimitError is a subclass
            outcome, message = type(exc).__name__, str(exc)
        except Exception as exc:  # noqa: BLE001 - anything else is a result to report
            outcome, message = type(exc).__name__, str(exc)
        rows.append(dict(case=case, label=label, outcome=outcome, message=message,
                         seconds=time.perf_counter() - t0))
    return rows


def run_case(case: str, repeat: int, profile_top: int) -> dict:
    out: dict = {"case": case}
    for variant in ("none", "network"):
        proc = subprocess.run([sys.executable, __file__, "--one", f"{case}:{variant}",
                               "--repeat", str(repeat), "--profile-top", str(profile_top)],
                              capture_output=True, text=True)
        if proc.returncode:
            out[variant] = dict(error=(proc.stderr.strip().splitlines() or ["?"])[-1])
            print(f"{case} {variant}: failed: {out[variant]['error']}", flush=True)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        out[variant] = row
        print(f"{case} {variant:7}: median {row['median_s']:.3f}s of {row['times_s']}, "
              f"first {row['first_s']:.2f}s, traced peak {row['traced_peak_mb']:.1f} MB, "
              f"{row['racks']:,} racks ({row['network_racks']:,} network)", flush=True)
    proc = subprocess.run([sys.executable, __file__, "--rejected", case], capture_output=True,
                          text=True)
    out["rejected"] = (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0
                       else [dict(case=case, label="?", outcome="error", seconds=0.0,
                                  message=(proc.stderr.strip().splitlines() or ["?"])[-1])])
    for r in out["rejected"]:
        print(f"{case} rejected {r['label']}: {r['outcome']}: {r['message'][:200]}", flush=True)
    return out


# ---------------------------------------------------------------- report

def _mw(kw: float) -> str:
    return f"{kw / 1000:,.1f}"


def _busd(usd: float) -> str:
    return f"{usd / 1e9:,.2f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def _switches(row: dict) -> str:
    parts = []
    for f in row.get("fabrics", []):
        name = f["name"] + (f":{f['workload']}" if f["workload"] else "")
        tiers = "/".join(str(f[k]) for k in ("leaf", "spine", "core")[: max(f["tiers"], 1)])
        pods = f", {f['pods']} pods" if f["pods"] else ""
        parts.append(f"{name} {f['switch']} {tiers}{pods}")
    return "<br>".join(parts) or "-"


def report(results: list[dict], args, git: str) -> str:  # type: ignore[no-untyped-def]
    lines = ["# Network benchmark", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, rackplan {git}. Run {time.strftime('%Y-%m-%d')}. "
             "Command: `" + " ".join(["python benchmarks/network.py", *sys.argv[1:]]) + "`", "",
             "Each size planned with and without the scenario's `network` (everything else "
             "equal), each variant in a fresh process with a warm Numba cache (kernels loaded by "
             "planning a small version of the scenario first). Time: median of "
             f"{args.repeat} `plan()` calls after one warm-up call of the same scenario. Memory: "
             "peak of Python and numpy allocations during one `plan()` (tracemalloc), resident "
             "set after the timed calls, and the process high-water mark (dominated by Numba "
             "and LLVM). Switches as leaf/spine/core per fabric from `plan.fabrics`.", "",
             "| size | network | plan s (median) | first call s | traced peak MB | RSS after MB "
             "| process peak MB | racks (server / network) | switches by fabric | IT MW | "
             "facility MW | capex $B | network + optics $B | gap |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for res in results:
        title = CASES[res["case"]]["title"]
        for variant in ("none", "network"):
            r = res.get(variant, {})
            if "error" in r or not r:
                lines.append(f"| {title} | {variant} | error: {r.get('error', 'not run')} |"
                             + " |" * 11)
                continue
            lines.append(
                f"| {title} | {'with' if variant == 'network' else 'without'} | "
                f"{r['median_s']:.3f} | {r['first_s']:.3f} | {r['traced_peak_mb']:.1f} | "
                f"{r['rss_after_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['racks']:,} "
                f"({r['server_racks']:,} / {r['network_racks']:,}) | {_switches(r)} | "
                f"{_mw(r['it_power_kw'])} | {_mw(r['facility_power_kw'])} | "
                f"{_busd(r['capex_usd'])} | {_busd(r['network_usd'] + r['optics_usd'])} | "
                f"{r['gap']:.6f} |")
    lines += ["", "## With network / without", "",
              "| size | time | traced peak memory | RSS after | racks | IT power | capex | "
              "switches | network IT MW (share of IT) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for res in results:
        a, b = res.get("network", {}), res.get("none", {})
        if "median_s" not in a or "median_s" not in b:
            continue
        sw = sum(f["leaf"] + f["spine"] + f["core"] for f in a["fabrics"])
        net_kw = a["it_power_kw"] - b["it_power_kw"]
        lines.append(f"| {CASES[res['case']]['title']} | {_ratio(a['median_s'], b['median_s'])} | "
                     f"{_ratio(a['traced_peak_mb'], b['traced_peak_mb'])} | "
                     f"{_ratio(a['rss_after_mb'], b['rss_after_mb'])} | "
                     f"{_ratio(a['racks'], b['racks'])} | "
                     f"{_ratio(a['it_power_kw'], b['it_power_kw'])} | "
                     f"{_ratio(a['capex_usd'], b['capex_usd'])} | {sw:,} | "
                     f"{_mw(net_kw)} ({100 * net_kw / a['it_power_kw']:.1f}%) |")
    lines += ["", "## Fabrics (with network)", "",
              "| size | fabric | switch | tiers | leaf | spine | core | pods | node ports | "
              "modules | cables | reserved kW | capex $M |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for res in results:
        a = res.get("network", {})
        for f in a.get("fabrics", []):
            lines.append(f"| {res['case']} | {f['name']}{':' + f['workload'] if f['workload'] else ''}"
                         f" | {f['switch']} | {f['tiers']} | {f['leaf']:,} | {f['spine']:,} | "
                         f"{f['core']:,} | {f['pods']} | {f['node_leaf']:,} | {f['modules']:,} | "
                         f"{f['cables']:,} | {f['power_kw']:,.0f} | {f['capex_usd'] / 1e6:,.1f} |")
    h = next((res for res in results if res["case"] == "100k"), None)
    if h and "median_s" in h.get("network", {}) and "median_s" in h.get("none", {}):
        a, b = h["network"], h["none"]
        lines += ["", "## Power of the 100k-H100 site against the published figure", "",
                  "| | IT MW | facility MW (PUE 1.3) |", "|---|---|---|",
                  f"| rackplan, servers only | {_mw(b['it_power_kw'])} | "
                  f"{_mw(b['facility_power_kw'])} |",
                  f"| rackplan, with network, storage and appliances | {_mw(a['it_power_kw'])} | "
                  f"{_mw(a['facility_power_kw'])} |",
                  f"| SemiAnalysis (2024), \"100,000 H100 Clusters\" | ~{SEMIANALYSIS_MW:.0f} "
                  "(critical IT) | >150 (\"datacenter capacity\") |", "",
                  "SemiAnalysis's ~150 MW is critical IT power: about 1,275 W per GPU in the "
                  "servers (700 W GPU plus ~575 W of CPUs, NICs and PSUs) and ~10% more for "
                  "storage, switches, CPU nodes and optics. rackplan reserves the DGX H100's "
                  "10.2 kW nameplate (the same 1,275 W per GPU: 127.5 MW) and the network at "
                  "`power_max_w` of every switch plus its modules, so the like-for-like figure "
                  "is the IT column; the facility column multiplies by the scenario's PUE."]
    lines += ["", "## Configurations the planner must refuse", "",
              "| size | configuration | outcome | s | message |", "|---|---|---|---|---|"]
    for res in results:
        for r in res.get("rejected", []):
            msg = r["message"].replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {res['case']} | {r['label']} | {r['outcome']} | {r['seconds']:.3f} | "
                         f"{msg} |")
    prof = [(res["case"], res["network"]["profile"]) for res in results
            if res.get("network", {}).get("profile")]
    if prof:
        lines += ["", "## Where the time goes (cProfile, one `plan()` with network)", "",
                  "Under the profiler, so slower than the timed calls. Top functions by own time, "
                  "then rackplan functions by cumulative time.", ""]
        for case, rows in prof:
            total = next((r["cum_s"] for r in rows if r["kind"] == "total"), 0.0)
            lines += [f"{case}: {total:.2f} s under the profiler.", "",
                      "| by | function | calls | own s | cumulative s |", "|---|---|---|---|---|"]
            for r in rows:
                if r["kind"] != "total":
                    lines.append(f"| {r['kind']} | `{r['function']}` | {r['calls']:,} | "
                                 f"{r['self_s']:.3f} | {r['cum_s']:.3f} |")
            lines.append("")
    warn = [(res["case"], w) for res in results for w in res.get("network", {}).get("warnings", [])]
    if warn:
        lines += ["", "Plan warnings (with network):", ""] + [f"- {c}: {w}" for c, w in warn]
    lines += ["", "## Notes", "",
              "- 1m, one compute fabric rather than several workloads: the XE9712's 72 compute "
              "ports form 4 rails (18 trays x 4 NICs), so a scalable unit is 72 trays per rail "
              "(4 systems) and 1,000,012 ports (4 UFM included) make 3,473 units and 13,892 "
              "leaves. Non-blocking spines (72 downlinks) hold 18 units per pod: 193 pods; "
              "spine_oversubscription 2.0 (96 downlinks, 24 units) needs 145 pods, one more than "
              "a 144-port core reaches; 2.5 (102 downlinks, 25 units) needs 139. So the leaves "
              "stay non-blocking and only the spine-core tier is 2.5:1.",
              "- 1m, shared fabrics: storage (36 x 200G per system, 500,000 ports) cannot be a "
              "three-tier nvidia-qm9700 tree at any oversubscription (at most 63 downlinks per "
              "spine and 64 pods: at most 254,016 ports), and nvidia-sn4600c in-band would "
              "need about 327 pods of 64; both run on the 144- and 128-port switches instead. The 100k "
              "site keeps the SuperPOD's qm9700 / sn4600c.",
              "- Patch cables: the catalog has no 800G or single-mode patch cord, so both sizes "
              "use mpo-fiber-patch (400G multimode) between the 800G osfp-2x800g-dr8 modules. "
              "The planner accepts it: it checks the switch and node optics against the link "
              "speed and cage (a 400G osfp-2x400g-sr8 on the nvidia-q3400 is rejected), but not "
              "the `cable` (even cat6-patch is accepted on the compute fabric). Cable counts are "
              "right; their type and price are not for 800G links.",
              "- Figures depend on the catalog in the working tree at the time of the run "
              "(several switch powers and prices are marked estimates; the nvidia-q3400's "
              "5 kW maximum without optics drives most of the network power)."]
    lines += ["", f"<!-- {ROWS_TAG} {json.dumps(results, default=str)} -->", ""]
    return "\n".join(lines)


def _previous(path: Path) -> list[dict]:
    if not path.exists():
        return []
    text = path.read_text()
    start = text.find(f"<!-- {ROWS_TAG} ")
    if start < 0:
        return []
    body = text[start + len(ROWS_TAG) + 6:]
    return json.loads(body[: body.rfind(" -->")])


def _git() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "rackplan",
                                "catalogs"], capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(no git)"
    return f"{head}{' with uncommitted changes in rackplan/ or catalogs/' if dirty else ''}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="timed plan() calls per variant")
    ap.add_argument("--profile-top", type=int, default=8,
                    help="functions listed from cProfile (0: no profile run)")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    ap.add_argument("--only", help="comma-separated sizes to run (100k, 1m); the other sizes' "
                    "rows are kept from the existing network.md in --out")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--rejected", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        case, variant = args.one.split(":")
        print(json.dumps(one(case, variant, args.repeat, args.profile_top)))
        return
    if args.rejected:
        print(json.dumps(rejected(args.rejected)))
        return
    cases = list(CASES)
    if args.only:
        cases = [c.strip() for c in args.only.split(",") if c.strip()]
        unknown = set(cases) - set(CASES)
        if unknown:
            ap.error(f"--only: unknown sizes {sorted(unknown)}")
    out = Path(args.out)
    kept = {r["case"]: r for r in _previous(out / "network.md")} if args.only else {}
    t0 = time.perf_counter()
    for case in cases:
        kept[case] = run_case(case, args.repeat, args.profile_top)
    results = [kept[c] for c in CASES if c in kept]
    out.mkdir(parents=True, exist_ok=True)
    (out / "network.md").write_text(report(results, args, _git()))
    print(f"wrote {out / 'network.md'} in {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
