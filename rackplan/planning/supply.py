"""Supply: when each server ships, and how early each phase could possibly be online.

The rules are those of docs/formats.md, "Supply, phases and cash flow". Days
count from the scenario's ``start`` (an order date before it gives negative
days). A supply rule matches a server by server id, GPU id or vendor name, the
most specific first. For a rule, ``base = max(order day + lead, available_from)``
and the units it matches, numbered ``i = 0, 1, ...`` in workload order (phases
in order), ship on ``base + 7 * floor((queue_units + i) / units_per_week)``
(all on ``base`` without a rate). A server no rule matches ships on its order
day plus its catalog lead time.

:func:`online_lower_bounds` gives, for one candidate alone, a proven lower
bound on each phase's online day: the model search drops a candidate that
cannot meet a ``need_by`` and the diagnosis says by how many days and what
binds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..kernels.schedule import whole_day
from ..models import Phase, Scenario, Server, SupplyRule, Workload
from .units import days

SPECIFICITY = ("server id", "GPU id", "vendor")


def rule_for(server: Server, rules: list[SupplyRule]) -> int | None:
    """Index of the supply rule that applies to ``server`` (server id, then GPU id, then
    vendor, compared without case), or None."""
    best: tuple[int, int] | None = None
    for i, rule in enumerate(rules):
        key = rule.match.casefold()
        if key == server.id.casefold():
            rank = 0
        elif key == server.gpu.casefold():
            rank = 1
        elif key == server.vendor.casefold():
            rank = 2
        else:
            continue
        if best is None or rank < best[0]:
            best = (rank, i)
    return None if best is None else best[1]


def phase_servers(workload: Workload, server: Server, count: int) -> list[int]:
    """Servers per phase (one phase, ``count`` servers, for a workload without phases); servers
    beyond the phases' own (a ``grow`` workload's growth) join the last phase."""
    if workload.phases is None:
        return [count]
    per = [-(-p.gpus // server.gpu_count) for p in workload.phases]
    per[-1] += max(count - sum(per), 0)
    return per


def order_days(scenario: Scenario, workload: Workload,
               delays: tuple[int, ...] | None = None) -> list[int]:
    """Order day of each phase (days from ``start``), plus ``delays`` if given."""
    default = workload.order_date or scenario.start
    phases: list[Phase | None] = list(workload.phases) if workload.phases else [None]
    out = [((p.order_date if p is not None and p.order_date else default) - scenario.start).days
           for p in phases]
    if delays is not None:
        out = [d + e for d, e in zip(out, delays, strict=True)]
    return out


def need_by_days(scenario: Scenario, workload: Workload) -> list[int | None]:
    """Day each phase must be online by (its own ``need_by`` or the workload's, the earlier)."""
    phases: list[Phase | None] = list(workload.phases) if workload.phases else [None]
    out: list[int | None] = []
    for p in phases:
        dates = [d for d in ((p.need_by if p is not None else None), workload.need_by) if d]
        out.append((min(dates) - scenario.start).days if dates else None)
    return out


@dataclass(frozen=True)
class Shipping:
    """How one server model ships for this scenario."""

    rule: int | None
    """Index of the supply rule, or None (catalog lead time, no queue)."""
    lead_days: int
    available_day: int | None
    queue: int
    per_week: float | None

    def base(self, order_day: int) -> int:
        b = order_day + self.lead_days
        return b if self.available_day is None else max(b, self.available_day)

    def ship(self, order_day: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Ship day of units with these order days and queue positions (within the rule)."""
        base = order_day + self.lead_days
        if self.available_day is not None:
            base = np.maximum(base, self.available_day)
        if self.per_week is None:
            return base.astype(np.int64)
        # floor of a float ratio: (queue + i) / rate is exact enough for integer rates and
        # errs by at most one ulp otherwise; np.floor on the float64 quotient, as documented
        return (base + 7 * np.floor((self.queue + index) / self.per_week)).astype(np.int64)

    @property
    def staggered(self) -> bool:
        """True when units of one order can ship on different days."""
        return self.per_week is not None


def shipping_for(scenario: Scenario, server: Server) -> Shipping:
    """The shipping rule that applies to ``server``."""
    i = rule_for(server, scenario.supply)
    if i is None:
        return Shipping(None, days(server.lead_time_weeks), None, 0, None)
    rule = scenario.supply[i]
    lead = rule.lead_time_weeks if rule.lead_time_weeks is not None else server.lead_time_weeks
    avail = (rule.available_from - scenario.start).days if rule.available_from else None
    return Shipping(i, days(lead), avail, rule.queue_units, rule.units_per_week)


def ship_days(scenario: Scenario, servers: list[Server], counts: list[int],
              delays: list[tuple[int, ...]] | None = None) -> list[np.ndarray]:
    """Ship day of every unit of each workload (``servers[k]``, ``counts[k]`` servers), in
    unit order (phases in order); units of one rule are numbered across workloads in
    workload order. ``delays`` moves each phase's order day later."""
    taken: dict[int, int] = {}
    out = []
    for k, (w, server, count) in enumerate(zip(scenario.workloads, servers, counts, strict=True)):
        ship = shipping_for(scenario, server)
        per_phase = phase_servers(w, server, count)
        orders = order_days(scenario, w, delays[k] if delays else None)
        order = np.repeat(np.array(orders, np.int64), per_phase)
        first = taken.get(ship.rule, 0) if ship.rule is not None else 0
        index = first + np.arange(count, dtype=np.int64)
        if ship.rule is not None:
            taken[ship.rule] = first + count
        out.append(ship.ship(order, index))
    return out


class PhaseBound(NamedTuple):
    """A proven lower bound on one phase's online day, and what it is made of."""

    online: int
    """Earliest online day (from ``start``)."""
    unit: int
    """0-based rank (in install order) of the workload's server the bound turns on."""
    ship: int
    """Earliest ship day of that server."""
    racks_after: int
    """Racks that must be installed after that unit's rack arrives (its own included)."""
    binds: str
    """What binds most: ``supply`` (lead time, available_from, queue), ``installation`` or
    ``burn-in``."""


def online_lower_bounds(scenario: Scenario, workload: Workload, server: Server, count: int,
                        per_rack: int, days_per_rack: float, burn_days: int) -> list[PhaseBound]:
    """For each phase of ``workload`` on ``server`` (``count`` servers, at most ``per_rack``
    in a rack): no plan brings the phase online earlier, whatever else it holds.

    Racks take each model's units earliest first, so the workload's servers in
    install order ship on non-decreasing days, the ``s``-th no earlier than the
    ``s``-th earliest unit the rule could ship at all: ``L(s) = base_min + 7 *
    floor((queue + s) / rate)``, ``base_min`` from the earliest order day in the
    scenario (units of other workloads may share the pool). The last of the
    first ``N`` servers (phases up to this one) is installed no earlier than
    ``L(s) + days_per_rack * (1 + ceil((N - s - per_rack) / per_rack))`` for
    every ``s``: the servers after the ``s``-th need that many racks after its
    own. The pipeline starts on day 0. Online is that day, rounded up, plus burn-in.
    """
    ship = shipping_for(scenario, server)
    earliest_order = min(min(order_days(scenario, w)) for w in scenario.workloads)
    base_min = ship.base(earliest_order)
    per_phase = phase_servers(workload, server, count)
    out = []
    cum = 0
    f = max(per_rack, 1)
    for n in per_phase:
        cum += n
        s = np.arange(cum, dtype=np.int64)
        low = ship.ship(np.full(cum, earliest_order, np.int64), s) if ship.staggered else \
            np.full(cum, base_min, np.int64)
        after = 1 + np.maximum(-(-(cum - s - f) // f), 0)
        finish = low + days_per_rack * after
        j = int(np.argmax(finish))
        pipeline = days_per_rack * math.ceil(cum / f)
        last = max(float(finish[j]), pipeline)
        online = int(whole_day(last)) + burn_days
        # what binds most: the shipping of the last unit, or installing every rack (each from
        # the first order), or burn-in
        ship_part = float(low[-1]) - earliest_order
        install_part = days_per_rack * math.ceil(cum / f)
        if burn_days > ship_part and burn_days > install_part:
            binds = "burn-in"
        elif install_part > ship_part:
            binds = "installation"
        else:
            binds = "supply"
        out.append(PhaseBound(online, j, int(low[j]), int(after[j]), binds))
    return out


def staggered(scenario: Scenario) -> bool:
    """True when units of one workload can ship on different days, or take units ordered on
    another day: some rule has a shipping rate, or the order days differ."""
    if any(rule.units_per_week is not None for rule in scenario.supply):
        return True
    return len({d for w in scenario.workloads for d in order_days(scenario, w)}) > 1
