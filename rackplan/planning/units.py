"""Units shared by the planning modules: weeks to days, hours per year, rounding of plan figures."""

from __future__ import annotations

import math

HOURS_PER_YEAR = 8760.0


def days(weeks: float) -> int:
    """Whole days in ``weeks``, rounded up (a lead time of 1.1 weeks is 8 days)."""
    # the tolerance keeps 7 * 0.1-style float error from adding a day
    return math.ceil(7.0 * weeks - 1e-9)


def rounded(v: float, digits: int = 6) -> float:
    """``v`` as a plain float rounded to ``digits`` decimals, never ``-0.0``."""
    return round(float(v), digits) + 0.0
