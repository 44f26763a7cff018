"""The rack dimensions every server size and rack capacity is measured in.

Arrays of sizes and capacities have ``N_DIMS`` columns in this order.
"""

from __future__ import annotations

POWER = 0
"""Reserved power, kW (``power_allocation * power_max_w``; against ``power_kw * feeds``, halved
under 2N)."""
AIR = 1
"""Heat removed by air, kW."""
LIQUID = 2
"""Heat removed by liquid, kW."""
UNITS = 3
"""Rack units, U."""
WEIGHT = 4
"""Weight, kg."""
N_DIMS = 5

NAMES = ("power", "air cooling", "liquid cooling", "rack units", "weight")
UNIT_NAMES = ("kW", "kW", "kW", "U", "kg")
