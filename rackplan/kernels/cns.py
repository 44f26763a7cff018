"""Consistent neighbourhood search for identical-bin vector packing.

After Buljubašić & Vasquez (Computers & OR, 2016): to show that ``m`` bins
suffice, keep a *partial* solution of ``m - 2`` feasible bins and a pool of
unassigned items, and minimize the pool's total (normalized) weight until the
pool fits into the two remaining bins. Moves, always keeping every bin
feasible:

* swap(p, q): take p <= 2 items out of a bin into the pool and q in {1, 2}
  items from the pool into the bin; the best non-tabu move is made even when
  it does not improve (tabu search), items leaving a bin may not come back to
  it for a few iterations, and items entering a bin may not leave it;
* pack set (descent): refill a bin with the heaviest subset of its items and
  the pool that fits (a bounded depth-first knapsack search).

The caller gives each item's weight: in one dimension its size / capacity, in
several a weighted sum over dimensions of size / capacity (the weights adapt
between chunks, see ``rackplan.packing``). The search runs in chunks of a
fixed amount of work so the caller can check the clock between chunks while the
result depends only on the input and the seed.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit
from .binpack import REL_TOL, STATUS_FEASIBLE, STATUS_RUNNING, best_subset, link_bin, next_random, unlink_bin

STATUS_STUCK = 2  # no move exists (nothing left to rearrange)

_OUT_PAIR_MAX = 16  # bins with more items consider single removals only
_IN_PAIR_MAX = 40  # pools with more items consider single insertions only
_KNAP_NODES = 4000  # node limit of one pack-set search
_EXACT_SPLIT_MAX = 20  # pools up to this size get an exact two-bin check
SCAN_MAX = 24  # bins examined per iteration (a random window on large instances)
# Secondary objective: per item kept in the pool, a small credit. Among pools of
# about the same weight, one of more, smaller items splits into two bins more
# easily (five items of 0.38 cannot, six of 0.33 can).
POOL_ITEM_CREDIT = 1e-3
# The split-aware part of that objective: while the pool's total fits the last bins in every
# dimension but the pool does not split into them (its items too large to share a bin), the credit per
# item grows by CREDIT_STEP each iteration, up to CREDIT_MAX, so trading one large pool item
# for two smaller ones pays; once the pool is heavy again it shrinks back. Without it the
# search circles a pool of five items of 0.38 (weight 1.9, two bins' worth, unsplittable)
# on Falkenauer's triplets.
CREDIT_STEP = 2e-3
CREDIT_MAX = 0.2


@jit
def _fits(load, b, sizes, out_a, out_b, in_a, in_b, cap, tol):
    for k in range(sizes.shape[1]):
        x = load[b, k]
        if out_a >= 0:
            x -= sizes[out_a, k]
        if out_b >= 0:
            x -= sizes[out_b, k]
        if in_a >= 0:
            x += sizes[in_a, k]
        if in_b >= 0:
            x += sizes[in_b, k]
        if x > cap[k] + tol[k]:
            return False
    return True


@jit
def _pool_add(i, pool, pool_pos, n_pool):
    pool[n_pool] = i
    pool_pos[i] = n_pool
    return n_pool + 1


@jit
def _pool_remove(i, pool, pool_pos, n_pool):
    p = pool_pos[i]
    last = pool[n_pool - 1]
    pool[p] = last
    pool_pos[last] = p
    pool_pos[i] = -1
    return n_pool - 1


@jit
def start_state(sizes, cap, w, assign_in, nb, target):
    """Partial solution for ``target`` bins from a feasible packing in ``nb`` bins.

    Keeps the ``target - 2`` fullest bins (by weight) and pools the rest.
    Returns (assign, load, head, nxt, prv, cnt, pool, pool_pos, n_pool).
    """
    n, d = sizes.shape
    keep = target - 2
    if keep < 0:
        keep = 0
    fill = np.zeros(nb)
    for i in range(n):
        fill[assign_in[i]] += w[i]
    order = np.argsort(-fill, kind="mergesort")
    new_id = np.full(nb, -1, np.int64)
    for r in range(keep):
        new_id[order[r]] = r
    assign = np.full(n, -1, np.int64)
    load = np.zeros((max(keep, 1), d))
    head = np.full(max(keep, 1), -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    prv = np.full(n, -1, np.int64)
    cnt = np.zeros(max(keep, 1), np.int64)
    pool = np.empty(n, np.int64)
    pool_pos = np.full(n, -1, np.int64)
    n_pool = 0
    for i in range(n):
        b = new_id[assign_in[i]]
        if b >= 0:
            assign[i] = b
            link_bin(i, b, head, nxt, prv, cnt)
            for k in range(d):
                load[b, k] += sizes[i, k]
        else:
            n_pool = _pool_add(i, pool, pool_pos, n_pool)
    return assign, load, head, nxt, prv, cnt, pool, pool_pos, n_pool


@jit
def _split_pool(sizes, cap, tol, pool, n_pool, bins, out):
    """Try to pack the pool into ``bins`` (1 or 2) bins; fill out[] with 0/1; True on success."""
    d = sizes.shape[1]
    total = np.zeros(d)
    for t in range(n_pool):
        for k in range(d):
            total[k] += sizes[pool[t], k]
    for k in range(d):
        if total[k] > bins * (cap[k] + tol[k]):
            return False
    if bins == 1:
        for k in range(d):
            if total[k] > cap[k] + tol[k]:
                return False
        for t in range(n_pool):
            out[t] = 0
        return True
    if n_pool <= _EXACT_SPLIT_MAX:
        # Gray-code walk over every subset for bin 0; the rest go to bin 1.
        l0 = np.zeros(d)
        mask = 0
        for g in range(1, 1 << n_pool):
            bit = 0
            while not (g >> bit) & 1:
                bit += 1
            item = pool[bit]
            if (mask >> bit) & 1:
                for k in range(d):
                    l0[k] -= sizes[item, k]
            else:
                for k in range(d):
                    l0[k] += sizes[item, k]
            mask ^= 1 << bit
            ok = True
            for k in range(d):
                if l0[k] > cap[k] + tol[k] or total[k] - l0[k] > cap[k] + tol[k]:
                    ok = False
                    break
            if ok:
                for t in range(n_pool):
                    out[t] = 0 if (mask >> t) & 1 else 1
                return True
        return False
    # Large pool: first-fit decreasing by weight into two bins.
    keys = np.empty(n_pool)
    for t in range(n_pool):
        s = 0.0
        for k in range(d):
            s += sizes[pool[t], k] / cap[k]
        keys[t] = -s
    order = np.argsort(keys, kind="mergesort")
    loads = np.zeros((2, d))
    for r in range(n_pool):
        t = order[r]
        placed = False
        for b in range(2):
            ok = True
            for k in range(d):
                if loads[b, k] + sizes[pool[t], k] > cap[k] + tol[k]:
                    ok = False
                    break
            if ok:
                for k in range(d):
                    loads[b, k] += sizes[pool[t], k]
                out[t] = b
                placed = True
                break
        if not placed:
            return False
    return True


@jit
def _pack_set(b, sizes, cap, tol, w, assign, load, head, nxt, prv, cnt, pool, pool_pos,
              n_pool, cand, best_set, resid):
    """Refill bin b with the heaviest subset of (its items + pool) that fits.

    Bounded depth-first search over candidates in decreasing weight. Returns
    (new pool size, improved?, nodes used).
    """
    d = sizes.shape[1]
    k_c = 0
    i = head[b]
    current = 0.0
    while i >= 0:
        cand[k_c] = i
        k_c += 1
        current += w[i]
        i = nxt[i]
    for t in range(n_pool):
        cand[k_c] = pool[t]
        k_c += 1
    keys = np.empty(k_c)
    for t in range(k_c):
        keys[t] = -w[cand[t]]
    order = np.argsort(keys, kind="mergesort")
    items = np.empty(k_c, np.int64)
    for t in range(k_c):
        items[t] = cand[order[t]]
    for k in range(d):
        resid[k] = cap[k] + tol[k]
    path = np.zeros(k_c, np.bool_)
    suffix = np.zeros(k_c + 1)
    best_n, _, nodes = best_subset(items, k_c, sizes, w, resid, current + 1e-12, np.inf,
                                   _KNAP_NODES, path, suffix, best_set)
    if best_n == 0:
        return n_pool, False, nodes
    # Apply: everything in bin b goes to the pool, then the best set comes in.
    i = head[b]
    while i >= 0:
        nxt_i = nxt[i]
        unlink_bin(i, b, head, nxt, prv, cnt)
        assign[i] = -1
        n_pool = _pool_add(i, pool, pool_pos, n_pool)
        for k in range(d):
            load[b, k] -= sizes[i, k]
        i = nxt_i
    for t in range(best_n):
        item = best_set[t]
        n_pool = _pool_remove(item, pool, pool_pos, n_pool)
        link_bin(item, b, head, nxt, prv, cnt)
        assign[item] = b
        for k in range(d):
            load[b, k] += sizes[item, k]
    return n_pool, True, nodes


@jit
def search_chunk(sizes, cap, w, assign, load, head, nxt, prv, cnt, pool, pool_pos, state,
                 tabu_bin, tabu_until, rng, work_budget):
    """Run the consistent neighbourhood search for about ``work_budget`` evaluations.

    ``state`` holds [iteration, pool size, bins in the partial solution,
    iterations since the pool weight last reached a new minimum, that
    minimum * 1e12, target bins, the pool-item credit * 1e12]. On success
    (status 1) the pool items are assigned to bins ``keep`` and ``keep + 1``
    and ``assign`` is a complete packing.
    """
    n, d = sizes.shape
    tol = cap * REL_TOL
    it = state[0]
    n_pool = state[1]
    keep = state[2]
    work = 0
    split = np.empty(n, np.int64)
    cand = np.empty(n, np.int64)
    best_set = np.empty(n, np.int64)
    resid = np.empty(d)
    final_bins = min(2, state[5])
    credit = state[6] * 1e-12
    pool_load = np.empty(d)
    while work < work_budget:
        pool_w = 0.0
        pool_load[:] = 0.0
        for t in range(n_pool):
            pool_w += w[pool[t]]
            for k in range(d):
                pool_load[k] += sizes[pool[t], k]
        if _split_pool(sizes, cap, tol, pool, n_pool, final_bins, split):
            for t in range(n_pool):
                assign[pool[t]] = keep + split[t]
            state[0] = it
            state[1] = 0
            return STATUS_FEASIBLE, work
        work += n_pool
        light = True
        for k in range(d):
            if pool_load[k] > final_bins * (cap[k] + tol[k]):
                light = False
        if light:
            credit = min(credit + CREDIT_STEP, CREDIT_MAX)
        else:
            credit = max(credit - CREDIT_STEP, POOL_ITEM_CREDIT)
        scaled = np.int64(pool_w * 1e12)
        if scaled < state[4]:
            state[4] = scaled
            state[3] = 0
        else:
            state[3] += 1
        # Descent every so often and whenever the tabu search stalls.
        n_scan = keep if keep < SCAN_MAX else SCAN_MAX
        if state[3] > 0 and state[3] % 25 == 0 and keep > 0:
            start = np.int64(next_random(rng) % np.uint64(keep))
            for r in range(n_scan):
                b = (start + r) % keep
                n_pool, _, nodes = _pack_set(b, sizes, cap, tol, w, assign, load, head, nxt,
                                             prv, cnt, pool, pool_pos, n_pool, cand, best_set,
                                             resid)
                work += nodes
        if keep == 0:
            state[0] = it
            state[1] = n_pool
            return STATUS_STUCK, work
        best = np.inf
        ties = 0
        mb = -1
        mo1 = -1
        mo2 = -1
        mi1 = -1
        mi2 = -1
        in_pairs = n_pool <= _IN_PAIR_MAX
        first = np.int64(next_random(rng) % np.uint64(keep)) if keep > n_scan else 0
        for r in range(n_scan):
            b = (first + r) % keep
            out_pairs = cnt[b] <= _OUT_PAIR_MAX
            # out option: none (o1 = -1), one item, or two items
            o1 = -2
            while True:
                if o1 == -2:
                    o1 = -1
                elif o1 == -1:
                    o1 = head[b]
                    if o1 < 0:
                        break
                else:
                    o1 = nxt[o1]
                    if o1 < 0:
                        break
                if o1 >= 0 and tabu_bin[o1] == -2 - b and tabu_until[o1] > it:
                    continue  # entered b recently: must stay
                o2 = -1
                while True:
                    w_out = 0.0
                    if o1 >= 0:
                        w_out += w[o1] - credit
                    if o2 >= 0:
                        w_out += w[o2] - credit
                    for p1 in range(n_pool):
                        j1 = pool[p1]
                        if tabu_bin[j1] == b and tabu_until[j1] > it:
                            continue
                        work += 1
                        if not _fits(load, b, sizes, o1, o2, j1, -1, cap, tol):
                            continue  # then no pair with j1 fits either
                        delta = w_out - w[j1] + credit
                        if delta < best - 1e-15:
                            best = delta
                            ties = 1
                            mb, mo1, mo2, mi1, mi2 = b, o1, o2, j1, -1
                        elif delta <= best + 1e-15:
                            ties += 1
                            if next_random(rng) % np.uint64(ties) == 0:
                                mb, mo1, mo2, mi1, mi2 = b, o1, o2, j1, -1
                        if not in_pairs:
                            continue
                        for p2 in range(p1 + 1, n_pool):
                            j2 = pool[p2]
                            if tabu_bin[j2] == b and tabu_until[j2] > it:
                                continue
                            work += 1
                            if _fits(load, b, sizes, o1, o2, j1, j2, cap, tol):
                                delta = w_out - w[j1] - w[j2] + 2 * credit
                                if delta < best - 1e-15:
                                    best = delta
                                    ties = 1
                                    mb, mo1, mo2, mi1, mi2 = b, o1, o2, j1, j2
                                elif delta <= best + 1e-15:
                                    ties += 1
                                    if next_random(rng) % np.uint64(ties) == 0:
                                        mb, mo1, mo2, mi1, mi2 = b, o1, o2, j1, j2
                    # next second out item
                    if o1 < 0 or not out_pairs:
                        break
                    o2 = nxt[o1] if o2 < 0 else nxt[o2]
                    while o2 >= 0 and tabu_bin[o2] == -2 - b and tabu_until[o2] > it:
                        o2 = nxt[o2]
                    if o2 < 0:
                        break
        it += 1
        if mb < 0:
            if state[3] > 100:
                state[0] = it
                state[1] = n_pool
                return STATUS_STUCK, work
            continue
        tenure = 3 + np.int64(next_random(rng) % np.uint64(7))
        for o in (mo1, mo2):
            if o >= 0:
                unlink_bin(o, mb, head, nxt, prv, cnt)
                assign[o] = -1
                n_pool = _pool_add(o, pool, pool_pos, n_pool)
                for k in range(d):
                    load[mb, k] -= sizes[o, k]
                tabu_bin[o] = mb  # may not come back to mb for a while
                tabu_until[o] = it + tenure
        for j in (mi1, mi2):
            if j >= 0:
                n_pool = _pool_remove(j, pool, pool_pos, n_pool)
                link_bin(j, mb, head, nxt, prv, cnt)
                assign[j] = mb
                for k in range(d):
                    load[mb, k] += sizes[j, k]
                tabu_bin[j] = -2 - mb  # may not leave mb for a while
                tabu_until[j] = it + tenure
    state[0] = it
    state[1] = n_pool
    state[6] = np.int64(credit * 1e12)
    return STATUS_RUNNING, work
