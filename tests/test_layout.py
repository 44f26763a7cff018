"""Form factors, slots, feeds and feed loss (docs/formats.md, "Physical layout").

Each plan here also passes tests/plan_check.py, which recomputes slots and feeds on its own;
these tests pin the behaviour a facilities engineer relies on with hand-made cases.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import rackplan
from rackplan.models import Scenario

from .exact_milp import solve_exact
from .plan_check import check_plan

CATALOG = rackplan.load_catalog()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def scenario(positions: list[tuple[str, int]], workloads: list[dict], redundancy: str = "2N",
             **site: object) -> Scenario:
    return Scenario.model_validate({
        "name": "layout", "start": "2027-01-04", "objective": "tco",
        "site": {"it_power_kw": 100_000.0, "power_redundancy": redundancy,
                 "rack_positions": [{"rack": r, "count": n} for r, n in positions], **site},
        "workloads": workloads})


def catalog_with(racks: list[dict], servers: list[dict] | None = None) -> rackplan.Catalog:
    """The bundled catalog plus rack types (and servers) given as dicts."""
    data = dict(CATALOG)
    data["racks"] = [*CATALOG.racks, *(rackplan.RackType.model_validate(r) for r in racks)]
    if servers:
        data["servers"] = [*CATALOG.servers, *(rackplan.Server.model_validate(s) for s in servers)]
    return rackplan.Catalog.model_validate(data)


# --------------------------------------------------------------------------- form factor


def test_an_orv3_server_is_refused_by_a_19_inch_site_and_the_reason_says_why():
    s = scenario([("dlc-48u-140kw", 20)], [{"name": "train", "gpus": 576,
                                            "allowed": ["dell-xe8812-rubin"]}])
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(s, CATALOG)
    assert info.value.diagnosis.proven
    assert ("dell-xe8812-rubin: is orv3-21 and the site's racks are eia-19 (dlc-48u-140kw)"
            in str(info.value))


def test_on_a_mixed_site_each_server_goes_only_into_racks_of_its_form_factor():
    # before form factors, the XE8812 (1 OU, 8.3 kW) also fitted the 19-inch DLC racks
    s = scenario([("dlc-48u-140kw", 6), ("orv3-dlc-300kw", 2)],
                 [{"name": "rubin", "gpus": 240, "allowed": ["dell-xe8812-rubin"]},
                  {"name": "b200", "gpus": 64, "allowed": ["dell-xe9680l-b200"]}])
    plan = rackplan.plan(s, CATALOG)
    check_plan(plan, s, CATALOG)
    for r in plan.racks:
        rt = CATALOG.rack(r.rack)
        for p in r.placements:
            assert CATALOG.server(p.server).form_factor == rt.form_factor
    by_type = {r.rack for r in plan.racks for p in r.placements if p.server == "dell-xe8812-rubin"}
    assert by_type == {"orv3-dlc-300kw"}
    # the same optimum as an independent MILP that knows form factors only as a fit rule
    exact = solve_exact(s, CATALOG)
    assert exact.status == "optimal"
    assert math.isclose(plan.bounds.objective_value, exact.value, rel_tol=1e-6)
    assert plan.bounds.gap == 0


def test_when_positions_of_its_form_factor_run_out_the_diagnosis_says_so():
    s = scenario([("dlc-48u-140kw", 20), ("orv3-dlc-300kw", 2)],
                 [{"name": "train", "gpus": 576, "allowed": ["dell-xe8812-rubin"]}])
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(s, CATALOG)
    assert info.value.diagnosis.proven
    assert str(info.value).endswith(
        "liquid orv3-21 positions (orv3-dlc-300kw): need 4, have 2; dell-xe8812-rubin is orv3-21 "
        "and goes only into orv3-21 racks")
    assert solve_exact(s, CATALOG).status == "infeasible"


def test_a_network_rack_of_another_form_factor_is_proven_infeasible():
    base = rackplan.load_scenario(EXAMPLES / "superpod-h100.yaml")
    data = base.model_dump(mode="json", exclude_none=True)
    data["site"]["rack_positions"].append({"rack": "orv3-dlc-300kw", "count": 12})
    data["network"]["rack"] = "orv3-dlc-300kw"
    s = Scenario.model_validate(data)
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(s, CATALOG)
    assert info.value.diagnosis.proven
    assert "is eia-19 and the network rack orv3-dlc-300kw is orv3-21" in str(info.value)


def test_reserved_units_must_leave_room(tmp_path):
    path = tmp_path / "racks.yaml"
    path.write_text("racks:\n  - id: tiny\n    u_height: 4\n    power_kw: 10\n    feeds: 2\n"
                    "    air_cooling_kw: 10\n    liquid_cooling_kw: 0\n    max_load_kg: 500\n"
                    "    price_usd: 1\n    reserved_u_bottom: 2\n    reserved_u_top: 2\n",
                    encoding="utf-8")
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(path)
    text = str(info.value)
    assert str(path) in text and "tiny" in text and "leave no unit" in text


# --------------------------------------------------------------------------- slots

SHORT_RACK = {"id": "short-20u", "u_height": 20, "power_kw": 60, "feeds": 2,
              "air_cooling_kw": 60, "liquid_cooling_kw": 0, "max_load_kg": 2000,
              "price_usd": 1000, "reserved_u_bottom": 3, "reserved_u_top": 2}


def test_slots_start_above_the_reserved_units_and_the_room_left_is_what_the_packer_fills():
    cat = catalog_with([SHORT_RACK])
    server = cat.server("dell-xe7745-h200nvl")  # 4U
    s = scenario([("short-20u", 10)], [{"name": "infer", "gpus": 8 * 7,
                                        "allowed": [server.id]}])
    plan = rackplan.plan(s, cat)
    check_plan(plan, s, cat)
    # 20 - 3 - 2 = 15 usable U: three 4U servers per rack (four would need 16)
    per_rack = min(3, int(60_000 // server.power_max_w), int(2000 // server.weight_kg))
    assert len(plan.racks) == math.ceil(7 / per_rack)
    first = plan.racks[0]
    assert [(sl.u, sl.height, sl.kind) for sl in first.slots] == (
        [(1, 3, "reserved")] + [(4 + 4 * i, 4, "server") for i in range(per_rack)]
        + [(19, 2, "reserved")])


def test_heavier_units_go_below_lighter_ones():
    s = scenario([("air-48u-40kw", 4)],
                 [{"name": "heavy", "gpus": 8, "allowed": ["nvidia-dgx-h100"]},
                  {"name": "light", "gpus": 8, "allowed": ["dell-r760xa-h100pcie"]}])
    plan = rackplan.plan(s, CATALOG)
    check_plan(plan, s, CATALOG)
    shared = [r for r in plan.racks if len(r.placements) == 2]
    assert shared, "the two workloads share a rack"
    servers = [sl for sl in shared[0].slots if sl.kind == "server"]
    assert servers[0].workload == "heavy" and servers[0].u == 1
    assert all(a.u + a.height == b.u for a, b in zip(servers, servers[1:], strict=False))
    assert {sl.workload for sl in servers[1:]} == {"light"}


def test_a_rack_scale_system_fills_its_rack_from_the_bottom():
    s = scenario([("dlc-48u-140kw", 2)], [{"name": "nvl", "gpus": 72,
                                           "allowed": ["nvidia-gb200-nvl72"]}])
    plan = rackplan.plan(s, CATALOG)
    check_plan(plan, s, CATALOG)
    (rack,) = plan.racks
    assert [(sl.u, sl.height, sl.device) for sl in rack.slots] == [(1, 48, "nvidia-gb200-nvl72")]


def test_network_racks_have_device_slots():
    s = rackplan.load_scenario(EXAMPLES / "superpod-h100.yaml")
    plan = rackplan.plan(s, CATALOG)
    check_plan(plan, s, CATALOG)
    net = [r for r in plan.racks if r.role == "network"]
    assert net
    kinds = {sl.kind for r in net for sl in r.slots}
    assert kinds == {"device"}
    assert all(sl.fabric and sl.role and sl.workload is None for r in net for sl in r.slots)
    assert sum(len(r.slots) for r in net) == sum(p.count for r in net for p in r.placements)


# --------------------------------------------------------------------------- feeds


def test_under_2n_each_feed_carries_the_whole_rack_at_the_site_voltage():
    s = scenario([("air-42u-30kw", 4)], [{"name": "w", "gpus": 16, "allowed": ["nvidia-dgx-h100"]}],
                 voltage_v=480, power_factor=0.9)
    plan = rackplan.plan(s, CATALOG)
    check_plan(plan, s, CATALOG)
    assert plan.feed_loss is None
    rack = plan.racks[0]
    assert rack.power_kw == pytest.approx(10.2 * len(rack.slots))
    for feed in rack.feeds:
        assert feed.kw == pytest.approx(rack.power_kw)
        assert feed.normal_kw == pytest.approx(rack.power_kw / 2)
        assert feed.amps == pytest.approx(rack.power_kw * 1000 / (math.sqrt(3) * 480 * 0.9), abs=1e-5)
        assert feed.rated_kw == 30
    assert [f.feed for f in rack.feeds] == ["A", "B"]


THIN_FEEDS = {"id": "thin-feeds-40kw", "u_height": 48, "power_kw": 20, "feeds": 2,
              "air_cooling_kw": 40, "liquid_cooling_kw": 0, "max_load_kg": 1500,
              "price_usd": 30000}
"""Two 20 kW feeds: under N a rack may draw 40 kW, but one feed alone carries only 20."""


def test_under_n_the_racks_one_feed_cannot_carry_are_listed_and_warned_about():
    cat = catalog_with([THIN_FEEDS])
    # 13 DGX H100 of 10.2 kW: 3 per rack by air and power (30.6 kW), the last rack holds 1
    s = scenario([("thin-feeds-40kw", 8)], [{"name": "w", "gpus": 8 * 13,
                                             "allowed": ["nvidia-dgx-h100"]}], redundancy="N")
    plan = rackplan.plan(s, cat)
    check_plan(plan, s, cat)
    loss = plan.feed_loss
    assert loss is not None
    tripping = [r.id for r in plan.racks if r.power_kw > 20]
    assert loss.racks == tripping and len(tripping) >= 4
    assert len(tripping) < len(plan.racks)  # a rack of one or two DGX survives a feed loss
    assert loss.gpus == 8 * sum(len(r.slots) for r in plan.racks if r.id in tripping)
    assert loss.it_kw == pytest.approx(sum(r.power_kw for r in plan.racks if r.id in tripping))
    assert any(f"{len(tripping)} of {len(plan.racks)} racks" in w for w in plan.warnings)
    for r in plan.racks:
        assert all(f.kw == pytest.approx(r.power_kw / 2) for f in r.feeds)


def test_under_n_racks_within_one_feed_do_not_trip():
    s = scenario([("air-42u-30kw", 8)], [{"name": "w", "gpus": 8 * 4,
                                          "allowed": ["nvidia-dgx-h100"]}], redundancy="N")
    plan = rackplan.plan(s, CATALOG)
    # air cooling (30 kW) keeps each rack at 2 DGX (20.4 kW), within one 30 kW feed
    assert plan.feed_loss is not None and plan.feed_loss.racks == []
    assert not any("would trip" in w for w in plan.warnings)


def test_2n_refuses_a_rack_type_with_an_odd_number_of_feeds():
    # three 30 kW feeds under 2N would allow 45 kW while one side of one feed carries 30
    cat = catalog_with([{**THIN_FEEDS, "id": "three-feeds", "feeds": 3, "power_kw": 30}])
    s = scenario([("three-feeds", 4)], [{"name": "w", "gpus": 8, "allowed": ["nvidia-dgx-h100"]}])
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.plan(s, cat)
    assert "feeds=3" in str(info.value) and "two equal sides" in str(info.value)


def test_a_network_whose_devices_mix_form_factors_says_one_rack_type_cannot_hold_them():
    base = rackplan.load_scenario(EXAMPLES / "superpod-h100.yaml")
    data = dict(CATALOG)
    data["switches"] = [sw.model_copy(update={"form_factor": "orv3-21"})
                        if sw.id == "nvidia-qm9700" else sw for sw in CATALOG.switches]
    cat = rackplan.Catalog.model_validate(data)
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(base, cat)
    assert info.value.diagnosis.proven
    assert "the devices mix form factors (eia-19: " in str(info.value)
    assert "orv3-21: nvidia-qm9700" in str(info.value)
