"""Building the :class:`Plan` from the chosen candidates: final packing, racks, costs, bounds.

The chosen packing is expanded into racks (surplus servers of "at least"
patterns removed), scheduled by :mod:`.schedule`, and costed here. Money is
rounded to cents and kW / kg to 1e-6 per line; each total is the sum of the
rounded parts shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np

from ..kernels import colgen, cover
from ..kernels.dims import AIR, LIQUID, POWER
from ..kernels.patterns import expand_racks
from ..kernels.status import LPStatus, Status
from ..models import Catalog, Scenario, Site
from ..models.catalog import CatalogEntry
from ..models.result import (
    FEED_LOSS_WARNING,
    Bounds,
    Delivery,
    DevicePlacement,
    Limit,
    PhaseOnline,
    Placement,
    Plan,
    Rack,
    Schedule,
    Selection,
    Totals,
    WorkloadOnline,
)
from ..tolerance import COST_REL, COUNT_TOL, FIT_REL, RACKS_BOUND_TOL
from .arrays import SiteArrays, item_arrays
from .bom import bill_of_materials, costs_from_bom, fabrics_of
from .candidates import Candidate
from .cashflow import CashFlowResult, EnergyStream, cash_flow, horizon_days
from .estimates import (
    availability_warnings,
    plan_estimates,
    server_estimates,
    stale_warnings,
    undated_warning,
)
from .guards import plan_guards, scenario_guards
from .layout import Unit, feed_loss, feeds_for, slots_for
from .limits import FINAL_NODE_LIMIT, FINAL_WORK, MAX_PATTERNS, REPACK_GAP, SMALL_RACKS
from .network import NetworkPlan, network_for
from .repack import tighten
from .schedule import InstallSchedule, NetworkRacks, install_schedule
from .search import Packing, SearchOutcome
from .supply import need_by_days, order_days, phase_servers, ship_days
from .units import DAYS_PER_YEAR, HOURS_PER_YEAR, days, rounded

FAR_READY_YEARS = 3
"""A plan ready more than this many years after its first order date gets a warning."""
NOT_PROVEN_EARLIEST = "the ready date is not proven the earliest"
"""How a plan's warning begins when its ready date is the earliest found, not proven."""

BINDING_SHARE = 0.99
"""A site limit is reported ``binding`` when the plan uses at least this share of it."""


def _entries_used(chosen: list[Candidate], site: SiteArrays,
                  netplan: NetworkPlan | None) -> dict[str, CatalogEntry]:
    """The catalog entries a plan may use, by id: its servers, the site's rack types and the
    network's rack type, switches, optics and appliances."""
    used: dict[str, CatalogEntry] = {c.server.id: c.server for c in chosen}
    used |= {r.id: r for r in site.racks}
    if netplan is not None:
        used[netplan.rack.id] = netplan.rack
        for f in netplan.design.fabrics:
            used[f.switch.id] = f.switch
            used |= {use.optic.id: use.optic for use in f.optics}
        used |= netplan.appliance_entries
    return used


def build_plan(scenario: Scenario, objective: str, chosen: list[Candidate], site: SiteArrays,
               found: SearchOutcome, catalog: Catalog | None = None,
               delays: list[tuple[int, ...]] | None = None) -> Plan:
    """The plan for one candidate per workload (``chosen``), packed as the search packed them.

    ``found`` is the search's outcome: its packing of ``chosen``, proven bound
    and status; for a cost objective, :func:`_improve` may replace it with a
    cheaper one (never worse, so still within the budget). With a scenario
    ``network`` (``catalog`` then required), the fabrics are sized for the
    final racks and their devices packed into network racks; ``site`` must
    already leave the network racks' positions free. ``delays`` moves each
    phase's order day later by that many days (to fit fiscal budgets).
    Raises :class:`InfeasibleError` when the schedule runs too far ahead.
    """
    s = scenario.site
    years = scenario.horizon_years
    packing = found.packing
    types, counts = racks_of(packing, chosen)
    if objective != "time":
        types, counts = _improve(scenario, chosen, site, packing, types, counts, found.value)
    stage = None
    if objective != "time" and any(w.phases and len(w.phases) > 1 for w in scenario.workloads):
        # (for time the search's packing is the one ready earliest: a cheaper one may be later)
        types, counts, stage = _phase_aligned(scenario, chosen, site, types, counts)
    start = scenario.start
    names = [w.name for w in scenario.workloads]
    netplan = None
    if scenario.network is not None:
        assert catalog is not None
        netplan = network_for(scenario, catalog, chosen, site, types)

    ships = ship_days(scenario, [c.server for c in chosen], [c.count for c in chosen], delays)
    schedule = install_schedule(scenario, chosen, types, counts,
                                _network_racks(netplan, scenario) if netplan else None, ships,
                                stage)
    R = len(types)
    racks: list[Rack] = []
    for rank, r in enumerate(schedule.order):
        installed = start + dt.timedelta(days=schedule.installed[rank])
        arrived = start + dt.timedelta(days=schedule.arrival[rank])
        if r >= R:
            assert netplan is not None
            racks.append(_network_rack(netplan, r - R, f"r{rank + 1:04d}", installed, arrived, s))
            continue
        row = counts[r]
        placements: list[Placement | DevicePlacement] = []
        power = air = liquid = weight = 0.0
        u = 0
        stack: list[Unit] = []
        for k in map(int, np.flatnonzero(row)):
            c = chosen[k]
            m = int(row[k])
            unit = Unit(c.server.id, names[k], "server", c.server.u_height, c.server.weight_kg,
                        c.size[POWER])
            if scenario.workloads[k].phases is None:
                placements.append(Placement(workload=names[k], server=c.server.id, count=m))
                stack += [unit] * m
            else:
                placements.extend(Placement(workload=names[k], server=c.server.id, count=n,
                                            phase=p + 1)
                                  for p, n in enumerate(schedule.phase_of[rank][k]) if n)
                stack += [dataclasses.replace(unit, phase=p + 1)
                          for p, n in enumerate(schedule.phase_of[rank][k]) for _ in range(n)]
            power += m * c.size[POWER]
            air += m * c.size[AIR]
            liquid += m * c.size[LIQUID]
            u += m * c.server.u_height
            weight += m * c.server.weight_kg
        rack_type = site.racks[types[r]]
        rack_id = f"r{rank + 1:04d}"
        racks.append(Rack(id=rack_id, rack=rack_type.id, placements=placements,
                          power_kw=rounded(power), air_kw=rounded(air), liquid_kw=rounded(liquid),
                          u_used=u, weight_kg=rounded(weight), installed_date=installed,
                          arrival_date=arrived, slots=slots_for(rack_type, stack, rack_id),
                          feeds=feeds_for(rack_type, rounded(power), s)))

    selections = []
    last_order: dict[str, dt.date] = {}  # server id -> the last day any of its units is ordered
    for k, c in enumerate(chosen):
        w = scenario.workloads[k]
        ship_day, units = np.unique(ships[k], return_counts=True)
        ordered = order_days(scenario, w, delays[k] if delays else None)
        last = start + dt.timedelta(days=max(ordered))
        last_order[c.server.id] = max(last_order.get(c.server.id, last), last)
        selections.append(Selection(
            workload=names[k], server=c.server.id, count=c.count, gpus=c.gpus,
            gpus_requested=w.gpus, arrival_date=start + dt.timedelta(days=int(ship_day[-1])),
            deliveries=[Delivery(date=start + dt.timedelta(days=int(d)), units=int(n))
                        for d, n in zip(ship_day, units, strict=True)],
            order_date=start + dt.timedelta(days=ordered[0]),
            server_usd=rounded(c.server_usd, 2), tariff_usd=rounded(c.tariff_usd, 2),
            energy_usd_per_year=rounded(c.energy_usd_per_year, 2),
            it_power_kw=rounded(c.count * c.size[POWER]),
            estimated=server_estimates(c.server, catalog.gpu(c.server.gpu) if catalog else None),
            as_of=c.server.as_of))
    all_types = [int(t) for t in types] + ([netplan.rack_type] * netplan.racks if netplan else [])
    bom = bill_of_materials(scenario, selections, chosen, site, all_types, netplan)
    costs = costs_from_bom(bom, netplan, scenario)
    capex = rounded(sum(line.extended_usd for line in bom), 2)
    opex = rounded(sum(sel.energy_usd_per_year for sel in selections)
                   + costs.network_energy_usd_per_year, 2)
    tco = rounded(capex + opex * years, 2)
    gpus = sum(c.gpus for c in chosen)
    it_kw = rounded(sum(r.power_kw for r in racks))
    flow = _cash_flow(scenario, chosen, schedule, site, types, netplan, capex, rounded(tco - capex, 2),
                      costs.network_energy_usd_per_year)
    totals = Totals(gpus=gpus, servers=sum(c.count for c in chosen), racks=len(racks), it_power_kw=it_kw,
                    facility_power_kw=rounded(it_kw * s.pue), capex_usd=capex, opex_usd_per_year=opex,
                    tco_usd=tco, usd_per_gpu_hour=rounded(tco / (gpus * HOURS_PER_YEAR * years)),
                    npv_usd=flow.npv_usd)
    value = capex if objective == "capex" else tco
    # the bound is on the exact objective; the plan shows one summed from parts rounded to cents,
    # so the bound is lowered by the most that rounding can move it, then rounded down to a cent
    parts = 3 + 2 * len(chosen) + (0 if objective == "capex" else years * (len(chosen) + 2))
    parts += len(bom) + (0 if objective == "capex" or not netplan else years)
    lower = max(math.floor((found.lower - 0.005 * parts) * 100) / 100, 0.0)
    racks_lb = _racks_lower_bound(scenario, chosen, site) + (netplan.racks_lower_bound if netplan else 0)
    # implausible inputs first: they may explain everything below
    warnings = [g.message for g in scenario_guards(scenario, catalog) + plan_guards(scenario, chosen)]
    for k, c in enumerate(chosen):
        w = scenario.workloads[k]
        if w.gpus is not None and c.gpus > w.gpus:
            warnings.append(f"workload {w.name!r}: {c.gpus} GPUs delivered for {w.gpus} requested "
                            f"({c.server.id} holds {c.server.gpu_count} per "
                            f"{'system' if c.server.rack_scale else 'server'})")
    if netplan is not None:
        warnings.extend(netplan.design.warnings)
    entries = _entries_used(chosen, site, netplan)
    warnings.extend(stale_warnings(scenario, entries, last_order, bom))
    warnings.extend(undated_warning(entries, bom))
    warnings.extend(availability_warnings(selections, entries))
    first_order = min(min(order_days(scenario, w)) for w in scenario.workloads)
    if schedule.ready - first_order > FAR_READY_YEARS * DAYS_PER_YEAR:
        warnings.append(f"the plan is ready on {start + dt.timedelta(days=schedule.ready)}, "
                        f"{(schedule.ready - first_order) / DAYS_PER_YEAR:.1f} years after the order "
                        f"({start + dt.timedelta(days=first_order)}): check lead times, supply "
                        "rules and the installation rate")
    if found.status == Status.LIMIT:
        warnings.append(f"search stopped after {found.leaves:,} model combinations; the plan is valid "
                        "but not proven optimal (see bounds.gap)")
    if objective == "time" and found.ready_day_lower < schedule.ready:
        earliest = start + dt.timedelta(days=int(found.ready_day_lower))
        warnings.append(f"{NOT_PROVEN_EARLIEST}: no plan is ready before "
                        f"{earliest} (proven), but some choices of models could not be ruled out "
                        f"between that day and {start + dt.timedelta(days=schedule.ready)}")
    types_by_id = {r.id: r for r in site.racks}
    if netplan is not None:
        types_by_id[netplan.rack.id] = netplan.rack
    gpus_in = {r.id: sum(p.count * chosen[names.index(p.workload)].server.gpu_count
                         for p in r.placements if isinstance(p, Placement)) for r in racks}
    loss = feed_loss(racks, types_by_id, s, gpus_in)
    if loss is not None and loss.racks:
        shown = ", ".join(loss.racks[:5]) + (", ..." if len(loss.racks) > 5 else "")
        warnings.append(f"{FEED_LOSS_WARNING} {len(loss.racks)} of {len(racks)} racks "
                        f"({loss.it_kw:,.1f} kW, {loss.gpus:,} GPUs) would trip if one of their "
                        f"feeds fails ({shown}); see feed_loss, or plan under 2N")
    limits = [Limit(limit="it_power_kw", used=it_kw, available=s.it_power_kw,
                    binding=it_kw >= BINDING_SHARE * s.it_power_kw)]
    if scenario.budget_usd is not None:
        limits.append(Limit(limit="budget_usd", used=capex, available=scenario.budget_usd,
                            binding=capex >= BINDING_SHARE * scenario.budget_usd))
    used_types = np.array(all_types, np.int64)
    for t, rack in enumerate(site.racks):
        used = int((used_types == t).sum())
        have = scenario.site.rack_positions[t].count  # site rack types follow rack_positions
        limits.append(Limit(limit=f"positions:{rack.id}", used=used, available=have,
                            binding=used >= BINDING_SHARE * have))
    return Plan(
        scenario=scenario.name,
        objective=objective,
        selections=selections,
        racks=racks,
        totals=totals,
        costs=costs,
        schedule=Schedule(ready_date=start + dt.timedelta(days=schedule.ready),
                          workloads=[_workload_online(scenario, k, chosen[k], schedule, delays)
                                     for k in range(len(chosen))],
                          order_date=start),
        bounds=Bounds(racks_lower_bound=racks_lb, objective_lower_bound=lower,
                      gap=rounded((value - lower) / value if value > 0 else 0.0),
                      objective_value=value),
        limits=limits,
        warnings=warnings,
        fabrics=fabrics_of(scenario, netplan) if netplan else [],
        bom=bom,
        feed_loss=loss,
        cash_flow=flow.periods,
        estimates=plan_estimates(scenario, entries, selections, bom, costs.network_energy_usd_per_year),
    )


def _workload_online(scenario: Scenario, k: int, c: Candidate, schedule: InstallSchedule,
                     delays: list[tuple[int, ...]] | None) -> WorkloadOnline:
    w = scenario.workloads[k]
    start = scenario.start
    servers = phase_servers(w, c.server, c.count)
    orders = order_days(scenario, w, delays[k] if delays else None)
    needs = need_by_days(scenario, w)
    phases = [PhaseOnline(phase=p + 1, gpus=n * c.server.gpu_count, servers=n,
                          order_date=start + dt.timedelta(days=orders[p]),
                          need_by=_date(start, needs[p]),
                          online_date=start + dt.timedelta(days=schedule.phase_online[k][p]))
              for p, n in enumerate(servers)]
    return WorkloadOnline(workload=w.name, online_date=start + dt.timedelta(days=schedule.online[k]),
                          need_by=w.need_by, phases=phases)


def _date(start: dt.date, day: int | None) -> dt.date | None:
    return None if day is None else start + dt.timedelta(days=day)


def _cash_flow(scenario: Scenario, chosen: list[Candidate], schedule: InstallSchedule,
               site: SiteArrays, types: np.ndarray, netplan: NetworkPlan | None, capex: float,
               energy: float, network_energy_per_year: float) -> CashFlowResult:
    """Capex paid at delivery (servers), installation (racks) and arrival (network devices;
    optics and cables with the last of them); energy of each phase from its online day, and
    of the network from the first workload's, for ``horizon_years``."""
    s = scenario.site
    events: list[tuple[int, float]] = []
    for k, c in enumerate(chosen):
        unit = c.server.price_usd * (1 + s.tariffs.get(c.server.origin, 0.0))
        ship_day, units = np.unique(schedule.ships[k], return_counts=True)
        events.extend((int(d), float(m) * unit) for d, m in zip(ship_day, units, strict=True))
    R = len(types)
    for rank, r in enumerate(schedule.order):
        price = float(site.price[types[r]]) if r < R else (netplan.rack.price_usd if netplan else 0.0)
        events.append((schedule.installed[rank], price))
    if netplan is not None:
        rest = netplan.capex_usd - netplan.racks * netplan.rack.price_usd
        last = 0
        for d in netplan.design.devices:
            day = days(d.lead_time_weeks)
            usd = d.count * d.price_usd * (1 + s.tariffs.get(d.origin, 0.0))
            events.append((day, usd))
            rest -= usd
            last = max(last, day)
        events.append((last, rest))  # optics and cables
    H = horizon_days(scenario.horizon_years)
    years = scenario.horizon_years
    streams = []
    for k, c in enumerate(chosen):
        w = scenario.workloads[k]
        per_server = c.energy_usd_per_year / c.count if c.count else 0.0
        for p, servers in enumerate(phase_servers(w, c.server, c.count)):
            streams.append(EnergyStream(schedule.phase_online[k][p], H, per_server * servers * years))
    if network_energy_per_year and schedule.online:
        streams.append(EnergyStream(min(schedule.online), H, network_energy_per_year * years))
    return cash_flow(scenario.start, scenario.fiscal_year_start_month, scenario.discount_rate,
                     events, streams, capex, energy)


def _network_racks(netplan: NetworkPlan, scenario: Scenario) -> NetworkRacks:
    """Network racks for the schedule: a workload on the network waits for the racks holding
    its compute fabric or a shared fabric or appliance; one with ``network: false`` for none."""
    names = [w.name if w.network else None for w in scenario.workloads]
    devices = netplan.design.devices
    lead = np.array([days(d.lead_time_weeks) for d in devices], np.int64)
    counts = netplan.counts
    arrival = np.array([int(lead[np.flatnonzero(row)].max()) for row in counts], np.int64)
    needed = np.zeros((len(counts), len(names)), np.bool_)
    for j, row in enumerate(counts):
        keys = {devices[g].fabric for g in np.flatnonzero(row)}
        for k, name in enumerate(names):
            needed[j, k] = name is not None and any(
                not key.startswith("compute:") or key == f"compute:{name}" for key in keys)
    return NetworkRacks(arrival, counts, needed)


def _network_rack(netplan: NetworkPlan, j: int, rack_id: str, installed: dt.date,
                  arrived: dt.date, site: Site) -> Rack:
    devices = netplan.design.devices
    row = netplan.counts[j]
    placements: list[Placement | DevicePlacement] = []
    power = weight = 0.0
    u = 0
    units: list[Unit] = []
    for g in map(int, np.flatnonzero(row)):
        d = devices[g]
        m = int(row[g])
        units += [Unit(d.device, None, "device", d.u_height, d.weight_kg, d.reserved_kw,
                       d.fabric, d.role)] * m
        placements.append(DevicePlacement(device=d.device, fabric=d.fabric, count=m, role=d.role))
        power += m * d.reserved_kw
        u += m * d.u_height
        weight += m * d.weight_kg
    return Rack(id=rack_id, rack=netplan.rack.id, placements=placements, power_kw=rounded(power),
                air_kw=rounded(power), liquid_kw=0.0, u_used=u, weight_kg=rounded(weight),
                installed_date=installed, arrival_date=arrived, role="network",
                slots=slots_for(netplan.rack, units, rack_id),
                feeds=feeds_for(netplan.rack, rounded(power), site))


def _improve(scenario: Scenario, chosen: list[Candidate], site: SiteArrays, packing: Packing,
             types: np.ndarray, counts: np.ndarray, value: float) -> tuple[np.ndarray, np.ndarray]:
    """A packing not proven optimal is tightened by the vector packer per rack type; if its gap
    to the proven bound is still above ``REPACK_GAP`` of the objective, the servers are packed
    again with the final budget of work, and the cheapest of the three is kept."""
    bound = packing.bound
    if _rack_cost(types, site) <= bound * (1 + COST_REL):
        return types, counts
    dedicated = [w.placement == "dedicated" for w in scenario.workloads]
    types, counts = tighten(types, counts, chosen, dedicated, site)
    if _rack_cost(types, site) - bound > REPACK_GAP * max(value, 1.0):
        again = pack(scenario, chosen, site)
        if again.x.size:
            t2, c2 = racks_of(again, chosen)
            t2, c2 = tighten(t2, c2, chosen, dedicated, site)
            if _rack_cost(t2, site) < _rack_cost(types, site) * (1 - COST_REL):
                types, counts = t2, c2
    return types, counts


def _phase_aligned(scenario: Scenario, chosen: list[Candidate], site: SiteArrays,
                   types: np.ndarray, counts: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A packing in which no rack holds servers of two phases of a workload, when it costs
    no more, with each rack's phase per workload (-1: none); else the packing as it was and
    None. A rack that mixes phases arrives with the later phase's units and holds the
    earlier phase back."""
    S, n, excl, rs, owner, phase = [], [], [], [], [], []
    for k, c in enumerate(chosen):
        w = scenario.workloads[k]
        per_phase = phase_servers(w, c.server, c.count)
        for p, m in enumerate(per_phase):
            S.append(c.size)
            n.append(m)
            # phases in racks of their own (the packer has no "not with each other" rule)
            excl.append(w.placement == "dedicated" or c.server.rack_scale or len(per_phase) > 1)
            rs.append(c.server.rack_scale)
            owner.append(k)
            phase.append(p)
    n_arr = np.array(n, np.int64)
    r = cover.pack(np.array(S, np.float64), n_arr, np.array(excl, np.bool_), np.array(rs, np.bool_),
                   site.cap, site.price, site.count, np.zeros(len(n), np.int64), np.zeros(0),
                   FINAL_NODE_LIMIT, FINAL_WORK, SMALL_RACKS, MAX_PATTERNS, np.inf)
    if r.status != Status.OK or not r.x.size:
        return types, counts, None
    t2, items = expand_racks(r.pat, r.ptype, r.x, n_arr)
    if _rack_cost(t2, site) > _rack_cost(types, site) * (1 + COST_REL):
        return types, counts, None
    c2 = np.zeros((len(t2), len(chosen)), np.int64)
    stage = np.full((len(t2), len(chosen)), -1, np.int64)
    for i, k in enumerate(owner):
        c2[:, k] += items[:, i]
        stage[items[:, i] > 0, k] = phase[i]
    return t2, c2, stage


def _rack_cost(types: np.ndarray, site: SiteArrays) -> float:
    return float(site.price[types].sum())


def pack(scenario: Scenario, chosen: list[Candidate], site: SiteArrays) -> Packing:
    """Pack the chosen servers with the final budget of work (an empty packing when none is
    found)."""
    group, _n, S, nm, exclusive, rack_scale = item_arrays(scenario, chosen)
    r = cover.pack(S, nm, exclusive, rack_scale, site.cap, site.price, site.count,
                   np.zeros(len(nm), np.int64), np.zeros(0), FINAL_NODE_LIMIT, FINAL_WORK, SMALL_RACKS,
                   MAX_PATTERNS, np.inf)
    return Packing(group, r.pat, r.ptype, r.x, float(r.bound))


def racks_of(packing: Packing, chosen: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """Rack types (R,) and servers per rack and workload (R, W) of a packing."""
    n = np.array([c.count for c in chosen], np.int64)
    pooled_n = np.bincount(packing.group, weights=n, minlength=packing.pat.shape[1]).astype(np.int64)
    types, pooled = expand_racks(packing.pat, packing.ptype, packing.x, pooled_n)
    return types, _split(pooled, packing.group, n)


def _cost(packing: Packing, site: SiteArrays) -> float:
    return float((site.price[packing.ptype] * packing.x).sum())


def _split(pooled: np.ndarray, group: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Servers per rack and workload from pooled counts: each pool's racks are filled with
    its workloads' servers in workload order, so a workload spans consecutive racks."""
    counts = np.zeros((pooled.shape[0], len(group)), np.int64)
    for g in range(pooled.shape[1]):
        members = [int(k) for k in np.flatnonzero(group == g)]
        left = {k: int(n[k]) for k in members}
        i = 0
        for r in range(pooled.shape[0]):
            amount = int(pooled[r, g])
            while amount > 0:
                k = members[i]
                take = min(amount, left[k])
                counts[r, k] += take
                left[k] -= take
                amount -= take
                if left[k] == 0:
                    i += 1
    return counts


def _racks_lower_bound(scenario: Scenario, chosen: list[Candidate], site: SiteArrays) -> int:
    """Fewest racks any packing of the selected servers can use: the larger of the volume bound
    per dimension and the column-generation bound with every rack priced 1 (both proven)."""
    _group, _n, S, n, exclusive, rack_scale = item_arrays(scenario, chosen)
    simple = max(math.ceil(float((S * n[:, None]).sum(axis=0)[d] / (site.cap[:, d].max() * (1 + FIT_REL)))
                           - COUNT_TOL)
                 for d in range(site.dims) if site.cap[:, d].max() > 0)
    K = len(n)
    lp = colgen.column_generation(
        S, n, exclusive, rack_scale, site.cap, np.ones(len(site.count)), site.count,
        np.zeros(K, np.int64), np.zeros(0), np.zeros((0, K), np.int64), np.zeros(0, np.int64),
        FINAL_WORK // 10, cover.KNAPSACK_NODES, True)
    if lp.status == LPStatus.INFEASIBLE or not math.isfinite(lp.bound):
        return int(simple)
    return int(max(simple, math.ceil(lp.bound - RACKS_BOUND_TOL)))
