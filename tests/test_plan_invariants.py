"""Plan invariants over 500 generated scenarios per run (Hypothesis profile ``ci``, the
default; ``dev`` runs a tenth), checked independently.

Every plan passes tests/plan_check.py, which recomputes each rack's power, heat,
units and weight from the catalog and confirms every limit, the demand, the
one-model rule, the site envelope, the budget, the totals and the schedule.
Every 'infeasible' is confirmed: a workload no server qualifies for is
re-derived from the catalog, an IT-power shortfall is recomputed, and anything
else must be a scenario the exact MILP (HiGHS) finds no feasible solution for.
The same scenarios planned in a fresh interpreter give byte-identical plans.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rackplan

from .conftest import examples
from .exact_milp import solve_exact
from .plan_check import check_plan
from .scenario_gen import varied_scenario

pytestmark = pytest.mark.slow

EXAMPLES = examples(500)


def qualifies(workload, server, scenario, catalog) -> bool:  # type: ignore[no-untyped-def]
    """Re-derived from DESIGN.md: allowed, memory, scale-up, and fits some rack at the site."""
    site = scenario.site
    gpu = catalog.gpu(server.gpu)
    if workload.allowed and server.id not in workload.allowed and server.gpu not in workload.allowed:
        return False
    if workload.min_gpu_memory_gb and gpu.memory_gb < workload.min_gpu_memory_gb:
        return False
    if workload.min_scale_up_gpus and server.scale_up_gpus < workload.min_scale_up_gpus:
        return False
    kw = site.power_allocation * server.power_max_w / 1000
    for position in site.rack_positions:
        rack = catalog.rack(position.rack)
        usable = rack.power_kw * rack.feeds / (2 if site.power_redundancy == "2N" else 1)
        if (kw <= usable * (1 + 1e-9) and kw * (1 - server.liquid_fraction) <= rack.air_cooling_kw + 1e-9
                and kw * server.liquid_fraction <= rack.liquid_cooling_kw + 1e-9
                and server.u_height <= rack.u_height and server.weight_kg <= rack.max_load_kg):
            return True
    return False


def servers_for(workload, server, catalog) -> int:  # type: ignore[no-untyped-def]
    gpu = catalog.gpu(server.gpu)
    if workload.gpus is not None:
        return math.ceil(workload.gpus / server.gpu_count)
    if workload.fp8_pflops is not None:
        return max(1, math.ceil(workload.fp8_pflops * 1000 / (server.gpu_count * gpu.fp8_tflops) - 1e-9))
    return max(1, math.ceil(workload.bf16_pflops * 1000 / (server.gpu_count * gpu.bf16_tflops) - 1e-9))


def check_infeasible(error: rackplan.InfeasibleError, scenario, catalog) -> str:  # type: ignore[no-untyped-def]
    """Confirm the stated limit really cannot be met; returns how it was confirmed.

    Only a proven infeasibility is confirmed. A planner that gives up (``SearchLimitError``,
    ``diagnosis.proven`` false) on a small generated scenario is a defect, and so is one whose
    claim only a time-limited MILP fails to refute. (``getattr``: works before and after the
    library has ``SearchLimitError`` and ``Diagnosis.proven``.)
    """
    d = error.diagnosis
    assert d.reasons and all(r.strip() for r in d.reasons)
    search_limit = getattr(rackplan, "SearchLimitError", None)
    if (search_limit is not None and isinstance(error, search_limit)) or getattr(d, "proven", True) is False:
        pytest.fail(f"the planner gave up without a plan or a proof ({type(error).__name__}, "
                    f"diagnosis.proven={getattr(d, 'proven', None)}): {d.reasons}; a small "
                    f"generated scenario must be planned or proven infeasible")
    qualifying = {w.name: [s for s in catalog.servers if qualifies(w, s, scenario, catalog)]
                  for w in scenario.workloads}
    if "no_model_qualifies" in d.details:
        for name in d.details["no_model_qualifies"]:
            assert qualifying[name] == [], f"{name}: {qualifying[name][0].id} qualifies"
        return "no model"
    assert all(qualifying.values()), "every workload has a model, yet the reason is not stated"
    least_kw = sum(min(scenario.site.power_allocation * s.power_max_w / 1000 * servers_for(w, s, catalog)
                       for s in qualifying[w.name]) for w in scenario.workloads)
    if "it_power_short_kw" in d.details:
        assert least_kw > scenario.site.it_power_kw * (1 + 1e-9)
        assert d.details["it_power_needed_kw"] == pytest.approx(least_kw, rel=1e-6)
        return "power"
    exact = solve_exact(scenario, catalog, objective="capex", time_limit_s=120)
    assert exact.status == "infeasible", (
        f"HiGHS finds a plan costing {exact.value}; the planner says {d.reasons}"
        if exact.value < math.inf else
        f"HiGHS did not prove infeasibility within its time limit (status {exact.status!r}), "
        f"so the planner's claim is unconfirmed: {d.reasons}")
    return "milp"


@pytest.fixture(scope="module")
def base() -> rackplan.Catalog:
    return rackplan.load_catalog()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          database=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_every_plan_holds_and_every_infeasible_is_confirmed(base, seed):
    scenario, catalog = varied_scenario(seed, base)
    try:
        plan = rackplan.plan(scenario, catalog)
    except rackplan.InfeasibleError as exc:
        check_infeasible(exc, scenario, catalog)
        return
    check_plan(plan, scenario, catalog)


def test_the_generator_covers_the_contract(base):
    """The generated scenarios reach every objective, demand kind and outcome."""
    seen: set[str] = set()
    for seed in range(300):
        scenario, catalog = varied_scenario(seed, base)
        seen.add(scenario.objective)
        for w in scenario.workloads:
            seen.update(k for k in ("gpus", "fp8_pflops", "bf16_pflops", "min_gpu_memory_gb",
                                    "min_scale_up_gpus") if getattr(w, k) is not None)
            seen.add(w.placement)
        seen.add("budget" if scenario.budget_usd is not None else "no budget")
        seen.add(scenario.site.power_redundancy)
    assert seen >= {"capex", "tco", "time", "gpus", "fp8_pflops", "bf16_pflops", "min_gpu_memory_gb",
                    "min_scale_up_gpus", "shared", "dedicated", "budget", "no budget", "N", "2N"}


_REPLAN = """
import sys, rackplan
from tests.scenario_gen import varied_scenario
base = rackplan.load_catalog()
for seed in map(int, sys.argv[1:]):
    scenario, catalog = varied_scenario(seed, base)
    try:
        print(rackplan.plan(scenario, catalog).model_dump_json())
    except rackplan.InfeasibleError as exc:
        print(str(exc))
"""


def test_same_input_same_plan_in_a_new_process(base):
    seeds = list(range(40))
    here = []
    for seed in seeds:
        scenario, catalog = varied_scenario(seed, base)
        try:
            here.append(rackplan.plan(scenario, catalog).model_dump_json())
        except rackplan.InfeasibleError as exc:
            here.append(str(exc))
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", _REPLAN, *map(str, seeds)], cwd=root,
                          capture_output=True, text=True, timeout=600, check=True)
    there = done.stdout.splitlines()
    assert len(there) == len(seeds)
    for seed, a, b in zip(seeds, here, there, strict=True):
        assert a == b, f"seed {seed} differs between processes"
    assert sum(1 for line in here if line.startswith("{")) >= 20
    json.loads(next(line for line in here if line.startswith("{")))
