"""The install schedule: one rule, used by the model search and by the plan.

Racks are installed one after another by one crew pipeline, in order of
arrival (a rack arrives with its last server): rack ``i`` finishes at
``max(arrival_i, finish_{i-1}) + days_per_rack``.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit
from ..tolerance import DAY_TOL


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
def packing_ready_day(pat, ptype, x, lead_days, days_per_rack, burn_days):
    """Ready day of a packing: its racks (``x[p]`` of pattern ``p``) installed in order of
    arrival, the last one's whole finish day plus burn-in."""
    P, K = pat.shape
    R = 0
    for p in range(P):
        R += x[p]
    arrival = np.empty(R)
    i = 0
    for p in range(P):
        a = 0.0
        for k in range(K):
            if pat[p, k] > 0 and lead_days[k] > a:
                a = lead_days[k]
        for _ in range(x[p]):
            arrival[i] = a
            i += 1
    arrival.sort()
    if R == 0:
        return burn_days
    return whole_day(install_finish(arrival, days_per_rack)[R - 1]) + burn_days
