"""Planner behaviour: choices, placement rules, schedule, diagnoses, invariants."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rackplan
from rackplan.models import Catalog, Scenario

from .plan_check import check_plan
from .scenario_gen import random_scenario

SRC = ["estimate: test fixture"]


def server(id_, **kw):
    base = dict(id=id_, vendor="T", model=id_, gpu="h200-sxm", gpu_count=8, scale_up_gpus=8,
                u_height=4, power_idle_w=1000, power_max_w=10000, cooling="air",
                liquid_fraction=0.0, weight_kg=50, price_usd=100_000, lead_time_weeks=10,
                origin="US", sources=SRC)
    base.update(kw)
    return base


def rack(id_, **kw):
    base = dict(id=id_, u_height=42, power_kw=15, feeds=2, air_cooling_kw=15, liquid_cooling_kw=0,
                max_load_kg=1000, price_usd=50_000, sources=SRC)
    base.update(kw)
    return base


def make(bundled, servers, racks, positions, workloads, **extra):
    catalog = Catalog.model_validate({"gpus": [g.model_dump() for g in bundled.gpus],
                                      "servers": servers, "racks": racks})
    site = {"it_power_kw": 10_000, "rack_positions": positions, **extra.pop("site", {})}
    scenario = Scenario.model_validate({"name": "t", "start": "2027-01-04", "site": site,
                                        "workloads": workloads, **extra})
    return scenario, catalog


def test_rack_savings_beat_the_cheapest_server(bundled):
    # A is cheaper to buy but draws 10 kW: one per 15 kW rack. B costs $1k more and
    # draws 7 kW: two per rack. 8 servers: A = 800k + 8 racks, B = 808k + 4 racks.
    scenario, catalog = make(bundled, [server("a"), server("b", power_max_w=7000, price_usd=101_000)],
                             [rack("r15")], [{"rack": "r15", "count": 20}],
                             [{"name": "w", "gpus": 64}], objective="capex")
    plan = rackplan.plan(scenario, catalog)
    check_plan(plan, scenario, catalog)
    assert plan.selections[0].server == "b"
    assert plan.totals.racks == 4
    assert plan.totals.capex_usd == 808_000 + 4 * 50_000
    assert plan.bounds.gap == 0


def test_objectives_trade_price_against_lead_time(bundled):
    servers = [server("slow-cheap", lead_time_weeks=30), server("fast-dear", price_usd=150_000,
                                                                lead_time_weeks=8)]
    scenario, catalog = make(bundled, servers, [rack("r15")], [{"rack": "r15", "count": 20}],
                             [{"name": "w", "gpus": 32}])
    by_tco = rackplan.plan(scenario, catalog)
    by_time = rackplan.plan(scenario, catalog, objective="time")
    assert by_tco.selections[0].server == "slow-cheap"
    assert by_time.selections[0].server == "fast-dear"
    assert by_time.objective == "time"
    assert by_time.schedule.ready_date < by_tco.schedule.ready_date
    check_plan(by_time, scenario, catalog)


def test_schedule_by_hand(bundled):
    # 'late' arrives at week 3 (day 21) with 3 racks; 'early' at week 1 (day 7) with 2 racks.
    # One rack per week: early racks end days 14, 21; late ones 28, 35, 42. Burn-in 1 week.
    servers = [server("e", lead_time_weeks=1), server("l", lead_time_weeks=3)]
    scenario, catalog = make(
        bundled, servers, [rack("r15")], [{"rack": "r15", "count": 10}],
        [{"name": "late", "gpus": 24, "allowed": ["l"]}, {"name": "early", "gpus": 16, "allowed": ["e"]}],
        site={"install_racks_per_week": 1, "burn_in_weeks": 1})
    plan = rackplan.plan(scenario, catalog)
    check_plan(plan, scenario, catalog)
    start = dt.date(2027, 1, 4)
    days = [(r.installed_date - start).days for r in plan.racks]
    assert days == [14, 21, 28, 35, 42]
    online = {w.workload: (w.online_date - start).days for w in plan.schedule.workloads}
    assert online == {"early": 28, "late": 49}
    assert plan.schedule.ready_date == start + dt.timedelta(days=49)


def test_dedicated_workload_shares_no_rack_and_rack_scale_stands_alone(bundled):
    scenario = Scenario.model_validate({
        "name": "mix", "start": "2027-01-04",
        "site": {"it_power_kw": 5000, "rack_positions": [{"rack": "dlc-48u-140kw", "count": 10},
                                                        {"rack": "air-48u-40kw", "count": 20}]},
        "workloads": [
            {"name": "nvl", "gpus": 144, "allowed": ["nvidia-gb200-nvl72"]},
            {"name": "secure", "gpus": 40, "allowed": ["dell-xe7745-h200nvl"], "placement": "dedicated"},
            {"name": "dev", "gpus": 24, "allowed": ["dell-xe7745-h200nvl"]},
        ]})
    plan = rackplan.plan(scenario, bundled)
    check_plan(plan, scenario, bundled)
    nvl_racks = [r for r in plan.racks if any(p.workload == "nvl" for p in r.placements)]
    assert len(nvl_racks) == 2 and all(len(r.placements) == 1 for r in nvl_racks)
    for r in plan.racks:
        names = {p.workload for p in r.placements}
        assert "secure" not in names or names == {"secure"}


def test_compute_demand_is_sized_from_dense_flops(bundled):
    scenario = Scenario.model_validate({
        "name": "flops", "start": "2027-01-04",
        "site": {"it_power_kw": 5000, "rack_positions": [{"rack": "air-48u-40kw", "count": 50}]},
        "workloads": [{"name": "w", "fp8_pflops": 100, "allowed": ["dell-xe9680-h200"]}]})
    plan = rackplan.plan(scenario, bundled)
    # 8 x 1,979 TFLOPS = 15.832 PFLOPS per server -> ceil(100 / 15.832) = 7 servers
    assert plan.selections[0].count == 7
    assert plan.selections[0].gpus_requested is None
    check_plan(plan, scenario, bundled)


def test_same_input_same_plan(bundled):
    scenario, catalog = random_scenario(7, servers=(5, 30), positions=(5, 20))
    a = rackplan.plan(scenario, catalog).model_dump_json()
    b = rackplan.plan(scenario, catalog).model_dump_json()
    assert a == b


def test_scenario_catalogs_are_used_by_default(write_yaml):
    write_yaml("prices.yaml", {"servers": [{"id": "dell-xe9680-h200", "price_usd": 1}]})
    path = write_yaml("s.yaml", {
        "name": "p", "start": "2027-01-04", "catalogs": ["prices.yaml"],
        "site": {"it_power_kw": 1000, "rack_positions": [{"rack": "air-48u-40kw", "count": 10}]},
        "workloads": [{"name": "w", "gpus": 16, "allowed": ["h200-sxm"]}]})
    plan = rackplan.plan(rackplan.load_scenario(path))
    assert plan.selections[0].server == "dell-xe9680-h200"
    assert plan.costs.servers_usd == 2


# --------------------------------------------------------------------------- diagnoses


def base_site(**kw):
    site = {"it_power_kw": 1000, "rack_positions": [{"rack": "air-48u-40kw", "count": 10}]}
    site.update(kw)
    return site


def infeasible(bundled, **data) -> rackplan.Diagnosis:
    data = {"name": "x", "start": "2027-01-04", **data}
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(Scenario.model_validate(data), bundled)
    assert str(info.value).startswith("infeasible: ")
    assert "\n" not in str(info.value)
    return info.value.diagnosis


def test_it_power_short_by(bundled):
    d = infeasible(bundled, site=base_site(it_power_kw=100),
                   workloads=[{"name": "w", "gpus": 128, "allowed": ["dell-xe9680-h200"]}])
    # 16 servers x 11 kW = 176 kW against 100 kW
    assert d.details["it_power_short_kw"] == pytest.approx(76.0)
    assert "IT power short by 76.0 kW" in d.reasons[0]


def test_positions_need_and_have(bundled):
    d = infeasible(bundled, site=base_site(rack_positions=[{"rack": "air-48u-40kw", "count": 20},
                                                          {"rack": "dlc-48u-140kw", "count": 1}]),
                   workloads=[{"name": "w", "gpus": 216, "allowed": ["nvidia-gb200-nvl72"]}])
    assert d.details["positions"] == {"dlc-48u-140kw": {"need": 3, "have": 1, "fewest": True}}
    assert "liquid positions (dlc-48u-140kw): need 3, have 1" in d.reasons


def test_budget_short_by(bundled):
    d = infeasible(bundled, site=base_site(), budget_usd=600_000,
                   workloads=[{"name": "w", "gpus": 16, "allowed": ["dell-xe9680-h200"]}])
    # cheapest plan: 2 servers x $330k + one $35k rack = $695k
    assert d.details["cheapest_capex_usd"] == pytest.approx(695_000)
    assert d.details["budget_short_usd"] == pytest.approx(95_000)
    assert d.reasons == ["budget short by $95,000: the cheapest plan costs $695,000, "
                         "the budget is $600,000"]


def test_no_model_qualifies_lists_each_reason(bundled):
    d = infeasible(bundled, site=base_site(),
                   workloads=[{"name": "big", "gpus": 8, "min_gpu_memory_gb": 180,
                               "allowed": ["h200-sxm", "nvidia-gb200-nvl72"]}])
    why = d.details["no_model_qualifies"]["big"]
    assert why["dell-xe9680-h200"].startswith("GPU memory 141 GB is below 180 GB")
    assert why["nvidia-gb200-nvl72"].startswith("fits no rack type at the site")
    assert "workload 'big': no server model qualifies" in d.reasons[0]


# --------------------------------------------------------------------------- invariants


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), workloads=st.integers(1, 5), servers=st.integers(1, 60),
       positions=st.integers(1, 30), allocation=st.sampled_from([1.0, 0.8, 0.6]),
       rate=st.sampled_from([0.5, 3.0, 20.0]))
def test_every_plan_meets_every_limit_and_adds_up(seed, workloads, servers, positions, allocation,
                                                  rate):
    scenario, catalog = random_scenario(seed, workloads=(1, workloads), servers=(1, servers),
                                        positions=(1, positions))
    site = scenario.site.model_copy(update={"power_allocation": allocation,
                                            "install_racks_per_week": rate})
    scenario = scenario.model_copy(update={"site": site})
    try:
        plan = rackplan.plan(scenario, catalog)
    except rackplan.InfeasibleError as exc:
        assert exc.diagnosis.reasons
        return
    check_plan(plan, scenario, catalog)
