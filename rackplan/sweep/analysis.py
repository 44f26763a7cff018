"""What to read off a sweep's rows: the Pareto frontier and the sensitivity tornado."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .output import display_value
from .rows import NUMERIC_COLUMNS, SweepRow

FIGURE = {"capex": "capex_usd", "tco": "tco_usd", "time": "tco_usd", "max_gpus": "most_value",
          "max_fp8_pflops": "most_value"}
"""The row column that measures each objective (``time`` ranks by date first, then TCO)."""

PARETO_HELP = "COLUMN:min|max[,COLUMN:min|max ...], e.g. capex_usd:min,ready_date:min"


def parse_pareto(text: str, paths: Sequence[str] = ()) -> list[tuple[str, str]]:
    """``"capex_usd:min,gpus:max"`` as ``[("capex_usd", "min"), ("gpus", "max")]``.

    A column is a plan figure of the rows (:data:`~rackplan.sweep.rows.NUMERIC_COLUMNS`,
    ``ready_date`` included) or one of ``paths`` (the varied values). Raises ``ValueError``
    saying what is wrong, with the closest column name for a misspelt one.
    """
    allowed = [*NUMERIC_COLUMNS, *paths]
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise ValueError(f"no columns; expected {PARETO_HELP}")
    out: list[tuple[str, str]] = []
    for item in items:
        column, sep, sense = item.rpartition(":")
        column, sense = column.strip(), sense.strip().lower()
        if not sep or not column:
            raise ValueError(f"{item!r} is not COLUMN:min or COLUMN:max; expected {PARETO_HELP}")
        if sense not in ("min", "max"):
            raise ValueError(f"{item!r}: the direction must be min or max, not {sense!r}")
        if column not in allowed:
            close = difflib.get_close_matches(column, allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(allowed)}"
            raise ValueError(f"unknown column {column!r}; {hint}")
        if any(column == c for c, _ in out):
            raise ValueError(f"column {column!r} is given twice")
        out.append((column, sense))
    return out


def _number(row: SweepRow, column: str) -> float | None:
    value = row.values[column] if column in row.values else getattr(row, column)
    if value is None:
        return None
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"column {column!r} holds {value!r}, not a number or a date")
    return float(value)


def pareto(rows: Sequence[SweepRow], criteria: str | Sequence[tuple[str, str]]) -> list[SweepRow]:
    """The efficient ``ok`` rows, still in spec order: those no other ``ok`` row beats.

    ``criteria`` is ``"capex_usd:min,ready_date:min"`` (see :func:`parse_pareto`) or the parsed
    pairs. Row *a* dominates *b* when it is at least as good in every column and better in one;
    a row is kept when nothing dominates it (rows equal in every column are all kept). Rows
    where a column is empty (``most_value`` without a ``max_*`` objective) are left out.
    """
    if not rows:
        return []
    paths = list(rows[0].values)
    pairs = parse_pareto(criteria, paths) if isinstance(criteria, str) else list(criteria)
    kept: list[SweepRow] = []
    vectors: list[list[float]] = []
    for row in rows:
        if row.status != "ok":
            continue
        vector = []
        for column, sense in pairs:
            value = _number(row, column)
            if value is None:
                break
            vector.append(value if sense == "min" else -value)
        else:
            kept.append(row)
            vectors.append(vector)
    if not kept:
        return []
    x = np.array(vectors, dtype=np.float64)
    # in lexicographic order a row can only be dominated by rows before it, and a dominated
    # row's dominators are dominated by (or equal to) a frontier row before it
    order = np.lexsort(x.T[::-1])
    front = np.empty((0, x.shape[1]))
    efficient: list[int] = []
    for i in order.tolist():
        v = x[i]
        if len(front) and bool(np.any(np.all(front <= v, axis=1) & np.any(front < v, axis=1))):
            continue
        efficient.append(i)
        front = np.vstack([front, v])
    return [kept[i] for i in sorted(efficient)]


@dataclass(frozen=True)
class TornadoRow:
    """One varied path in a sensitivity sweep: the objective with it low, at base and high."""

    path: str
    low: Any
    base: Any
    high: Any
    at_low: float | None
    """The objective's figure with the value low (None unless that plan's status is ok)."""
    at_base: float | None
    at_high: float | None
    status_low: str
    status_base: str
    status_high: str
    swing: float | None
    """``|at_high - at_low|`` (to 1e-6); None when a side has no plan."""


def tornado(rows: Sequence[SweepRow], objective: str) -> list[TornadoRow]:
    """The tornado of a sensitivity sweep's rows (point 0 the base, then each path low and
    high), sorted by swing, largest first; paths whose low or high side has no plan come last.

    ``objective`` picks the figure (:data:`FIGURE`): ``tco_usd`` for tco and time,
    ``capex_usd`` for capex, ``most_value`` for max_gpus and max_fp8_pflops.
    """
    if objective not in FIGURE:
        raise ValueError(f"objective must be one of {', '.join(FIGURE)}, not {objective!r}")
    if not rows:
        return []
    figure = FIGURE[objective]
    paths = list(rows[0].values)
    if len(rows) != 1 + 2 * len(paths) or [r.point for r in rows] != list(range(len(rows))):
        raise ValueError("these are not the rows of a sensitivity sweep (the base, then each "
                         "varied path low and high)")
    base = rows[0]

    def at(row: SweepRow) -> float | None:
        return getattr(row, figure) if row.status == "ok" else None

    out = []
    for i, path in enumerate(paths):
        low, high = rows[1 + 2 * i], rows[2 + 2 * i]
        for side in (low, high):
            moved = [p for p in paths if side.values[p] != base.values[p]]
            if moved not in ([], [path]):
                raise ValueError(f"point {side.point} should move only {path}; it moves "
                                 f"{', '.join(moved)}")
        a, b = at(low), at(high)
        out.append(TornadoRow(path, low.values[path], base.values[path], high.values[path], a,
                              at(base), b, low.status, base.status, high.status,
                              None if a is None or b is None else round(abs(b - a), 6)))
    return sorted(out, key=lambda t: (t.swing is None, -(t.swing or 0.0)))


def tornado_table(trows: Sequence[TornadoRow], objective: str, percent: float) -> str:
    """The tornado as an aligned text table."""
    from ..render.table import table

    figure = FIGURE[objective]
    headers = ["path", "low", "high", f"{figure} at low", "at base", "at high", "swing"]

    def shown(value: float | None, status: str) -> Any:
        return display_value(figure, value) if status == "ok" else status

    cells = [[t.path, t.low, t.high, shown(t.at_low, t.status_low),
              shown(t.at_base, t.status_base), shown(t.at_high, t.status_high),
              display_value(figure, t.swing)] for t in trows]
    return table(headers, cells, title=f"Sensitivity: each value at -{percent:g}% and "
                                      f"+{percent:g}% of the base (objective {objective}, "
                                      f"{figure}), largest swing first")
