"""The install schedule: the order racks are installed in, and when each workload comes online.

Racks install in order of arrival (a rack arrives with its last server) through
one pipeline at ``install_racks_per_week``; a workload is online when its last
rack is installed plus burn-in, and the plan is ready when all are. Days count
from the scenario's ``start``.

The pipeline rule itself is :func:`rackplan.kernels.schedule.install_finish`
and its rounding :func:`rackplan.kernels.schedule.whole_day`, the same
functions the model search ranks plans by (objective ``time``), so the ready
day the search optimised is the one the plan shows. This module adds what the
kernel leaves out: the order of the racks, the workloads' online days and the
refusal of a schedule beyond ``MAX_SCHEDULE_YEARS``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np

from ..errors import Diagnosis, InfeasibleError, SearchLimitError
from ..kernels.schedule import install_finish, whole_day
from ..models import Scenario
from .candidates import Candidate
from .units import DAYS_PER_YEAR, days, days_per_rack

MAX_SCHEDULE_YEARS = 100
"""A plan whose last workload would come online later than this is reported infeasible."""


class NetworkRacks(NamedTuple):
    """The network racks as the schedule sees them."""

    arrival: np.ndarray
    """(Rn,) arrival day of each network rack (its last device)."""
    counts: np.ndarray
    """(Rn, G) devices per rack (to order racks that arrive together)."""
    needed_by: np.ndarray
    """(Rn, W) bool: the workloads that are online only once the rack is installed."""


class InstallSchedule(NamedTuple):
    """When racks are installed and workloads come online, in days from ``start``."""

    order: list[int]
    """Racks (rows of the packing) in install order."""
    installed: list[int]
    """Install day of each rack, in install order."""
    online: list[int]
    """Online day of each workload."""
    ready: int
    """Day the last workload comes online."""


def install_schedule(scenario: Scenario, chosen: list[Candidate], types: np.ndarray,
                     counts: np.ndarray, network: NetworkRacks | None = None) -> InstallSchedule:
    """Schedule the packed racks (``types`` (R,), servers per rack and workload ``counts`` (R, W))
    and the network racks, if any (numbered ``R``, ``R + 1``, ... in ``order``).

    A network rack arrives with its last device; a workload on the network is
    online only once the network racks it needs are installed too. Raises
    :class:`InfeasibleError` when the plan would be ready more than
    ``MAX_SCHEDULE_YEARS`` after ``start`` (or past the calendar's end).
    """
    s = scenario.site
    R = len(types)
    arrival = [max(chosen[k].arrival_day for k in np.flatnonzero(row)) for row in counts]
    # content and type break ties so the rack ids do not depend on the packer's row order
    keys: list[tuple] = [(arrival[r], 0, tuple(-counts[r]), int(types[r])) for r in range(R)]
    needs: list[np.ndarray] = [counts[r] > 0 for r in range(R)]
    if network is not None:
        for j in range(len(network.arrival)):
            arrival.append(int(network.arrival[j]))
            keys.append((int(network.arrival[j]), 1, tuple(-network.counts[j]), 0))
            needs.append(network.needed_by[j])
    order = sorted(range(len(keys)), key=lambda r: keys[r])
    burn = days(s.burn_in_weeks)
    finishes = install_finish(np.array([arrival[r] for r in order], np.float64),
                              days_per_rack(s.install_racks_per_week))
    _refuse_far_schedule(scenario, finishes, burn)
    installed = [int(d) for d in whole_day(finishes)]
    last_install: dict[int, int] = {}
    for rank, r in enumerate(order):
        for k in map(int, np.flatnonzero(needs[r])):
            last_install[k] = max(last_install.get(k, 0), installed[rank])
    online = [last_install[k] + burn for k in range(len(chosen))]
    return InstallSchedule(order, installed, online, max(online))


def _refuse_far_schedule(scenario: Scenario, finishes: np.ndarray, burn: int) -> None:
    """Refuse a plan whose last rack's finish day (``finishes`` in install order) plus burn-in
    runs past MAX_SCHEDULE_YEARS (or the calendar): :class:`InfeasibleError` when even a single
    rack would, else :class:`SearchLimitError` (another choice of models might be ready in time)."""
    ready_day = (float(finishes[-1]) if len(finishes) else 0.0) + burn
    limit = min(MAX_SCHEDULE_YEARS * DAYS_PER_YEAR, (dt.date.max - scenario.start).days)
    if not ready_day <= limit:  # also catches inf and nan
        years = ready_day / DAYS_PER_YEAR
        when = f"{years:,.0f} years" if years < 1e6 else "more than a million years"
        # proven only when even one rack installed at once would finish too late; otherwise
        # another choice of models (fewer racks) might be ready in time
        one_rack = days_per_rack(scenario.site.install_racks_per_week) + burn
        error = InfeasibleError if not one_rack <= limit else SearchLimitError
        raise error(Diagnosis(
            [f"schedule: the plan would be ready {when} after {scenario.start} "
             f"({len(finishes):,} racks at {scenario.site.install_racks_per_week:g} racks per week, "
             f"{scenario.site.burn_in_weeks:g} weeks burn-in); rackplan schedules at most "
             f"{MAX_SCHEDULE_YEARS} years ahead"],
            {"ready_years": years if math.isfinite(years) else None,
             "max_schedule_years": MAX_SCHEDULE_YEARS}, proven=error is InfeasibleError))
