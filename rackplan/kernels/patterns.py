"""Rack patterns: what one rack can hold, and which servers are one item type.

A *pattern* is a rack type and a count of each item type that fits it in every
rack dimension. Shared item types mix; a dedicated workload's rack holds only its
own servers; a rack-scale system fills a position alone.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit
from ..tolerance import FIT_REL


@jit
def max_fit(rem, s, upper):
    """How many items of size ``s`` fit in remaining capacity ``rem`` (at most ``upper``)."""
    best = upper
    for d in range(rem.shape[0]):
        if s[d] > 0.0:
            f = np.floor(rem[d] / s[d] + FIT_REL)
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
def expand_racks(pat, ptype, x, n):
    """Racks from pattern counts: ``(types (R,), counts (R, K))``, one row per rack in pattern
    order. Patterns cover the demand with ``>=``; each item type's surplus is taken out of the
    last racks first, and racks left empty are dropped. The plan and the search's ready day
    both read racks through this one rule."""
    P, K = pat.shape
    R = 0
    for p in range(P):
        R += x[p]
    types = np.empty(R, np.int64)
    counts = np.empty((R, K), np.int64)
    i = 0
    for p in range(P):
        for _ in range(x[p]):
            types[i] = ptype[p]
            counts[i] = pat[p]
            i += 1
    for k in range(K):
        surplus = -n[k]
        for r in range(R):
            surplus += counts[r, k]
        r = R - 1
        while surplus > 0 and r >= 0:
            take = min(surplus, counts[r, k])
            counts[r, k] -= take
            surplus -= take
            r -= 1
    keep = 0
    for r in range(R):
        if counts[r].sum() > 0:
            types[keep] = types[r]
            counts[keep] = counts[r]
            keep += 1
    return types[:keep].copy(), counts[:keep].copy()

