"""Effort limits of the model search and the packings, counted in work, never in seconds."""

LEAF_LIMIT = 20_000
"""Leaves (complete model choices) the search packs before it stops unproven."""
NODE_LIMIT = 4_000
"""Branch-and-bound nodes per leaf packing."""
FINAL_NODE_LIMIT = 25 * NODE_LIMIT
"""Branch-and-bound nodes for the final packing of the chosen models."""
LEAF_WORK = 5 * 10**9
"""Work (LP tableau cells and bound evaluations) per leaf packing in the search."""
SEARCH_WORK = 10**11
"""Work for the whole search; with LEAF_LIMIT it bounds planning time on every machine."""
FINAL_WORK = 2 * 10**10
"""Work for the final packing of the chosen models."""
REPACK_GAP = 1e-4
"""The chosen models are packed again, with FINAL_WORK, only when the search's packing may be
more than this share of the objective above the optimum (its proven gap); below it a repack
costs seconds to gain at most that share. The plan reports the gap either way."""
SMALL_RACKS = 24
"""Packings with at most this many racks in the LP are searched exactly from scratch."""
MAX_PATTERNS = 6_000
"""Most rack patterns enumerated per packing."""
