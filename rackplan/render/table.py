"""Generic renderers shared by the CLI: aligned text tables, Markdown tables, CSV and JSON.

They take headers and rows of plain values and return text; they never print.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any


class Marked:
    """A cell value shown with a mark after it (``330,000 ~`` for an estimate); a marked number
    still counts as a number for alignment, and CSV and JSON never see the mark."""

    __slots__ = ("value", "mark")

    def __init__(self, value: Any, mark: str) -> None:
        self.value = value
        self.mark = mark

    def __repr__(self) -> str:
        return f"Marked({self.value!r}, {self.mark!r})"


def format_value(value: Any) -> str:
    """How a value is shown in a table cell: integers without '.0', floats to 6 significant digits."""
    if isinstance(value, Marked):
        return f"{format_value(value.value)}{value.mark}"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
        return f"{value:,.6g}" if abs(value) >= 10_000 else f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _is_numeric(value: Any) -> bool:
    if isinstance(value, Marked):
        value = value.value
    return isinstance(value, int | float) and not isinstance(value, bool)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    """An aligned text table; numeric columns right-aligned."""
    cells = [[format_value(v) for v in row] for row in rows]
    # a column with marked cells (``330,000~``): pad the others so that the digits line up
    marks = [max((len(row[i].mark) for row in rows if isinstance(row[i], Marked)), default=0)
             for i in range(len(headers))]
    cells = [[c if isinstance(v, Marked) else c + " " * marks[i]
              for i, (c, v) in enumerate(zip(cell_row, row, strict=True))]
             for cell_row, row in zip(cells, rows, strict=True)]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    numeric = [
        bool(rows) and all(_is_numeric(row[i]) or row[i] is None for row in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out = []
    if title:
        out.append(title)
    out.append(line(list(headers)))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def key_value_table(pairs: Sequence[tuple[str, Any]]) -> str:
    """Two columns, field and value, for showing one record."""
    width = max((len(k) for k, _ in pairs), default=0)
    return "".join(f"{k.ljust(width)}  {format_value(v)}\n" for k, v in pairs)


def _md_cell(v: Any) -> str:
    return format_value(v).replace("|", "\\|")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown (GitHub) table; cells formatted as in :func:`table`."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row; lists are joined with ' | ', mappings written as compact JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " | ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else value


def json_text(obj: Any) -> str:
    """Indented JSON with a trailing newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
