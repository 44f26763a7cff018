"""Rack elevations: one drawing per distinct rack layout, as SVG.

A *layout* is a rack type with one arrangement of slots (position, height, device, workload or
fabric and role, label); the racks sharing it are drawn once, titled with how many they are and
their ids. Each drawing is to scale, ``U_PX`` pixels per rack unit counted from 1 at the
bottom, every slot a labelled box (model, workload or role and fabric, kW) coloured by workload;
network devices and reserved units are grey. Heights are in rack units (``U``, or ``OU`` for an
``orv3-21`` rack type), not millimetres. Beside it, the rack's use of its type's limits (power,
air and liquid cooling, units, weight) and what each feed carries; under ``N`` redundancy, a
layout whose racks would trip on a feed loss says so and shows what the surviving feeds would
have to carry.

:func:`plan_svg` is the standalone file of ``rackplan draw``; :func:`layout_cards` gives the
drawings one by one for the HTML report. The plan does not carry rack-type capacities: they
come from ``rack_types`` (the catalog); an unknown type is drawn up to its highest used unit,
without limit bars.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..models.catalog import Catalog, RackType
from ..models.result import Plan, Rack, Slot
from .charts import (
    BINDING,
    INK,
    MUTED,
    OVER,
    TRACK,
    el,
    esc,
    fit,
    ink_on,
    n,
    num,
    svg,
    text,
    text_width,
)

DEFAULT_MAX_LAYOUTS = 50
"""Layouts ``rackplan draw`` and ``--format svg`` draw unless told otherwise."""

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2", "#edc948",
           "#9c755f", "#ff9da7", "#6b9ac4")
"""Workload colours, in the order workloads first appear in the plan (then repeating)."""

NETWORK_GREYS = {"leaf": "#8f98a5", "spine": "#6f7885", "core": "#555d69",
                 "appliance": "#b4bac3"}
DEVICE_GREY = "#9aa2ad"
"""A network device of another role."""
RESERVED_FILL = "#e7e9ec"
RESERVED_STROKE = "#a9afb8"

U_PX = 14
"""Pixels per rack unit."""
NUMBERS_W = 26
"""Gutter left of the rack for the unit numbers."""
RAIL_W = 9
BOX_W = 240
"""Width of a device box."""
CAP_H = 12
"""Frame above and below the units."""
RACK_W = NUMBERS_W + 2 * RAIL_W + BOX_W
INNER_X = NUMBERS_W + RAIL_W
"""Left edge of the device boxes in a drawing's own coordinates."""
INNER_Y = CAP_H
"""Top of the highest unit in a drawing's own coordinates."""
PANEL_W = 220
TITLE_H = 44
GAP = 18
"""Between a rack and its limits."""
CELL_GAP = 36
"""Between layouts in the grid."""
MARGIN = 24

UNITS_NOTE = ("Heights are drawn in rack units (U, or OU for ORv3 racks), not millimetres; "
              "unit 1 is at the bottom.")
"""What the drawings' heights mean (an OU is 48 mm, a U 44.45 mm: the two are not to one scale)."""
AMPS_NOTE = ("Amps: three-phase line current at the site's voltage and power factor (scenario "
             "site.voltage_v, site.power_factor; 415 V and 0.95 by default).")
"""The plan carries the feeds' amps but not the voltage and power factor they were taken at."""


# --------------------------------------------------------------------------- layouts

def _slot_key(s: Slot) -> tuple[object, ...]:
    return (s.u, s.height, s.device, s.workload, s.fabric, s.role, s.kind, s.label)


def layout_key(rack: Rack) -> tuple[object, ...]:
    """What makes two racks look the same: the rack type and every slot's position, height,
    device, workload or fabric and role (and a reserved block's label)."""
    return (rack.rack, tuple(sorted(_slot_key(s) for s in rack.slots)))


@dataclass(frozen=True)
class Layout:
    """Racks of one type with the same slots; the first stands for all of them."""

    rack: str
    """Rack type id."""
    racks: tuple[Rack, ...]

    @property
    def first(self) -> Rack:
        return self.racks[0]

    @property
    def slots(self) -> list[Slot]:
        return sorted(self.first.slots, key=lambda s: s.u)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.racks]


def group_layouts(plan: Plan) -> list[Layout]:
    """The plan's distinct rack layouts, in the order their first rack is installed."""
    groups: dict[tuple[object, ...], list[Rack]] = {}
    for rack in plan.racks:
        groups.setdefault(layout_key(rack), []).append(rack)
    return [Layout(racks[0].rack, tuple(racks)) for racks in groups.values()]


def select_layouts(layouts: Sequence[Layout], most: int) -> tuple[list[Layout], list[Layout]]:
    """The ``most`` layouts holding the most racks (ties: the earlier), kept in plan order, and
    the rest."""
    ranked = sorted(range(len(layouts)), key=lambda k: (-len(layouts[k].racks), k))
    keep = set(ranked[:max(most, 0)])
    return ([lay for k, lay in enumerate(layouts) if k in keep],
            [lay for k, lay in enumerate(layouts) if k not in keep])


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def abbreviate_ids(ids: Sequence[str], most_runs: int = 3) -> str:
    """Rack ids as runs, with the count: ``r0001–r0012, r0020, 14 racks``; after ``most_runs``
    runs, ``…``."""
    runs: list[list[str]] = []
    last: tuple[str, int, int] | None = None
    for rid in ids:
        m = _NUMBERED.match(rid)
        here = (m.group(1), int(m.group(2)), len(m.group(2))) if m else None
        if (runs and here is not None and last is not None and here[0] == last[0]
                and here[1] == last[1] + 1 and here[2] == last[2]):
            runs[-1].append(rid)
        else:
            runs.append([rid])
        last = here
    shown = [r[0] if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs[:most_runs]]
    if len(runs) > most_runs:
        shown.append("…")
    count = len(ids)
    return ", ".join(shown) + f", {count:,} rack" + ("" if count == 1 else "s")


# --------------------------------------------------------------------------- colours

def workload_colors(plan: Plan) -> dict[str, str]:
    """A colour per workload: the plan's selections first, then the schedule, then the
    racks, each new workload taking the next colour of :data:`PALETTE`."""
    names: list[str] = []
    for name in ([s.workload for s in plan.selections] + [w.workload for w in plan.schedule.workloads]
                 + [s.workload for r in plan.racks for s in r.slots if s.workload]):
        if name not in names:
            names.append(name)
    return {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(names)}


def slot_fill(slot: Slot, colors: Mapping[str, str]) -> str:
    if slot.kind == "reserved" or slot.device == "reserved":
        return RESERVED_FILL
    if slot.workload is not None:
        return colors.get(slot.workload, PALETTE[0])
    return NETWORK_GREYS.get(slot.role or "", DEVICE_GREY)


def legend_entries(layouts: Sequence[Layout], colors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, colour) of what the drawn layouts hold: workloads in colour order, then network
    roles, then reserved units."""
    slots = [s for lay in layouts for s in lay.slots]
    workloads = {s.workload for s in slots if s.workload is not None and s.kind != "reserved"}
    out = [(w, c) for w, c in colors.items() if w in workloads]
    roles = {s.role or "" for s in slots if s.workload is None and s.kind != "reserved"
             and s.device != "reserved"}
    for role, color in NETWORK_GREYS.items():
        if role in roles:
            out.append((f"network {role}", color))
    if roles - set(NETWORK_GREYS):
        out.append(("network device", DEVICE_GREY))
    if any(s.kind == "reserved" or s.device == "reserved" for s in slots):
        out.append(("reserved", RESERVED_FILL))
    return out


# --------------------------------------------------------------------------- one rack

def _who(slot: Slot) -> str:
    """Whose the unit is: the workload; for a network device its role, then its fabric (the
    role first, so a label cut to fit keeps it)."""
    if slot.kind == "reserved" or slot.device == "reserved":
        return slot.label or "reserved"
    if slot.workload is not None:
        return slot.workload
    if slot.role and slot.fabric and slot.fabric.startswith(slot.role):  # appliances appliance
        return slot.role
    return " · ".join(p for p in (slot.role, slot.fabric) if p) or "network"


def _is_device(slot: Slot) -> bool:
    return slot.workload is None and slot.kind != "reserved" and slot.device != "reserved"


def one_line_label(slot: Slot) -> str:
    """The text of a one-unit box left of its kW, least useful part last (it is what a cut to
    fit drops): a server's model, then its workload (also shown by the colour); a network
    device's role and fabric, then its model."""
    return f"{_who(slot)} · {slot.device}" if _is_device(slot) else f"{slot.device} · {_who(slot)}"


def unit_name(rack_type: RackType | None) -> str:
    """``OU`` (Open Rack units) for an ``orv3-21`` rack type, else ``U``."""
    return "OU" if rack_type is not None and rack_type.form_factor == "orv3-21" else "U"


def _unit_range(slot: Slot, unit: str = "U") -> str:
    top = slot.u + slot.height - 1
    return f"{unit}{slot.u}" if slot.height == 1 else f"{unit}{slot.u}–{unit}{top}"


def u_height_of(layout: Layout, rack_type: RackType | None) -> int:
    """Units to draw: the rack type's, or (unknown type) up to the highest used unit."""
    top = max((s.u + s.height - 1 for s in layout.slots), default=1)
    return max(rack_type.u_height, top) if rack_type is not None else top


def slot_y(slot: Slot, u_height: int) -> int:
    """Top of ``slot``'s box in its drawing: unit ``u_height`` is at the top, unit 1 at the
    bottom."""
    return INNER_Y + (u_height - (slot.u + slot.height - 1)) * U_PX


def rack_height(u_height: int) -> int:
    return 2 * CAP_H + u_height * U_PX


def rack_body(layout: Layout, u_height: int, colors: Mapping[str, str], unit: str = "U"
              ) -> list[str]:
    """The elevation in its own coordinates (``RACK_W`` by :func:`rack_height`): frame, unit
    numbers, unit lines and one labelled box per slot; ``unit`` (``U`` or ``OU``) names the
    units in the labels."""
    h = rack_height(u_height)
    body = [
        el("rect", {"x": NUMBERS_W, "y": 0, "width": RACK_W - NUMBERS_W, "height": h,
                    "rx": 4, "fill": "#3a4049", "class": "rack-frame"}),
        el("rect", {"x": INNER_X, "y": INNER_Y, "width": BOX_W, "height": u_height * U_PX,
                    "fill": "#f5f6f8", "class": "rack-interior"}),
    ]
    lines = "".join(f"M{INNER_X} {INNER_Y + k * U_PX}h{BOX_W}" for k in range(1, u_height))
    if lines:
        body.append(el("path", {"d": lines, "stroke": "#e2e5e9", "stroke-width": 1,
                                "fill": "none"}))
    numbers = [text(NUMBERS_W - 5, INNER_Y + (u_height - u) * U_PX + U_PX - 4, str(u), size=8,
                    fill=MUTED, anchor="end") for u in range(1, u_height + 1)]
    body.append(el("g", {"class": "u-numbers"}, "".join(numbers)))
    for slot in layout.slots:
        body.append(_slot_box(slot, u_height, colors, unit))
    return body


def _slot_box(slot: Slot, u_height: int, colors: Mapping[str, str], unit: str) -> str:
    reserved = slot.kind == "reserved" or slot.device == "reserved"
    fill = slot_fill(slot, colors)
    y = slot_y(slot, u_height)
    h = slot.height * U_PX
    who = _who(slot)
    kw = f"{num(slot.kw)} kW"
    where = _unit_range(slot, unit)
    full = (f"{where}: {who} ({slot.height}{unit})" if reserved else
            f"{where}: {one_line_label(slot)} · {kw} · {num(slot.weight_kg)} kg")
    rect = el("rect", {"x": INNER_X, "y": y, "width": BOX_W, "height": h, "fill": fill,
                       "stroke": RESERVED_STROKE if reserved else "#ffffff",
                       "stroke-width": 1, "stroke-dasharray": "3 2" if reserved else None,
                       "class": f"slot slot-{slot.kind}", "data-u": slot.u,
                       "data-height": slot.height})
    ink = MUTED if reserved else ink_on(fill)
    right = INNER_X + BOX_W - 6
    cx = INNER_X + 6
    mid = y + h / 2 + 3.5
    parts: list[str] = []
    if reserved:
        parts.append(text(cx, mid, fit(f"{who} · {slot.height}{unit}", BOX_W - 12, 9.5), size=9.5,
                          fill=ink, cls="slot-label"))
    elif h >= 3 * 12 + 6:  # model (a device: role and fabric), the other, kW on three lines
        top = mid - 12
        first, second = (who, slot.device) if _is_device(slot) else (slot.device, who)
        parts.append(text(cx, top, fit(first, BOX_W - 12, 11), size=11, fill=ink,
                          weight="600", cls="slot-label"))
        parts.append(text(cx, top + 12, fit(second, BOX_W - 12, 10), size=10, fill=ink,
                          cls="slot-label"))
        parts.append(text(cx, top + 24, kw, size=10, fill=ink, cls="slot-label"))
    else:  # kW at the right, always whole; the rest cut to fit beside it
        size = 10.0 if h >= 2 * 12 + 2 else 9.0
        room = BOX_W - 18 - text_width(kw, size)
        if h >= 2 * 12 + 2:
            first, second = (who, slot.device) if _is_device(slot) else (slot.device, who)
            parts.append(text(cx, mid - 6, fit(first, room, size), size=size, fill=ink,
                              weight="600", cls="slot-label"))
            parts.append(text(cx, mid + 6, fit(second, BOX_W - 12, size - 0.5), size=size - 0.5,
                              fill=ink, cls="slot-label"))
            parts.append(text(right, mid - 6, kw, size=size, fill=ink, anchor="end",
                              cls="slot-label"))
        else:
            parts.append(text(cx, mid, fit(one_line_label(slot), room, size), size=size,
                              fill=ink, cls="slot-label"))
            parts.append(text(right, mid, kw, size=size, fill=ink, anchor="end",
                              cls="slot-label"))
    labels = "".join(parts)
    return el("g", {"class": "unit"}, el("title", {}, esc(full)) + rect + labels)


# --------------------------------------------------------------------------- limits

@dataclass(frozen=True)
class Usage:
    """One bar beside an elevation."""

    key: str
    label: str
    used: float
    available: float | None
    """None: not provisioned (shown as such, no bar)."""
    unit: str


def redundancy_of(plan: Plan) -> str:
    """``N`` or ``2N``: a plan has ``feed_loss`` under ``N`` only."""
    return "N" if plan.feed_loss is not None else "2N"


def rack_usage(rack: Rack, rack_type: RackType, redundancy: str) -> list[Usage]:
    """The rack's use of its type's limits: power (usable under ``redundancy``), air and
    liquid cooling, units (``U`` or ``OU``) and weight. Each cooling bar is its own limit (the
    planner keeps air and liquid heat apart), so the power bar is the feeds' alone."""
    return [
        Usage("power", "Power", rack.power_kw, rack_type.usable_power_kw(redundancy), "kW"),
        Usage("air", "Air cooling", rack.air_kw, rack_type.air_cooling_kw or None, "kW"),
        Usage("liquid", "Liquid cooling", rack.liquid_kw, rack_type.liquid_cooling_kw or None,
              "kW"),
        Usage("units", "Space", float(rack.u_used), float(rack_type.u_height),
              unit_name(rack_type)),
        Usage("weight", "Weight", rack.weight_kg, rack_type.max_load_kg, "kg"),
    ]


def _share_color(share: float) -> str:
    return OVER if share > 1 + 1e-9 else BINDING if share >= 0.99 else "#4d7aa8"


def _usage_row(y: float, label: str, value: str, share: float | None, cls: str) -> list[str]:
    over = share is not None and share > 1 + 1e-9
    body = [text(0, y + 11, label, size=11.5, fill=INK),
            text(PANEL_W, y + 11, value, size=11, fill=OVER if over else MUTED, anchor="end")]
    body.append(el("rect", {"x": 0, "y": y + 16, "width": PANEL_W, "height": 7, "rx": 3.5,
                            "fill": TRACK}))
    if share is not None:
        body.append(el("rect", {"x": 0, "y": y + 16, "width": float(PANEL_W * min(share, 1.0)),
                                "height": 7, "rx": 3.5, "fill": _share_color(share),
                                "class": "usage-fill"}))
    return [el("g", {"class": f"usage {cls}"}, "".join(body))]


@dataclass(frozen=True)
class FeedLossView:
    """What a layout's racks would do on a feed loss (power redundancy ``N``)."""

    trips: int
    """Racks of the layout that would trip."""
    racks: int
    """Racks of the layout."""
    surviving_kw: float | None
    """What each surviving feed would carry, ``power_kw / (feeds - 1)``; None with one feed."""


def feed_loss_view(layout: Layout, tripping: set[str]) -> FeedLossView | None:
    """None when none of the layout's racks is in ``tripping`` (the plan's ``feed_loss``)."""
    trips = sum(1 for rid in layout.ids if rid in tripping)
    if not trips:
        return None
    return FeedLossView(trips, len(layout.racks), layout.first.surviving_feed_kw())


def tripping_racks(plan: Plan) -> set[str]:
    """Rack ids of the plan's ``feed_loss`` (empty under ``2N``)."""
    return set(plan.feed_loss.racks) if plan.feed_loss is not None else set()


def limits_body(layout: Layout, rack_type: RackType | None, redundancy: str,
                loss: FeedLossView | None = None) -> tuple[list[str], float]:
    """Bars of the rack's use of its limits, then its feeds, in their own coordinates
    (``PANEL_W`` wide); returns the elements and the height used. With ``loss``, a red note
    that the racks trip on a feed loss, and each feed's bar (red) and figures are what it
    would carry with one other feed down."""
    rack = layout.first
    body: list[str] = []
    y = 0.0
    if rack_type is None:
        body.append(text(0, 12, "Rack type not in the catalog:", size=11, fill=MUTED))
        body.append(text(0, 27, "limits not shown.", size=11, fill=MUTED))
        y = 40.0
    else:
        body.append(text(0, 11, "LIMITS", size=10, fill=MUTED, weight="600"))
        y = 20.0
        for u in rack_usage(rack, rack_type, redundancy):
            if u.available is None:
                value = f"{num(u.used)} {u.unit} · none provisioned" if u.used else "not provisioned"
                share = math.inf if u.used > 0 else None
            else:
                share = u.used / u.available
                value = f"{num(u.used)} / {num(u.available)} {u.unit} · {share:.0%}"
            body += _usage_row(y, u.label, value, share, f"usage-{u.key}")
            y += 32
    if rack.feeds:
        y += 6
        body.append(text(0, y + 11, f"FEEDS · {redundancy}", size=10, fill=MUTED, weight="600"))
        y += 20
        if loss is not None:
            body.append(_feed_loss_note(y, loss))
            y += 32
        for f in rack.feeds:
            kw, amps = f.kw, f.amps
            if loss is not None and loss.surviving_kw is not None:
                # amps are proportional to kW at the site's voltage and power factor
                kw = loss.surviving_kw
                amps = f.amps * kw / f.kw if f.kw > 0 else (
                    f.rated_amps * kw / f.rated_kw if f.rated_kw > 0 else 0.0)
            value = f"{num(kw)} kW · {num(amps)} A"
            share = kw / f.rated_kw if f.rated_kw > 0 else None
            if loss is not None:
                share = max(share or 0.0, 1.0 + 1e-6)  # it trips: red, whatever the figures
            body += _usage_row(y, f"Feed {f.feed}", value, share,
                               "usage-feed feed-loss" if loss is not None else "usage-feed")
            notes = []
            if loss is not None:
                notes.append((f"if another feed fails (now {num(f.kw)} kW)"
                               if loss.surviving_kw is not None else
                               f"its only feed: now {num(f.kw)} kW", OVER))
            if f.rated_kw > 0:
                notes.append((f"rated {num(f.rated_kw)} kW · {num(f.rated_amps)} A", MUTED))
            for k, (note, color) in enumerate(notes):
                body.append(text(0, y + 36 + 12 * k, fit(note, PANEL_W, 9.5), size=9.5,
                                 fill=color))
            y += 34 + 12 * len(notes)
    return body, y


def _feed_loss_note(y: float, loss: FeedLossView) -> str:
    """The red note above the feeds of a layout whose racks trip on a feed loss."""
    head = ("Trips on a feed loss" if loss.trips == loss.racks else
            f"{loss.trips:,} of {loss.racks:,} racks trip on a feed loss")
    why = (f"a surviving feed would carry {num(loss.surviving_kw)} kW"
           if loss.surviving_kw is not None else "a single feed: a feed loss cuts it")
    return el("g", {"class": "feed-loss-note"},
              text(0, y + 11, fit(head, PANEL_W, 11.5), size=11.5, fill=OVER, weight="700")
              + text(0, y + 25, fit(why, PANEL_W, 10), size=10, fill=OVER))


# --------------------------------------------------------------------------- documents

def rack_types_of(catalog: Catalog | Mapping[str, RackType] | None) -> dict[str, RackType]:
    if catalog is None:
        return {}
    if isinstance(catalog, Catalog):
        return {r.id: r for r in catalog.racks}
    return dict(catalog)


def unknown_rack_types(plan: Plan, catalog: Catalog | Mapping[str, RackType] | None) -> list[str]:
    """Rack types of the plan the catalog does not have, in plan order."""
    known = rack_types_of(catalog)
    out: list[str] = []
    for r in plan.racks:
        if r.rack not in known and r.rack not in out:
            out.append(r.rack)
    return out


@dataclass(frozen=True)
class Card:
    """One layout for the HTML report: its titles and two inline SVGs."""

    index: int
    title: str
    subtitle: str
    rack_svg: str
    limits_svg: str
    trips: bool = False
    """Racks of the layout would trip on a feed loss."""


def layout_cards(plan: Plan, catalog: Catalog | Mapping[str, RackType] | None,
                 max_layouts: int) -> tuple[list[Card], list[Layout], list[tuple[str, str]]]:
    """The drawn layouts as :class:`Card` s, the layouts left out, and the legend."""
    types = rack_types_of(catalog)
    colors = workload_colors(plan)
    redundancy = redundancy_of(plan)
    tripping = tripping_racks(plan)
    shown, hidden = select_layouts(group_layouts(plan), max_layouts)
    cards = []
    for k, lay in enumerate(shown, 1):
        rack_type = types.get(lay.rack)
        uh = u_height_of(lay, rack_type)
        title = f"{lay.rack} elevation: {abbreviate_ids(lay.ids)}"
        rack = svg(RACK_W, rack_height(uh), rack_body(lay, uh, colors, unit_name(rack_type)),
                   cls="elevation", id_=f"elevation-{k}", title=title)
        loss = feed_loss_view(lay, tripping)
        panel, panel_h = limits_body(lay, rack_type, redundancy, loss)
        limits = svg(PANEL_W, max(panel_h, 1.0), panel, cls="rack-limits", id_=f"limits-{k}",
                     title=f"{lay.rack}: use of its limits and feeds")
        cards.append(Card(k, lay.rack, abbreviate_ids(lay.ids), rack, limits, loss is not None))
    return cards, hidden, legend_entries(shown, colors)



def more_note(hidden: Sequence[Layout]) -> str:
    """``and 150 more layouts (612 racks)``, or empty."""
    if not hidden:
        return ""
    racks = sum(len(lay.racks) for lay in hidden)
    noun = "layout" if len(hidden) == 1 else "layouts"
    return f"and {len(hidden):,} more {noun} ({racks:,} rack{'' if racks == 1 else 's'})"


def plan_svg(plan: Plan, catalog: Catalog | Mapping[str, RackType] | None = None, *,
             max_layouts: int = DEFAULT_MAX_LAYOUTS, columns: int = 3) -> str:
    """The plan's rack elevations as one standalone SVG 1.1 file: a title, a legend, then one
    elevation per distinct layout in a grid of ``columns`` (the ``max_layouts`` holding the
    most racks; a note counts the rest), each with its limits and feeds beside it."""
    types = rack_types_of(catalog)
    colors = workload_colors(plan)
    redundancy = redundancy_of(plan)
    tripping = tripping_racks(plan)
    layouts = group_layouts(plan)
    shown, hidden = select_layouts(layouts, max_layouts)
    cols = max(1, min(columns, len(shown)))
    cell_w = RACK_W + GAP + PANEL_W
    width = 2 * MARGIN + cols * cell_w + (cols - 1) * CELL_GAP
    inner_w = width - 2 * MARGIN
    body: list[str] = [el("rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})]
    heading = f"Rack elevations · {plan.scenario}"
    body.append(text(MARGIN, MARGIN + 16, fit(heading, inner_w, 20), size=20, weight="700"))
    sub = (f"{len(plan.racks):,} rack{'' if len(plan.racks) == 1 else 's'} in "
           f"{len(layouts):,} distinct layout{'' if len(layouts) == 1 else 's'} · "
           f"{plan.objective} · power under {redundancy}")
    if hidden:
        sub += f" · the {len(shown):,} holding the most racks drawn"
    body.append(text(MARGIN, MARGIN + 38, fit(sub, inner_w, 12), size=12, fill=MUTED))
    y = MARGIN + 56.0
    notes = [UNITS_NOTE] + ([AMPS_NOTE] if any(r.feeds for r in plan.racks) else [])
    lines = [line for note in notes for line in wrap_text(note, inner_w, 12)]
    body.append(el("g", {"class": "notes"}, "".join(
        text(MARGIN, y + 10 + 17 * k, line, size=12, fill=MUTED) for k, line in enumerate(lines))))
    y += 17 * len(lines) + 8
    legend, legend_h = _legend_row(legend_entries(shown, colors), inner_w, MARGIN, y)
    body += legend
    y += legend_h + 18
    if not shown:
        body.append(text(MARGIN, y + 14, "The plan has no racks.", size=13, fill=MUTED))
        y += 30
    for start in range(0, len(shown), cols):
        row_h = 0.0
        for c, lay in enumerate(shown[start:start + cols]):
            k = start + c + 1
            x = MARGIN + c * (cell_w + CELL_GAP)
            rack_type = types.get(lay.rack)
            uh = u_height_of(lay, rack_type)
            loss = feed_loss_view(lay, tripping)
            panel, panel_h = limits_body(lay, rack_type, redundancy, loss)
            title = [text(0, 14, fit(lay.rack, cell_w, 14), size=14, weight="700"),
                     text(0, 32, fit(abbreviate_ids(lay.ids), cell_w, 12), size=12, fill=MUTED)]
            rack = el("g", {"class": "elevation", "transform": f"translate(0,{TITLE_H})",
                            "data-rack": lay.rack, "data-u-height": uh,
                            "data-racks": len(lay.racks)},
                      "".join(rack_body(lay, uh, colors, unit_name(rack_type))))
            limits = el("g", {"class": "rack-limits",
                              "transform": f"translate({RACK_W + GAP},{TITLE_H + INNER_Y})"},
                        "".join(panel))
            body.append(el("g", {"class": "layout trips" if loss else "layout",
                                 "id": f"layout-{k}",
                                 "transform": f"translate({n(x)},{n(y)})"},
                           "".join(title) + rack + limits))
            row_h = max(row_h, TITLE_H + max(rack_height(uh), INNER_Y + panel_h))
        y += row_h + CELL_GAP
    note = more_note(hidden)
    if note:
        body.append(text(MARGIN, y + 4, f"… {note} not drawn.", size=13, fill=MUTED,
                         cls="more-layouts"))
        y += 24
    height = y + MARGIN - CELL_GAP / 2
    doc = svg(width, height, body, cls="rack-elevations", title=heading, standalone=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + doc + "\n"


def wrap_text(value: str, width: float, size: float) -> list[str]:
    """``value`` broken at spaces into lines that fit ``width`` at font size ``size`` (a word
    longer than a line is cut to fit)."""
    lines: list[str] = []
    for word in value.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(fit(word, width, size))
    return lines


def _legend_row(entries: Sequence[tuple[str, str]], width: float, x0: float, y0: float
                ) -> tuple[list[str], float]:
    body: list[str] = []
    x, line, size = 0.0, 0, 12.0
    for name, color in entries:
        w = 18 + text_width(name, size) + 18
        if x > 0 and x + w > width:
            x, line = 0.0, line + 1
        yy = y0 + line * 22
        reserved = color == RESERVED_FILL
        body.append(el("rect", {"x": float(x0 + x), "y": float(yy), "width": 12, "height": 12,
                                "rx": 2, "fill": color,
                                "stroke": RESERVED_STROKE if reserved else None,
                                "stroke-dasharray": "3 2" if reserved else None}))
        body.append(text(x0 + x + 18, yy + 10.5, name, size=size, fill=INK))
        x += w
    return [el("g", {"class": "legend"}, "".join(body))] if body else [], (line + 1) * 22.0
