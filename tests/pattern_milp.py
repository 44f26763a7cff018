"""An exact reference for the planning problem: the pattern (cutting-stock) MILP, solved with HiGHS.

Written from DESIGN.md alone; it shares no code with rackplan's planner (only the
candidate rules are taken from ``tests/exact_milp.py``, itself independent).

For one choice of server model per workload, the servers become *items*: a shared
workload's servers are pooled with those of every other shared workload that chose
the same model (same size, same lead time), a dedicated workload's servers are an
item of their own that shares racks with nothing else, and a rack-scale system is
alone in its rack, one per rack. Every MAXIMAL rack pattern per rack type (a
multiset of items one rack holds within its five capacities -- reserved kW, air kW,
liquid kW, U, kg, compared with a relative tolerance of 1e-9 -- counts capped at each
item's demand, to which not one more unit of any item can be added) is enumerated in
plain Python, and HiGHS solves

    min  sum_p price_t(p) x_p
    s.t. sum_p a_pk x_p >= n_k                 every item covered
         sum_{p of type t} x_p <= positions_t   positions
         sum_p price_t(p) x_p <= budget - servers capex   (when the scenario has a budget)
         x_p integer >= 0

Restricting to maximal patterns loses nothing: any rack can be filled up to a maximal
pattern of the same type and price, and covering with ``>=`` allows surplus.

Over model choices the optimum is the minimum over every combination of one candidate
per workload of (separable cost + rack cost), subject to the site's IT envelope and the
budget; a combination is pruned when its separable cost plus a valid lower bound on its
rack cost (fractional volume, then the LP relaxation) is already at least the best found.

Objective ``time`` (ready date first, then TCO): lead times and burn-in become whole
days rounded up; a rack arrives with its last server; racks install in arrival order
through one pipeline at ``install_racks_per_week``, rack i finishing at
``max(arrival_i, finish_{i-1}) + 7/rate``; the plan is ready at
``ceil(last finish) + burn-in``. With distinct arrival days A_1 < ... < A_G, the last
finish is ``max_g (A_g + (7/rate) * R_{>=g})`` where R_{>=g} counts the racks arriving
on or after A_g (``last_finish`` simulates, ``last_finish_grouped`` is the identity; the
tests check they agree). MILP 1 minimises an integer ``ready`` >= every such term, MILP 2
fixes ``ready`` at its optimum and minimises TCO. Filling a rack is no longer free here (a
later server makes the rack later), so the patterns are, per arrival day a, those maximal
over the items arriving by a that hold an item arriving on a.

highspy is imported inside the functions: highspy and OR-Tools ship conflicting HiGHS
symbols and cannot be loaded in one process.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tests.exact_milp import _candidates

REL_TOL = 1e-9
"""Relative tolerance on every rack capacity."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Item:
    """Servers packed as one kind: a pooled model of shared workloads, or one dedicated workload."""

    key: str
    size: tuple[float, ...]  # reserved kW, air kW, liquid kW, U, kg
    n: int
    alone: bool = False  # dedicated: its racks hold nothing else
    rack_scale: bool = False  # one unit per rack, nothing else in it
    arrival: int = 0  # lead time in whole days (objective time)
    form_factor: str = "eia-19"  # goes only into racks of this form factor


@dataclass(frozen=True)
class RackCap:
    id: str
    cap: tuple[float, ...]  # usable kW, air kW, liquid kW, U, kg
    price: float
    count: int
    form_factor: str = "eia-19"


def in_rack(items: Sequence[Item], rack: RackCap) -> list[Item]:
    """``items`` as one rack type sees them: an item of another form factor never fits."""
    never = (1e30,) * 5  # finite: a pattern multiplies sizes by counts, and 0 * inf is nan
    return [it if it.form_factor == rack.form_factor else
            Item(it.key, never, it.n, it.alone, it.rack_scale, it.arrival, it.form_factor)
            for it in items]


@dataclass
class PatternResult:
    """The pattern MILP for one choice of models.

    status: ``optimal``; ``infeasible`` (only when HiGHS's model status is kInfeasible, for
    the MILP or its LP relaxation); ``limit``
    (anything else, e.g. the time limit: proves nothing); ``too_many_patterns`` (the
    enumeration passed its cap; nothing solved); ``pruned`` (a bound showed it cannot beat
    the cutoff given). value: rack cost (objective ``time``: at the optimal ready day).
    """

    status: str
    value: float = math.inf
    racks_by_type: dict[str, int] = field(default_factory=dict)
    patterns: list[tuple[str, dict[str, int], int]] = field(default_factory=list)
    n_patterns: int = 0
    ready: int | None = None  # ceil(last finish) in days after the order, burn-in excluded
    seconds: float = 0.0


@dataclass
class Result:
    """The reference optimum of a whole scenario.

    status: ``optimal`` (every combination not pruned was solved or proven infeasible),
    ``infeasible`` (every combination proven infeasible: IT envelope, a server no rack type
    holds, servers' capex plus a proven lower bound on rack cost above the budget, or HiGHS
    kInfeasible), ``limit`` (anything else; ``value`` is then the best plan found, if
    any). value: capex or TCO (TCO for ``time``). ready_day: days from the order date to
    the ready date, burn-in included (objective ``time`` only).
    """

    status: str
    value: float
    ready_day: int | None
    choice: dict[str, str]
    racks_by_type: dict[str, int]
    seconds: float
    notes: dict = field(default_factory=dict)


def days(weeks: float) -> int:
    """Weeks as whole days, rounded up."""
    return math.ceil(7.0 * weeks - 1e-9)


def rack_caps(scenario, catalog) -> list[RackCap]:  # type: ignore[no-untyped-def]
    out = []
    for p in scenario.site.rack_positions:
        r = catalog.rack(p.rack)
        usable = r.power_kw * r.feeds / (2 if scenario.site.power_redundancy == "2N" else 1)
        out.append(RackCap(r.id, (usable, r.air_cooling_kw, r.liquid_cooling_kw,
                                  float(r.u_height - r.reserved_u_bottom - r.reserved_u_top),
                                  r.max_load_kg), r.price_usd, p.count, r.form_factor))
    return out


def _limits(cap: Sequence[float]) -> tuple[float, ...]:
    return tuple(c * (1 + REL_TOL) for c in cap)


def fits(load: Sequence[float], size: Sequence[float], lim: Sequence[float], times: int = 1) -> bool:
    """``load + times * size`` within ``lim`` (a capacity already widened by REL_TOL)."""
    return all(ld + times * s <= li for ld, s, li in zip(load, size, lim, strict=True))


def _max_count(load, size, lim, cap_n: int) -> int:  # type: ignore[no-untyped-def]
    m = cap_n
    for ld, s, li in zip(load, size, lim, strict=True):
        if s > 0:
            m = min(m, int(max(li - ld, 0.0) // s) + 1)
    while m > 0 and not fits(load, size, lim, m):
        m -= 1
    return m


# --------------------------------------------------------------------------- patterns


class TooManyPatterns(Exception):
    pass


def maximal_patterns(sizes: Sequence[Sequence[float]], demand: Sequence[int], cap: Sequence[float],
                     *, max_patterns: int = 200_000) -> list[tuple[int, ...]]:
    """Every maximal pattern of mutually compatible items in one rack of capacity ``cap``.

    A pattern is a count per item (at most its demand) that fits, to which no item with
    count below its demand can be added. Raises TooManyPatterns past ``max_patterns``
    patterns (or 100x as many search leaves).
    """
    k = len(sizes)
    lim = _limits(cap)
    szs = [tuple(float(v) for v in s) for s in sizes]
    scale = [max((s / c for s, c in zip(sz, cap, strict=True) if c > 0), default=0.0) for sz in szs]
    order = sorted(range(k), key=lambda i: -scale[i])  # big items first: fewer branches
    out: list[tuple[int, ...]] = []
    counts = [0] * k
    leaves = 0
    leaf_cap = 100 * max_patterns

    def rec(pos: int, load: tuple[float, ...]) -> None:
        nonlocal leaves
        if pos == k:
            leaves += 1
            if leaves > leaf_cap:
                raise TooManyPatterns
            if not any(counts):
                return
            for i in range(k):
                if counts[i] < demand[i] and fits(load, szs[i], lim):
                    return
            out.append(tuple(counts))
            if len(out) > max_patterns:
                raise TooManyPatterns
            return
        i = order[pos]
        m = _max_count(load, szs[i], lim, int(demand[i]))
        # the last item is always taken to its maximum: any fewer leaves room for one more
        low = m if pos == k - 1 else 0
        for c in range(m, low - 1, -1):
            counts[i] = c
            rec(pos + 1, tuple(ld + c * s for ld, s in zip(load, szs[i], strict=True)))
        counts[i] = 0

    rec(0, (0.0,) * len(cap))
    return out


def rack_patterns(items: Sequence[Item], cap: Sequence[float], *, by_arrival: bool = False,
                  max_patterns: int = 200_000) -> list[tuple[int, ...]]:
    """Maximal patterns of one rack type over all items: shared items together, a
    dedicated item only with itself, a rack-scale system alone (one per rack).

    ``by_arrival`` (objective ``time``): a rack arrives with its last item, so filling a
    rack with a later item is not free. The patterns are then, for each arrival day a,
    those maximal over the items arriving by a that hold an item arriving on a: any rack
    whose last item arrives on a fills up, with items arriving by a, to one of them.
    """
    if by_arrival:
        out: list[tuple[int, ...]] = []
        for a in sorted({it.arrival for it in items}):
            sub = [i for i, it in enumerate(items) if it.arrival <= a]
            for pat in rack_patterns([items[i] for i in sub], cap,
                                     max_patterns=max_patterns - len(out)):
                if max(items[i].arrival for i, c in zip(sub, pat, strict=True) if c) == a:
                    full = [0] * len(items)
                    for i, c in zip(sub, pat, strict=True):
                        full[i] = c
                    out.append(tuple(full))
        return out
    lim = _limits(cap)
    zero = (0.0,) * len(cap)
    k = len(items)
    out = []
    shared = [i for i, it in enumerate(items) if not it.alone and not it.rack_scale]
    if shared:
        for pat in maximal_patterns([items[i].size for i in shared], [items[i].n for i in shared],
                                    cap, max_patterns=max_patterns):
            full = [0] * k
            for i, c in zip(shared, pat, strict=True):
                full[i] = c
            out.append(tuple(full))
    for i, it in enumerate(items):
        if it.alone or it.rack_scale:
            c = _max_count(zero, it.size, lim, 1 if it.rack_scale else it.n)
            if c >= 1:
                full = [0] * k
                full[i] = c
                out.append(tuple(full))
        if len(out) > max_patterns:
            raise TooManyPatterns
    return out


# --------------------------------------------------------------------------- schedule


def last_finish(arrivals: Sequence[float], per_rack: float) -> float:
    """Finish of the last rack: racks in arrival order, one pipeline, ``per_rack`` days each."""
    finish = 0.0
    for a in sorted(arrivals):
        finish = max(finish, a) + per_rack
    return finish


def last_finish_grouped(arrivals: Sequence[float], per_rack: float) -> float:
    """The same as ``max_g (A_g + per_rack * R_{>=g})`` over the distinct arrival days."""
    if not arrivals:
        return 0.0
    return max(a + per_rack * sum(1 for b in arrivals if b >= a) for a in set(arrivals))


def ready_day(arrivals: Sequence[float], per_rack: float, burn_in_days: int) -> int:
    return math.ceil(last_finish(arrivals, per_rack) - 1e-9) + burn_in_days


# --------------------------------------------------------------------------- HiGHS


def _highs(time_limit_s: float):  # type: ignore[no-untyped-def]
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    return h


def _pass(h, cost, lower, upper, cols, row_lo, row_hi, integer: bool) -> None:  # type: ignore[no-untyped-def]
    """cols: per column a list of (row, value)."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lo)
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    start, index, value = [0], [], []
    for col in cols:
        for r, v in col:
            index.append(r)
            value.append(v)
        start.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cost)
    h.passModel(lp)


def _run(h) -> tuple[str, float, list[float]]:  # type: ignore[no-untyped-def]
    import highspy

    h.run()
    st = h.getModelStatus()
    if st == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", math.inf, []
    if st == highspy.HighsModelStatus.kOptimal:
        return "optimal", h.getInfo().objective_function_value, list(h.getSolution().col_value)
    return "limit", math.inf, []


def solve_patterns(items: Sequence[Item], racks: Sequence[RackCap], *, rack_budget: float = math.inf,
                   per_rack: float | None = None, cost_cutoff: float = math.inf,
                   ready_cutoff: int | None = None, time_limit_s: float = 60.0,
                   max_patterns: int = 200_000) -> PatternResult:
    """The pattern MILP for one choice of models.

    ``rack_budget``: the most the racks may cost (budget minus the servers' capex).
    ``per_rack``: days per rack in the install pipeline; given, the objective is
    ``time`` (MILP 1 over the ready day, then MILP 2 over rack cost at that day).
    ``cost_cutoff`` / ``ready_cutoff``: return ``pruned`` when the LP relaxation shows
    the rack cost cannot go below ``cost_cutoff`` (at a ready day equal to ``ready_cutoff``
    for ``time``), or the ready day is above ``ready_cutoff``.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    k = len(items)
    pats: list[tuple[int, tuple[int, ...]]] = []
    try:
        for t, r in enumerate(racks):
            pats += [(t, p) for p in rack_patterns(in_rack(items, r), r.cap, by_arrival=per_rack is not None,
                                                    max_patterns=max_patterns)]
            if len(pats) > max_patterns:
                raise TooManyPatterns
    except TooManyPatterns:
        return PatternResult("too_many_patterns", n_patterns=len(pats),
                             seconds=time.perf_counter() - t0)
    npat = len(pats)

    def done(status: str, **kw) -> PatternResult:  # type: ignore[no-untyped-def]
        return PatternResult(status, n_patterns=npat, seconds=time.perf_counter() - t0, **kw)

    # columns: x_p per pattern, then y_t = racks of type t (integer: HiGHS branches on the
    # rack counts, which closes the gap far faster than branching on patterns alone), then
    # (time) `ready`. Rows: items, y_t links, budget, then (time) one per arrival day.
    T = len(racks)
    row_lo = [float(it.n) for it in items] + [0.0] * T
    row_hi = [math.inf] * k + [0.0] * T
    cols: list[list[tuple[int, float]]] = []
    for t, p in pats:
        cols.append([(i, float(c)) for i, c in enumerate(p) if c] + [(k + t, 1.0)])
    ycols: list[list[tuple[int, float]]] = [[(k + t, -1.0)] for t in range(T)]
    if math.isfinite(rack_budget):
        for t in range(T):
            ycols[t].append((len(row_lo), racks[t].price))
        row_lo.append(-math.inf)
        row_hi.append(rack_budget)
    lower = [0.0] * (npat + T)
    upper = [float(racks[t].count) for t, _ in pats] + [float(r.count) for r in racks]
    price = [0.0] * npat + [r.price for r in racks]

    def solution(x: list[float], value: float, ready: int | None = None) -> PatternResult:
        by_type: dict[str, int] = {}
        used = []
        for (t, p), v in zip(pats, x[:npat], strict=True):
            n = int(round(v))
            if n > 0:
                by_type[racks[t].id] = by_type.get(racks[t].id, 0) + n
                used.append((racks[t].id, {items[i].key: c for i, c in enumerate(p) if c}, n))
        return done("optimal", value=value, racks_by_type=by_type, patterns=used, ready=ready)

    if per_rack is None:
        if math.isfinite(cost_cutoff):
            h = _highs(deadline - time.perf_counter())
            _pass(h, price, lower, upper, cols + ycols, row_lo, row_hi, integer=False)
            st, lp, _ = _run(h)
            if st == "infeasible":
                return done("infeasible")
            if st == "optimal" and lp >= cost_cutoff - 1e-9 * max(1.0, abs(cost_cutoff)):
                return done("pruned", value=lp)
        h = _highs(deadline - time.perf_counter())
        _pass(h, price, lower, upper, cols + ycols, row_lo, row_hi, integer=True)
        st, value, x = _run(h)
        if st != "optimal":
            return done(st)
        return solution(x, value)

    # objective time: `ready` >= A_g + per_rack * R_{>=g} for each distinct arrival day A_g
    arr_p = [max(items[i].arrival for i, c in enumerate(p) if c) for _, p in pats]
    groups = sorted(set(arr_p))
    g0 = len(row_lo)
    for a in groups:  # ready - per_rack * R_{>=a} >= a - 1e-9
        row_lo.append(a - 1e-9)
        row_hi.append(math.inf)
    for j, col in enumerate(cols):
        col += [(g0 + gi, -per_rack) for gi, a in enumerate(groups) if arr_p[j] >= a]
    all_cols = [*cols, *ycols, [(g0 + gi, 1.0) for gi in range(len(groups))]]

    def milp(cost: list[float], ready_ub: float, integer: bool = True):  # type: ignore[no-untyped-def]
        h = _highs(deadline - time.perf_counter())
        h.setOptionValue("mip_feasibility_tolerance", 1e-9)
        h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        _pass(h, cost, lower + [0.0], upper + [ready_ub], all_cols, row_lo, row_hi, integer)
        return _run(h)

    st, ready_v, _ = milp([0.0] * (npat + T) + [1.0], math.inf)
    if st != "optimal":
        return done(st)
    ready = int(round(ready_v))
    if ready_cutoff is not None and ready > ready_cutoff:
        return done("pruned", ready=ready)
    if ready_cutoff is not None and ready == ready_cutoff and math.isfinite(cost_cutoff):
        st, lp, _ = milp(price + [0.0], float(ready), integer=False)
        if st == "optimal" and lp >= cost_cutoff - 1e-9 * max(1.0, abs(cost_cutoff)):
            return done("pruned", value=lp, ready=ready)
    st, value, x = milp(price + [0.0], float(ready))
    if st != "optimal":  # kInfeasible here would be a numerical accident, not a proof
        return done("limit", ready=ready)
    res = solution(x, value, ready)
    # the ready day of the solution, simulated rack by rack, must be the MILP's
    arrivals = [a for a, v in zip(arr_p, x[:npat], strict=True) for _ in range(int(round(v)))]
    if math.ceil(last_finish(arrivals, per_rack) - 1e-9) != ready:
        return done("limit", ready=ready)
    return res


# --------------------------------------------------------------------------- whole scenario


def items_for(scenario, chosen: Sequence[dict]) -> list[Item]:  # type: ignore[no-untyped-def]
    """Items of one choice (``chosen``: a candidate per workload, from ``_candidates``)."""
    pooled: dict[str, Item] = {}
    out: list[Item] = []
    for w, c in zip(scenario.workloads, chosen, strict=True):
        s = c["server"]
        size = tuple(float(v) for v in c["size"])
        arrival = days(s.lead_time_weeks)
        if w.placement == "dedicated":
            out.append(Item(f"{s.id}@{w.name}", size, int(c["n"]), True, bool(s.rack_scale), arrival,
                            s.form_factor))
        elif s.id in pooled:
            it = pooled[s.id]
            pooled[s.id] = Item(it.key, it.size, it.n + int(c["n"]), False, it.rack_scale, arrival,
                                s.form_factor)
        else:
            pooled[s.id] = Item(s.id, size, int(c["n"]), False, bool(s.rack_scale), arrival,
                                s.form_factor)
    return list(pooled.values()) + out


def _volume_bound(items: Sequence[Item], racks: Sequence[RackCap]) -> float:
    """A lower bound on rack cost ignoring positions (inf when an item fits no rack type).

    Dedicated items and rack-scale systems take racks of their own: n * min over types of
    price / units per rack. The shared items share the other racks: for each dimension d,
    those racks cost at least (their total load in d) * min over types of price / capacity
    in d; the bound takes the best dimension (not a sum over items of their own largest
    dimension, which is no bound: items binding on different dimensions share racks).
    """
    total = 0.0
    zero = (0.0,) * 5
    load = [0.0] * 5
    for it in items:
        lims = [_limits(r.cap) for r in racks]
        ok = [r.form_factor == it.form_factor and fits(zero, it.size, lim)
              for r, lim in zip(racks, lims, strict=True)]
        if not any(ok):
            return math.inf
        if it.rack_scale:
            total += it.n * min(r.price for r, o in zip(racks, ok, strict=True) if o)
        elif it.alone:
            total += it.n * min(r.price / _max_count(zero, it.size, lim, 10**9)
                                for r, lim, o in zip(racks, lims, ok, strict=True) if o)
        else:
            load = [ld + it.n * s for ld, s in zip(load, it.size, strict=True)]
    shared = 0.0
    for d in range(5):
        per = [r.price / r.cap[d] for r in racks if r.cap[d] > 0]
        if load[d] > 0 and per:
            shared = max(shared, load[d] * min(per))
    return total + shared


def solve_reference(scenario, catalog, objective: str | None = None,  # type: ignore[no-untyped-def]
                    time_limit_s: float = 60.0, max_patterns: int = 200_000) -> Result:
    """The optimum over every choice of one model per workload (see the module docstring)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    objective = objective or scenario.objective
    years = scenario.horizon_years
    site = scenario.site
    cands = _candidates(scenario, catalog)
    racks = rack_caps(scenario, catalog)
    notes: dict = {"combinations": 0, "pruned": 0, "infeasible": 0, "solved": 0, "limit": 0,
                   "too_many_patterns": 0, "max_patterns": 0}
    if any(not lst for lst in cands):
        return Result("infeasible", math.inf, None, {}, {}, time.perf_counter() - t0, notes)
    budget = scenario.budget_usd * (1 + 1e-9) if scenario.budget_usd is not None else math.inf
    per_rack = 7.0 / site.install_racks_per_week if objective == "time" else None
    burn = days(site.burn_in_weeks)

    combos = []
    for pick in itertools.product(*[range(len(lst)) for lst in cands]):
        notes["combinations"] += 1
        chosen = [cands[w][c] for w, c in enumerate(pick)]
        power = sum(c["power"] for c in chosen)
        capex = sum(c["capex"] for c in chosen)
        sep = capex + (sum(c["energy"] for c in chosen) * years if objective != "capex" else 0.0)
        items = items_for(scenario, chosen)
        vol = _volume_bound(items, racks)
        if (power > site.it_power_kw * (1 + 1e-9) or not math.isfinite(vol)
                or capex + vol > budget):
            notes["infeasible"] += 1
            continue
        ready_lb = 0
        if per_rack is not None:
            ready_lb = math.ceil(max(it.arrival for it in items) + per_rack - 1e-9)
        combos.append(((ready_lb, sep + vol), pick, chosen, items, capex, sep))
    combos.sort(key=lambda c: (c[0], c[1]))

    best_key: tuple[int, float] = (10**12, math.inf)
    best: tuple | None = None
    unproven = False
    for (ready_lb, lb), pick, chosen, items, capex, sep in combos:
        best_ready, best_value = best_key
        if ready_lb > best_ready or (ready_lb == best_ready
                                     and lb >= best_value - 1e-9 * abs(best_value)):
            notes["pruned"] += 1
            continue
        left = deadline - time.perf_counter()
        if left <= 0:
            notes["limit"] += 1
            unproven = True
            continue
        if per_rack is None:
            res = solve_patterns(items, racks, rack_budget=budget - capex,
                                 cost_cutoff=best_value - sep, time_limit_s=left,
                                 max_patterns=max_patterns)
        else:
            same = best is not None
            res = solve_patterns(items, racks, rack_budget=budget - capex, per_rack=per_rack,
                                 cost_cutoff=(best_value - sep) if same else math.inf,
                                 ready_cutoff=best_ready if same else None, time_limit_s=left,
                                 max_patterns=max_patterns)
        notes["max_patterns"] = max(notes["max_patterns"], res.n_patterns)
        if res.status == "pruned":
            notes["pruned"] += 1
        elif res.status == "infeasible":
            notes["infeasible"] += 1
        elif res.status in ("limit", "too_many_patterns"):
            notes[res.status] += 1
            unproven = True
        else:
            notes["solved"] += 1
            key = (res.ready if res.ready is not None else 0, sep + res.value)
            if per_rack is None:
                key = (0, key[1])
            if key[0] < best_key[0] or (key[0] == best_key[0] and key[1] < best_key[1]):
                best_key = key
                best = (pick, chosen, res)
    seconds = time.perf_counter() - t0
    if best is None:
        status = "limit" if unproven else "infeasible"
        return Result(status, math.inf, None, {}, {}, seconds, notes)
    pick, chosen, res = best
    choice = {w.name: c["server"].id for w, c in zip(scenario.workloads, chosen, strict=True)}
    ready = best_key[0] + burn if per_rack is not None else None
    notes["patterns"] = res.patterns
    return Result("limit" if unproven else "optimal", best_key[1], ready, choice,
                  res.racks_by_type, seconds, notes)


# --------------------------------------------------------------------------- LP bound


@dataclass
class LPBound:
    """The LP relaxation of "fewest identical racks holding every item" (cutting stock)."""

    lp: float  # LP optimum (or, not converged, the best proven lower bound on it)
    racks_lower_bound: int  # ceil(lp): no packing uses fewer racks
    converged: bool  # racks_lower_bound = ceil(LP optimum), proven
    lp_exact: bool  # lp is the LP optimum (no column prices above 1)
    iterations: int
    columns: int
    seconds: float


def lp_bound_colgen(items: Sequence[Item], cap: Sequence[float], *, time_limit_s: float = 60.0,
                    max_iterations: int = 10_000, exact_lp: bool = False) -> LPBound:
    """Column generation for shared items in one rack type, every rack costing 1.

    Master: min sum x_p s.t. sum_p a_pk x_p >= n_k, x >= 0 (HiGHS simplex). Pricing: a
    bounded integer knapsack in five dimensions, max sum_k pi_k a_k s.t. the rack's
    capacities (relative tolerance 1e-9), a_k <= n_k (HiGHS MILP). Each iteration gives
    the Farley bound z / max(1, pricing bound); at convergence (no column prices above
    1 + 1e-9) it is the LP optimum. Stops as soon as the rack bound is settled, i.e. ceil of
    the Farley bound equals ceil of the master's value (``exact_lp`` runs on to the LP
    optimum). Returns the best bound seen.
    """
    import highspy

    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    k = len(items)
    lim = _limits(cap)
    zero = (0.0,) * len(cap)
    ub = [_max_count(zero, it.size, lim, it.n) for it in items]
    if any(u == 0 for u in ub):
        raise ValueError("an item does not fit the rack")
    master = _highs(time_limit_s)
    inf = highspy.kHighsInf
    for it in items:
        master.addRow(float(it.n), inf, 0, np.array([], np.int32), np.array([]))
    ncols = 0

    def add(col: Sequence[int]) -> None:
        nonlocal ncols
        idx = [i for i, c in enumerate(col) if c]
        master.addCol(1.0, 0.0, inf, len(idx), np.array(idx, np.int32),
                      np.array([float(col[i]) for i in idx]))
        ncols += 1

    for i in range(k):  # homogeneous starts
        add([ub[i] if j == i else 0 for j in range(k)])
    best = 0.0
    converged = lp_exact = False
    it_count = 0
    dims = [d for d in range(len(cap)) if any(it.size[d] > 0 for it in items)]
    pcols: list[list[tuple[int, float]]] = [[] for _ in range(k)]
    for r, d in enumerate(dims):
        for i, it in enumerate(items):
            if it.size[d] > 0:
                pcols[i].append((r, it.size[d]))

    def price(duals: list[float]) -> tuple[bool, float, float, list[int]]:
        """(solved, best value, upper bound on the best value, column)."""
        pricing = _highs(deadline - time.perf_counter())
        _pass(pricing, [-p for p in duals], [0.0] * k, [float(u) for u in ub], pcols,
              [-math.inf] * len(dims), [lim[d] for d in dims], integer=True)
        pricing.run()
        info = pricing.getInfo()
        if pricing.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            bound = -info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else math.inf
            return False, math.nan, bound, []
        return (True, -info.objective_function_value, -info.mip_dual_bound,
                [int(round(v)) for v in pricing.getSolution().col_value])

    # Wentges smoothing: price at a mix of the best duals so far and the master's duals
    center: list[float] | None = None
    alpha = 0.5
    for it_count in range(1, max_iterations + 1):  # noqa: B007
        master.run()
        if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        z = master.getInfo().objective_function_value
        pi = [max(0.0, abs(v)) for v in master.getSolution().row_dual]
        if deadline - time.perf_counter() <= 0:
            break
        duals = pi if center is None else [alpha * c + (1 - alpha) * p
                                           for c, p in zip(center, pi, strict=True)]
        solved, value, value_ub, col = price(duals)
        # Farley / Lagrangian bound: any duals >= 0, scaled to be dual feasible
        farley = sum(d * it.n for d, it in zip(duals, items, strict=True)) / max(1.0, value_ub)
        if farley > best:
            best, center = farley, duals
        if not solved:
            break
        if duals is pi and value_ub <= 1 + 1e-9:
            best = max(best, z)
            converged = lp_exact = True
            break
        if not exact_lp and math.ceil(best - 1e-6) >= math.ceil(z - 1e-6):
            converged = True
            break
        if sum(p * c for p, c in zip(pi, col, strict=True)) > 1 + 1e-9:
            add(col)
        elif duals is not pi:  # mispriced: next time price at the master's own duals
            center = None
    return LPBound(best, math.ceil(best - 1e-6), converged, lp_exact, it_count, ncols,
                   time.perf_counter() - t0)
