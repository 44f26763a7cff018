"""The install schedule is one rule: the plan's dates are the model search's ready day.

``rackplan.planning.schedule`` builds the plan's schedule with the kernels of
``rackplan.kernels.schedule`` (``install_finish``, ``whole_day``), and the model
search ranks plans (objective ``time``) by ``packing_ready_day``. Here the ready
date of real plans is recomputed from their racks twice: through
``packing_ready_day`` (the search's view of the same racks) and through a naive
reference in exact arithmetic written from the rule alone.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import numpy as np
import pytest

import rackplan
from rackplan.kernels.schedule import packing_ready_day
from rackplan.models import Scenario

from .scenario_gen import random_scenario

RATES = (0.5, 2.0, 3.3, 7.0, 20.0)
"""Racks per week: 14, 3.5, 2.12..., 1 and 0.35 days per rack."""
BURN_IN_WEEKS = (0.0, 1.5, 2.0, 4.0)
PLANS = 30
"""Plans checked; scenarios with no plan (a limit binds) are skipped until there are this many."""


def small_scenario(seed: int) -> tuple[Scenario, rackplan.Catalog]:
    """A small random scenario with a random install rate, burn-in and objective."""
    scenario, catalog = random_scenario(seed, workloads=(1, 3), models=(1, 4), servers=(1, 12),
                                        positions=(2, 8))
    rng = np.random.default_rng(7_000_003 + seed)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["objective"] = str(rng.choice(["capex", "tco", "time"]))
    data["site"]["install_racks_per_week"] = float(rng.choice(RATES))
    data["site"]["burn_in_weeks"] = float(rng.choice(BURN_IN_WEEKS))
    return Scenario.model_validate(data), catalog


def naive_install_days(arrivals: list[int], racks_per_week: float) -> list[int]:
    """Whole install day of each rack, in exact arithmetic: racks go in order of arrival through
    one pipeline, so the i-th finishes ``(i - j + 1)`` racks' time after the latest of the
    arrivals ``j <= i`` it has to wait for (the closed form of ``max(arrival, previous) + d``)."""
    per_rack = Fraction(7) / Fraction(str(racks_per_week))
    order = sorted(arrivals)
    return [math.ceil(max(order[j] + (i - j + 1) * per_rack for j in range(i + 1)))
            for i in range(len(order))]


def whole_days(weeks: float) -> int:
    return math.ceil(Fraction(7) * Fraction(str(weeks)))


def racks_of(plan: rackplan.Plan, start: dt.date) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Workload names, their arrival days (W,), and servers per rack and workload (R, W)."""
    names = [s.workload for s in plan.selections]
    lead = np.array([(s.arrival_date - start).days for s in plan.selections], np.float64)
    counts = np.zeros((len(plan.racks), len(names)), np.int64)
    for r, rack in enumerate(plan.racks):
        for p in rack.placements:
            counts[r, names.index(p.workload)] += p.count
    return names, lead, counts


@pytest.fixture(scope="module")
def plans() -> list[tuple[int, Scenario, rackplan.Plan]]:
    out = []
    for seed in range(400):
        scenario, catalog = small_scenario(seed)
        try:
            out.append((seed, scenario, rackplan.plan(scenario, catalog)))
        except rackplan.InfeasibleError:
            continue
        if len(out) == PLANS:
            return out
    raise AssertionError(f"only {len(out)} of the generated scenarios have a plan")


def test_the_generated_plans_vary(plans):
    rates = {scenario.site.install_racks_per_week for _seed, scenario, _plan in plans}
    arrivals = {len({s.arrival_date for s in plan.selections}) for _seed, _scenario, plan in plans}
    assert len(rates) >= 3 and max(arrivals) >= 2  # several paces, and racks that wait for servers
    assert max(len(plan.racks) for *_, plan in plans) >= 5


def test_ready_date_is_the_search_ready_day(plans):
    for seed, scenario, plan in plans:
        start = scenario.start
        _names, lead, counts = racks_of(plan, start)
        R = counts.shape[0]
        ready = packing_ready_day(counts, np.ones(R, np.int64), counts.sum(axis=0), lead,
                                  7.0 / scenario.site.install_racks_per_week,
                                  float(whole_days(scenario.site.burn_in_weeks)))
        assert (plan.schedule.ready_date - start).days == ready, f"seed {seed}"


def test_schedule_matches_the_naive_rule(plans):
    for seed, scenario, plan in plans:
        start = scenario.start
        names, lead, counts = racks_of(plan, start)
        arrivals = [int(max(lead[k] for k in np.flatnonzero(row))) for row in counts]
        installed = naive_install_days(arrivals, scenario.site.install_racks_per_week)
        # rack ids r0001... are in install order
        assert [r.id for r in plan.racks] == sorted(r.id for r in plan.racks)
        assert [(r.installed_date - start).days for r in plan.racks] == installed, f"seed {seed}"
        burn = whole_days(scenario.site.burn_in_weeks)
        online = {name: max(installed[r] for r in np.flatnonzero(counts[:, k])) + burn
                  for k, name in enumerate(names)}
        assert {w.workload: (w.online_date - start).days for w in plan.schedule.workloads} == online
        assert (plan.schedule.ready_date - start).days == max(installed) + burn, f"seed {seed}"


def test_a_schedule_beyond_a_hundred_years_is_refused(bundled):
    scenario = Scenario.model_validate({
        "name": "slow-crew", "start": "2027-01-04", "objective": "tco", "horizon_years": 4,
        "site": {"it_power_kw": 600, "pue": 1.3, "electricity_usd_per_kwh": 0.1,
                 "power_redundancy": "2N", "install_racks_per_week": 0.001,
                 "rack_positions": [{"rack": "air-48u-40kw", "count": 16}]},
        "workloads": [{"name": "training", "gpus": 256, "allowed": ["h200-sxm"]}],
    })
    # one rack takes 19 years, so fewer racks might be ready in time: refused, but not proven
    with pytest.raises(rackplan.SearchLimitError) as info:
        rackplan.plan(scenario, bundled)
    diagnosis = info.value.diagnosis
    assert diagnosis.proven is False
    assert diagnosis.reasons == [
        "schedule: the plan would be ready 211 years after 2027-01-04 (11 racks at 0.001 racks per "
        "week, 2 weeks burn-in); rackplan schedules at most 100 years ahead"]
    assert diagnosis.details == {"ready_years": pytest.approx(211.15947980835045, rel=1e-12),
                                 "max_schedule_years": 100}


def test_a_schedule_no_plan_can_meet_is_proven_infeasible(bundled):
    """One rack per 10^6 weeks: even a single rack would finish after 100 years."""
    scenario = Scenario.model_validate({
        "name": "no-crew", "start": "2027-01-04",
        "site": {"it_power_kw": 600, "install_racks_per_week": 1e-6,
                 "rack_positions": [{"rack": "air-48u-40kw", "count": 16}]},
        "workloads": [{"name": "training", "gpus": 8, "allowed": ["h200-sxm"]}],
    })
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(scenario, bundled)
    assert not isinstance(info.value, rackplan.SearchLimitError)
    assert info.value.diagnosis.proven is True
    assert str(info.value).startswith("infeasible: schedule: the plan would be ready")
