"""Tight sites against the pattern-MILP reference: never a false "infeasible", near-optimal plans.

Each site has exactly the positions the optimum needs with ample positions (split over
the rack types as the optimum does or at random, plus 0 or 1 per type), so the
optimum uses nearly every position: the case that once made the planner give up and
call it infeasible (../shared/cases/false-infeasible). The benchmark runs 200 such sites
up to 2,000 racks (benchmarks/planner.py --only tight); this test runs 30 up to 300 racks.
"""

from __future__ import annotations

import pytest

import rackplan

from .pattern_milp import solve_reference
from .plan_check import check_plan, plan_or_error
from .scenario_gen import tight_site_scenario

SEEDS = range(30)


@pytest.fixture(scope="module")
def outcomes():
    rows = []
    for seed in SEEDS:
        scenario, catalog, _info = tight_site_scenario(1_000 + seed, max_racks=300)
        ref = solve_reference(scenario, catalog, time_limit_s=60)
        plan = plan_or_error(scenario, catalog)
        rows.append((seed, scenario, catalog, ref, plan))
    return rows


@pytest.mark.slow
def test_no_feasible_tight_site_is_refused_and_plans_are_near_optimal(outcomes):
    ratios = []
    for seed, scenario, catalog, ref, plan in outcomes:
        if ref.status != "optimal":
            continue
        assert isinstance(plan, rackplan.Plan), f"seed {seed}: planner says {plan}; reference has a plan"
        check_plan(plan, scenario, catalog)
        ratio = plan.bounds.objective_value / ref.value
        assert ratio >= 1 - 1e-9, f"seed {seed}: below the proven optimum"
        assert plan.bounds.objective_lower_bound <= ref.value * (1 + 1e-9), f"seed {seed}: bound"
        ratios.append(ratio)
    assert len(ratios) >= 20
    assert max(ratios) <= 1.005
    assert sum(r <= 1.001 for r in ratios) >= 0.99 * len(ratios)


@pytest.mark.slow
def test_infeasible_tight_sites_are_proven(outcomes):
    seen = 0
    for seed, _scenario, _catalog, ref, plan in outcomes:
        if ref.status == "infeasible":
            assert isinstance(plan, rackplan.InfeasibleError), f"seed {seed}: reference proves infeasible"
            assert not isinstance(plan, rackplan.SearchLimitError), f"seed {seed}: not proven"
            assert plan.diagnosis.proven
            seen += 1
    assert seen >= 2
