"""Heterogeneous rack packing: an independent checker, brute force on tiny cases, shortfalls."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rackplan.racks import pack_racks


def check(sizes, capacity, price, count, group, dedicated, rack_scale, result) -> None:
    """Independent feasibility check of a RackPacking that fits."""
    sizes = np.asarray(sizes, float)
    capacity = np.asarray(capacity, float)
    assert result.fits
    assert np.all(result.rack_of_item >= 0), "every item placed exactly once"
    n_racks = len(result.rack_type)
    assert sorted(set(result.rack_of_item.tolist())) == list(range(n_racks)), "no empty rack"
    for t in range(len(price)):
        assert (result.rack_type == t).sum() <= count[t], f"type {t} over its positions"
    for r in range(n_racks):
        members = np.flatnonzero(result.rack_of_item == r)
        load = sizes[members].sum(axis=0)
        assert np.all(load <= capacity[result.rack_type[r]] * (1 + 1e-12)), f"rack {r} overloaded"
        if any(rack_scale[i] for i in members):
            assert len(members) == 1, "a rack-scale item is alone in its rack"
        groups = {group[i] for i in members}
        if any(dedicated[i] for i in members):
            assert len(groups) == 1, "a dedicated group shares no rack"
    assert result.cost == pytest.approx(sum(price[t] for t in result.rack_type))
    assert result.lower_bound <= result.cost + 1e-9


def brute_force(sizes, capacity, price, count, group, dedicated, rack_scale) -> float | None:
    """Cheapest cost over every assignment of items to rack slots (tiny cases only)."""
    sizes = np.asarray(sizes, float)
    slots = [t for t in range(len(price)) for _ in range(count[t])]
    best = None
    for assign in itertools.product(range(len(slots)), repeat=len(sizes)):
        ok = True
        for slot in set(assign):
            members = [i for i, a in enumerate(assign) if a == slot]
            load = sizes[members].sum(axis=0)
            if np.any(load > np.asarray(capacity[slots[slot]], float)):
                ok = False
                break
            if any(rack_scale[i] for i in members) and len(members) > 1:
                ok = False
                break
            if any(dedicated[i] for i in members) and len({group[i] for i in members}) > 1:
                ok = False
                break
        if ok:
            cost = sum(price[slots[slot]] for slot in set(assign))
            best = cost if best is None else min(best, cost)
    return best


def random_case(rng):
    d = 2
    t = int(rng.integers(1, 3))
    capacity = rng.integers(5, 12, size=(t, d))
    price = rng.integers(1, 10, size=t).astype(float)
    count = rng.integers(1, 4, size=t)
    n = int(rng.integers(1, 6))
    sizes = rng.integers(1, 6, size=(n, d))
    group = rng.integers(0, 2, size=n)
    dedicated_groups = rng.random(2) < 0.3
    dedicated = dedicated_groups[group]
    rack_scale = rng.random(n) < 0.15
    return sizes, capacity, price, count, group, dedicated, rack_scale


def test_matches_brute_force_on_most_tiny_cases():
    rng = np.random.default_rng(11)
    exact = total = missed_fit = 0
    for _ in range(200):
        case = random_case(rng)
        if np.any(~np.all(case[0][:, None, :] <= case[1][None, :, :], axis=2).any(axis=1)):
            continue  # an item that fits no type is covered separately
        optimum = brute_force(*case)
        result = pack_racks(*case, time_limit_s=0.01)
        if optimum is None:
            assert not result.fits
            continue
        total += 1
        if not result.fits:
            missed_fit += 1
            continue
        check(*case, result)
        assert result.lower_bound <= optimum + 1e-9
        assert result.cost >= optimum - 1e-9
        exact += result.cost == pytest.approx(optimum)
    assert total >= 100
    # Quality floor on tiny cases: the greedy type choice is not exact.
    assert exact / total >= 0.9, (exact, total, missed_fit)


def test_rack_scale_items_take_the_cheapest_compatible_type():
    sizes = [[130, 48], [10, 6]]  # (kW, rack units)
    capacity = [[40, 48], [140, 48], [300, 44]]
    result = pack_racks(sizes, capacity, [35, 150, 250], [10, 2, 2], [0, 1], [False, False],
                        [True, False])
    assert result.fits
    assert result.rack_type[result.rack_of_item[0]] == 1  # 140 kW rack, not the 300 kW one
    assert result.rack_type[result.rack_of_item[1]] == 0


def test_dedicated_group_never_shares():
    sizes = [[1, 1]] * 4
    result = pack_racks(sizes, [[10, 10]], [1.0], [5], [0, 0, 1, 1], [True, True, False, False],
                        [False] * 4)
    check(sizes, [[10, 10]], [1.0], [5], [0, 0, 1, 1], [True, True, False, False],
          [False] * 4, result)
    assert len(result.rack_type) == 2


def test_positions_running_out_names_the_binding_dimension():
    # 10 items of 30 kW into 40 kW racks: 10 racks needed, 4 positions.
    sizes = [[30.0, 6.0]] * 10
    result = pack_racks(sizes, [[40.0, 48.0]], [1.0], [4], [0] * 10, [False] * 10, [False] * 10)
    assert not result.fits
    assert result.shortfall.dimension == 0
    assert result.shortfall.needed == pytest.approx(300.0)
    assert result.shortfall.available == pytest.approx(160.0)


def test_item_fitting_no_type_is_a_shortfall():
    result = pack_racks([[50.0, 1.0]], [[40.0, 48.0]], [1.0], [4], [0], [False], [False])
    assert not result.fits and result.shortfall.dimension == 0


def test_mixes_types_when_one_type_lacks_positions():
    sizes = [[10.0]] * 6
    result = pack_racks(sizes, [[20.0], [30.0]], [1.0, 1.2], [1, 2], [0] * 6, [False] * 6,
                        [False] * 6)
    check(sizes, [[20.0], [30.0]], [1.0, 1.2], [1, 2], [0] * 6, [False] * 6, [False] * 6, result)
    assert result.cost == pytest.approx(2.4)


def test_deterministic():
    rng = np.random.default_rng(5)
    case = random_case(rng)
    a = pack_racks(*case, seed=3)
    b = pack_racks(*case, seed=3)
    assert np.array_equal(a.rack_of_item, b.rack_of_item) and a.cost == b.cost
