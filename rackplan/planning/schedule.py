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
from ..kernels.schedule import install_finish, supply_order, whole_day
from ..models import Scenario
from .candidates import Candidate
from .supply import phase_servers, ship_days
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
    """When racks arrive, are installed and workloads come online, in days from ``start``."""

    order: list[int]
    """Racks (rows of the packing, then ``R + j`` for network rack ``j``) in install order."""
    installed: list[int]
    """Install day of each rack, in install order."""
    online: list[int]
    """Online day of each workload (its last phase)."""
    ready: int
    """Day the last workload comes online."""
    arrival: list[int]
    """Arrival day of each rack (its last unit or device), in install order."""
    phase_online: list[list[int]]
    """Online day of each phase of each workload (one phase without ``phases``)."""
    phase_of: list[dict[int, list[int]]]
    """Per rack in install order: workload -> servers of each phase in it."""
    ships: list[np.ndarray]
    """Ship day of every unit of each workload, in unit order."""


def install_schedule(scenario: Scenario, chosen: list[Candidate], types: np.ndarray,
                     counts: np.ndarray, network: NetworkRacks | None = None,
                     ships: list[np.ndarray] | None = None,
                     stage: np.ndarray | None = None) -> InstallSchedule:
    """Schedule the packed racks (``types`` (R,), servers per rack and workload ``counts`` (R, W))
    and the network racks, if any (numbered ``R``, ``R + 1``, ... in ``order``).

    Units ship as the supply rules say (``ships``: each workload's unit ship
    days, default from :func:`rackplan.planning.supply.ship_days`); each model's
    units go to racks in install order, earliest first, and the rack that would
    arrive first is installed next (:func:`rackplan.kernels.schedule.supply_order`).
    ``stage`` (R, W), when every rack holds one phase of each workload in it,
    is that phase (-1 for none): a phase's racks then install before the next
    phase's. A network rack arrives with its last device; a workload on the network is
    online only once the network racks it needs are installed too. Raises
    :class:`InfeasibleError` when the plan would be ready more than
    ``MAX_SCHEDULE_YEARS`` after ``start`` (or past the calendar's end).
    """
    s = scenario.site
    R, W = counts.shape if counts.ndim == 2 else (0, len(chosen))
    if ships is None:
        ships = ship_days(scenario, [c.server for c in chosen], [c.count for c in chosen])
    # one pool of units per server model, sorted: racks take them earliest first
    models: dict[str, int] = {}
    model_of = np.array([models.setdefault(c.server.id, len(models)) for c in chosen], np.int64)
    M = len(models)
    pools = [np.sort(np.concatenate([ships[k] for k in range(W) if model_of[k] == m]))
             for m in range(M)]
    ship_start = np.zeros(M + 1, np.int64)
    ship_start[1:] = np.cumsum([len(p) for p in pools])
    ship_flat = (np.concatenate(pools) if M else np.zeros(0)).astype(np.float64)
    # distinct rack contents in tie-break order (more servers of earlier workloads first,
    # then rack type); identical racks keep their row order
    staged = stage if stage is not None else np.zeros((R, 0), np.int64)
    keys = sorted(range(R), key=lambda r: (tuple(-counts[r]), int(types[r]), tuple(staged[r]), r))
    content: list[tuple] = []
    rows: list[list[int]] = []
    index: dict[tuple, int] = {}
    for r in keys:
        key = (tuple(counts[r]), int(types[r]), tuple(staged[r]))
        if key not in index:
            index[key] = len(content)
            content.append(key)
            rows.append([])
        rows[index[key]].append(r)
    model_counts = np.zeros((len(content), M), np.int64)
    content_stage = np.zeros((len(content), staged.shape[1]), np.int64)
    for u, (row, _t, st) in enumerate(content):
        for k, m in enumerate(row):
            model_counts[u, model_of[k]] += m
        content_stage[u] = st
    mult = np.array([len(x) for x in rows], np.int64)
    needs: list[np.ndarray] = [counts[r] > 0 for r in range(R)]
    if network is not None:
        net_order = sorted(range(len(network.arrival)),
                           key=lambda j: (int(network.arrival[j]), tuple(-network.counts[j]), j))
        net_arrival = np.array([float(network.arrival[j]) for j in net_order])
        needs.extend(network.needed_by[j] for j in range(len(network.arrival)))
    else:
        net_order = []
        net_arrival = np.zeros(0)
    seq, arrival_days = supply_order(model_counts, mult, ship_flat, ship_start, net_arrival,
                                     content_stage)
    order: list[int] = []
    taken = [0] * len(content)
    for u in map(int, seq):
        if u < 0:
            order.append(R + net_order[-1 - u])
        else:
            order.append(rows[u][taken[u]])
            taken[u] += 1
    burn = days(s.burn_in_weeks)
    finishes = install_finish(arrival_days.astype(np.float64), days_per_rack(s.install_racks_per_week))
    _refuse_far_schedule(scenario, finishes, burn)
    installed = [int(d) for d in whole_day(finishes)]
    # phases: each workload's servers in install order, the first phase's first
    bounds = [np.cumsum(phase_servers(w, c.server, c.count))
              for w, c in zip(scenario.workloads, chosen, strict=True)]
    placed = [0] * W
    phase_last = [[0] * len(b) for b in bounds]
    phase_of: list[dict[int, list[int]]] = []
    network_last = [0] * W
    for rank, r in enumerate(order):
        split: dict[int, list[int]] = {}
        if r >= R:
            for k in map(int, np.flatnonzero(needs[r])):
                network_last[k] = max(network_last[k], installed[rank])
            phase_of.append(split)
            continue
        for k in map(int, np.flatnonzero(counts[r])):
            lo, hi = placed[k], placed[k] + int(counts[r, k])
            placed[k] = hi
            b = bounds[k]
            parts = []
            for p in range(len(b)):
                first = int(b[p - 1]) if p else 0
                n = max(0, min(hi, int(b[p])) - max(lo, first))
                parts.append(n)
                if n:
                    phase_last[k][p] = max(phase_last[k][p], installed[rank])
            split[k] = parts
        phase_of.append(split)
    phase_online = [[max(day, network_last[k]) + burn for day in phase_last[k]] for k in range(W)]
    online = [max(p) for p in phase_online]
    return InstallSchedule(order, installed, online, max(online) if online else burn,
                           [int(a) for a in arrival_days], phase_online, phase_of, ships)


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
