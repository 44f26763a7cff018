"""The HTML report (``plan --format html``) and its chart helpers: self-contained, sections
present when the plan has them, text escaped, the same bytes every time."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

import rackplan
from rackplan.models.result import FeedLoss, Plan
from rackplan.render import charts, html
from rackplan.render.charts import BarItem, GanttRow, Marker, Segment, Series, UsageItem
from rackplan.render.elevation import AMPS_NOTE, UNITS_NOTE
from rackplan.render.html import gantt_rows, plan_html

from .test_draw import EXAMPLES, feed_loss_plan, planned_examples, renamed

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="session")
def examples():
    return planned_examples()


@pytest.fixture(scope="module")
def n_site(tmp_path_factory):
    """A plan under power redundancy N whose every rack trips on a feed loss."""
    return feed_loss_plan(tmp_path_factory.mktemp("n-site"))


class Page(HTMLParser):
    """Tags, ids, classes and every src/href of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.classes: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key == "id" and value:
                self.ids.append(value)
            if key == "class" and value:
                self.classes += value.split()
            if key in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                self.links.append(value or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def svg_of(page: str, id_: str) -> ET.Element:
    start = page.index(f'id="{id_}"')
    start = page.rindex("<svg", 0, start)
    end = page.index("</svg>", start) + len("</svg>")
    return ET.fromstring(page[start:end].replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


# --------------------------------------------------------------------------- the page

@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_renders_self_contained(examples, name):
    plan, catalog = examples[name]
    page = plan_html(plan, catalog)
    parsed = Page(page)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert not [link for link in parsed.links if not link.startswith("#")], parsed.links
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "<script" not in page and "<img" not in page
    assert "@import" not in page and "url(" not in page
    for section in ("summary", "selections", "costs", "schedule", "racks"):
        assert section in parsed.ids
    for chart in ("chart-capex", "chart-power", "chart-limits", "chart-gantt"):
        assert chart in parsed.ids
    assert parsed.classes.count("elevation") == min(len(html.layout_cards(plan, catalog, 1000)[0]),
                                                    html.HTML_MAX_LAYOUTS)
    assert plan.scenario in page
    for anchor in [link[1:] for link in parsed.links]:
        assert anchor in parsed.ids, f"the table of contents links to #{anchor}"


def test_network_plan_has_fabrics_bom_and_cash_flow(examples):
    plan, catalog = examples["superpod-h100"]
    page = plan_html(plan, catalog)
    ids = Page(page).ids
    for section in ("fabrics", "bom", "cash-flow", "chart-cash-flow", "chart-gantt-wide",
                    "chart-gantt-narrow"):
        assert section in ids
    assert "nvidia-qm9700" in page and "compute:training" in page
    assert f"${plan.totals.capex_usd:,.0f}" in page, "the BOM total is the capex"
    assert page.count("<tr>") >= len(plan.bom) + len(plan.fabrics)


def test_plan_without_network_omits_fabrics(examples):
    plan, catalog = examples["enterprise-pod"]
    assert not plan.fabrics and plan.bom
    parsed = Page(plan_html(plan, catalog))
    assert "fabrics" not in parsed.ids and "#fabrics" not in parsed.links
    assert "bom" in parsed.ids
    bare = plan.model_copy(update={"bom": [], "fabrics": [], "cash_flow": [], "limits": [],
                                   "warnings": []})
    parsed = Page(plan_html(bare, catalog))
    for gone in ("fabrics", "bom", "cash-flow", "warnings", "feed-loss"):
        assert gone not in parsed.ids and f"#{gone}" not in parsed.links
    assert "no site limits" in "".join(parsed.text)


def test_text_is_escaped(examples):
    plan, catalog = examples["superpod-h100"]
    odd = 'tr<&>"ain\'s'
    weird = renamed(plan, "training", odd)
    weird = weird.model_copy(update={"warnings": ["<b>bold</b> & <script>alert(1)</script>"]})
    page = plan_html(weird, catalog)
    assert odd not in page and "<script>" not in page and "<b>bold" not in page
    assert "tr&lt;&amp;&gt;&#34;ain&#39;s" in page or "tr&lt;&amp;&gt;&quot;ain&#x27;s" in page
    text = "".join(Page(page).text)
    assert odd in text and "<b>bold</b> & <script>alert(1)</script>" in text
    svg_of(page, "elevation-1")  # well-formed


def test_without_a_catalog_racks_are_drawn_without_limits(examples):
    plan, _ = examples["sovereign"]
    page = plan_html(plan)
    text = " ".join("".join(Page(page).text).split())
    types = list(dict.fromkeys(r.rack for r in plan.racks))  # in plan order
    assert f"{', '.join(types)} not in the catalog: drawn without limits" in text
    assert "usage-power" not in page and "usage-feed" in page


def test_same_plan_same_bytes(examples):
    plan, catalog = examples["supply-phased"]
    page = plan_html(plan, catalog)
    assert plan_html(plan, catalog) == page
    assert plan_html(Plan.model_validate_json(plan.model_dump_json()), catalog) == page


def test_warnings_and_feed_loss_are_shown(examples):
    plan, catalog = examples["neocloud"]
    assert plan.warnings
    loss = FeedLoss(racks=[r.id for r in plan.racks[:3]], it_kw=12.5, gpus=96)
    page = plan_html(plan.model_copy(update={"feed_loss": loss}), catalog)
    parsed = Page(page)
    assert "warnings" in parsed.ids and "feed-loss" in parsed.ids
    text = " ".join("".join(parsed.text).split())
    assert f"3 of {len(plan.racks):,} racks (12.5 kW, 96 GPUs) would trip" in text
    for warning in plan.warnings:
        assert " ".join(warning.split()) in text
    assert "power N" in text.replace("power  N", "power N"), "feed_loss means redundancy N"


def test_feed_loss_is_shown_once_and_on_the_elevations(n_site):
    """The planner's warning says what the red box says: the page keeps the box (with the
    rack ids) and drops that warning; the tripping layouts are marked."""
    plan, catalog = n_site
    [warning] = [w for w in plan.warnings if "would trip" in w]
    page = plan_html(plan, catalog)
    parsed = Page(page)
    text = " ".join("".join(parsed.text).split())
    assert parsed.ids.count("feed-loss") == 1
    assert " ".join(warning.split()) not in text and "would trip" in text
    assert text.count("would trip") == 1, "feed loss said once"
    assert parsed.classes.count("callout-danger") == 1 and "callout-warn" not in parsed.classes
    assert f"{len(plan.feed_loss.racks)} of {len(plan.racks)} racks" in text
    assert parsed.classes.count("layout-trips") == len(html.layout_cards(plan, catalog, 100)[0])
    limits = svg_of(page, "limits-1")
    assert "Trips on a feed loss" in [t.text for t in limits.iter(f"{SVG}text")]
    other = plan.model_copy(update={"warnings": ["something else"]})
    assert "something else" in "".join(Page(plan_html(other, catalog)).text), "others stay"


def test_summary_figures_and_limits(examples):
    plan, catalog = examples["superpod-h100"]
    page = plan_html(plan, catalog)
    text = " ".join("".join(Page(page).text).split())
    assert f"{plan.totals.gpus:,}" in text and charts.usd_short(plan.totals.capex_usd) in text
    for key, _ in html.summary(plan):
        assert key in text
    limits = svg_of(page, "chart-limits-svg")
    labels = [t.text for t in limits.iter(f"{SVG}text")]
    assert "IT power" in labels and "Positions · air-48u-40kw" in labels


def test_binding_limits_are_highlighted(examples):
    plan, catalog = examples["retrofit-15kw"]
    binding = [lim for lim in plan.limits if lim.binding]
    page = plan_html(plan.model_copy(update={"limits": [
        lim.model_copy(update={"binding": True}) for lim in plan.limits[:1]] + plan.limits[1:]}),
        catalog)
    chart = svg_of(page, "chart-limits-svg")
    fills = [r for r in chart.iter(f"{SVG}rect") if "binding" in (r.get("class") or "")]
    assert len(fills) == 1 + sum(1 for lim in binding if lim is not plan.limits[0])
    assert fills[0].get("fill") == charts.BINDING


def test_capex_chart_has_every_category(examples):
    plan, _ = examples["superpod-h100"]
    chart = ET.fromstring(html.capex_chart(plan).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
    labels = [t.text for t in chart.iter(f"{SVG}text")]
    assert labels[0::2] == ["Servers", "Tariffs", "Racks", "Network (switches, appliances)",
                            "Optics and cables"]
    bars = [float(r.get("width")) for r in chart.iter(f"{SVG}rect") if r.get("class") == "bar"]
    c = plan.costs
    values = [c.servers_usd, c.tariffs_usd, c.racks_usd, c.network_usd, c.optics_usd]
    assert bars == pytest.approx([400 * v / max(values) for v in values], abs=0.01)


def test_power_tick_is_power_or_cooling_whichever_is_less(examples):
    """A rack may draw no more than its usable power, nor more heat than its air and liquid
    cooling together reject."""
    plan, catalog = examples["superpod-h100"]
    types = {r.id: r for r in catalog.racks}
    air = types["air-48u-40kw"]
    count = sum(1 for r in plan.racks if r.rack == air.id)
    drawn = sum(r.power_kw for r in plan.racks if r.rack == air.id)

    def tick(plan: Plan, types: dict) -> tuple[str, float]:
        chart = parse(html.power_chart(plan, types))
        shown = [t.text for t in chart.iter(f"{SVG}text") if " kW of " in (t.text or "")]
        caps = [float(r.get("x")) + 1 for r in chart.iter(f"{SVG}rect")
                if r.get("class") == "capacity"]
        return shown[0], caps[0]

    # 2N: 40 kW usable of 2 x 40 kW feeds, 40 kW of air: either way 40 kW a rack
    assert air.usable_power_kw("2N") == air.air_cooling_kw + air.liquid_cooling_kw == 40
    assert tick(plan, types)[0] == f"{drawn:,.0f} kW of {count * 40:,}"
    # N: 80 kW of power, but still 40 kW of cooling
    n = plan.model_copy(update={"feed_loss": FeedLoss(racks=[], it_kw=0, gpus=0)})
    assert air.usable_power_kw("N") == 80
    assert tick(n, types)[0] == f"{drawn:,.0f} kW of {count * 40:,}"
    # less air cooling than power: the tick moves in
    weak = types | {air.id: air.model_copy(update={"air_cooling_kw": 30.0})}
    shown, x = tick(plan, weak)
    assert shown == f"{drawn:,.0f} kW of {count * 30:,}"
    assert x == pytest.approx(400 * count * 30 / max(drawn, count * 30), abs=0.01)
    page = " ".join("".join(Page(plan_html(plan, catalog)).text).split())
    assert "the tick is what the racks may draw: power or cooling, whichever is less" in page


def test_racks_by_type_titles_and_number_formats(examples):
    """Column titles for people, counts named for what they count; kW and amps to one
    decimal, money to whole dollars, thousands separated."""
    plan, catalog = examples["superpod-h100"]
    context = html.report_context(plan, catalog)
    table = context["racks_by_type"]
    assert [h.text for h in table.headers] == [
        "Rack", "Role", "Racks", "Servers / devices", "Power (kW)", "Air (kW)", "Liquid (kW)",
        "U used", "Feed max (kW)", "Feed max (A)"]
    servers = next(r for r in table.rows if r[1].text == "servers")
    air = [r for r in plan.racks if r.role == "servers" and r.rack == servers[0].text]
    assert servers[4].text == f"{sum(r.power_kw for r in air):,.1f}"
    assert servers[8].text == f"{max(f.kw for r in air for f in r.feeds):,.1f}"
    assert servers[9].text == f"{max(f.amps for r in air for f in r.feeds):,.1f}"
    only_servers = html.report_context(examples["enterprise-pod"][0])["racks_by_type"]
    assert only_servers.headers[3].text == "Servers"
    assert [h.text for h in context["fabrics"].headers][3] == "Scalable units"
    bom = context["bom"]
    unit = [h.text for h in bom.headers].index("Unit ($)")
    for row, line in zip(bom.rows, plan.bom, strict=True):
        assert row[unit].text == f"${line.unit_usd:,.0f}"
    for cell in [c for t in (context["costs"], context["selections"], bom)
                 for r in t.rows for c in r if c.text.startswith("$")]:
        assert "." not in cell.text, cell.text
    assert html.format_number(1234.56, "it_power_kw") == "1,234.6"
    assert html.format_number(1234567.5, "capex_usd") == "$1,234,568"
    assert html.format_number(-12.4, "usd") == "-$12"
    assert html.format_number(12345, "racks") == "12,345"


def test_the_racks_section_says_what_heights_and_amps_are(examples):
    plan, catalog = examples["rubin-xe8812"]
    parsed = Page(plan_html(plan, catalog))
    text = " ".join("".join(parsed.text).split())
    assert UNITS_NOTE in text and "not millimetres" in text
    assert "amps-note" in parsed.ids and AMPS_NOTE in text
    assert "415 V and 0.95 by default" in text
    assert "OU · " in " ".join(t.text or "" for t in svg_of(plan_html(plan, catalog),
                                                            "limits-1").iter(f"{SVG}text"))


def test_templates_ship_inside_the_package():
    folder = resources.files("rackplan.render") / "templates"
    assert (folder / "report.html.j2").is_file() and (folder / "report.css").is_file()


# --------------------------------------------------------------------------- the schedule

def test_gantt_rows_follow_the_schedule(examples):
    plan, _ = examples["superpod-h100"]
    rows = gantt_rows(plan)
    assert [r.label for r in rows] == ["training · 1,016 GPUs on nvidia-dgx-h100", "network · 6 racks"]
    training = rows[0]
    kinds = [s.kind for s in training.segments]
    assert kinds == ["lead", "delivery", "install", "network-wait", "burn-in"]
    order = next(m.date for m in training.markers if m.kind == "order")
    online = next(m.date for m in training.markers if m.kind == "online")
    assert order == plan.schedule.order_date and online == plan.schedule.workloads[0].online_date
    install, wait, burn_in = training.segments[2:]
    dates = [r.installed_date for r in plan.racks if r.role == "servers"]
    assert (install.start, install.end) == (min(dates), max(dates))
    network = max(r.installed_date for r in plan.racks if r.role == "network")
    assert (wait.start, wait.end) == (install.end, network)
    assert (burn_in.start, burn_in.end) == (network, online)


BURN_IN_DAYS = 14
"""``burn_in_weeks: 2`` of examples/superpod-h100.yaml and examples/gb200-su.yaml."""


@pytest.mark.parametrize("name", ["superpod-h100", "gb200-su"])
def test_burn_in_is_burn_in_however_long_the_network_takes(examples, name):
    """Online = max(own last rack, last network rack it needs) + burn-in: whatever the network
    racks' dates, the burn-in bar is the scenario's burn-in and the wait is drawn apart."""
    scenario = rackplan.load_scenario(REPO / "examples" / f"{name}.yaml")
    assert scenario.site.burn_in_weeks * 7 == BURN_IN_DAYS
    plan, _ = examples[name]
    own = max(r.installed_date for r in plan.racks if r.role == "servers")
    network = max(r.installed_date for r in plan.racks if r.role == "network")
    later = max((own - network).days, 0) + 72  # the network racks' last 72 days after
    for delay in (0, later):  # as planned, and with the network racks installed late
        shift = dt.timedelta(days=delay)
        racks = [r.model_copy(update={"installed_date": r.installed_date + shift})
                 if r.role == "network" else r for r in plan.racks]
        ready = max(r.installed_date for r in racks if r.role == "network") + dt.timedelta(
            days=BURN_IN_DAYS)
        workloads = [w.model_copy(update={
            "online_date": max(w.online_date, ready),
            "phases": [p.model_copy(update={"online_date": max(p.online_date, ready)})
                       for p in w.phases]}) for w in plan.schedule.workloads]
        late = plan.model_copy(update={"racks": racks, "schedule": plan.schedule.model_copy(
            update={"workloads": workloads})})
        for row in gantt_rows(late)[:-1]:
            segments = {s.kind: s for s in row.segments}
            burn_in = segments["burn-in"]
            assert (burn_in.end - burn_in.start).days == BURN_IN_DAYS, (delay, row.label)
            if network + shift > own:
                wait = segments["network-wait"]
                assert wait.end == burn_in.start and wait.start == segments["install"].end
                assert (wait.end - wait.start).days == (network + shift - own).days
            else:
                assert "network-wait" not in segments


def test_a_workload_waits_only_for_the_network_racks_it_needs(examples):
    """A network rack of another workload's compute fabric is not waited for; one of a shared
    fabric (storage, management, appliances) is."""
    plan, _ = examples["superpod-h100"]
    online = plan.schedule.workloads[0].online_date
    own_last = max(r.installed_date for r in plan.racks if r.role == "servers")
    late = online - dt.timedelta(days=1)
    compute = next(r for r in plan.racks if r.role == "network"
                   and {s.fabric for s in r.slots} == {"compute:training"})

    def moved(fabric: str) -> Plan:
        slots = [s.model_copy(update={"fabric": fabric}) for s in compute.slots]
        devices = [d.model_copy(update={"fabric": fabric}) for d in compute.placements]
        rack = compute.model_copy(update={"slots": slots, "placements": devices,
                                          "installed_date": late})
        return plan.model_copy(update={"racks": [rack if r is compute else r
                                                 for r in plan.racks]})

    shared = {s.kind: s for s in gantt_rows(moved("storage"))[0].segments}
    assert shared["network-wait"].end == late and shared["burn-in"].start == late
    other = {s.kind: s for s in gantt_rows(moved("compute:inference"))[0].segments}
    assert other["network-wait"].end < late and other["network-wait"].start == own_last
    assert html.network_installed(moved("compute:inference"))["training"].count(late) == 0


def test_without_a_network_there_is_no_wait(examples):
    plan, _ = examples["supply-phased"]
    assert not any(s.kind == "network-wait" for r in gantt_rows(plan) for s in r.segments)
    page = plan_html(plan, examples["supply-phased"][1])
    assert "Waiting for network racks" not in page


def test_gantt_legend_names_the_wait_wide_and_narrow(examples):
    plan, catalog = examples["superpod-h100"]
    page = plan_html(plan, catalog)
    for id_ in ("chart-gantt-wide", "chart-gantt-narrow"):
        chart = svg_of(page, id_)
        labels = [t.text for t in chart.iter(f"{SVG}text")]
        assert "Waiting for network racks" in labels and "Burn-in" in labels, id_
        waits = chart.findall(f".//{SVG}rect[@class='seg seg-network-wait']")
        assert len(waits) == 1, id_
        assert float(waits[0].get("height")) < float(
            chart.find(f".//{SVG}rect[@class='seg seg-install']").get("height"))
        assert "waiting for network racks" in chart.find(f"{SVG}title").text


def test_gantt_rows_per_phase_share_deliveries_in_order(examples):
    plan, _ = examples["supply-phased"]
    rows = gantt_rows(plan)
    phases = plan.schedule.workloads[0].phases
    assert len(rows) == len(phases) == 2
    for row, phase in zip(rows, phases, strict=True):
        assert f"phase {phase.phase}" in row.label
        ticks = [m for m in row.markers if m.kind == "delivery"]
        assert sum(int(m.title.split(": ")[1].split()[0].replace(",", "")) for m in ticks) == phase.servers
        need = [m for m in row.markers if m.kind == "need-by"]
        assert [m.date for m in need] == [phase.need_by]
        assert need[0].late == (phase.online_date > phase.need_by)
    first_end = max(m.date for m in rows[0].markers if m.kind == "delivery")
    second_start = min(m.date for m in rows[1].markers if m.kind == "delivery")
    assert first_end <= second_start


@pytest.mark.parametrize(("deliveries", "sizes", "expected"), [
    ([("a", 5), ("b", 5)], [3, 7], [[("a", 3)], [("a", 2), ("b", 5)]]),
    ([("a", 10)], [10], [[("a", 10)]]),
    ([("a", 4), ("b", 4)], [3, 3], [[("a", 3)], [("a", 1), ("b", 2), ("b", 2)]]),
    ([], [3], [[]]),
])
def test_fifo_deliveries(deliveries, sizes, expected):
    assert html._fifo(deliveries, sizes) == expected


# --------------------------------------------------------------------------- chart helpers

def parse(svg_text: str) -> ET.Element:
    return ET.fromstring(svg_text.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def test_hbar_lengths_are_proportional():
    chart = parse(charts.hbar_chart([BarItem("a", 10), BarItem("b", 5), BarItem("c", 0)],
                                    id_="x", title="t", width=200))
    assert chart.get("viewBox").startswith("0 0 200 ") and chart.get("width") == "100%"
    bars = [float(r.get("width")) for r in chart.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert bars == [200, 100, 0]
    assert chart.find(f"{SVG}title").text == "t"


def test_stacked_bars_add_up_and_mark_capacity():
    chart = parse(charts.stacked_hbar_chart(
        ["x", "y"], [Series("air", [30, 10], "#111111"), Series("liquid", [10, 0], "#222222")],
        id_="s", title="t", capacity=[80, None], width=400))
    bars = [(float(r.get("x")), float(r.get("width"))) for r in chart.iter(f"{SVG}rect")
            if r.get("class") == "bar"]
    assert bars == [(0, 150), (150, 50), (0, 50)]  # scale: 80 (the capacity) spans 400
    caps = [float(r.get("x")) for r in chart.iter(f"{SVG}rect") if r.get("class") == "capacity"]
    assert caps == [398]


def test_usage_over_and_binding():
    chart = parse(charts.usage_chart([UsageItem("p", 50, 100), UsageItem("q", 99, 100, True),
                                      UsageItem("r", 150, 100)], id_="u", title="t", width=100))
    fills = [(float(r.get("width")), r.get("fill")) for r in chart.iter(f"{SVG}rect")
             if "bar" in (r.get("class") or "").split()]
    assert fills == [(50, charts.ACCENT), (99, charts.BINDING), (100, charts.OVER)]


def test_columns_stack_on_one_scale():
    chart = parse(charts.column_chart(["q1", "q2"], [Series("a", [10, 0], "#111111"),
                                                     Series("b", [5, 20], "#222222")],
                                      id_="c", title="t", width=300, height=200,
                                      line=Series("sum", [15, 35], "#333333")))
    rects = [r for r in chart.iter(f"{SVG}rect") if r.get("class") == "bar"]
    heights = [float(r.get("height")) for r in rects]
    assert len(rects) == 3
    assert heights[0] / heights[1] == pytest.approx(2, rel=0.01)
    assert heights[2] / heights[0] == pytest.approx(2, rel=0.01)
    assert chart.find(f".//{SVG}path[@class='line']") is not None


def test_gantt_places_dates_left_to_right():
    d = dt.date
    row = GanttRow("w", [Segment(d(2027, 1, 1), d(2027, 3, 1), "lead", "#777777", "lead"),
                         Segment(d(2027, 3, 1), d(2027, 4, 1), "install", "#4e79a7", "install")],
                   [Marker(d(2027, 1, 1), "order", "o"), Marker(d(2027, 5, 1), "online", "on"),
                    Marker(d(2027, 4, 15), "need-by", "nb", late=True)])
    chart = parse(charts.gantt_chart([row], id_="g", title="t", width=500))
    lead = chart.find(f".//{SVG}line[@class='seg seg-lead']")
    install = chart.find(f".//{SVG}rect[@class='seg seg-install']")
    online = chart.find(f".//{SVG}circle[@class='mark mark-online']")
    assert float(lead.get("x1")) < float(lead.get("x2")) == pytest.approx(float(install.get("x")))
    assert float(install.get("x")) + float(install.get("width")) < float(online.get("cx")) < 500
    late = chart.find(f".//{SVG}g[@class='mark mark-need-by late']")
    assert late is not None and late.find(f"{SVG}line").get("stroke") == charts.OVER
    ticks = [t.text for t in chart.iter(f"{SVG}text")]
    assert "Feb 2027" in ticks and "Jan 2027" in ticks


def test_month_ticks_thin_out():
    d = dt.date
    assert [t for _, t in charts.month_ticks(d(2027, 1, 15), d(2027, 4, 2))] == [
        "Feb 2027", "Mar 2027", "Apr 2027"]
    yearly = charts.month_ticks(d(2026, 1, 1), d(2032, 6, 1))
    assert len(yearly) <= 7 and all(label.isdigit() for _, label in yearly)


def test_empty_charts_say_so():
    assert "nothing to show" in charts.hbar_chart([], id_="a", title="t")
    assert "no dates to show" in charts.gantt_chart([], id_="g", title="t")
    assert "nothing to show" in charts.column_chart([], [], id_="c", title="t")


@pytest.mark.parametrize(("value", "text"), [(1.642937, "1.64"), (10.2, "10.2"), (40.0, "40"),
                                             (1404.682, "1,405"), (0.0, "0"), (-0.001, "0")])
def test_num(value, text):
    assert charts.num(value) == text


@pytest.mark.parametrize(("value", "text"), [(41643380.0, "$41.6M"), (950_000, "$950k"),
                                             (1.2e9, "$1.2B"), (12, "$12")])
def test_usd_short(value, text):
    assert charts.usd_short(value) == text


def test_esc_drops_characters_xml_cannot_hold():
    assert charts.esc("a\x00b<\x1f>") == "a?b&lt;?&gt;"


# --------------------------------------------------------------------------- the command

def test_plan_format_html(run, tmp_path):
    example = str(REPO / "examples" / "enterprise-pod.yaml")
    printed = run("plan", example, "--format", "html")
    assert printed.exit_code == 0 and printed.stdout.startswith("<!DOCTYPE html>")
    out = tmp_path / "plan.html"
    written = run("plan", example, "--format", "html", "-o", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_the_estimated_figures_table(examples):
    plan, catalog = examples["superpod-h100"]
    text = " ".join("".join(Page(plan_html(plan, catalog)).text).split())
    assert "Estimated catalog figures" in text and "rest on estimated catalog figures" in text
    for entry in plan.estimates.entries:
        assert entry.id in text and ", ".join(entry.estimated) in text
