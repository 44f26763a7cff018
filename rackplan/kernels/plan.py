"""Kernels of the planner: rack patterns, a small LP, pattern selection and the model search.

The planner's packing problem has few item types (one server model per
workload, many identical servers each) and few rack types with limited
positions, so it is solved as a cutting-stock problem:

1. :func:`enumerate_patterns` lists, per rack type, the maximal multisets of
   servers one rack can hold (shared workloads mix; a dedicated workload's
   rack holds only its own servers; a rack-scale system fills a position).
2. :func:`solve_lp` solves the LP relaxation "cover every workload's server
   count with pattern racks, within the positions of each type, at least
   cost" (dense two-phase simplex; the LP has one row per workload and per
   rack type, so it stays tiny).
3. :func:`pack_selection` rounds the LP down and completes the remainder with
   an exact depth-first branch and bound over patterns (the whole problem when
   it is small), so small plans are optimal and large ones are within the
   remainder's few racks of the LP bound.
4. :func:`search` is a depth-first branch and bound over the server model of
   each workload with :func:`pack_selection` at every leaf, so a model that
   saves racks or power wins over one that is only cheaper to buy.

Everything takes and returns arrays; outcomes are status codes.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit

# pack_selection / search status codes
OK = 0
NO_FIT = 1  # some item fits no rack type at all
NO_POSITIONS = 2  # the LP relaxation is infeasible: not enough positions
ROUNDING_FAILED = 3  # LP feasible but no integer completion found within the limits
LIMIT = 4  # search stopped at its leaf limit (the plan is valid, not proven optimal)
NONE_FEASIBLE = 5  # search: no choice of models meets every limit
NOT_FOUND = 6  # search: stopped at its limits before finding a feasible choice

LP_OK = 0
LP_INFEASIBLE = 1
LP_ITERATIONS = 2

MODE_CAPEX = 0
MODE_TCO = 1
MODE_TIME = 2

NODE_WORK = 1_000
"""Work charged per node of the model search: about what a node costs next to an LP cell."""

_FIT_TOL = 1e-9
_INF = np.inf


@jit
def max_fit(rem, s, upper):
    """How many items of size ``s`` fit in remaining capacity ``rem`` (at most ``upper``)."""
    best = upper
    for d in range(rem.shape[0]):
        if s[d] > 0.0:
            f = np.floor(rem[d] / s[d] + _FIT_TOL)
            if f < best:  # compared as floats: a tiny size must not overflow an int
                best = int(f)
    return max(best, 0)


@jit
def enumerate_patterns(S, n, exclusive, rack_scale, cap, max_patterns):
    """Maximal rack contents per rack type.

    ``S`` (K, D) item sizes, ``n`` (K,) demands, ``exclusive`` (K,) item may not
    share a rack with other items, ``rack_scale`` (K,) item fills a position
    alone, ``cap`` (T, D). Returns ``(pat (P, K), ptype (P,), truncated)``.
    Single-item patterns come first for every type so a truncated list can
    still cover every item.
    """
    K = S.shape[0]
    T = cap.shape[0]
    pat = np.zeros((max_patterns, K), np.int64)
    ptype = np.zeros(max_patterns, np.int64)
    npat = 0
    truncated = False
    shared = np.zeros(K, np.int64)
    m = 0
    for k in range(K):
        if not exclusive[k] and not rack_scale[k]:
            shared[m] = k
            m += 1
    for t in range(T):
        for k in range(K):
            upper = 1 if rack_scale[k] else n[k]
            f = max_fit(cap[t], S[k], upper)
            if f >= 1 and npat < max_patterns:
                pat[npat, k] = f
                ptype[npat] = t
                npat += 1
    if m < 2:
        return pat[:npat], ptype[:npat], truncated
    cnt = np.zeros(m, np.int64)
    rem = np.empty(cap.shape[1])
    for t in range(T):
        rem[:] = cap[t]
        # greedy fill of positions 0..m-1, then odometer on positions 0..m-2
        for j in range(m):
            k = shared[j]
            cnt[j] = max_fit(rem, S[k], n[k])
            rem -= cnt[j] * S[k]
        while True:
            nonzero = 0
            for j in range(m):
                if cnt[j] > 0:
                    nonzero += 1
            if nonzero >= 2:
                maximal = True
                for j in range(m):
                    k = shared[j]
                    if cnt[j] < n[k] and max_fit(rem, S[k], 1) >= 1:
                        maximal = False
                        break
                if maximal:
                    if npat >= max_patterns:
                        truncated = True
                        break
                    for j in range(m):
                        pat[npat, shared[j]] = cnt[j]
                    ptype[npat] = t
                    npat += 1
            # next vector: rightmost position < m-1 with a positive count
            j = m - 2
            while j >= 0 and cnt[j] == 0:
                j -= 1
            if j < 0:
                break
            for i in range(j + 1, m):
                rem += cnt[i] * S[shared[i]]
                cnt[i] = 0
            cnt[j] -= 1
            rem += S[shared[j]]
            for i in range(j + 1, m):
                k = shared[i]
                cnt[i] = max_fit(rem, S[k], n[k])
                rem -= cnt[i] * S[k]
        if truncated:
            break
    return pat[:npat], ptype[:npat], truncated


@jit
def _pivot(tab, basis, row, col):
    piv = tab[row, col]
    ncol = tab.shape[1]
    for j in range(ncol):
        tab[row, j] /= piv
    for i in range(tab.shape[0]):
        if i != row:
            f = tab[i, col]
            if f != 0.0:
                for j in range(ncol):
                    tab[i, j] -= f * tab[row, j]
    basis[row] = col


@jit
def _simplex(tab, basis, n_enter, max_iter):
    """Minimise over the tableau; columns >= n_enter never enter. Returns (status, iterations)."""
    m = tab.shape[0] - 1
    rhs = tab.shape[1] - 1
    degenerate = 0
    it = 0
    while it < max_iter:
        it += 1
        col = -1
        if degenerate > 2 * m + 10:
            for j in range(n_enter):  # Bland: first improving column
                if tab[m, j] < -1e-9:
                    col = j
                    break
        else:
            best = -1e-9
            for j in range(n_enter):
                if tab[m, j] < best:
                    best = tab[m, j]
                    col = j
        if col < 0:
            return LP_OK, it
        row = -1
        ratio = _INF
        for i in range(m):
            a = tab[i, col]
            if a > 1e-9:
                r = tab[i, rhs] / a
                if r < ratio - 1e-12 or (r <= ratio + 1e-12 and row >= 0 and basis[i] < basis[row]):
                    ratio = r
                    row = i
        if row < 0:
            return LP_INFEASIBLE, it  # unbounded cannot happen with positive costs; treat as failure
        if ratio <= 1e-12:
            degenerate += 1
        else:
            degenerate = 0
        _pivot(tab, basis, row, col)
    return LP_ITERATIONS, it


@jit
def solve_lp(A, b, ptype, count, cost):
    """min cost.x  s.t.  A x >= b (coverage), sum of x over each type <= count, x >= 0.

    ``A`` (K, P) pattern contents, ``b`` (K,), ``ptype`` (P,), ``count`` (T,),
    ``cost`` (P,). Returns ``(x (P,), value, status, work)``; ``work`` counts
    tableau cells visited by the pivots (a machine-independent measure of effort).
    """
    K, P = A.shape
    T = count.shape[0]
    m = K + T
    art = P + K + T
    ncol = art + K
    tab = np.zeros((m + 1, ncol + 1))
    basis = np.empty(m, np.int64)
    for k in range(K):
        for p in range(P):
            tab[k, p] = A[k, p]
        tab[k, P + k] = -1.0
        tab[k, art + k] = 1.0
        tab[k, ncol] = b[k]
        basis[k] = art + k
    for t in range(T):
        r = K + t
        for p in range(P):
            if ptype[p] == t:
                tab[r, p] = 1.0
        tab[r, P + K + t] = 1.0
        tab[r, ncol] = count[t]
        basis[r] = P + K + t
    # phase 1: minimise the sum of artificials
    for j in range(ncol + 1):
        s = 0.0
        for k in range(K):
            s += tab[k, j]
        tab[m, j] = -s
    for k in range(K):
        tab[m, art + k] = 0.0
    max_iter = 50 * (m + 10) + 2 * P
    x = np.zeros(P)
    status, it = _simplex(tab, basis, art, max_iter)
    cells = (m + 1) * (ncol + 1)
    work = it * cells
    if status != LP_OK:
        return x, _INF, status, work
    scale = 1.0
    for k in range(K):
        scale += b[k]
    if -tab[m, ncol] > 1e-9 * scale:
        return x, _INF, LP_INFEASIBLE, work
    # drive artificials out of the basis where possible
    for i in range(m):
        if basis[i] >= art:
            for j in range(art):
                if abs(tab[i, j]) > 1e-9:
                    _pivot(tab, basis, i, j)
                    break
    # phase 2
    for j in range(ncol + 1):
        tab[m, j] = 0.0
    for p in range(P):
        tab[m, p] = cost[p]
    for i in range(m):
        c = cost[basis[i]] if basis[i] < P else 0.0
        if c != 0.0:
            for j in range(ncol + 1):
                tab[m, j] -= c * tab[i, j]
    status, it = _simplex(tab, basis, art, max_iter)
    work += (it + m) * cells
    if status != LP_OK:
        return x, _INF, status, work
    value = 0.0
    for i in range(m):
        if basis[i] < P:
            v = tab[i, ncol]
            x[basis[i]] = v if v > 0.0 else 0.0
            value += cost[basis[i]] * x[basis[i]]
    return x, value, LP_OK, work


@jit
def _residual_bound(r, left, S, cap, price, type_order):
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
    cheapest = _INF
    for t in range(T):
        if left[t] > 0 and price[t] < cheapest:
            cheapest = price[t]
    if cheapest == _INF:
        return _INF
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
            c = cap[t, d] * left[t]
            if c >= need:
                cost += price[t] * need / cap[t, d]
                need = 0.0
                break
            cost += price[t] * left[t]
            need -= c
        if need > 1e-9:
            return _INF
        if cost > best:
            best = cost
    return best


@jit
def _sort_prefix(row, key, c):
    """Reorder ``row[:c]`` by ascending ``key[:c]`` (stable), in place."""
    order = np.argsort(key[:c], kind="mergesort")
    tmp = row[:c].copy()
    for i in range(c):
        row[i] = tmp[order[i]]


@jit
def _lp_bound(A, rr, ptype, ll, pcost):
    """LP value of covering ``rr`` within positions ``ll`` (``inf`` if infeasible), x, work."""
    x, value, status, work = solve_lp(A, rr.astype(np.float64), ptype, ll.astype(np.float64), pcost)
    if status == LP_INFEASIBLE:
        return _INF, x, work
    if status != LP_OK:
        return 0.0, x, work
    return value, x, work


@jit
def _cover(r, left, pat, ptype, pcost, S, cap, price, type_order, weight, node_limit, incumbent,
           work_limit):
    """Exact branch and bound: cheapest multiset of patterns covering ``r`` within ``left``.

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
        return y_best, 0.0, True, 0
    A = np.empty((K, P))
    for k in range(K):
        for p in range(P):
            A[k, p] = min(pat[p, k], r[k])
    root, x0, work = _lp_bound(A, r, ptype, left, pcost)
    work += K * P * (K + 1)
    if root == _INF or root >= best - 1e-9:
        return y_best, _INF, True, work
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
        _sort_prefix(cand[k], key, c)
        ncand[k] = c
    ncand_max = 0
    for k in range(K):
        ncand_max = max(ncand_max, ncand[k])
    rr = r.copy()
    ll = left.copy()
    y = np.zeros(P, np.int64)
    depth_max = total + 1
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
            if cost + _residual_bound(rr, ll, S, cap, price, type_order) >= best - 1e-9:
                depth -= 1
                continue
            if depth > 0:
                for k in range(K):
                    for p in range(P):
                        A[k, p] = min(pat[p, k], rr[k])
                lb, _, lp_work = _lp_bound(A, rr, ptype, ll, pcost)
                work += lp_work + K * P
                if cost + lb >= best - 1e-6 * max(1.0, best if best < _INF else 1.0):
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
            for k in range(K):
                tk = min(pat[p, k], rr[k])
                take[depth, k] = tk
                rr[k] -= tk
            ll[t] -= 1
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
        return y_best, best, complete, work
    return y_best, _INF, complete, work


@jit
def _greedy_cover(n, count, base, pat, ptype, pcost, weight):
    """Complete the racks ``base`` greedily: add the pattern covering most remaining
    weight per dollar until every item is held. Returns ``(x (P,), cost)``;
    ``cost`` is ``inf`` when the positions run out first."""
    P, K = pat.shape
    T = count.shape[0]
    x = base.copy()
    left = count.copy()
    r = n.copy()
    cost = 0.0
    for p in range(P):
        left[ptype[p]] -= x[p]
        cost += x[p] * pcost[p]
        for k in range(K):
            r[k] = max(r[k] - x[p] * pat[p, k], 0)
    for t in range(T):
        if left[t] < 0:
            return x, _INF
    while True:
        remaining = 0
        for k in range(K):
            remaining += r[k]
        if remaining == 0:
            return x, cost
        best = -1
        best_v = 0.0
        for p in range(P):
            if left[ptype[p]] <= 0:
                continue
            v = 0.0
            for k in range(K):
                v += min(pat[p, k], r[k]) * weight[k]
            v /= max(pcost[p], 1e-9)
            if v > best_v:
                best_v = v
                best = p
        if best < 0:
            return x, _INF
        x[best] += 1
        left[ptype[best]] -= 1
        cost += pcost[best]
        for k in range(K):
            r[k] = max(r[k] - pat[best, k], 0)


@jit
def merge_items(S, n, exclusive, rack_scale, lead):
    """Pool shared items that are interchangeable in a rack (same size and lead time).

    Two workloads that share racks and chose servers of the same size are one
    item type to the packer; pooling them keeps the pattern count small when a
    scenario has many small workloads. Returns ``(group (K,), S, n, exclusive,
    rack_scale, lead)`` of the pooled types; item ``k`` belongs to ``group[k]``.
    """
    K, D = S.shape
    group = np.full(K, -1, np.int64)
    first = np.empty(K, np.int64)
    G = 0
    for k in range(K):
        if not exclusive[k]:
            for g in range(G):
                j = first[g]
                if exclusive[j] or lead[j] != lead[k]:
                    continue
                same = True
                for d in range(D):
                    if S[j, d] != S[k, d]:
                        same = False
                        break
                if same:
                    group[k] = g
                    break
        if group[k] < 0:
            first[G] = k
            group[k] = G
            G += 1
    Sm = np.empty((G, D))
    nm = np.zeros(G, np.int64)
    exm = np.empty(G, np.bool_)
    rsm = np.empty(G, np.bool_)
    leadm = np.empty(G)
    for g in range(G):
        j = first[g]
        Sm[g] = S[j]
        exm[g] = exclusive[j]
        rsm[g] = rack_scale[j]
        leadm[g] = lead[j]
    for k in range(K):
        nm[group[k]] += n[k]
    return group, Sm, nm, exm, rsm, leadm


@jit
def pack_selection(S, n, exclusive, rack_scale, cap, price, count, node_limit, work_limit,
                   small_racks, max_patterns):
    """Cheapest racks for ``n[k]`` items of each type ``k``; see the module docstring.

    Returns ``(pat (P, K), ptype (P,), x (P,) racks per pattern, cost,
    lower_bound, status, work)``. ``lower_bound`` is a lower bound on the cost
    of any packing: ``cost`` itself when the search from scratch was
    exhaustive, else the LP value (``inf`` when even the relaxation is
    infeasible). The exact searches stop at ``node_limit`` nodes each or when
    ``work`` (see :func:`_cover`) reaches ``work_limit``.
    """
    K, D = S.shape
    T = cap.shape[0]
    pat, ptype, truncated = enumerate_patterns(S, n, exclusive, rack_scale, cap, max_patterns)
    P = pat.shape[0]
    work = P * K * T
    x_int = np.zeros(P, np.int64)
    covered = np.zeros(K, np.bool_)
    for p in range(P):
        for k in range(K):
            if pat[p, k] > 0:
                covered[k] = True
    for k in range(K):
        if n[k] > 0 and not covered[k]:
            return pat, ptype, x_int, _INF, _INF, NO_FIT, work
    pcost = np.empty(P)
    for p in range(P):
        pcost[p] = price[ptype[p]]
    A = np.empty((K, P))
    for k in range(K):
        for p in range(P):
            A[k, p] = pat[p, k]
    b = n.astype(np.float64)
    x, lp_value, lp_status, lp_work = solve_lp(A, b, ptype, count.astype(np.float64), pcost)
    work += lp_work
    if lp_status == LP_INFEASIBLE:
        return pat, ptype, x_int, _INF, _INF, NO_POSITIONS, work
    # cheapest price per unit of each dimension, for the residual bound
    type_order = np.full((D, T), -1, np.int64)
    ratio = np.empty(T)
    for d in range(D):
        c = 0
        for t in range(T):
            if cap[t, d] > 0.0:
                ratio[c] = price[t] / cap[t, d]
                type_order[d, c] = t
                c += 1
        _sort_prefix(type_order[d], ratio, c)
    capmax = np.zeros(D)
    for t in range(T):
        for d in range(D):
            capmax[d] = max(capmax[d], cap[t, d])
    weight = np.zeros(K)
    for k in range(K):
        for d in range(D):
            if capmax[d] > 0.0:
                weight[k] = max(weight[k], S[k, d] / capmax[d])
    lp_racks = 0.0
    for p in range(P):
        lp_racks += x[p]
    if lp_status != LP_OK:
        lp_racks = _INF
    best_cost = _INF
    proven = False
    # attempt 0: the whole problem from scratch when the LP says it is small;
    # attempts 1, 2: the LP rounded down (minus 0, then 1 per pattern), remainder exact
    for attempt in range(3):
        base = np.zeros(P, np.int64)
        if attempt == 0:
            if lp_status == LP_OK and lp_racks > small_racks:
                continue
        else:
            if lp_status != LP_OK:
                break
            any_base = False
            for p in range(P):
                base[p] = max(int(np.floor(x[p] + 1e-9)) - (attempt - 1), 0)
                if base[p] > 0:
                    any_base = True
            if not any_base:
                break
        r = n.copy()
        left = count.copy()
        base_cost = 0.0
        for p in range(P):
            if base[p] > 0:
                left[ptype[p]] -= base[p]
                base_cost += base[p] * pcost[p]
                for k in range(K):
                    r[k] = max(r[k] - base[p] * pat[p, k], 0)
        # attempt 0 may use half of the work left, attempt 1 two thirds, attempt 2 all
        share = max(work_limit - work, 0)
        share = share // 2 if attempt == 0 else (share * 2 // 3 if attempt == 1 else share)
        y, c, complete, cover_work = _cover(r, left, pat, ptype, pcost, S, cap, price, type_order,
                                            weight, node_limit, best_cost - base_cost, share)
        work += cover_work
        if c < _INF and base_cost + c < best_cost - 1e-9:
            best_cost = base_cost + c
            x_int = base + y
        if attempt == 0 and complete and not truncated:
            proven = True  # exhaustive from scratch: best_cost (or inf) is optimal
            break
        if best_cost < _INF and best_cost <= lp_value + 1e-6 * max(1.0, lp_value):
            break
    if best_cost == _INF and lp_status == LP_OK:
        # last resort when the exact completions ran out of work: the LP rounded
        # down, the rest covered greedily
        base = np.zeros(P, np.int64)
        for p in range(P):
            base[p] = int(np.floor(x[p] + 1e-9))
        y, c = _greedy_cover(n, count, base, pat, ptype, pcost, weight)
        work += P * K * (K + 1)
        if c < _INF:
            best_cost = c
            x_int = y
    if lp_status != LP_OK or truncated:
        # the LP stopped early, or saw only some patterns: fall back to the dimension bound
        lp_value = _residual_bound(n, count, S, cap, price, type_order)
    if proven:
        if best_cost == _INF:
            return pat, ptype, x_int, _INF, _INF, NO_POSITIONS, work  # proven: no integer packing
        lp_value = best_cost
    if best_cost == _INF:
        return pat, ptype, x_int, _INF, lp_value, ROUNDING_FAILED, work
    return pat, ptype, x_int, best_cost, lp_value, OK, work


@jit
def ready_day(pat, ptype, x, lead_days, days_per_rack, burn_days):
    """Ready day of a packing: racks install in order of arrival, one crew pipeline.

    A rack arrives when its last server does (``lead_days`` per item); rack
    ``i`` in arrival order finishes at ``max(arrival_i, finish_{i-1}) +
    days_per_rack``; the plan is ready at the last finish (rounded up to a
    whole day) plus burn-in.
    """
    P, K = pat.shape
    arrival = np.zeros(P)
    for p in range(P):
        for k in range(K):
            if pat[p, k] > 0 and lead_days[k] > arrival[p]:
                arrival[p] = lead_days[k]
    order = np.argsort(arrival, kind="mergesort")
    finish = 0.0
    for i in range(P):
        p = order[i]
        if x[p] > 0:
            finish = max(finish, arrival[p]) + x[p] * days_per_rack
    return np.ceil(finish - 1e-9) + burn_days


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
    search stops (status LIMIT) after ``leaf_limit`` leaves or once its nodes
    (``NODE_WORK`` each) and packings (each at most ``leaf_work``) have used
    ``work_limit`` units of work: a bound on effort that is the same on every
    machine.

    Returns ``(choice (W,), primary, value, lower_bound, status, leaves,
    fail_counts (4,))``; ``fail_counts``: leaves rejected for no fit, no
    positions, failed rounding, budget.
    """
    W = cand_start.shape[0] - 1
    D = S.shape[1]
    # suffix minima of the separable parts
    min_sep = np.zeros(W + 1)
    min_capex = np.zeros(W + 1)
    min_power = np.zeros(W + 1)
    for w in range(W - 1, -1, -1):
        a = _INF
        b = _INF
        c = _INF
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
    best_p = _INF
    best_v = _INF
    leaf_p = np.empty(leaf_limit)
    leaf_v = np.empty(leaf_limit)
    n_leaf_lb = 0
    fails = np.zeros(4, np.int64)
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
            # leaf
            leaves += 1
            for w in range(W):
                c = choice[w]
                Sw[w] = S[c]
                nw[w] = n[c]
                rsw[w] = rack_scale[c]
                exw[w] = dedicated[w] or rack_scale[c]
                leadw[w] = lead[c]
            _g, Sm, nm, exm, rsm, leadm = merge_items(Sw, nw, exw, rsw, leadw)
            pat, ptype, x, rack_cost, lp_value, st, leaf_w = pack_selection(
                Sm, nm, exm, rsm, cap, price, count, node_limit, leaf_work, small_racks,
                max_patterns)
            work += leaf_w
            p_lb = pre_lead[W] + burn_days if mode == MODE_TIME else 0.0
            if st == NO_FIT:
                fails[0] += 1
            elif st == NO_POSITIONS:
                fails[1] += 1
            elif pre_capex[W] + lp_value > budget * (1 + 1e-12):
                fails[3] += 1
            else:
                if n_leaf_lb < leaf_limit:
                    leaf_p[n_leaf_lb] = p_lb
                    leaf_v[n_leaf_lb] = pre_sep[W] + lp_value
                    n_leaf_lb += 1
                if st == ROUNDING_FAILED:
                    fails[2] += 1
                elif pre_capex[W] + rack_cost > budget * (1 + 1e-12):
                    fails[3] += 1
                else:
                    v = pre_sep[W] + rack_cost
                    prim = 0.0
                    if mode == MODE_TIME:
                        prim = ready_day(pat, ptype, x, leadm, days_per_rack, burn_days)
                    if prim < best_p or (prim == best_p and v < best_v - 1e-9 * max(1.0, abs(v))):
                        best_p = prim
                        best_v = v
                        best_choice[:] = choice
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
        if pre_power[w + 1] + min_power[w + 1] > envelope * (1 + 1e-12):
            continue
        if pre_capex[w + 1] + min_capex[w + 1] + rack_lb > budget * (1 + 1e-12):
            continue
        prim = pre_lead[w + 1] + burn_days if mode == MODE_TIME else 0.0
        v_lb = pre_sep[w + 1] + min_sep[w + 1] + rack_lb
        if prim > best_p or (prim == best_p and v_lb >= best_v - 1e-9 * max(1.0, abs(best_v))):
            continue
        choice[w] = c
        depth += 1
        if depth < W:
            pos[depth] = cand_start[depth]
    lower = best_v
    if hit_limit:
        lower = min(best_v, min_sep[0])
    else:
        for i in range(n_leaf_lb):
            if leaf_p[i] <= best_p and leaf_v[i] < lower:
                lower = leaf_v[i]
    if best_choice[0] < 0:
        return best_choice, best_p, best_v, lower, (NOT_FOUND if hit_limit else NONE_FEASIBLE), \
            leaves, fails
    return best_choice, best_p, best_v, lower, (LIMIT if hit_limit else OK), leaves, fails
