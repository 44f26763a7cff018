"""Every numerical tolerance of the planner, in one place.

Capacities are compared with a relative slack so that a rack filled exactly to
its rating (36 x 8.3 kW in a 298.8 kW rack) is not refused for a rounding error
in the last bit; everything else here guards the LP and the cost comparisons.
The kernels import these as compile-time constants.
"""

FIT_REL = 1e-9
"""A load fits a capacity when ``load <= capacity * (1 + FIT_REL)``, in every rack dimension."""

PIVOT_TOL = 1e-9
"""Simplex: an entry smaller than this is not used as a pivot."""

RC_TOL = 1e-9
"""Simplex and column generation: a reduced cost below ``-RC_TOL`` improves (costs are scaled to at
most 1)."""

FEAS_TOL = 1e-9
"""Simplex: a basic value within this of zero is zero; phase 1 ends feasible below this times the
demand."""

COST_REL = 1e-9
"""Two objective values closer than this (relative) are equal; a packing within it of its lower
bound is optimal."""

BOUND_SAFETY_REL = 1e-9
"""A lower bound computed in floating point is lowered by this share of itself before it is
reported, so rounding can never lift it above the optimum it bounds."""

DAY_TOL = 1e-9
"""Fractional days within this of a whole day round to that day (schedules, lead times)."""

COUNT_TOL = 1e-9
"""A count worked out by division (servers for a compute demand, racks for a total load) within
this above a whole number is that number, not the next: ``2.1 / 0.3`` is ``7.000000000000001`` in
floating point, and must not buy an eighth server or add a rack to a lower bound."""

RACKS_BOUND_TOL = 1e-6
"""The column-generation lower bound on a rack count is rounded up to the next whole rack only
when it exceeds a whole number by more than this: the LP's own rounding error (basis inverse,
duals, scaling) is far above the simplex tolerances, and rounding it up would claim a rack too
many."""
