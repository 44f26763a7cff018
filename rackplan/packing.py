"""Vector bin packing into identical bins: :func:`pack_vectors`.

The public function validates and converts its input, then calls the Numba
kernels in :mod:`rackplan.kernels.binpack`: several first-fit / best-fit
decreasing starts under different size measures, then a tabu search that
removes bins one at a time until the lower bound or the work budget is reached.

Determinism: the search is bounded by a work budget (move evaluations)
proportional to ``time_limit_s``, not by the clock, so the same input and seed
give the same packing on any machine. By default a wall-clock guard at
``4 * time_limit_s + 0.05`` seconds also stops a search on a machine far slower
than expected (``PackResult.budget_exhausted_by_clock`` says when that
happened): it is the only thing that can make two machines disagree.
``deterministic=True`` drops it, so no clock is read at all to decide anything.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .kernels import binpack as _k
from .kernels import cns as _cns

# Move evaluations per second of time limit, measured on the reference machine
# (2 cores, 2026): a search given time_limit_s takes about that long there.
WORK_PER_SECOND = 120_000_000
_CHUNK_S = 0.005
_CNS_SHARE = 0.5
_CNS_SHARE_FEW = 0.8
_FEW_ITEMS_PER_BIN = 4.0
_CNS_SHARE_1D = 0.3
_LB_SHARE_1D = 0.4
_RESTART_WORK_PER_ITEM = 80_000
_RESTART_GROWTH = 1.3
# Several dimensions: the consistent neighbourhood search weighs an item by its sizes per
# dimension times a weight per dimension, which starts at how scarce the dimension is overall
# (total size over capacity, squared, normalized to mean 1) and after every chunk of work moves
# by _DIM_RATE towards the pool's own load per dimension (normalized to mean 1): the dimension
# that keeps the pool from fitting the last two bins is the one whose loads should be packed.
_DIM_SCARCITY_POWER = 2.0
_DIM_RATE = 0.2
# Work charged for setting up one attempt (O(n) array passes), per item.
_SETUP_WORK_PER_ITEM = 8
_CLOCK_GUARD = 4.0
_EXACT_FIRST_FIT_MAX_N = 20_000
_FIRST_FIT_WINDOW = 256
_MBS_MAX_N = 5_000
_MBS_NODES = 2_000


@dataclass(frozen=True)
class PackResult:
    """A packing of items into identical bins."""

    assignment: NDArray[np.int64]
    """Bin index of each item; bins are numbered 0..n_bins-1 without gaps."""
    n_bins: int
    """Bins used."""
    lower_bound: int
    """A proven lower bound on the number of bins (continuous bound and L2 per dimension)."""
    elapsed_s: float
    """Wall time spent in pack_vectors."""
    start_bins: int
    """Bins used by the best constructive start, before the improvement search."""
    budget_exhausted_by_clock: bool = False
    """True when the wall-clock guard, not the work budget, ended the search."""

    @property
    def optimal(self) -> bool:
        """True when the packing meets the lower bound, so it is proven optimal."""
        return self.n_bins == self.lower_bound


def _as_arrays(sizes: ArrayLike, capacity: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    s = np.asarray(sizes)
    c = np.asarray(capacity)
    if s.dtype == object or c.dtype == object or not (
        np.issubdtype(s.dtype, np.number) and np.issubdtype(c.dtype, np.number)
    ):
        raise ValueError("sizes and capacity must be numeric arrays")
    if np.iscomplexobj(s) or np.iscomplexobj(c):
        raise ValueError("sizes and capacity must be real numbers")
    if s.ndim == 1:
        s = s.reshape(-1, 1)
    if s.ndim != 2:
        raise ValueError(f"sizes must have shape (n, d), got shape {s.shape}")
    c = c.reshape(-1) if c.ndim == 0 else c
    if c.ndim != 1 or c.shape[0] != s.shape[1]:
        raise ValueError(f"capacity must have shape ({s.shape[1]},) to match sizes, got {c.shape}")
    s = s.astype(np.float64)
    c = c.astype(np.float64)
    if not np.all(np.isfinite(c)) or np.any(c <= 0):
        raise ValueError(f"capacity must be finite and positive in every dimension, got {c.tolist()}")
    bad = ~np.isfinite(s)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise ValueError(f"item {i} has a NaN or infinite size: {s[i].tolist()}")
    if (s < 0).any():
        i = int(np.argwhere(s < 0)[0][0])
        raise ValueError(f"item {i} has a negative size: {s[i].tolist()}")
    too_big = s > c * (1 + _k.REL_TOL)
    if too_big.any():
        i, k = (int(x) for x in np.argwhere(too_big)[0])
        raise ValueError(
            f"item {i} does not fit in an empty bin: size {s[i, k]:g} > capacity {c[k]:g} "
            f"in dimension {k}"
        )
    return np.ascontiguousarray(s), np.ascontiguousarray(c)


_DFF_KMAX = 20


def lower_bound(sizes: NDArray[np.float64], capacity: NDArray[np.float64]) -> int:
    """Max over dimensions of Martello–Toth L2 and dual-feasible-function bounds; >= 1 for n > 0."""
    if sizes.shape[0] == 0:
        return 0
    best = 1
    for k in range(sizes.shape[1]):
        column = sizes[:, k].copy()
        cap = float(capacity[k])
        values, counts = np.unique(column, return_counts=True)
        dff = int(_k.dff_bound(values, counts.astype(np.float64), cap, _DFF_KMAX))
        best = max(best, int(_k.l2_bound(column, cap)), dff)
    return best


def _orders(sizes: NDArray[np.float64], capacity: NDArray[np.float64]) -> list[NDArray[np.int64]]:
    """Item orders for the constructive starts: decreasing by several size measures."""
    norm = sizes / capacity
    keys = [norm.sum(axis=1), norm.max(axis=1)]
    if sizes.shape[1] > 1:
        keys.append((norm**2).sum(axis=1))
        # Weighted by how scarce each dimension is overall.
        weights = norm.sum(axis=0)
        keys.append(norm @ (weights / max(weights.sum(), 1e-300)))
    return [np.argsort(-key, kind="stable").astype(np.int64) for key in keys]


def _relabel(assign: NDArray[np.int64]) -> tuple[NDArray[np.int64], int]:
    """Number bins 0..k-1 in order of first appearance."""
    _, first, inverse = np.unique(assign, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    return rank[inverse].astype(np.int64), len(first)


def pack_vectors(
    sizes: ArrayLike,
    capacity: ArrayLike,
    *,
    time_limit_s: float = 0.1,
    seed: int = 0,
    deterministic: bool = False,
) -> PackResult:
    """Pack items with vector sizes into as few identical bins as possible.

    ``sizes`` is ``(n, d)`` (or ``(n,)`` for one dimension), ``capacity`` is
    ``(d,)``; integers or floats. Returns a :class:`PackResult`. Raises
    ``ValueError`` naming the item for NaN, negative or oversized items.

    ``time_limit_s`` is the effort: it is converted to a work budget of
    :data:`WORK_PER_SECOND` move evaluations per second (fewer per second for
    more dimensions), about that many seconds on the reference machine, so the
    same input and ``seed`` give the same packing on any machine, whatever its
    speed or load. With ``deterministic=False`` (the default) a wall-clock guard
    also stops the search after ``4 * time_limit_s + 0.05`` seconds of real time,
    on a machine far slower than the reference; ``budget_exhausted_by_clock``
    then says so, and only then can two machines disagree. With
    ``deterministic=True`` there is no clock at all: the work budget alone ends
    the search, so the packing depends only on the input and the seed.
    """
    if not (isinstance(time_limit_s, int | float) and np.isfinite(time_limit_s) and time_limit_s >= 0):
        raise ValueError(f"time_limit_s must be a finite number >= 0, got {time_limit_s!r}")
    if not isinstance(deterministic, bool):
        raise ValueError(f"deterministic must be True or False, got {deterministic!r}")
    s, c = _as_arrays(sizes, capacity)
    return pack_validated(s, c, time_limit_s, seed, clock_guard=not deterministic)


def pack_validated(s: NDArray[np.float64], c: NDArray[np.float64], time_limit_s: float, seed: int, *,
                   clock_guard: bool) -> PackResult:
    """:func:`pack_vectors` on arrays already checked. Without ``clock_guard`` the search ends by
    its work budget alone, so the result never depends on the machine's speed or load (what the
    planner needs: same input, same plan)."""
    started = time.perf_counter()
    n = s.shape[0]
    if n == 0:
        return PackResult(np.zeros(0, np.int64), 0, 0, time.perf_counter() - started, 0)
    lb = lower_bound(s, c)
    window = n if n <= _EXACT_FIRST_FIT_MAX_N else _FIRST_FIT_WINDOW
    best_assign, best_nb = None, n + 1
    orders = _orders(s, c)
    for order in orders:
        for best_fit in (False, True):
            assign, nb = _k.first_fit(s, c, order, window, best_fit)
            if nb < best_nb:
                best_assign, best_nb = assign, int(nb)
            if best_nb == lb:
                break
        if best_nb == lb:
            break
    if best_nb > lb and n <= _MBS_MAX_N:
        for order in orders[:2]:
            assign, nb = _k.min_bin_slack(s, c, order, _MBS_NODES)
            if nb < best_nb:
                best_assign, best_nb = assign, int(nb)
            if best_nb == lb:
                break
    assert best_assign is not None
    start_bins = best_nb
    best_assign, by_clock = _improve(s, c, best_assign, best_nb, lb, time_limit_s, seed, clock_guard)
    assignment, n_bins = _relabel(best_assign)
    return PackResult(assignment, n_bins, lb, time.perf_counter() - started, start_bins, by_clock)


_warm = False


def _warm_up() -> None:
    """Compile (or load from cache) the search kernels outside any timed region."""
    global _warm
    if _warm:
        return
    s = np.array([[3.0], [3.0], [2.0], [2.0], [2.0], [2.0], [1.0]])
    c = np.array([6.0])
    w = s[:, 0] / c[0]
    assign = np.array([0, 0, 1, 1, 2, 2, 3], np.int64)
    rng = np.array([1], np.uint64)
    _run_attempt(s, c, w, assign, 4, 3, 10_000, 1_000, rng, float("inf"))
    _overload_attempt(s, c, assign, 4, 10_000, 1_000, rng, float("inf"))
    _warm = True


def _run_attempt(s, c, w, assign, nb, target, budget, chunk, rng, deadline):  # type: ignore[no-untyped-def]
    """One attempt with the consistent neighbourhood search at ``target`` bins (item weights
    ``w`` choose the bins it starts from; in several dimensions they then adapt, see
    _DIM_RATE). Returns (assignment or None, work, by clock)."""
    state_arrays = _cns.start_state(s, c, w, assign, nb, target)
    work_assign, load, head, nxt, prv, cnt, pool, pool_pos, n_pool = state_arrays
    n = s.shape[0]
    state = np.array([0, n_pool, max(target - 2, 0), 0, np.iinfo(np.int64).max, target,
                      int(_cns.POOL_ITEM_CREDIT * 1e12)], np.int64)
    tabu_bin = np.full(n, -1, np.int64)
    tabu_until = np.zeros(n, np.int64)
    spent = _SETUP_WORK_PER_ITEM * n
    several = s.shape[1] > 1
    if several:
        norm = s / c
        alpha = norm.sum(axis=0) ** _DIM_SCARCITY_POWER
        alpha = alpha / max(alpha.mean(), 1e-300)
        w = norm @ alpha
    while spent < budget:
        status, used = _cns.search_chunk(s, c, w, work_assign, load, head, nxt, prv, cnt, pool,
                                         pool_pos, state, tabu_bin, tabu_until, rng,
                                         min(chunk, budget - spent))
        spent += int(used) + 1
        if status == _cns.STATUS_FEASIBLE:
            return work_assign, spent, False
        if status == _cns.STATUS_STUCK:
            break
        if several and state[1] > 0:
            pool_load = norm[pool[:state[1]]].sum(axis=0)
            if pool_load.mean() > 0:
                alpha = (1 - _DIM_RATE) * alpha + _DIM_RATE * pool_load / pool_load.mean()
                alpha = alpha / alpha.mean()
                w = norm @ alpha
                # The pool's best weight so far is forgotten (it was in the old weights), so
                # the first iteration of every chunk is a new best; the kernel's pack-set
                # descent and its stuck exit, which count iterations since the last new best,
                # then come only in chunks long enough. Measured on every third vector
                # instance: 0.165% mean gap this way, 0.182% with the best set to the pool's
                # weight now (so that they come as due).
                state[4] = np.iinfo(np.int64).max
        if deadline < np.inf and time.perf_counter() > deadline:
            return None, spent, True
    return None, spent, False


def _improve(
    s: NDArray[np.float64],
    c: NDArray[np.float64],
    assign: NDArray[np.int64],
    nb: int,
    lb: int,
    time_limit_s: float,
    seed: int,
    clock_guard: bool = True,
) -> tuple[NDArray[np.int64], bool]:
    """Improve a packing of ``nb`` bins towards ``lb`` within the work budget of ``time_limit_s``:
    in one dimension, when ``nb > lb + 1``, an attempt at ``lb`` itself first
    (:func:`_at_lower_bound`); then the neighbourhood search and the overload search remove
    bins one at a time, each with its share of the budget. Returns (assignment, by clock)."""
    if nb <= lb or time_limit_s <= 0:
        return assign, False
    _warm_up()  # compile time must not count against the clock guard
    # An evaluation touches every dimension, so it costs about (1 + d) / 2 of a 1-D one.
    rate = WORK_PER_SECOND * 2.0 / (1 + s.shape[1])
    budget = int(time_limit_s * rate)
    chunk = max(1, int(_CHUNK_S * rate))
    deadline = time.perf_counter() + _CLOCK_GUARD * time_limit_s + 0.05 if clock_guard else np.inf
    # Any seed maps to a non-zero xorshift state.
    mixed = (int(seed) * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % (1 << 64) or 1
    rng = np.array([mixed], np.uint64)
    w = (s / c).sum(axis=1)
    # Portfolio. In one dimension, when the best start is more than a bin above the lower
    # bound, the overload search first tries the lower bound itself from a balanced start
    # (restarted, see _at_lower_bound). Then the consistent neighbourhood search (strong where
    # bins must be filled exactly) removes bins one at a time with its share of the budget;
    # the overload search removes bins from the best packing with the rest.
    one_d = s.shape[1] == 1
    spent = 0
    if one_d and nb > lb + 1:
        end = int(budget * _LB_SHARE_1D)
        found, spent, by_clock = _at_lower_bound(s, c, w, lb, end, chunk, rng, deadline)
        if by_clock:
            return assign, True
        if found is not None:
            return found, False
    if one_d:
        schedule = [("cns", spent + int(budget * _CNS_SHARE_1D)), ("overload", budget)]
    else:
        # the neighbourhood search's moves (at most two items out of a bin, two in) change
        # a large part of a bin when bins hold a few items; with many small items per bin
        # the overload search's shifts and swaps do better (measured: classes with 5 to 16
        # items per bin lost bins with the larger share)
        few = s.shape[0] <= _FEW_ITEMS_PER_BIN * nb
        schedule = [("cns", int(budget * (_CNS_SHARE_FEW if few else _CNS_SHARE))), ("overload", budget)]
    for kind, end in schedule:
        while nb > lb and spent < end:
            if kind == "cns":
                found, used, by_clock = _run_attempt(s, c, w, assign, nb, nb - 1, end - spent,
                                                     chunk, rng, deadline)
            else:
                found, used, by_clock = _overload_attempt(s, c, assign, nb, end - spent, chunk,
                                                          rng, deadline)
            spent += used
            if by_clock:
                return assign, True
            if found is None:
                break
            assign, nb = found.copy(), len(np.unique(found))
            if nb != int(assign.max()) + 1:  # the overload search left a bin empty
                assign, nb = _relabel(assign)
    return assign, False


def _at_lower_bound(s, c, w, lb, budget, chunk, rng, deadline):  # type: ignore[no-untyped-def]
    """The overload search straight at ``lb`` bins, from the items dealt largest first to the
    least loaded bin (Alvim et al.'s load balancing). On Falkenauer's triplets it finds the
    optimum where removing bins one at a time stalls a bin or more above it, but how long it
    takes varies widely with the random stream (on one t249 instance, from 8 to over 60
    million evaluations over 12 streams), so it restarts from the same start with fresh bin
    weights and tabu list: first after _RESTART_WORK_PER_ITEM evaluations per item, each next
    run _RESTART_GROWTH times longer. Returns (assignment or None, work, by clock)."""
    start = _balanced(w, lb)
    run = _RESTART_WORK_PER_ITEM * s.shape[0]
    spent = 0
    while spent < budget:
        found, used, by_clock = _overload_attempt(s, c, start, lb + 1, min(run, budget - spent),
                                                  chunk, rng, deadline)
        spent += used
        if by_clock or found is not None:
            return (None if by_clock else found), spent, by_clock
        run = int(run * _RESTART_GROWTH)
    return None, spent, False


def _overload_attempt(s, c, assign, nb, budget, chunk, rng, deadline):  # type: ignore[no-untyped-def]
    """One attempt with the overload search at nb - 1 bins. Returns (assignment or None, work, by clock)."""
    n = s.shape[0]
    state = _k.start_state(s, c, assign, nb)
    weights = np.ones(nb - 1)
    tabu_bin = np.full(n, -1, np.int64)
    tabu_until = np.zeros(n, np.int64)
    counters = np.array([0, int(float(state[2].sum()) * 1e12)], np.int64)
    spent = _SETUP_WORK_PER_ITEM * n
    while spent < budget:
        status, used = _k.tabu_chunk(s, c, *state, weights, tabu_bin, tabu_until, rng, counters,
                                     min(chunk, budget - spent))
        spent += int(used) + 1
        if status == _k.STATUS_FEASIBLE:
            return state[0], spent, False
        if deadline < np.inf and time.perf_counter() > deadline:
            return None, spent, True
    return None, spent, False


def _balanced(w: NDArray[np.float64], m: int) -> NDArray[np.int64]:
    """Largest first, each item into the least loaded of ``m`` bins (ties: the lowest bin):
    a start for the overload search at ``m`` bins, some of them over capacity."""
    order = np.argsort(-w, kind="stable")
    heap = [(0.0, b) for b in range(m)]
    assign = np.empty(w.shape[0], np.int64)
    for i in order:
        load, b = heapq.heappop(heap)
        assign[i] = b
        heapq.heappush(heap, (load + float(w[i]), b))
    return assign
