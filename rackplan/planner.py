"""The planner: from a scenario and a catalog to a costed, scheduled :class:`Plan`.

Plain Python orchestration around the kernels in :mod:`rackplan.kernels.plan`:

1. *Candidates*: for each workload, every catalog server that qualifies
   (``allowed``, ``min_gpu_memory_gb``, ``min_scale_up_gpus``, fits some rack
   type at the site), sized to the demand, with its separable cost (servers,
   tariffs and, for ``tco``/``time``, energy over the horizon), reserved power
   and arrival day.
2. *Search*: :func:`rackplan.kernels.plan.search`, a branch and bound over one
   candidate per workload with the rack packer at every leaf.
3. *Plan*: the chosen packing expanded into racks (surplus servers of "at
   least" patterns removed), costed and scheduled here in readable Python.

Units: power and heat in kW, money in USD, time in days from ``start``.
Rack capacity dimensions: reserved power, air heat, liquid heat, rack units,
weight.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import Diagnosis, InfeasibleError, Problem, ScenarioError
from .kernels import plan as K
from .loading import check_scenario_references, load_catalog
from .models import Catalog, RackType, Scenario, Server, Workload
from .models.plan import (
    Alternative,
    Bounds,
    Costs,
    Limit,
    Placement,
    Plan,
    Rack,
    Schedule,
    Selection,
    Totals,
    WorkloadOnline,
)

HOURS_PER_YEAR = 8760.0
DIMENSIONS = ("power", "air cooling", "liquid cooling", "rack units", "weight")
_UNITS = ("kW", "kW", "kW", "U", "kg")

LEAF_LIMIT = 20_000
"""Leaves (complete model choices) the search packs before it stops unproven."""
NODE_LIMIT = 4_000
"""Branch-and-bound nodes per leaf packing; the final packing gets 25 times more."""
LEAF_WORK = 5 * 10**9
"""Work (LP tableau cells and bound evaluations) per leaf packing in the search."""
SEARCH_WORK = 10**11
"""Work for the whole search; with LEAF_LIMIT it bounds planning time on every machine."""
FINAL_WORK = 6 * 10**10
"""Work for the final packing of the chosen models."""
SMALL_RACKS = 24
"""Packings with at most this many racks in the LP are searched exactly from scratch."""
MAX_SCHEDULE_YEARS = 100
"""A plan whose last workload would come online later than this is reported infeasible."""
MAX_PATTERNS = 6_000
"""Most rack patterns enumerated per packing."""


@dataclass(frozen=True)
class Candidate:
    """One server model sized for one workload."""

    server: Server
    count: int
    gpus: int
    reserved_kw: float
    """Per server."""
    draw_kw: float
    """Per server at the workload's utilization."""
    server_usd: float
    tariff_usd: float
    energy_usd_per_year: float
    arrival_day: int
    size: tuple[float, float, float, float, float]

    @property
    def capex_usd(self) -> float:
        return self.server_usd + self.tariff_usd


@dataclass
class _Site:
    """The site's rack types as arrays."""

    racks: list[RackType]
    cap: np.ndarray  # (T, 5)
    price: np.ndarray  # (T,)
    count: np.ndarray  # (T,)


def _site_arrays(scenario: Scenario, catalog: Catalog) -> _Site:
    redundancy = scenario.site.power_redundancy
    racks = [catalog.rack(p.rack) for p in scenario.site.rack_positions]
    cap = np.array([[r.usable_power_kw(redundancy), r.air_cooling_kw, r.liquid_cooling_kw,
                     r.u_height, r.max_load_kg] for r in racks], dtype=np.float64)
    price = np.array([r.price_usd for r in racks], dtype=np.float64)
    count = np.array([p.count for p in scenario.site.rack_positions], dtype=np.int64)
    return _Site(racks, cap, price, count)


def _days(weeks: float) -> int:
    return math.ceil(7.0 * weeks - 1e-9)


def server_size(server: Server, allocation: float) -> tuple[float, float, float, float, float]:
    """Capacity a server takes in a rack: reserved kW, air kW, liquid kW, U, kg."""
    reserved = allocation * server.power_max_w / 1000.0
    return (reserved, reserved * (1.0 - server.liquid_fraction), reserved * server.liquid_fraction,
            float(server.u_height), server.weight_kg)


def servers_needed(workload: Workload, server: Server, catalog: Catalog) -> int:
    """Servers of ``server`` that deliver the workload's GPUs or dense compute."""
    if workload.gpus is not None:
        return -(-workload.gpus // server.gpu_count)
    gpu = catalog.gpu(server.gpu)
    if workload.fp8_pflops is not None:
        per_server = server.gpu_count * gpu.fp8_tflops / 1000.0
        demand = workload.fp8_pflops
    else:
        assert workload.bf16_pflops is not None
        per_server = server.gpu_count * gpu.bf16_tflops / 1000.0
        demand = workload.bf16_pflops
    return max(1, math.ceil(demand / per_server - 1e-9))


def _misfit(size: tuple[float, ...], site: _Site) -> str | None:
    """None when the server fits some rack type at the site, else why not (per type)."""
    parts = []
    for t, rack in enumerate(site.racks):
        over = [(size[d] / site.cap[t, d] if site.cap[t, d] > 0 else math.inf, d)
                for d in range(5) if size[d] > site.cap[t, d] * (1 + 1e-9)]
        if not over:
            return None
        _, d = max(over)
        have = site.cap[t, d]
        parts.append(f"{rack.id} has {_fmt(have)} {_UNITS[d]} {DIMENSIONS[d]}, "
                     f"needs {_fmt(size[d])}")
    return "fits no rack type at the site (" + "; ".join(parts) + ")"


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.4g}"


def candidates_for(workload: Workload, scenario: Scenario, catalog: Catalog,
                   site: _Site) -> tuple[list[Candidate], dict[str, str]]:
    """The workload's qualifying candidates, and each rejected server's reason."""
    s = scenario.site
    out: list[Candidate] = []
    rejected: dict[str, str] = {}
    allowed = set(workload.allowed) if workload.allowed else None
    for server in catalog.servers:
        gpu = catalog.gpu(server.gpu)
        if allowed is not None and server.id not in allowed and server.gpu not in allowed:
            rejected[server.id] = "not in allowed"
            continue
        if workload.min_gpu_memory_gb is not None and gpu.memory_gb < workload.min_gpu_memory_gb:
            rejected[server.id] = (f"GPU memory {_fmt(gpu.memory_gb)} GB is below "
                                   f"{_fmt(workload.min_gpu_memory_gb)} GB")
            continue
        if workload.min_scale_up_gpus is not None and server.scale_up_gpus < workload.min_scale_up_gpus:
            rejected[server.id] = (f"scale-up domain of {server.scale_up_gpus} GPUs is below "
                                   f"{workload.min_scale_up_gpus}")
            continue
        size = server_size(server, s.power_allocation)
        misfit = _misfit(size, site)
        if misfit:
            rejected[server.id] = misfit
            continue
        count = servers_needed(workload, server, catalog)
        draw_kw = (server.power_idle_w + workload.utilization
                   * (server.power_max_w - server.power_idle_w)) / 1000.0
        server_usd = count * server.price_usd
        out.append(Candidate(
            server=server,
            count=count,
            gpus=count * server.gpu_count,
            reserved_kw=size[0],
            draw_kw=draw_kw,
            server_usd=server_usd,
            tariff_usd=server_usd * s.tariffs.get(server.origin, 0.0),
            energy_usd_per_year=count * draw_kw * s.pue * HOURS_PER_YEAR * s.electricity_usd_per_kwh,
            arrival_day=_days(server.lead_time_weeks),
            size=size,
        ))
    return out, rejected


def _separable(c: Candidate, objective: str, years: float) -> float:
    if objective == "capex":
        return c.capex_usd
    return c.capex_usd + c.energy_usd_per_year * years


def _rack_bounds(c: Candidate, exclusive: bool, site: _Site) -> tuple[float, np.ndarray]:
    """Rack-cost lower bounds of one candidate: exclusive racks, or per dimension if shared."""
    size = np.array(c.size)
    fits = np.all(size[None, :] <= site.cap * (1 + 1e-9), axis=1)
    if exclusive:
        best = math.inf
        for t in np.flatnonzero(fits):
            per_rack = 1 if c.server.rack_scale else K.max_fit(site.cap[t], size, c.count)
            if per_rack >= 1:
                best = min(best, -(-c.count // per_rack) * site.price[t])
        return best, np.zeros(5)
    shared = np.zeros(5)
    for d in range(5):
        if size[d] <= 0:
            continue
        ok = fits & (site.cap[:, d] > 0)
        if ok.any():
            shared[d] = c.count * size[d] * float((site.price[ok] / site.cap[ok, d]).min())
    return 0.0, shared


def _search(scenario: Scenario, objective: str, cands: list[list[Candidate]], site: _Site,
            *, budget: float, envelope: float) -> tuple[np.ndarray, float, float, int, int, np.ndarray]:
    """Run the kernel search; returns choice indices into each workload's candidate list."""
    s = scenario.site
    years = scenario.horizon_years
    mode = {"capex": K.MODE_CAPEX, "tco": K.MODE_TCO, "time": K.MODE_TIME}[objective]
    order_lists = []
    for lst in cands:
        if objective == "time":
            order = sorted(range(len(lst)), key=lambda i: (lst[i].arrival_day,
                                                           _separable(lst[i], objective, years), i))
        else:
            order = sorted(range(len(lst)), key=lambda i: (_separable(lst[i], objective, years), i))
        order_lists.append(order)
    flat = [(w, i) for w, order in enumerate(order_lists) for i in order]
    start = np.zeros(len(cands) + 1, np.int64)
    start[1:] = np.cumsum([len(lst) for lst in cands])
    C = len(flat)
    S = np.zeros((C, 5))
    n = np.zeros(C, np.int64)
    sep = np.zeros(C)
    capex = np.zeros(C)
    power = np.zeros(C)
    lead = np.zeros(C)
    rack_scale = np.zeros(C, np.bool_)
    excl_lb = np.zeros(C)
    shared_lb = np.zeros((C, 5))
    dedicated = np.array([w.placement == "dedicated" for w in scenario.workloads], np.bool_)
    for j, (w, i) in enumerate(flat):
        c = cands[w][i]
        S[j] = c.size
        n[j] = c.count
        sep[j] = _separable(c, objective, years)
        capex[j] = c.capex_usd
        power[j] = c.reserved_kw * c.count
        lead[j] = c.arrival_day
        rack_scale[j] = c.server.rack_scale
        excl_lb[j], shared_lb[j] = _rack_bounds(c, bool(dedicated[w] or c.server.rack_scale), site)
    choice, primary, value, lower, status, leaves, fails = K.search(
        start, S, n, sep, capex, power, lead, rack_scale, excl_lb, shared_lb, dedicated,
        site.cap, site.price, site.count, mode, budget, envelope,
        7.0 / s.install_racks_per_week, float(_days(s.burn_in_weeks)),
        LEAF_LIMIT, NODE_LIMIT, LEAF_WORK, SEARCH_WORK, SMALL_RACKS, MAX_PATTERNS)
    picked = np.array([flat[c][1] if c >= 0 else -1 for c in choice], np.int64)
    return picked, float(value), float(lower), int(status), int(leaves), fails


def plan(scenario: Scenario, catalog: Catalog | None = None, *, objective: str | None = None,
         force_models: Mapping[str, str] | None = None) -> Plan:
    """Choose a server model per workload, pack racks, and cost and schedule the result.

    ``catalog`` defaults to the bundled catalog plus the scenario's
    ``catalogs:``. ``objective`` overrides the scenario's (``capex``, ``tco``,
    ``time``). ``force_models`` maps workload names to a server id that
    workload must use (what ``rackplan compare`` does). Raises
    :class:`InfeasibleError` with a diagnosis when no plan meets every limit,
    and :class:`ScenarioError` when the scenario names something the catalog lacks.
    """
    if catalog is None:
        catalog = scenario._catalog or load_catalog(*scenario.catalog_paths())
        scenario._catalog = catalog
    else:
        check_scenario_references(scenario, catalog, None)
    objective = objective or scenario.objective
    if objective not in ("capex", "tco", "time"):
        raise ValueError(f"objective must be capex, tco or time, not {objective!r}")
    site = _site_arrays(scenario, catalog)
    cands: list[list[Candidate]] = []
    rejected: dict[str, dict[str, str]] = {}
    for w in scenario.workloads:
        lst, why = candidates_for(w, scenario, catalog, site)
        forced = (force_models or {}).get(w.name)
        if forced is not None:
            if forced not in catalog or not isinstance(catalog.get(forced), Server):
                raise ScenarioError([Problem(None, f"workloads[{w.name}]", "server",
                                             f"unknown server id {forced!r}")])
            why = {k: v for k, v in why.items() if k == forced}
            for c in lst:
                if c.server.id != forced:
                    why.setdefault(c.server.id, "not the forced model")
            lst = [c for c in lst if c.server.id == forced]
            if not lst:
                why = {forced: why.get(forced, "not in the catalog")}
        cands.append(lst)
        rejected[w.name] = why
    empty = [w for w, lst in zip(scenario.workloads, cands, strict=True) if not lst]
    if empty:
        raise InfeasibleError(_no_candidate_diagnosis(empty, rejected))
    budget = scenario.budget_usd if scenario.budget_usd is not None else math.inf
    envelope = scenario.site.it_power_kw
    picked, value, lower, status, leaves, fails = _search(
        scenario, objective, cands, site, budget=budget, envelope=envelope)
    if status == K.NOT_FOUND:
        raise InfeasibleError(Diagnosis(
            [f"no plan found within the search's limits ({leaves:,} model choices packed); "
             "the IT envelope, positions and budget together are too tight for a quick answer: "
             "relax one, or narrow the models with allowed"], {"search_limit_reached": True}))
    if status == K.NONE_FEASIBLE:
        raise InfeasibleError(_diagnose(scenario, objective, cands, site, fails))
    chosen = [cands[w][int(i)] for w, i in enumerate(picked)]
    return _build_plan(scenario, objective, chosen, site, lower, status, leaves)


# --------------------------------------------------------------------------- building the plan


def _items(scenario: Scenario, chosen: list[Candidate]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kernel item arrays of the chosen servers, shared workloads with interchangeable servers
    pooled: ``group`` (one per workload) and the pooled sizes, counts, exclusive, rack-scale."""
    S = np.array([c.size for c in chosen], np.float64)
    n = np.array([c.count for c in chosen], np.int64)
    rack_scale = np.array([c.server.rack_scale for c in chosen], np.bool_)
    exclusive = np.array([w.placement == "dedicated" for w in scenario.workloads], np.bool_) | rack_scale
    lead = np.array([c.arrival_day for c in chosen], np.float64)
    group, Sm, nm, exm, rsm, _lead = K.merge_items(S, n, exclusive, rack_scale, lead)
    return group, n, Sm, nm, exm, rsm


def _pack(scenario: Scenario, chosen: list[Candidate],
          site: _Site) -> tuple[int, np.ndarray, np.ndarray]:
    """Final packing: ``(status, rack types (R,), servers per rack and workload (R, W))``."""
    group, n, S, nm, exclusive, rack_scale = _items(scenario, chosen)
    pat, ptype, x, _cost, _bound, st, _work = K.pack_selection(
        S, nm, exclusive, rack_scale, site.cap, site.price, site.count,
        NODE_LIMIT * 25, FINAL_WORK, SMALL_RACKS, MAX_PATTERNS)
    if st != K.OK:
        return int(st), np.zeros(0, np.int64), np.zeros((0, len(chosen)), np.int64)
    types, pooled = _expand(pat, ptype, x, nm)
    return int(st), types, _split(pooled, group, n)


def _expand(pat: np.ndarray, ptype: np.ndarray, x: np.ndarray,
            n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Racks (type, counts per item type) from pattern counts, surplus servers removed."""
    types = np.repeat(ptype, x)
    counts = np.repeat(pat, x, axis=0).astype(np.int64)
    surplus = counts.sum(axis=0) - n
    for k in range(counts.shape[1]):
        r = len(types) - 1
        while surplus[k] > 0 and r >= 0:
            take = min(surplus[k], counts[r, k])
            counts[r, k] -= take
            surplus[k] -= take
            r -= 1
    keep = counts.sum(axis=1) > 0
    return types[keep], counts[keep]


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


def _install_finish(scenario: Scenario, arrivals: list[float], per_rack: float,
                    burn: int) -> list[float]:
    """Finish day of each rack in install order (one pipeline); a schedule that runs past
    MAX_SCHEDULE_YEARS (or the calendar) is refused with a diagnosis."""
    finishes = []
    finish = 0.0
    for arrival in arrivals:
        finish = max(finish, arrival) + per_rack
        finishes.append(finish)
    days = finish + burn
    limit = min(MAX_SCHEDULE_YEARS * 365.25, (dt.date.max - scenario.start).days)
    if not days <= limit:  # also catches inf and nan
        years = days / 365.25
        when = f"{years:,.0f} years" if years < 1e6 else "more than a million years"
        raise InfeasibleError(Diagnosis(
            [f"schedule: the plan would be ready {when} after {scenario.start} "
             f"({len(arrivals):,} racks at {scenario.site.install_racks_per_week:g} racks per week, "
             f"{scenario.site.burn_in_weeks:g} weeks burn-in); rackplan schedules at most "
             f"{MAX_SCHEDULE_YEARS} years ahead"],
            {"ready_years": years if math.isfinite(years) else None,
             "max_schedule_years": MAX_SCHEDULE_YEARS}))
    return finishes


def _r(v: float, digits: int = 6) -> float:
    return round(float(v), digits) + 0.0


def _build_plan(scenario: Scenario, objective: str, chosen: list[Candidate], site: _Site,
                search_lower: float, status: int, leaves: int) -> Plan:
    s = scenario.site
    years = scenario.horizon_years
    st, types, counts = _pack(scenario, chosen, site)
    if st != K.OK:  # the search packed this selection; a larger search cannot lose it
        raise RuntimeError(f"final packing failed with status {st}")
    start = scenario.start
    names = [w.name for w in scenario.workloads]

    # schedule: racks in order of arrival (last server), then by content, one install pipeline
    arrival = np.array([max(chosen[k].arrival_day for k in np.flatnonzero(row)) for row in counts])
    order = sorted(range(len(types)), key=lambda r: (arrival[r], tuple(-counts[r]), types[r]))
    per_rack = 7.0 / s.install_racks_per_week
    burn = _days(s.burn_in_weeks)
    finishes = _install_finish(scenario, [float(arrival[r]) for r in order], per_rack, burn)
    racks: list[Rack] = []
    last_install: dict[int, int] = {}
    for rank, r in enumerate(order):
        installed = math.ceil(finishes[rank] - 1e-9)
        row = counts[r]
        placements = []
        power = air = liquid = weight = 0.0
        u = 0
        for k in map(int, np.flatnonzero(row)):
            c = chosen[k]
            m = int(row[k])
            placements.append(Placement(workload=names[k], server=c.server.id, count=m))
            power += m * c.size[0]
            air += m * c.size[1]
            liquid += m * c.size[2]
            u += m * c.server.u_height
            weight += m * c.server.weight_kg
            last_install[k] = max(last_install.get(k, 0), installed)
        racks.append(Rack(id=f"r{rank + 1:04d}", rack=site.racks[types[r]].id, placements=placements,
                          power_kw=_r(power), air_kw=_r(air), liquid_kw=_r(liquid), u_used=u,
                          weight_kg=_r(weight), installed_date=start + dt.timedelta(days=installed)))
    online = {k: last_install[k] + burn for k in range(len(chosen))}
    ready = max(online.values())

    selections = []
    for k, c in enumerate(chosen):
        w = scenario.workloads[k]
        selections.append(Selection(
            workload=names[k], server=c.server.id, count=c.count, gpus=c.gpus,
            gpus_requested=w.gpus, arrival_date=start + dt.timedelta(days=c.arrival_day),
            server_usd=_r(c.server_usd, 2), tariff_usd=_r(c.tariff_usd, 2),
            energy_usd_per_year=_r(c.energy_usd_per_year, 2), it_power_kw=_r(c.count * c.size[0])))
    racks_usd = _r(sum(site.price[t] for t in types), 2)
    servers_usd = _r(sum(sel.server_usd for sel in selections), 2)
    tariffs_usd = _r(sum(sel.tariff_usd for sel in selections), 2)
    capex = _r(servers_usd + tariffs_usd + racks_usd, 2)
    opex = _r(sum(sel.energy_usd_per_year for sel in selections), 2)
    tco = _r(capex + opex * years, 2)
    gpus = sum(c.gpus for c in chosen)
    it_kw = _r(sum(r.power_kw for r in racks))
    totals = Totals(gpus=gpus, servers=sum(c.count for c in chosen), racks=len(racks), it_power_kw=it_kw,
                    facility_power_kw=_r(it_kw * s.pue), capex_usd=capex, opex_usd_per_year=opex,
                    tco_usd=tco, usd_per_gpu_hour=_r(tco / (gpus * HOURS_PER_YEAR * years)))
    value = capex if objective == "capex" else tco
    lower = min(search_lower, value)
    racks_lb = _racks_lower_bound(scenario, chosen, site)
    warnings = []
    for k, c in enumerate(chosen):
        w = scenario.workloads[k]
        if w.gpus is not None and c.gpus > w.gpus:
            warnings.append(f"workload {w.name!r}: {c.gpus} GPUs delivered for {w.gpus} requested "
                            f"({c.server.id} holds {c.server.gpu_count} per "
                            f"{'system' if c.server.rack_scale else 'server'})")
    if status == K.LIMIT:
        warnings.append(f"search stopped after {leaves:,} model combinations; the plan is valid "
                        "but not proven optimal (see bounds.gap)")
    limits = [Limit(limit="it_power_kw", used=it_kw, available=s.it_power_kw,
                    binding=it_kw >= 0.99 * s.it_power_kw)]
    if scenario.budget_usd is not None:
        limits.append(Limit(limit="budget_usd", used=capex, available=scenario.budget_usd,
                            binding=capex >= 0.99 * scenario.budget_usd))
    for t, rack in enumerate(site.racks):
        used = int((types == t).sum())
        limits.append(Limit(limit=f"positions:{rack.id}", used=used, available=int(site.count[t]),
                            binding=used >= 0.99 * site.count[t]))
    return Plan(
        scenario=scenario.name,
        objective=objective,
        selections=selections,
        racks=racks,
        totals=totals,
        costs=Costs(servers_usd=servers_usd, tariffs_usd=tariffs_usd, racks_usd=racks_usd),
        schedule=Schedule(ready_date=start + dt.timedelta(days=ready),
                          workloads=[WorkloadOnline(workload=names[k],
                                                    online_date=start + dt.timedelta(days=online[k]))
                                     for k in range(len(chosen))]),
        bounds=Bounds(racks_lower_bound=racks_lb, objective_lower_bound=_r(lower, 2),
                      gap=_r((value - lower) / value if value > 0 else 0.0),
                      objective_value=value),
        limits=limits,
        warnings=warnings,
    )


def _racks_lower_bound(scenario: Scenario, chosen: list[Candidate], site: _Site) -> int:
    """Fewest racks any packing of the selected servers can use (LP with unit prices)."""
    _group, _n, S, n, exclusive, rack_scale = _items(scenario, chosen)
    pat, ptype, truncated = K.enumerate_patterns(S, n, exclusive, rack_scale, site.cap, MAX_PATTERNS)
    simple = max(math.ceil(float((S * n[:, None]).sum(axis=0)[d] / site.cap[:, d].max()) - 1e-9)
                 for d in range(5) if site.cap[:, d].max() > 0)
    if truncated:
        return int(simple)
    A = pat.T.astype(np.float64)
    _, value, status, _work = K.solve_lp(A, n.astype(np.float64), ptype, site.count.astype(np.float64),
                                  np.ones(pat.shape[0]))
    if status != K.LP_OK:
        return int(simple)
    return int(max(simple, math.ceil(value - 1e-6)))


# --------------------------------------------------------------------------- diagnosis


def _no_candidate_diagnosis(empty: list[Workload], rejected: dict[str, dict[str, str]]) -> Diagnosis:
    reasons = []
    details: dict[str, object] = {"no_model_qualifies": {}}
    for w in empty:
        why = rejected[w.name]
        shown = [f"{sid}: {r}" for sid, r in why.items() if r != "not in allowed"]
        skipped = sum(1 for r in why.values() if r == "not in allowed")
        text = "; ".join(shown) if shown else "no catalog server is in its allowed list"
        if shown and skipped:
            text += f"; {skipped} other servers are not in its allowed list"
        reasons.append(f"workload {w.name!r}: no server model qualifies ({text})")
        details["no_model_qualifies"][w.name] = why  # type: ignore[index]
    return Diagnosis(reasons=reasons, details=details)


def _diagnose(scenario: Scenario, objective: str, cands: list[list[Candidate]], site: _Site,
              fails: np.ndarray) -> Diagnosis:
    """Which limit binds and by how much: each limit is tested with the others relaxed."""
    reasons: list[str] = []
    details: dict[str, object] = {}
    envelope = scenario.site.it_power_kw
    min_power = sum(min(c.reserved_kw * c.count for c in lst) for lst in cands)
    if min_power > envelope * (1 + 1e-12):
        short = min_power - envelope
        reasons.append(f"IT power short by {short:,.1f} kW: the least power any choice of models "
                       f"reserves is {min_power:,.1f} kW, the envelope is {envelope:,.1f} kW")
        details["it_power_short_kw"] = round(short, 6)
        details["it_power_needed_kw"] = round(min_power, 6)
        details["it_power_kw"] = envelope
    # positions: every rack type gets unlimited overflow positions at a prohibitive price
    T = len(site.racks)
    penalty = 1e6 * (float(site.price.max()) + 1.0) + 1e9
    over = _Site(site.racks + site.racks, np.vstack([site.cap, site.cap]),
                 np.concatenate([site.price, site.price + penalty]),
                 np.concatenate([site.count, np.full(T, 10_000_000, np.int64)]))
    picked, _v, _l, status, _leaves, _f = _search(scenario, "capex", cands, over, budget=math.inf,
                                                  envelope=math.inf)
    positions_ok = False
    if status != K.NONE_FEASIBLE:
        chosen = [cands[w][int(i)] for w, i in enumerate(picked)]
        _st, types, _counts = _pack(scenario, chosen, over)
        used = np.bincount(types, minlength=2 * T)
        short_types = {}
        for t in range(T):
            extra = int(used[T + t])
            if extra > 0:
                rack = site.racks[t]
                kind = "liquid" if rack.liquid_cooling_kw > 0 else "air"
                have = int(site.count[t])
                reasons.append(f"{kind} positions ({rack.id}): need {have + extra}, have {have}")
                short_types[rack.id] = {"need": have + extra, "have": have}
        if short_types:
            details["positions"] = short_types
        else:
            positions_ok = True
    if positions_ok and scenario.budget_usd is not None:
        picked, value, _l, status, _leaves, _f = _search(scenario, "capex", cands, site,
                                                         budget=math.inf, envelope=math.inf)
        if status != K.NONE_FEASIBLE and value > scenario.budget_usd:
            short = value - scenario.budget_usd
            reasons.append(f"budget short by ${short:,.0f}: the cheapest plan costs ${value:,.0f}, "
                           f"the budget is ${scenario.budget_usd:,.0f}")
            details["budget_short_usd"] = round(short, 2)
            details["cheapest_capex_usd"] = round(value, 2)
    if not reasons:
        reasons.append("no choice of server models meets the IT envelope, the rack positions and "
                       "the budget together, though each can be met alone")
    details["rejected_combinations"] = {"no_fit": int(fails[0]), "positions": int(fails[1]),
                                        "packing": int(fails[2]), "budget": int(fails[3])}
    return Diagnosis(reasons=reasons, details=details)


# --------------------------------------------------------------------------- compare


def compare(scenario: Scenario, catalog: Catalog | None = None, *,
            objective: str | None = None) -> list[Alternative]:
    """The optimized plan, then one alternative per server model, forced where it qualifies.

    Each alternative forces one server model on every workload it qualifies
    for (``forced_on``); the other workloads keep the optimizer's choice.
    Models that qualify for no workload get no row. An alternative that cannot
    meet the site's limits gets ``feasible=False`` and the diagnosis. Feasible
    rows are sorted by the objective.
    """
    if catalog is None:
        catalog = scenario._catalog or load_catalog(*scenario.catalog_paths())
    objective = objective or scenario.objective
    site = _site_arrays(scenario, catalog)

    def row(server_id: str | None, force: dict[str, str] | None) -> Alternative:
        forced_on = list(force) if force else []
        try:
            p = plan(scenario, catalog, objective=objective, force_models=force)
        except InfeasibleError as exc:
            return Alternative(server=server_id, forced_on=forced_on, feasible=False,
                               reason=str(exc))
        t = p.totals
        return Alternative(server=server_id, forced_on=forced_on, feasible=True,
                           servers=t.servers, racks=t.racks,
                           it_power_mw=_r(t.it_power_kw / 1000), capex_usd=t.capex_usd,
                           tco_usd=t.tco_usd, usd_per_gpu_hour=t.usd_per_gpu_hour,
                           ready_date=p.schedule.ready_date)

    rows = [row(None, None)]
    eligible: dict[str, list[str]] = {}
    for w in scenario.workloads:
        lst, _why = candidates_for(w, scenario, catalog, site)
        for c in lst:
            eligible.setdefault(c.server.id, []).append(w.name)
    alternatives = [row(s.id, {name: s.id for name in eligible[s.id]})
                    for s in catalog.servers if s.id in eligible]

    def key(a: Alternative) -> tuple[int, float, float, str]:
        if not a.feasible:
            return (1, 0.0, 0.0, a.server or "")
        if objective == "capex":
            return (0, 0.0, a.capex_usd or 0.0, a.server or "")
        first = float(a.ready_date.toordinal()) if objective == "time" and a.ready_date else 0.0
        return (0, first, a.tco_usd or 0.0, a.server or "")

    return rows + sorted(alternatives, key=key)
