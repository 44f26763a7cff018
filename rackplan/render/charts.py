"""Small inline-SVG charts for the HTML report: horizontal bars, stacked bars, usage bars,
stacked columns and a Gantt chart, plus the SVG primitives the rack elevations share.

Every chart is one ``<svg>`` element with a ``viewBox`` and ``width="100%"`` (it scales to its
container), a ``<title>`` for screen readers, text escaped, and numbers written with fixed
precision so the same input gives the same bytes. No scripts, no external resources.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#66707d"
GRID = "#e3e6ea"
TRACK = "#eef0f3"
ACCENT = "#3f6fa6"
BINDING = "#d4861a"
OVER = "#c53b2c"
GOOD = "#2f7d4f"
CHAR_EM = 0.58
"""Average glyph width of the sans-serif fonts, in ems: to fit labels without measuring."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --------------------------------------------------------------------------- primitives

def esc(value: object) -> str:
    """Text or an attribute value for XML/HTML: ``& < > " '`` escaped, characters XML 1.0 cannot
    hold replaced by ``?``."""
    return html.escape(_NOT_XML.sub("?", str(value)), quote=True)


def n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (stable bytes across runs)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def num(value: float) -> str:
    """A figure for people: three significant digits below 100, whole numbers with thousands
    separators above (``1.64``, ``30.6``, ``1,405``)."""
    a = abs(value)
    if a >= 100:
        text = f"{value:,.0f}"
    elif a >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def usd_short(value: float) -> str:
    """Money in a few characters: ``$41.6M``, ``$950k``, ``$1.2B``."""
    a = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            return f"${num(value / scale)}{suffix}"
    return f"${value:,.0f}"


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font size ``size``."""
    return len(text) * size * CHAR_EM


def fit(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` at font size ``size``."""
    room = int(width / (size * CHAR_EM))
    if len(text) <= room:
        return text
    return text[:max(room - 1, 0)] + "…" if room > 0 else ""


def tint(color: str, amount: float) -> str:
    """``color`` (``#rrggbb``) mixed with white: 0 keeps it, 1 is white."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def ink_on(color: str) -> str:
    """Dark or white text, whichever reads better on ``color``."""
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return INK if luminance > 0.36 else "#ffffff"


def el(tag: str, attrs: dict[str, object], content: str = "") -> str:
    """One element; attribute values escaped, floats written with :func:`n`, None dropped.
    ``content`` is markup (escape text with :func:`esc` first)."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None:
            continue
        shown = n(value) if isinstance(value, float) else str(value)
        parts.append(f'{key}="{esc(shown)}"')
    head = " ".join(parts)
    return f"<{head}>{content}</{tag}>" if content else f"<{head}/>"


def text(x: float, y: float, value: str, *, size: float = 12, fill: str = INK,
         anchor: str = "start", weight: str | None = None, cls: str | None = None) -> str:
    """A ``<text>`` element holding ``value`` (escaped here)."""
    return el("text", {"x": float(x), "y": float(y), "font-size": float(size), "fill": fill,
                       "text-anchor": None if anchor == "start" else anchor,
                       "font-weight": weight, "class": cls}, esc(value))


def svg(width: float, height: float, body: Sequence[str], *, cls: str, id_: str | None = None,
        title: str | None = None, standalone: bool = False) -> str:
    """An ``<svg>`` element of ``body``: with ``xmlns`` and pixel size when ``standalone``
    (a file of its own), otherwise ``width="100%"`` so it scales inside a page."""
    attrs: dict[str, object] = {}
    if standalone:
        attrs |= {"xmlns": "http://www.w3.org/2000/svg", "version": "1.1",
                  "width": float(width), "height": float(height)}
    else:
        attrs |= {"width": "100%"}
    attrs |= {"viewBox": f"0 0 {n(width)} {n(height)}", "class": cls, "id": id_,
              "font-family": FONT, "role": "img", "aria-label": title}
    inner = (el("title", {}, esc(title)) if title else "") + "".join(body)
    return el("svg", attrs, inner)


def empty_note(width: float, message: str, *, cls: str, id_: str | None, title: str) -> str:
    """A chart with nothing to show: the message instead of bars."""
    return svg(width, 40, [text(0, 24, message, size=13, fill=MUTED)], cls=cls, id_=id_, title=title)


def _bar(x: float, y: float, width: float, height: float, fill: str, **extra: object) -> str:
    return el("rect", {"x": float(x), "y": float(y), "width": float(max(width, 0.0)),
                       "height": float(height), "rx": float(min(height / 2, 3)), "fill": fill}
              | extra)


# --------------------------------------------------------------------------- bar charts

@dataclass(frozen=True)
class BarItem:
    """One bar of :func:`hbar_chart`."""

    label: str
    value: float
    color: str = ACCENT
    value_text: str = ""
    """Shown at the right of the label (default: the value)."""


def hbar_chart(items: Sequence[BarItem], *, id_: str, title: str, width: float = 560) -> str:
    """Horizontal bars, one per item, each label above its bar and the figure at the right;
    bar lengths proportional to the values (the largest spans the width)."""
    if not items:
        return empty_note(width, "nothing to show", cls="chart chart-bar", id_=id_, title=title)
    top = max((i.value for i in items), default=0.0)
    row, size, bar_h = 36.0, 12.0, 11.0
    body: list[str] = []
    for k, item in enumerate(items):
        y = k * row
        shown = item.value_text or num(item.value)
        label_room = width - text_width(shown, size) - 12
        body.append(text(0, y + 14, fit(item.label, label_room, size), size=size))
        body.append(text(width, y + 14, shown, size=size, anchor="end", fill=MUTED))
        body.append(_bar(0, y + 20, width, bar_h, TRACK))
        length = width * item.value / top if top > 0 else 0.0
        body.append(_bar(0, y + 20, length, bar_h, item.color, **{"class": "bar"}))
    return svg(width, len(items) * row + 4, body, cls="chart chart-bar", id_=id_, title=title)


@dataclass(frozen=True)
class Series:
    """One stacked part of :func:`stacked_hbar_chart` or :func:`column_chart`: a value per
    category."""

    name: str
    values: Sequence[float]
    color: str


def _legend(entries: Sequence[tuple[str, str]], width: float, y: float, size: float = 12
            ) -> tuple[list[str], float]:
    """Swatches with names, wrapped to ``width``; returns the elements and the height used."""
    body: list[str] = []
    x, line = 0.0, 0
    for name, color in entries:
        w = 16 + text_width(name, size) + 16
        if x > 0 and x + w > width:
            x, line = 0.0, line + 1
        yy = y + line * (size + 8)
        body.append(el("rect", {"x": float(x), "y": float(yy), "width": 11.0, "height": 11.0,
                                "rx": 2.0, "fill": color}))
        body.append(text(x + 16, yy + 10, name, size=size, fill=MUTED))
        x += w
    return body, (line + 1) * (size + 8) if entries else 0.0


def stacked_hbar_chart(categories: Sequence[str], series: Sequence[Series], *, id_: str,
                       title: str, total_text: Callable[[int, float], str] | None = None,
                       capacity: Sequence[float | None] | None = None,
                       width: float = 560) -> str:
    """One horizontal bar per category, its parts stacked in series order, a legend on top.
    ``capacity`` (per category, optional) draws a tick where the category's limit is and
    widens the scale to it."""
    if not categories:
        return empty_note(width, "nothing to show", cls="chart chart-stacked", id_=id_,
                          title=title)
    totals = [sum(s.values[k] for s in series) for k in range(len(categories))]
    caps = list(capacity) if capacity is not None else [None] * len(categories)
    top = max([*totals, *[c for c in caps if c is not None]], default=0.0)
    size, row, bar_h = 12.0, 38.0, 13.0
    body, legend_h = _legend([(s.name, s.color) for s in series], width, 0)
    y0 = legend_h + 6
    for k, category in enumerate(categories):
        y = y0 + k * row
        shown = total_text(k, totals[k]) if total_text else num(totals[k])
        room = width - text_width(shown, size) - 12
        body.append(text(0, y + 14, fit(category, room, size), size=size))
        body.append(text(width, y + 14, shown, size=size, anchor="end", fill=MUTED))
        body.append(_bar(0, y + 20, width, bar_h, TRACK))
        x = 0.0
        for s in series:
            length = width * s.values[k] / top if top > 0 else 0.0
            if length > 0:
                body.append(el("rect", {"x": float(x), "y": float(y + 20), "width": float(length),
                                        "height": bar_h, "fill": s.color, "class": "bar"}))
            x += length
        cap = caps[k]
        if cap is not None and top > 0:
            cx = min(width * cap / top, width - 1)
            body.append(el("rect", {"x": float(cx - 1), "y": float(y + 17), "width": 2.0,
                                    "height": bar_h + 6, "fill": INK, "class": "capacity"}))
    height = y0 + len(categories) * row + 4
    return svg(width, height, body, cls="chart chart-stacked", id_=id_, title=title)


@dataclass(frozen=True)
class UsageItem:
    """One limit of :func:`usage_chart`: how much of ``available`` is ``used``."""

    label: str
    used: float
    available: float
    binding: bool = False
    value_text: str = ""


def usage_chart(items: Sequence[UsageItem], *, id_: str, title: str, width: float = 560) -> str:
    """One bar per limit, as a share of what is available (the track is 100%); binding limits
    in amber and tagged, anything over 100% in red."""
    if not items:
        return empty_note(width, "no site limits", cls="chart chart-usage", id_=id_, title=title)
    row, size, bar_h = 36.0, 12.0, 11.0
    body: list[str] = []
    for k, item in enumerate(items):
        y = k * row
        share = item.used / item.available if item.available > 0 else (1.0 if item.used else 0.0)
        over = share > 1 + 1e-9
        color = OVER if over else BINDING if item.binding else ACCENT
        shown = item.value_text or f"{num(item.used)} of {num(item.available)}"
        shown += f" · {share:.0%}"
        label = item.label + (" — binding" if item.binding else "")
        room = width - text_width(shown, size) - 12
        body.append(text(0, y + 14, fit(label, room, size), size=size,
                         weight="600" if item.binding else None))
        body.append(text(width, y + 14, shown, size=size, anchor="end",
                         fill=color if (item.binding or over) else MUTED))
        body.append(_bar(0, y + 20, width, bar_h, TRACK))
        body.append(_bar(0, y + 20, width * min(share, 1.0), bar_h, color,
                         **{"class": "bar binding" if item.binding else "bar"}))
    return svg(width, len(items) * row + 4, body, cls="chart chart-usage", id_=id_, title=title)


# --------------------------------------------------------------------------- columns

def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 covering ``top`` in about ``count`` steps."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9 * top:
        ticks.append(ticks[-1] + step)
    return ticks


def column_chart(categories: Sequence[str], series: Sequence[Series], *, id_: str, title: str,
                 axis_text: Callable[[float], str] = num, width: float = 640,
                 height: float = 240, line: Series | None = None) -> str:
    """Vertical columns, one per category, parts stacked in series order, with a value axis
    and a legend; category labels thinned out to fit. ``line`` (optional, same axis) is drawn
    over the columns, e.g. a running total."""
    if not categories:
        return empty_note(width, "nothing to show", cls="chart chart-columns", id_=id_,
                          title=title)
    size = 12.0
    entries = [(s.name, s.color) for s in series] + ([(line.name, line.color)] if line else [])
    body, legend_h = _legend(entries, width, 0)
    totals = [sum(s.values[k] for s in series) for k in range(len(categories))]
    ticks = nice_ticks(max([*totals, *(line.values if line else [])], default=0.0))
    left = max(text_width(axis_text(t), size) for t in ticks) * 1.2 + 10
    top_y, plot_h = legend_h + 8, height - legend_h - 8 - 24
    plot_w = width - left
    scale = plot_h / ticks[-1]
    for t in ticks:
        y = top_y + plot_h - t * scale
        body.append(el("line", {"x1": float(left), "x2": float(width), "y1": float(y),
                                "y2": float(y), "stroke": GRID, "stroke-width": 1.0}))
        body.append(text(left - 6, y + 4, axis_text(t), size=size, fill=MUTED, anchor="end"))
    slot = plot_w / len(categories)
    col_w = max(min(slot * 0.7, 48), 1.0)
    label_w = max(text_width(c, size) for c in categories) + 10
    every = max(1, math.ceil(label_w / slot))
    for k, category in enumerate(categories):
        x = left + k * slot + (slot - col_w) / 2
        y = top_y + plot_h
        for s in series:
            h = s.values[k] * scale
            if h > 0:
                y -= h
                body.append(el("rect", {"x": float(x), "y": float(y), "width": float(col_w),
                                        "height": float(h), "fill": s.color, "class": "bar"},
                                el("title", {}, esc(f"{category} {s.name}: "
                                                    f"{axis_text(s.values[k])}"))))
        if k % every == 0:
            body.append(text(left + k * slot + slot / 2, top_y + plot_h + 17, category,
                             size=size, fill=MUTED, anchor="middle"))
    if line is not None:
        points = [(left + k * slot + slot / 2, top_y + plot_h - v * scale)
                  for k, v in enumerate(line.values)]
        path = "M" + "L".join(f"{n(px)} {n(py)}" for px, py in points)
        body.append(el("path", {"d": path, "fill": "none", "stroke": line.color,
                                "stroke-width": 2.0, "class": "line"}))
        body += [el("circle", {"cx": float(px), "cy": float(py), "r": 2.5, "fill": line.color},
                    el("title", {}, esc(f"{categories[k]} {line.name}: "
                                        f"{axis_text(line.values[k])}")))
                 for k, (px, py) in enumerate(points)]
    return svg(width, height, body, cls="chart chart-columns", id_=id_, title=title)


# --------------------------------------------------------------------------- Gantt

@dataclass(frozen=True)
class Segment:
    """A span of a Gantt row."""

    start: dt.date
    end: dt.date
    kind: str
    """``lead`` (a thin line), or a bar: ``delivery``, ``install``, ``network-wait`` (a thin
    bar: installed, waiting for network racks), ``burn-in``."""
    color: str
    title: str


@dataclass(frozen=True)
class Marker:
    """A day marked on a Gantt row."""

    date: dt.date
    kind: str
    """``order`` (diamond), ``delivery`` (tick), ``online`` (dot) or ``need-by`` (flag)."""
    title: str
    late: bool = False
    """For ``need-by``: the row comes online after it (drawn red)."""


@dataclass(frozen=True)
class GanttRow:
    label: str
    segments: Sequence[Segment] = field(default_factory=tuple)
    markers: Sequence[Marker] = field(default_factory=tuple)


GANTT_LEGEND = (("order", "Ordered"), ("lead", "Lead time"), ("delivery", "Deliveries"),
                ("install", "Installation"), ("network-wait", "Waiting for network racks"),
                ("burn-in", "Burn-in"), ("online", "Online"), ("need-by", "Need-by"))


def month_ticks(start: dt.date, end: dt.date, most: int = 7) -> list[tuple[dt.date, str]]:
    """First days of months between ``start`` and ``end``, every 1, 2, 3, 6, 12 or 24 months so
    that at most ``most`` remain, labelled ``Jan 2027`` (``2027`` from yearly steps)."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= most), 120)
    first = dt.date(start.year, start.month, 1)
    if first < start:
        first = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    ticks = []
    d = first
    while d <= end:
        if (d.month - 1) % step == 0 or step == 1:
            label = str(d.year) if step >= 12 else f"{_MONTHS[d.month - 1]} {d.year}"
            ticks.append((d, label))
        d = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return ticks


def gantt_chart(rows: Sequence[GanttRow], *, id_: str, title: str, width: float = 640) -> str:
    """Rows of date spans and markers on one time axis (labels above each row so the bars take
    the full width), month gridlines, and a legend of the kinds."""
    days = [d for r in rows for s in r.segments for d in (s.start, s.end)]
    days += [m.date for r in rows for m in r.markers]
    if not days:
        return empty_note(width, "no dates to show", cls="chart chart-gantt", id_=id_,
                          title=title)
    lo, hi = min(days), max(days)
    span = max((hi - lo).days, 1)
    pad = max(span * 0.03, 2.0)
    size, row, axis_h = 12.0, 54.0, 22.0
    plot_w = width - 8

    def x(d: dt.date) -> float:
        return 4 + ((d - lo).days + pad) / (span + 2 * pad) * plot_w

    body: list[str] = []
    bottom = axis_h + len(rows) * row
    for day, label in month_ticks(lo, hi, most=max(2, min(8, int(plot_w // 95)))):
        tx = x(day)
        body.append(el("line", {"x1": float(tx), "x2": float(tx), "y1": float(axis_h - 4),
                                "y2": float(bottom), "stroke": GRID, "stroke-width": 1.0}))
        half = text_width(label, 11) / 2
        anchor = "start" if tx - half < 0 else "end" if tx + half > width else "middle"
        lx = max(tx - 2, 0.0) if anchor == "start" else min(tx + 2, width) if anchor == "end" else tx
        body.append(text(lx, 13, label, size=11, fill=MUTED, anchor=anchor))
    for k, r in enumerate(rows):
        y = axis_h + k * row
        body.append(text(4, y + 15, fit(r.label, plot_w, size), size=size, weight="600"))
        # two lanes: lead time and deliveries above, installation and burn-in below
        top, low = y + LANE_TOP, y + LANE_LOW
        items: list[str] = []
        for s in r.segments:
            x1, x2 = x(s.start), x(s.end)
            tip = el("title", {}, esc(s.title))
            if s.kind == "lead":
                items.append(el("line", {"x1": float(x1), "x2": float(x2),
                                         "y1": float(top + LANE_H / 2), "y2": float(top + LANE_H / 2),
                                         "stroke": s.color, "stroke-width": 2.0,
                                         "stroke-dasharray": "4 3", "class": "seg seg-lead"}, tip))
                continue
            lane_y, lane_h = (top, LANE_H) if s.kind == "delivery" else (
                (low + (BAR_H - WAIT_H) / 2, WAIT_H) if s.kind == "network-wait" else (low, BAR_H))
            attrs: dict[str, object] = {
                "x": float(x1), "y": float(lane_y), "width": float(max(x2 - x1, 3.0)),
                "height": float(lane_h), "rx": 2.0, "fill": s.color, "class": f"seg seg-{s.kind}"}
            if s.kind == "burn-in":
                attrs |= {"stroke": INK, "stroke-opacity": "0.35", "stroke-dasharray": "3 2"}
            items.append(el("rect", attrs, tip))
        for m in r.markers:
            items.append(_marker(x(m.date), y, m))
        body.append(el("g", {"class": "gantt-row"}, "".join(items)))
    legend_y = bottom + 14
    kinds = {s.kind for r in rows for s in r.segments} | {m.kind for r in rows for m in r.markers}
    legend, legend_h = _gantt_legend(width, legend_y, kinds)
    body += legend
    return svg(width, legend_y + legend_h, body, cls="chart chart-gantt", id_=id_, title=title)


LANE_TOP = 24.0
"""Top of a Gantt row's upper lane (lead time, deliveries) below the row's top."""
LANE_H = 7.0
LANE_LOW = 33.0
"""Top of the lower lane (installation, burn-in)."""
BAR_H = 12.0
WAIT_H = 6.0
"""Height of a ``network-wait`` bar, centred in the lower lane: thinner than work being done."""
NETWORK_GREY = "#8f98a5"


def _marker(mx: float, y: float, m: Marker) -> str:
    """A marker of the Gantt row whose top is ``y``."""
    tip = el("title", {}, esc(m.title))
    if m.kind == "order":
        mid, d = y + LANE_TOP + LANE_H / 2, 6.0
        return el("path", {"d": f"M{n(mx)} {n(mid - d)}L{n(mx + d)} {n(mid)}L{n(mx)} {n(mid + d)}"
                                f"L{n(mx - d)} {n(mid)}Z", "fill": INK, "class": "mark mark-order"},
                  tip)
    if m.kind == "delivery":
        return el("line", {"x1": float(mx), "x2": float(mx), "y1": float(y + LANE_TOP - 2),
                           "y2": float(y + LANE_TOP + LANE_H + 1), "stroke": INK,
                           "stroke-opacity": "0.5", "stroke-width": 1.0,
                           "class": "mark mark-delivery"}, tip)
    if m.kind == "online":
        return el("circle", {"cx": float(mx), "cy": float(y + LANE_LOW + BAR_H / 2), "r": 6.0,
                             "fill": GOOD, "stroke": "#ffffff", "stroke-width": 1.5,
                             "class": "mark mark-online"}, tip)
    color = OVER if m.late else INK
    top, bottom = y + LANE_TOP - 3, y + LANE_LOW + BAR_H + 3
    return el("g", {"class": "mark mark-need-by" + (" late" if m.late else "")},
              tip + el("line", {"x1": float(mx), "x2": float(mx), "y1": float(top),
                                "y2": float(bottom), "stroke": color, "stroke-width": 2.0})
              + el("path", {"d": f"M{n(mx - 5)} {n(top - 6)}L{n(mx + 5)} {n(top - 6)}"
                                 f"L{n(mx)} {n(top + 1)}Z", "fill": color}))


def _flag(mx: float, y: float, name: str) -> str:
    return el("g", {}, el("line", {"x1": float(mx), "x2": float(mx), "y1": float(y + 3),
                                   "y2": float(y + 14), "stroke": INK, "stroke-width": 2.0})
              + el("path", {"d": f"M{n(mx - 5)} {n(y - 2)}L{n(mx + 5)} {n(y - 2)}L{n(mx)} "
                                 f"{n(y + 5)}Z", "fill": INK}))


DELIVERY_TINT = 0.55
"""How much lighter than the row's colour the deliveries bar is."""
BURN_IN_TINT = 0.72
"""How much lighter the burn-in bar is."""


def _gantt_legend(width: float, y: float, kinds: set[str]) -> tuple[list[str], float]:
    body: list[str] = []
    x, line, size, grey = 0.0, 0, 11.0, "#7d8795"
    for kind, name in GANTT_LEGEND:
        if kind not in kinds:
            continue
        w = 22 + text_width(name, size) + 14
        if x > 0 and x + w > width:
            x, line = 0.0, line + 1
        yy = y + line * 20
        if kind in ("order", "online", "need-by"):
            sample = _marker(x + 8, yy - (LANE_TOP if kind == "order" else LANE_LOW) + 1,
                             Marker(dt.date.min, kind, name))
            if kind == "need-by":  # a short flag
                sample = _flag(x + 8, yy, name)
            body.append(sample)
        elif kind == "lead":
            body.append(el("line", {"x1": float(x), "x2": float(x + 16), "y1": float(yy + 6),
                                    "y2": float(yy + 6), "stroke": grey, "stroke-width": 2.0,
                                    "stroke-dasharray": "4 3"}))
        else:
            attrs: dict[str, object] = {"x": float(x), "y": float(yy), "width": 16.0,
                                        "height": 12.0, "rx": 2.0, "fill": grey}
            if kind == "delivery":
                attrs["fill"] = tint(grey, DELIVERY_TINT)
            if kind == "burn-in":
                attrs |= {"fill": tint(grey, BURN_IN_TINT), "stroke": INK,
                          "stroke-opacity": "0.35", "stroke-dasharray": "3 2"}
            if kind == "network-wait":
                attrs |= {"y": float(yy + (12 - WAIT_H) / 2), "height": WAIT_H,
                          "fill": NETWORK_GREY}
            body.append(el("rect", attrs))
        body.append(text(x + 22, yy + 10, name, size=size, fill=MUTED))
        x += w
    return body, (line + 1) * 20
