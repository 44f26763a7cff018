"""Tighten a packing with the identical-bin vector packer, one rack type at a time.

Column generation prices racks one at a time and rounds a fractional LP; with
dozens of distinct server sizes the rounded packing can be a few racks above
what a dedicated bin-packing search finds. Racks of one rack type that hold
servers allowed to mix (the shared pool, or one dedicated workload) are
identical bins, so :func:`rackplan.packing.pack_validated` (the engine behind
``rackplan.pack_vectors``, run by work budget only, so deterministic) packs
their servers again; the result replaces those racks only when it needs fewer.
Fewer racks of the same type cost less and use fewer positions, so the plan
stays within every limit and is never worse.
"""

from __future__ import annotations

import numpy as np

from .arrays import SiteArrays
from .candidates import Candidate

REPACK_WORK_S = 1.0
"""Work budget per group of racks, in pack_vectors' seconds-equivalent (work, not time)."""


def tighten(types: np.ndarray, counts: np.ndarray, chosen: list[Candidate], dedicated: list[bool],
            site: SiteArrays) -> tuple[np.ndarray, np.ndarray]:
    """``(types, counts)`` with each type's mixable racks packed again where that saves racks.

    ``types`` (R,) rack type per rack, ``counts`` (R, W) servers per rack and
    workload; rack-scale systems keep their racks.
    """
    sizes = np.array([c.size for c in chosen], np.float64).reshape(len(chosen), site.dims)
    rack_scale = np.array([c.server.rack_scale for c in chosen], np.bool_)
    # a rack's group: -1 the shared pool, w a dedicated workload, -2 anything with a rack-scale system
    group = np.full(len(types), -1, np.int64)
    for r in range(len(types)):
        present = np.flatnonzero(counts[r])
        if rack_scale[present].any():
            group[r] = -2
        elif len(present) == 1 and dedicated[int(present[0])]:
            group[r] = int(present[0])
    keep = np.ones(len(types), np.bool_)
    new_types: list[int] = []
    new_rows: list[np.ndarray] = []
    for t in np.unique(types):
        for g in np.unique(group[types == t]):
            if g == -2:
                continue
            racks = np.flatnonzero((types == t) & (group == g))
            if len(racks) < 2:
                continue
            per_workload = counts[racks].sum(axis=0)
            owner = np.repeat(np.arange(len(chosen)), per_workload)
            dims = site.cap[t] > 0
            if np.any(sizes[owner][:, dims] > site.cap[t, dims]):
                continue  # fits only within the planner's tolerance: leave it to the planner
            from ..packing import pack_validated  # the vector packer's kernels load when needed

            result = pack_validated(sizes[owner][:, dims], site.cap[t, dims], REPACK_WORK_S, 0,
                                    clock_guard=False)
            if result.n_bins >= len(racks):
                continue
            keep[racks] = False
            for b in range(result.n_bins):
                row = np.bincount(owner[result.assignment == b], minlength=len(chosen))
                new_types.append(int(t))
                new_rows.append(row.astype(np.int64))
    if not new_rows:
        return types, counts
    return (np.concatenate([types[keep], np.array(new_types, np.int64)]),
            np.vstack([counts[keep], np.array(new_rows, np.int64)]))
