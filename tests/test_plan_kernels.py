"""The planner's kernels against slow references: patterns, the LP, and exact packing."""

from __future__ import annotations

import itertools

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackplan.kernels import plan as K

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


@settings(max_examples=150, deadline=None)
@given(cases())
def test_patterns_are_exactly_the_maximal_ones(case):
    S, n, exclusive, rack_scale, cap, _price, _count = case
    pat, ptype, truncated = K.enumerate_patterns(S, n, exclusive, rack_scale, cap, 10_000)
    assert not truncated
    got = {(int(t), tuple(int(c) for c in row)) for t, row in zip(ptype, pat, strict=True)}
    want = brute_patterns(S, n, exclusive, rack_scale, cap)
    # single-item patterns are always listed, maximal or not (they cover a lone item)
    singles = {(t, c) for (t, c) in got if sum(1 for v in c if v) == 1}
    assert want <= got
    assert got - want <= singles
    assert len(got) == len(pat), "no duplicate patterns"


@settings(max_examples=100, deadline=None)
@given(cases())
def test_pack_selection_is_exact_on_tiny_cases(case):
    S, n, exclusive, rack_scale, cap, price, count = case
    items = np.repeat(np.arange(len(n)), n)
    optimum = brute_force(S[items], cap, price, count, items, exclusive[items], rack_scale[items])
    pat, ptype, x, cost, bound, status, work = K.pack_selection(
        S, n, exclusive, rack_scale, cap, price, count, 100_000, 10**15, 24, 10_000)
    if optimum is None:
        assert status != K.OK
        return
    assert status == K.OK
    assert cost == pytest.approx(optimum)
    assert bound <= optimum + 1e-9
    # the packing itself: coverage, positions, capacities
    assert np.all(pat.T @ x >= n)
    for t in range(len(count)):
        assert x[ptype == t].sum() <= count[t]
    for p in np.flatnonzero(x):
        assert np.all(pat[p] @ S <= cap[ptype[p]] * (1 + 1e-9))
    assert cost == pytest.approx(float((price[ptype] * x).sum()))


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
        x, value, status, _work = K.solve_lp(A, b, ptype, count, cost)
        want = highs_lp(A, b, ptype, count, cost)
        if want is None:
            assert status == K.LP_INFEASIBLE
            infeasible += 1
            continue
        assert status == K.LP_OK
        assert value == pytest.approx(want, rel=1e-7, abs=1e-7)
        assert np.all(A @ x >= b - 1e-6) and np.all(x >= 0)
        for t in range(T):
            assert x[ptype == t].sum() <= count[t] + 1e-6
        checked += 1
    assert checked > 100 and infeasible > 10


def test_ready_day_pipeline():
    # two patterns: 3 racks arriving day 10, 2 racks arriving day 4; 1 rack per 7 days
    pat = np.array([[1, 0], [0, 1]])
    ptype = np.zeros(2, np.int64)
    x = np.array([3, 2])
    lead = np.array([10.0, 4.0])
    # day 4: two racks -> 18; then max(18, 10) + 21 = 39; + burn-in 14
    assert K.ready_day(pat, ptype, x, lead, 7.0, 14.0) == 39 + 14


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


@settings(max_examples=100, deadline=None)
@given(cases(), st.sampled_from([0, 10, 1_000]))
def test_pack_selection_out_of_work_still_packs_validly(case, work_limit):
    """With the work budget spent the packer falls back to the LP rounded down plus a
    greedy cover: still a valid packing, never cheaper than the optimum."""
    S, n, exclusive, rack_scale, cap, price, count = case
    items = np.repeat(np.arange(len(n)), n)
    optimum = brute_force(S[items], cap, price, count, items, exclusive[items], rack_scale[items])
    pat, ptype, x, cost, bound, status, work = K.pack_selection(
        S, n, exclusive, rack_scale, cap, price, count, 100_000, work_limit, 24, 10_000)
    if status != K.OK:
        return
    assert optimum is not None
    packing_holds(S, n, exclusive, rack_scale, cap, count, pat, ptype, x)
    assert cost == pytest.approx(float(price[ptype] @ x))
    assert cost >= optimum - 1e-9
    assert bound <= optimum + 1e-9


def test_greedy_fallback_is_as_good_as_a_long_exact_completion():
    """60 item types and no work budget: the LP rounded down plus a greedy cover is valid and
    within 5% of what 10**10 units of exact completion find on the same patterns."""
    rng = np.random.default_rng(7)
    S = rng.uniform(1, 10, size=(60, 2))
    n = rng.integers(1, 30, size=60)
    cap = np.array([[40.0, 40.0]])
    no = np.zeros(60, np.bool_)
    results = [K.pack_selection(S, n, no, no, cap, np.array([1.0]), np.array([10_000]),
                                100_000, work, 24, 6_000) for work in (0, 10**10)]
    (pat, ptype, x, quick, _, status, used), (*_, slow, _, slow_status, slow_used) = results
    assert status == K.OK and slow_status == K.OK
    assert used < slow_used
    packing_holds(S, n, no, no, cap, np.array([10_000]), pat, ptype, x)
    assert quick <= 1.05 * slow


@settings(max_examples=100, deadline=None)
@given(cases(), st.lists(st.integers(0, 2), min_size=1, max_size=4))
def test_pooling_identical_shared_items_keeps_the_optimum(case, copies):
    """Workloads with interchangeable servers are pooled; the pooled optimum equals the
    optimum of the unpooled items (brute force), and pooled counts add up."""
    S, n, exclusive, rack_scale, cap, price, count = case
    # duplicate some item types as further workloads
    extra = [c % len(n) for c in copies]
    S2 = np.vstack([S, S[extra]])
    n2 = np.concatenate([n, np.ones(len(extra), np.int64)])
    ex2 = np.concatenate([exclusive, exclusive[extra]])
    rs2 = np.concatenate([rack_scale, rack_scale[extra]])
    lead = np.zeros(len(n2))
    group, Sm, nm, exm, rsm, _ = K.merge_items(S2, n2, ex2, rs2, lead)
    assert nm.sum() == n2.sum()
    for k in range(len(n2)):
        assert np.array_equal(Sm[group[k]], S2[k])
        if ex2[k]:
            assert np.sum(group == group[k]) == 1
    items = np.repeat(np.arange(len(n2)), n2)
    optimum = brute_force(S2[items], cap, price, count, items, ex2[items], rs2[items])
    *_, cost, _bound, status, _work = K.pack_selection(Sm, nm, exm, rsm, cap, price, count,
                                                      100_000, 10**15, 24, 10_000)
    if optimum is None:
        assert status != K.OK
    else:
        assert status == K.OK and cost == pytest.approx(optimum)
