"""Column generation for the master LP, with a proven Lagrangian bound at every step.

The master LP (:mod:`rackplan.kernels.lp`) starts with one column per rack type
and item type (that item alone, as many as fit) plus any columns the caller
already has. Each round solves it, reads the duals ``pi`` of the cover rows and
asks every rack type for its most valuable rack at those values
(:func:`rackplan.kernels.knapsack.best_rack`); a rack whose value exceeds its
price (less the dual of its position row) is a new column. When no rack type
has one, the LP is optimal over *all* patterns without ever listing them,
which is what makes 60 distinct server sizes tractable.

Bound. For any ``pi >= 0`` the Lagrangian relaxation of the cover rows gives::

    cost >= sum_k pi_k demand_k + sum_g y_g limit_g
            + sum_t positions_t * min(0, min_h (price_t - best_rack_t,h(pi) - sum_{g<=h} y_g))

(``y_g <= 0`` the duals of the arrival-class rows, ``h`` a class). It holds for
every integer packing too, it uses the knapsack's proven *upper* bound when a
pricing search was cut short, and it is computed every round; the best one is
reported, with Farley's bound (the duals scaled down until no rack prices out) when
it is larger. Phase 1 (cover the demand at all) uses the same formula with zero
prices: a positive value there proves that no packing fits the positions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import jit
from ..tolerance import BOUND_SAFETY_REL, COST_REL, FEAS_TOL, RC_TOL
from .knapsack import best_rack
from .lp import duals, new_master, reserve, simplex
from .patterns import max_fit
from .status import LPStatus


class ColumnSet(NamedTuple):
    """Columns generated for a master LP, its solution over them and a proven bound."""

    pat: np.ndarray
    """(P, K) servers of each item type in one rack of each column."""
    ptype: np.ndarray
    """(P,) rack type of each column."""
    x: np.ndarray
    """(P,) LP value of each column."""
    value: float
    """LP objective (``inf`` before phase 2 or when infeasible)."""
    bound: float
    """Proven lower bound on the cost of every packing (``inf`` when proven infeasible)."""
    status: LPStatus
    work: int


MAX_COLUMNS = 50_000
"""Columns the master may hold; column generation stops (unproven) beyond it."""


@jit
def single_item_racks(S, n, rack_scale, cap):
    """``(T, K)`` servers of item ``k`` alone in one rack of type ``t`` (at most its demand)."""
    K = S.shape[0]
    T = cap.shape[0]
    single = np.zeros((T, K), np.int64)
    for t in range(T):
        for k in range(K):
            if n[k] > 0:
                single[t, k] = max_fit(cap[t], S[k], 1 if rack_scale[k] else n[k])
    return single


@jit
def column_class(a, rank):
    """Arrival class of a rack: the latest class of the servers in it (-1 when empty)."""
    h = -1
    for k in range(a.shape[0]):
        if a[k] > 0 and rank[k] > h:
            h = rank[k]
    return h


@jit
def column_generation(S, n, exclusive, rack_scale, cap, price, count, rank, class_cap,
                      pool_pat, pool_type, work_limit, knap_nodes, escalate):
    """LP relaxation of covering ``n`` by racks, over every pattern; see the module docstring.

    ``S`` (K, D) sizes, ``n`` (K,) demands, ``exclusive`` (K,) item racks alone
    (dedicated or rack-scale), ``rack_scale`` (K,) one per rack, ``cap`` (T, D),
    ``price`` (T,), ``count`` (T,) positions; ``rank`` (K,) each item's arrival
    class and ``class_cap`` (G,) racks allowed in classes ``>= g`` (G may be 0);
    ``pool_pat`` (Q, K) / ``pool_type`` (Q,) columns to start with;
    ``knap_nodes`` nodes per pricing search, multiplied by 8 (up to 64 times)
    before concluding when no column prices out unproven, if ``escalate``.

    Returns ``(pat (P, K), ptype (P,), x (P,), value, bound, status, work)``:
    the generated columns, the LP solution over them, its value, a proven
    lower bound on every packing's cost, and :class:`LPStatus` (``INFEASIBLE``
    is proven; ``LIMIT`` means the work ran out, the bound still holds).
    """
    K, D = S.shape
    T = cap.shape[0]
    G = class_cap.shape[0]
    m = K + T + G
    total_n = 0.0
    total_pos = 0.0
    for k in range(K):
        total_n += n[k]
    for t in range(T):
        total_pos += count[t]
    b = np.zeros(m)
    for k in range(K):
        b[k] = n[k]
    for t in range(T):
        b[K + t] = count[t]
    for g in range(G):
        b[K + T + g] = min(class_cap[g], total_pos)
    cscale = 0.0
    for t in range(T):
        cscale = max(cscale, price[t])
    cscale = cscale if cscale > 0.0 else 1.0
    single = single_item_racks(S, n, rack_scale, cap)
    A, c, ncol, basis, Binv, xB = new_master(b, K, 4 * (K * T + pool_pat.shape[0]) + 64)
    first = ncol
    capP = A.shape[1]
    pat = np.zeros((capP, K), np.int64)
    ptype = np.zeros(capP, np.int64)
    P = 0
    a = np.zeros(K, np.int64)
    # starting columns: the caller's pool (clipped to the demand), then every single-item rack
    for q in range(pool_pat.shape[0] + T * K):
        if q < pool_pat.shape[0]:
            t = pool_type[q]
            for k in range(K):
                a[k] = min(pool_pat[q, k], n[k])
        else:
            t = (q - pool_pat.shape[0]) // K
            kk = (q - pool_pat.shape[0]) % K
            a[:] = 0
            a[kk] = single[t, kk]
        nz = 0
        for k in range(K):
            nz += a[k]
        if nz == 0 or find_column(pat, ptype, P, a, t) >= 0:
            continue
        A, c = reserve(A, c, ncol, 1)
        if A.shape[1] > pat.shape[0]:
            pat, ptype = _grow_pool(pat, ptype, A.shape[1])
        _set_column(A, ncol, a, t, K, T, column_class(a, rank), G)
        c[ncol] = 0.0
        pat[P] = a
        ptype[P] = t
        P += 1
        ncol += 1
    phase = 1
    for k in range(K):
        c[k] = 1.0
    infeasible_at = 1e-7 * (1.0 + total_n)
    best_bound = -np.inf
    status = LPStatus.LIMIT
    work = 0
    max_iter = 50 * (m + 10) + 4 * (ncol + 64)
    pi = np.zeros(K)
    yg = np.zeros(G)
    nodes_now = knap_nodes
    while True:
        st, _it, w = simplex(A, c, ncol, basis, Binv, xB, b, K, max_iter)
        work += w
        if st != LPStatus.OPTIMAL:
            status = LPStatus.LIMIT
            break
        z = 0.0
        for r in range(m):
            z += c[basis[r]] * xB[r]
        if phase == 1 and z <= FEAS_TOL * (1.0 + total_n):
            phase = 2
            best_bound = -np.inf
            for k in range(K):
                c[k] = 0.0
            for p in range(P):
                c[first + p] = price[ptype[p]] / cscale
            continue
        y = duals(c, basis, Binv)
        scale = 1.0  # phase 1: the bound needs duals <= 1 (an artificial's price), so pi / scale
        for k in range(K):
            pi[k] = y[k] if y[k] > 0.0 else 0.0
            if phase == 1 and pi[k] > scale:
                scale = pi[k]
        for g in range(G):
            yg[g] = y[K + T + g] if y[K + T + g] < 0.0 else 0.0
        lagr = 0.0
        for k in range(K):
            lagr += pi[k] * b[k]
        for g in range(G):
            lagr += yg[g] * b[K + T + g]
        added = 0
        all_exact = True
        farley = 0.0  # largest value per dollar of any rack at these duals (no class rows)
        free_rack = False  # a rack type priced 0 holding value: no scaling makes pi feasible
        capped = False  # a column priced out but the master was full: nothing can be concluded
        n_classes = G if G > 0 else 1
        allowed = np.zeros(K, np.bool_)
        for t in range(T):
            ct = price[t] / cscale if phase == 2 else 0.0
            min_tau = 0.0
            penalty = 0.0
            for h in range(n_classes):
                if G > 0:
                    penalty -= yg[h]
                for k in range(K):
                    allowed[k] = (not exclusive[k]) and (G == 0 or rank[k] <= h)
                a, val, ub, exact, nodes = best_rack(pi, S, n, allowed, cap[t], nodes_now)
                work += (nodes + 1) * K * D
                if not exact:
                    all_exact = False
                kub = ub
                for k in range(K):
                    if exclusive[k] and (G == 0 or rank[k] <= h):
                        kub = max(kub, pi[k] * single[t, k])
                if ct > 0.0 and kub / ct > farley:
                    farley = kub / ct
                elif ct <= 0.0 and kub > 0.0:
                    free_rack = True
                tau = ct - kub + penalty
                if tau < min_tau:
                    min_tau = tau
                if G > 0 and column_class(a, rank) != h:
                    continue  # found again, with its own penalty, at its own class
                rc = ct - val - y[K + t] + penalty
                if val > 0.0 and rc < -RC_TOL and find_column(pat, ptype, P, a, t) < 0:
                    if P >= MAX_COLUMNS:
                        capped = True
                        continue
                    A, c = reserve(A, c, ncol, 1)
                    if A.shape[1] > pat.shape[0]:
                        pat, ptype = _grow_pool(pat, ptype, A.shape[1])
                    _set_column(A, ncol, a, t, K, T, column_class(a, rank), G)
                    c[ncol] = ct
                    pat[P] = a
                    ptype[P] = t
                    P += 1
                    ncol += 1
                    added += 1
            lagr += b[K + t] * min_tau
        lagr /= scale  # the Lagrangian at pi / scale: every term is linear in pi
        if lagr > best_bound:
            best_bound = lagr
        if phase == 2 and G == 0 and farley > 0.0 and not free_rack:
            # Farley: pi / farley is dual feasible for the LP without its position rows
            fb = 0.0
            for k in range(K):
                fb += pi[k] * b[k]
            fb /= farley
            if fb > best_bound:
                best_bound = fb
        if escalate and added == 0 and not all_exact and nodes_now < 64 * knap_nodes \
                and work <= work_limit:
            nodes_now *= 8  # no column found but not proven: price harder before concluding
            continue
        if capped and added == 0:
            status = LPStatus.LIMIT  # columns left out: neither optimality nor infeasibility
            break
        if phase == 1:
            if best_bound > infeasible_at or (added == 0 and all_exact and z > infeasible_at):
                status = LPStatus.INFEASIBLE
                break
            if added == 0:
                status = LPStatus.LIMIT  # phase 1 stuck above zero without a proof
                break
        else:
            if added == 0 or z - best_bound <= COST_REL * max(1.0, abs(z)):
                status = LPStatus.OPTIMAL if all_exact or z - best_bound <= COST_REL * max(1.0, abs(z)) \
                    else LPStatus.LIMIT
                break
        if work > work_limit:
            status = LPStatus.LIMIT
            break
        max_iter = 50 * (m + 10) + 4 * (ncol + 64)
    x = np.zeros(P)
    if phase == 2:
        for r in range(m):
            j = basis[r]
            if j >= first and xB[r] > 0.0:
                x[j - first] = xB[r]
    value = np.inf
    bound = -np.inf
    if status == LPStatus.INFEASIBLE:
        bound = np.inf
    elif phase == 2:
        value = 0.0
        for p in range(P):
            value += x[p] * price[ptype[p]]
        bound = best_bound * cscale
        bound -= BOUND_SAFETY_REL * abs(bound)
        if bound < 0.0:
            bound = 0.0
    else:
        bound = 0.0
    return ColumnSet(pat[:P].copy(), ptype[:P].copy(), x, value, bound, status, work)


@jit
def find_column(pat, ptype, P, a, t):
    """Index of the column among the first ``P`` with rack type ``t`` and counts ``a``, or -1."""
    for p in range(P):
        if ptype[p] != t:
            continue
        same = True
        for k in range(a.shape[0]):
            if pat[p, k] != a[k]:
                same = False
                break
        if same:
            return p
    return -1


@jit
def _set_column(A, j, a, t, K, T, cls, G):
    for i in range(A.shape[0]):
        A[i, j] = 0.0
    for k in range(K):
        A[k, j] = a[k]
    A[K + t, j] = 1.0
    for g in range(G):
        if g <= cls:
            A[K + T + g, j] = 1.0


@jit
def _grow_pool(pat, ptype, cap):
    pat2 = np.zeros((cap, pat.shape[1]), np.int64)
    ptype2 = np.zeros(cap, np.int64)
    pat2[:pat.shape[0]] = pat
    ptype2[:ptype.shape[0]] = ptype
    return pat2, ptype2
