"""The planner's kernels against slow references: patterns, the LP, pricing, column
generation, exact packing, the schedule.

Every comparison asserts: a kernel that answers "gave up" where the reference
has an answer fails the test, it does not skip it.
"""

from __future__ import annotations

import itertools

import highspy
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rackplan.kernels import colgen, cover, knapsack, lp, patterns, schedule
from rackplan.kernels.status import LPStatus, Status

from .conftest import examples
from .naive import brute_force


def brute_patterns(S, n, exclusive, rack_scale, cap):
    """Every maximal rack content per type, by enumerating all count vectors."""
    out = set()
    Kn = len(n)
    for t in range(len(cap)):
        for counts in itertools.product(*[range(int(v) + 1) for v in n]):
            counts = np.array(counts)
            used = np.flatnonzero(counts)
            if used.size == 0:
                continue
            if any(exclusive[k] or rack_scale[k] for k in used) and used.size > 1:
                continue
            if any(rack_scale[k] and counts[k] > 1 for k in used):
                continue
            if np.any(counts @ S > cap[t] * (1 + 1e-9)):
                continue
            maximal = True
            for k in range(Kn):
                if counts[k] < (1 if rack_scale[k] else n[k]):
                    more = counts.copy()
                    more[k] += 1
                    ok_kind = not (exclusive[k] or rack_scale[k]) or used.size == 0 or (
                        used.size == 1 and used[0] == k and not rack_scale[k])
                    if used.size == 1 and (exclusive[used[0]] or rack_scale[used[0]]) and k != used[0]:
                        ok_kind = False
                    if ok_kind and np.all(more @ S <= cap[t] * (1 + 1e-9)):
                        maximal = False
                        break
            if maximal:
                out.add((t, tuple(int(c) for c in counts)))
    return out


def small_case(draw_int, draw_float, draw_bool):
    """A tiny item-type packing case from simple draws."""
    T = draw_int(1, 3)
    Kn = draw_int(1, 3)
    D = 2
    cap = np.array([[draw_int(6, 14) for _ in range(D)] for _ in range(T)], float)
    S = np.array([[draw_int(1, 7) for _ in range(D)] for _ in range(Kn)], float)
    n = np.array([draw_int(1, 3 if Kn == 1 else 2) for _ in range(Kn)], np.int64)
    rack_scale = np.array([draw_bool(0.15) for _ in range(Kn)])
    exclusive = np.array([draw_bool(0.25) for _ in range(Kn)]) | rack_scale
    price = np.array([float(draw_int(1, 9)) for _ in range(T)])
    count = np.array([draw_int(1, 3 if T == 1 else 2) for _ in range(T)], np.int64)
    return S, n, exclusive, rack_scale, cap, price, count


@st.composite
def cases(draw):
    return small_case(lambda a, b: draw(st.integers(a, b)), None,
                      lambda p: draw(st.integers(0, 99)) < 100 * p)


def no_classes(K):
    return np.zeros(K, np.int64), np.zeros(0)


def no_pool(K):
    return np.zeros((0, K), np.int64), np.zeros(0, np.int64)


@settings(max_examples=examples(150), deadline=None)
@given(cases())
def test_patterns_are_exactly_the_maximal_ones(case):
    S, n, exclusive, rack_scale, cap, _price, _count = case
    pat, ptype, truncated = patterns.enumerate_patterns(S, n, exclusive, rack_scale, cap, 10_000)
    assert not truncated
    got = {(int(t), tuple(int(c) for c in row)) for t, row in zip(ptype, pat, strict=True)}
    want = brute_patterns(S, n, exclusive, rack_scale, cap)
    # single-item patterns are always listed, maximal or not (they cover a lone item)
    singles = {(t, c) for (t, c) in got if sum(1 for v in c if v) == 1}
    assert want <= got
    assert got - want <= singles
    assert len(got) == len(pat), "no duplicate patterns"


def packing_holds(S, n, exclusive, rack_scale, cap, count, pat, ptype, x):
    """Independent check of a pattern packing: coverage, positions, capacity, exclusivity."""
    assert np.all(x >= 0)
    assert np.all((pat * x[:, None]).sum(axis=0) >= n)
    assert np.all(np.bincount(ptype, weights=x, minlength=len(count)) <= count)
    for p in np.flatnonzero(x):
        assert np.all(pat[p] @ S <= cap[ptype[p]] * (1 + 1e-9))
        used = np.flatnonzero(pat[p])
        if any(exclusive[k] for k in used):
            assert used.size == 1
        if any(rack_scale[k] for k in used):
            assert pat[p].sum() == 1


def pack(S, n, exclusive, rack_scale, cap, price, count, work=10**15, nodes=100_000):
    return cover.pack(S, n, exclusive, rack_scale, cap, price, count, np.zeros(len(n), np.int64),
                      np.zeros(0), nodes, work, 24, 10_000, np.inf)


@settings(max_examples=examples(150), deadline=None)
@given(cases())
def test_pack_is_exact_on_tiny_cases(case):
    S, n, exclusive, rack_scale, cap, price, count = case
    items = np.repeat(np.arange(len(n)), n)
    optimum = brute_force(S[items], cap, price, count, items, exclusive[items], rack_scale[items])
    pat, ptype, x, cost, bound, status, _work = pack(S, n, exclusive, rack_scale, cap, price, count)
    if optimum is None:
        assert status in (Status.INFEASIBLE, Status.NO_FIT), "tiny cases are always proven"
        assert bound == np.inf
        return
    assert status == Status.OK
    assert cost == pytest.approx(optimum)
    assert bound <= optimum * (1 + 1e-12)
    packing_holds(S, n, exclusive, rack_scale, cap, count, pat, ptype, x)
    assert cost == pytest.approx(float((price[ptype] * x).sum()))


@settings(max_examples=examples(100), deadline=None)
@given(cases(), st.sampled_from([0, 10, 1_000, 100_000]))
def test_out_of_work_the_packer_packs_or_gives_up_but_never_claims_infeasible(case, work_limit):
    """With the work budget spent: a valid packing no cheaper than the optimum, or GAVE_UP;
    INFEASIBLE only when brute force agrees, and the bound never above the optimum."""
    S, n, exclusive, rack_scale, cap, price, count = case
    items = np.repeat(np.arange(len(n)), n)
    optimum = brute_force(S[items], cap, price, count, items, exclusive[items], rack_scale[items])
    pat, ptype, x, cost, bound, status, _work = pack(S, n, exclusive, rack_scale, cap, price, count,
                                                     work=work_limit)
    if optimum is None:
        assert status != Status.OK
        return
    assert status in (Status.OK, Status.GAVE_UP), f"{status!r} although a packing costs {optimum}"
    assert bound <= optimum * (1 + 1e-12)
    if status == Status.OK:
        packing_holds(S, n, exclusive, rack_scale, cap, count, pat, ptype, x)
        assert cost >= optimum * (1 - 1e-12)


def highs_lp(A, b, ptype, count, cost):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    P = A.shape[1]
    for p in range(P):
        h.addCol(float(cost[p]), 0.0, highspy.kHighsInf, 0, np.array([], np.int32), np.array([]))
    for k in range(A.shape[0]):
        idx = np.flatnonzero(A[k]).astype(np.int32)
        h.addRow(float(b[k]), highspy.kHighsInf, len(idx), idx, A[k, idx])
    for t in range(len(count)):
        idx = np.flatnonzero(ptype == t).astype(np.int32)
        h.addRow(-highspy.kHighsInf, float(count[t]), len(idx), idx, np.ones(len(idx)))
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        return None
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def test_lp_matches_highs():
    rng = np.random.default_rng(3)
    checked = infeasible = 0
    for _ in range(300):
        Kn, P, T = int(rng.integers(1, 6)), int(rng.integers(1, 40)), int(rng.integers(1, 4))
        A = rng.integers(0, 5, size=(Kn, P)).astype(float)
        A[rng.integers(0, Kn), :] += rng.integers(0, 2, size=P)
        b = rng.integers(0, 200, size=Kn).astype(float)
        ptype = rng.integers(0, T, size=P)
        count = rng.integers(1, 60, size=T).astype(float)
        cost = rng.uniform(1, 100, size=P)
        x, value, status, _work = lp.solve_columns(A, cost, np.concatenate([b, count]), Kn, T, ptype,
                                                  np.zeros(P, np.int64), 0)
        want = highs_lp(A, b, ptype, count, cost)
        if want is None:
            assert status == LPStatus.INFEASIBLE
            infeasible += 1
            continue
        assert status == LPStatus.OPTIMAL
        assert value == pytest.approx(want, rel=1e-7, abs=1e-7)
        assert np.all(A @ x >= b - 1e-6) and np.all(x >= 0)
        for t in range(T):
            assert x[ptype == t].sum() <= count[t] + 1e-6
        checked += 1
    assert checked > 100 and infeasible > 10


def brute_knapsack(value, S, upper, allowed, cap):
    best = 0.0
    ranges = [range(int(u) + 1) if a and v > 0 else range(1) for u, a, v in zip(upper, allowed, value,
                                                                                  strict=True)]
    for a in itertools.product(*ranges):
        a = np.array(a)
        if np.all(a @ S <= cap * (1 + 1e-9)):
            best = max(best, float(a @ value))
    return best


def test_best_rack_is_the_knapsack_optimum_and_its_bound_holds_when_cut_short():
    rng = np.random.default_rng(11)
    exact_seen = cut_seen = 0
    for _ in range(300):
        K, D = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        S = rng.integers(0, 6, size=(K, D)).astype(float)
        S[np.arange(K), rng.integers(0, D, size=K)] += 1  # every item has some size
        cap = rng.integers(4, 16, size=D).astype(float)
        upper = rng.integers(0, 5, size=K)
        value = np.round(rng.uniform(-0.2, 1.0, size=K), 3)
        allowed = rng.random(K) < 0.85
        want = brute_knapsack(value, S, upper, allowed, cap)
        a, best, ub, exact, _nodes = knapsack.best_rack(value, S, upper, allowed, cap, 100_000)
        assert exact
        assert best == pytest.approx(want, abs=1e-9)
        assert float(a @ value) == pytest.approx(best) and np.all(a @ S <= cap * (1 + 1e-9))
        assert np.all(a <= upper) and np.all(a[~allowed] == 0)
        exact_seen += 1
        a, best, ub, exact, _nodes = knapsack.best_rack(value, S, upper, allowed, cap, 2)
        assert best <= want + 1e-9 <= ub + 2e-9
        cut_seen += not exact
    assert exact_seen == 300 and cut_seen > 20


def full_pattern_lp(S, n, exclusive, rack_scale, cap, price, count):
    if n.sum() == 0:
        return 0.0
    pat, ptype, truncated = patterns.enumerate_patterns(S, n, exclusive, rack_scale, cap, 100_000)
    assert not truncated
    A = np.minimum(pat, n).T.astype(float)
    return highs_lp(A, n.astype(float), ptype, count, price[ptype])


def random_packing_case(rng, K_max=5, T_max=3, n_max=40):
    K, T = int(rng.integers(1, K_max + 1)), int(rng.integers(1, T_max + 1))
    S = np.column_stack([rng.uniform(1, 12, K), rng.uniform(1, 12, K), np.zeros(K),
                         rng.integers(1, 9, K).astype(float), rng.uniform(20, 300, K)])
    cap = np.column_stack([rng.uniform(20, 60, T), rng.uniform(20, 60, T), np.zeros(T),
                           np.full(T, 48.0), np.full(T, 1500.0)])
    n = rng.integers(0, n_max, K)
    rack_scale = np.zeros(K, np.bool_)
    exclusive = rng.random(K) < 0.3
    price = rng.uniform(10, 100, T)
    count = rng.integers(1, 40, T)
    return S, n, exclusive, rack_scale, cap, price, count


def test_column_generation_reaches_the_lp_over_every_pattern():
    rng = np.random.default_rng(5)
    compared = infeasible = 0
    for _ in range(120):
        S, n, exclusive, rack_scale, cap, price, count = random_packing_case(rng)
        K = len(n)
        want = full_pattern_lp(S, n, exclusive, rack_scale, cap, price, count)
        _pat, _ptype, x, value, bound, status, _work = colgen.column_generation(
            S, n, exclusive, rack_scale, cap, price, count, *no_classes(K), *no_pool(K), 10**12, 100_000,
            True)
        if want is None:
            assert status == LPStatus.INFEASIBLE
            infeasible += 1
            continue
        assert status == LPStatus.OPTIMAL
        assert value == pytest.approx(want, rel=1e-7, abs=1e-7)
        assert bound <= want * (1 + 1e-12) + 1e-12
        assert bound >= want * (1 - 1e-6) - 1e-9
        compared += 1
    assert compared >= 60 and infeasible >= 5


def test_lagrangian_bound_holds_when_pricing_and_work_are_cut_short():
    """Pricing cut to 1 node and the LP to a sliver of work: the bound may be weak but never
    above the full LP optimum, and 'infeasible' only when the full LP agrees."""
    rng = np.random.default_rng(9)
    checked = 0
    for _ in range(120):
        S, n, exclusive, rack_scale, cap, price, count = random_packing_case(rng)
        K = len(n)
        want = full_pattern_lp(S, n, exclusive, rack_scale, cap, price, count)
        for work, nodes in ((10**12, 1), (2_000, 1), (0, 100_000)):
            *_, value, bound, status, _work = colgen.column_generation(
                S, n, exclusive, rack_scale, cap, price, count, *no_classes(K), *no_pool(K), work, nodes,
                True)
            if status == LPStatus.INFEASIBLE:
                assert want is None
            elif want is not None:
                assert bound <= want * (1 + 1e-12) + 1e-12
                checked += 1
    assert checked > 150


def test_pack_on_the_false_infeasible_case():
    """The site of ../shared/cases/false-infeasible with its one choice of models: 27 positions,
    all needed. The planner once called it infeasible; HiGHS's pattern MILP finds racks costing
    $1,963,544.91 (capex $20,463,545 with the servers)."""
    S = np.array([[7.877848379459053, 7.877848379459053, 0, 5, 191.75685939917201],
                  [7.119120446901386, 7.119120446901386, 0, 8, 84.29606103205597],
                  [8.59932911304766, 8.59932911304766, 0, 4, 147.34116099037306],
                  [5.702705935502767, 5.702705935502767, 0, 5, 182.41000890595222]])
    n = np.array([49, 43, 40, 53])
    exclusive = np.array([False, False, True, False])
    cap = np.array([[52.801957178538004, 52.801957178538004, 0, 48, 1500],
                    [43.82967094338521, 43.82967094338521, 0, 48, 1500]])
    price = np.array([89480.51782441771, 24847.79353700462])
    count = np.array([20, 7])
    pat, ptype, x, cost, bound, status, _work = pack(S, n, exclusive, np.zeros(4, np.bool_), cap, price,
                                                     count, work=6 * 10**10)
    assert status == Status.OK
    packing_holds(S, n, exclusive, np.zeros(4, np.bool_), cap, count, pat, ptype, x)
    assert cost == pytest.approx(1_963_544.91, abs=0.01)
    assert bound <= cost


def test_many_item_types_pack_close_to_the_vector_packer():
    """60 distinct shared server sizes in one rack type: column generation prices patterns
    instead of listing them, and the dive rounds its LP to within 3% of the vector packer's
    racks. (The planner then tightens with the vector packer itself and must match or beat it:
    tests/test_planner_many_types.py.)"""
    import rackplan

    rng = np.random.default_rng(7)
    S = np.column_stack([rng.uniform(2, 12, 60), rng.uniform(2, 12, 60), np.zeros(60),
                         rng.integers(2, 9, 60).astype(float), rng.uniform(40, 250, 60)])
    S[:, 1] = S[:, 0]
    n = rng.integers(1, 30, size=60)
    cap = np.array([[60.0, 60.0, 0.0, 48.0, 1500.0]])
    no = np.zeros(60, np.bool_)
    pat, ptype, x, cost, bound, status, _work = cover.pack(
        S, n, no, no, cap, np.array([1.0]), np.array([100_000]), np.zeros(60, np.int64), np.zeros(0),
        4_000, 6 * 10**10, 24, 6_000, np.inf)
    assert status == Status.OK
    packing_holds(S, n, no, no, cap, np.array([100_000]), pat, ptype, x)
    sizes = np.repeat(S, n, axis=0)
    keep = cap[0] > 0
    vp = rackplan.pack_vectors(sizes[:, keep], cap[0, keep], time_limit_s=1.0, seed=0)
    print(cost, vp.n_bins, bound)
    assert cost <= 1.03 * vp.n_bins
    assert bound <= vp.n_bins


@settings(max_examples=examples(100), deadline=None)
@given(cases(), st.lists(st.integers(0, 2), min_size=1, max_size=4))
def test_pooling_identical_shared_items_keeps_the_optimum(case, copies):
    """Workloads with interchangeable servers are pooled; the pooled optimum equals the
    optimum of the unpooled items (brute force), and pooled counts add up."""
    S, n, exclusive, rack_scale, cap, price, count = case
    extra = [c % len(n) for c in copies]
    S2 = np.vstack([S, S[extra]])
    n2 = np.concatenate([n, np.ones(len(extra), np.int64)])
    ex2 = np.concatenate([exclusive, exclusive[extra]])
    rs2 = np.concatenate([rack_scale, rack_scale[extra]])
    # the brute force tries every assignment of items to positions: beyond 7 items it takes
    # minutes for what smaller cases show as well
    assume(n2.sum() <= 7)
    lead = np.zeros(len(n2))
    group, Sm, nm, exm, rsm, _ = patterns.merge_items(S2, n2, ex2, rs2, lead)
    assert nm.sum() == n2.sum()
    for k in range(len(n2)):
        assert np.array_equal(Sm[group[k]], S2[k])
        if ex2[k]:
            assert np.sum(group == group[k]) == 1
    items = np.repeat(np.arange(len(n2)), n2)
    optimum = brute_force(S2[items], cap, price, count, items, ex2[items], rs2[items])
    *_, cost, _bound, status, _work = pack(Sm, nm, exm, rsm, cap, price, count)
    if optimum is None:
        assert status in (Status.INFEASIBLE, Status.NO_FIT)
    else:
        assert status == Status.OK and cost == pytest.approx(optimum)


def naive_ready_day(pat, x, lead, per_rack, burn):
    arrivals = sorted(max(lead[k] for k in np.flatnonzero(pat[p])) for p in range(len(x))
                      for _ in range(x[p]))
    finish = 0.0
    for a in arrivals:
        finish = max(finish, a) + per_rack
    return np.ceil(finish - 1e-9) + burn


def test_ready_day_pipeline():
    # two patterns: 3 racks arriving day 10, 2 racks arriving day 4; 1 rack per 7 days
    pat = np.array([[1, 0], [0, 1]])
    x = np.array([3, 2])
    lead = np.array([10.0, 4.0])
    # day 4: two racks -> 18; then max(18, 10) + 21 = 39; + burn-in 14
    assert schedule.packing_ready_day(pat, x, np.array([3, 2]), lead, 7.0, 14.0) == 39 + 14
    rng = np.random.default_rng(2)
    for _ in range(200):
        K, P = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        pat = rng.integers(0, 3, size=(P, K))
        pat[np.arange(P), rng.integers(0, K, P)] += 1
        x = rng.integers(0, 4, P)
        lead = rng.integers(0, 60, K).astype(float)
        per_rack = float(rng.choice([0.35, 1.0, 3.5, 14.0]))
        got = schedule.packing_ready_day(pat, x, (pat * x[:, None]).sum(axis=0), lead, per_rack, 3.0)
        assert got == naive_ready_day(pat, x, lead, per_rack, 3.0)


def test_a_free_rack_type_does_not_inflate_the_bound():
    """Farley's bound scales the duals by value per dollar, which is undefined for a rack type
    priced 0. Ten servers, one per rack: five free positions and five at $1,000 cost $5,000,
    and the bound must not exceed it (it once said $5,999.99)."""
    S = np.array([[10.0, 10.0, 0.0, 1.0, 10.0]])
    cap = np.array([[10.0, 10.0, 0.0, 42.0, 1000.0], [10.0, 10.0, 0.0, 42.0, 1000.0]])
    price = np.array([0.0, 1000.0])
    count = np.array([5, 100])
    one = np.array([False])
    r = colgen.column_generation(S, np.array([10]), one, one, cap, price, count, *no_classes(1),
                                 *no_pool(1), 10**9, 20_000, True)
    assert r.bound <= 5_000 * (1 + 1e-12)
    p = pack(S, np.array([10]), one, one, cap, price, count)
    assert p.status == Status.OK and p.cost == pytest.approx(5_000) and p.bound <= p.cost


def test_the_overfill_a_fit_allows_is_allowed_by_the_bounds_too():
    """Two servers of 500.0000002 kg fit a 1,000 kg rack (within FIT_REL); no bound may call
    that impossible."""
    S = np.array([[1.0, 1.0, 0.0, 1.0, 500.0000002]])
    cap = np.array([[100.0, 100.0, 0.0, 42.0, 1000.0]])
    one = np.array([False])
    assert patterns.max_fit(cap[0], S[0], 10) == 2
    for n, count in ((2, 1), (6, 3)):
        p = pack(S, np.array([n]), one, one, cap, np.array([1000.0]), np.array([count]))
        assert p.status == Status.OK and p.cost == pytest.approx(1000.0 * count)


def test_near_ties_between_rack_prices_are_resolved_exactly():
    """Rack B is a hair cheaper per kW than two racks of A: the exact search must not prune it
    with a relative slack and then call the dearer packing proven optimal."""
    S = np.array([[5.0, 5.0, 0.0, 1.0, 1.0], [2.0, 2.0, 0.0, 1.0, 1.0]])
    cap = np.array([[12.0, 12.0, 0.0, 42.0, 1000.0], [16.0, 16.0, 0.0, 42.0, 1000.0]])
    price = np.array([1_000_000.0, 1_333_333.2])
    no = np.zeros(2, np.bool_)
    p = pack(S, np.array([7, 5]), no, no, cap, price, np.array([50, 50]))
    assert p.status == Status.OK
    assert p.cost == pytest.approx(3_999_999.6, abs=1e-3)
    assert p.bound <= p.cost
