"""Vector bin packing kernels for identical bins.

Sizes and capacities stay in the caller's units (integers stay exact in
float64); a bin is feasible when every dimension's load is at most the
capacity plus a relative tolerance of 1e-12.

Three pieces:

* :func:`first_fit` — first-fit or best-fit in a given item order, looking at
  the last ``window`` open bins only (all of them for ``window >= n``).
* :func:`l2_bound` — the Martello–Toth L2 lower bound for one dimension.
* :func:`start_state` / :func:`tabu_chunk` — the improvement search. To show a
  packing with one bin fewer exists, the items of the emptiest bin are spread
  over the others, overloading some; a tabu search then moves and swaps items
  out of overloaded bins (shift, swap 1-1, 1-2 and 2-1) to drive the total
  normalized overload to zero, in the spirit of Alvim et al.'s load-balancing
  search for bin packing. It runs in chunks of a fixed amount of work so the
  Python caller can check the clock between chunks while the result depends
  only on the input and the seed.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit

REL_TOL = 1e-12

STATUS_RUNNING = 0
STATUS_FEASIBLE = 1


@jit
def first_fit(sizes, cap, order, window, best_fit):
    """Pack items in ``order``; return (assignment, number of bins).

    ``best_fit``: choose the feasible bin that leaves the least normalized
    slack instead of the first one. Only the last ``window`` bins opened are
    considered, which makes the cost O(n * window).
    """
    n, d = sizes.shape
    tol = cap * REL_TOL
    assign = np.full(n, -1, np.int64)
    load = np.zeros((n, d))
    nb = 0
    for t in range(n):
        i = order[t]
        lo = nb - window
        if lo < 0:
            lo = 0
        chosen = -1
        best_slack = np.inf
        for b in range(lo, nb):
            fits = True
            for k in range(d):
                if load[b, k] + sizes[i, k] > cap[k] + tol[k]:
                    fits = False
                    break
            if not fits:
                continue
            if not best_fit:
                chosen = b
                break
            slack = 0.0
            for k in range(d):
                slack += (cap[k] - load[b, k] - sizes[i, k]) / cap[k]
            if slack < best_slack:
                best_slack = slack
                chosen = b
        if chosen < 0:
            chosen = nb
            nb += 1
        assign[i] = chosen
        for k in range(d):
            load[chosen, k] += sizes[i, k]
    return assign, nb


@jit
def l2_bound(weights, cap):
    """Martello–Toth L2 lower bound on bins for one dimension (weights <= cap)."""
    w = np.sort(weights)[::-1]  # decreasing
    n = w.shape[0]
    total = w.sum()
    best = int(np.ceil(total / cap - 1e-9)) if n else 0
    prefix = np.zeros(n + 1)
    for i in range(n):
        prefix[i + 1] = prefix[i] + w[i]
    half = cap / 2.0
    # Candidate thresholds K: every distinct weight <= cap/2, plus 0.
    for idx in range(n + 1):
        if idx < n:
            k_val = w[idx]
            if k_val > half:
                continue
            if idx > 0 and w[idx - 1] == k_val:
                continue
        else:
            k_val = 0.0
        # N1: w > cap - K; N2: cap - K >= w > cap/2; N3: cap/2 >= w >= K.
        n1 = np.searchsorted(-w, -(cap - k_val), side="left")  # count w > cap-K
        n12 = np.searchsorted(-w, -half, side="left")  # count w > cap/2
        n123 = np.searchsorted(-w, -k_val, side="right")  # count w >= K
        if k_val == 0.0:
            n123 = n
        s2 = prefix[n12] - prefix[n1]
        s3 = prefix[n123] - prefix[n12]
        count2 = n12 - n1
        extra = s3 - (count2 * cap - s2)
        bound = n12
        if extra > 0:
            bound += int(np.ceil(extra / cap - 1e-9))
        if bound > best:
            best = bound
    return best


@jit
def next_random(rng):
    """xorshift64*: a small deterministic generator kept in a 1-element array."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return (x * np.uint64(2685821657736338717)) >> np.uint64(11)


@jit
def _overload(load, b, cap, tol):
    v = 0.0
    for k in range(load.shape[1]):
        e = load[b, k] - cap[k]
        if e > tol[k]:
            v += e / cap[k]
    return v


@jit
def link_bin(i, b, head, nxt, prv, cnt):
    nxt[i] = head[b]
    prv[i] = -1
    if head[b] >= 0:
        prv[head[b]] = i
    head[b] = i
    cnt[b] += 1


@jit
def unlink_bin(i, b, head, nxt, prv, cnt):
    if prv[i] >= 0:
        nxt[prv[i]] = nxt[i]
    else:
        head[b] = nxt[i]
    if nxt[i] >= 0:
        prv[nxt[i]] = prv[i]
    cnt[b] -= 1


@jit
def start_state(sizes, cap, assign_in, nb):
    """Remove the emptiest bin of a feasible packing and spread its items.

    Returns (assign, load, overload per bin, head, next, prev, count) for
    ``nb - 1`` bins; some bins may be overloaded.
    """
    n, d = sizes.shape
    tol = cap * REL_TOL
    m = nb - 1
    fill = np.zeros(nb)
    for i in range(n):
        for k in range(d):
            fill[assign_in[i]] += sizes[i, k] / cap[k]
    removed = 0
    for b in range(1, nb):
        if fill[b] < fill[removed]:
            removed = b
    assign = np.empty(n, np.int64)
    load = np.zeros((m, d))
    loose = np.empty(n, np.int64)
    n_loose = 0
    for i in range(n):
        b = assign_in[i]
        if b == removed:
            loose[n_loose] = i
            n_loose += 1
            assign[i] = -1
        else:
            if b > removed:
                b -= 1
            assign[i] = b
            for k in range(d):
                load[b, k] += sizes[i, k]
    # Largest loose items first, each where it adds the least overload.
    keys = np.empty(n_loose)
    for t in range(n_loose):
        s = 0.0
        for k in range(d):
            s += sizes[loose[t], k] / cap[k]
        keys[t] = -s
    order = np.argsort(keys, kind="mergesort")
    for t in range(n_loose):
        i = loose[order[t]]
        best_b = 0
        best_cost = np.inf
        for b in range(m):
            before = 0.0
            after = 0.0
            for k in range(d):
                e0 = load[b, k] - cap[k]
                e1 = e0 + sizes[i, k]
                if e0 > tol[k]:
                    before += e0 / cap[k]
                if e1 > tol[k]:
                    after += e1 / cap[k]
            cost = after - before
            if cost < best_cost:
                best_cost = cost
                best_b = b
        assign[i] = best_b
        for k in range(d):
            load[best_b, k] += sizes[i, k]
    head = np.full(m, -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    prv = np.full(n, -1, np.int64)
    cnt = np.zeros(m, np.int64)
    for i in range(n - 1, -1, -1):
        link_bin(i, assign[i], head, nxt, prv, cnt)
    over = np.zeros(m)
    for b in range(m):
        over[b] = _overload(load, b, cap, tol)
    return assign, load, over, head, nxt, prv, cnt


@jit
def _delta(load, b, out_a, out_b, into, sizes, cap, tol):
    """Overload of bin b after removing items out_a/out_b (-1: none) and adding `into` (-1: none)."""
    v = 0.0
    for k in range(load.shape[1]):
        x = load[b, k]
        if out_a >= 0:
            x -= sizes[out_a, k]
        if out_b >= 0:
            x -= sizes[out_b, k]
        if into >= 0:
            x += sizes[into, k]
        e = x - cap[k]
        if e > tol[k]:
            v += e / cap[k]
    return v


@jit
def _delta2(load, b, out_a, into_a, into_b, sizes, cap, tol):
    """Overload of bin b after removing out_a and adding into_a and into_b."""
    v = 0.0
    for k in range(load.shape[1]):
        x = load[b, k] - sizes[out_a, k] + sizes[into_a, k] + sizes[into_b, k]
        e = x - cap[k]
        if e > tol[k]:
            v += e / cap[k]
    return v


@jit
def _move(i, src, dst, assign, load, head, nxt, prv, cnt, sizes):
    unlink_bin(i, src, head, nxt, prv, cnt)
    link_bin(i, dst, head, nxt, prv, cnt)
    assign[i] = dst
    for k in range(sizes.shape[1]):
        load[src, k] -= sizes[i, k]
        load[dst, k] += sizes[i, k]


PAIR_MAX = 10
SCAN_MAX = 1024  # partner bins examined per iteration (a random window on large instances)


@jit
def _pick(delta, best, ties, rng):
    """Keep the lowest delta; break exact ties uniformly at random. Returns (take, best, ties)."""
    if delta < best - 1e-15:
        return True, delta, 1
    if delta <= best + 1e-15:
        ties += 1
        return next_random(rng) % np.uint64(ties) == 0, best, ties
    return False, best, ties


@jit
def _is_tabu(i, dst, tabu_bin, tabu_until, it):
    return tabu_bin[i] == dst and tabu_until[i] > it


@jit
def _pair_items(b, b2, head, nxt, buf):
    """Items of b then b2 into buf; returns (count, initial membership mask of b)."""
    k = 0
    i = head[b]
    while i >= 0:
        buf[k] = i
        k += 1
        i = nxt[i]
    init = (1 << k) - 1
    i = head[b2]
    while i >= 0:
        buf[k] = i
        k += 1
        i = nxt[i]
    return k, init


@jit
def tabu_chunk(sizes, cap, assign, load, over, head, nxt, prv, cnt, wt,
               tabu_bin, tabu_until, rng, counters, work_budget):
    """Run the overload-reduction tabu search for about ``work_budget`` evaluations.

    Each iteration takes a random overloaded bin b and the best non-tabu move
    between b and any other bin b2: when the two hold at most PAIR_MAX items,
    the best split of their union (all 2^k splits, Gray-code order); otherwise
    shift, swap 1-1, 1-2 and 2-1. Moves are ranked by the change in weighted
    overload (weight ``wt[b]`` per bin); when no move lowers it, the weights of
    the overloaded bins grow by one (the breakout method), which pushes
    overload towards bins that have rarely held it. A tabu move is taken only
    if it beats the best unweighted total seen (aspiration). ``counters`` holds [iteration,
    best total overload seen * 1e12]. Returns (status, work used): status 1
    when every bin is within capacity (``assign`` is then feasible).
    """
    n, d = sizes.shape
    m = load.shape[0]
    tol = cap * REL_TOL
    work = 0
    it = counters[0]
    total = 0.0
    for b in range(m):
        total += over[b]
    overloaded = np.empty(m, np.int64)
    buf = np.empty(2 * PAIR_MAX + 2, np.int64)
    lb_pair = np.empty(d)
    while work < work_budget:
        if total <= 1e-12:
            exact = 0.0
            for b in range(m):
                over[b] = _overload(load, b, cap, tol)
                exact += over[b]
            total = exact
            if total <= 0.0:
                counters[0] = it
                return STATUS_FEASIBLE, work
        n_over = 0
        for b in range(m):
            if over[b] > 0.0:
                overloaded[n_over] = b
                n_over += 1
        work += m
        if n_over == 0:
            total = 0.0
            continue
        b = overloaded[next_random(rng) % np.uint64(n_over)]
        aspire = counters[1] * 1e-12 - total - 1e-12  # delta needed to beat the best seen
        best = np.inf
        ties = 0
        kind = -1  # 0 shift, 1 swap 1-1, 2 swap 2-1 (two out of b), 3 swap 1-2, 4 pair split
        mi = -1
        mi2 = -1
        mj = -1
        mj2 = -1
        mb2 = -1
        mmask = 0
        ob = over[b]
        n_scan = m if m < SCAN_MAX else SCAN_MAX
        first = np.int64(next_random(rng) % np.uint64(m)) if m > n_scan else 0
        for r in range(n_scan):
            b2 = (first + r) % m
            if b2 == b:
                continue
            base = ob + over[b2]
            wb = wt[b]
            wb2 = wt[b2]
            wbase = wb * ob + wb2 * over[b2]
            if cnt[b] + cnt[b2] <= PAIR_MAX:
                k, init = _pair_items(b, b2, head, nxt, buf)
                for q in range(d):
                    lb_pair[q] = load[b, q]
                mask = init
                for g in range(1, 1 << k):
                    bit = 0
                    while not (g >> bit) & 1:
                        bit += 1
                    item = buf[bit]
                    if (mask >> bit) & 1:
                        for q in range(d):
                            lb_pair[q] -= sizes[item, q]
                    else:
                        for q in range(d):
                            lb_pair[q] += sizes[item, q]
                    mask ^= 1 << bit
                    work += 1
                    c1 = 0.0
                    c2 = 0.0
                    for q in range(d):
                        e1 = lb_pair[q] - cap[q]
                        if e1 > tol[q]:
                            c1 += e1 / cap[q]
                        e2 = load[b, q] + load[b2, q] - lb_pair[q] - cap[q]
                        if e2 > tol[q]:
                            c2 += e2 / cap[q]
                    delta = wb * c1 + wb2 * c2 - wbase
                    if delta > best + 1e-15:
                        continue
                    raw = c1 + c2 - base
                    moved = mask ^ init
                    tabu = False
                    for t in range(k):
                        if (moved >> t) & 1:
                            dst = b if (mask >> t) & 1 else b2
                            if _is_tabu(buf[t], dst, tabu_bin, tabu_until, it):
                                tabu = True
                                break
                    if tabu and raw >= aspire:
                        continue
                    take, best, ties = _pick(delta, best, ties, rng)
                    if take:
                        kind = 4
                        mb2 = b2
                        mmask = mask
                continue
            i = head[b]
            while i >= 0:
                # shift i: b -> b2
                work += 1
                c1 = _delta(load, b, i, -1, -1, sizes, cap, tol)
                c2 = _delta(load, b2, -1, -1, i, sizes, cap, tol)
                delta = wb * c1 + wb2 * c2 - wbase
                if not (_is_tabu(i, b2, tabu_bin, tabu_until, it) and c1 + c2 - base >= aspire):
                    take, best, ties = _pick(delta, best, ties, rng)
                    if take:
                        kind, mi, mb2 = 0, i, b2
                j = head[b2]
                while j >= 0:
                    # swap 1-1: i <-> j
                    work += 1
                    c1 = _delta(load, b, i, -1, j, sizes, cap, tol)
                    c2 = _delta(load, b2, j, -1, i, sizes, cap, tol)
                    delta = wb * c1 + wb2 * c2 - wbase
                    tabu = (_is_tabu(i, b2, tabu_bin, tabu_until, it)
                            or _is_tabu(j, b, tabu_bin, tabu_until, it))
                    if not (tabu and c1 + c2 - base >= aspire):
                        take, best, ties = _pick(delta, best, ties, rng)
                        if take:
                            kind, mi, mj, mb2 = 1, i, j, b2
                    # swap 1-2: i <-> j + j2
                    j2 = nxt[j]
                    while j2 >= 0:
                        work += 1
                        c1 = _delta2(load, b, i, j, j2, sizes, cap, tol)
                        c2 = _delta(load, b2, j, j2, i, sizes, cap, tol)
                        delta = wb * c1 + wb2 * c2 - wbase
                        tabu = (_is_tabu(i, b2, tabu_bin, tabu_until, it)
                                or _is_tabu(j, b, tabu_bin, tabu_until, it)
                                or _is_tabu(j2, b, tabu_bin, tabu_until, it))
                        if not (tabu and c1 + c2 - base >= aspire):
                            take, best, ties = _pick(delta, best, ties, rng)
                            if take:
                                kind, mi, mj, mj2, mb2 = 3, i, j, j2, b2
                        j2 = nxt[j2]
                    # swap 2-1: i + i2 <-> j
                    i2 = nxt[i]
                    while i2 >= 0:
                        work += 1
                        c1 = _delta(load, b, i, i2, j, sizes, cap, tol)
                        c2 = _delta2(load, b2, j, i, i2, sizes, cap, tol)
                        delta = wb * c1 + wb2 * c2 - wbase
                        tabu = (_is_tabu(i, b2, tabu_bin, tabu_until, it)
                                or _is_tabu(i2, b2, tabu_bin, tabu_until, it)
                                or _is_tabu(j, b, tabu_bin, tabu_until, it))
                        if not (tabu and c1 + c2 - base >= aspire):
                            take, best, ties = _pick(delta, best, ties, rng)
                            if take:
                                kind, mi, mi2, mj, mb2 = 2, i, i2, j, b2
                        i2 = nxt[i2]
                    j = nxt[j]
                i = nxt[i]
        it += 1
        if best >= -1e-15:
            for q in range(m):
                if over[q] > 0.0:
                    wt[q] += 1.0
        if kind < 0:
            continue
        tenure = 3 + np.int64(next_random(rng) % np.uint64(10))
        b2 = mb2
        if kind == 4:
            k, init = _pair_items(b, b2, head, nxt, buf)
            for t in range(k):
                item = buf[t]
                want = b if (mmask >> t) & 1 else b2
                if assign[item] != want:
                    src = assign[item]
                    _move(item, src, want, assign, load, head, nxt, prv, cnt, sizes)
                    tabu_bin[item] = src
                    tabu_until[item] = it + tenure
        else:
            _move(mi, b, b2, assign, load, head, nxt, prv, cnt, sizes)
            tabu_bin[mi] = b
            tabu_until[mi] = it + tenure
            if kind == 2:
                _move(mi2, b, b2, assign, load, head, nxt, prv, cnt, sizes)
                tabu_bin[mi2] = b
                tabu_until[mi2] = it + tenure
            if kind >= 1:
                _move(mj, b2, b, assign, load, head, nxt, prv, cnt, sizes)
                tabu_bin[mj] = b2
                tabu_until[mj] = it + tenure
            if kind == 3:
                _move(mj2, b2, b, assign, load, head, nxt, prv, cnt, sizes)
                tabu_bin[mj2] = b2
                tabu_until[mj2] = it + tenure
        total -= over[b] + over[b2]
        over[b] = _overload(load, b, cap, tol)
        over[b2] = _overload(load, b2, cap, tol)
        total += over[b] + over[b2]
        scaled = np.int64(total * 1e12)
        if scaled < counters[1]:
            counters[1] = scaled
    counters[0] = it
    return STATUS_RUNNING, work


@jit
def best_subset(items, k_c, sizes, w, resid, best_w, stop_at, node_limit, path, suffix,
                best_set):
    """Heaviest subset of items[:k_c] that fits in ``resid`` (bounded depth-first search).

    Goes forward including every item that fits, then backtracks by excluding
    the deepest included item; prunes when the remaining weight cannot beat
    ``best_w``; stops at ``stop_at`` weight or after ``node_limit`` nodes.
    ``resid`` is used as scratch. Returns (items in best_set, their weight,
    nodes visited); 0 items when nothing beats the initial ``best_w``.
    """
    d = sizes.shape[1]
    suffix[k_c] = 0.0
    for t in range(k_c - 1, -1, -1):
        suffix[t] = suffix[t + 1] + w[items[t]]
    best_n = 0
    cur_w = 0.0
    nodes = 0
    t = 0
    while True:
        while t < k_c:
            nodes += 1
            if cur_w + suffix[t] <= best_w:
                break
            item = items[t]
            ok = True
            for k in range(d):
                if sizes[item, k] > resid[k]:
                    ok = False
                    break
            path[t] = ok
            if ok:
                for k in range(d):
                    resid[k] -= sizes[item, k]
                cur_w += w[item]
            t += 1
        if cur_w > best_w:
            best_w = cur_w
            best_n = 0
            for u in range(t):
                if path[u]:
                    best_set[best_n] = items[u]
                    best_n += 1
        if best_w >= stop_at - 1e-12 or nodes >= node_limit:
            break
        t -= 1
        while t >= 0 and not path[t]:
            t -= 1
        if t < 0:
            break
        path[t] = False
        for k in range(d):
            resid[k] += sizes[items[t], k]
        cur_w -= w[items[t]]
        t += 1
    return best_n, best_w, nodes


@jit
def min_bin_slack(sizes, cap, order, node_limit):
    """Minimum Bin Slack construction (Gupta & Ho; Fleszar & Hindi's MBS' variant).

    Bins are built one at a time: the largest remaining item goes in, then a
    bounded depth-first search over the other remaining items (in ``order``)
    picks the subset that leaves the least normalized slack, stopping early
    at a full bin. Returns (assignment, number of bins). O(n * bins) set-up
    per bin, so meant for instances of a few thousand items.
    """
    n, d = sizes.shape
    tol = cap * REL_TOL
    w = np.zeros(n)
    for i in range(n):
        for k in range(d):
            w[i] += sizes[i, k] / cap[k]
    alive = np.ones(n, np.bool_)
    assign = np.full(n, -1, np.int64)
    cand = np.empty(n, np.int64)
    best_set = np.empty(n, np.int64)
    path = np.zeros(n, np.bool_)
    resid = np.empty(d)
    suffix = np.zeros(n + 1)
    full = float(d)  # total normalized weight of a bin filled in every dimension
    nb = 0
    head = 0
    while True:
        while head < n and not alive[order[head]]:
            head += 1
        if head >= n:
            break
        first = order[head]
        alive[first] = False
        assign[first] = nb
        for k in range(d):
            resid[k] = cap[k] + tol[k] - sizes[first, k]
        k_c = 0
        for t in range(head + 1, n):
            i = order[t]
            if alive[i]:
                fits = True
                for k in range(d):
                    if sizes[i, k] > resid[k]:
                        fits = False
                        break
                if fits:
                    cand[k_c] = i
                    k_c += 1
        target = full - w[first]  # weight that would fill every dimension exactly
        best_n, _, _ = best_subset(cand, k_c, sizes, w, resid, -1.0, target, node_limit, path,
                                   suffix, best_set)
        for u in range(best_n):
            alive[best_set[u]] = False
            assign[best_set[u]] = nb
        nb += 1
    return assign, nb


@jit
def dff_bound(values, counts, cap, kmax):
    """Lower bound from dual feasible functions for one dimension.

    ``values`` are the distinct item weights (ascending) and ``counts`` how
    many items have each. For every threshold eps (0 and each distinct weight
    <= cap/2) and every k in 1..kmax, items are mapped by Fekete & Schepers'
    u^(k) composed with the threshold function U^(eps) (1 above 1 - eps, 0
    below eps, x between); ceil of the mapped sum bounds the number of bins.
    Cost O(distinct^2 * kmax). Returns the best bound.
    """
    m = values.shape[0]
    x = values / cap
    best = 0
    for idx in range(-1, m):
        if idx >= 0:
            eps = x[idx]
            if eps > 0.5 + 1e-12:
                break
        else:
            eps = 0.0
        for k in range(1, kmax + 1):
            total = 0.0
            for i in range(m):
                v = x[i]
                if v > 1.0 - eps + 1e-12:
                    total += counts[i]
                    continue
                if v < eps - 1e-12:
                    continue
                y = (k + 1) * v
                r = np.floor(y + 0.5)
                if abs(y - r) <= 1e-9:
                    total += counts[i] * v
                else:
                    total += counts[i] * (np.floor(y) / k)
            bound = int(np.ceil(total - 1e-9))
            if bound > best:
                best = bound
    return best
