"""Sweep rows to files and back: CSV, JSON and Parquet, with the same columns in each.

Columns: ``point``, one per varied path (named by the path), then ``status``, ``error``, the
plan totals, ``ready_date``, ``binding``, ``gap`` and ``most_*`` (see
:data:`rackplan.sweep.rows.FIXED_COLUMNS`). CSV: empty cell for null, ``binding`` joined by
``;``, a list or mapping value as JSON. JSON: an array of one flat object per row. Parquet
(needs ``pyarrow``): typed columns, ``binding`` a list of strings. Files are written
atomically; :func:`read_rows` reads any of them back (to resume a sweep).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._io import write_atomic
from ..errors import InputError, Problem
from ..render.table import table
from .rows import FIXED_COLUMNS, TOTALS, SweepRow, columns

FORMATS = ("csv", "json", "parquet")
"""Formats that hold every row and can be resumed from."""

EXTENSIONS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}

_INTS = ("point", "gpus", "servers", "racks")
_FLOATS = tuple(c for c in (*TOTALS, "gap", "most_value", "most_upper_bound", "most_gap")
                if c not in _INTS)


def format_for(path: str | Path) -> str | None:
    """The rows format a file name's extension implies, or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def records(rows: Sequence[SweepRow], paths: Sequence[str]) -> list[dict[str, Any]]:
    """One flat dict per row, keyed by :func:`~rackplan.sweep.rows.columns`."""
    out = []
    for row in rows:
        record: dict[str, Any] = {"point": row.point}
        for path in paths:
            record[path] = row.values.get(path)
        for name in FIXED_COLUMNS:
            record[name] = getattr(row, name)
        out.append(record)
    return out


def _cell(value: Any) -> Any:
    """A value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, separators=(",", ":"), default=str)
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def rows_text(rows: Sequence[SweepRow], paths: Sequence[str], fmt: str) -> str:
    """The rows as CSV or JSON text."""
    recs = records(rows, paths)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns(list(paths)))
        for rec in recs:
            rec["binding"] = ";".join(rec["binding"])
            writer.writerow([_cell(v) for v in rec.values()])
        return buffer.getvalue()
    if fmt == "json":
        if not recs:
            return "[]\n"
        lines = [json.dumps({k: _json_value(v) for k, v in rec.items()}, ensure_ascii=False)
                 for rec in recs]
        return "[\n" + ",\n".join(lines) + "\n]\n"
    raise ValueError(f"rows_text: format must be csv or json, not {fmt!r}")


def write_rows(rows: Sequence[SweepRow], paths: Sequence[str], path: str | Path, fmt: str) -> None:
    """Replace ``path`` with the rows in ``fmt`` (csv, json or parquet), atomically: a failure
    or Ctrl-C part-way leaves the previous file as it was."""
    if fmt in ("csv", "json"):
        write_atomic(path, rows_text(rows, paths, fmt))
        return
    if fmt != "parquet":
        raise ValueError(f"write_rows: format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    pa, pq = _pyarrow(path)
    table_ = _arrow_table(pa, records(rows, paths), paths)
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent if str(target.parent) else ".")
        try:
            with os.fdopen(fd, "wb") as handle:
                pq.write_table(table_, handle)
                handle.flush()
                os.fsync(handle.fileno())
            mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
    except OSError as exc:
        raise InputError([Problem(str(path), None, None,
                                  f"cannot write output: {exc.strerror or exc}")]) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pyarrow(path: str | Path) -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError([Problem(str(path), None, None,
                                  "Parquet needs pyarrow: pip install 'rackplan[parquet]'")]) from None
    return pa, pq


def pyarrow_available() -> bool:
    """Whether Parquet files can be written and read here."""
    try:
        _pyarrow("")
    except InputError:
        return False
    return True


def _arrow_table(pa: Any, recs: list[dict[str, Any]], paths: Sequence[str]) -> Any:
    names = columns(list(paths))
    arrays = []
    for name in names:
        values = [rec[name] for rec in recs]
        if name in _INTS:
            arrays.append(pa.array(values, pa.int64()))
        elif name in _FLOATS:
            arrays.append(pa.array(values, pa.float64()))
        elif name == "ready_date":
            arrays.append(pa.array(values, pa.date32()))
        elif name == "binding":
            arrays.append(pa.array(values, pa.list_(pa.string())))
        elif name in ("status", "error"):
            arrays.append(pa.array(values, pa.string()))
        else:
            arrays.append(_value_array(pa, values))
    return pa.Table.from_arrays(arrays, names=names)


def _value_array(pa: Any, values: list[Any]) -> Any:
    """A varied path's column, typed by its values (text, JSON for lists, when they mix)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.array(values, pa.bool_())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.array(values, pa.int64())
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if all(isinstance(v, str) for v in present):
        return pa.array(values, pa.string())
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return pa.array(values, pa.date32())
    return pa.array([None if v is None else str(_cell(v)) for v in values], pa.string())


# --------------------------------------------------------------------------- reading back


def read_rows(path: str | Path, paths: Sequence[str], fmt: str) -> list[SweepRow]:
    """The rows in a file written by :func:`write_rows` for a sweep varying ``paths``.

    Varied values come back as stored (CSV: text); compare them with
    :func:`rackplan.sweep.runner.value_key`. Raises ``ValueError`` when the file is not such a
    rows file (other columns, a malformed cell) and :class:`~rackplan.InputError` when it
    cannot be read.
    """
    expected = columns(list(paths))
    try:
        if fmt == "parquet":
            _pa, pq = _pyarrow(path)
            try:
                table_ = pq.read_table(str(path))
            except OSError:
                raise
            except Exception as exc:  # noqa: BLE001 (pyarrow's errors for a file it cannot parse)
                raise ValueError(f"not a Parquet file ({' '.join(str(exc).split())})") from None
            names = list(table_.column_names)
            recs = table_.to_pylist()
        elif fmt == "json":
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ValueError(f"not JSON ({exc})") from None
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise ValueError("not a JSON array of row objects")
            names = list(data[0]) if data else expected
            recs = data
        elif fmt == "csv":
            try:
                text = Path(path).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise ValueError("not UTF-8 text") from None
            reader = csv.reader(io.StringIO(text))
            header = next(reader, None)
            names = header or []
            recs = [dict(zip(names, _csv_cells(cells, len(names)), strict=True)) for cells in reader]
        else:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    except OSError as exc:
        raise InputError([Problem(str(path), None, None,
                                  f"cannot read: {exc.strerror or exc}")]) from None
    if names != expected:
        raise ValueError(f"its columns are {', '.join(names) or 'none'}; this sweep's are "
                         f"{', '.join(expected)}")
    out = []
    for number, rec in enumerate(recs, start=1):
        if list(rec) != expected:
            raise ValueError(f"row {number} has other columns")
        try:
            out.append(_row(rec, paths, text_cells=fmt == "csv"))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"row {number}: {' '.join(str(exc).split())}") from None
    return out


def _csv_cells(cells: list[str], n: int) -> list[str]:
    if len(cells) != n:
        raise ValueError(f"a CSV row has {len(cells)} cells, the header {n}")
    return cells


def _row(rec: dict[str, Any], paths: Sequence[str], text_cells: bool) -> SweepRow:
    fields: dict[str, Any] = {}
    for name in ("point", *FIXED_COLUMNS):
        value = rec[name]
        if text_cells:
            value = _from_text(name, value)
        fields[name] = value
    return SweepRow.model_validate({**fields, "values": {p: rec[p] for p in paths}})


def _from_text(name: str, cell: str) -> Any:
    if name == "binding":
        return cell.split(";") if cell else []
    if cell == "":
        return None
    if name in _INTS:
        return int(cell)
    if name in _FLOATS:
        return float(cell)
    return cell


# --------------------------------------------------------------------------- the terminal


def display_value(name: str, value: Any) -> Any:
    """A figure as a table shows it: money to dollars, $/GPU-hour to 4 places, kW to 0.1."""
    if value is None:
        return None
    if name.endswith("_usd") or name == "opex_usd_per_year":
        return round(value)
    if name == "usd_per_gpu_hour":
        return round(value, 4)
    if name.endswith("_kw"):
        return round(value, 1)
    if name in ("gap", "most_gap"):
        return round(value, 6)
    return value


def rows_table(rows: Sequence[SweepRow], paths: Sequence[str], title: str) -> str:
    """An aligned text table of the rows, for a terminal."""
    shown = ["point", *paths, "status", "gpus", "racks", "it_power_kw", "capex_usd", "tco_usd",
             "usd_per_gpu_hour", "ready_date", "binding"]
    if any(r.most_value is not None for r in rows):
        shown += ["most_value", "most_gap"]
    shown.append("error")
    cells = []
    for rec in records(rows, paths):
        cells.append([display_value(name, rec[name]) for name in shown])
    return table(shown, cells, title=title)
