"""Integer packing of one selection of servers: exact where it can be, honest where not.

:func:`pack` turns the LP of :mod:`rackplan.kernels.colgen` into whole racks:

1. Column generation gives the LP optimum over every pattern and a proven
   lower bound; an LP that cannot cover the demand within the positions is a
   proof that no packing can (``INFEASIBLE``).
2. A small problem (few racks in the LP) is solved from scratch by
   :func:`cover_exact`, an exact branch and bound over every maximal pattern,
   pruned by the LP of the remainder. When that search is exhaustive its answer
   is proven: the optimum, or that no packing exists.
3. Otherwise the LP is rounded down and the remainder packed exactly; when the
   remainder does not fit, or is not provably optimal, more racks are freed
   from the rounded base (1, 2, 4, ... per column) and the larger remainder is
   searched again, each attempt with a share of the work left.
4. The LP rounded down and completed greedily is the last resort.

Nothing found and nothing proven is ``GAVE_UP``, never ``INFEASIBLE``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import jit
from ..tolerance import COST_REL, FIT_REL
from .colgen import column_class, column_generation, find_column, single_item_racks
from .lp import solve_columns
from .patterns import enumerate_patterns
from .status import LPStatus, Status


class RackPacking(NamedTuple):
    """Racks as pattern counts: ``x[p]`` racks of type ``ptype[p]`` holding ``pat[p]``."""

    pat: np.ndarray
    ptype: np.ndarray
    x: np.ndarray
    cost: float
    """Rack cost (``inf`` when nothing was found)."""
    bound: float
    """Proven lower bound on every packing's cost (``inf`` when proven infeasible)."""
    status: Status
    work: int


class Cover(NamedTuple):
    """What :func:`cover_exact` found."""

    y: np.ndarray
    """(P,) racks of each pattern."""
    cost: float
    """``inf`` when nothing below the incumbent was found."""
    complete: bool
    """True when the search was exhaustive (not cut by its limits)."""
    work: int


class Dive(NamedTuple):
    """What :func:`_dive` fixed: all of it, and the part fixed when the rest became small."""

    pat: np.ndarray
    ptype: np.ndarray
    x: np.ndarray
    """Racks of each fixed pattern (the whole dive)."""
    small_pat: np.ndarray
    small_ptype: np.ndarray
    small_x: np.ndarray
    """Racks fixed when the rest first needed at most ``small_racks`` in its LP."""
    pool_pat: np.ndarray
    pool_ptype: np.ndarray
    """The columns known at that moment."""
    work: int


KNAPSACK_NODES = 20_000
"""Branch-and-bound nodes per pricing problem (per rack type and round)."""
BASE_RELEASE = (0, 1, 2, 4, 8, 16)
"""Racks freed per LP column from the rounded-down base, attempt by attempt."""


@jit
def _lp_value(A, r, ptype, left, pcost, pclass, cl):
    """LP value of covering ``r`` within positions ``left`` and class limits ``cl`` over the
    columns ``A`` (K, P): ``(value, x, work)``; ``inf`` when proven infeasible, ``0`` when the
    LP stopped unsolved."""
    K = A.shape[0]
    T = left.shape[0]
    G = cl.shape[0]
    b = np.empty(K + T + G)
    for k in range(K):
        b[k] = r[k]
    for t in range(T):
        b[K + t] = left[t]
    for g in range(G):
        b[K + T + g] = cl[g]
    x, value, status, work = solve_columns(A, pcost, b, K, T, ptype, pclass, 0)
    if status == LPStatus.INFEASIBLE:
        return np.inf, x, work
    if status != LPStatus.OPTIMAL:
        return 0.0, x, work
    return value, x, work


@jit
def _clipped_class(pat, r, rank):
    """Arrival class of each pattern's racks when it holds only what ``r`` still needs."""
    P, K = pat.shape
    cls = np.full(P, -1, np.int64)
    for p in range(P):
        for k in range(K):
            if pat[p, k] > 0 and r[k] > 0 and rank[k] > cls[p]:
                cls[p] = rank[k]
    return cls


@jit
def _class_room(cl, cls):
    """True when one more rack of class ``cls`` fits the class limits ``cl``."""
    for g in range(cl.shape[0]):
        if g <= cls and cl[g] < 1:
            return False
    return True


@jit
def _class_take(cl, cls, amount):
    for g in range(cl.shape[0]):
        if g <= cls:
            cl[g] -= amount


@jit
def residual_bound(r, left, S, cap, price, type_order):
    """Lower bound on the cost of covering demands ``r`` with the positions ``left``.

    Per dimension: the cheapest fractional cover of the total size with the
    types' capacities (cheapest price per unit first, within their positions);
    the largest over dimensions. ``inf`` when some dimension cannot be covered.
    """
    K, D = S.shape
    T = cap.shape[0]
    best = 0.0
    anything = False
    for k in range(K):
        if r[k] > 0:
            anything = True
            break
    if not anything:
        return 0.0
    cheapest = np.inf
    for t in range(T):
        if left[t] > 0 and price[t] < cheapest:
            cheapest = price[t]
    if cheapest == np.inf:
        return np.inf
    best = cheapest
    for d in range(D):
        need = 0.0
        for k in range(K):
            need += r[k] * S[k, d]
        if need <= 1e-12:
            continue
        cost = 0.0
        for q in range(T):
            t = type_order[d, q]
            if t < 0:
                break
            if left[t] <= 0:
                continue
            room = cap[t, d] * (1.0 + FIT_REL)  # the overfill a fit allows
            c = room * left[t]
            if c >= need:
                cost += price[t] * need / room
                need = 0.0
                break
            cost += price[t] * left[t]
            need -= c
        if need > 1e-9:
            return np.inf
        if cost > best:
            best = cost
    return best


@jit
def sort_prefix(row, key, c):
    """Reorder ``row[:c]`` by ascending ``key[:c]`` (stable), in place."""
    order = np.argsort(key[:c], kind="mergesort")
    tmp = row[:c].copy()
    for i in range(c):
        row[i] = tmp[order[i]]


@jit
def cover_exact(r, left, cl, rank, pat, ptype, pcost, S, cap, price, type_order, weight, node_limit,
                incumbent, work_limit):
    """Exact branch and bound: cheapest multiset of patterns covering ``r`` within ``left``
    positions and the arrival-class limits ``cl`` (racks of class ``>= g``; items' classes
    ``rank``; ``cl`` empty when there are none).

    The next rack must hold the first uncovered item (largest items first);
    racks for the same branching item are taken in non-decreasing candidate
    order, so every multiset is visited once. Candidates are ordered by the
    root LP (largest value first), then by price per covered size. Nodes are
    pruned by a per-dimension bound and by the LP relaxation of the remainder.
    The search stops after ``node_limit`` nodes or ``work_limit`` units of work
    (LP tableau cells and bound evaluations), whichever comes first. Returns
    ``(y (P,), cost, complete, work)``; ``cost`` is ``inf`` when nothing was
    found below ``incumbent``.
    """
    P, K = pat.shape
    y_best = np.zeros(P, np.int64)
    best = incumbent
    total = 0
    for k in range(K):
        total += r[k]
    if total == 0:
        return Cover(y_best, 0.0, True, 0)
    A = np.empty((K, P))
    for k in range(K):
        for p in range(P):
            A[k, p] = min(pat[p, k], r[k])
    root, x0, work = _lp_value(A, r, ptype, left, pcost, _clipped_class(pat, r, rank), cl)
    work += K * P * (K + 1)
    if root == np.inf or root >= best - 1e-9:
        return Cover(y_best, np.inf, True, work)
    item_order = np.argsort(-weight, kind="mergesort")
    cand = np.full((K, P), -1, np.int64)
    ncand = np.zeros(K, np.int64)
    key = np.empty(P)
    for k in range(K):
        if r[k] == 0:
            continue
        c = 0
        for p in range(P):
            if pat[p, k] > 0:
                v = 0.0
                for j in range(K):
                    v += min(pat[p, j], r[j]) * weight[j]
                key[c] = -x0[p] * 1e12 + pcost[p] / max(v, 1e-12)
                cand[k, c] = p
                c += 1
        sort_prefix(cand[k], key, c)
        ncand[k] = c
    ncand_max = 0
    for k in range(K):
        ncand_max = max(ncand_max, ncand[k])
    rr = r.copy()
    ll = left.copy()
    cc = cl.copy()
    y = np.zeros(P, np.int64)
    depth_max = total + 1
    lvl_cls = np.full(depth_max, -1, np.int64)
    lvl_item = np.full(depth_max, -1, np.int64)
    lvl_pos = np.zeros(depth_max, np.int64)  # next candidate position to try
    lvl_pat = np.full(depth_max, -1, np.int64)
    take = np.zeros((depth_max, K), np.int64)
    cost = 0.0
    depth = 0
    nodes = 0
    complete = True
    entering = True
    while depth >= 0:
        if entering:
            entering = False
            nodes += 1
            work += K * cap.shape[0] + ncand_max
            if nodes > node_limit or work > work_limit:
                complete = False
                break
            k_star = -1
            for q in range(K):
                k = item_order[q]
                if rr[k] > 0:
                    k_star = k
                    break
            if k_star < 0:
                if cost < best - 1e-9:
                    best = cost
                    y_best[:] = y
                depth -= 1
                continue
            if cost + residual_bound(rr, ll, S, cap, price, type_order) >= best - 1e-9:
                depth -= 1
                continue
            if depth > 0:
                for k in range(K):
                    for p in range(P):
                        A[k, p] = min(pat[p, k], rr[k])
                lb, _, lp_work = _lp_value(A, rr, ptype, ll, pcost, _clipped_class(pat, rr, rank), cc)
                work += lp_work + K * P
                if cost + lb >= best - COST_REL * max(1.0, best if best < np.inf else 1.0):
                    depth -= 1
                    continue
            lvl_item[depth] = k_star
            start = 0
            if depth > 0 and lvl_item[depth - 1] == k_star:
                start = lvl_pos[depth - 1] - 1  # same candidate again allowed
            lvl_pos[depth] = start
            lvl_pat[depth] = -1
        # undo the pattern tried last at this level
        p_prev = lvl_pat[depth]
        if p_prev >= 0:
            for k in range(K):
                rr[k] += take[depth, k]
            ll[ptype[p_prev]] += 1
            _class_take(cc, lvl_cls[depth], -1)
            y[p_prev] -= 1
            cost -= pcost[p_prev]
            lvl_pat[depth] = -1
        k_star = lvl_item[depth]
        moved = False
        while lvl_pos[depth] < ncand[k_star]:
            p = cand[k_star, lvl_pos[depth]]
            lvl_pos[depth] += 1
            t = ptype[p]
            if ll[t] <= 0:
                continue
            if cost + pcost[p] >= best - 1e-9:
                continue
            cls = -1
            for k in range(K):
                if pat[p, k] > 0 and rr[k] > 0 and rank[k] > cls:
                    cls = rank[k]
            if not _class_room(cc, cls):
                continue
            for k in range(K):
                tk = min(pat[p, k], rr[k])
                take[depth, k] = tk
                rr[k] -= tk
            ll[t] -= 1
            _class_take(cc, cls, 1)
            lvl_cls[depth] = cls
            y[p] += 1
            cost += pcost[p]
            lvl_pat[depth] = p
            moved = True
            break
        if moved:
            depth += 1
            entering = True
        else:
            depth -= 1
    if best < incumbent:
        return Cover(y_best, best, complete, work)
    return Cover(y_best, np.inf, complete, work)


@jit
def cover_greedy(r, left, cl, rank, pat, ptype, pcost, weight):
    """Cover ``r`` greedily within ``left`` positions and class limits ``cl``: add the pattern
    covering most remaining weight per dollar until every item is held. Returns ``(y (P,),
    cost)``; ``cost`` is ``inf`` when the positions or class limits run out first."""
    P, K = pat.shape
    y = np.zeros(P, np.int64)
    rr = r.copy()
    ll = left.copy()
    cc = cl.copy()
    cost = 0.0
    for t in range(ll.shape[0]):
        if ll[t] < 0:
            return y, np.inf
    for g in range(cc.shape[0]):
        if cc[g] < 0:
            return y, np.inf
    while True:
        remaining = 0
        for k in range(K):
            remaining += rr[k]
        if remaining == 0:
            return y, cost
        best = -1
        best_v = 0.0
        best_cls = -1
        for p in range(P):
            if ll[ptype[p]] <= 0:
                continue
            v = 0.0
            cls = -1
            for k in range(K):
                take = min(pat[p, k], rr[k])
                v += take * weight[k]
                if take > 0 and rank[k] > cls:
                    cls = rank[k]
            if not _class_room(cc, cls):
                continue
            v /= max(pcost[p], 1e-9)
            if v > best_v:
                best_v = v
                best = p
                best_cls = cls
        if best < 0:
            return y, np.inf
        y[best] += 1
        ll[ptype[best]] -= 1
        _class_take(cc, best_cls, 1)
        cost += pcost[best]
        for k in range(K):
            rr[k] = max(rr[k] - pat[best, k], 0)


@jit
def _union(pa, ta, pb, tb):
    """Patterns of ``pa`` then those of ``pb`` not already in ``pa`` (same type and counts)."""
    K = pa.shape[1]
    out = np.zeros((pa.shape[0] + pb.shape[0], K), np.int64)
    ot = np.zeros(pa.shape[0] + pb.shape[0], np.int64)
    n = pa.shape[0]
    out[:n] = pa
    ot[:n] = ta
    for q in range(pb.shape[0]):
        if find_column(out, ot, n, pb[q], tb[q]) < 0:
            out[n] = pb[q]
            ot[n] = tb[q]
            n += 1
    return out[:n], ot[:n]


@jit
def _clip(pat, r):
    """Pattern counts limited to the demand ``r`` (racks that would hold only surplus dropped)."""
    P, K = pat.shape
    keep = np.zeros(P, np.bool_)
    out = np.zeros((P, K), np.int64)
    for p in range(P):
        for k in range(K):
            out[p, k] = min(pat[p, k], r[k])
            if out[p, k] > 0:
                keep[p] = True
    return out, keep


@jit
def _patterns(S, n, exclusive, rack_scale, cap, rank, G, max_patterns):
    """Every maximal pattern; with arrival classes, maximal among the servers of each class and
    earlier (a rack topped up with a later server would arrive later). ``(pat, type, truncated)``."""
    if G == 0:
        return enumerate_patterns(S, n, exclusive, rack_scale, cap, max_patterns)
    K = S.shape[0]
    allp = np.zeros((0, K), np.int64)
    allt = np.zeros(0, np.int64)
    truncated = False
    nh = n.copy()
    for h in range(G):
        for k in range(K):
            nh[k] = n[k] if rank[k] <= h else 0
        pat, ptype, tr = enumerate_patterns(S, nh, exclusive, rack_scale, cap, max_patterns)
        truncated = truncated or tr
        allp, allt = _union(allp, allt, pat, ptype)
    return allp, allt, truncated


@jit
def pack(S, n, exclusive, rack_scale, cap, price, count, rank, class_cap, node_limit, work_limit,
         small_racks, max_patterns, incumbent):
    """Cheapest racks for ``n[k]`` servers of each item type ``k``; see the module docstring.

    ``S`` (K, D) sizes, ``exclusive`` (K,) racks of their own, ``rack_scale``
    (K,) one per position, ``cap`` (T, D), ``price`` (T,), ``count`` (T,)
    positions; ``rank`` (K,) each item's arrival class and ``class_cap`` (G,)
    the most racks of class ``>= g`` (G = 0: no such limits). Returns
    ``(pat (P, K), ptype (P,), x (P,) racks per pattern, cost, bound, status,
    work)``: ``bound`` is a proven lower bound on every packing's cost
    (``inf`` when proven infeasible, ``cost`` when proven optimal); ``status``
    is :class:`Status` ``OK``, ``NO_FIT``, ``INFEASIBLE`` (proven),
    ``GAVE_UP``, or ``PRUNED`` when the bound is already at least
    ``incumbent`` (a cost not worth matching; ``inf`` for none). Effort is
    bounded by ``work`` (matrix cells and nodes), never by the clock.
    """
    K, D = S.shape
    T = cap.shape[0]
    G = class_cap.shape[0]
    empty_p = np.zeros((0, K), np.int64)
    empty_t = np.zeros(0, np.int64)
    no_racks = np.zeros(0, np.int64)
    total = 0
    for k in range(K):
        total += n[k]
    if total == 0:
        return RackPacking(empty_p, empty_t, no_racks, 0.0, 0.0, Status.OK, 0)
    single = single_item_racks(S, n, rack_scale, cap)
    for k in range(K):
        if n[k] > 0:
            fits = False
            for t in range(T):
                if single[t, k] > 0:
                    fits = True
            if not fits:
                return RackPacking(empty_p, empty_t, no_racks, np.inf, np.inf, Status.NO_FIT, 0)
    cl = np.zeros(G, np.int64)
    for g in range(G):
        cl[g] = int(min(class_cap[g], 1e15))
        if cl[g] < 0:
            return RackPacking(empty_p, empty_t, no_racks, np.inf, np.inf, Status.INFEASIBLE, 0)
    cg_pat, cg_type, x, _value, bound, lp_status, work = column_generation(
        S, n, exclusive, rack_scale, cap, price, count, rank, class_cap, empty_p, empty_t,
        work_limit // 4, KNAPSACK_NODES, True)
    if lp_status == LPStatus.INFEASIBLE:
        return RackPacking(empty_p, empty_t, no_racks, np.inf, np.inf, Status.INFEASIBLE, work)
    bound = round_up_cost(bound, price, count)
    if bound >= incumbent * (1.0 - COST_REL):
        return RackPacking(empty_p, empty_t, no_racks, np.inf, bound, Status.PRUNED, work)
    # ordering aids for the exact search: cheapest price per unit of each dimension, item weight
    type_order = np.full((D, T), -1, np.int64)
    ratio = np.empty(T)
    for d in range(D):
        c = 0
        for t in range(T):
            if cap[t, d] > 0.0:
                ratio[c] = price[t] / cap[t, d]
                type_order[d, c] = t
                c += 1
        sort_prefix(type_order[d], ratio, c)
    capmax = np.zeros(D)
    for t in range(T):
        for d in range(D):
            capmax[d] = max(capmax[d], cap[t, d])
    weight = np.zeros(K)
    for k in range(K):
        for d in range(D):
            if capmax[d] > 0.0:
                weight[k] = max(weight[k], S[k, d] / capmax[d])
    best_cost = np.inf
    best_pat = empty_p
    best_type = empty_t
    best_x = no_racks
    proven = False
    lp_racks = 0.0
    for p in range(x.shape[0]):
        lp_racks += x[p]
    if lp_status != LPStatus.OPTIMAL:
        lp_racks = np.inf
    # every maximal pattern, unless there are too many to list (then only the dives below run:
    # an exact search over a truncated list proves nothing and is slow)
    en_pat, en_type, truncated = _patterns(S, n, exclusive, rack_scale, cap, rank, G, max_patterns)
    work += en_pat.shape[0] * K
    # 1. small: the whole problem from scratch, over every maximal pattern
    if lp_racks <= small_racks and not truncated:
        allp, allt = _union(en_pat, en_type, cg_pat, cg_type)
        share = max(work_limit - work, 0) // 2
        y, c, complete, w = cover_exact(n, count, cl, rank, allp, allt, price[allt], S, cap, price,
                                        type_order, weight, node_limit, np.inf, share)
        work += w
        if c < np.inf:
            best_cost = c
            best_pat = allp
            best_type = allt
            best_x = y
        if complete:
            proven = True
    # 2a. a full dive: fix the LP rounded down (or one rack of its largest column) and re-solve
    # the rest by column generation until nothing is left; a quick incumbent, and the answer
    # when there are too many item types to list patterns for an exact remainder
    if not proven and x.shape[0] > 0:
        dive = _dive(S, n, exclusive, rack_scale, cap, price, count, rank, class_cap, cg_pat, cg_type,
                     x, small_racks, max(work_limit - work, 0) // 3)
        work += dive.work
        r, left, cr, c = _rest(n, count, cl, rank, dive.pat, dive.ptype, dive.x, price)
        if c < best_cost and r.sum() == 0 and _within(left, cr):
            best_cost = c
            best_pat, best_type, best_x = dive.pat, dive.ptype, dive.x
    # 2b. the dive as it stood when the rest first became small; pack the rest exactly, freeing
    # more of the fixed racks on each attempt
    if not proven and not truncated and x.shape[0] > 0 and best_cost > bound * (1.0 + COST_REL):
        base_pat, base_type, base_cnt = dive.small_pat, dive.small_ptype, dive.small_x
        pool_pat, pool_type = _union(dive.pool_pat, dive.pool_ptype, cg_pat, cg_type)
        for attempt in range(len(BASE_RELEASE)):
            if best_cost <= bound * (1.0 + COST_REL) + 1e-9:
                break
            release = BASE_RELEASE[attempt]
            base = np.zeros(base_cnt.shape[0], np.int64)
            any_base = False
            for p in range(base_cnt.shape[0]):
                base[p] = max(base_cnt[p] - release, 0)
                if base[p] > 0:
                    any_base = True
            if not any_base and attempt > 0:
                break
            r, left, cr, base_cost = _rest(n, count, cl, rank, base_pat, base_type, base, price)
            if not _within(left, cr):
                continue
            en_pat, en_type, _trunc = _patterns(S, r, exclusive, rack_scale, cap, rank, G, max_patterns)
            clipped, keep = _clip(pool_pat, r)
            resp, rest = _union(en_pat, en_type, clipped[keep], pool_type[keep])
            share = max(work_limit - work, 0)
            if attempt < len(BASE_RELEASE) - 1:
                share //= 2
            y, c, _complete, w = cover_exact(r, left, cr, rank, resp, rest, price[rest], S, cap, price,
                                             type_order, weight, node_limit, best_cost - base_cost, share)
            if c == np.inf and not _complete:
                # the exact search ran out: complete the remainder greedily over the same patterns
                y, c = cover_greedy(r, left, cr, rank, resp, rest, price[rest], weight)
                w += rest.shape[0] * K * (K + 1)
            work += w
            if c < np.inf and (best_cost == np.inf or base_cost + c < best_cost * (1.0 - COST_REL)):
                best_cost = base_cost + c
                best_pat, best_type, best_x = _stack(base_pat, base_type, base, resp, rest, y)
            if work >= work_limit:
                break
    # 3. last resort: the LP rounded down, completed greedily
    if best_cost == np.inf and not proven and x.shape[0] > 0:
        base = np.zeros(x.shape[0], np.int64)
        for p in range(x.shape[0]):
            base[p] = int(np.floor(x[p] + 1e-9))
        r, left, cr, base_cost = _rest(n, count, cl, rank, cg_pat, cg_type, base, price)
        y, c = cover_greedy(r, left, cr, rank, cg_pat, cg_type, price[cg_type], weight)
        work += x.shape[0] * K * (K + 1)
        if c < np.inf:
            best_cost = base_cost + c
            best_pat, best_type, best_x = _stack(cg_pat, cg_type, base, cg_pat, cg_type, y)
    if proven:
        if best_cost == np.inf:
            return RackPacking(empty_p, empty_t, no_racks, np.inf, np.inf, Status.INFEASIBLE, work)
        bound = best_cost
    if best_cost == np.inf:
        return RackPacking(empty_p, empty_t, no_racks, np.inf, bound, Status.GAVE_UP, work)
    if bound > best_cost:
        bound = best_cost  # both are the optimum up to rounding: the LP met the packing
    return RackPacking(best_pat, best_type, best_x, best_cost, bound, Status.OK, work)


@jit
def round_up_cost(bound, price, count):
    """The least rack cost an integer packing can have that is at least ``bound``.

    Every packing costs ``sum_t n_t price_t`` with whole ``n_t <= count_t``, so a
    lower bound can be raised to the cheapest such sum that reaches it (one or
    two rack types; with more, or very many positions, ``bound`` as it is).
    """
    T = price.shape[0]
    if not np.isfinite(bound) or bound <= 0.0:
        return bound
    tol = COST_REL * bound
    if T == 1:
        return price[0] * np.ceil((bound - tol) / price[0])
    if T == 2 and count[0] <= 100_000 and price[0] > 0.0 and price[1] > 0.0:
        best = np.inf
        for a in range(count[0] + 1):
            rest = bound - tol - a * price[0]
            b = 0.0 if rest <= 0.0 else np.ceil(rest / price[1])
            if b <= count[1]:
                best = min(best, a * price[0] + b * price[1])
            if rest <= 0.0:
                break
        if best < np.inf:
            return max(bound, best - tol)
    return bound


@jit
def _within(left, cl):
    for t in range(left.shape[0]):
        if left[t] < 0:
            return False
    for g in range(cl.shape[0]):
        if cl[g] < 0:
            return False
    return True


@jit
def _dive(S, n, exclusive, rack_scale, cap, price, count, rank, class_cap, pat, ptype, x, small_racks,
          work_limit):
    """Fix racks of the LP until nothing is left: each round fixes the LP rounded down (or, when
    every column is fractional, one rack of each at one half or more, else of the largest), then
    re-solves the rest by column generation. Returns a :class:`Dive`: every rack fixed, and the
    racks fixed and columns known when the rest's LP first needed at most ``small_racks``."""
    K = S.shape[0]
    G = class_cap.shape[0]
    cap_rows = 16
    base_pat = np.zeros((cap_rows, K), np.int64)
    base_type = np.zeros(cap_rows, np.int64)
    base_cnt = np.zeros(cap_rows, np.int64)
    B = 0
    cl = np.zeros(G, np.int64)
    for g in range(G):
        cl[g] = int(min(class_cap[g], 1e15))
    left = count.copy()
    cr = cl.copy()
    work = 0
    snap = -1
    snap_pat = base_pat[:0].copy()
    snap_type = base_type[:0].copy()
    snap_cnt = base_cnt[:0].copy()
    pool_pat = pat
    pool_type = ptype
    while True:
        racks = 0.0
        for p in range(x.shape[0]):
            racks += x[p]
        if snap < 0 and racks <= small_racks:
            snap = B
            snap_pat, snap_type, snap_cnt = base_pat[:B].copy(), base_type[:B].copy(), base_cnt[:B].copy()
            pool_pat, pool_type = pat, ptype
        if racks <= 0.0 or work >= work_limit:
            break
        fixed = 0
        for p in range(x.shape[0]):
            f = int(np.floor(x[p] + 1e-9))
            if f > 0:
                base_pat, base_type, base_cnt, B = _push(base_pat, base_type, base_cnt, B, pat[p],
                                                         ptype[p], f)
                fixed += f
        if fixed == 0:
            # every column fractional: round up those at one half or more, else the largest
            q = -1
            for p in range(x.shape[0]):
                h = column_class(pat[p], rank)
                if left[ptype[p]] > 0 and _class_room(cr, h) and (q < 0 or x[p] > x[q]):
                    q = p
            if q < 0:
                break
            for p in range(x.shape[0]):
                h = column_class(pat[p], rank)
                if (p == q or x[p] >= 0.5) and left[ptype[p]] > 0 and _class_room(cr, h):
                    left[ptype[p]] -= 1
                    _class_take(cr, h, 1)
                    base_pat, base_type, base_cnt, B = _push(base_pat, base_type, base_cnt, B, pat[p],
                                                             ptype[p], 1)
        r, left, cr, _c = _rest(n, count, cl, rank, base_pat[:B], base_type[:B], base_cnt[:B], price)
        if r.sum() == 0 or not _within(left, cr):
            break
        clipped, keep = _clip(pat, r)
        pat, ptype, x, _v, _b, st, w = column_generation(
            S, r, exclusive, rack_scale, cap, price, left, rank, cr.astype(np.float64), clipped[keep],
            ptype[keep], max(work_limit - work, 0), KNAPSACK_NODES // 4, False)
        work += w
        if st != LPStatus.OPTIMAL and st != LPStatus.LIMIT:
            break
        if st == LPStatus.LIMIT and _v == np.inf:
            break
    if snap < 0:  # stopped before the rest was small: the exact remainder starts from here
        snap_pat, snap_type, snap_cnt = base_pat[:B].copy(), base_type[:B].copy(), base_cnt[:B].copy()
        pool_pat, pool_type = pat, ptype
    return Dive(base_pat[:B].copy(), base_type[:B].copy(), base_cnt[:B].copy(), snap_pat, snap_type,
                snap_cnt, pool_pat, pool_type, work)


@jit
def _rest(n, count, cl, rank, bp, bt, bc, price):
    """Demand, positions and class room left, and the cost, after ``bc`` racks of the patterns
    ``bp`` / ``bt`` (a rack counts in the class of the latest server its pattern lists)."""
    r = n.copy()
    left = count.copy()
    cr = cl.copy()
    cost = 0.0
    for b in range(bc.shape[0]):
        if bc[b] == 0:
            continue
        left[bt[b]] -= bc[b]
        _class_take(cr, column_class(bp[b], rank), bc[b])
        cost += bc[b] * price[bt[b]]
        for k in range(n.shape[0]):
            r[k] = max(r[k] - bc[b] * bp[b, k], 0)
    return r, left, cr, cost


@jit
def _push(bp, bt, bc, B, row, t, cnt):
    """Append (or add to) a fixed rack row; grows the arrays when full."""
    b = find_column(bp, bt, B, row, t)
    if b >= 0:
        bc[b] += cnt
        return bp, bt, bc, B
    if B == bp.shape[0]:
        bp2 = np.zeros((2 * B, bp.shape[1]), np.int64)
        bt2 = np.zeros(2 * B, np.int64)
        bc2 = np.zeros(2 * B, np.int64)
        bp2[:B] = bp
        bt2[:B] = bt
        bc2[:B] = bc
        bp, bt, bc = bp2, bt2, bc2
    bp[B] = row
    bt[B] = t
    bc[B] = cnt
    return bp, bt, bc, B + 1


@jit
def _stack(pa, ta, xa, pb, tb, xb):
    """One packing from two: the columns of ``a`` used ``xa`` times and of ``b`` used ``xb`` times."""
    n = 0
    for p in range(xa.shape[0]):
        if xa[p] > 0:
            n += 1
    for p in range(xb.shape[0]):
        if xb[p] > 0:
            n += 1
    out = np.zeros((n, pa.shape[1]), np.int64)
    ot = np.zeros(n, np.int64)
    ox = np.zeros(n, np.int64)
    i = _copy_used(out, ot, ox, 0, pa, ta, xa)
    _copy_used(out, ot, ox, i, pb, tb, xb)
    return out, ot, ox


@jit
def _copy_used(out, ot, ox, i, pat, ptype, x):
    """Copy the columns with ``x > 0`` to rows ``i``... of ``out``; returns the next free row."""
    for p in range(x.shape[0]):
        if x[p] > 0:
            out[i] = pat[p]
            ot[i] = ptype[p]
            ox[i] = x[p]
            i += 1
    return i