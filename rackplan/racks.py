"""Packing into heterogeneous racks with limited positions (internal API for the planner).

Rack types each have a capacity vector (the planner uses power, air heat,
liquid heat, rack units, weight), a price and a number of positions. Items
carry a group (a workload), whether that group is ``dedicated`` (no other
group in its racks) and whether the item is ``rack_scale`` (it fills one
rack position of a compatible type on its own). The goal is the cheapest
set of racks.

The method:

1. Rack-scale items take one position each, most constrained first, in the
   cheapest compatible type with positions left.
2. The other items form packing units: one per dedicated group, one for all
   shared groups. Units are packed largest first. For a unit, every rack type
   that can hold all of its items and has enough positions is tried with
   :func:`rackplan.pack_vectors`; the cheapest wins. When no single type has
   enough positions, racks are committed greedily from the type with the
   lowest price per unit of packed size, fullest racks first, until the unit
   is placed or nothing more fits.
3. A lower bound on cost: each rack-scale item costs at least its cheapest
   compatible type; each unit at least, in its scarcest dimension, its total
   size times the lowest price per unit of capacity among types it could use.

When positions run out, the result says which unit could not be placed and
which dimension binds (largest demand / capacity still available).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .packing import pack_vectors

_TOL = 1e-12


@dataclass(frozen=True)
class Shortfall:
    """Why the items do not fit in the positions available."""

    unit: str
    """``rack-scale``, ``group <g>`` (dedicated) or ``shared``."""
    dimension: int | None
    """Index of the binding capacity dimension, or None when positions themselves bind."""
    needed: float
    """Demand in that dimension (or positions needed)."""
    available: float
    """Capacity still available in that dimension (or positions left)."""


@dataclass(frozen=True)
class RackPacking:
    """Items packed into racks of several types."""

    rack_of_item: NDArray[np.int64]
    """Rack index of each item (-1 for items left unplaced when it does not fit)."""
    rack_type: NDArray[np.int64]
    """Type index of each rack."""
    cost: float
    """Sum of the prices of the racks used."""
    lower_bound: float
    """A proven lower bound on the cost of any packing of these items."""
    shortfall: Shortfall | None = None
    """Set when the items do not fit in the positions available."""

    @property
    def fits(self) -> bool:
        return self.shortfall is None


def _compatible(sizes: NDArray[np.float64], capacity: NDArray[np.float64]) -> NDArray[np.bool_]:
    """(n, t): item i fits an empty rack of type t."""
    return np.all(sizes[:, None, :] <= capacity[None, :, :] * (1 + _TOL), axis=2)


def pack_racks(
    sizes: ArrayLike,
    capacity: ArrayLike,
    price: ArrayLike,
    count: ArrayLike,
    group: ArrayLike,
    dedicated: ArrayLike,
    rack_scale: ArrayLike,
    *,
    time_limit_s: float = 0.1,
    seed: int = 0,
) -> RackPacking:
    """Pack items into the cheapest racks of the given types; see the module docstring.

    ``sizes`` (n, d); ``capacity`` (t, d); ``price``, ``count`` (t,); ``group``
    (n,) integers; ``dedicated`` and ``rack_scale`` (n,) booleans (``dedicated``
    must be the same for every item of a group). ``time_limit_s`` is shared
    across the packings of all units.
    """
    s = np.asarray(sizes, dtype=np.float64)
    cap = np.asarray(capacity, dtype=np.float64)
    pr = np.asarray(price, dtype=np.float64)
    left = np.asarray(count, dtype=np.int64).copy()
    grp = np.asarray(group, dtype=np.int64)
    ded = np.asarray(dedicated, dtype=bool)
    scale = np.asarray(rack_scale, dtype=bool)
    n = s.shape[0]
    if s.ndim != 2 or cap.ndim != 2 or cap.shape[1] != s.shape[1]:
        raise ValueError(f"sizes (n, d) and capacity (t, d) disagree: {s.shape} vs {cap.shape}")
    if not (pr.shape == left.shape == (cap.shape[0],)):
        raise ValueError("price and count need one entry per rack type")
    if not (grp.shape == ded.shape == scale.shape == (n,)):
        raise ValueError("group, dedicated and rack_scale need one entry per item")
    for g in np.unique(grp):
        if len(np.unique(ded[grp == g])) > 1:
            raise ValueError(f"group {g} is dedicated for some items and shared for others")
    compat = _compatible(s, cap) if n else np.zeros((0, cap.shape[0]), bool)

    rack_of_item = np.full(n, -1, np.int64)
    rack_types: list[int] = []
    cost = 0.0
    bound = 0.0

    # 1. Rack-scale items: one position each, most constrained first.
    rs_items = np.flatnonzero(scale)
    order = sorted(rs_items.tolist(), key=lambda i: (int(compat[i].sum()), -float(s[i].sum()), i))
    for rank, i in enumerate(order):
        types = np.flatnonzero(compat[i])
        if types.size:
            bound += float(pr[types].min())
        usable = types[left[types] > 0]
        if usable.size == 0:
            if types.size == 0:
                return _fail(rack_of_item, rack_types, cost, bound,
                             _shortfall("rack-scale", s[i:i + 1], cap, left))
            return _fail(rack_of_item, rack_types, cost, bound,
                         Shortfall("rack-scale", None, len(order) - rank, 0))
        t = int(usable[np.argmin(pr[usable])])
        left[t] -= 1
        rack_of_item[i] = len(rack_types)
        rack_types.append(t)
        cost += float(pr[t])

    # 2. Units of ordinary items, largest first.
    units: list[tuple[str, NDArray[np.int64]]] = []
    for g in np.unique(grp[ded & ~scale]):
        units.append((f"group {g}", np.flatnonzero((grp == g) & ded & ~scale)))
    shared = np.flatnonzero(~ded & ~scale)
    if shared.size:
        units.append(("shared", shared))
    norm = s / np.maximum(cap.max(axis=0), 1e-300)
    units.sort(key=lambda u: (-float(norm[u[1]].sum()), u[0]))
    per_unit_time = time_limit_s / max(1, len(units))

    for name, items in units:
        left_before = left.copy()
        usable_types = np.flatnonzero(compat[items].all(axis=0))
        some_types = np.flatnonzero(compat[items].any(axis=0))
        bound += _unit_bound(s[items], cap, pr, compat[items])
        if usable_types.size == 0 and some_types.size == 0:
            return _fail(rack_of_item, rack_types, cost, bound, _shortfall(name, s[items], cap, left))
        best: tuple[float, int, NDArray[np.int64], int] | None = None
        for t in usable_types.tolist():
            if left[t] <= 0:
                continue
            packed = pack_vectors(s[items], cap[t], time_limit_s=per_unit_time, seed=seed)
            if packed.n_bins <= left[t]:
                c = packed.n_bins * float(pr[t])
                if best is None or c < best[0] - 1e-9:
                    best = (c, int(t), packed.assignment, packed.n_bins)
        if best is not None:
            c, t, assignment, nb = best
            base = len(rack_types)
            rack_of_item[items] = base + assignment
            rack_types.extend([t] * nb)
            left[t] -= nb
            cost += c
            continue
        placed = _greedy_mix(items, s, cap, pr, left, compat, rack_of_item, rack_types,
                             per_unit_time, seed)
        cost += placed
        if np.any(rack_of_item[items] < 0):
            return _fail(rack_of_item, rack_types, cost, bound,
                         _shortfall(name, s[items], cap, left_before))
    return RackPacking(rack_of_item, np.array(rack_types, np.int64), cost, bound)


def _greedy_mix(items, s, cap, pr, left, compat, rack_of_item, rack_types, time_limit_s, seed):  # type: ignore[no-untyped-def]
    """Commit racks type by type, lowest price per packed size first. Returns the cost added."""
    added = 0.0
    scale = np.maximum(cap.max(axis=0), 1e-300)
    while True:
        todo = items[rack_of_item[items] < 0]
        if todo.size == 0:
            return added
        choice = None
        for t in range(cap.shape[0]):
            if left[t] <= 0:
                continue
            fit = todo[compat[todo, t]]
            if fit.size == 0:
                continue
            packed = pack_vectors(s[fit], cap[t], time_limit_s=time_limit_s, seed=seed)
            loads = np.zeros(packed.n_bins)
            np.add.at(loads, packed.assignment, (s[fit] / scale).sum(axis=1))
            keep = np.argsort(-loads, kind="stable")[: left[t]]
            value = float(loads[keep].sum())
            if value <= 0:
                continue
            ratio = len(keep) * float(pr[t]) / value
            if choice is None or ratio < choice[0] - 1e-12:
                choice = (ratio, t, fit, packed.assignment, keep)
        if choice is None:
            return added
        _, t, fit, assignment, keep = choice
        for b in keep.tolist():
            rack_of_item[fit[assignment == b]] = len(rack_types)
            rack_types.append(t)
        left[t] -= len(keep)
        added += len(keep) * float(pr[t])


def _unit_bound(s, cap, pr, compat) -> float:  # type: ignore[no-untyped-def]
    """Cost lower bound for one unit: scarcest dimension's size x lowest price per capacity."""
    types = np.flatnonzero(compat.any(axis=0))
    if types.size == 0 or s.shape[0] == 0:
        return 0.0
    best = 0.0
    for k in range(s.shape[1]):
        with np.errstate(divide="ignore"):
            per_unit = np.where(cap[types, k] > 0, pr[types] / cap[types, k], np.inf)
        cheapest = float(per_unit.min())
        if np.isfinite(cheapest):
            best = max(best, float(s[:, k].sum()) * cheapest)
    return best


def _shortfall(name, s, cap, left) -> Shortfall:  # type: ignore[no-untyped-def]
    """The binding dimension for a unit that does not fit in the positions ``left``.

    An item too large for every type with positions left binds in the
    dimension where it overflows the largest capacity most; otherwise the
    dimension with the largest total demand / total capacity available; if
    every dimension has room in aggregate, positions (packing granularity) bind.
    """
    open_types = left > 0
    if open_types.any():
        largest = cap[open_types].max(axis=0)
        too_big = np.any(s > largest * (1 + _TOL), axis=1)
        if too_big.any():
            i = int(np.flatnonzero(too_big)[0])
            k = int(np.argmax(s[i] / np.maximum(largest, 1e-300)))
            return Shortfall(name, k, float(s[i, k]), float(largest[k]))
    available = (cap * left[:, None]).sum(axis=0)
    demand = s.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(available > 0, demand / available, np.where(demand > 0, np.inf, 0.0))
    k = int(np.argmax(ratio))
    if ratio[k] <= 1.0:
        return Shortfall(name, None, float(s.shape[0]), float(left.sum()))
    return Shortfall(name, k, float(demand[k]), float(available[k]))


def _fail(rack_of_item, rack_types, cost, bound, shortfall) -> RackPacking:  # type: ignore[no-untyped-def]
    return RackPacking(rack_of_item, np.array(rack_types, np.int64), cost, bound, shortfall)
