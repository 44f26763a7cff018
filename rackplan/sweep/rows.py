"""One row per sweep point: the varied values, how planning ended, and the plan's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InfeasibleError, RackplanError, SearchLimitError, one_line
from ..loading import error_message
from ..models.result import Plan

Status = Literal["ok", "infeasible", "search_limit", "error"]


class SweepRow(BaseModel):
    """The outcome of one sweep point. Figures are None unless ``status`` is ``ok``."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    point: int
    """0-based index of the point in spec order (grid order, draw order or sensitivity order)."""
    values: dict[str, Any]
    """The varied values, keyed by dotted path, in the order of ``vary``."""
    status: Status
    """``ok`` (a plan), ``infeasible`` (proven), ``search_limit`` (no plan found, not a proof)
    or ``error`` (the point's scenario is invalid, or planning failed)."""
    error: str | None = None
    """The diagnosis's first reason (infeasible, search_limit) or the error's message."""
    gpus: int | None = None
    servers: int | None = None
    racks: int | None = None
    it_power_kw: float | None = None
    facility_power_kw: float | None = None
    capex_usd: float | None = None
    opex_usd_per_year: float | None = None
    tco_usd: float | None = None
    usd_per_gpu_hour: float | None = None
    npv_usd: float | None = None
    ready_date: dt.date | None = None
    """When every workload is online."""
    binding: list[str] = Field(default_factory=list)
    """The plan's limits used to 99% or more: ``it_power_kw``, ``budget_usd``,
    ``positions:<rack type>``."""
    gap: float | None = None
    """``plan.bounds.gap``: 0 means proven optimal."""
    most_value: float | None = None
    """Objectives ``max_gpus`` / ``max_fp8_pflops``: what the grow workloads got."""
    most_upper_bound: float | None = None
    """Proven: no plan gives the grow workloads more."""
    most_gap: float | None = None
    """``(most_upper_bound - most_value) / most_upper_bound``."""


TOTALS = ("gpus", "servers", "racks", "it_power_kw", "facility_power_kw", "capex_usd",
          "opex_usd_per_year", "tco_usd", "usd_per_gpu_hour", "npv_usd")
"""The plan totals a row carries, in column order."""

FIXED_COLUMNS = ("status", "error", *TOTALS, "ready_date", "binding", "gap", "most_value",
                 "most_upper_bound", "most_gap")
"""Row columns after ``point`` and the varied values."""

NUMERIC_COLUMNS = (*TOTALS, "ready_date", "gap", "most_value", "most_upper_bound", "most_gap")
"""Columns ``pareto`` can rank (``ready_date`` as a date)."""


def columns(paths: tuple[str, ...] | list[str]) -> list[str]:
    """Every column of a sweep's rows file, in order."""
    return ["point", *paths, *FIXED_COLUMNS]


def row_from_plan(point: int, values: dict[str, Any], plan: Plan) -> SweepRow:
    """The ``ok`` row of a point that planned."""
    totals = plan.totals
    most = plan.most
    return SweepRow(
        point=point, values=values, status="ok",
        **{name: getattr(totals, name) for name in TOTALS},
        ready_date=plan.schedule.ready_date,
        binding=[limit.limit for limit in plan.limits if limit.binding],
        gap=plan.bounds.gap,
        most_value=None if most is None else most.value,
        most_upper_bound=None if most is None else most.upper_bound,
        most_gap=None if most is None else most.gap,
    )


def row_from_exception(point: int, values: dict[str, Any], exc: BaseException) -> SweepRow:
    """The row of a point whose planning raised ``exc``."""
    status: Status
    if isinstance(exc, InfeasibleError):
        unproven = isinstance(exc, SearchLimitError) or not exc.diagnosis.proven
        status = "search_limit" if unproven else "infeasible"
        reasons = exc.diagnosis.reasons
        message = reasons[0] if reasons else str(exc)
    else:
        status = "error"
        message = _message(exc)
    return SweepRow(point=point, values=values, status=status, error=one_line(message))


def _message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return validation_text(exc)
    if isinstance(exc, RackplanError | ValueError):
        return " ".join(str(exc).split())
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def validation_text(exc: ValidationError, keys: tuple[Any, ...] | None = None,
                    value: Any = None) -> str:
    """A scenario's validation errors on one line (the first three). When the error is at
    ``keys`` (the varied field itself) its location is left out; elsewhere it is named, after
    the ``value`` that caused it."""
    parts = []
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    for err in errors[:3]:
        loc = tuple(err["loc"])
        text = error_message(err, None)
        if keys is not None and loc == keys:
            parts.append(text)
        elif keys is not None:
            parts.append(f"with {value!r}: {_loc(loc) or 'the scenario'}: {text}")
        else:
            parts.append(f"{_loc(loc)}: {text}" if loc else text)
    more = len(errors) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            out += " (key)"
        else:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
