"""Need-by dates and fiscal budgets: what the model search may choose, and what the plan must meet.

* :func:`drop_late_candidates`: a candidate whose proven earliest online day
  (:func:`rackplan.planning.supply.online_lower_bounds`) misses a ``need_by``
  is not a choice; when a workload has no choice left, that is proven and
  :func:`late_diagnosis` says how many days late and what binds.
* :func:`lateness`: the phases of a built plan that miss their ``need_by``.
* :func:`fiscal_overruns`: the fiscal years whose capex is over budget.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

from ..errors import Diagnosis
from ..kernels.patterns import max_fit
from ..models import Scenario
from ..models.result import Plan
from .arrays import SiteArrays
from .candidates import Candidate
from .supply import PhaseBound, need_by_days, online_lower_bounds, shipping_for
from .units import days, days_per_rack


def has_need_by(scenario: Scenario) -> bool:
    return any(d is not None for w in scenario.workloads for d in need_by_days(scenario, w))


def per_rack(c: Candidate, site: SiteArrays) -> int:
    """Most servers of ``c`` one rack of any of the site's types holds."""
    if c.server.rack_scale:
        return 1
    size = np.array(c.size)
    return max(int(max_fit(site.cap[t], size, c.count)) for t in range(len(site.racks)))


def candidate_bounds(scenario: Scenario, w: int, c: Candidate, site: SiteArrays) -> list[PhaseBound]:
    s = scenario.site
    return online_lower_bounds(scenario, scenario.workloads[w], c.server, c.count, per_rack(c, site),
                               days_per_rack(s.install_racks_per_week), days(s.burn_in_weeks))


class Late(NamedTuple):
    """The least-late choice for one phase no candidate can bring online in time."""

    workload: str
    phase: int
    """1-based."""
    need_by: int
    earliest: int
    server: str
    binds: str


def drop_late_candidates(scenario: Scenario, cands: list[list[Candidate]], site: SiteArrays,
                         rejected: dict[str, dict[str, str]]
                         ) -> tuple[list[list[Candidate]], list[Late]]:
    """Each workload's candidates that could meet every ``need_by``; the rejected ones get a
    reason in ``rejected``. Also the phases no candidate can meet (empty unless some workload
    lost every candidate to its dates)."""
    start = scenario.start
    out: list[list[Candidate]] = []
    late: list[Late] = []
    for w, lst in enumerate(cands):
        wl = scenario.workloads[w]
        need = need_by_days(scenario, wl)
        if all(d is None for d in need) or not lst:
            out.append(lst)
            continue
        keep = []
        worst: dict[int, Late] = {}
        for c in lst:
            bounds = candidate_bounds(scenario, w, c, site)
            misses = [(p, b) for p, (b, d) in enumerate(zip(bounds, need, strict=True))
                      if d is not None and b.online > d]
            if not misses:
                keep.append(c)
                continue
            p, b = max(misses, key=lambda m: m[1].online - need[m[0]])  # type: ignore[operator]
            d = need[p]
            assert d is not None
            rejected[wl.name][c.server.id] = (
                f"phase {p + 1} could be online no earlier than "
                f"{start + dt.timedelta(days=b.online)}, {b.online - d} days after its need_by "
                f"{start + dt.timedelta(days=d)} ({_binds(scenario, c, b)})")
            for p, b in misses:
                d = need[p]
                assert d is not None
                if p not in worst or b.online < worst[p].earliest:
                    worst[p] = Late(wl.name, p + 1, d, b.online, c.server.id,
                                    _binds(scenario, c, b))
        if not keep:
            late.extend(worst[p] for p in sorted(worst))
        out.append(keep)
    return out, late


def _binds(scenario: Scenario, c: Candidate, b: PhaseBound) -> str:
    """What the bound is made of: the server it turns on ships no earlier than a day, then
    racks to install, then burn-in; ``binds`` names the largest part."""
    start = scenario.start
    site = scenario.site
    ship = shipping_for(scenario, c.server)
    if ship.rule is None:
        source = f"{c.server.id} lead time {c.server.lead_time_weeks:g} weeks"
    else:
        rule = scenario.supply[ship.rule]
        parts = [f"lead {ship.lead_days} days"]
        if rule.available_from:
            parts.append(f"nothing before {rule.available_from}")
        if rule.units_per_week:
            parts.append(f"{rule.queue_units:,} units queued ahead at {rule.units_per_week:g} a week")
        source = f"supply rule {rule.match!r} ({', '.join(parts)})"
    what = {"supply": "supply", "installation": "installation rate", "burn-in": "burn-in"}[b.binds]
    return (f"binds: {what}; server {b.unit + 1:,} of {c.count:,} ships "
            f"{start + dt.timedelta(days=b.ship)} at the earliest ({source}), then "
            f"{b.racks_after:,} racks to install at {site.install_racks_per_week:g} a week and "
            f"{site.burn_in_weeks:g} weeks of burn-in")


def late_diagnosis(late: list[Late], start: dt.date) -> Diagnosis:
    """Proven: these phases cannot be online by their ``need_by`` with any allowed model."""
    reasons = []
    details = []
    for x in late:
        reasons.append(
            f"workload {x.workload!r} phase {x.phase}: no allowed model can be online by its "
            f"need_by {start + dt.timedelta(days=x.need_by)}; the earliest is "
            f"{start + dt.timedelta(days=x.earliest)} with {x.server} "
            f"({x.earliest - x.need_by} days late; {x.binds})")
        details.append({"workload": x.workload, "phase": x.phase,
                        "need_by": (start + dt.timedelta(days=x.need_by)).isoformat(),
                        "earliest": (start + dt.timedelta(days=x.earliest)).isoformat(),
                        "days_late": x.earliest - x.need_by, "server": x.server,
                        "binds": x.binds})
    return Diagnosis(reasons, {"late": details}, proven=True)


def lateness(plan: Plan) -> list[tuple[str, int, int, dt.date]]:
    """(workload, phase, days late, need_by) of every phase of ``plan`` that misses its date."""
    out = []
    for w in plan.schedule.workloads:
        for p in w.phases:
            if p.need_by is not None and p.online_date > p.need_by:
                out.append((w.workload, p.phase, (p.online_date - p.need_by).days, p.need_by))
    return out


def fiscal_overruns(scenario: Scenario, by_year: dict[int, float]) -> list[tuple[int, float, float]]:
    """(fiscal year, capex, budget) of every year over its budget."""
    return [(fy, by_year.get(fy, 0.0), cap) for fy, cap in sorted(scenario.budget_by_fiscal_year.items())
            if by_year.get(fy, 0.0) > cap + 0.005]  # capex per year is summed from cents
