"""Supply rules, phases, need-by dates, fiscal budgets and cash flow (docs/formats.md, "Supply,
phases and cash flow"): random scenarios checked by tests/plan_check.py, and cases worked by hand.

Days count from ``start``; a lead time of ``w`` weeks is ``ceil(7 * w)`` days. The cases worked
by hand plan on the bundled catalog with the figures they were worked out for pinned (the
``bundled`` fixture below, so that a catalog update leaves them alone): ``dell-xe9680-h200``
(8 GPUs, $330k, 11 kW, 12 weeks = 84 days, made in MX) goes three to an ``air-48u-40kw`` rack;
``nvidia-dgx-h100`` takes 20 weeks; at the default 20 racks a week a rack takes 0.35 days to
install and burn-in is 2 weeks (14 days).
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import rackplan
from rackplan.models import Catalog, Scenario
from rackplan.models.result import Placement

from .conftest import examples
from .plan_check import check_plan
from .scenario_gen import random_scenario

START = dt.date(2027, 1, 4)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
H200 = "dell-xe9680-h200"
SUPERMICRO = "supermicro-sys-821ge-tnhr-h200"  # 8 H200 GPUs, $300k, 11 kW, 16 weeks, US


PINNED = {"servers": [
    {"id": H200, "price_usd": 330_000.0, "power_max_w": 11_000.0, "lead_time_weeks": 12.0},
    {"id": SUPERMICRO, "price_usd": 300_000.0, "power_max_w": 11_000.0, "lead_time_weeks": 16.0},
    {"id": "nvidia-dgx-h100", "lead_time_weeks": 20.0}]}
"""The figures the cases worked by hand assume, whatever the bundled catalog says today."""


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The bundled catalog with :data:`PINNED` over it."""
    import yaml

    path = tmp_path_factory.mktemp("supply") / "pinned.yaml"
    path.write_text(yaml.safe_dump(PINNED))
    return rackplan.load_catalog(path)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def scenario(workloads: list[dict[str, Any]], **extra: Any) -> Scenario:
    site = {"it_power_kw": 100_000.0, "rack_positions": [{"rack": "air-48u-40kw", "count": 500}],
            **extra.pop("site", {})}
    return Scenario.model_validate({"name": "supply", "start": START, "site": site,
                                    "workloads": workloads, **extra})


def planned(s: Scenario, catalog: Catalog) -> rackplan.Plan:
    plan = rackplan.plan(s, catalog)
    check_plan(plan, s, catalog)
    return plan


def deliveries(plan: rackplan.Plan, k: int = 0) -> list[tuple[int, int]]:
    return [((d.date - START).days, d.units) for d in plan.selections[k].deliveries]


# --------------------------------------------------------------------------- random scenarios

VENDORS = ("Dell", "NVIDIA", "HPE", "Lenovo", "Supermicro")
COMMON = (H200, SUPERMICRO, "dell-xe9680-h100", "nvidia-dgx-h100")
"""Air servers of 8 GPUs: drawn often, so workloads share models and rules."""


def chance(percent: int) -> st.SearchStrategy[bool]:
    """True about ``percent`` % of the time (False is the simpler value, for shrinking)."""
    return st.integers(0, 99).map(lambda x: x >= 100 - percent)


@st.composite
def supply_scenarios(draw: st.DrawFn, catalog: Catalog) -> Scenario:
    """1-3 workloads of 8-2,000 GPUs (some in phases with their own order dates, some with
    need-by dates), 0-3 supply rules by vendor, GPU id or server id (mostly of the models the
    workloads allow), a random fiscal year, discount rate, install rate and burn-in; sometimes a
    small network or fiscal budgets."""
    servers = [s.id for s in catalog.servers]
    date = st.integers(-60, 400).map(day)
    workloads = []
    for k in range(draw(st.integers(1, 3))):
        pool = COMMON if draw(chance(60)) else tuple(servers)
        allowed = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        w: dict[str, Any] = {"name": f"w{k}", "allowed": allowed,
                             "utilization": draw(st.sampled_from([0.5, 0.85]))}
        if draw(chance(60)):
            w["phases"] = [
                {"gpus": draw(st.integers(8, 700)),
                 **({"order_date": draw(date)} if draw(chance(50)) else {}),
                 **({"need_by": draw(st.integers(150, 1800).map(day))} if draw(chance(15)) else {})}
                for _ in range(draw(st.integers(1, 3)))]
        else:
            w["gpus"] = draw(st.integers(8, 2000))
        if draw(chance(25)):
            w["order_date"] = draw(date)
        if draw(chance(10)):
            w["need_by"] = draw(st.integers(200, 1800).map(day))
        if draw(chance(20)):
            w["placement"] = "dedicated"
        workloads.append(w)
    # rules mostly for the models allowed; one rule per match (compared without case), so the
    # most specific rule for a server is unique
    allowed_servers = [catalog.server(a) for w in workloads for a in w["allowed"]]
    near = sorted({x for s in allowed_servers for x in (s.id, s.gpu, s.vendor)})
    anything = list(VENDORS) + sorted({s.gpu for s in catalog.servers}) + servers
    rules: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 3))):
        match = draw(st.sampled_from(near if draw(chance(80)) else anything))
        if any(match.casefold() == r["match"].casefold() for r in rules):
            continue
        rule: dict[str, Any] = {"match": match.upper() if draw(chance(30)) else match}
        if draw(chance(50)):
            rule["lead_time_weeks"] = draw(st.sampled_from([0.0, 4.0, 12.5, 30.0, 52.0]))
        if draw(chance(30)):
            rule["available_from"] = draw(st.integers(-30, 500).map(day))
        if draw(chance(50)):
            rule["queue_units"] = draw(st.integers(0, 3000))
        if draw(chance(60)):
            rule["units_per_week"] = draw(st.sampled_from([1.0, 7.5, 25.0, 100.0, 333.3]))
        rules.append(rule)
    positions = [{"rack": "air-48u-40kw", "count": 400}]
    if draw(chance(50)):
        positions.append({"rack": "dlc-48u-140kw", "count": 60})
    data: dict[str, Any] = {
        "name": "random-supply", "start": START,
        "objective": draw(st.sampled_from(["capex", "tco", "time"])),
        "horizon_years": draw(st.sampled_from([1.0, 3.0, 4.5])),
        "fiscal_year_start_month": draw(st.integers(1, 12)),
        "discount_rate": draw(st.sampled_from([0.0, 0.05, 0.12])),
        "supply": rules,
        "site": {"it_power_kw": 100_000.0, "tariffs": {"TW": 0.1},
                 "install_racks_per_week": draw(st.sampled_from([2.0, 10.0, 40.0])),
                 "burn_in_weeks": draw(st.sampled_from([0.0, 1.5, 2.0])),
                 "rack_positions": positions},
        "workloads": workloads,
    }
    if draw(chance(20)):
        positions.append({"rack": "net-42u-20kw", "count": 40})
        data["network"] = {"rack": "net-42u-20kw", "storage": {"switch": "nvidia-sn5600"},
                           "oob": {"switch": "nvidia-sn2201", "optics": {"cable": "cat6-patch"}}}
        if draw(chance(50)):
            data["network"]["compute"] = {"switch": "nvidia-qm9700"}
        if draw(chance(50)):
            data["network"]["appliances"] = [{"appliance": "ddn-ai400x2", "count": 2}]
    if draw(chance(20)):
        first = START.year + (1 if data["fiscal_year_start_month"] > 1 else 0)
        data["budget_by_fiscal_year"] = {first: draw(st.sampled_from([2e7, 1e8, 3e8])),
                                         first + 1: 5e8}
    return Scenario.model_validate(data)


def without_need_by(s: Scenario, workload: str, server: str) -> Scenario:
    """``s`` with no need-by dates and ``workload`` allowed only ``server``."""
    data = s.model_dump(mode="json", exclude_none=True)
    for w in data["workloads"]:
        w.pop("need_by", None)
        for p in w.get("phases") or []:
            p.pop("need_by", None)
        if w["name"] == workload:
            w["allowed"] = [server]
    return Scenario.model_validate(data)


@pytest.mark.parametrize("n", [pytest.param(12, id="quick"),
                               pytest.param(40, id="full", marks=pytest.mark.slow)])
def test_random_supply_scenarios_pass_the_independent_check(bundled: Catalog, n: int) -> None:
    """Every plan obtained passes check_plan. A SearchLimitError (need-by dates or fiscal
    budgets the search could not meet) or a proven InfeasibleError is allowed but counted; a
    proof that a phase cannot be online before some day, for a model, is tested by planning
    that model without the need-by dates: its phase must not come online earlier. ``quick``
    (the fast tier) draws 12 scenarios, ``full`` 40 (a few seconds: networks and budgets)."""
    outcomes: Counter[str] = Counter()

    @settings(max_examples=examples(n), suppress_health_check=[HealthCheck.too_slow])
    @given(supply_scenarios(bundled))
    def check(s: Scenario) -> None:
        try:
            plan = rackplan.plan(s, bundled)
        except rackplan.SearchLimitError:
            outcome = "search limit"
        except rackplan.InfeasibleError as exc:
            assert exc.diagnosis.proven
            outcome = "infeasible"
            for late in exc.diagnosis.details.get("late", []):
                outcome = "late (proven)"
                relaxed = without_need_by(s, late["workload"], late["server"])
                try:
                    other = rackplan.plan(relaxed, bundled)
                except rackplan.InfeasibleError:
                    continue
                check_plan(other, relaxed, bundled)
                w = next(w for w in other.schedule.workloads if w.workload == late["workload"])
                online = w.phases[late["phase"] - 1].online_date
                assert online >= dt.date.fromisoformat(late["earliest"]), (late, online)
        else:
            check_plan(plan, s, bundled)
            outcome = "plan"
        outcomes[outcome] += 1
        event(outcome)

    check()
    assert outcomes["plan"] >= max(1, sum(outcomes.values()) // 3), outcomes


# --------------------------------------------------------------------------- shipping


def test_a_queue_ships_weekly_after_the_units_ahead(bundled: Catalog) -> None:
    # 100 units queued ahead at 50 a week: this order's first unit ships two weeks after the
    # base day (84), the next 50 a week later, the last 20 a week after that
    s = scenario([{"name": "w", "gpus": 120 * 8, "allowed": [H200]}],
                 supply=[{"match": H200, "queue_units": 100, "units_per_week": 50}])
    plan = planned(s, bundled)
    assert deliveries(plan) == [(84 + 14, 50), (84 + 21, 50), (84 + 28, 20)]
    assert plan.selections[0].arrival_date == day(84 + 28)
    assert plan.selections[0].order_date == START
    # racks take the units earliest first: the first rack arrives with the first delivery
    assert plan.racks[0].arrival_date == day(98) and plan.racks[-1].arrival_date == day(112)


def test_a_rules_units_are_numbered_across_workloads_in_workload_order(bundled: Catalog) -> None:
    # one vendor rule for two models: w0's 60 units are i = 0..59, w1's 60 are i = 60..119;
    # at 50 a week with nothing queued: weeks 0 (50), 1 (10 + 40), 2 (20)
    s = scenario([{"name": "w0", "gpus": 480, "allowed": [H200]},
                  {"name": "w1", "gpus": 480, "allowed": ["dell-xe9680-h100"]}],
                 supply=[{"match": "dell", "lead_time_weeks": 2.0, "units_per_week": 50}])
    plan = planned(s, bundled)
    assert deliveries(plan, 0) == [(14, 50), (21, 10)]
    assert deliveries(plan, 1) == [(21, 40), (28, 20)]


def test_available_from_holds_back_the_base_day(bundled: Catalog) -> None:
    # base = max(order + lead, available_from); the phase ordered later ships later still
    s = scenario([{"name": "w", "allowed": [H200], "phases": [
        {"gpus": 24}, {"gpus": 24, "order_date": day(300)}]}],
        supply=[{"match": "h200-sxm", "available_from": day(200)}])
    plan = planned(s, bundled)
    assert deliveries(plan) == [(200, 3), (384, 3)]
    phases = plan.schedule.workloads[0].phases
    assert [p.order_date for p in phases] == [START, day(300)]
    assert [p.servers for p in phases] == [3, 3]


def test_the_most_specific_rule_wins(bundled: Catalog) -> None:
    rules = [{"match": "DELL", "lead_time_weeks": 40.0},          # vendor
             {"match": "h200-sxm", "lead_time_weeks": 5.0},       # GPU id
             {"match": H200, "lead_time_weeks": 1.0}]             # server id
    workloads = [{"name": "by-id", "gpus": 16, "allowed": [H200]},
                 {"name": "by-gpu", "gpus": 16, "allowed": ["hpe-cray-xd670-h200"]},
                 {"name": "by-vendor", "gpus": 16, "allowed": ["dell-xe9680-h100"]},
                 {"name": "no-rule", "gpus": 16, "allowed": ["nvidia-dgx-h100"]}]
    for order in (rules, rules[::-1]):  # the order of the rules does not matter
        plan = planned(scenario(workloads, supply=order), bundled)
        assert [deliveries(plan, k) for k in range(4)] == [[(7, 2)], [(35, 2)], [(280, 2)],
                                                          [(140, 2)]]  # DGX: catalog 20 weeks


# --------------------------------------------------------------------------- need-by dates

LATE = {"name": "late", "start": START.isoformat(),
        "supply": [{"match": H200, "queue_units": 5200, "units_per_week": 100}],
        "site": {"it_power_kw": 10_000.0, "rack_positions": [{"rack": "air-48u-40kw", "count": 100}]},
        "workloads": [{"name": "w", "gpus": 800, "allowed": [H200], "need_by": "2027-09-01"}]}


def test_a_need_by_no_model_can_meet_is_proven_infeasible(bundled: Catalog) -> None:
    # 100 units behind 5,200 at 100 a week all ship on 84 + 7 * 52 = 448; 34 racks at 0.35 days
    # each: installed by ceil(448 + 11.9) = 460, online 474 after 14 days of burn-in; the need-by
    # (2027-09-01) is day 240
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(Scenario.model_validate(LATE), bundled)
    assert not isinstance(info.value, rackplan.SearchLimitError)
    diagnosis = info.value.diagnosis
    assert diagnosis.proven
    late = diagnosis.details["late"][0]
    assert late["days_late"] > 0
    assert (late["workload"], late["phase"], late["server"]) == ("w", 1, H200)
    assert late["earliest"] == day(474).isoformat() and late["days_late"] == 474 - 240
    assert f"supply rule {H200!r}" in late["binds"]
    assert "days late" in str(info.value)


def test_a_need_by_no_model_can_meet_exits_1_from_the_cli(write_yaml: Callable[[str, Any], Path]
                                                          ) -> None:
    write_yaml("pinned.yaml", PINNED)
    path = write_yaml("late.yaml", {**LATE, "catalogs": ["pinned.yaml"]})
    script = Path(sys.executable).with_name("rackplan")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "rackplan"]
    done = subprocess.run([*command, "plan", str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("error: infeasible:") and "234 days late" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_cheaper_model_behind_a_queue_loses_only_when_a_need_by_demands_it(bundled: Catalog) -> None:
    # Supermicro ($300k) sits behind 40 weeks of queue: 400 units at 10 a week, so its 10 units
    # ship on 112 + 280 = 392; the Dell ($330k, same GPUs and power) ships on day 84.
    workload = {"name": "w", "gpus": 80, "allowed": [SUPERMICRO, H200]}
    supply = [{"match": SUPERMICRO, "queue_units": 400, "units_per_week": 10}]
    free = planned(scenario([workload], supply=supply), bundled)
    assert free.selections[0].server == SUPERMICRO
    assert deliveries(free) == [(392, 10)]
    rushed = planned(scenario([{**workload, "need_by": day(210)}], supply=supply), bundled)
    assert rushed.selections[0].server == H200
    assert deliveries(rushed) == [(84, 10)]
    assert rushed.schedule.workloads[0].phases[0].online_date <= day(210)
    assert rushed.totals.capex_usd > free.totals.capex_usd


def test_objective_time_with_one_phase_is_ready_as_without_phases(bundled: Catalog) -> None:
    # 10 DGX B300 (14.5 kW): two to a 40 kW rack ($35k), or one to a 15 kW rack ($15k); the
    # fastest build is 5 large racks, the cheapest 10 small ones. One phase of all 80 GPUs is
    # the same demand as ``gpus: 80``.
    site = {"install_racks_per_week": 40.0,
            "rack_positions": [{"rack": "air-48u-40kw", "count": 10},
                               {"rack": "air-42u-15kw", "count": 10}]}
    workload = {"name": "w", "allowed": ["nvidia-dgx-b300"]}
    flat = planned(scenario([{**workload, "gpus": 80}], objective="time", site=site), bundled)
    assert flat.totals.racks == 5
    phased = planned(scenario([{**workload, "phases": [{"gpus": 80}]}], objective="time",
                              site=site), bundled)
    assert phased.schedule.ready_date == flat.schedule.ready_date


# --------------------------------------------------------------------------- fiscal budgets

def _two_phases(**extra: Any) -> Scenario:
    # two phases of 10 servers, both ordered at start: everything ships on day 84 (2027-03-29),
    # $3.3M of servers and 4 racks ($140k) a phase, in calendar fiscal years
    return scenario([{"name": "w", "allowed": [H200], "phases": [{"gpus": 80}, {"gpus": 80}],
                      **extra}], objective="capex", budget_by_fiscal_year={2027: 4e6})


def test_a_fiscal_budget_orders_a_phase_later(bundled: Catalog) -> None:
    plan = planned(_two_phases(), bundled)  # check_plan: the budget holds, the move is reported
    warnings = [w for w in plan.warnings if w.startswith("to fit budget_by_fiscal_year")]
    # ... just far enough for its units to ship on the first day of FY2028: 278 days later
    assert len(warnings) == 1 and "phase 2 ordered 278 days later" in warnings[0]
    phases = plan.schedule.workloads[0].phases
    assert phases[0].order_date == START
    assert phases[1].order_date == dt.date(2028, 1, 1) - dt.timedelta(days=84)
    assert deliveries(plan) == [(84, 10), ((dt.date(2028, 1, 1) - START).days, 10)]
    capex = {c.period[:6]: 0.0 for c in plan.cash_flow}
    for c in plan.cash_flow:
        capex[c.period[:6]] += c.capex_usd
    assert 0 < capex["FY2027"] <= 4e6 and capex["FY2028"] > 0


def test_a_fiscal_budget_that_cannot_be_met_names_the_year_and_the_amount_over(bundled: Catalog) -> None:
    # a need-by in FY2027 keeps both phases there: all the capex falls in FY2027
    unbudgeted = _two_phases(need_by=dt.date(2027, 6, 30)).model_copy(
        update={"budget_by_fiscal_year": {}})
    capex = rackplan.plan(unbudgeted, bundled).totals.capex_usd
    with pytest.raises(rackplan.SearchLimitError) as info:
        rackplan.plan(_two_phases(need_by=dt.date(2027, 6, 30)), bundled)
    message = str(info.value)
    assert "FY2027" in message and f"over by ${capex - 4e6:,.0f}" in message
    assert not info.value.diagnosis.proven
    over = info.value.diagnosis.details["fiscal_over"][0]
    assert over["fiscal_year"] == 2027 and over["over_usd"] == pytest.approx(capex - 4e6, abs=0.01)


def test_a_fiscal_budget_holds_to_the_cent(bundled: Catalog) -> None:
    # 300 servers ($99M) and 100 racks ($3.5M), all paid in FY2027; a budget 5 cents short of
    # that must move phase 2 out of the year (check_plan: at most 1 cent a quarter over)
    s = scenario([{"name": "w", "allowed": [H200], "phases": [{"gpus": 1200}, {"gpus": 1200}]}],
                 objective="capex")
    free = planned(s, bundled)
    used = sum(c.capex_usd for c in free.cash_flow if c.period.startswith("FY2027-"))
    assert used == free.totals.capex_usd
    capped = s.model_copy(update={"budget_by_fiscal_year": {2027: used - 0.05}})
    planned(capped, bundled)


# --------------------------------------------------------------------------- the example

def test_the_supply_phased_example(bundled: Catalog) -> None:
    s = rackplan.load_scenario(EXAMPLES / "supply-phased.yaml")
    plan = rackplan.plan(s, bundled)
    check_plan(plan, s, bundled)
    online = plan.schedule.workloads[0]
    assert len(online.phases) == 2
    for p in online.phases:
        assert p.need_by is not None and p.online_date <= p.need_by
    # 5,200 units queued at 100 a week: phase 1 (1,250 units, ordered 2026-12-01) ships weekly
    # from 84 + 7 * 52 days after the order; phase 2 is ordered later to fit FY2028's budget
    first = s.start + dt.timedelta(days=84 + 7 * 52)
    assert online.phases[0].order_date == s.start
    moved = online.phases[1].order_date
    assert moved > s.start
    assert any(w.startswith("to fit budget_by_fiscal_year") and "phase 2" in w for w in plan.warnings)
    got = [(d.date, d.units) for d in plan.selections[0].deliveries]
    phase1 = [(first + dt.timedelta(weeks=k), 100) for k in range(12)] + \
        [(first + dt.timedelta(weeks=12), 50)]
    assert got[:13] == phase1
    # phase 2's units are i = 1,250..2,499: weeks 64.5 to 77 of the queue from its own base day
    second = moved + dt.timedelta(days=84 + 7 * 64)
    assert got[13:] == [(second, 50)] + [(second + dt.timedelta(weeks=k), 100) for k in range(1, 13)]
    # ... just late enough that its first units ship on the first day of FY2029 (July 2028)
    assert second == dt.date(2028, 7, 1)
    years = {c.period.split("-")[0] for c in plan.cash_flow if c.capex_usd > 0}
    assert years == {"FY2028", "FY2029"}
    assert plan.cash_flow[0].period == "FY2028-Q3"  # Jan-Mar 2028: the first deliveries


def _shift(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def _move_capex(d: dict[str, Any]) -> None:
    """$100 of capex from the first quarter to the second, the running total kept consistent."""
    first, second = d["cash_flow"][0], d["cash_flow"][1]
    first["capex_usd"] -= 100.0
    first["cumulative_usd"] -= 100.0
    second["capex_usd"] += 100.0


def _relabel_phase(d: dict[str, Any]) -> None:
    d["racks"][0]["placements"][0]["phase"] = 2


def _drop_budget_warning(d: dict[str, Any]) -> None:
    d["warnings"] = [w for w in d["warnings"] if not w.startswith("to fit budget")]


CORRUPTIONS = {
    "a delivery a day late": lambda d: d["selections"][0]["deliveries"][0].update(
        date=_shift(d["selections"][0]["deliveries"][0]["date"], 1)),
    "units moved between deliveries": lambda d: (
        d["selections"][0]["deliveries"][0].update(units=99),
        d["selections"][0]["deliveries"][1].update(units=101)),
    "arrival_date": lambda d: d["selections"][0].update(
        arrival_date=_shift(d["selections"][0]["arrival_date"], 1)),
    "selection order_date": lambda d: d["selections"][0].update(
        order_date=_shift(d["selections"][0]["order_date"], 1)),
    "a rack's arrival": lambda d: d["racks"][0].update(
        arrival_date=_shift(d["racks"][0]["arrival_date"], 1)),
    "a rack's install day": lambda d: d["racks"][5].update(
        installed_date=_shift(d["racks"][5]["installed_date"], 1)),
    "a phase label": _relabel_phase,
    "a phase online a day early": lambda d: d["schedule"]["workloads"][0]["phases"][0].update(
        online_date=_shift(d["schedule"]["workloads"][0]["phases"][0]["online_date"], -1)),
    "a moved order date without the warning": _drop_budget_warning,
    "capex in the wrong quarter": _move_capex,
    "a quarter left out": lambda d: d["cash_flow"].pop(),
    "npv a dollar off": lambda d: d["totals"].update(npv_usd=d["totals"]["npv_usd"] + 1.0),
}


@pytest.fixture(scope="module")
def phased_example(bundled: Catalog) -> tuple[Scenario, rackplan.Plan]:
    s = rackplan.load_scenario(EXAMPLES / "supply-phased.yaml")
    return s, rackplan.plan(s, bundled)


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_the_check_catches_a_corrupted_plan(phased_example: tuple[Scenario, rackplan.Plan],
                                            bundled: Catalog, corruption: str) -> None:
    """check_plan is not vacuous: each new rule rejects a plan broken in just that respect."""
    s, plan = phased_example
    data = plan.model_dump(mode="json")
    CORRUPTIONS[corruption](data)
    with pytest.raises(AssertionError):
        check_plan(rackplan.Plan.model_validate(data), s, bundled)


def test_the_check_holds_the_fiscal_budget(phased_example: tuple[Scenario, rackplan.Plan],
                                           bundled: Catalog) -> None:
    s, plan = phased_example
    check_plan(plan, s, bundled)
    fy2028 = sum(c.capex_usd for c in plan.cash_flow if c.period.startswith("FY2028-"))
    tighter = s.model_copy(update={"budget_by_fiscal_year": {2028: fy2028 - 1.0, 2029: 4.6e8}})
    with pytest.raises(AssertionError, match="FY2028"):
        check_plan(plan, tighter, bundled)


# --------------------------------------------------------------------------- without supply keys

@pytest.mark.parametrize("seed", range(4))
def test_without_supply_keys_the_schedule_is_as_before(seed: int) -> None:
    s, catalog = random_scenario(seed, workloads=(1, 3), servers=(1, 12), positions=(4, 12))
    try:
        plan = rackplan.plan(s, catalog)
    except rackplan.InfeasibleError:
        pytest.skip("no plan for this draw")
    check_plan(plan, s, catalog)
    for sel in plan.selections:
        lead = catalog.server(sel.server).lead_time_weeks
        ships = START + dt.timedelta(days=math.ceil(7 * lead - 1e-9))
        assert [(d.date, d.units) for d in sel.deliveries] == [(ships, sel.count)]
        assert sel.arrival_date == ships and sel.order_date == START
    assert all(isinstance(p, Placement) and p.phase is None for r in plan.racks for p in r.placements)
    assert all(len(w.phases) == 1 for w in plan.schedule.workloads)
    assert plan.totals.npv_usd == pytest.approx(plan.totals.tco_usd, abs=0.05)  # undiscounted
    # a rule that only restates the catalog (no lead, queue, rate or date) changes nothing
    vendors = sorted({catalog.server(x.server).vendor for x in plan.selections})
    restated = s.model_copy(update={"supply": [rackplan.models.SupplyRule(match=v) for v in vendors]})
    assert (rackplan.plan(restated, catalog).model_dump_json(exclude={"inputs"})
            == plan.model_dump_json(exclude={"inputs"}))  # the inputs say how it was asked


FAR = "years after the order"


def test_a_ready_date_beyond_three_years_is_warned(bundled: Catalog) -> None:
    slow = bundled.server(H200).model_copy(update={"lead_time_weeks": 170.0})
    catalog = Catalog(gpus=bundled.gpus, servers=[slow], racks=bundled.racks)
    workload = [{"name": "w", "gpus": 24, "allowed": [H200]}]
    by_lead = planned(scenario(workload), catalog)  # no supply keys: catalog lead of 1,190 days
    assert any(FAR in w for w in by_lead.warnings)
    by_queue = planned(scenario(workload, supply=[{"match": H200, "queue_units": 16_000,
                                                   "units_per_week": 100}]), bundled)
    assert deliveries(by_queue) == [(84 + 7 * 160, 3)]
    assert any(FAR in w for w in by_queue.warnings)
    assert not any(FAR in w for w in planned(scenario(workload), bundled).warnings)


@pytest.mark.parametrize(("available", "warned"), [(1080, False), (1081, True)])
def test_the_three_year_warning_is_sharp(bundled: Catalog, available: int, warned: bool) -> None:
    # one rack installed at 0.35 days, 14 days of burn-in: ready on available + 15, warned when
    # that is more than 3 * 365.25 = 1,095.75 days after the order
    s = scenario([{"name": "w", "gpus": 24, "allowed": [H200]}],
                 supply=[{"match": H200, "available_from": day(available)}])
    plan = planned(s, bundled)
    assert plan.schedule.ready_date == day(available + 15)
    assert any(FAR in w for w in plan.warnings) == warned
