"""pack_vectors: feasibility, optimality on tiny instances, bounds, determinism, validation."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rackplan
from rackplan.packing import lower_bound

from .conftest import PURE_PYTHON, effort, examples
from .naive import check_packing, exact_bins, first_fit_decreasing


def tiny_instances():
    return st.integers(1, 3).flatmap(
        lambda d: st.tuples(
            st.lists(st.lists(st.integers(0, 10), min_size=d, max_size=d), min_size=1, max_size=8),
            st.just([10] * d),
        )
    )


@settings(max_examples=examples(150), deadline=None)
@given(tiny_instances())
def test_tiny_instances_reach_the_exact_optimum(instance):
    sizes, capacity = instance
    result = rackplan.pack_vectors(np.array(sizes), np.array(capacity), time_limit_s=effort(0.05))
    check_packing(sizes, capacity, result.assignment, result.n_bins)
    optimum = exact_bins(sizes, capacity)
    assert result.lower_bound <= optimum
    assert result.n_bins == optimum


def random_instance(rng, n, d):
    capacity = rng.integers(50, 200, size=d)
    sizes = rng.integers(1, capacity // 2 + 1, size=(n, d))
    return sizes, capacity


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 120), st.integers(1, 5))
def test_feasible_never_worse_than_start_or_ffd_and_deterministic(seed, n, d):
    sizes, capacity = random_instance(np.random.default_rng(seed), n, d)
    a = rackplan.pack_vectors(sizes, capacity, time_limit_s=effort(0.02), seed=seed % 7)
    check_packing(sizes, capacity, a.assignment, a.n_bins)
    assert a.lower_bound <= a.n_bins <= a.start_bins
    assert a.n_bins <= first_fit_decreasing(sizes, capacity)
    b = rackplan.pack_vectors(sizes, capacity, time_limit_s=effort(0.02), seed=seed % 7)
    assert np.array_equal(a.assignment, b.assignment)


def test_lower_bound_l2_beats_continuous_bound():
    # Six items of 51 in bins of 100: continuous bound 4, L2 (and the optimum) 6.
    sizes = np.full((6, 1), 51.0)
    assert lower_bound(sizes, np.array([100.0])) == 6


def test_dual_feasible_bound_beats_l2_where_it_should():
    # Found by random search: L2 proves 2 bins, the u^(k) bound proves the optimum, 3.
    from rackplan.kernels.binpack import dff_bound, l2_bound

    sizes = np.array([57.0, 56.0, 40.0, 29.0, 17.0])
    values, counts = np.unique(sizes, return_counts=True)
    assert (l2_bound(sizes, 100.0), dff_bound(values, counts.astype(float), 100.0, 20)) == (2, 3)
    assert exact_bins(sizes.reshape(-1, 1), [100]) == 3
    assert lower_bound(sizes.reshape(-1, 1), np.array([100.0])) == 3


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.integers(1, 100), min_size=1, max_size=8), st.integers(100, 130))
def test_bounds_never_exceed_the_optimum(weights, capacity):
    sizes = np.array(weights, dtype=float).reshape(-1, 1)
    assert lower_bound(sizes, np.array([float(capacity)])) <= exact_bins(sizes, [capacity])


def test_reaches_lower_bound_on_a_known_hard_start():
    # Items of 3 and 2 in bins of 6: FFD uses 3 bins for [3,3,2,2,2], the optimum is 2.
    result = rackplan.pack_vectors([3, 3, 2, 2, 2], [6], time_limit_s=0.5)
    assert (result.n_bins, result.lower_bound, result.optimal) == (2, 2, True)


def test_float_and_integer_input_agree():
    sizes = np.array([[0.5, 0.25], [0.5, 0.75], [0.25, 0.25]])
    a = rackplan.pack_vectors(sizes, [1.0, 1.0])
    b = rackplan.pack_vectors((sizes * 4).astype(int), [4, 4])
    assert a.n_bins == b.n_bins == 2


def test_empty_input():
    result = rackplan.pack_vectors(np.zeros((0, 2)), [1, 1])
    assert (result.n_bins, result.lower_bound, len(result.assignment)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("sizes", "capacity", "message"),
    [
        ([[1, np.nan]], [2, 2], "item 0 has a NaN"),
        ([[1, 1], [-1, 1]], [2, 2], "item 1 has a negative size"),
        ([[1, 1], [1, 3]], [2, 2], "item 1 does not fit in an empty bin: size 3 > capacity 2 in dimension 1"),
        ([[1, 1]], [2, 2, 2], "capacity must have shape (2,)"),
        ([[1, 1]], [2, 0], "capacity must be finite and positive"),
        ([[[1]]], [2], "sizes must have shape (n, d)"),
        ([["a"]], [2], "numeric"),
    ],
)
def test_invalid_input_is_a_clear_value_error(sizes, capacity, message):
    with pytest.raises(ValueError) as info:
        rackplan.pack_vectors(np.array(sizes, dtype=object if message == "numeric" else None),
                              capacity)
    assert message in str(info.value)


def test_invalid_time_limit():
    with pytest.raises(ValueError, match="time_limit_s"):
        rackplan.pack_vectors([[1]], [2], time_limit_s=-1)


def _triplets(rng: np.random.Generator, k: int) -> np.ndarray:
    """k bins' worth of items in exact triplets (the shape of Falkenauer's T sets): first-fit
    leaves the optimum unreached, so the improvement search runs."""
    out = []
    for _ in range(k):
        a = int(rng.integers(380, 491))
        b = int(rng.integers(250, (1000 - a) // 2 + 1))
        out += [a, b, 1000 - a - b]
    return np.array(out, dtype=float).reshape(-1, 1)


def test_deterministic_reads_no_clock_and_the_default_guard_is_the_only_difference(monkeypatch):
    """A machine made to look 1,000 times slower: the default guard stops the search by the
    clock; deterministic=True ignores the clock and packs exactly as an unhurried run does."""
    import rackplan.packing as packing

    if PURE_PYTHON:  # its premise is a run the clock guard does not stop: compiled speed
        pytest.skip("the kernels run as plain Python, far slower than the guard allows")
    sizes, cap = _triplets(np.random.default_rng(5), 40), np.array([1000.0])
    calm = rackplan.pack_vectors(sizes, cap, time_limit_s=0.05, seed=3)
    assert calm.start_bins > calm.lower_bound and not calm.budget_exhausted_by_clock
    reads = [0]
    real = time.perf_counter

    def slow_clock() -> float:
        reads[0] += 1
        return real() * 1000.0

    monkeypatch.setattr(packing.time, "perf_counter", slow_clock)
    hurried = rackplan.pack_vectors(sizes, cap, time_limit_s=0.05, seed=3)
    assert hurried.budget_exhausted_by_clock
    reads[0] = 0
    steady = rackplan.pack_vectors(sizes, cap, time_limit_s=0.05, seed=3, deterministic=True)
    assert not steady.budget_exhausted_by_clock
    assert np.array_equal(steady.assignment, calm.assignment)
    assert reads[0] <= 2  # elapsed_s only: nothing is decided by the clock
    with pytest.raises(ValueError, match="deterministic must be True or False"):
        rackplan.pack_vectors(sizes, cap, deterministic="yes")  # type: ignore[arg-type]


def test_balanced_start_deals_each_item_to_a_least_loaded_bin():
    """Against the obvious O(n m) version: largest first, each to the least loaded bin, the
    lowest index among equal loads."""
    from rackplan.packing import _balanced

    rng = np.random.default_rng(11)
    for m in (1, 3, 17):
        w = rng.integers(1, 50, size=60).astype(float) / 50.0
        got = _balanced(w, m)
        load = np.zeros(m)
        for i in np.argsort(-w, kind="stable"):
            b = int(np.argmin(load))  # first of the least loaded
            assert got[i] == b
            load[b] += w[i]


@pytest.mark.parametrize("d", [1, 3])
def test_the_improvement_searches_run_and_keep_every_bin_feasible(d):
    """Instances the constructive starts leave above the lower bound, so that the consistent
    neighbourhood search, the attempt at the lower bound (one dimension) and the overload search
    all run (also as plain Python, where coverage sees them)."""
    rng = np.random.default_rng(7)
    base = _triplets(rng, 30)
    sizes = np.hstack([base] + [rng.permutation(base) for _ in range(d - 1)])
    cap = np.full(d, 1000.0)
    r = rackplan.pack_vectors(sizes, cap, time_limit_s=effort(0.2), seed=1, deterministic=True)
    assert r.start_bins > r.lower_bound  # the searches had work to do
    check_packing(sizes, cap, r.assignment, r.n_bins)
    assert r.lower_bound <= r.n_bins <= r.start_bins
    again = rackplan.pack_vectors(sizes, cap, time_limit_s=effort(0.2), seed=1, deterministic=True)
    assert np.array_equal(again.assignment, r.assignment)


def test_the_attempt_at_the_lower_bound_restarts_from_one_start_with_growing_runs(monkeypatch):
    """The overload search's time to the optimum on exact-fill instances varies widely with its
    random stream, so the attempt at the lower bound restarts: every run from the same balanced
    start, each 1.3 times longer than the last, within its share of the budget."""
    import rackplan.packing as packing

    sizes, cap = _triplets(np.random.default_rng(21), 40), np.array([1000.0])
    w = sizes[:, 0] / cap[0]
    lb = packing.lower_bound(sizes, cap)
    runs: list[tuple[int, int]] = []
    starts: list[np.ndarray] = []

    def never(s, c, assign, nb, budget, chunk, rng, deadline):  # type: ignore[no-untyped-def]
        runs.append((nb, budget))
        starts.append(assign.copy())
        return None, budget, False

    monkeypatch.setattr(packing, "_overload_attempt", never)
    rng = np.array([7], np.uint64)
    found, spent, by_clock = packing._at_lower_bound(sizes, cap, w, lb, 40_000_000, 1000, rng, np.inf)
    assert found is None and not by_clock and spent == 40_000_000
    assert all(nb == lb + 1 for nb, _ in runs)  # every run removes one bin from lb + 1: lb bins
    first = packing._RESTART_WORK_PER_ITEM * sizes.shape[0]
    expected = [first]
    while sum(expected) < 40_000_000:
        expected.append(int(expected[-1] * packing._RESTART_GROWTH))
    expected[-1] = 40_000_000 - sum(expected[:-1])  # the last run gets what is left
    assert [b for _, b in runs] == expected and len(runs) > 3
    assert all(np.array_equal(x, packing._balanced(w, lb)) for x in starts)



def test_several_dimensions_weigh_scarce_dimensions_then_the_pools_load(monkeypatch):
    """The neighbourhood search's item weights in several dimensions: first by each dimension's
    scarcity (total size over capacity, squared, mean 1), then after every chunk moved by
    _DIM_RATE towards the pool's load per dimension; the pool's best weight so far is forgotten.
    The target (9 bins) is below the lower bound (12), so the attempt runs every
    chunk of its budget."""
    import rackplan.packing as packing
    from rackplan.kernels import cns

    rng = np.random.default_rng(3)
    sizes = np.hstack([rng.integers(20, 60, (30, 1)), rng.integers(1, 10, (30, 1))]).astype(float)
    cap = np.array([100.0, 100.0])
    norm = sizes / cap
    seen: list[tuple[np.ndarray, np.ndarray, int]] = []
    real = cns.search_chunk

    def spy(s, c, w, assign, load, head, nxt, prv, cnt, pool, pool_pos, state, *rest):  # type: ignore[no-untyped-def]
        seen.append((w.copy(), pool[:state[1]].copy(), int(state[4])))
        return real(s, c, w, assign, load, head, nxt, prv, cnt, pool, pool_pos, state, *rest)

    monkeypatch.setattr(packing._cns, "search_chunk", spy)
    start = np.arange(30) // 2  # 15 bins of two items
    w0 = norm.sum(axis=1)
    packing._run_attempt(sizes, cap, w0, start, 15, 9, 300_000, 20_000, np.array([5], np.uint64), np.inf)
    assert len(seen) >= 2
    alpha = norm.sum(axis=0) ** 2
    alpha /= alpha.mean()
    assert np.allclose(seen[0][0], norm @ alpha)  # scarcity first: dimension 0 weighs more
    assert alpha[0] > 1.0 > alpha[1]
    for w_after, pool, best in seen[1:]:
        load = norm[pool].sum(axis=0)  # the pool as the chunk before left it
        alpha = 0.8 * alpha + 0.2 * load / load.mean()
        alpha /= alpha.mean()
        assert np.allclose(w_after, norm @ alpha)
        assert best == np.iinfo(np.int64).max  # the best so far, in the old weights, forgotten


@pytest.mark.parametrize(("items_per_bin", "cns_share"), [(2, 0.8), (8, 0.5)])
def test_several_dimensions_give_the_neighbourhood_search_more_where_bins_hold_few_items(
        monkeypatch, items_per_bin, cns_share):
    import rackplan.packing as packing

    calls: list[tuple[str, int]] = []

    def cns_fails(s, c, w, assign, nb, target, budget, *rest):  # type: ignore[no-untyped-def]
        calls.append(("cns", budget))
        return None, budget, False

    def overload_fails(s, c, assign, nb, budget, *rest):  # type: ignore[no-untyped-def]
        calls.append(("overload", budget))
        return None, budget, False

    monkeypatch.setattr(packing, "_warm", True)
    monkeypatch.setattr(packing, "_run_attempt", cns_fails)
    monkeypatch.setattr(packing, "_overload_attempt", overload_fails)
    n, nb = 40, 40 // items_per_bin
    sizes = np.full((n, 2), 1.0)
    assign = np.arange(n) % nb
    packing._improve(sizes, np.array([100.0, 100.0]), assign, nb, 1, 0.01, 0)
    budget = int(0.01 * packing.WORK_PER_SECOND * 2.0 / 3)
    assert calls == [("cns", int(budget * cns_share)), ("overload", budget - int(budget * cns_share))]
