"""Pricing for column generation: the most valuable content of one rack.

Given a value per server of each item type (the LP's duals), find the counts
``a`` that maximise ``sum value_k a_k`` with ``sum a_k S_k <= capacity`` in all
five rack dimensions and ``0 <= a_k <= upper_k``: a bounded multi-dimensional
integer knapsack, solved by depth-first branch and bound.

Items are branched in order of value per unit of a *surrogate* size (the
dimensions weighted by multipliers tuned at the root, so that the aggregated
constraint is nearly as tight as all five); a node is bounded by the smaller of
the fractional knapsack on that surrogate constraint and the smallest, over
dimensions, of the fractional knapsack of one dimension alone. When the node
limit stops the search, the kernel still returns a valid *upper* bound (over
every subtree left unexplored), so a Lagrangian bound built on it stays proven.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import jit
from ..tolerance import FIT_REL
from .patterns import max_fit


class RackContent(NamedTuple):
    """The most valuable content of one rack found by :func:`best_rack`."""

    counts: np.ndarray
    """(K,) servers of each item type."""
    value: float
    """Value of ``counts``."""
    upper_bound: float
    """Proven upper bound on the best value (equal to ``value`` when ``exact``)."""
    exact: bool
    nodes: int


@jit
def _frac_bound(value, S, upper, order_d, pos_of, first, first_upper, rem, slack):
    """Fractional-knapsack bound over candidates at positions >= ``first``; the candidate at
    ``first`` may take at most ``first_upper``. ``order_d[d]`` lists candidate indices by value
    per unit of dimension ``d``; ``pos_of`` maps a candidate to its branching position;
    ``slack`` (D,) is the overfill a fit allows (``FIT_REL`` of the capacity)."""
    D = S.shape[1]
    L = value.shape[0]
    best = np.inf
    for d in range(D):
        room = (rem[d] if rem[d] > 0.0 else 0.0) + slack[d]
        total = 0.0
        for q in range(L):
            j = order_d[d, q]
            if pos_of[j] < first:
                continue
            u = first_upper if pos_of[j] == first else upper[j]
            if u <= 0:
                continue
            s = S[j, d]
            if s <= 0.0:
                total += value[j] * u
                continue
            if room <= 0.0:
                continue
            take = room / s
            if take >= u:
                total += value[j] * u
                room -= u * s
            else:
                total += value[j] * take
                room = 0.0
        if total < best:
            best = total
    return best


@jit
def _surrogate_bound(value, size, upper, first, first_upper, room):
    """Fractional knapsack on one aggregated dimension, over positions >= ``first`` (already
    in order of value per aggregated size)."""
    total = 0.0
    for q in range(first, value.shape[0]):
        u = first_upper if q == first else upper[q]
        if u <= 0:
            continue
        s = size[q]
        if s <= 0.0:
            total += value[q] * u
            continue
        if room <= 0.0:
            break
        take = room / s
        if take >= u:
            total += value[q] * u
            room -= u * s
        else:
            total += value[q] * take
            room = 0.0
    return total


@jit
def _node_bound(v, Sc, up, agg, w, cap, order_d, pos_of, first, first_upper, rem, slack):
    """The smaller of the surrogate bound and the per-dimension bounds."""
    room = 0.0
    for d in range(cap.shape[0]):
        if cap[d] > 0.0 and w[d] > 0.0:
            room += w[d] * ((rem[d] if rem[d] > 0.0 else 0.0) + slack[d]) / cap[d]
    b = _surrogate_bound(v, agg, up, first, first_upper, room)
    f = _frac_bound(v, Sc, up, order_d, pos_of, first, first_upper, rem, slack)
    return b if b < f else f


@jit
def _surrogate_weights(value, S, upper, cap, iterations):
    """Multipliers ``w`` (summing to 1) that make one aggregated constraint
    ``sum_d w_d size_d / cap_d <= 1`` bound the knapsack tightly: a few rounds of
    multiplicative weights toward the dimensions the fractional solution overfills. Any
    ``w >= 0`` gives a valid bound; these only make it small."""
    L, D = S.shape
    w = np.zeros(D)
    active = 0
    for d in range(D):
        for q in range(L):
            if S[q, d] > 0.0:
                w[d] = 1.0
                active += 1
                break
    best_w = w / max(active, 1)
    best_val = np.inf
    agg = np.empty(L)
    key = np.empty(L)
    for _ in range(iterations):
        total_w = 0.0
        for d in range(D):
            total_w += w[d]
        for d in range(D):
            w[d] /= total_w
        for q in range(L):
            a = 0.0
            for d in range(D):
                if cap[d] > 0.0:
                    a += w[d] * S[q, d] / cap[d]
            agg[q] = a
            key[q] = -value[q] / a if a > 0.0 else -np.inf
        order = np.argsort(key, kind="mergesort")
        room = 1.0
        val = 0.0
        use = np.zeros(D)
        for i in range(L):
            q = order[i]
            u = float(upper[q])
            if agg[q] > 0.0:
                u = min(u, room / agg[q])
            if u <= 0.0:
                continue
            val += value[q] * u
            room -= u * agg[q]
            for d in range(D):
                use[d] += u * S[q, d]
        if val < best_val:
            best_val = val
            best_w = w.copy()
        for d in range(D):
            if w[d] > 0.0 and cap[d] > 0.0:
                # toward overfilled dimensions; plain arithmetic, so every machine agrees
                w[d] *= min(2.0, max(0.5, use[d] / cap[d]))
    return best_w


@jit
def best_rack(value, S, upper, allowed, cap, node_limit):
    """Most valuable rack content; see the module docstring.

    ``value`` (K,), ``S`` (K, D), ``upper`` (K,) int, ``allowed`` (K,) bool,
    ``cap`` (D,). Returns ``(a (K,), best, upper_bound, exact, nodes)``:
    ``best`` is the value of ``a``; ``upper_bound`` >= the true optimum (equal
    to ``best`` when ``exact``).
    """
    K, D = S.shape
    a_best = np.zeros(K, np.int64)
    idx = np.empty(K, np.int64)
    eff = np.empty(K)
    L = 0
    for k in range(K):
        if not allowed[k] or value[k] <= 0.0 or upper[k] <= 0:
            continue
        if max_fit(cap, S[k], 1) < 1:
            continue
        tight = 0.0
        for d in range(D):
            if S[k, d] > 0.0:
                tight = max(tight, S[k, d] / cap[d])
        idx[L] = k
        eff[L] = value[k] / tight if tight > 0.0 else np.inf
        L += 1
    if L == 0:
        return RackContent(a_best, 0.0, 0.0, True, 0)
    cand = idx[:L].copy()
    vs = np.empty(L)
    Ss = np.empty((L, D))
    us = np.empty(L, np.int64)
    for q in range(L):
        vs[q] = value[cand[q]]
        Ss[q] = S[cand[q]]
        us[q] = upper[cand[q]]
    w = _surrogate_weights(vs, Ss, us, cap, 30)
    agg_all = np.empty(L)
    for q in range(L):
        a = 0.0
        for d in range(D):
            if cap[d] > 0.0:
                a += w[d] * Ss[q, d] / cap[d]
        agg_all[q] = a
        eff[q] = -vs[q] / a if a > 0.0 else -np.inf
    o = np.argsort(eff[:L], kind="mergesort")
    items = cand[o]
    v = np.empty(L)
    Sc = np.empty((L, D))
    up = np.empty(L, np.int64)
    agg = np.empty(L)
    for q in range(L):
        v[q] = vs[o[q]]
        Sc[q] = Ss[o[q]]
        up[q] = us[o[q]]
        agg[q] = agg_all[o[q]]
    pos_of = np.arange(L)
    slack = FIT_REL * cap
    order_d = np.empty((D, L), np.int64)
    key = np.empty(L)
    for d in range(D):
        for q in range(L):
            key[q] = -v[q] / Sc[q, d] if Sc[q, d] > 0.0 else -np.inf
        order_d[d] = np.argsort(key, kind="mergesort")
    # greedy start in branching order
    rem = cap.copy()
    best = 0.0
    cnt = np.zeros(L, np.int64)
    for q in range(L):
        c = max_fit(rem, Sc[q], up[q])
        cnt[q] = c
        best += c * v[q]
        for d in range(D):
            rem[d] -= c * Sc[q, d]
    best_cnt = cnt.copy()
    # depth-first branch and bound: level q chooses cnt[q] from its largest feasible value down
    cnt[:] = 0
    rem[:] = cap
    val = 0.0
    nodes = 0
    level = 0
    entering = True
    stopped = False
    tol = 1e-12 * (1.0 + best)
    while level >= 0:
        if entering:
            if level == L:
                if val > best + tol:
                    best = val
                    best_cnt[:] = cnt
                level -= 1
                entering = False
                continue
            nodes += 1
            if nodes > node_limit:
                stopped = True
                break
            if val + _node_bound(v, Sc, up, agg, w, cap, order_d, pos_of, level, up[level], rem, slack) \
                    <= best + tol:
                level -= 1
                entering = False
                continue
            c = max_fit(rem, Sc[level], up[level])
            cnt[level] = c
            val += c * v[level]
            for d in range(D):
                rem[d] -= c * Sc[level, d]
            level += 1
            continue
        # next child at this level: one fewer of its item
        if cnt[level] == 0:
            level -= 1
            continue
        cnt[level] -= 1
        val -= v[level]
        for d in range(D):
            rem[d] += Sc[level, d]
        level += 1
        entering = True
    upper_bound = best
    if stopped:
        # unexplored: the node being entered, and the smaller counts left at each level above it
        ub = val + _node_bound(v, Sc, up, agg, w, cap, order_d, pos_of, level, up[level], rem, slack)
        upper_bound = max(upper_bound, ub)
        r2 = cap.copy()
        v2 = 0.0
        for q in range(level):
            if cnt[q] >= 1:
                ub = v2 + _node_bound(v, Sc, up, agg, w, cap, order_d, pos_of, q, cnt[q] - 1, r2, slack)
                upper_bound = max(upper_bound, ub)
            v2 += cnt[q] * v[q]
            for d in range(D):
                r2[d] -= cnt[q] * Sc[q, d]
    for q in range(L):
        a_best[items[q]] = best_cnt[q]
    return RackContent(a_best, best, upper_bound, not stopped, nodes)
