"""Units shared by the planning modules: weeks to days, install days per rack, hours per year,
rounding of plan figures."""

from __future__ import annotations

import math

from ..tolerance import DAY_TOL

DAYS_PER_WEEK = 7.0
HOURS_PER_YEAR = 8760.0
"""Hours in a year of energy use (365 days)."""
DAYS_PER_YEAR = 365.25
"""Calendar days in a year (Julian), for a schedule's length in years."""


def days(weeks: float) -> int:
    """Whole days in ``weeks``, rounded up (a lead time of 1.1 weeks is 8 days)."""
    # the tolerance keeps 7 * 0.1-style float error from adding a day
    return math.ceil(DAYS_PER_WEEK * weeks - DAY_TOL)


def days_per_rack(install_racks_per_week: float) -> float:
    """Days the one install pipeline spends on each rack (fractional)."""
    return DAYS_PER_WEEK / install_racks_per_week


def rounded(v: float, digits: int = 6) -> float:
    """``v`` as a plain float rounded to ``digits`` decimals, never ``-0.0``."""
    return round(float(v), digits) + 0.0
