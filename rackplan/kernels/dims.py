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
"""The physical dimensions. A site whose racks have several form factors adds one column per
form factor after them (see :func:`rackplan.planning.arrays.site_arrays`): a rack has
capacity 1 in its own form factor's column and 0 in the others, a server ``FORM_FACTOR_SIZE`` in
its own, so a server fits only racks of its form factor."""

FORM_FACTOR_SIZE = 1.0 / 1024
"""A server's size in its form factor's column: exact in binary, and no rack holds 1,024
units (racks are at most 100 U)."""

NAMES = ("power", "air cooling", "liquid cooling", "rack units", "weight")
UNIT_NAMES = ("kW", "kW", "kW", "U", "kg")
