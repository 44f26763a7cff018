"""The model search: a branch and bound over one server model per workload.

At every leaf (a complete choice of models) the servers are packed by
:func:`rackplan.kernels.cover.pack`, so a model that saves racks or power wins
over one that is only cheaper to buy. Nodes are pruned by the IT envelope and
the budget (with proven lower bounds on the rack cost, so a pruned node is
proven to break the limit) and by the objective bound against the best plan.

The search keeps the outcomes apart: a leaf whose packing is proven impossible
is rejected; a leaf whose packer gave up is remembered, and if no plan is
found at all the search reports ``GAVE_UP`` rather than ``INFEASIBLE``. The
best leaf's packing is returned, so the plan is built from exactly what the
search costed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import jit
from ..tolerance import COST_REL, DAY_TOL
from .cover import pack
from .patterns import merge_items
from .schedule import packing_ready_day, whole_day
from .status import Status


class TimedPacking(NamedTuple):
    """A packing for the earliest ready day (see :func:`pack_for_time`)."""

    pat: np.ndarray
    ptype: np.ndarray
    x: np.ndarray
    cost: float
    bound: float
    """Proven lower bound on the cost of any packing finishing by ``day``."""
    status: Status
    work: int
    day: float
    """Whole day the last rack is installed (before burn-in); ``inf`` when there is none."""
    day_lower: float
    """Proven lower bound on ``day``."""
    cost_lower: float
    """Proven lower bound on the cost of any packing at all."""


class SearchResult(NamedTuple):
    """What the model search found (see :func:`search`)."""

    choice: np.ndarray
    """(W,) chosen candidate per workload (index into the flat candidate arrays), -1 if none."""
    primary: float
    """Ready day of the best choice (objective time), else 0."""
    value: float
    """Objective of the best choice."""
    lower: float
    """Proven lower bound on the objective (for time: among plans ready by ``primary``)."""
    status: Status
    leaves: int
    rejected: np.ndarray
    """(N_REJECT,) leaves rejected, by reason."""
    group: np.ndarray
    """(W,) pooled item type of each workload in the best packing."""
    pat: np.ndarray
    ptype: np.ndarray
    x: np.ndarray
    pack_bound: float
    """Proven lower bound on the best choice's rack cost."""
    primary_lower: float
    """Objective time: proven lower bound on the ready day of every plan (``primary`` when the
    best plan's day is proven the earliest)."""


MODE_CAPEX = 0
MODE_TCO = 1
MODE_TIME = 2

NODE_WORK = 1_000
"""Work charged per node of the model search: about what a node costs next to an LP cell."""

N_REJECT = 5
"""Reasons a leaf is rejected, counted in ``rejected``: no fit, positions (proven), budget
(proven), packer gave up, packing over budget without proof."""
REJECT_NO_FIT = 0
REJECT_POSITIONS = 1
REJECT_BUDGET = 2
REJECT_GAVE_UP = 3
REJECT_BUDGET_UNPROVEN = 4


@jit
def _finish_day(pat, x, n, lead, days_per_rack):
    """Whole day the last rack of a packing is installed (before burn-in)."""
    return packing_ready_day(pat, x, n, lead, days_per_rack, 0.0)


@jit
def pack_for_time(S, n, exclusive, rack_scale, lead, cap, price, count, days_per_rack, cost_limit,
                  node_limit, work_limit, small_racks, max_patterns):
    """Pack for the earliest ready day first, then the least cost on that day.

    Racks install in arrival order, so the last one finishes at ``max_g (A_g +
    days_per_rack * R_g)`` over the distinct arrival days ``A_g`` of the servers,
    ``R_g`` the racks arriving on or after ``A_g``. Finishing by day ``D`` is
    therefore a limit ``R_g <= (D - A_g) / days_per_rack`` per class, which the
    packer takes as side rows. A binary search over ``D`` between the earliest
    conceivable day and the cost-optimal packing's day finds the earliest day a
    packing is found for; days ruled out by a proof (an infeasible LP) make it
    the proven earliest. Only packings costing at most ``cost_limit`` count
    (what the budget leaves for racks). Returns ``(pat, ptype, x, cost, bound,
    status, work, day, day_lower, cost_lower)``: ``day`` the whole finish day
    of the packing, ``day_lower`` a proven lower bound on it, ``bound`` a
    proven lower bound on the cost of any packing finishing by ``day``, and
    ``cost_lower`` one on any packing at all. When even the cheapest packing
    found costs more than ``cost_limit``, that packing is returned as it is.
    """
    K = S.shape[0]
    no_rank = np.zeros(K, np.int64)
    no_class = np.zeros(0)
    pat, ptype, x, cost, bound, st, work = pack(S, n, exclusive, rack_scale, cap, price, count, no_rank,
                                                no_class, node_limit, work_limit // 2, small_racks,
                                                max_patterns, np.inf)
    cost_lower = bound
    # arrival classes; the latest servers need one rack at least
    days = np.unique(lead[n > 0])
    G = days.shape[0]
    earliest = whole_day(days[G - 1] + days_per_rack) if G > 0 else 0.0
    if st != Status.OK or cost > cost_limit * (1 + COST_REL):
        return TimedPacking(pat, ptype, x, cost, bound, st, work, np.inf, earliest, cost_lower)
    rank = np.zeros(K, np.int64)
    for k in range(K):
        for g in range(G):
            if lead[k] == days[g]:
                rank[k] = g
    hi = _finish_day(pat, x, n, lead, days_per_rack)
    lo = earliest
    proven_lo = lo
    caps = np.empty(G)
    share = max(work_limit - work, 0)
    while lo < hi and share > 0:
        mid = (lo + hi) // 2
        for g in range(G):
            # finishing by day mid (to within DAY_TOL) lets this many racks arrive on or after A_g
            caps[g] = np.floor((mid + DAY_TOL - days[g]) / days_per_rack)
        share //= 2
        p2, t2, x2, c2, b2, st2, w2 = pack(S, n, exclusive, rack_scale, cap, price, count, rank, caps,
                                           node_limit, share, small_racks, max_patterns, np.inf)
        work += w2
        if st2 == Status.OK and c2 <= cost_limit * (1 + COST_REL):
            day = _finish_day(p2, x2, n, lead, days_per_rack)
            if day < hi:
                pat, ptype, x, cost, bound, hi = p2, t2, x2, c2, b2, day
            else:
                lo = mid + 1  # its racks hold surplus later servers, so it measures later: move on
        else:
            ruled_out = st2 == Status.INFEASIBLE or b2 > cost_limit * (1 + COST_REL)
            if ruled_out and proven_lo == lo:
                proven_lo = mid + 1
            lo = mid + 1
    return TimedPacking(pat, ptype, x, cost, bound, Status.OK, work, hi, min(proven_lo, hi), cost_lower)


@jit
def search(cand_start, S, n, sep, capex, power, lead, rack_scale, excl_lb, shared_lb,
           dedicated, cap, price, count, mode, budget, envelope, days_per_rack, burn_days,
           leaf_limit, node_limit, leaf_work, work_limit, small_racks, max_patterns):
    """Branch and bound over one candidate per workload with the packer at each leaf.

    Workload ``w``'s candidates are ``cand_start[w]:cand_start[w+1]`` (sorted
    best first). Per candidate: item size ``S``, server count ``n``, separable
    objective ``sep`` (servers with tariffs, plus energy for tco/time),
    ``capex`` (servers with tariffs), reserved ``power`` kW, ``lead`` days,
    ``rack_scale``, and rack-cost lower bounds ``excl_lb`` (exclusive racks)
    and ``shared_lb`` (D,) per dimension. Objective: ``mode`` capex/tco
    minimise ``sep + rack cost``; time minimises the ready day first. The
    search stops (status LIMIT or GAVE_UP) after ``leaf_limit`` leaves or once
    its nodes (``NODE_WORK`` each) and packings (each at most ``leaf_work``)
    have used ``work_limit`` units of work: a bound on effort that is the same
    on every machine.

    Returns ``(choice (W,), primary, value, lower_bound, status, leaves,
    rejected (N_REJECT,), group (W,), pat, ptype, x, packing_bound)``: the
    best choice, its ready day (time) and objective value, a proven lower
    bound on the objective (for time: among plans ready by the best day),
    :class:`Status`, and the best leaf's packing (items pooled by ``group``).
    """
    W = cand_start.shape[0] - 1
    D = S.shape[1]
    # suffix minima of the separable parts
    min_sep = np.zeros(W + 1)
    min_capex = np.zeros(W + 1)
    min_power = np.zeros(W + 1)
    for w in range(W - 1, -1, -1):
        a = np.inf
        b = np.inf
        c = np.inf
        for i in range(cand_start[w], cand_start[w + 1]):
            a = min(a, sep[i])
            b = min(b, capex[i])
            c = min(c, power[i])
        min_sep[w] = min_sep[w + 1] + a
        min_capex[w] = min_capex[w + 1] + b
        min_power[w] = min_power[w + 1] + c
    pre_sep = np.zeros(W + 1)
    pre_capex = np.zeros(W + 1)
    pre_power = np.zeros(W + 1)
    pre_lead = np.zeros(W + 1)
    pre_excl = np.zeros(W + 1)
    pre_shared = np.zeros((W + 1, D))
    pos = np.zeros(W + 1, np.int64)
    choice = np.zeros(W, np.int64)
    best_choice = np.full(W, -1, np.int64)
    best_p = np.inf
    best_v = np.inf
    best_group = np.zeros(W, np.int64)
    best_pat = np.zeros((0, W), np.int64)
    best_ptype = np.zeros(0, np.int64)
    best_x = np.zeros(0, np.int64)
    best_pack_bound = 0.0
    # lower bounds of the leaves that may still hold the optimum (ready day, objective)
    leaf_p = np.empty(leaf_limit)
    leaf_v = np.empty(leaf_limit)
    n_leaf_lb = 0
    rejected = np.zeros(N_REJECT, np.int64)
    leaves = 0
    work = 0
    hit_limit = False
    Sw = np.empty((W, D))
    nw = np.empty(W, np.int64)
    exw = np.empty(W, np.bool_)
    rsw = np.empty(W, np.bool_)
    leadw = np.empty(W)
    depth = 0
    pos[0] = cand_start[0]
    while depth >= 0:
        if depth == W:
            leaves += 1
            for w in range(W):
                c = choice[w]
                Sw[w] = S[c]
                nw[w] = n[c]
                rsw[w] = rack_scale[c]
                exw[w] = dedicated[w] or rack_scale[c]
                leadw[w] = lead[c]
            group, Sm, nm, exm, rsm, leadm = merge_items(Sw, nw, exw, rsw, leadw)
            p_lb = 0.0
            day = 0.0
            if mode == MODE_TIME:
                pat, ptype, x, rack_cost, day_bound, st, leaf_w, day, day_lb, rack_lb = pack_for_time(
                    Sm, nm, exm, rsm, leadm, cap, price, count, days_per_rack, budget - pre_capex[W],
                    node_limit, leaf_work, small_racks, max_patterns)
                p_lb = day_lb + burn_days
            else:
                # a leaf whose rack-cost bound cannot beat the best plan is not packed
                pat, ptype, x, rack_cost, rack_lb, st, leaf_w = pack(
                    Sm, nm, exm, rsm, cap, price, count, np.zeros(Sm.shape[0], np.int64), np.zeros(0),
                    node_limit, leaf_work, small_racks, max_patterns, best_v - pre_sep[W])
                day_bound = rack_lb
            work += leaf_w
            if st == Status.PRUNED:
                pass  # proven no better than the best plan: neither a candidate nor a bound
            elif st == Status.NO_FIT:
                rejected[REJECT_NO_FIT] += 1
            elif st == Status.INFEASIBLE:
                rejected[REJECT_POSITIONS] += 1
            elif pre_capex[W] + rack_lb > budget * (1 + COST_REL):
                rejected[REJECT_BUDGET] += 1
            else:
                if n_leaf_lb < leaf_limit:
                    leaf_p[n_leaf_lb] = p_lb
                    leaf_v[n_leaf_lb] = pre_sep[W] + (day_bound if mode == MODE_TIME else rack_lb)
                    n_leaf_lb += 1
                if st == Status.GAVE_UP:
                    rejected[REJECT_GAVE_UP] += 1
                elif pre_capex[W] + rack_cost > budget * (1 + COST_REL):
                    rejected[REJECT_BUDGET_UNPROVEN] += 1
                else:
                    v = pre_sep[W] + rack_cost
                    prim = day + burn_days if mode == MODE_TIME else 0.0
                    if prim < best_p or (prim == best_p and v < best_v - COST_REL * max(1.0, abs(v))):
                        best_p = prim
                        best_v = v
                        best_choice[:] = choice
                        best_group = group
                        best_pat = pat
                        best_ptype = ptype
                        best_x = x
                        best_pack_bound = day_bound
            depth -= 1
            if leaves >= leaf_limit or work >= work_limit:
                hit_limit = True
                break
            continue
        w = depth
        if pos[w] >= cand_start[w + 1]:
            depth -= 1
            continue
        c = pos[w]
        pos[w] += 1
        work += NODE_WORK
        if work >= work_limit:
            hit_limit = True
            break
        # extend the prefix with candidate c
        pre_sep[w + 1] = pre_sep[w] + sep[c]
        pre_capex[w + 1] = pre_capex[w] + capex[c]
        pre_power[w + 1] = pre_power[w] + power[c]
        pre_lead[w + 1] = max(pre_lead[w], lead[c])
        excl = dedicated[w] or rack_scale[c]
        pre_excl[w + 1] = pre_excl[w] + (excl_lb[c] if excl else 0.0)
        rack_lb = 0.0
        for d in range(D):
            pre_shared[w + 1, d] = pre_shared[w, d] + (0.0 if excl else shared_lb[c, d])
            rack_lb = max(rack_lb, pre_shared[w + 1, d])
        rack_lb += pre_excl[w + 1]
        if pre_power[w + 1] + min_power[w + 1] > envelope * (1 + COST_REL):
            continue
        if pre_capex[w + 1] + min_capex[w + 1] + rack_lb > budget * (1 + COST_REL):
            continue
        prim = pre_lead[w + 1] + burn_days if mode == MODE_TIME else 0.0
        v_lb = pre_sep[w + 1] + min_sep[w + 1] + rack_lb
        if prim > best_p or (prim == best_p and v_lb >= best_v - COST_REL * max(1.0, abs(best_v))):
            continue
        choice[w] = c
        depth += 1
        if depth < W:
            pos[depth] = cand_start[depth]
    lower = best_v
    for i in range(n_leaf_lb):
        if leaf_p[i] <= best_p and leaf_v[i] < lower:
            lower = leaf_v[i]
    prim_lower = best_p
    for i in range(n_leaf_lb):
        prim_lower = min(prim_lower, leaf_p[i])
    if hit_limit:
        lower = min(lower, min_sep[0])  # unexplored choices: at least their separable cost
        root_p = 0.0  # every workload waits for its earliest server at least
        for w in range(W):
            first = np.inf
            for i in range(cand_start[w], cand_start[w + 1]):
                first = min(first, lead[i])
            root_p = max(root_p, first)
        prim_lower = min(prim_lower, root_p + burn_days)
    if mode != MODE_TIME:
        prim_lower = 0.0
    if best_choice[0] < 0:
        gave_up = hit_limit or rejected[REJECT_GAVE_UP] > 0 or rejected[REJECT_BUDGET_UNPROVEN] > 0
        status = Status.GAVE_UP if gave_up else Status.INFEASIBLE
        return SearchResult(best_choice, best_p, best_v, lower, status, leaves, rejected, best_group,
                            best_pat, best_ptype, best_x, best_pack_bound, prim_lower)
    status = Status.LIMIT if hit_limit else Status.OK
    return SearchResult(best_choice, best_p, best_v, lower, status, leaves, rejected, best_group, best_pat,
                        best_ptype, best_x, best_pack_bound, prim_lower)
