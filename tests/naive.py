"""Slow, obviously-correct reference implementations for the packing tests."""

from __future__ import annotations

import itertools

import numpy as np


def check_packing(sizes, capacity, assignment, n_bins) -> None:
    """Raise AssertionError unless `assignment` is a valid packing into n_bins bins."""
    sizes = np.asarray(sizes, dtype=float).reshape(len(assignment), -1)
    capacity = np.asarray(capacity, dtype=float).reshape(-1)
    assert len(assignment) == sizes.shape[0]
    used = sorted(set(int(b) for b in assignment))
    assert used == list(range(n_bins)), f"bins not numbered 0..{n_bins - 1}: {used}"
    for b in used:
        load = sizes[np.asarray(assignment) == b].sum(axis=0)
        assert np.all(load <= capacity * (1 + 1e-12)), f"bin {b} overloaded: {load} > {capacity}"


def first_fit_decreasing(sizes, capacity) -> int:
    """Plain FFD by the sum of normalized sizes; returns the number of bins."""
    sizes = np.asarray(sizes, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    order = sorted(range(len(sizes)), key=lambda i: -float((sizes[i] / capacity).sum()))
    loads: list[np.ndarray] = []
    for i in order:
        for load in loads:
            if np.all(load + sizes[i] <= capacity):
                load += sizes[i]
                break
        else:
            loads.append(sizes[i].copy())
    return len(loads)


def exact_bins(sizes, capacity) -> int:
    """Minimum number of bins by exhaustive search (tiny instances only)."""
    sizes = [np.asarray(s, dtype=float) for s in sizes]
    capacity = np.asarray(capacity, dtype=float)
    n = len(sizes)
    for k in range(1 if n else 0, n + 1):
        # Canonical assignments: item i goes to a bin index <= max used so far + 1.
        def search(i: int, loads: list[np.ndarray], k: int = k) -> bool:
            if i == n:
                return True
            for b, load in enumerate(loads):
                if np.all(load + sizes[i] <= capacity):
                    loads[b] = load + sizes[i]
                    if search(i + 1, loads):
                        return True
                    loads[b] = load
            if len(loads) < k:
                loads.append(sizes[i].copy())
                if search(i + 1, loads):
                    return True
                loads.pop()
            return False

        if search(0, []):
            return k
    return 0



__all__ = ["check_packing", "exact_bins", "first_fit_decreasing"]


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
