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
