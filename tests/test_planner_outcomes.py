"""The planner's three outcomes: a plan, a proven InfeasibleError, or a SearchLimitError.

The regression case is ``../shared/cases/false-infeasible`` (found by an outside
check): four workloads, one dedicated, 20 + 7 positions of two rack types. The
planner once refused it ("air positions (r1): need 8, have 7"); HiGHS's pattern
MILP proves the optimum, 27 racks costing $20,463,545 in all.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

import rackplan
from rackplan.models import Scenario

from .plan_check import check_plan

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
FALSE_INFEASIBLE = CASES / "false-infeasible" / "scenario.yaml"
# the module, not the function of the same name that rackplan.planning re-exports
planning_search = importlib.import_module("rackplan.planning.search")
OPTIMUM_USD = 20_463_545  # HiGHS, pattern MILP, proven optimal (rounded to the dollar)


@pytest.fixture(scope="module")
def false_infeasible():
    if not FALSE_INFEASIBLE.exists():
        pytest.skip(f"{FALSE_INFEASIBLE} is not beside the repository")
    scenario = rackplan.load_scenario(FALSE_INFEASIBLE)
    return scenario, rackplan.load_catalog(*scenario.catalog_paths())


def test_the_false_infeasible_case_gets_its_optimal_plan(false_infeasible):
    scenario, catalog = false_infeasible
    plan = rackplan.plan(scenario, catalog)
    check_plan(plan, scenario, catalog)
    assert plan.totals.capex_usd <= OPTIMUM_USD * 1.001
    assert plan.totals.capex_usd >= OPTIMUM_USD - 1  # nothing below a proven optimum
    assert plan.totals.racks == 27
    assert plan.bounds.objective_lower_bound <= OPTIMUM_USD + 0.5


def test_the_cli_plans_it_too(false_infeasible, run):
    result = run("plan", str(FALSE_INFEASIBLE), "--format", "json")
    assert result.exit_code == 0, result.stderr
    capex = json.loads(result.stdout)["totals"]["capex_usd"]
    assert OPTIMUM_USD - 1 <= capex <= OPTIMUM_USD * 1.001


def tight(positions: int) -> Scenario:
    return Scenario.model_validate({
        "name": "tight", "start": "2027-01-04", "objective": "capex",
        "site": {"it_power_kw": 100_000, "rack_positions": [{"rack": "air-48u-40kw", "count": positions}]},
        "workloads": [{"name": "w", "gpus": 64, "allowed": ["dell-xe9680-h200"]}]})


def test_a_proven_infeasible_scenario_says_so(bundled):
    # 8 servers of 11 kW into 40 kW racks (3 per rack): 3 racks needed, 2 positions
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(tight(2), bundled)
    assert not isinstance(info.value, rackplan.SearchLimitError)
    assert info.value.diagnosis.proven is True
    assert str(info.value).startswith("infeasible: ")
    assert "positions" in str(info.value)


def test_out_of_work_the_planner_says_search_limit_not_infeasible(false_infeasible, monkeypatch):
    """With no work the packer can neither fit the 27 tight racks nor prove they do not fit:
    the planner must say it stopped at its limit (proven false), never "infeasible"."""
    scenario, catalog = false_infeasible
    monkeypatch.setattr(planning_search, "LEAF_WORK", 0)
    monkeypatch.setattr(planning_search, "NODE_LIMIT", 0)
    with pytest.raises(rackplan.SearchLimitError) as info:
        rackplan.plan(scenario, catalog)
    assert isinstance(info.value, rackplan.InfeasibleError)  # scripts catching the base still work
    assert info.value.diagnosis.proven is False
    assert info.value.diagnosis.details["search_limit_reached"] is True
    assert str(info.value).startswith("no plan found (search limit")


def test_the_cli_tells_search_limit_from_infeasible(false_infeasible, monkeypatch, run):
    monkeypatch.setattr(planning_search, "LEAF_WORK", 0)
    monkeypatch.setattr(planning_search, "NODE_LIMIT", 0)
    result = run("plan", str(FALSE_INFEASIBLE), "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no plan found (search limit")
    diagnosis = json.loads(result.stdout)
    assert diagnosis["proven"] is False and diagnosis["search_limit"] is True


def test_a_dedicated_workload_may_mix_rack_types_within_the_budget():
    """5 servers of 10 kW, dedicated: one 30 kW rack ($30,000) and one 20 kW rack ($21,000) is
    the cheapest, cheaper than whole racks of either type alone. A bound that assumed one type
    once pruned it and called a $55,500 budget infeasible."""
    gpu = dict(id="g1", vendor="x", name="g", memory_gb=80.0, tdp_w=700.0, bf16_tflops=1000.0,
               fp8_tflops=2000.0, sources=["estimate: test fixture"])
    server = dict(id="s1", vendor="x", model="m", gpu="g1", gpu_count=1, scale_up_gpus=1, u_height=1,
                  power_idle_w=100.0, power_max_w=10000.0, cooling="air", liquid_fraction=0.0,
                  weight_kg=10.0, price_usd=100.0, lead_time_weeks=1.0, origin="US",
                  sources=["estimate: test fixture"])
    rack = dict(u_height=42, feeds=1, air_cooling_kw=100.0, liquid_cooling_kw=0.0, max_load_kg=1000.0,
                sources=["estimate: test fixture"])
    catalog = rackplan.Catalog(gpus=[gpu], servers=[server],
                               racks=[dict(rack, id="ra", power_kw=30.0, price_usd=30000.0),
                                      dict(rack, id="rb", power_kw=20.0, price_usd=21000.0)])
    for placement in ("shared", "dedicated"):
        scenario = Scenario.model_validate({
            "name": "mix", "start": "2027-01-04", "objective": "capex", "budget_usd": 55_500,
            "site": {"it_power_kw": 1000, "power_redundancy": "N",
                     "rack_positions": [{"rack": "ra", "count": 10}, {"rack": "rb", "count": 10}]},
            "workloads": [{"name": "w", "gpus": 5, "placement": placement}]})
        plan = rackplan.plan(scenario, catalog)
        assert plan.totals.capex_usd == pytest.approx(51_500), placement
        assert plan.bounds.objective_lower_bound <= 51_500
