"""The plan as an Excel workbook (rackplan.render.xlsx.plan_xlsx).

The workbook is read back with openpyxl; every formula in it is evaluated by the small
evaluator below (the forms plan_xlsx writes: ``SUM`` over a column range, a cell reference,
possibly to another sheet, ``+`` and ``-``; anything else fails the test) and compared with the
plan's own figure, to the cent for money.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

import rackplan
from rackplan.errors import RackplanError
from rackplan.models.result import FeedLoss, Plan
from rackplan.render import xlsx
from rackplan.render.xlsx import plan_xlsx

from .example_plans import planned_examples
from .test_draw import feed_loss_plan

EXAMPLES = Path(__file__).parent.parent / "examples"
SCENARIOS = sorted(p.stem for p in EXAMPLES.glob("*.yaml") if not p.name.startswith("sweep-"))

MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"

HEADERS = {
    "Selections": ["Workload", "Server", "Count", "GPUs", "GPUs requested", "Server price (USD)",
                   "Tariff (USD)", "Energy per year (USD)", "IT power (kW)", "Order date",
                   "Arrival date"],
    "Racks": ["Rack", "Type", "Role", "Power (kW)", "Air (kW)", "Liquid (kW)", "U used",
              "Weight (kg)", "Installed", "Arrival", "Feeds", "Contents"],
    "Feeds": ["Rack", "Feed", "Load (kW)", "Current (A)", "Normal load (kW)", "Rated (kW)",
              "Rated current (A)"],
    "Slots": ["Rack", "U", "Height (U)", "Device", "Workload", "Kind", "Fabric", "Role",
              "Power (kW)", "Weight (kg)", "Label"],
    "Schedule": ["Workload", "Phase", "Event", "Date", "End date", "Servers", "GPUs"],
    "BOM": ["Category", "Item", "Description", "Quantity", "Unit price (USD)", "Extended (USD)",
            "Lead time (weeks)", "Estimate"],
    "Cash flow": ["Period", "Capex (USD)", "Energy (USD)", "Cumulative (USD)"],
}
"""Headers of the table sheets (Fabrics: checked apart, its module columns vary)."""


# --------------------------------------------------------------------------- the evaluator


class UnknownFormula(AssertionError):
    """A formula form the evaluator does not know: the test fails rather than guess."""


_SHEET = r"(?:'(?P<{0}q>(?:[^']|'')+)'|(?P<{0}p>[A-Za-z_][A-Za-z0-9_.]*))!"
_TOKEN = re.compile(
    r"SUM\((?:" + _SHEET.format("s") + r")?"
    r"(?P<c1>[A-Z]{1,3})(?P<r1>[0-9]+):(?P<c2>[A-Z]{1,3})(?P<r2>[0-9]+)\)"
    r"|(?:" + _SHEET.format("t") + r")?(?P<col>[A-Z]{1,3})(?P<row>[0-9]+)"
    r"|(?P<num>[0-9]+(?:\.[0-9]+)?)"
)


class Evaluator:
    """Evaluates the formulas of a workbook loaded with formulas (not cached values).

    Known forms: ``=SUM(A2:A9)`` (one column or row range, optionally ``Sheet!`` or
    ``'Sheet name'!`` before it), a cell reference (optionally to another sheet), a number, and
    terms joined by ``+`` and ``-``. A referenced cell may hold a formula itself. SUM skips empty
    cells (as Excel does) and refuses text; a reference must name a number."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.done: dict[tuple[str, str], float] = {}
        self.busy: set[tuple[str, str]] = set()

    def cell(self, sheet: str, coord: str) -> Any:
        value = self.wb[sheet][coord].value
        if isinstance(value, str) and value.startswith("="):
            return self.formula(sheet, coord)
        return value

    def formula(self, sheet: str, coord: str) -> float:
        key = (sheet, coord)
        if key in self.done:
            return self.done[key]
        if key in self.busy:
            raise UnknownFormula(f"{sheet}!{coord}: circular reference")
        self.busy.add(key)
        text = self.wb[sheet][coord].value
        assert isinstance(text, str) and text.startswith("="), (sheet, coord, text)
        value = self.expression(sheet, text[1:])
        self.busy.discard(key)
        self.done[key] = value
        return value

    def expression(self, sheet: str, body: str) -> float:
        total, sign, pos = 0.0, 1, 0
        while True:
            m = _TOKEN.match(body, pos)
            if m is None:
                raise UnknownFormula(f"{sheet}: unknown formula form at {body[pos:]!r} in ={body}")
            total += sign * self.term(sheet, m)
            pos = m.end()
            if pos == len(body):
                return total
            if body[pos] not in "+-" or pos + 1 == len(body):
                raise UnknownFormula(f"{sheet}: unknown formula form at {body[pos:]!r} in ={body}")
            sign = 1 if body[pos] == "+" else -1
            pos += 1

    def term(self, sheet: str, m: re.Match[str]) -> float:
        if m["num"] is not None:
            return float(m["num"])
        if m["c1"] is not None:
            target = _sheet_name(m["sq"], m["sp"]) or sheet
            c1, c2 = column_index_from_string(m["c1"]), column_index_from_string(m["c2"])
            r1, r2 = int(m["r1"]), int(m["r2"])
            if c1 > c2 or r1 > r2 or (c1 != c2 and r1 != r2):
                raise UnknownFormula(f"{sheet}: SUM over {m[0]}: only one column or row, in order")
            total = 0.0
            for col in range(c1, c2 + 1):
                for row in range(r1, r2 + 1):
                    value = self.cell(target, f"{get_column_letter(col)}{row}")
                    if value is None:
                        continue
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise UnknownFormula(f"{sheet}: SUM over {m[0]} meets {value!r}")
                    total += value
            return total
        target = _sheet_name(m["tq"], m["tp"]) or sheet
        value = self.cell(target, f"{m['col']}{m['row']}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UnknownFormula(f"{sheet}: {m[0]} is {value!r}, not a number")
        return float(value)


def _sheet_name(quoted: str | None, plain: str | None) -> str | None:
    return quoted.replace("''", "'") if quoted is not None else plain


def test_the_evaluator_knows_its_forms_and_refuses_the_rest() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    other = wb.create_sheet("Cash flow")
    for i, v in enumerate([1.5, 2.25, None, 4.0], start=1):
        ws.cell(row=i, column=1, value=v)
    other["B2"] = 10.0
    other["C2"] = "=S!A1+1"
    ws["B1"] = "=SUM(A1:A4)"
    ws["B2"] = "=B1-'Cash flow'!C2+'Cash flow'!B2"
    ws["B3"] = "=SUM('Cash flow'!B2:C2)"
    ev = Evaluator(wb)
    assert ev.formula("S", "B1") == 7.75
    assert ev.formula("S", "B2") == 7.75 - 2.5 + 10.0
    assert ev.formula("S", "B3") == 12.5
    for unknown in ["=AVERAGE(A1:A4)", "=A1*2", "=ROUND(A1,2)", "=SUM(A1:A4)/2", "=-A1", "=A1+",
                    "=SUM(A1:B4)", "=SUM(A1,A2)", "=A1:A2", "=B4", "=C1"]:
        ws["B4"] = unknown
        ws["C1"] = "text"
        with pytest.raises(UnknownFormula):
            Evaluator(wb).formula("S", "B4")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    """Every example scenario, planned once per session (shared with the drawing tests)."""
    shared = planned_examples()
    return {name: shared[name][0] for name in SCENARIOS}


@pytest.fixture(scope="module")
def books(plans: dict[str, Plan]) -> dict[str, tuple[bytes, Workbook]]:
    """Each example's workbook: its bytes and the workbook read back (formulas, not values)."""
    out = {}
    for name, plan in plans.items():
        data = plan_xlsx(plan)
        out[name] = (data, openpyxl.load_workbook(io.BytesIO(data)))
    return out


def _table(ws: Worksheet) -> tuple[list[str], list[tuple[Any, ...]], tuple[Any, ...] | None]:
    """Header, data rows and the Total row (None without one) of a table sheet."""
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    body = rows[1:]
    if body and body[-1][0] == "Total":
        return header, body[:-1], body[-1]
    return header, body, None


# --------------------------------------------------------------------------- what the sheets hold


def _expected_sheets(plan: Plan) -> list[str]:
    return (["Summary", "Selections", "Racks", "Feeds", "Slots", "Schedule", "BOM"]
            + (["Cash flow"] if plan.cash_flow else []) + (["Fabrics"] if plan.fabrics else []))


@pytest.mark.parametrize("name", SCENARIOS)
def test_sheets_headers_and_rows_hold_the_plan(name: str, plans: dict[str, Plan],
                                               books: dict[str, tuple[bytes, Workbook]]) -> None:
    plan, (_, wb) = plans[name], books[name]
    assert wb.sheetnames == _expected_sheets(plan)

    def day(value: Any) -> dt.date | None:
        return None if value is None else value.date()

    header, rows, total = _table(wb["Selections"])
    assert header == HEADERS["Selections"] and total is not None
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], day(r[9]), day(r[10]))
            for r in rows] == [
        (s.workload, s.server, s.count, s.gpus, s.gpus_requested, s.server_usd, s.tariff_usd,
         s.energy_usd_per_year, s.it_power_kw, s.order_date, s.arrival_date)
        for s in plan.selections]

    header, rows, total = _table(wb["Racks"])
    assert header == HEADERS["Racks"] and total is not None
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], day(r[8]), day(r[9]), r[10])
            for r in rows] == [
        (r.id, r.rack, r.role, r.power_kw, r.air_kw, r.liquid_kw, r.u_used, r.weight_kg,
         r.installed_date, r.arrival_date, len(r.feeds))
        for r in plan.racks]
    for row, rack in zip(rows, plan.racks, strict=True):
        for p in rack.placements:  # the contents name every placement
            assert f"{p.count} {getattr(p, 'server', None) or getattr(p, 'device', None)}" in row[11]

    header, rows, total = _table(wb["Feeds"])
    assert header == HEADERS["Feeds"] and total is None
    assert rows == [(r.id, f.feed, f.kw, f.amps, f.normal_kw, f.rated_kw, f.rated_amps)
                    for r in plan.racks for f in r.feeds]

    header, rows, total = _table(wb["Slots"])
    assert header == HEADERS["Slots"] and total is None
    assert rows == [(r.id, s.u, s.height, s.device, s.workload, s.kind, s.fabric, s.role, s.kw,
                     s.weight_kg, s.label)
                    for r in plan.racks for s in r.slots]

    header, rows, total = _table(wb["BOM"])
    assert header == HEADERS["BOM"] and total is not None
    assert rows == [(b.category, b.item, b.description, b.quantity, b.unit_usd, b.extended_usd,
                     b.lead_time_weeks, b.estimate)
                    for b in plan.bom]

    if plan.cash_flow:
        header, rows, total = _table(wb["Cash flow"])
        assert header == HEADERS["Cash flow"] and total is not None
        assert [r[:3] for r in rows] == [(c.period, c.capex_usd, c.energy_usd)
                                         for c in plan.cash_flow]

    if plan.fabrics:
        header, rows, total = _table(wb["Fabrics"])
        assert header[:3] == ["Fabric", "Workload", "Switch"]
        assert header[-2:] == ["Power (kW)", "Capex (USD)"] and total is not None
        assert [(r[0], r[1], r[2], r[-2], r[-1]) for r in rows] == [
            (f.name, f.workload, f.switch, f.power_kw, f.capex_usd) for f in plan.fabrics]

    header, rows, _ = _table(wb["Schedule"])
    assert header == HEADERS["Schedule"]
    selections = {s.workload: s for s in plan.selections}
    for w in plan.schedule.workloads:
        s = selections[w.workload]
        mine = [r for r in rows if r[0] == w.workload]
        assert [(r[3].date(), r[5]) for r in mine if r[2] == "delivery"] == [
            (d.date, d.units) for d in s.deliveries]
        assert [(r[1], r[3].date()) for r in mine if r[2] == "order"] == [
            (p.phase, p.order_date) for p in w.phases]
        assert {(r[1], r[3].date()) for r in mine if r[2] == "online"} >= {
            (p.phase, p.online_date) for p in w.phases}
        dates = [r[3] for r in mine]
        assert dates == sorted(dates), "a workload's events by date"


@pytest.mark.parametrize("name", SCENARIOS)
def test_formats_units_and_layout(name: str, plans: dict[str, Plan],
                                  books: dict[str, tuple[bytes, Workbook]]) -> None:
    """Bold frozen headers, autofilter over each table, widths set, money and dates formatted."""
    plan, (_, wb) = plans[name], books[name]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.b for c in ws[1] if c.value is not None), ws.title
        for cell in ws[1]:  # every column as wide as its header at least
            if cell.value is not None:
                width = ws.column_dimensions[cell.column_letter].width
                assert width >= len(cell.value) + 1, (ws.title, cell.value, width)
        if ws.title == "Summary":
            continue
        header, rows, total = _table(ws)
        assert ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
        for i, h in enumerate(header, start=1):
            cells = [ws.cell(row=r, column=i) for r in range(2, len(rows) + (3 if total else 2))]
            values = [c for c in cells if c.value is not None]
            if "(USD)" in h:
                assert all(c.number_format == MONEY for c in values), (ws.title, h)
            if h in ("Order date", "Arrival date", "Installed", "Arrival", "Date", "End date"):
                assert all(c.is_date and c.number_format == DATE for c in values), (ws.title, h)
            if any(u in h for u in ("(kW)", "(kg)", "(A)", "(weeks)")):
                assert all(isinstance(c.value, int | float) or str(c.value).startswith("=SUM(")
                           for c in values), (ws.title, h)
    summary = {row[0].value: row[1] for row in wb["Summary"].iter_rows(min_row=2, max_col=2)
               if row[0].value}
    assert summary["Ready date"].is_date and summary["Ready date"].number_format == DATE
    assert summary["Capex (USD)"].number_format == MONEY
    assert "Cash flow" in wb.sheetnames or not plan.cash_flow


# --------------------------------------------------------------------------- formulas


def _close(value: float, expected: float, tolerance: float) -> bool:
    return abs(value - expected) <= tolerance + 1e-12 * abs(expected)


CENT = 0.005
"""Half a cent: the plan rounds money to cents, so a sum to the cent is within this."""
KW = 1e-6
"""The plan rounds kW and kg to 1e-6."""


def _expected_formulas(plan: Plan, wb: Workbook) -> dict[tuple[str, str], tuple[float, float]]:
    """Every formula cell plan_xlsx should write -> (the plan's figure, tolerance)."""
    t, c = plan.totals, plan.costs
    want: dict[tuple[str, str], tuple[float, float]] = {}

    def totals(sheet: str, figures: dict[str, tuple[float, float]]) -> None:
        header, rows, total = _table(wb[sheet])
        assert total is not None, sheet
        for h, figure in figures.items():
            want[(sheet, f"{get_column_letter(header.index(h) + 1)}{len(rows) + 2}")] = figure

    def parts(items: Sequence[Any], get: Callable[[Any], float]) -> float:
        return sum(get(x) for x in items)

    s = plan.selections
    totals("Selections", {
        "Count": (t.servers, 0), "GPUs": (t.gpus, 0), "Server price (USD)": (c.servers_usd, CENT),
        "Tariff (USD)": (parts(s, lambda x: x.tariff_usd), CENT),
        "Energy per year (USD)": (parts(s, lambda x: x.energy_usd_per_year), CENT),
        "IT power (kW)": (parts(s, lambda x: x.it_power_kw), KW)})
    r = plan.racks
    totals("Racks", {
        "Power (kW)": (t.it_power_kw, KW), "Air (kW)": (parts(r, lambda x: x.air_kw), KW),
        "Liquid (kW)": (parts(r, lambda x: x.liquid_kw), KW),
        "U used": (parts(r, lambda x: x.u_used), 0), "Weight (kg)": (parts(r, lambda x: x.weight_kg), KW)})
    totals("BOM", {"Extended (USD)": (t.capex_usd, CENT)})
    if plan.cash_flow:
        totals("Cash flow", {"Capex (USD)": (t.capex_usd, CENT),
                             "Energy (USD)": (t.tco_usd - t.capex_usd, CENT)})
        for i, period in enumerate(plan.cash_flow, start=2):
            want[("Cash flow", f"D{i}")] = (period.cumulative_usd, CENT)
    if plan.fabrics:
        f = plan.fabrics
        totals("Fabrics", {
            "Leaf": (parts(f, lambda x: x.leaf), 0), "Spine": (parts(f, lambda x: x.spine), 0),
            "Core": (parts(f, lambda x: x.core), 0),
            "Node-leaf links": (parts(f, lambda x: x.links.node_leaf), 0),
            "Leaf-spine links": (parts(f, lambda x: x.links.leaf_spine), 0),
            "Spine-core links": (parts(f, lambda x: x.links.spine_core), 0),
            "Uplinks": (parts(f, lambda x: x.links.uplink), 0),
            **{f"Modules: {k}": (parts(f, lambda x, k=k: x.modules.get(k, 0)), 0)
               for k in sorted({k for x in f for k in x.modules} | {"switch", "node", "appliance",
                                                                   "uplink"})},
            "Cables": (parts(f, lambda x: x.cables), 0),
            "Power (kW)": (parts(f, lambda x: x.power_kw), KW),
            "Capex (USD)": (parts(f, lambda x: x.capex_usd), CENT)})
    labels = {row[0].value: row[1].coordinate
              for row in wb["Summary"].iter_rows(min_row=2, max_col=2) if row[0].value}
    for label, figure in {"GPUs": (t.gpus, 0), "Servers": (t.servers, 0),
                          "IT power (kW)": (t.it_power_kw, KW),
                          "Capex: servers (USD)": (c.servers_usd, CENT),
                          "Capex (USD)": (t.capex_usd, CENT),
                          "Opex per year (USD)": (t.opex_usd_per_year, CENT),
                          "TCO (USD)": (t.tco_usd, CENT)}.items():
        if label != "TCO (USD)" or plan.cash_flow:
            want[("Summary", labels[label])] = figure
    return want


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_formula_gives_the_plans_figure(name: str, plans: dict[str, Plan],
                                              books: dict[str, tuple[bytes, Workbook]]) -> None:
    """Each formula, evaluated, equals the plan's figure; and there is no formula the test does
    not check (so a new formula cannot slip through unverified)."""
    plan, (_, wb) = plans[name], books[name]
    ev = Evaluator(wb)
    written = {(ws.title, cell.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
               for cell in row if isinstance(cell.value, str) and cell.value.startswith("=")}
    want = _expected_formulas(plan, wb)
    assert written == set(want)
    for (sheet, coord), (figure, tolerance) in want.items():
        value = ev.formula(sheet, coord)
        assert _close(value, figure, tolerance), (sheet, coord, wb[sheet][coord].value, value, figure)
    summary = {row[0].value: row[1].value for row in wb["Summary"].iter_rows(min_row=2, max_col=2)}
    assert summary["Capex (USD)"].startswith("=BOM!F") or summary["Capex (USD)"].startswith("='BOM'!F")


@pytest.mark.parametrize("name", SCENARIOS)
def test_summary_shows_the_headline_figures(name: str, plans: dict[str, Plan],
                                            books: dict[str, tuple[bytes, Workbook]]) -> None:
    plan, (_, wb) = plans[name], books[name]
    t, b = plan.totals, plan.bounds
    rows = list(wb["Summary"].iter_rows(min_row=2, values_only=True))
    summary = {row[0]: row[1] for row in rows if row[0]}
    assert summary["Scenario"] == plan.scenario and summary["Objective"] == plan.objective
    assert summary["Racks"] == t.racks
    assert summary["Facility power (kW)"] == t.facility_power_kw
    assert summary["USD per GPU-hour"] == t.usd_per_gpu_hour
    assert summary["NPV (USD)"] == t.npv_usd
    assert summary["Ready date"].date() == plan.schedule.ready_date
    assert summary["Order date"].date() == plan.schedule.order_date
    assert (summary["Racks lower bound"], summary["Objective lower bound (USD)"], summary["Gap"]) == (
        b.racks_lower_bound, b.objective_lower_bound, b.gap)
    assert [row[1] for row in rows if row[0] == "Warning"] == plan.warnings
    start = next(i for i, row in enumerate(rows) if row[0] == "Limit")
    assert rows[start][:5] == ("Limit", "Used", "Available", "Unit", "Binding")
    assert [row[:3] + row[4:5] for row in rows[start + 1:]] == [
        (lim.limit, lim.used, lim.available, lim.binding) for lim in plan.limits]
    assert ("Most: objective" in summary) == (plan.most is not None)


# --------------------------------------------------------------------------- particular plans


def test_a_network_plan_has_fabrics_optics_and_devices(plans: dict[str, Plan],
                                                       books: dict[str, tuple[bytes, Workbook]]) -> None:
    plan, (_, wb) = plans["superpod-h100"], books["superpod-h100"]
    assert plan.fabrics and "Fabrics" in wb.sheetnames
    _, rows, _ = _table(wb["Fabrics"])
    assert [r[0] for r in rows] == [f.name for f in plan.fabrics]
    _, bom, _ = _table(wb["BOM"])
    assert {"optics", "switches", "cables"} <= {r[0] for r in bom}
    _, racks, _ = _table(wb["Racks"])
    assert "network" in {r[2] for r in racks}
    _, slots, _ = _table(wb["Slots"])
    devices = [r for r in slots if r[5] == "device"]
    assert devices and all(r[6] and r[7] for r in devices), "a device's fabric and role"
    _, schedule, _ = _table(wb["Schedule"])
    assert ("(network)", None, "installation") in {r[:3] for r in schedule}


def test_a_phased_plan_has_its_schedule_and_cash_flow(plans: dict[str, Plan],
                                                      books: dict[str, tuple[bytes, Workbook]]) -> None:
    plan, (_, wb) = plans["supply-phased"], books["supply-phased"]
    (w,) = plan.schedule.workloads
    assert len(w.phases) == 2 and plan.cash_flow
    _, rows, _ = _table(wb["Schedule"])
    for p in w.phases:
        (order,) = [r for r in rows if r[1] == p.phase and r[2] == "order"]
        assert (order[3].date(), order[5], order[6]) == (p.order_date, p.servers, p.gpus)
        (window,) = [r for r in rows if r[1] == p.phase and r[2] == "installation"]
        installed = [(r.installed_date, q.count) for r in plan.racks for q in r.placements
                     if getattr(q, "phase", None) == p.phase]
        assert (window[3].date(), window[4].date(), window[5]) == (
            min(d for d, _ in installed), max(d for d, _ in installed), sum(n for _, n in installed))
        assert window[4].date() <= p.online_date
        (need,) = [r for r in rows if r[1] == p.phase and r[2] == "need by"]
        assert need[3].date() == p.need_by
    deliveries = [r for r in rows if r[2] == "delivery"]
    assert len(deliveries) == len(plan.selections[0].deliveries)
    assert all(r[1] is None for r in deliveries), "the plan does not tie deliveries to phases"
    assert [r[:2] for r in rows if r[2] == "online" and r[1] is None] == [(w.workload, None)]
    _, flow, total = _table(wb["Cash flow"])
    assert len(flow) == len(plan.cash_flow) and total is not None


def test_a_maximizing_plan_shows_the_most(plans: dict[str, Plan],
                                          books: dict[str, tuple[bytes, Workbook]]) -> None:
    plan, (_, wb) = plans["most-50m-2mw"], books["most-50m-2mw"]
    m = plan.most
    assert m is not None
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Most: objective"] == m.objective
    assert summary["Most: value (GPUs)"] == m.value
    assert summary["Most: upper bound (GPUs)"] == m.upper_bound
    assert summary["Most: gap"] == m.gap
    assert summary["Most: grow workloads"] == ", ".join(m.workloads)
    assert (summary["Most: plans searched"], summary["Most: searches unproven"]) == (m.probes, m.unproven)


def test_without_cash_flow_bom_or_fabrics(plans: dict[str, Plan]) -> None:
    """Sheets the plan has nothing for are left out, and the Summary shows the plan's figures
    as values where there is no total to refer to."""
    plan = plans["superpod-h100"].model_copy(update={"cash_flow": [], "fabrics": [], "bom": []})
    wb = openpyxl.load_workbook(io.BytesIO(plan_xlsx(plan)))
    assert wb.sheetnames == ["Summary", "Selections", "Racks", "Feeds", "Slots", "Schedule", "BOM"]
    header, rows, total = _table(wb["BOM"])
    assert header == HEADERS["BOM"] and rows == [] and total is None
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["TCO (USD)"] == plan.totals.tco_usd
    assert summary["Capex (USD)"] == plan.totals.capex_usd


def test_feed_loss(plans: dict[str, Plan]) -> None:
    base = plans["enterprise-pod"]
    first = base.racks[0]
    plan = base.model_copy(update={"feed_loss": FeedLoss(racks=[first.id], it_kw=first.power_kw,
                                                         gpus=8)})
    wb = openpyxl.load_workbook(io.BytesIO(plan_xlsx(plan)))
    header, rows, _ = _table(wb["Racks"])
    assert header[-1] == "Trips on a feed loss"
    assert [r[-1] for r in rows] == [r.id == first.id for r in plan.racks]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert (summary["Feed loss: racks that trip"], summary["Feed loss: IT power (kW)"],
            summary["Feed loss: GPUs"]) == (1, first.power_kw, 8)
    header, rows, total = _table(wb["Feeds"])
    assert header == [*HEADERS["Feeds"], "Trips on a feed loss", "Load if one feed fails (kW)"]
    assert total is None
    assert [(r[0], r[1], r[-2], r[-1]) for r in rows] == [
        (r.id, f.feed, r.id == first.id, r.power_kw / (len(r.feeds) - 1))
        for r in plan.racks for f in r.feeds]


def test_feeds_under_n_say_what_trips(tmp_path: Path) -> None:
    """A plan under N whose racks trip: each feed row says so, with the load each surviving
    feed would carry (above its rating); a single-feed rack has no surviving feed."""
    plan, _ = feed_loss_plan(tmp_path)
    wb = openpyxl.load_workbook(io.BytesIO(plan_xlsx(plan)))
    header, rows, _ = _table(wb["Feeds"])
    assert header[-2:] == ["Trips on a feed loss", "Load if one feed fails (kW)"]
    col = {h: get_column_letter(k) for k, h in enumerate(header, 1)}
    assert wb["Feeds"][f"{col['Load if one feed fails (kW)']}2"].number_format == "#,##0.000"
    for row in rows:
        rack = next(r for r in plan.racks if r.id == row[0])
        assert row[-2] is True and row[-1] == pytest.approx(rack.power_kw)  # two feeds
        assert row[-1] > row[header.index("Rated (kW)")]
    single = plan.racks[0].model_copy(update={"feeds": plan.racks[0].feeds[:1]})
    wb = openpyxl.load_workbook(io.BytesIO(plan_xlsx(plan.model_copy(update={
        "racks": [single, *plan.racks[1:]]}))))
    _, rows, _ = _table(wb["Feeds"])
    assert rows[0][0] == single.id and rows[0][-2:] == (True, None)


def test_text_from_the_plan_is_never_a_formula(plans: dict[str, Plan]) -> None:
    """A name that starts with '=' stays text (no formula injection); control characters Excel
    refuses are replaced, not an error."""
    base = plans["enterprise-pod"]
    sel = base.selections[0].model_copy(update={"workload": "=HYPERLINK(\"http://x\")"})
    plan = base.model_copy(update={"scenario": "=1+1", "warnings": ["=SUM(A1:A2)", "bell\x07"],
                                   "selections": [sel]})
    data = plan_xlsx(plan)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    summary = {row[0].value: row[1] for row in wb["Summary"].iter_rows(min_row=2, max_col=2)}
    assert summary["Scenario"].value == "=1+1" and summary["Scenario"].data_type == "s"
    warnings = [row[1] for row in wb["Summary"].iter_rows(min_row=2, max_col=2)
                if row[0].value == "Warning"]
    assert [(c.value, c.data_type) for c in warnings] == [("=SUM(A1:A2)", "s"), ("bell\ufffd", "s")]
    cell = wb["Selections"]["A2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\")", "s")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<f>1+1</f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_a_plan_too_big_for_a_sheet_is_refused(plans: dict[str, Plan],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plans["enterprise-pod"]
    slots = sum(len(r.slots) for r in plan.racks)
    monkeypatch.setattr(xlsx, "MAX_ROWS", slots + 1)
    with pytest.raises(RackplanError, match=f"{slots:,} slots, more than an Excel sheet holds"):
        plan_xlsx(plan)


# --------------------------------------------------------------------------- same plan, same bytes


def test_same_plan_same_bytes_whatever_the_clock(plans: dict[str, Plan],
                                                 books: dict[str, tuple[bytes, Workbook]],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    plan, (data, _) = plans["superpod-h100"], books["superpod-h100"]
    # a clock a day and a half later: nothing in the file may come from it
    later = time.time() + 129_600.0
    monkeypatch.setattr(time, "time", lambda: later)
    assert plan_xlsx(plan) == data
    assert plan_xlsx(plan.model_copy(update={"scenario": "other"})) != data
    order = plan.schedule.order_date
    assert order is not None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(order.year, order.month, order.day, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    stamp = f"{order.isoformat()}T00:00:00Z"
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>' in core
    assert f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>' in core


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_example_gives_the_same_bytes_twice(name: str, plans: dict[str, Plan],
                                                  books: dict[str, tuple[bytes, Workbook]]) -> None:
    assert plan_xlsx(plans[name]) == books[name][0]


# --------------------------------------------------------------------------- a large plan


@pytest.mark.slow
def test_a_large_plan_is_written_in_reasonable_time(plans: dict[str, Plan]) -> None:
    """10,000 racks and 300,000 slots (the example's racks repeated): written in write-only
    mode, about 25 s on the 2-core development machine; the bound leaves room for a busy one."""
    base = plans["rubin-xe8812"]
    racks = [base.racks[i % len(base.racks)] for i in range(10_000)]
    racks = [r.model_copy(update={"id": f"r{i + 1:05d}", "slots": r.slots[:30]})
             for i, r in enumerate(racks)]
    assert sum(len(r.slots) for r in racks) == 300_000
    plan = base.model_copy(update={"racks": racks})
    start = time.perf_counter()
    data = plan_xlsx(plan)
    seconds = time.perf_counter() - start
    assert seconds < 150, f"{seconds:.0f} s for 10,000 racks"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
        rows = {name: z.read(f"xl/worksheets/sheet{i}.xml").count(b"<row ")
                for i, name in enumerate(sheets, start=1)}
    assert (rows["Racks"], rows["Feeds"], rows["Slots"]) == (10_002, 20_001, 300_001)


# --------------------------------------------------------------------------- command line


def test_plan_format_xlsx_writes_the_workbook_of_the_plan(run, tmp_path):
    out = tmp_path / "plan.xlsx"
    result = run("plan", str(EXAMPLES / "enterprise-pod.yaml"), "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    plan = rackplan.plan(rackplan.load_scenario(EXAMPLES / "enterprise-pod.yaml"))
    assert out.read_bytes() == plan_xlsx(plan)


def test_plan_format_xlsx_needs_an_output_file_and_says_so_before_planning(run):
    result = run("plan", str(EXAMPLES / "enterprise-pod.yaml"), "--format", "xlsx")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --format xlsx writes a binary file: give -o FILE")
    assert result.stderr.count("\n") == 1
