"""An independent check of a plan against DESIGN.md's rules, recomputing every number.

Shares no code with the planner: rack limits, demand, placement rules, costs,
totals, the schedule (supply rules, deliveries, rack arrivals, installation,
phases, need-by dates) and the money over time (cash flow by fiscal quarter,
NPV, fiscal budgets) are recomputed here from the scenario and catalog.
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
        grows = w.grow and plan.most is not None  # its demand is a minimum
        if w.phases:  # each phase is sized on its own
            own = sum(-(-p.gpus // server.gpu_count) for p in w.phases)
            assert s.count >= own if grows else s.count == own, w.name
            assert s.gpus >= w.gpus
        elif w.gpus is not None:
            assert s.gpus >= w.gpus and (grows or (s.count - 1) * server.gpu_count < w.gpus)
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
        _check_layout(r, rt, scenario, catalog)
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
            assert server.form_factor == rt.form_factor, f"{r.id}: {server.id} in a {rt.form_factor} rack"
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
        assert u <= rt.u_height - rt.reserved_u_bottom - rt.reserved_u_top, f"{r.id}: {u} U"
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

    _check_schedule(plan, scenario, catalog, sel)
    _check_cash_flow(plan, scenario, catalog, sel)
    _check_feed_loss(plan, scenario, catalog)
    # racks with the same type and contents get the same slots
    layouts: dict[tuple, list] = {}
    for r in plan.racks:
        contents = tuple(sorted(p.model_dump_json() for p in r.placements))
        slots = [s.model_dump() for s in r.slots]
        assert layouts.setdefault((r.rack, contents), slots) == slots, f"{r.id}: another layout"


def _check_feed_loss(plan, scenario, catalog) -> None:  # type: ignore[no-untyped-def]
    """Under N, a rack trips when one feed fails if the others cannot carry it."""
    if scenario.site.power_redundancy == "2N":
        assert plan.feed_loss is None
        return
    trip = []
    for r in plan.racks:
        rt = catalog.rack(r.rack)
        if r.power_kw > 0 and (rt.feeds == 1 or r.power_kw / (rt.feeds - 1) > rt.power_kw * (1 + 1e-9)):
            trip.append(r)
    assert plan.feed_loss is not None and plan.feed_loss.racks == [r.id for r in trip]
    _close(plan.feed_loss.it_kw, sum(r.power_kw for r in trip), "feed_loss.it_kw", abs_=1e-5)
    gpus = sum(p.count * catalog.server(p.server).gpu_count for r in trip for p in r.placements
               if r.role == "servers")
    assert plan.feed_loss.gpus == gpus
    assert (any("would trip if one of their feeds fails" in w for w in plan.warnings)) == bool(trip)


# --------------------------------------------------------------------------- schedule and money
#
# The rules (docs/formats.md, "Supply, phases and cash flow"), recomputed here from the scenario
# and the catalog alone. Days are whole and count from scenario.start.

BUDGET_WARNING = "to fit budget_by_fiscal_year"
DAYS_PER_YEAR = 365.25


def _days(weeks: float) -> int:
    """Weeks as whole days, rounded up."""
    return math.ceil(7 * weeks - 1e-9)


def _date(scenario, day: int) -> dt.date:  # type: ignore[no-untyped-def]
    return scenario.start + dt.timedelta(days=day)


def _rule_of(server, rules):  # type: ignore[no-untyped-def]
    """Index of the most specific supply rule matching ``server`` (server id, GPU id, vendor,
    without case), or None."""
    best = None
    for i, rule in enumerate(rules):
        key = rule.match.casefold()
        for rank, what in enumerate((server.id, server.gpu, server.vendor)):
            if key == what.casefold():
                if best is None or rank < best[0]:
                    best = (rank, i)
                break
    return None if best is None else best[1]


def _servers_per_phase(w, server, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    if not w.phases:
        return [count]
    per = [-(-p.gpus // server.gpu_count) for p in w.phases]
    per[-1] += count - sum(per)  # a grow workload's growth joins its last phase
    return per


def _ship_days(scenario, catalog, sel, orders):  # type: ignore[no-untyped-def]
    """Ship day of every unit of each workload, in unit order (phases in order); a rule's units
    are numbered across the selections it matches in workload order."""
    start = scenario.start
    taken: dict[int, int] = {}
    ships: dict[str, list[int]] = {}
    for w in scenario.workloads:
        s = sel[w.name]
        server = catalog.server(s.server)
        unit_orders = [d for d, n in zip(orders[w.name],
                                         _servers_per_phase(w, server, s.count), strict=True)
                       for _ in range(n)]
        i = _rule_of(server, scenario.supply)
        if i is None:
            lead = _days(server.lead_time_weeks)
            ships[w.name] = [d + lead for d in unit_orders]
            continue
        rule = scenario.supply[i]
        lead = _days(rule.lead_time_weeks if rule.lead_time_weeks is not None
                     else server.lead_time_weeks)
        first = taken.get(i, 0)
        out = []
        for j, order in enumerate(unit_orders):
            base = order + lead
            if rule.available_from is not None:
                base = max(base, (rule.available_from - start).days)
            if rule.units_per_week is not None:
                base += 7 * math.floor((rule.queue_units + first + j) / rule.units_per_week)
            out.append(base)
        taken[i] = first + len(unit_orders)
        ships[w.name] = out
    return ships


def _check_schedule(plan, scenario, catalog, sel) -> None:  # type: ignore[no-untyped-def]
    """Order dates, deliveries, rack arrivals, the install pipeline, phases and online dates."""
    site = scenario.site
    start = scenario.start
    names = [w.name for w in scenario.workloads]
    assert [w.workload for w in plan.schedule.workloads] == names
    assert plan.schedule.order_date in (None, start)
    online = {w.workload: w for w in plan.schedule.workloads}
    moved_by_budget = any(x.startswith(BUDGET_WARNING) for x in plan.warnings)
    if moved_by_budget:
        assert scenario.budget_by_fiscal_year, "budget warning without budget_by_fiscal_year"

    # phases: servers, order dates (later than asked only to fit the fiscal budgets), need-by
    per_phase: dict[str, list[int]] = {}
    orders: dict[str, list[int]] = {}
    moved = False
    for w in scenario.workloads:
        s = sel[w.name]
        server = catalog.server(s.server)
        n = _servers_per_phase(w, server, s.count)
        assert sum(n) == s.count, f"{w.name}: {s.count} servers but the phases need {n}"
        per_phase[w.name] = n
        reported = online[w.name]
        assert reported.need_by == w.need_by, w.name
        assert [p.phase for p in reported.phases] == list(range(1, len(n) + 1)), w.name
        phases = w.phases or [None]
        for p, m, spec in zip(reported.phases, n, phases, strict=True):
            assert p.servers == m and p.gpus == m * server.gpu_count, (w.name, p)
            asked = (spec.order_date if spec is not None and spec.order_date else None) \
                or w.order_date or start
            assert p.order_date >= asked, (w.name, p.phase, p.order_date, asked)
            moved = moved or p.order_date != asked
            if not moved_by_budget:
                assert p.order_date == asked, (w.name, p.phase, p.order_date, asked)
            dates = [d for d in (spec.need_by if spec is not None else None, w.need_by) if d]
            assert p.need_by == (min(dates) if dates else None), (w.name, p.phase, p.need_by)
        orders[w.name] = [(p.order_date - start).days for p in reported.phases]
        assert s.order_date == reported.phases[0].order_date, (w.name, s.order_date)
    if moved_by_budget:
        assert moved, "budget warning but no phase ordered later"

    # deliveries: every unit's ship day, grouped by day
    ships = _ship_days(scenario, catalog, sel, orders)
    for w in scenario.workloads:
        s = sel[w.name]
        counts: dict[int, int] = {}
        for d in ships[w.name]:
            counts[d] = counts.get(d, 0) + 1
        want = [(_date(scenario, d), counts[d]) for d in sorted(counts)]
        got = [(x.date, x.units) for x in s.deliveries]
        assert got == want, f"{w.name}: deliveries {got[:5]}... != {want[:5]}..."
        assert s.arrival_date == _date(scenario, max(ships[w.name])), (w.name, s.arrival_date)

    # racks: each model's units go to racks in listed order, earliest first
    pools: dict[str, list[int]] = {}
    for w in scenario.workloads:
        pools.setdefault(sel[w.name].server, []).extend(ships[w.name])
    for pool in pools.values():
        pool.sort()
    taken = dict.fromkeys(pools, 0)
    per_rack = 7 / site.install_racks_per_week
    burn = _days(site.burn_in_weeks)
    on_network = [w.name for w in scenario.workloads if w.network] if scenario.network else []
    bounds = {}
    for name, n in per_phase.items():
        acc = [0]
        for m in n:
            acc.append(acc[-1] + m)
        bounds[name] = acc
    numbered = dict.fromkeys(names, 0)
    phase_last = {name: [None] * len(n) for name, n in per_phase.items()}
    network_last = dict.fromkeys(names, 0)
    phased = {w.name for w in scenario.workloads if w.phases}
    finish = 0.0
    prev_arrival: int | None = None
    for r in plan.racks:
        if r.role == "network":
            a = max(_days(catalog.get(p.device).lead_time_weeks) for p in r.placements)
        else:
            by_model: dict[str, int] = {}
            for p in r.placements:
                by_model[p.server] = by_model.get(p.server, 0) + p.count
            units: list[int] = []
            for model, m in by_model.items():
                units += pools[model][taken[model]:taken[model] + m]
                taken[model] += m
                assert taken[model] <= len(pools[model]), f"{r.id}: more {model} than were shipped"
            assert units, f"{r.id}: an empty server rack"
            a = max(units)  # a rack arrives with its last unit
        assert r.arrival_date == _date(scenario, a), (r.id, r.arrival_date, a)
        assert prev_arrival is None or a >= prev_arrival, \
            f"{r.id} arrives before the rack installed ahead of it"
        prev_arrival = a
        finish = max(finish, a) + per_rack
        day = math.ceil(finish - 1e-9)
        assert r.installed_date == _date(scenario, day), (r.id, r.installed_date, day)
        if r.role == "network":
            # a workload on the network waits for its own compute fabric and the shared ones
            for name in on_network:
                if any(not p.fabric.startswith("compute:") or p.fabric == f"compute:{name}"
                       for p in r.placements):
                    network_last[name] = max(network_last[name], day)
            continue
        # phases: each workload's servers numbered in install order
        in_rack: dict[str, int] = {}
        labels: dict[str, list[int | None]] = {}
        for p in r.placements:
            in_rack[p.workload] = in_rack.get(p.workload, 0) + p.count
            labels.setdefault(p.workload, []).append(p.phase)
        for name, m in in_rack.items():
            lo, hi = numbered[name], numbered[name] + m
            numbered[name] = hi
            b = bounds[name]
            split = {k + 1: min(hi, b[k + 1]) - max(lo, b[k]) for k in range(len(b) - 1)}
            split = {k: v for k, v in split.items() if v > 0}
            for k in split:
                last = phase_last[name][k - 1]
                phase_last[name][k - 1] = day if last is None else max(last, day)
            if name in phased:
                got = [(p.phase, p.count) for p in r.placements if p.workload == name]
                assert len({k for k, _ in got}) == len(got), f"{r.id}: {name} phase listed twice"
                assert dict(got) == split, f"{r.id}: {name} phases {dict(got)} != {split}"
            else:
                assert labels[name] == [None] * len(labels[name]), f"{r.id}: {name} has phases"
    assert taken == {m: len(p) for m, p in pools.items()}

    # online: each phase's last rack plus burn-in (and its workload's network racks)
    for w in scenario.workloads:
        reported = online[w.name]
        days: list[int] = []
        for p, last in zip(reported.phases, phase_last[w.name], strict=True):
            assert last is not None, f"{w.name} phase {p.phase}: no rack holds it"
            d = max(last, network_last[w.name]) + burn
            days.append(d)
            assert p.online_date == _date(scenario, d), (w.name, p.phase, p.online_date, d)
            if p.need_by is not None:
                assert p.online_date <= p.need_by, f"{w.name} phase {p.phase} late for {p.need_by}"
        assert reported.online_date == _date(scenario, max(days)), (w.name, reported.online_date)
    assert plan.schedule.ready_date == max(w.online_date for w in plan.schedule.workloads)


def _fiscal_quarter(day: dt.date, start_month: int) -> tuple[int, int]:
    """(fiscal year named by the calendar year it ends in, quarter 1-4)."""
    year = day.year + 1 if start_month > 1 and day.month >= start_month else day.year
    return year, (day.month - start_month) % 12 // 3 + 1


def _check_cash_flow(plan, scenario, catalog, sel) -> None:  # type: ignore[no-untyped-def]
    """Capex when paid and energy day by day, summed by fiscal quarter; NPV; fiscal budgets."""
    site = scenario.site
    start = scenario.start
    years = scenario.horizon_years
    t = plan.totals
    # capex: servers when they ship, racks when installed, network devices when they arrive
    capex: dict[int, float] = {}

    def pay(day: int, usd: float) -> None:
        capex[day] = capex.get(day, 0.0) + usd

    for s in plan.selections:
        server = catalog.server(s.server)
        unit = server.price_usd * (1 + site.tariffs.get(server.origin, 0.0))
        for d in s.deliveries:
            pay((d.date - start).days, d.units * unit)
    for r in plan.racks:
        pay((r.installed_date - start).days, catalog.rack(r.rack).price_usd)
    devices: dict[str, int] = {}
    for r in plan.racks:
        if r.role == "network":
            for p in r.placements:
                devices[p.device] = devices.get(p.device, 0) + p.count
    if devices:
        last = 0
        for device, n in devices.items():
            item = catalog.get(device)
            day = _days(item.lead_time_weeks)
            pay(day, n * item.price_usd * (1 + site.tariffs.get(item.origin, 0.0)))
            last = max(last, day)
        pay(last, t.capex_usd - sum(capex.values()))  # optics and cables, with the last device
    # energy: each phase's from its online day, the network's from the first workload's
    horizon = max(1, math.floor(years * DAYS_PER_YEAR + 0.5))
    streams: list[tuple[int, float]] = []
    for w in plan.schedule.workloads:
        s = sel[w.workload]
        for p in w.phases:
            streams.append(((p.online_date - start).days,
                            s.energy_usd_per_year / s.count * p.servers * years))
    network_energy = plan.costs.network_energy_usd_per_year * years
    if scenario.network is not None and network_energy:
        first = min(w.online_date for w in plan.schedule.workloads)
        streams.append(((first - start).days, network_energy))
    ends = list(capex) + [d for d, _ in streams] + [d + horizon - 1 for d, _ in streams]
    if not ends:
        assert plan.cash_flow == []
        return
    day0, day1 = min(ends), max(ends)
    n = day1 - day0 + 1
    cap = [0.0] * n
    for d, usd in capex.items():
        cap[d - day0] += usd
    energy = [0.0] * n
    for d, usd in streams:
        for i in range(d - day0, d - day0 + horizon):
            energy[i] += usd / horizon
    quarters: list[tuple[int, int]] = []
    cap_q: list[float] = []
    energy_q: list[float] = []
    rate = 1 + scenario.discount_rate
    npv = 0.0
    date = start + dt.timedelta(days=day0)
    for i in range(n):
        q = _fiscal_quarter(date, scenario.fiscal_year_start_month)
        date += dt.timedelta(days=1)
        if not quarters or quarters[-1] != q:
            assert q not in quarters
            quarters.append(q)
            cap_q.append(0.0)
            energy_q.append(0.0)
        cap_q[-1] += cap[i]
        energy_q[-1] += energy[i]
        if cap[i] or energy[i]:
            npv += (cap[i] + energy[i]) / rate ** ((day0 + i) / DAYS_PER_YEAR)
    labels = [f"FY{y}-Q{q}" for y, q in quarters]
    assert [c.period for c in plan.cash_flow] == labels, \
        ([c.period for c in plan.cash_flow][:3], labels[:3])
    # each part of a total is rounded to cents once: n parts may be n half-cents off the exact
    # figure (BOM lines for capex; each selection's and the network's energy a year, times years)
    capex_slack = 0.02 + 0.005 * len(plan.bom)
    energy_slack = 0.02 + 0.005 * years * (len(plan.selections) + 1)
    _close(sum(cap_q), t.capex_usd, "cash flow capex (exact)", rel=0, abs_=capex_slack)
    _close(sum(energy_q), t.tco_usd - t.capex_usd, "cash flow energy (exact)", rel=0,
           abs_=energy_slack)
    # a quarter is its exact sum rounded to a cent or two, plus its share of what the rounded
    # totals leave over (at most all of it)
    capex_left = abs(sum(cap_q) - t.capex_usd)
    energy_left = abs(sum(energy_q) - (t.tco_usd - t.capex_usd))
    running = 0
    for c, exact_cap, exact_energy in zip(plan.cash_flow, cap_q, energy_q, strict=True):
        _close(c.capex_usd, exact_cap, f"{c.period} capex", rel=0, abs_=0.025 + capex_left)
        _close(c.energy_usd, exact_energy, f"{c.period} energy", rel=0, abs_=0.025 + energy_left)
        running += round(c.capex_usd * 100) + round(c.energy_usd * 100)
        assert round(c.cumulative_usd * 100) == running, (c.period, c.cumulative_usd, running)
    # quarters add up to the totals, to the cent
    assert sum(round(c.capex_usd * 100) for c in plan.cash_flow) == round(t.capex_usd * 100)
    assert sum(round(c.energy_usd * 100) for c in plan.cash_flow) == \
        round(t.tco_usd * 100) - round(t.capex_usd * 100)
    _close(t.npv_usd, npv, "npv_usd", abs_=capex_slack + energy_slack)
    # fiscal budgets, counted on the quarters
    for fy, budget in scenario.budget_by_fiscal_year.items():
        mine = [c for c in plan.cash_flow if c.period.startswith(f"FY{fy}-")]
        used = sum(c.capex_usd for c in mine)
        assert used <= budget + 0.01 * max(1, len(mine)), f"FY{fy}: capex {used} > budget {budget}"


def _check_layout(r, rt, scenario, catalog) -> None:  # type: ignore[no-untyped-def]
    """Slots: inside the rack, no overlaps, the reserved units where the rack type keeps them,
    one slot per unit placed (same devices and workloads as the placements), heavier units
    never above lighter ones (per unit of height); feeds: kW and amps from the rack's power."""
    site = scenario.site
    taken = [False] * (rt.u_height + 1)
    units: dict[tuple[str, str | None], int] = {}
    for s in r.slots:
        assert s.u >= 1 and s.height >= 1 and s.u + s.height - 1 <= rt.u_height, f"{r.id}: slot {s}"
        for u in range(s.u, s.u + s.height):
            assert not taken[u], f"{r.id}: U{u} taken twice"
            taken[u] = True
        if s.kind == "reserved":
            assert s.device == "reserved" and s.workload is None
            continue
        device = catalog.get(s.device)
        assert s.height == device.u_height, f"{r.id}: {s.device} slot of {s.height} U"
        assert device.form_factor == rt.form_factor, f"{r.id}: {s.device} is {device.form_factor}"
        _close(s.weight_kg, device.weight_kg, f"{r.id}.slots.weight_kg", abs_=1e-6)
        if s.kind == "server":
            assert r.role == "servers" and s.workload is not None and s.fabric is None
            _close(s.kw, site.power_allocation * device.power_max_w / 1000, f"{r.id}.slots.kw",
                   abs_=1e-6)
        else:
            assert r.role == "network" and s.kind == "device" and s.workload is None and s.fabric
        key = (s.device, s.workload if s.kind == "server" else s.fabric, s.phase)
        units[key] = units.get(key, 0) + 1
    reserved = [(s.u, s.height) for s in r.slots if s.kind == "reserved"]
    expect = ([(1, rt.reserved_u_bottom)] if rt.reserved_u_bottom else []) + (
        [(rt.u_height - rt.reserved_u_top + 1, rt.reserved_u_top)] if rt.reserved_u_top else [])
    assert reserved == expect, f"{r.id}: reserved {reserved}, rack type keeps {expect}"
    placed: dict[tuple[str, str | None, int | None], int] = {}
    for p in r.placements:
        key = ((p.server, p.workload, p.phase) if r.role == "servers"
               else (p.device, p.fabric, None))
        placed[key] = placed.get(key, 0) + p.count
    assert units == placed, f"{r.id}: slots {units} != placements {placed}"
    stack = sorted((s for s in r.slots if s.kind != "reserved"), key=lambda s: s.u)
    density = [catalog.get(s.device).weight_kg / s.height for s in stack]
    assert density == sorted(density, reverse=True), f"{r.id}: a heavier unit above a lighter one"
    # stacked without gaps from the first unit above the reserved ones
    top = rt.reserved_u_bottom + 1
    for s in stack:
        assert s.u == top, f"{r.id}: {s.device} at U{s.u}, the stack reaches U{top}"
        top += s.height
    assert r.u_used == sum(s.height for s in stack), f"{r.id}: u_used {r.u_used}"
    # feeds, by the documented formulas (an odd feed count is refused under 2N)
    assert [f.feed for f in r.feeds] == [chr(ord("A") + i) for i in range(rt.feeds)]
    if site.power_redundancy == "2N":
        assert rt.feeds % 2 == 0
        carry = r.power_kw / (rt.feeds / 2)
    else:
        carry = r.power_kw / rt.feeds
    to_amps = 1000 / (3 ** 0.5 * site.voltage_v * site.power_factor)
    for f in r.feeds:
        _close(f.kw, carry, f"{r.id}.feeds.{f.feed}.kw", abs_=1e-5)
        _close(f.amps, carry * to_amps, f"{r.id}.feeds.{f.feed}.amps", abs_=1e-5)
        _close(f.normal_kw, r.power_kw / rt.feeds, f"{r.id}.feeds.{f.feed}.normal_kw", abs_=1e-5)
        assert f.rated_kw == rt.power_kw
        _close(f.rated_amps, rt.power_kw * to_amps, f"{r.id}.feeds.{f.feed}.rated_amps", abs_=1e-5)
        if site.power_redundancy == "2N":  # a side alone carries the rack within its rating
            assert f.kw <= rt.power_kw * (1 + TOL), f"{r.id}: feed {f.feed} {f.kw} kW"


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
    assert r.u_used == u and u <= rt.u_height - rt.reserved_u_bottom - rt.reserved_u_top, f"{r.id}: {u} U"
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

