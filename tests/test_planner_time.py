"""Objective ``time`` against an exact reference: a pattern MILP over the ready date, then TCO.

tests/pattern_milp.py (HiGHS) minimises the ready day first (racks install in
arrival order, so finishing by day D limits the racks arriving on or after
each arrival day), then TCO among plans ready that day, over every choice of
models. The planner must match the day exactly and the TCO to within
rounding, and never beat a proven optimum.
"""

from __future__ import annotations

import pytest

import rackplan

from .pattern_milp import solve_reference
from .plan_check import check_plan, plan_or_error
from .scenario_gen import varied_scenario

SEEDS = range(40)


@pytest.fixture(scope="module")
def outcomes(bundled):
    rows = []
    for seed in SEEDS:
        scenario, catalog = varied_scenario(seed, bundled)
        scenario = scenario.model_copy(update={"objective": "time"})
        ref = solve_reference(scenario, catalog, objective="time", time_limit_s=60)
        plan = plan_or_error(scenario, catalog)
        rows.append((seed, scenario, catalog, ref, plan))
    return rows


@pytest.mark.slow
def test_ready_day_and_tco_match_the_reference(outcomes):
    compared = 0
    for seed, scenario, catalog, ref, plan in outcomes:
        if ref.status != "optimal":
            continue
        assert isinstance(plan, rackplan.Plan), f"seed {seed}: planner says {plan}; reference found a plan"
        check_plan(plan, scenario, catalog)
        day = (plan.schedule.ready_date - scenario.start).days
        assert day == ref.ready_day, f"seed {seed}: ready day {day}, reference {ref.ready_day}"
        tco = plan.totals.tco_usd
        assert tco >= ref.value * (1 - 1e-7) - 0.05, f"seed {seed}: TCO {tco} below the optimum {ref.value}"
        assert tco <= ref.value * (1 + 1e-6) + 0.05, f"seed {seed}: TCO {tco}, optimum {ref.value}"
        assert plan.bounds.objective_lower_bound <= ref.value * (1 + 1e-7)
        compared += 1
    assert compared >= 20, f"only {compared} scenarios solved to optimality by the reference"


@pytest.mark.slow
def test_infeasible_agrees_on_time(outcomes):
    for seed, _scenario, _catalog, ref, plan in outcomes:
        if ref.status == "infeasible":
            assert isinstance(plan, rackplan.InfeasibleError), f"seed {seed}: reference proves infeasible"
            assert not isinstance(plan, rackplan.SearchLimitError)
