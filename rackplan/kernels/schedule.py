"""The install schedule: one rule, used by the model search and by the plan.

Racks are installed one after another by one crew pipeline, in order of
arrival (a rack arrives with its last server): rack ``i`` finishes at
``max(arrival_i, finish_{i-1}) + days_per_rack``.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit
from ..tolerance import DAY_TOL
from .patterns import expand_racks


@jit
def install_finish(arrival, days_per_rack):
    """Finish day (fractional) of each rack, given arrival days already in install order."""
    finish = np.empty(arrival.shape[0])
    last = 0.0
    for i in range(arrival.shape[0]):
        last = max(last, arrival[i]) + days_per_rack
        finish[i] = last
    return finish


@jit
def whole_day(day):
    """A fractional day rounded up to a whole one (within ``DAY_TOL``)."""
    return np.ceil(day - DAY_TOL)


@jit
def packing_ready_day(pat, x, n, lead_days, days_per_rack, burn_days):
    """Ready day of a packing: its racks (``x[p]`` of pattern ``p``, holding ``n`` servers in
    all, surplus taken out as :func:`rackplan.kernels.patterns.expand_racks` does) installed in
    order of arrival, the last one's whole finish day plus burn-in."""
    _types, counts = expand_racks(pat, np.zeros(pat.shape[0], np.int64), x, n)
    R, K = counts.shape
    if R == 0:
        return burn_days
    arrival = np.zeros(R)
    for r in range(R):
        for k in range(K):
            if counts[r, k] > 0 and lead_days[k] > arrival[r]:
                arrival[r] = lead_days[k]
    arrival.sort()
    return whole_day(install_finish(arrival, days_per_rack)[R - 1]) + burn_days


@jit
def supply_order(model_counts, mult, ship, ship_start, net_arrival, stage):
    """Install order of racks whose servers ship one by one.

    ``model_counts`` (U, M): servers of each model in a rack of each distinct
    content ``u`` (contents in tie-break order), ``mult`` (U,) racks of each;
    ``ship[ship_start[m]:ship_start[m + 1]]`` the ship days of model ``m``'s
    units, sorted; ``net_arrival`` (Rn,) arrival days of the network racks,
    in their order; ``stage`` (U, W) the phase of each workload's servers in
    each content (-1: none of them), or shape (U, 0) for no phases. Each
    model's units go to racks in install order, earliest first, and a rack
    arrives with its last unit; at each step the rack that would arrive first
    is installed next (a server rack before a network rack on the same day, the
    earlier content on a tie), among those whose phases have no earlier phase
    of the same workload left to install. Returns ``(seq, arrival)``:
    per installed rack the content index ``u``, or ``-1 - j`` for network rack
    ``j``, and its arrival day.
    """
    U, M = model_counts.shape
    Rn = net_arrival.shape[0]
    total = Rn
    for u in range(U):
        total += mult[u]
    left = mult.copy()
    ptr = np.zeros(M, np.int64)
    W = stage.shape[1]
    S = 1
    for u in range(U):
        for k in range(W):
            S = max(S, stage[u, k] + 1)
    todo = np.zeros((W, S), np.int64)  # racks left per workload and phase
    for u in range(U):
        for k in range(W):
            if stage[u, k] >= 0:
                todo[k, stage[u, k]] += mult[u]
    seq = np.empty(total, np.int64)
    arrival = np.empty(total)
    jn = 0
    for step in range(total):
        best = -1
        best_day = np.inf
        for u in range(U):
            if left[u] == 0:
                continue
            blocked = False
            for k in range(W):
                for e in range(stage[u, k] if stage[u, k] > 0 else 0):
                    if todo[k, e] > 0:
                        blocked = True
            if blocked:
                continue
            day = -np.inf
            for m in range(M):
                c = model_counts[u, m]
                if c > 0:
                    d = ship[ship_start[m] + ptr[m] + c - 1]
                    if d > day:
                        day = d
            if day < best_day:
                best_day = day
                best = u
        if jn < Rn and (best < 0 or net_arrival[jn] < best_day):
            seq[step] = -1 - jn
            arrival[step] = net_arrival[jn]
            jn += 1
            continue
        seq[step] = best
        arrival[step] = best_day
        left[best] -= 1
        for m in range(M):
            ptr[m] += model_counts[best, m]
        for k in range(W):
            if stage[best, k] >= 0:
                todo[k, stage[best, k]] -= 1
    return seq, arrival
