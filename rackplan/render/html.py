"""The plan as one self-contained HTML page: summary, selections, charts, schedule, rack
elevations, fabrics, bill of materials, warnings and cash flow.

Everything is inline (CSS, SVG charts; no scripts, fonts or images from anywhere), so the file
opens offline and can be mailed around. The page is built by the Jinja2 templates under
``templates/`` (autoescaped) from plain data prepared here; the charts come from
:mod:`.charts` and the elevations from :mod:`.elevation`. Same plan, same bytes: the only
dates shown are the plan's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from .._version import __version__
from ..models.catalog import Catalog, RackType
from ..models.result import FEED_LOSS_WARNING, Placement, Plan, Rack, Selection
from .charts import (
    BURN_IN_TINT,
    DELIVERY_TINT,
    MUTED,
    NETWORK_GREY,
    BarItem,
    GanttRow,
    Marker,
    Segment,
    Series,
    UsageItem,
    column_chart,
    gantt_chart,
    hbar_chart,
    num,
    stacked_hbar_chart,
    tint,
    usage_chart,
    usd_short,
)
from .elevation import (
    AMPS_NOTE,
    UNITS_NOTE,
    layout_cards,
    more_note,
    rack_types_of,
    redundancy_of,
    unknown_rack_types,
    workload_colors,
)
from .report import ESTIMATES_SECTION, estimated_text, sections, summary
from .table import format_value

HTML_MAX_LAYOUTS = 24
"""Rack layouts the report draws (those holding the most racks); a note counts the rest."""

CAPEX_COLORS = {"servers": "#3f6fa6", "tariffs": "#c9772b", "racks": "#5f8f55",
                "network": "#7a68a6", "optics": "#3f9a96"}
AIR = "#7aa6d0"
LIQUID = "#2f8478"
CAPEX = "#3f6fa6"
ENERGY = "#e0a23c"
CUMULATIVE = "#1f2933"
NETWORK = NETWORK_GREY

_HEADERS = {
    "gpus": "GPUs", "server_usd": "Servers ($)", "tariff_usd": "Tariff ($)",
    "it_power_kw": "IT power (kW)", "energy_usd_per_year": "Energy ($/yr)",
    "power_kw": "Power (kW)", "air_kw": "Air (kW)", "liquid_kw": "Liquid (kW)",
    "u_used": "U used", "node_leaf": "Node–leaf", "leaf_spine": "Leaf–spine",
    "spine_core": "Spine–core", "link_gbps": "Link (Gb/s)", "capex_usd": "Capex ($)",
    "usd": "Amount ($)", "need_by": "Need by", "fiscal_year": "Fiscal year",
    "energy_usd": "Energy ($)", "cumulative_usd": "Cumulative ($)", "unit_usd": "Unit ($)",
    "extended_usd": "Extended ($)", "lead_time_weeks": "Lead time (weeks)", "units": "Units",
    "feed_kw_max": "Feed max (kW)", "feed_amps_max": "Feed max (A)", "it_kw": "IT (kW)",
}
"""Column titles of the tables from :func:`.report.sections` (their names are for machines)."""

_SECTION_HEADERS = {
    "Fabrics": {"units": "Scalable units"},
    "Deliveries by month": {"units": "Servers"},
}
"""Titles that depend on the table: ``units`` counts different things."""


# --------------------------------------------------------------------------- tables

@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    wrap: bool = False
    """Long text that may wrap (other cells keep to one line)."""

    @property
    def words(self) -> bool:
        """Text of several words: on a narrow screen it may wrap between them (ids and
        figures keep to one line)."""
        return not self.numeric and " " in self.text.strip()


@dataclass(frozen=True)
class Table:
    """A table ready for the template: column labels, which are numeric, and formatted cells."""

    headers: list[Cell]
    rows: list[list[Cell]]
    foot: list[Cell] = field(default_factory=list)


def _header(column: str) -> str:
    return _HEADERS.get(column, column.replace("_", " ").capitalize())


def _number(value: float) -> str:
    """Thousands separators always; floats to six significant digits, never in exponent form."""
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:,.6g}"


def _one_decimal(column: str) -> bool:
    """kW and amps: to one decimal (``feed_amps_max``, ``power_kw``, ``it_kw``)."""
    words = column.split("_")
    return "kw" in words or "amps" in words


def format_number(value: float, column: str) -> str:
    """A figure of ``column`` as the report's tables show it: thousands separators; money
    (a ``usd`` column) to whole dollars with ``$``; kW and amps to one decimal."""
    if "usd" in column.split("_"):
        sign = "-" if round(value) < 0 else ""
        return f"{sign}${abs(value):,.0f}"
    if _one_decimal(column):
        return f"{value:,.1f}"
    return _number(value)


def _cell(value: Any, column: str) -> Cell:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Cell(format_number(value, column), True)
    return Cell(format_value(value))


_WRAP = {"description"}
"""Columns whose text wraps."""


def make_table(columns: Sequence[str], rows: Sequence[Sequence[Any]],
               titles: Mapping[str, str] | None = None) -> Table:
    """Cells formatted for people (:func:`format_number`), numbers right-aligned; ``titles``
    overrides column titles."""
    cells = [[_cell(v, c) for v, c in zip(row, columns, strict=False)] for row in rows]
    numeric = [bool(cells) and all(r[k].numeric or r[k].text in ("-", "") for r in cells)
               and any(r[k].numeric for r in cells) for k in range(len(columns))]
    wrap = [c in _WRAP for c in columns]
    titles = titles or {}
    return Table([Cell(titles.get(c) or _header(c), numeric[k], wrap[k])
                  for k, c in enumerate(columns)],
                 [[Cell(c.text, numeric[k], wrap[k]) for k, c in enumerate(row)]
                  for row in cells])


def _bom_table(plan: Plan) -> Table:
    columns = ["category", "item", "description", "quantity", "unit_usd", "extended_usd",
               "lead_time_weeks", "estimate"]
    table = make_table(columns, [[b.category, b.item, b.description, b.quantity, b.unit_usd,
                                  b.extended_usd, b.lead_time_weeks, b.estimate]
                                 for b in plan.bom])
    total = sum(b.extended_usd for b in plan.bom)
    foot = [Cell("Total"), Cell(""), Cell(""), Cell(""), Cell(""),
            Cell(format_number(total, "extended_usd"), True), Cell(""), Cell("")]
    return Table(table.headers, table.rows, foot)


# --------------------------------------------------------------------------- charts

def capex_chart(plan: Plan) -> str:
    """Capex by category: servers, tariffs, racks and (with a network) network and optics."""
    c = plan.costs
    parts = [("servers", "Servers", c.servers_usd), ("tariffs", "Tariffs", c.tariffs_usd),
             ("racks", "Racks", c.racks_usd)]
    if plan.fabrics or c.network_usd or c.optics_usd:
        parts += [("network", "Network (switches, appliances)", c.network_usd),
                  ("optics", "Optics and cables", c.optics_usd)]
    total = plan.totals.capex_usd
    items = [BarItem(label, value, CAPEX_COLORS[key],
                     f"{usd_short(value)} · {value / total:.0%}" if total > 0 else usd_short(value))
             for key, label, value in parts]
    return hbar_chart(items, id_="chart-capex-svg", title="Capex by category", width=400)


def may_draw_kw(rack_type: RackType, redundancy: str) -> float:
    """What one rack of the type may draw: its usable power under ``redundancy`` or the heat
    its air and liquid cooling together can reject, whichever is less."""
    return min(rack_type.usable_power_kw(redundancy),
               rack_type.air_cooling_kw + rack_type.liquid_cooling_kw)


def power_chart(plan: Plan, types: Mapping[str, RackType]) -> str:
    """Reserved power by rack type, split by how it is cooled (air, liquid), with what the
    racks of that type may draw (:func:`may_draw_kw`) marked when the type is known."""
    redundancy = redundancy_of(plan)
    by_type: dict[str, list[float]] = {}
    for r in plan.racks:
        row = by_type.setdefault(r.rack, [0, 0.0, 0.0, 0.0])
        row[0] += 1
        row[1] += r.air_kw
        row[2] += r.liquid_kw
        if r.rack in types:
            row[3] += may_draw_kw(types[r.rack], redundancy)
    names = list(by_type)
    caps: list[float | None] = [by_type[k][3] if k in types else None for k in names]

    def total(k: int, value: float) -> str:
        cap = caps[k]
        return f"{num(value)} kW" + (f" of {num(cap)}" if cap else "")

    labels = [f"{k} · {int(by_type[k][0]):,} rack{'' if by_type[k][0] == 1 else 's'}" for k in names]
    series = [Series("Air-cooled kW", [by_type[k][1] for k in names], AIR),
              Series("Liquid-cooled kW", [by_type[k][2] for k in names], LIQUID)]
    return stacked_hbar_chart(labels, series, id_="chart-power-svg",
                              title="IT power by rack type and cooling", total_text=total,
                              capacity=caps, width=400)


def _limit_label(name: str) -> tuple[str, str]:
    if name == "it_power_kw":
        return "IT power", "kW"
    if name == "budget_usd":
        return "Budget", "usd"
    if name.startswith("positions:"):
        return f"Positions · {name.split(':', 1)[1]}", "positions"
    return name, ""


def limits_chart(plan: Plan) -> str:
    """Each site limit as a share used; binding ones highlighted."""
    items = []
    for lim in plan.limits:
        label, unit = _limit_label(lim.limit)
        if unit == "usd":
            shown = f"{usd_short(lim.used)} of {usd_short(lim.available)}"
        else:
            shown = f"{num(lim.used)} of {num(lim.available)}" + (f" {unit}" if unit else "")
        items.append(UsageItem(label, lim.used, lim.available, lim.binding, shown))
    return usage_chart(items, id_="chart-limits-svg", title="Site limits used", width=400)


def cash_flow_charts(plan: Plan) -> tuple[str, str]:
    """Capex and energy per fiscal quarter, stacked: a wide and a narrow version."""
    periods = [c.period for c in plan.cash_flow]
    series = [Series("Capex", [c.capex_usd for c in plan.cash_flow], CAPEX),
              Series("Energy", [c.energy_usd for c in plan.cash_flow], ENERGY)]
    running = Series("Cumulative", [c.cumulative_usd for c in plan.cash_flow], CUMULATIVE)
    title = "Capex and energy by fiscal quarter, and the running total"
    return (column_chart(periods, series, id_="chart-cash-flow-wide", title=title,
                         axis_text=usd_short, width=960, height=280, line=running),
            column_chart(periods, series, id_="chart-cash-flow-narrow", title=title,
                         axis_text=usd_short, width=360, height=260, line=running))


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


def _fifo(deliveries: Sequence[tuple[dt.date, int]], sizes: Sequence[int]
          ) -> list[list[tuple[dt.date, int]]]:
    """Deliveries shared out to phases in order: the first phase's servers arrive first."""
    out: list[list[tuple[dt.date, int]]] = [[] for _ in sizes]
    k, room = 0, list(sizes)
    for day, units in deliveries:
        while units > 0 and k < len(sizes):
            take = min(units, room[k])
            if take > 0:
                out[k].append((day, take))
                room[k] -= take
                units -= take
            if room[k] == 0:
                k += 1
        if units > 0 and out:  # more delivered than the phases hold: the last phase's
            out[-1].append((day, units))
    return out


def _fabrics_in(rack: Rack) -> set[str]:
    return ({s.fabric for s in rack.slots if s.fabric}
            | {p.fabric for p in rack.placements if not isinstance(p, Placement)})


def network_installed(plan: Plan) -> dict[str, list[dt.date]]:
    """Per workload, when the network racks it waits for are installed: those holding its
    compute fabric (``compute:<workload>``) or a fabric the workloads share (storage, in-band,
    out-of-band, appliances), as the schedule has it."""
    network = [(r.installed_date, _fabrics_in(r)) for r in plan.racks if r.role == "network"]
    out: dict[str, list[dt.date]] = {}
    for w in plan.schedule.workloads:
        own = f"compute:{w.workload}"
        out[w.workload] = [day for day, fabrics in network
                           if any(f == own or not f.startswith("compute:") for f in fabrics)]
    return out


def gantt_rows(plan: Plan) -> list[GanttRow]:
    """Per workload (or phase): order, lead time, deliveries, installation of its racks, the
    wait for the network racks it needs (when they are installed after its own), burn-in,
    online date and need-by; then the network racks, if any."""
    colors = workload_colors(plan)
    network_days = network_installed(plan)
    selections: dict[str, Selection] = {}
    for s in plan.selections:
        selections.setdefault(s.workload, s)
    # rack id -> installed date, per (workload, phase) and per (workload, None)
    racks_of: dict[tuple[str, int | None], dict[str, dt.date]] = {}
    for r in plan.racks:
        for p in r.placements:
            if isinstance(p, Placement):
                for key in {(p.workload, p.phase), (p.workload, None)}:
                    racks_of.setdefault(key, {})[r.id] = r.installed_date
    installs = {key: list(dates.values()) for key, dates in racks_of.items()}
    rows: list[GanttRow] = []
    for w in plan.schedule.workloads:
        sel = selections.get(w.workload)
        color = colors.get(w.workload, MUTED)
        deliveries = sorted((d.date, d.units) for d in sel.deliveries) if sel else []
        phases = list(w.phases)
        phased = len(phases) > 1
        shares = _fifo(deliveries, [p.servers for p in phases]) if phased else [deliveries]
        for k, ph in enumerate(phases or [None]):
            order = (ph.order_date if ph else None) or (sel.order_date if sel else None) \
                or plan.schedule.order_date
            online = ph.online_date if ph else w.online_date
            need_by = (ph.need_by if ph else None) or w.need_by
            days = installs.get((w.workload, ph.phase if ph and phased else None), [])
            if phased and not days:
                days = installs.get((w.workload, None), [])
            label = w.workload + (f" · phase {ph.phase}" if phased and ph else "")
            if sel is not None:
                gpus = ph.gpus if ph else sel.gpus
                label += f" · {gpus:,} GPUs on {sel.server}"
            # the last network rack it waits for, if installed after its own last rack and by
            # its online date: the time between is a wait, not burn-in
            net = [d for d in network_days.get(w.workload, []) if online is None or d <= online]
            rows.append(_gantt_row(label, color, order, shares[k] if k < len(shares) else [],
                                   days, online, need_by, network_ready=max(net, default=None)))
    network = [r for r in plan.racks if r.role == "network"]
    if network:
        per_day: dict[dt.date, int] = {}
        for r in network:
            if r.arrival_date is not None:
                per_day[r.arrival_date] = per_day.get(r.arrival_date, 0) + 1
        rows.append(_gantt_row(f"network · {len(network):,} racks", NETWORK,
                               plan.schedule.order_date, sorted(per_day.items()),
                               [r.installed_date for r in network], None, None, unit="racks"))
    return rows


def _gantt_row(label: str, color: str, order: dt.date | None,
               deliveries: Sequence[tuple[dt.date, int]], installed: Sequence[dt.date],
               online: dt.date | None, need_by: dt.date | None, unit: str = "units",
               network_ready: dt.date | None = None) -> GanttRow:
    """One row of the Gantt chart. ``network_ready``: when the last network rack the row
    waits for is installed; between the row's own last rack and it, the row waits for the
    network, and burn-in runs from whichever is later to ``online``."""
    segments: list[Segment] = []
    markers: list[Marker] = []
    if order is not None:
        markers.append(Marker(order, "order", f"Ordered {order}"))
    if deliveries:
        first, last = deliveries[0][0], deliveries[-1][0]
        units = sum(u for _, u in deliveries)
        if order is not None and first > order:
            segments.append(Segment(order, first, "lead", MUTED,
                                    f"Lead time {order} → {first} ({_days(order, first)} days)"))
        when = str(first) if first == last else f"{first} → {last}"
        segments.append(Segment(first, last, "delivery", tint(color, DELIVERY_TINT),
                                f"Deliveries {when}: {units:,} {unit}"
                                + (f" in {len(deliveries)} shipments" if len(deliveries) > 1
                                   else "")))
        if 1 < len(deliveries) <= 120:
            markers += [Marker(d, "delivery", f"{d}: {u:,} {unit}") for d, u in deliveries]
    if installed:
        a, b = min(installed), max(installed)
        segments.append(Segment(a, b, "install", color,
                                f"Installation {a} → {b}: {len(installed):,} racks"))
        if network_ready is not None and network_ready > b and (online is None
                                                                or network_ready <= online):
            segments.append(Segment(b, network_ready, "network-wait", NETWORK,
                                    f"Waiting for network racks {b} → {network_ready} "
                                    f"({_days(b, network_ready)} days): the last one it needs "
                                    "is installed then"))
            b = network_ready
        if online is not None and online > b:
            segments.append(Segment(b, online, "burn-in", tint(color, BURN_IN_TINT),
                                    f"Burn-in {b} → {online} ({_days(b, online)} days)"))
    if online is not None:
        markers.append(Marker(online, "online", f"Online {online}"))
    if need_by is not None:
        late = online is not None and online > need_by
        how = (f"late by {_days(need_by, online)} days" if late and online else
               f"{_days(online, need_by)} days to spare" if online else "")
        markers.append(Marker(need_by, "need-by", f"Need by {need_by}" + (f" ({how})" if how else ""),
                              late))
    return GanttRow(label, tuple(segments), tuple(markers))


def gantt_charts(plan: Plan) -> tuple[str, str]:
    """The schedule as a Gantt chart: a wide and a narrow version."""
    rows = gantt_rows(plan)
    waits = any(s.kind == "network-wait" for r in rows for s in r.segments)
    title = ("Schedule: order, deliveries, installation, "
             + ("waiting for network racks, " if waits else "") + "burn-in, online")
    return (gantt_chart(rows, id_="chart-gantt-wide", title=title, width=960),
            gantt_chart(rows, id_="chart-gantt-narrow", title=title, width=360))


# --------------------------------------------------------------------------- the page

def _kpis(plan: Plan) -> list[dict[str, str]]:
    t, b = plan.totals, plan.bounds
    power = (f"{num(t.it_power_kw / 1000)} MW" if t.it_power_kw >= 1000
             else f"{num(t.it_power_kw)} kW")
    facility = (f"{num(t.facility_power_kw / 1000)} MW" if t.facility_power_kw >= 1000
                else f"{num(t.facility_power_kw)} kW")
    out = [
        {"label": "GPUs", "value": f"{t.gpus:,}", "note": f"{t.servers:,} servers"},
        {"label": "Racks", "value": f"{t.racks:,}", "note": f"lower bound {b.racks_lower_bound:,}"},
        {"label": "IT power", "value": power, "note": f"facility {facility}"},
        {"label": "Capex", "value": usd_short(t.capex_usd),
         "note": f"energy {usd_short(t.opex_usd_per_year)}/yr"},
        {"label": "TCO", "value": usd_short(t.tco_usd), "note": f"NPV {usd_short(t.npv_usd)}"},
        {"label": "$ per GPU-hour", "value": f"${t.usd_per_gpu_hour:.2f}",
         "note": "TCO per GPU-hour"},
        {"label": "Ready", "value": plan.schedule.ready_date.isoformat(),
         "note": f"ordered {plan.schedule.order_date}" if plan.schedule.order_date else ""},
        {"label": "Optimality gap", "value": f"{b.gap:.2%}",
         "note": f"bound {usd_short(b.objective_lower_bound)}"},
    ]
    if plan.most is not None:
        m = plan.most
        unit = "GPUs" if m.objective == "max_gpus" else "FP8 PFLOPS"
        out.insert(0, {"label": f"Most {unit}", "value": num(m.value),
                       "note": "proven the most" if m.gap == 0 else f"gap {m.gap:.2%}"})
    return out


def _section(plan: Plan, title: str) -> Table | None:
    for name, columns, rows in sections(plan):
        if name == title and rows:
            titles = dict(_SECTION_HEADERS.get(title, {}))
            if title == "Racks by type":
                roles = {r.role for r in plan.racks}
                titles["units"] = ("Devices" if roles == {"network"} else "Servers"
                                   if roles == {"servers"} else "Servers / devices")
            return make_table(columns, rows, titles)
    return None


def _is_feed_loss_warning(warning: str) -> bool:
    """The planner's warning that says what the feed-loss box says (shown once, as the box)."""
    return warning.startswith(FEED_LOSS_WARNING)


def _details(plan: Plan) -> list[tuple[str, str]]:
    """The headline figures as the summary has them, kW to one decimal."""
    return [(k, f"{v:,.1f}" if isinstance(v, float) and k.endswith("_kw") else format_value(v))
            for k, v in summary(plan)]


def report_context(plan: Plan, catalog: Catalog | Mapping[str, RackType] | None = None,
                   max_layouts: int = HTML_MAX_LAYOUTS) -> dict[str, Any]:
    """Everything the template shows, as plain data and ready-made SVG (marked safe)."""
    types = rack_types_of(catalog)
    cards, hidden, legend = layout_cards(plan, types, max_layouts)
    gantt_wide, gantt_narrow = gantt_charts(plan)
    flow_wide, flow_narrow = cash_flow_charts(plan) if plan.cash_flow else ("", "")
    fabrics = _section(plan, "Fabrics") if plan.fabrics else None
    bom = _bom_table(plan) if plan.bom else None
    feed_loss = None
    warnings = list(plan.warnings)
    if plan.feed_loss is not None and plan.feed_loss.racks:
        fl = plan.feed_loss
        feed_loss = {"racks": len(fl.racks), "of": f"{len(plan.racks):,}",
                     "it_kw": f"{fl.it_kw:,.1f}", "gpus": f"{fl.gpus:,}",
                     "ids": ", ".join(fl.racks[:40]) + (" …" if len(fl.racks) > 40 else "")}
        warnings = [w for w in warnings if not _is_feed_loss_warning(w)]
    nav = [("summary", "Summary"), ("selections", "Selections"), ("costs", "Costs and limits"),
           *([("estimates", "Estimates")] if plan.estimates is not None and plan.estimates.entries
             else []),
           ("schedule", "Schedule"), ("racks", "Racks")]
    if fabrics:
        nav.append(("fabrics", "Fabrics"))
    if bom:
        nav.append(("bom", "Bill of materials"))
    if plan.cash_flow:
        nav.append(("cash-flow", "Cash flow"))
    return {
        "plan": plan,
        "version": __version__,
        "redundancy": redundancy_of(plan),
        "nav": nav,
        "kpis": _kpis(plan),
        "capex_total": usd_short(plan.totals.capex_usd),
        "phased": any(len(w.phases) > 1 for w in plan.schedule.workloads),
        "details": _details(plan),
        "warnings": warnings,
        "feed_loss": feed_loss,
        "selections": _section(plan, "Selections"),
        "racks_by_type": _section(plan, "Racks by type"),
        "costs": _section(plan, "Costs"),
        "estimates": _section(plan, ESTIMATES_SECTION),
        "estimated_text": estimated_text(plan) if plan.estimates is not None else "",
        "schedule": _section(plan, "Schedule"),
        "deliveries": _section(plan, "Deliveries by month"),
        "fiscal_years": _section(plan, "Cash flow by fiscal year"),
        "fabrics": fabrics,
        "bom": bom,
        "charts": {"capex": Markup(capex_chart(plan)), "power": Markup(power_chart(plan, types)),
                   "limits": Markup(limits_chart(plan)), "gantt_wide": Markup(gantt_wide),
                   "gantt_narrow": Markup(gantt_narrow), "cash_flow_wide": Markup(flow_wide),
                   "cash_flow_narrow": Markup(flow_narrow)},
        "cards": [{"index": c.index, "title": c.title, "subtitle": c.subtitle,
                   "rack_svg": Markup(c.rack_svg), "limits_svg": Markup(c.limits_svg),
                   "trips": c.trips}
                  for c in cards],
        "units_note": UNITS_NOTE,
        "amps_note": AMPS_NOTE if any(r.feeds for r in plan.racks) else "",
        "legend": legend,
        "layouts_total": len(cards) + len(hidden),
        "more_layouts": more_note(hidden),
        "unknown_types": unknown_rack_types(plan, types),
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rackplan.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def plan_html(plan: Plan, catalog: Catalog | Mapping[str, RackType] | None = None, *,
              max_layouts: int = HTML_MAX_LAYOUTS) -> str:
    """The plan as one self-contained HTML page (inline CSS and SVG, no scripts, nothing
    fetched). ``catalog`` gives the rack types' limits for the elevations; without it (or for
    a type it lacks) the racks are drawn without their limit bars."""
    return _environment().get_template("report.html.j2").render(
        report_context(plan, catalog, max_layouts))
