"""The plan as an Excel workbook: ``rackplan plan --format xlsx``.

:func:`plan_xlsx` returns the bytes of an ``.xlsx`` file with one sheet per part of the plan
(docs/formats.md, "Other plan formats"): Summary, Selections, Racks, Feeds, Slots, Schedule, BOM and,
when the plan has them, Cash flow and Fabrics. Every sheet but the Summary is one table: a bold,
frozen header row whose headers carry the units, an autofilter, and (where a column adds up) a
``Total`` row of ``=SUM(...)`` formulas. The Summary refers to those totals by formula
(``=BOM!F14``), so it shows the same figure as the sheet it sums and as the plan.

The workbook is written with openpyxl in write-only mode (a sheet streams to a temporary file,
so 300,000 slots do not sit in memory as cell objects) into a zip whose entries, and whose
document properties, are all stamped with one time taken from the plan: the same plan gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.properties import CalcProperties
from openpyxl.writer.excel import ExcelWriter

from ..errors import RackplanError
from ..models.result import Placement, Plan, Rack

__all__ = ["plan_xlsx"]

MONEY = "#,##0.00"
RATE = "#,##0.0000"
KW = "#,##0.000"
KG = "#,##0.0"
AMPS = "#,##0.0"
INT = "#,##0"
NUMBER = "#,##0.###"
PERCENT = "0.000%"
DATE = "yyyy-mm-dd"

MAX_ROWS = 1_048_576
"""Rows of an Excel sheet."""

_SAMPLE_ROWS = 200
"""Rows read to size a column: enough to see every kind of value, few enough for 300,000 slots."""
_MAX_WIDTH = 60
_MIN_NUMBER_WIDTH = {MONEY: 16, KW: 12, KG: 11, INT: 9}
"""A numeric column is at least this wide so its ``Total`` fits (totals are formulas, so their
width cannot be measured here)."""


@dataclass(frozen=True)
class _Col:
    header: str
    """With the unit: ``Power (kW)``."""
    fmt: str | None = None
    """Number format of the column's cells (None: General)."""
    total: bool = False
    """The ``Total`` row sums the column."""


@dataclass(frozen=True)
class _Table:
    """Where a written table's totals are, for the Summary to refer to."""

    title: str
    total_row: int | None
    """Row of ``Total`` (None: the table has no rows, or no column that adds up)."""
    columns: dict[str, str]
    """Header -> column letter."""

    def total(self, header: str) -> str:
        """A reference to the column's total from another sheet: ``BOM!F14``."""
        return f"{quote_sheetname(self.title)}!{self.columns[header]}{self.total_row}"


def plan_xlsx(plan: Plan) -> bytes:
    """The plan as the bytes of an Excel workbook (``.xlsx``).

    Sheets: ``Summary``, ``Selections``, ``Racks``, ``Feeds``, ``Slots``, ``Schedule``,
    ``BOM``, and ``Cash flow`` and ``Fabrics`` when the plan has them. Totals are formulas
    (``SUM`` over a column, cumulative cash flow as ``=D2+B3+C3``) whose values equal the plan's
    own figures; dates are Excel dates. The same plan gives the same bytes.
    """
    _check_size(plan)
    wb = Workbook(write_only=True)
    # formulas are written without cached values: have the reader compute them on opening
    wb.calculation = CalcProperties(fullCalcOnLoad=True)
    stamp = _timestamp(plan)
    wb.properties.creator = "rackplan"
    wb.properties.title = _text(plan.scenario)
    wb.properties.created = stamp
    wb.properties.modified = stamp

    # the Summary comes first but refers to the other sheets' totals: create it first, fill it last
    summary = wb.create_sheet("Summary")
    selections = _selections(wb, plan)
    racks = _racks(wb, plan)
    _feeds(wb, plan)
    _slots(wb, plan)
    _schedule(wb, plan)
    bom = _bom(wb, plan)
    cash = _cash_flow(wb, plan) if plan.cash_flow else None
    if plan.fabrics:
        _fabrics(wb, plan)
    _summary(summary, plan, selections, racks, bom, cash)

    out = io.BytesIO()
    archive = _StampedZip(out, stamp)
    # ExcelWriter, not Workbook.save: save() stamps the properties with the current time
    ExcelWriter(wb, archive).save()
    return out.getvalue()


def _check_size(plan: Plan) -> None:
    # before writing anything: Excel refuses a whole workbook with one sheet too long
    for what, n in (("slots", sum(len(r.slots) for r in plan.racks)),
                    ("feeds", sum(len(r.feeds) for r in plan.racks)), ("racks", len(plan.racks))):
        if n + 2 > MAX_ROWS:  # header and Total rows
            raise RackplanError(f"the plan has {n:,} {what}, more than an Excel sheet holds "
                                f"({MAX_ROWS - 2:,}); write it as JSON or CSV instead")


# --------------------------------------------------------------------------- the sheets


def _selections(wb: Workbook, plan: Plan) -> _Table:
    cols = [_Col("Workload"), _Col("Server"), _Col("Count", INT, True), _Col("GPUs", INT, True),
            _Col("GPUs requested", INT), _Col("Server price (USD)", MONEY, True),
            _Col("Tariff (USD)", MONEY, True), _Col("Energy per year (USD)", MONEY, True),
            _Col("IT power (kW)", KW, True), _Col("Order date", DATE), _Col("Arrival date", DATE)]
    rows = ((s.workload, s.server, s.count, s.gpus, s.gpus_requested, s.server_usd, s.tariff_usd,
             s.energy_usd_per_year, s.it_power_kw, s.order_date, s.arrival_date)
            for s in plan.selections)
    return _write_table(wb, "Selections", cols, rows)


def _contents(rack: Rack) -> str:
    """What a rack holds, in a few words: ``training: 3 dell-xe9680-h200``."""
    parts = []
    for p in rack.placements:
        if isinstance(p, Placement):
            phase = f" (phase {p.phase})" if p.phase is not None else ""
            parts.append(f"{p.workload}{phase}: {p.count} {p.server}")
        else:
            role = f" {p.role}" if p.role else ""
            parts.append(f"{p.fabric}{role}: {p.count} {p.device}")
    return "; ".join(parts)


def _racks(wb: Workbook, plan: Plan) -> _Table:
    cols = [_Col("Rack"), _Col("Type"), _Col("Role"), _Col("Power (kW)", KW, True),
            _Col("Air (kW)", KW, True), _Col("Liquid (kW)", KW, True), _Col("U used", INT, True),
            _Col("Weight (kg)", KG, True), _Col("Installed", DATE), _Col("Arrival", DATE),
            _Col("Feeds", INT), _Col("Contents")]
    trips = set(plan.feed_loss.racks) if plan.feed_loss is not None else None
    if trips is not None:
        cols.append(_Col("Trips on a feed loss"))
    rows = ((r.id, r.rack, r.role, r.power_kw, r.air_kw, r.liquid_kw, r.u_used, r.weight_kg,
             r.installed_date, r.arrival_date, len(r.feeds), _contents(r))
            + ((r.id in trips,) if trips is not None else ())
            for r in plan.racks)
    return _write_table(wb, "Racks", cols, rows)


def _feeds(wb: Workbook, plan: Plan) -> None:
    # no Total row: a feed's load is what it carries when others fail, so loads do not add up
    cols = [_Col("Rack"), _Col("Feed"), _Col("Load (kW)", KW), _Col("Current (A)", AMPS),
            _Col("Normal load (kW)", KW), _Col("Rated (kW)", KW), _Col("Rated current (A)", AMPS)]
    trips = set(plan.feed_loss.racks) if plan.feed_loss is not None else None
    if trips is None:  # 2N: each side carries the whole rack already ("Load")
        rows: Iterable[tuple[Any, ...]] = (
            (r.id, f.feed, f.kw, f.amps, f.normal_kw, f.rated_kw, f.rated_amps)
            for r in plan.racks for f in r.feeds)
    else:
        # N: with one feed down, each other feed carries power_kw / (feeds - 1); a rack with a
        # single feed has none left (no figure)
        cols += [_Col("Trips on a feed loss"), _Col("Load if one feed fails (kW)", KW)]
        rows = ((r.id, f.feed, f.kw, f.amps, f.normal_kw, f.rated_kw, f.rated_amps,
                 r.id in trips, r.surviving_feed_kw())
                for r in plan.racks for f in r.feeds)
    _write_table(wb, "Feeds", cols, rows)


def _slots(wb: Workbook, plan: Plan) -> None:
    cols = [_Col("Rack"), _Col("U", INT), _Col("Height (U)", INT), _Col("Device"), _Col("Workload"),
            _Col("Kind"), _Col("Fabric"), _Col("Role"), _Col("Power (kW)", KW),
            _Col("Weight (kg)", KG), _Col("Label")]
    rows = ((r.id, s.u, s.height, s.device, s.workload, s.kind, s.fabric, s.role, s.kw, s.weight_kg,
             s.label)
            for r in plan.racks for s in r.slots)
    _write_table(wb, "Slots", cols, rows)


_EVENT_ORDER = {"order": 0, "delivery": 1, "installation": 2, "online": 3, "need by": 4}
"""Events of one day in the order they happen."""


def _schedule_rows(plan: Plan) -> list[tuple[Any, ...]]:
    """Per workload, its events by date: each phase's order, the deliveries, each phase's
    installation window, online date and need-by (then the workload's own online date and
    need-by when it has phases), and the network racks' installation."""
    selections = {s.workload: s for s in plan.selections}
    installed: dict[tuple[str, int], list[tuple[dt.date, int]]] = {}
    network: list[dt.date] = []
    for r in plan.racks:
        for p in r.placements:
            if isinstance(p, Placement):
                key = (p.workload, 1 if p.phase is None else p.phase)
                installed.setdefault(key, []).append((r.installed_date, p.count))
            else:
                network.append(r.installed_date)
    rows: list[tuple[Any, ...]] = []
    for w in plan.schedule.workloads:
        events: list[tuple[Any, ...]] = []
        sel = selections.get(w.workload)
        per_server = sel.gpus // sel.count if sel is not None and sel.count else None
        for ph in w.phases:
            events.append((w.workload, ph.phase, "order", ph.order_date, None, ph.servers, ph.gpus))
            done = installed.get((w.workload, ph.phase))
            if done:
                events.append((w.workload, ph.phase, "installation", min(d for d, _ in done),
                               max(d for d, _ in done), sum(n for _, n in done), None))
            events.append((w.workload, ph.phase, "online", ph.online_date, None, ph.servers, ph.gpus))
            if ph.need_by is not None:
                events.append((w.workload, ph.phase, "need by", ph.need_by, None, None, None))
        # the plan does not tie a delivery to a phase when there are several
        phase = w.phases[0].phase if len(w.phases) == 1 else None
        for d in sel.deliveries if sel is not None else []:
            events.append((w.workload, phase, "delivery", d.date, None, d.units,
                           None if per_server is None else d.units * per_server))
        if len(w.phases) > 1:
            events.append((w.workload, None, "online", w.online_date, None, None, None))
            if w.need_by is not None:
                events.append((w.workload, None, "need by", w.need_by, None, None, None))
        events.sort(key=lambda e: (e[3], _EVENT_ORDER[e[2]], e[1] or 0))
        rows.extend(events)
    if network:
        rows.append(("(network)", None, "installation", min(network), max(network), None, None))
    return rows


def _schedule(wb: Workbook, plan: Plan) -> None:
    cols = [_Col("Workload"), _Col("Phase", INT), _Col("Event"), _Col("Date", DATE),
            _Col("End date", DATE), _Col("Servers", INT), _Col("GPUs", INT)]
    rows = _schedule_rows(plan)
    _write_table(wb, "Schedule", cols, rows)


def _bom(wb: Workbook, plan: Plan) -> _Table:
    cols = [_Col("Category"), _Col("Item"), _Col("Description"), _Col("Quantity", INT),
            _Col("Unit price (USD)", MONEY), _Col("Extended (USD)", MONEY, True),
            _Col("Lead time (weeks)", NUMBER), _Col("Estimate")]
    rows = ((b.category, b.item, b.description, b.quantity, b.unit_usd, b.extended_usd,
             b.lead_time_weeks, b.estimate)
            for b in plan.bom)
    return _write_table(wb, "BOM", cols, rows)


def _cash_flow(wb: Workbook, plan: Plan) -> _Table:
    cols = [_Col("Period"), _Col("Capex (USD)", MONEY, True), _Col("Energy (USD)", MONEY, True),
            _Col("Cumulative (USD)", MONEY)]
    # the running total is a formula on the row above, so an edited period carries through
    rows = ((c.period, c.capex_usd, c.energy_usd,
             _Formula(f"=B{i + 2}+C{i + 2}" if i == 0 else f"=D{i + 1}+B{i + 2}+C{i + 2}"))
            for i, c in enumerate(plan.cash_flow))
    return _write_table(wb, "Cash flow", cols, rows)


_MODULE_KINDS = ("switch", "node", "appliance", "uplink")


def _fabrics(wb: Workbook, plan: Plan) -> None:
    kinds = list(_MODULE_KINDS)
    kinds += sorted({k for f in plan.fabrics for k in f.modules} - set(kinds))
    cols = [_Col("Fabric"), _Col("Workload"), _Col("Switch"), _Col("Tiers", INT),
            _Col("Servers", INT), _Col("Scalable units", INT), _Col("Leaf", INT, True),
            _Col("Spine", INT, True), _Col("Core", INT, True), _Col("Pods", INT),
            _Col("Node-leaf links", INT, True), _Col("Leaf-spine links", INT, True),
            _Col("Spine-core links", INT, True), _Col("Uplinks", INT, True)]
    cols += [_Col(f"Modules: {k}", INT, True) for k in kinds]
    cols += [_Col("Cables", INT, True), _Col("Link speed (Gb/s)", NUMBER),
             _Col("Oversubscription", NUMBER), _Col("Power (kW)", KW, True),
             _Col("Capex (USD)", MONEY, True)]
    rows = ((f.name, f.workload, f.switch, f.tiers, f.servers, f.scalable_units, f.leaf, f.spine,
             f.core, f.pods, f.links.node_leaf, f.links.leaf_spine, f.links.spine_core,
             f.links.uplink, *(f.modules.get(k, 0) for k in kinds), f.cables, f.link_gbps,
             f.oversubscription, f.power_kw, f.capex_usd)
            for f in plan.fabrics)
    _write_table(wb, "Fabrics", cols, rows)


def _summary(ws: Any, plan: Plan, selections: _Table, racks: _Table, bom: _Table,
             cash: _Table | None) -> None:
    t, c, b = plan.totals, plan.costs, plan.bounds

    def ref(table: _Table | None, header: str, value: float) -> Any:
        # the figure the other sheet adds up, when it has a Total row
        return value if table is None or table.total_row is None else _Formula("=" + table.total(header))

    pairs: list[tuple[str, Any, str | None]] = [
        ("Scenario", plan.scenario, None),
        ("Objective", plan.objective, None),
        ("GPUs", ref(selections, "GPUs", t.gpus), INT),
        ("Servers", ref(selections, "Count", t.servers), INT),
        ("Racks", t.racks, INT),
        ("IT power (kW)", ref(racks, "Power (kW)", t.it_power_kw), KW),
        ("Facility power (kW)", t.facility_power_kw, KW),
        ("Capex: servers (USD)", ref(selections, "Server price (USD)", c.servers_usd), MONEY),
        ("Capex: tariffs (USD)", c.tariffs_usd, MONEY),
        ("Capex: racks (USD)", c.racks_usd, MONEY),
        ("Capex: network (USD)", c.network_usd, MONEY),
        ("Capex: optics (USD)", c.optics_usd, MONEY),
        ("Capex (USD)", ref(bom, "Extended (USD)", t.capex_usd), MONEY),
        ("Network energy per year (USD)", c.network_energy_usd_per_year, MONEY),
    ]
    network_energy_row = len(pairs) + 1  # the Summary's header is row 1
    opex: Any = t.opex_usd_per_year
    if selections.total_row is not None:
        opex = _Formula(f"={selections.total('Energy per year (USD)')}+B{network_energy_row}")
    tco: Any = t.tco_usd
    if cash is not None and cash.total_row is not None:
        tco = _Formula(f"={cash.total('Capex (USD)')}+{cash.total('Energy (USD)')}")
    pairs += [
        ("Opex per year (USD)", opex, MONEY),
        ("TCO (USD)", tco, MONEY),
        ("USD per GPU-hour", t.usd_per_gpu_hour, RATE),
        ("NPV (USD)", t.npv_usd, MONEY),
        ("Order date", plan.schedule.order_date, DATE),
        ("Ready date", plan.schedule.ready_date, DATE),
        ("Racks lower bound", b.racks_lower_bound, INT),
        ("Objective value (USD)", b.objective_value, MONEY),
        ("Objective lower bound (USD)", b.objective_lower_bound, MONEY),
        ("Gap", b.gap, PERCENT),
    ]
    if plan.most is not None:
        m = plan.most
        unit = "GPUs" if m.objective == "max_gpus" else "FP8 PFLOPS"
        pairs += [
            ("Most: objective", m.objective, None),
            (f"Most: value ({unit})", m.value, NUMBER),
            (f"Most: upper bound ({unit})", m.upper_bound, NUMBER),
            ("Most: gap", m.gap, PERCENT),
            ("Most: grow workloads", ", ".join(m.workloads), None),
            ("Most: plans searched", m.probes, INT),
            ("Most: searches unproven", m.unproven, INT),
        ]
    if plan.feed_loss is not None:
        pairs += [
            ("Feed loss: racks that trip", len(plan.feed_loss.racks), INT),
            ("Feed loss: IT power (kW)", plan.feed_loss.it_kw, KW),
            ("Feed loss: GPUs", plan.feed_loss.gpus, INT),
        ]
    pairs += [("Warning", w, None) for w in plan.warnings]

    bold = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 22
    for col in "CDE":
        ws.column_dimensions[col].width = 14
    ws.append([_cell(ws, "Figure", font=bold), _cell(ws, "Value", font=bold)])
    for label, value, fmt in pairs:
        ws.append([_cell(ws, label), _cell(ws, value, fmt)])
    if plan.limits:
        ws.append([])
        ws.append([_cell(ws, h, font=bold) for h in ("Limit", "Used", "Available", "Unit", "Binding")])
        for lim in plan.limits:
            unit, fmt = _limit_unit(lim.limit)
            ws.append([_cell(ws, lim.limit), _cell(ws, lim.used, fmt), _cell(ws, lim.available, fmt),
                       _cell(ws, unit), _cell(ws, lim.binding)])


def _limit_unit(limit: str) -> tuple[str, str]:
    if limit.endswith("_kw"):
        return "kW", KW
    if limit.endswith("_usd"):
        return "USD", MONEY
    if limit.startswith("positions:"):
        return "positions", INT
    return "", NUMBER


# --------------------------------------------------------------------------- writing


def _write_table(wb: Workbook, title: str, cols: Sequence[_Col],
                 rows: Iterable[Sequence[Any]]) -> _Table:
    """One sheet holding one table: bold frozen header, autofilter, column widths from the
    first rows, and a ``Total`` row summing the ``total`` columns (when there are rows)."""
    ws = wb.create_sheet(title)
    letters = [get_column_letter(i) for i in range(1, len(cols) + 1)]
    it = iter(rows)
    head = list(itertools.islice(it, _SAMPLE_ROWS))
    for letter, width in zip(letters, _widths(cols, head), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"  # before the first row: a write-only sheet writes its views first

    bold = Font(bold=True)
    ws.append([_cell(ws, col.header, font=bold) for col in cols])
    write = _row_writer(ws, cols)
    n = 0
    for row in itertools.chain(head, it):
        ws.append(write(row))
        n += 1
    total_row = None
    if n > 0 and any(col.total for col in cols):
        total_row = n + 2
        ws.append([_cell(ws, "Total", font=bold)]
                  + [_cell(ws, _Formula(f"=SUM({c}2:{c}{n + 1})"), col.fmt, font=bold) if col.total
                     else None
                     for c, col in zip(letters[1:], cols[1:], strict=True)])
    ws.auto_filter.ref = f"A1:{letters[-1]}{n + 1}"
    return _Table(title, total_row, dict(zip((c.header for c in cols), letters, strict=True)))


def _row_writer(ws: Any, cols: Sequence[_Col]) -> Callable[[Sequence[Any]], list[Any]]:
    """A function turning a row of values into what ``ws.append`` takes.

    A formatted column reuses one styled cell, its value replaced per row, rather than a new
    cell and style lookup per value: a write-only sheet serialises a row as it is appended, so
    the cell is free again for the next row."""
    styled = [_cell(ws, None, col.fmt) if col.fmt else None for col in cols]

    def write(row: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for value, cell, col in zip(row, styled, cols, strict=True):
            if value is None:
                out.append(None)
            elif isinstance(value, str) and not isinstance(value, _Formula):
                # the plan's text: a new cell only when it would read as a formula
                out.append(_cell(ws, value, col.fmt) if value.startswith("=") else _text(value))
            elif cell is None:
                out.append(value)
            else:
                cell.value = value
                out.append(cell)
        return out

    return write


class _Formula(str):
    """A formula this module wrote. Text from the plan is never run as a formula, even when it
    starts with ``=``."""


def _text(value: str) -> str:
    """Text as a cell can hold it: the control characters Excel refuses become U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)


def _cell(ws: Any, value: Any, fmt: str | None = None, *, font: Font | None = None) -> Any:
    """One styled cell; a ``str`` that is not a :class:`_Formula` stays text."""
    cell = WriteOnlyCell(ws)
    if isinstance(value, str) and not isinstance(value, _Formula):
        cell.value = _text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    return cell


def _widths(cols: Sequence[_Col], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = []
    for i, col in enumerate(cols):
        width = len(col.header) + 2
        for row in rows:
            width = max(width, len(_shown(row[i], col.fmt)) + 2)
        if col.fmt in _MIN_NUMBER_WIDTH:
            width = max(width, _MIN_NUMBER_WIDTH[col.fmt])
        widths.append(min(width, _MAX_WIDTH))
    return widths


def _shown(value: Any, fmt: str | None) -> str:
    """Roughly how a value reads in its cell (for the column width)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "FALSE"
    if isinstance(value, dt.date):
        return "2000-01-01"
    if isinstance(value, int | float):
        decimals = {MONEY: 2, RATE: 4, KW: 3, KG: 1, INT: 0, PERCENT: 3}.get(fmt or "", 3)
        return f"{value:,.{decimals}f}"
    return str(value)


def _timestamp(plan: Plan) -> dt.datetime:
    """The time written into the document properties and zip entries: the plan's order date
    (its ready date without one), so it says something and the same plan gives the same bytes.
    Zip times start in 1980."""
    day = plan.schedule.order_date or plan.schedule.ready_date
    return max(dt.datetime(day.year, day.month, day.day), dt.datetime(1980, 1, 1))


class _StampedZip(zipfile.ZipFile):
    """A zip for openpyxl's writer whose entries all carry one time (zipfile otherwise stamps
    each with the current time, or a temporary file's)."""

    def __init__(self, file: io.BytesIO, stamp: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = stamp.timetuple()[:6]

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, whatever the platform
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None,
                 compresslevel: Any = None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) \
            else zinfo_or_arcname
        super().writestr(self._info(name), data)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
              compresslevel: Any = None) -> None:
        # a write-only sheet's temporary file: streamed, not read into memory whole; its size
        # given so that zip64 is used only where zipfile's own write() would use it
        info = self._info(arcname or filename)
        info.file_size = os.path.getsize(filename)
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
