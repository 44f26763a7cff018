"""Cash flow by fiscal quarter, capex by fiscal year, and the net present value.

Money is dated to the day (days from ``start``): capex when it is paid (servers
at delivery, racks at installation, network devices at arrival) and energy as
an even daily amount over each stream's horizon. Quarters are summed from the
days, then rounded to cents so that they add up exactly to the plan's totals
(largest remainders). A fiscal year starting in month ``m`` is named by the
calendar year it ends in.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np

from ..models.result import CashFlow, Plan
from .units import DAYS_PER_YEAR


class EnergyStream(NamedTuple):
    """Energy that runs ``days`` days from ``first_day`` and costs ``total_usd`` over them."""

    first_day: int
    days: int
    total_usd: float


def horizon_days(horizon_years: float) -> int:
    """Days of energy in ``horizon_years``: years x 365.25, rounded to the nearest day."""
    return max(1, math.floor(horizon_years * DAYS_PER_YEAR + 0.5))


def fiscal_year(day: dt.date, start_month: int) -> int:
    """The fiscal year ``day`` falls in, named by the calendar year it ends in."""
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def _quarter_index(start: dt.date, day0: int, n: int, start_month: int) -> np.ndarray:
    """Absolute fiscal quarter number of each of ``n`` days from ``day0``."""
    dates = np.datetime64(start, "D") + np.arange(day0, day0 + n)
    months = dates.astype("datetime64[M]").astype(np.int64) + 1970 * 12  # year * 12 + month - 1
    return (months - (start_month - 1)) // 3


def _label(q: int, start_month: int) -> str:
    year_start = q // 4  # the fiscal year starts in month start_month of this calendar year
    return f"FY{year_start + 1 if start_month > 1 else year_start}-Q{q % 4 + 1}"


def _cents(amounts: np.ndarray, total: float) -> np.ndarray:
    """``amounts`` rounded to cents so that they sum to ``total`` (in cents) exactly."""
    want = round(total * 100)
    cents = np.floor(amounts * 100).astype(np.int64)
    short = want - int(cents.sum())
    if short != 0 and len(cents):
        frac = amounts * 100 - cents
        order = np.argsort(-frac if short > 0 else frac, kind="stable")
        step = 1 if short > 0 else -1
        for i in range(abs(short)):
            cents[order[i % len(order)]] += step
    return cents


class CashFlowResult(NamedTuple):
    periods: list[CashFlow]
    npv_usd: float


def cash_flow(start: dt.date, start_month: int, discount_rate: float,
              capex: list[tuple[int, float]], energy: list[EnergyStream],
              capex_total: float, energy_total: float) -> CashFlowResult:
    """Quarters from the first payment to the last day of energy (``capex``: (day, USD) events;
    ``energy``: streams), rounded to sum to ``capex_total`` and ``energy_total``."""
    ends = [d for d, _ in capex] + [e.first_day for e in energy] + \
           [e.first_day + e.days - 1 for e in energy]
    if not ends:
        return CashFlowResult([], 0.0)
    day0, day1 = min(ends), max(ends)
    n = day1 - day0 + 1
    cap = np.zeros(n)
    for d, usd in capex:
        cap[d - day0] += usd
    ene = np.zeros(n)
    for e in energy:
        if e.days > 0 and e.total_usd:
            ene[e.first_day - day0:e.first_day - day0 + e.days] += e.total_usd / e.days
    quarter = _quarter_index(start, day0, n, start_month)
    q0 = int(quarter[0])
    nq = int(quarter[-1]) - q0 + 1
    cap_q = np.bincount(quarter - q0, weights=cap, minlength=nq)
    ene_q = np.bincount(quarter - q0, weights=ene, minlength=nq)
    cap_c = _cents(cap_q, capex_total)
    ene_c = _cents(ene_q, energy_total)
    periods = []
    running = 0
    for i in range(nq):
        running += int(cap_c[i] + ene_c[i])
        periods.append(CashFlow(period=_label(q0 + i, start_month), capex_usd=int(cap_c[i]) / 100,
                                energy_usd=int(ene_c[i]) / 100, cumulative_usd=running / 100))
    day = np.arange(day0, day0 + n, dtype=np.float64)
    factor = (1.0 + discount_rate) ** (-day / DAYS_PER_YEAR)
    npv = round(float(((cap + ene) * factor).sum()), 2) + 0.0
    return CashFlowResult(periods, npv)


def fiscal_year_start(fy: int, start_month: int) -> dt.date:
    """First day of fiscal year ``fy`` (named by the calendar year it ends in)."""
    return dt.date(fy, 1, 1) if start_month == 1 else dt.date(fy - 1, start_month, 1)


def capex_by_fiscal_year(plan: Plan) -> dict[int, float]:
    """Capex of ``plan.cash_flow`` summed by fiscal year."""
    out: dict[int, float] = {}
    for period in plan.cash_flow:
        fy = int(period.period[2:].split("-")[0])
        out[fy] = round(out.get(fy, 0.0) + period.capex_usd, 2)
    return out
