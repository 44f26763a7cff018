"""The model search: one call into the kernel branch and bound over a server model per workload."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..kernels import search as kernel
from ..kernels.status import Status
from ..models import Scenario
from .arrays import SiteArrays, search_arrays
from .candidates import Candidate
from .limits import LEAF_LIMIT, LEAF_WORK, MAX_PATTERNS, NODE_LIMIT, SEARCH_WORK, SMALL_RACKS
from .units import days, days_per_rack

_MODES = {"capex": kernel.MODE_CAPEX, "tco": kernel.MODE_TCO, "time": kernel.MODE_TIME}


class Packing(NamedTuple):
    """Racks as pattern counts over pooled item types, as the kernels return them."""

    group: np.ndarray
    """(W,) pooled item type of each workload."""
    pat: np.ndarray
    """(P, G) servers of each pooled item type in one rack of the pattern."""
    ptype: np.ndarray
    """(P,) rack type (index into the site's rack types) of each pattern."""
    x: np.ndarray
    """(P,) racks of each pattern."""
    bound: float
    """Proven lower bound on the rack cost of any packing of these servers."""


class SearchOutcome(NamedTuple):
    """What the model search found."""

    picked: np.ndarray
    """(W,) index into each workload's candidate list, -1 where nothing was chosen."""
    value: float
    """Objective of the best choice."""
    lower: float
    """Proven lower bound on the objective over every choice (for ``time``: among plans ready
    on the best plan's day)."""
    status: Status
    """OK, LIMIT (a plan, search cut short), INFEASIBLE (proven) or GAVE_UP."""
    leaves: int
    """Model choices packed."""
    rejected: np.ndarray
    """Leaves rejected, by reason (see :data:`rackplan.kernels.search.N_REJECT`)."""
    packing: Packing
    """The best choice's packing (empty when there is none)."""
    ready_day_lower: float
    """Objective time: proven lower bound on the ready day (days after start) of every plan."""


def search(scenario: Scenario, objective: str, cands: list[list[Candidate]], site: SiteArrays,
           *, budget: float, envelope: float) -> SearchOutcome:
    """Choose one candidate per workload within ``budget`` (USD) and ``envelope`` (IT kW)."""
    s = scenario.site
    a = search_arrays(scenario, objective, cands, site)
    r = kernel.search(
        a.cand_start, a.S, a.n, a.sep, a.capex, a.power, a.lead, a.rack_scale, a.excl_lb,
        a.shared_lb, a.dedicated, site.cap, site.price, site.count, _MODES[objective], budget,
        envelope, days_per_rack(s.install_racks_per_week), float(days(s.burn_in_weeks)),
        LEAF_LIMIT, NODE_LIMIT, LEAF_WORK, SEARCH_WORK, SMALL_RACKS, MAX_PATTERNS)
    picked = np.array([int(a.cand_index[c]) if c >= 0 else -1 for c in r.choice], np.int64)
    return SearchOutcome(picked, float(r.value), float(r.lower), Status(r.status), int(r.leaves),
                         r.rejected, Packing(r.group, r.pat, r.ptype, r.x, float(r.pack_bound)),
                         float(r.primary_lower))
