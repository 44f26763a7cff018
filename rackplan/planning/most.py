"""The most within limits: objectives ``max_gpus`` and ``max_fp8_pflops``.

Workloads marked ``grow`` take as much as the site's power, positions, cooling,
budget (and need-by dates, where given) allow; the others get exactly their
demand; among plans giving the most, the least TCO wins.

The planner's own search is the oracle. A *probe* at floor ``D`` plans for the
least TCO with the grow workload sized to at least ``D`` (its own demand still a
minimum). Feasibility is monotone in ``D``: a plan giving ``D`` still fits with
servers taken out. So, for one grow workload, a bisection over ``D`` between
what its minimum plan gives and a proven upper bound finds the most:

- a plan at floor ``D`` giving ``v >= D`` proves ``v`` reachable;
- a proven infeasible probe at ``D`` proves that nothing gives ``D`` or more;
- a probe that stops at the search's limits proves nothing: it narrows the
  bisection but not the bound, and the gap says so.

The plan at the last reachable floor is also the least TCO among plans giving
the most: its search covered every plan giving at least that floor. GPUs are
whole, so the bisection ends exact; PFLOPS are not, so once the interval is
narrower than any server's share, every value a single model could reach in it
is probed in turn.

With several grow workloads the split is a choice of its own. They are grown
along a few directions (evenly, each alone with the others at their demand,
then each in turn with the others kept at what they have), in at most
:data:`SEVERAL_PROBES` searches; the best plan found is returned with the
proven upper bound of :func:`upper_bound` and the gap between them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

from ..errors import InfeasibleError, Problem, ScenarioError, SearchLimitError
from ..models import Catalog, Scenario
from ..models.result import Most, Plan, Selection
from ..tolerance import FIT_REL
from . import _plan_least, candidate_lists
from .arrays import site_arrays
from .candidates import Candidate, per_server_value

UNIT = {"max_gpus": "gpus", "max_fp8_pflops": "fp8_pflops"}
"""The unit each maximizing objective counts."""

REL_TOL = 1e-9
"""PFLOPS: floors closer than this share are the same floor."""

Probe = Callable[[Mapping[str, tuple[str, float]]], Plan]


class Best(NamedTuple):
    plan: Plan
    value: float


def plan_most(scenario: Scenario, catalog: Catalog, objective: str,
              force_models: Mapping[str, str] | None,
              on_probe: Callable[[str], None] | None = None) -> Plan:
    """The plan giving the grow workloads the most ``objective``, then the least TCO."""
    grow = [w.name for w in scenario.workloads if w.grow]
    if not grow:
        raise ScenarioError([Problem(scenario.source_file, None, "objective",
                                     f"objective {objective} needs a workload with grow: true "
                                     "(the one that takes as much as the limits allow)")])
    unit = UNIT[objective]
    probes = unproven = 0

    def probe(floors: Mapping[str, tuple[str, float]]) -> Plan:
        nonlocal probes, unproven
        if len(grow) > 1 and probes >= SEVERAL_PROBES:
            raise _OutOfProbes
        probes += 1
        if on_probe is not None:
            on_probe(", ".join(f"{w} >= {_fmt(v, unit)}" for w, (_u, v) in floors.items())
                     or "every workload at its own demand")
        try:
            return _plan_least(scenario, catalog, "tco", force_models, floors)
        except InfeasibleError as exc:
            if isinstance(exc, SearchLimitError) or not exc.diagnosis.proven:
                unproven += 1
            raise

    def per_workload(p: Plan) -> dict[str, float]:
        return {s.workload: selection_value(s, catalog, unit)
                for s in p.selections if s.workload in grow}

    cands, _why = candidate_lists(scenario, catalog, site_arrays(scenario, catalog),
                                  force_models, None)
    upper = upper_bound(scenario, catalog, unit, force_models, cands)
    first = probe({})  # at their demand: infeasible here is infeasible for the objective
    best = Best(first, sum(per_workload(first).values()))
    if len(grow) == 1:
        k = next(i for i, w in enumerate(scenario.workloads) if w.grow)
        shares = sorted({per_server_value(c.server, catalog, unit) for c in cands[k]} - {0.0})
        best, upper = _grow_one(probe, per_workload, grow[0], unit, shares, best, upper)
    else:
        found = [best]  # the best so far, kept when the searches run out
        try:
            for direction in [None, *grow]:  # evenly, then each alone
                _grow_along(probe, per_workload, unit, grow, direction, found, upper, {})
            for _ in range(ASCENT_ROUNDS):  # then each in turn, the others kept at what they have
                before = found[0].value
                for w in grow:
                    have = per_workload(found[0].plan)
                    keep = {o: (unit, have[o]) for o in grow if o != w}
                    _grow_along(probe, per_workload, unit, grow, w, found, upper, keep)
                if found[0].value <= before:
                    break
        except _OutOfProbes:
            pass
        best = found[0]
    if best.value > upper * (1 + 1e-9) + 1e-9:
        raise RuntimeError(f"internal error: {objective} found {best.value} above its proven "
                           f"upper bound {upper}; please report this scenario")
    # proven the most only when the value reaches the bound; a gap never rounds down to 0
    gap = 0.0 if best.value >= upper else max((upper - best.value) / upper, 1e-6)
    bounds = best.plan.bounds
    if len(grow) > 1:
        # the kept plan's TCO bound covers its own split only; the bound at the minima covers
        # every plan meeting them, so every split
        lower = min(first.bounds.objective_lower_bound, bounds.objective_lower_bound)
        value_tco = bounds.objective_value
        bounds = bounds.model_copy(update={
            "objective_lower_bound": lower,
            "gap": round((value_tco - lower) / value_tco if value_tco > 0 else 0.0, 6)})
    drop = tuple(f"workload {w!r}: " for w in grow)
    warnings = [m for m in best.plan.warnings if not (m.startswith(drop) and "delivered for" in m)]
    if gap > 0:
        why = (f"; {unproven} of {probes} searches stopped at their limits" if unproven else
               ": several grow workloads are grown evenly and one at a time, not over every split")
        warnings.append(f"{objective}: {_fmt(best.value, unit)} found, at most "
                        f"{_fmt(upper, unit)} is proven possible (gap {gap:.2%}){why}")
    most = Most(objective=objective, value=round(best.value, 6), upper_bound=round(upper, 6),
                gap=round(gap, 6), workloads=grow,
                probes=probes, unproven=unproven)
    return best.plan.model_copy(update={"objective": objective, "most": most,
                                        "warnings": warnings, "bounds": bounds})


def _fmt(v: float, unit: str) -> str:
    return f"{v:,.0f} GPUs" if unit == "gpus" else f"{v:,.3f} FP8 PFLOPS"


def selection_value(s: Selection, catalog: Catalog, unit: str) -> float:
    """What a selection's servers give in ``unit``."""
    return s.count * per_server_value(catalog.server(s.server), catalog, unit)


PerWorkload = Callable[[Plan], dict[str, float]]
"""What each grow workload gets in a plan."""


def _grow_one(probe: Probe, per_workload: PerWorkload, name: str, unit: str, shares: list[float],
              best: Best, upper: float) -> tuple[Best, float]:
    """Bisect the floor of the one grow workload; returns the best plan and the proven bound.
    ``shares``: what one server of each model it may use gives.

    ``lo`` is reached; no value at or above ``top`` was found (a probe there failed, proven
    or not); values at or above ``proven_top`` are proven out of reach.
    """
    gpus = unit == "gpus"
    lo = best.value
    top = proven_top = (math.floor(upper + 1e-9) + 1.0) if gpus else upper * (1 + 2 * REL_TOL)

    def at(floor: float) -> None:
        nonlocal lo, top, proven_top, best
        try:
            p = probe({name: (unit, floor)})
        except InfeasibleError as exc:  # SearchLimitError too
            top = min(top, floor)
            if exc.diagnosis.proven and not isinstance(exc, SearchLimitError):
                proven_top = min(proven_top, floor)
            return
        v = per_workload(p)[name]
        if v > best.value or (v == best.value and p.totals.tco_usd < best.plan.totals.tco_usd):
            best = Best(p, v)
        lo = max(lo, v, floor)

    if gpus:
        while lo + 1 < top:
            at(float((lo + top) // 2))
        return best, (lo if proven_top <= top else proven_top - 1)
    # PFLOPS: bisect until the interval is narrower than every server's share, then probe the
    # values single models reach inside it, lowest first (a plan's value is one model's
    # servers times its share)
    step = min(shares) if shares else 0.0
    while top - lo > max(step, REL_TOL * top):
        at((lo + top) / 2)
    while True:
        above = [math.ceil(lo * (1 + REL_TOL) / v) * v for v in shares]
        nxt = min((v for v in above if v < top * (1 - REL_TOL)), default=None)
        if nxt is None:  # nothing reachable in (lo, top); when top is proven, nothing beats lo
            return best, (lo if proven_top <= top else proven_top)
        at(nxt)


ASCENT_ROUNDS = 2
"""Several grow workloads: rounds of growing each in turn with the others kept."""

SEVERAL_PROBES = 120
"""Several grow workloads: searches at most (the gap then says how far the answer may be)."""


class _OutOfProbes(Exception):
    """Several grow workloads used :data:`SEVERAL_PROBES`."""


def _grow_along(probe: Probe, per_workload: PerWorkload, unit: str, grow: list[str],
                direction: str | None, found: list[Best], upper: float,
                keep: Mapping[str, tuple[str, float]]) -> None:
    """Bisect one total ``t`` split evenly (``direction`` None) or given to one workload (the
    workloads in ``keep`` held at those floors); ``found[0]`` is the best plan so far."""
    def floors(t: float) -> dict[str, tuple[str, float]]:
        if direction is None:
            return {w: (unit, t / len(grow)) for w in grow}
        return {**keep, direction: (unit, t)}

    def reached(p: Plan) -> float:
        """The largest ``t`` whose floors ``p`` meets."""
        per = per_workload(p)
        if direction is None:
            return min(per[w] for w in grow) * len(grow)
        return per[direction]

    lo = reached(found[0].plan)
    hi = upper
    while hi - lo > max(1.0 if unit == "gpus" else 0.0, REL_TOL * hi):
        t = math.ceil((lo + hi) / 2) if unit == "gpus" else (lo + hi) / 2
        try:
            p = probe(floors(t))
        except InfeasibleError:  # SearchLimitError too: either way, not found here
            hi = t - 1 if unit == "gpus" else t * (1 - REL_TOL)
            continue
        v = sum(per_workload(p).values())
        best = found[0]
        if v > best.value or (v == best.value and p.totals.tco_usd < best.plan.totals.tco_usd):
            found[0] = Best(p, v)
        lo = max(t, reached(p))


def upper_bound(scenario: Scenario, catalog: Catalog, unit: str,
                force_models: Mapping[str, str] | None,
                cands: list[list[Candidate]] | None = None) -> float:
    """A proven upper bound on what the grow workloads can get, from three relaxations.

    Each grow server takes reserved power, budget and rack space; whatever the
    other workloads must take at the least is not available to them. So the
    total is at most the power left times the best ratio of value to kW over
    the grow workloads' candidates, likewise for the budget, and the positions
    times the most any one candidate puts in a rack of each type.
    """
    site = site_arrays(scenario, catalog)
    if cands is None:  # each workload's candidates at its own demand
        cands, _why = candidate_lists(scenario, catalog, site, force_models, None)
    grow_cands: list[Candidate] = []
    fixed_kw = fixed_usd = 0.0
    for w, lst in zip(scenario.workloads, cands, strict=True):
        if w.grow:
            grow_cands.extend(lst)
        elif lst:
            fixed_kw += min(c.reserved_kw * c.count for c in lst)
            fixed_usd += min(c.capex_usd for c in lst)
    if not grow_cands:
        return 0.0
    per = [per_server_value(c.server, catalog, unit) for c in grow_cands]
    power = max(scenario.site.it_power_kw - fixed_kw, 0.0) * (1 + FIT_REL) * max(
        v / c.reserved_kw if c.reserved_kw > 0 else math.inf for v, c in zip(per, grow_cands,
                                                                             strict=True))
    budget = math.inf
    if scenario.budget_usd is not None:
        budget = max(scenario.budget_usd - fixed_usd, 0.0) * max(
            v / (c.capex_usd / c.count) if c.capex_usd > 0 else math.inf
            for v, c in zip(per, grow_cands, strict=True))
    several = sum(1 for w in scenario.workloads if w.grow) > 1
    positions = 0.0
    for t in range(len(site.racks)):
        cap = site.cap[t] * (1 + FIT_REL)
        alone = 0.0  # the most one model puts in a rack of this type
        dense = [0.0] * len(cap)  # per dimension, the most value per unit of it
        for v, c in zip(per, grow_cands, strict=True):
            size = c.size
            if any(size[d] > cap[d] for d in range(len(size))):
                continue
            fit = 1 if c.server.rack_scale else min(
                math.floor(cap[d] / size[d]) for d in range(len(size)) if size[d] > 0)
            alone = max(alone, v * fit)
            if not c.server.rack_scale:
                for d in range(len(size)):
                    dense[d] = max(dense[d], v / size[d] if size[d] > 0 else math.inf)
        most = alone
        if several:  # models of different workloads share a rack: per dimension, the capacity
            # times the densest model is a bound on any mix (a rack-scale system is alone)
            most = max(alone, min(cap[d] * dense[d] for d in range(len(cap))
                                  if dense[d] < math.inf))
        positions += most * int(site.count[t])
    return min(power, budget, positions)
