"""An independent check of a plan against DESIGN.md's rules, recomputing every number.

Shares no code with the planner: rack limits, demand, placement rules, costs,
totals and the schedule are recomputed here from the scenario and catalog.
"""

from __future__ import annotations

import datetime as dt
import math

import rackplan

TOL = 1e-6


def _close(a: float, b: float, what: str, rel: float = 1e-9, abs_: float = 0.011) -> None:
    assert abs(a - b) <= max(abs_, rel * max(abs(a), abs(b))), f"{what}: {a} != {b}"


def check_plan(plan, scenario, catalog) -> None:  # type: ignore[no-untyped-def]
    site = scenario.site
    years = scenario.horizon_years
    racks_by_id = {p.rack: p for p in site.rack_positions}
    sel = {s.workload: s for s in plan.selections}
    assert [s.workload for s in plan.selections] == [w.name for w in scenario.workloads]

    # selections: one model per workload, qualifies, meets demand
    for w in scenario.workloads:
        s = sel[w.name]
        server = catalog.server(s.server)
        gpu = catalog.gpu(server.gpu)
        if w.allowed:
            assert server.id in w.allowed or server.gpu in w.allowed, (w.name, server.id)
        if w.min_gpu_memory_gb:
            assert gpu.memory_gb >= w.min_gpu_memory_gb
        if w.min_scale_up_gpus:
            assert server.scale_up_gpus >= w.min_scale_up_gpus
        assert s.gpus == s.count * server.gpu_count
        if w.gpus is not None:
            assert s.gpus >= w.gpus and (s.count - 1) * server.gpu_count < w.gpus
        elif w.fp8_pflops is not None:
            assert s.count * server.gpu_count * gpu.fp8_tflops / 1000 >= w.fp8_pflops * (1 - 1e-9)
        else:
            assert s.count * server.gpu_count * gpu.bf16_tflops / 1000 >= w.bf16_pflops * (1 - 1e-9)

    # racks: limits, placement rules, reported figures
    placed = {w.name: 0 for w in scenario.workloads}
    used_positions: dict[str, int] = {}
    dedicated = {w.name for w in scenario.workloads if w.placement == "dedicated"}
    ids = [r.id for r in plan.racks]
    assert ids == [f"r{i + 1:04d}" for i in range(len(ids))]
    devices_placed: dict[str, int] = {}
    for r in plan.racks:
        rt = catalog.rack(r.rack)
        assert r.rack in racks_by_id, f"{r.id}: rack type {r.rack} not at the site"
        used_positions[r.rack] = used_positions.get(r.rack, 0) + 1
        if r.role == "network":
            _check_network_rack(r, rt, scenario, catalog, devices_placed)
            continue
        power = air = liquid = weight = 0.0
        u = 0
        workloads = set()
        rack_scale = 0
        for p in r.placements:
            assert p.count > 0
            assert sel[p.workload].server == p.server, f"{r.id}: {p.workload} uses {p.server}"
            server = catalog.server(p.server)
            kw = site.power_allocation * server.power_max_w / 1000 * p.count
            power += kw
            air += kw * (1 - server.liquid_fraction)
            liquid += kw * server.liquid_fraction
            u += server.u_height * p.count
            weight += server.weight_kg * p.count
            placed[p.workload] += p.count
            workloads.add(p.workload)
            rack_scale += p.count if server.rack_scale else 0
        usable = rt.power_kw * rt.feeds / (2 if site.power_redundancy == "2N" else 1)
        assert power <= usable * (1 + TOL), f"{r.id}: power {power} > {usable}"
        assert air <= rt.air_cooling_kw * (1 + TOL) + TOL, f"{r.id}: air {air} > {rt.air_cooling_kw}"
        assert liquid <= rt.liquid_cooling_kw * (1 + TOL) + TOL, f"{r.id}: liquid {liquid}"
        assert u <= rt.u_height, f"{r.id}: {u} U > {rt.u_height}"
        assert weight <= rt.max_load_kg * (1 + TOL), f"{r.id}: {weight} kg > {rt.max_load_kg}"
        if workloads & dedicated:
            assert len(workloads) == 1, f"{r.id}: dedicated workload shares with {workloads}"
        if rack_scale:
            assert rack_scale == 1 and len(r.placements) == 1, f"{r.id}: rack-scale not alone"
        _close(r.power_kw, power, f"{r.id}.power_kw", abs_=1e-5)
        _close(r.air_kw, air, f"{r.id}.air_kw", abs_=1e-5)
        _close(r.liquid_kw, liquid, f"{r.id}.liquid_kw", abs_=1e-5)
        _close(r.weight_kg, weight, f"{r.id}.weight_kg", abs_=1e-5)
        assert r.u_used == u
    for w in scenario.workloads:
        assert placed[w.name] == sel[w.name].count, f"{w.name}: placed {placed[w.name]}"
    for rack, n in used_positions.items():
        assert n <= racks_by_id[rack].count, f"{rack}: {n} positions > {racks_by_id[rack].count}"

    # costs and totals
    servers_usd = tariffs_usd = opex = 0.0
    for w in scenario.workloads:
        s = sel[w.name]
        server = catalog.server(s.server)
        servers_usd += s.count * server.price_usd
        tariffs_usd += s.count * server.price_usd * site.tariffs.get(server.origin, 0.0)
        draw = (server.power_idle_w + w.utilization * (server.power_max_w - server.power_idle_w)) / 1000
        opex += s.count * draw * site.pue * 8760 * site.electricity_usd_per_kwh
    racks_usd = sum(catalog.rack(r.rack).price_usd for r in plan.racks)
    network_usd = optics_usd = 0.0
    if scenario.network is None:
        assert plan.fabrics == [] and not devices_placed
    else:
        network_usd, optics_usd, net_tariffs = _check_network_costs(plan, scenario, catalog,
                                                                    devices_placed)
        tariffs_usd += net_tariffs
        opex += plan.costs.network_energy_usd_per_year
    # each BOM line is rounded to cents once, so a cost summed from n lines may be n half-cents off
    lines = {c: sum(1 for b in plan.bom if b.category == c) for c in ("servers", "tariffs", "racks")}
    _close(plan.costs.servers_usd, servers_usd, "servers_usd", abs_=0.011 + 0.005 * lines["servers"])
    _close(plan.costs.tariffs_usd, tariffs_usd, "tariffs_usd", abs_=0.011 + 0.005 * lines["tariffs"])
    _close(plan.costs.racks_usd, racks_usd, "racks_usd", abs_=0.011 + 0.005 * lines["racks"])
    _close(plan.costs.network_usd, network_usd, "network_usd")
    _close(plan.costs.optics_usd, optics_usd, "optics_usd")
    t = plan.totals
    _close(t.capex_usd, plan.costs.servers_usd + plan.costs.tariffs_usd + plan.costs.racks_usd
           + plan.costs.network_usd + plan.costs.optics_usd, "capex")
    # the bill of materials adds up to the capex, to the cent
    assert round(sum(b.extended_usd for b in plan.bom), 2) == round(t.capex_usd, 2)
    for b in plan.bom:
        if b.category != "tariffs":
            _close(b.extended_usd, b.quantity * b.unit_usd, f"bom {b.item}")
    _close(t.opex_usd_per_year, opex, "opex", abs_=0.05)
    _close(t.tco_usd, t.capex_usd + t.opex_usd_per_year * years, "tco", abs_=0.05)
    assert t.gpus == sum(s.gpus for s in plan.selections)
    assert t.servers == sum(s.count for s in plan.selections)
    assert t.racks == len(plan.racks)
    _close(t.it_power_kw, sum(r.power_kw for r in plan.racks), "it_power_kw", abs_=1e-5)
    _close(t.facility_power_kw, t.it_power_kw * site.pue, "facility_power_kw", abs_=1e-5)
    _close(t.usd_per_gpu_hour, t.tco_usd / (t.gpus * 8760 * years), "usd_per_gpu_hour", abs_=1e-6)
    assert t.it_power_kw <= site.it_power_kw * (1 + TOL), "IT envelope exceeded"
    if scenario.budget_usd is not None:
        assert t.capex_usd <= scenario.budget_usd * (1 + TOL), "budget exceeded"
    value = t.capex_usd if plan.objective == "capex" else t.tco_usd
    _close(plan.bounds.objective_value, value, "objective_value")
    assert plan.bounds.objective_lower_bound <= value + 0.01
    assert plan.bounds.racks_lower_bound <= t.racks

    # schedule: racks install in order of arrival, one pipeline at the site's rate
    start = scenario.start
    per_rack = 7 / site.install_racks_per_week
    burn = math.ceil(7 * site.burn_in_weeks - 1e-9)
    arrival = {s.workload: math.ceil(7 * catalog.server(s.server).lead_time_weeks - 1e-9)
               for s in plan.selections}
    on_network = [w.name for w in scenario.workloads if w.network] if scenario.network else []
    finish = 0.0
    last: dict[str, int] = {}
    prev_arrival = -1
    for r in plan.racks:
        if r.role == "network":
            a = max(math.ceil(7 * catalog.get(p.device).lead_time_weeks - 1e-9) for p in r.placements)
            # a workload on the network waits for its own compute fabric and the shared ones
            waiting = {name for name in on_network
                       if any(not p.fabric.startswith("compute:") or p.fabric == f"compute:{name}"
                              for p in r.placements)}
        else:
            a = max(arrival[p.workload] for p in r.placements)
            waiting = {p.workload for p in r.placements}
        assert a >= prev_arrival, f"{r.id} arrives before the rack installed ahead of it"
        prev_arrival = a
        finish = max(finish, a) + per_rack
        day = math.ceil(finish - 1e-9)
        assert r.installed_date == start + dt.timedelta(days=day), (r.id, r.installed_date, day)
        for name in waiting:
            last[name] = max(last.get(name, 0), day)
    online = {w.workload: w.online_date for w in plan.schedule.workloads}
    for name, day in last.items():
        assert online[name] == start + dt.timedelta(days=day + burn), name
    assert plan.schedule.ready_date == max(online.values())
    for s in plan.selections:
        assert s.arrival_date == start + dt.timedelta(days=arrival[s.workload])


def _check_network_rack(r, rt, scenario, catalog, devices_placed) -> None:  # type: ignore[no-untyped-def]
    """A network rack holds switches and appliances only, within the rack's limits; its power is
    at least the devices' own (their modules' share comes on top)."""
    site = scenario.site
    assert r.rack == scenario.network.rack, f"{r.id}: network rack of type {r.rack}"
    floor = weight = 0.0
    u = 0
    for p in r.placements:
        assert isinstance(p, rackplan.models.result.DevicePlacement), f"{r.id}: server in network rack"
        device = catalog.get(p.device)
        assert p.count > 0
        floor += site.power_allocation * device.power_max_w / 1000 * p.count
        u += device.u_height * p.count
        weight += device.weight_kg * p.count
        devices_placed[p.device] = devices_placed.get(p.device, 0) + p.count
    usable = rt.power_kw * rt.feeds / (2 if site.power_redundancy == "2N" else 1)
    assert floor <= r.power_kw * (1 + TOL) + TOL, f"{r.id}: power {r.power_kw} below its devices' {floor}"
    assert r.power_kw <= min(usable, rt.air_cooling_kw) * (1 + TOL), f"{r.id}: {r.power_kw} kW"
    _close(r.air_kw, r.power_kw, f"{r.id}.air_kw", abs_=1e-5)
    assert r.u_used == u and u <= rt.u_height, f"{r.id}: {u} U"
    _close(r.weight_kg, weight, f"{r.id}.weight_kg", abs_=1e-5)
    assert weight <= rt.max_load_kg * (1 + TOL)


def _check_network_costs(plan, scenario, catalog, devices_placed):  # type: ignore[no-untyped-def]
    """Devices placed = switches in the fabrics + the scenario's appliances = the BOM's lines;
    returns (network_usd, optics_usd, tariffs on network devices)."""
    site = scenario.site
    switches: dict[str, int] = {}
    for f in plan.fabrics:
        switches[f.switch] = switches.get(f.switch, 0) + f.leaf + f.spine + f.core
    appliances: dict[str, int] = {}
    for a in scenario.network.appliances:
        appliances[a.appliance] = appliances.get(a.appliance, 0) + a.count
    assert devices_placed == {**switches, **appliances}, (devices_placed, switches, appliances)
    bom = {(b.category, b.item): b for b in plan.bom}
    network_usd = optics_usd = tariffs = 0.0
    for kind, counts in (("switches", switches), ("appliances", appliances)):
        for item, n in counts.items():
            assert bom[(kind, item)].quantity == n
            price = catalog.get(item).price_usd
            network_usd += n * price
            tariffs += n * price * site.tariffs.get(catalog.get(item).origin, 0.0)
    for b in plan.bom:
        if b.category in ("optics", "cables"):
            optic = catalog.optic(b.item)
            assert (optic.kind == "transceiver") == (b.category == "optics")
            optics_usd += b.quantity * optic.price_usd
    return network_usd, optics_usd, tariffs


def plan_or_error(scenario, catalog):  # type: ignore[no-untyped-def]
    """The plan, or the InfeasibleError (or SearchLimitError) the planner raised instead."""
    try:
        return rackplan.plan(scenario, catalog)
    except rackplan.InfeasibleError as exc:
        return exc

