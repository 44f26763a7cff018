"""Rack elevations (``rackplan draw``, ``plan --format svg``): layouts grouped, every slot drawn
once where it sits, labels escaped, the same bytes every time, a cap on many layouts, and the
command's errors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

import rackplan
from rackplan import _io
from rackplan.cli import plan as plan_cli
from rackplan.models.result import Plan, Rack, Slot
from rackplan.render import elevation
from rackplan.render.charts import OVER, fit, num
from rackplan.render.elevation import (
    AMPS_NOTE,
    BOX_W,
    INNER_X,
    INNER_Y,
    U_PX,
    UNITS_NOTE,
    abbreviate_ids,
    group_layouts,
    plan_svg,
    select_layouts,
)

from .example_plans import EXAMPLES, planned_examples  # noqa: F401  (shared with test_report_html)

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="session")
def examples() -> dict[str, tuple[Plan, rackplan.Catalog]]:
    return planned_examples()


def classes(node: ET.Element) -> set[str]:
    return set((node.get("class") or "").split())


def translate(node: ET.Element) -> tuple[float, float]:
    match = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", node.get("transform") or "")
    assert match, node.get("transform")
    return float(match.group(1)), float(match.group(2))


def independent_layouts(plan: Plan) -> dict[str, list[str]]:
    """Rack ids by layout, keyed from the plan's JSON (not the module's key)."""
    out: dict[str, list[str]] = {}
    for rack in plan.model_dump(mode="json")["racks"]:
        slots = sorted([s["u"], s["height"], s["device"], s["workload"] or "", s["fabric"] or "",
                        s["role"] or "", s["kind"], s["label"] or ""] for s in rack["slots"])
        out.setdefault(json.dumps([rack["rack"], slots]), []).append(rack["id"])
    return out


def elevations(svg_text: str) -> list[ET.Element]:
    root = ET.fromstring(svg_text)
    return [g for g in root.iter(f"{SVG}g") if "elevation" in classes(g)]


N_SITE_RACKS = """\
racks:
  - id: air-42u-2x17kw
    u_height: 42
    power_kw: 17
    feeds: 2
    air_cooling_kw: 30
    liquid_cooling_kw: 0
    max_load_kg: 1133.98
    price_usd: 20000
    reserved_u_bottom: 2
    reserved_u_top: 1
"""
N_SITE = """\
name: n-site
start: 2027-01-04
objective: capex
horizon_years: 4
catalogs: [racks.yaml]
site:
  it_power_kw: 1000
  pue: 1.3
  electricity_usd_per_kwh: 0.08
  power_redundancy: N
  voltage_v: 208
  power_factor: 0.9
  rack_positions:
    - {rack: air-42u-2x17kw, count: 30}
workloads:
  - name: inf
    gpus: 160
    allowed: [dell-r760xa-h100pcie]
"""
"""A site under power redundancy N whose racks draw more than one feed's rating: every rack
trips on a feed loss."""


def feed_loss_plan(folder: Path) -> tuple[Plan, rackplan.Catalog]:
    """The plan of :data:`N_SITE` (written to ``folder``) and its catalog."""
    (folder / "racks.yaml").write_text(N_SITE_RACKS)
    (folder / "n-site.yaml").write_text(N_SITE)
    scenario = rackplan.load_scenario(folder / "n-site.yaml")
    catalog = rackplan.load_catalog(*scenario.catalog_paths())
    plan = rackplan.plan(scenario, catalog)
    assert plan.feed_loss is not None and plan.feed_loss.racks == [r.id for r in plan.racks]
    return plan, catalog


@pytest.fixture(scope="session")
def n_site(tmp_path_factory) -> tuple[Plan, rackplan.Catalog]:
    return feed_loss_plan(tmp_path_factory.mktemp("n-site"))


def renamed(plan: Plan, old: str, new: str) -> Plan:
    """The plan with workload ``old`` called ``new`` everywhere."""
    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return value.replace(old, new)
        return value
    return Plan.model_validate(walk(plan.model_dump(mode="json")))


# --------------------------------------------------------------------------- layouts

@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_layouts_match_an_independent_grouping(examples, name):
    plan, _ = examples[name]
    layouts = group_layouts(plan)
    expected = independent_layouts(plan)
    assert len(layouts) == len(expected)
    assert sorted(lay.ids for lay in layouts) == sorted(expected.values())
    assert sum(len(lay.racks) for lay in layouts) == len(plan.racks)
    for lay in layouts:
        assert {r.rack for r in lay.racks} == {lay.rack}
    firsts = [lay.first.id for lay in layouts]
    assert firsts == sorted(firsts), "layouts come in the order their first rack is installed"


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_slot_drawn_once_at_its_height(examples, name):
    plan, catalog = examples[name]
    text = plan_svg(plan, catalog, max_layouts=1000)
    layouts = group_layouts(plan)
    drawn = elevations(text)
    assert len(drawn) == len(layouts)
    for lay, g in zip(layouts, drawn, strict=True):
        u_height = catalog.rack(lay.rack).u_height
        assert g.get("data-rack") == lay.rack and int(g.get("data-u-height")) == u_height
        assert int(g.get("data-racks")) == len(lay.racks)
        interior = [r for r in g.iter(f"{SVG}rect") if "rack-interior" in classes(r)]
        assert len(interior) == 1
        top = float(interior[0].get("y"))
        assert top == INNER_Y and float(interior[0].get("height")) == u_height * U_PX
        rects = [r for r in g.iter(f"{SVG}rect") if "slot" in classes(r)]
        got = sorted((float(r.get("y")), float(r.get("height"))) for r in rects)
        want = sorted((top + (u_height - (s.u + s.height - 1)) * U_PX, float(s.height * U_PX))
                      for s in lay.first.slots)
        assert got == want
        for r in rects:
            assert float(r.get("x")) == INNER_X
            assert top <= float(r.get("y")) and float(r.get("y")) + float(r.get("height")) <= (
                top + u_height * U_PX)


def test_u_numbers_count_from_the_bottom(examples):
    plan, catalog = examples["superpod-h100"]
    g = elevations(plan_svg(plan, catalog))[0]
    numbers = next(n for n in g.iter(f"{SVG}g") if "u-numbers" in classes(n))
    ys = {int(t.text): float(t.get("y")) for t in numbers}
    assert sorted(ys) == list(range(1, 49))
    assert all(ys[u] > ys[u + 1] for u in range(1, 48)), "unit 1 is lowest on the page"


def test_labels_are_present_and_escaped(examples):
    plan, catalog = examples["superpod-h100"]
    odd = 'tr<&>"ain\'s'
    text = plan_svg(renamed(plan, "training", odd), catalog)
    assert odd not in text and "tr&lt;&amp;&gt;" in text
    root = ET.fromstring(text)  # well-formed
    labels = [t.text or "" for t in root.iter(f"{SVG}text")]
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert any(label == odd for label in labels), "the workload labels its servers"
    assert any(odd in label and "nvidia-dgx-h100" in label and "kW" in label for label in titles)
    assert any(f"compute:{odd}" in t for t in titles), "network devices show their fabric"
    assert odd in labels, "the legend names the workload"


def test_same_plan_same_bytes(examples):
    plan, catalog = examples["gb200-su"]
    first = plan_svg(plan, catalog)
    assert plan_svg(plan, catalog) == first
    again = Plan.model_validate_json(plan.model_dump_json())
    assert plan_svg(again, catalog) == first


def test_standalone_svg_1_1(examples):
    plan, catalog = examples["rubin-xe8812"]
    text = plan_svg(plan, catalog)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and root.get("version") == "1.1"
    width, height = root.get("width"), root.get("height")
    assert float(width) > 0 and root.get("viewBox") == f"0 0 {width} {height}"
    assert "<script" not in text and "href" not in text and "<image" not in text
    assert any("slot-reserved" in classes(r) for r in root.iter(f"{SVG}rect"))
    legend = next(g for g in root.iter(f"{SVG}g") if "legend" in classes(g))
    assert "reserved" in [t.text for t in legend.iter(f"{SVG}text")]


def test_limit_bars_and_feeds_beside_each_elevation(examples):
    plan, catalog = examples["superpod-h100"]
    root = ET.fromstring(plan_svg(plan, catalog))
    panels = [g for g in root.iter(f"{SVG}g") if "rack-limits" in classes(g)]
    assert len(panels) == len(group_layouts(plan))
    first = plan.racks[0]  # air-48u-40kw, 2N: usable 40 kW
    texts = [t.text for t in panels[0].iter(f"{SVG}text")]
    assert f"{first.power_kw:g} / 40 kW · {first.power_kw / 40:.0%}" in texts
    assert f"{first.u_used} / 48 U · {first.u_used / 48:.0%}" in texts
    kinds = [next(iter(classes(g) - {"usage"})) for g in panels[0].iter(f"{SVG}g")
             if "usage" in classes(g)]
    assert kinds == ["usage-power", "usage-air", "usage-liquid", "usage-units", "usage-weight",
                     "usage-feed", "usage-feed"]
    assert "Feed A" in texts and "FEEDS · 2N" in texts


def texts_of(node: ET.Element) -> list[str]:
    return [t.text or "" for t in node.iter(f"{SVG}text")]


def test_feed_loss_is_flagged_on_the_elevations(n_site, examples):
    """Under N, a layout whose racks trip says so in red, and its feed bars (red) show what a
    surviving feed would carry: power_kw / (feeds - 1), with the amps in proportion."""
    plan, catalog = n_site
    root = ET.fromstring(plan_svg(plan, catalog))
    layouts = [g for g in root.iter(f"{SVG}g") if "layout" in classes(g)]
    assert layouts and all("trips" in classes(g) for g in layouts)
    rack = group_layouts(plan)[0].first
    surviving = rack.power_kw / (len(rack.feeds) - 1)
    assert surviving > rack.feeds[0].rated_kw, "the example trips"
    panel = next(g for g in layouts[0].iter(f"{SVG}g") if "rack-limits" in classes(g))
    note = next(g for g in panel.iter(f"{SVG}g") if "feed-loss-note" in classes(g))
    assert texts_of(note) == ["Trips on a feed loss",
                              f"a surviving feed would carry {num(surviving)} kW"]
    assert all(t.get("fill") == OVER for t in note.iter(f"{SVG}text"))
    feeds = [g for g in panel.iter(f"{SVG}g") if "usage-feed" in classes(g)]
    assert len(feeds) == len(rack.feeds) and all("feed-loss" in classes(g) for g in feeds)
    for g, feed in zip(feeds, rack.feeds, strict=True):
        amps = feed.amps * surviving / feed.kw
        assert f"{num(surviving)} kW · {num(amps)} A" in texts_of(g)
        fill = next(r for r in g.iter(f"{SVG}rect") if "usage-fill" in classes(r))
        assert fill.get("fill") == OVER
    assert f"if another feed fails (now {num(rack.feeds[0].kw)} kW)" in texts_of(panel)

    plan_2n, catalog_2n = examples["superpod-h100"]  # 2N: nothing of the kind
    text = plan_svg(plan_2n, catalog_2n)
    assert "feed-loss" not in text and "Trips on a feed loss" not in text
    assert 'class="layout trips"' not in text


def test_device_labels_put_the_role_first(examples):
    """A one-unit network device reads role · fabric · model, so cutting it to fit drops the
    model, not the role; servers read model · workload."""
    plan, catalog = examples["superpod-h100"]
    root = ET.fromstring(plan_svg(plan, catalog, max_layouts=1000))
    drawn = {t.text for t in root.iter(f"{SVG}text") if "slot-label" in classes(t)}
    one_u = [s for r in plan.racks for s in r.slots
             if s.kind == "device" and s.height == 1 and s.role and s.fabric]
    assert {s.role for s in one_u} >= {"leaf", "spine"}
    for slot in one_u:
        # an appliance's fabric (appliances) repeats its role (appliance): named once
        who = slot.role if slot.fabric.startswith(slot.role) else f"{slot.role} · {slot.fabric}"
        label = fit(f"{who} · {slot.device}", BOX_W - 18 - 9 * 0.58 * len(f"{num(slot.kw)} kW"), 9)
        assert label in drawn, label
        assert label.startswith(who), "the role and fabric fit"
    assert "spine · compute:training · nvidia-qm9700 · 1.64 kW" in " ".join(
        t.text or "" for t in root.iter(f"{SVG}title"))


def test_open_rack_units_are_labelled_ou(examples):
    plan, catalog = examples["rubin-xe8812"]
    assert catalog.rack(plan.racks[0].rack).form_factor == "orv3-21"
    root = ET.fromstring(plan_svg(plan, catalog))
    texts = texts_of(root)
    rack = plan.racks[0]
    assert f"{rack.u_used} / {catalog.rack(rack.rack).u_height} OU · " \
        f"{rack.u_used / catalog.rack(rack.rack).u_height:.0%}" in texts
    reserved = [t for t in texts if "(reserved)" in t]
    assert reserved and all(t.endswith("OU") for t in reserved)
    assert not [t for t in texts if re.search(r"\d U\b|\dU$", t)], "no plain U on an ORv3 rack"
    notes = " ".join(texts_of(next(g for g in root.iter(f"{SVG}g") if "notes" in classes(g))))
    assert " ".join(UNITS_NOTE.split()) in notes and "not millimetres" in notes

    plan_u, catalog_u = examples["superpod-h100"]  # EIA racks: U
    root = ET.fromstring(plan_svg(plan_u, catalog_u))
    notes = texts_of(next(g for g in root.iter(f"{SVG}g") if "notes" in classes(g)))
    texts = [t for t in texts_of(root) if t not in notes]
    assert f"{plan_u.racks[0].u_used} / 48 U · " in " ".join(texts)
    assert not [t for t in texts if " OU" in t or t.endswith("OU")]


def test_the_drawing_says_what_the_amps_are(examples):
    plan, catalog = examples["superpod-h100"]
    root = ET.fromstring(plan_svg(plan, catalog))
    notes = " ".join(texts_of(next(g for g in root.iter(f"{SVG}g") if "notes" in classes(g))))
    assert AMPS_NOTE in notes
    assert "site.voltage_v, site.power_factor; 415 V and 0.95 by default" in notes


# --------------------------------------------------------------------------- ids and the cap

@pytest.mark.parametrize(("ids", "text"), [
    (["r0001"], "r0001, 1 rack"),
    ([f"r{k:04d}" for k in range(1, 13)], "r0001–r0012, 12 racks"),
    (["r0001", "r0002", "r0005", "r0009", "r0010"], "r0001–r0002, r0005, r0009–r0010, 5 racks"),
    (["r0001", "r0003", "r0005", "r0007", "r0008"], "r0001, r0003, r0005, …, 5 racks"),
    (["a", "b", "r9", "r10"], "a, b, r9, …, 4 racks"),
    ([f"r{k:04d}" for k in range(1, 1201)], "r0001–r1200, 1,200 racks"),
])
def test_abbreviated_ids(ids, text):
    assert abbreviate_ids(ids) == text


def many_layouts(plan: Plan, count: int) -> Plan:
    """``count`` racks, each of its own layout: one server at a different height, or two."""
    base = plan.racks[0]
    server = base.slots[0]
    racks: list[Rack] = []
    positions = [(a,) for a in range(1, 42)] + [(a, b) for a in range(1, 34)
                                                for b in range(a + 8, 42)]
    for k in range(count):
        slots = [server.model_copy(update={"u": u}) for u in positions[k % len(positions)]]
        racks.append(base.model_copy(update={"id": f"r{k + 1:04d}", "slots": slots}))
    return plan.model_copy(update={"racks": racks})


def test_many_layouts_are_capped_with_a_note(examples):
    plan, catalog = examples["superpod-h100"]
    big = many_layouts(plan, 200)
    assert len(group_layouts(big)) == 200
    text = plan_svg(big, catalog)
    assert len(elevations(text)) == elevation.DEFAULT_MAX_LAYOUTS == 50
    assert "and 150 more layouts (150 racks) not drawn" in text
    root = ET.fromstring(text)
    assert float(root.get("width")) < 2000, "three columns, not 50 side by side"
    cells = [translate(g) for g in root.iter(f"{SVG}g") if "layout" in classes(g)]
    assert len({x for x, _ in cells}) == 3 and len({y for _, y in cells}) == 17
    assert len(elevations(plan_svg(big, catalog, max_layouts=7))) == 7


def test_the_cap_keeps_the_layouts_with_the_most_racks(examples):
    plan, _ = examples["enterprise-pod"]
    layouts = group_layouts(plan)
    assert [len(lay.racks) for lay in layouts] == [10, 1]
    shown, hidden = select_layouts(layouts, 1)
    assert shown == layouts[:1] and hidden == layouts[1:]


def test_unknown_rack_type_is_drawn_without_limits(examples):
    plan, catalog = examples["enterprise-pod"]
    odd = plan.model_copy(update={"racks": [r.model_copy(update={"rack": "mystery-rack"})
                                            for r in plan.racks]})
    assert elevation.unknown_rack_types(odd, catalog) == ["mystery-rack"]
    root = ET.fromstring(plan_svg(odd, catalog))
    g = elevations(ET.tostring(root, encoding="unicode"))[0]
    top = max(s.u + s.height - 1 for s in odd.racks[0].slots)
    assert int(g.get("data-u-height")) == top, "drawn up to its highest used unit"
    kinds = {c for g in root.iter(f"{SVG}g") for c in classes(g) if c.startswith("usage-")}
    assert kinds == {"usage-feed"}, "feeds (from the plan) but no limit bars"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Rack type not in the catalog:" in texts


def test_empty_plan_draws_a_note(examples):
    plan, catalog = examples["enterprise-pod"]
    text = plan_svg(plan.model_copy(update={"racks": []}), catalog)
    assert "The plan has no racks." in text and not elevations(text)


def test_network_and_reserved_units_are_grey(examples):
    plan, catalog = examples["superpod-h100"]
    colors = elevation.workload_colors(plan)
    for rack in plan.racks:
        for slot in rack.slots:
            fill = elevation.slot_fill(slot, colors)
            if slot.workload is None:
                r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
                assert max(r, g, b) - min(r, g, b) <= 24, f"{fill} is not grey"
            else:
                assert fill == colors[slot.workload] == elevation.PALETTE[0]


# --------------------------------------------------------------------------- the command

@pytest.fixture
def plan_file(examples, tmp_path) -> Path:
    plan, _ = examples["superpod-h100"]
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(indent=2))
    return path


def test_draw_equals_plan_format_svg(run, plan_file, tmp_path):
    drawn = run("draw", str(plan_file))
    assert drawn.exit_code == 0 and drawn.stderr == ""
    planned = run("plan", str(REPO / "examples" / "superpod-h100.yaml"), "--format", "svg")
    assert planned.exit_code == 0
    assert drawn.stdout == planned.stdout
    ET.fromstring(drawn.stdout)


def test_draw_writes_atomically(run, plan_file, tmp_path, monkeypatch):
    out = tmp_path / "racks.svg"
    out.write_text("previous\n")
    out.chmod(0o640)
    result = run("draw", str(plan_file), "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text() == run("draw", str(plan_file)).stdout
    assert out.stat().st_mode & 0o777 == 0o640
    assert not list(tmp_path.glob("*.tmp"))

    out.write_text("previous\n")

    def fail(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_io.os, "fsync", fail)
    result = run("draw", str(plan_file), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {out}: cannot write output: No space left on device"]
    assert out.read_text() == "previous\n" and not list(tmp_path.glob("*.tmp"))


def test_draw_max_layouts(run, examples, tmp_path):
    plan, _ = examples["superpod-h100"]
    path = tmp_path / "many.json"
    path.write_text(many_layouts(plan, 60).model_dump_json())
    result = run("draw", str(path), "--max-layouts", "5")
    assert result.exit_code == 0
    assert len(elevations(result.stdout)) == 5 and "and 55 more layouts" in result.stdout
    assert run("draw", str(path), "--max-layouts", "0").exit_code == 2


def test_draw_unknown_rack_type_warns_once(run, examples, tmp_path):
    plan, catalog_of = examples["enterprise-pod"]
    odd = plan.model_copy(update={"racks": [r.model_copy(update={"rack": "mystery-rack"})
                                            for r in plan.racks]})
    path = tmp_path / "odd.json"
    path.write_text(odd.model_dump_json())
    result = run("draw", str(path))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: rack type mystery-rack not in the catalog: drawn without limit bars (give the "
        "catalog file with --catalog FILE)"]
    known = catalog_of.rack(plan.racks[0].rack).model_dump(mode="json", exclude_none=True)
    catalog = tmp_path / "racks.yaml"
    catalog.write_text(yaml.safe_dump({"racks": [known | {"id": "mystery-rack", "u_height": 42}]}))
    with_catalog = run("draw", str(path), "--catalog", str(catalog))
    assert with_catalog.exit_code == 0, with_catalog.stderr
    assert with_catalog.stderr == "" and 'data-u-height="42"' in with_catalog.stdout


@pytest.mark.parametrize(("content", "message"), [
    (None, "file not found"),
    ("{not json", "not JSON: "),
    (json.dumps({"infeasible": True, "proven": True, "search_limit": False,
                 "reasons": ["it power"], "details": {}}),
     "is the diagnosis of an infeasible scenario, not a plan"),
    ("[1, 2]", "expected a plan object, got list"),
])
def test_draw_bad_plan_files(run, tmp_path, content, message):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "racks.svg"
    result = run("draw", str(path), "-o", str(out))
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ") and message in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_draw_a_scenario_says_how(run, tmp_path, suffix):
    """A scenario given to draw: the error says to plan it as SVG (the file name as given)."""
    path = tmp_path / f"my scenario{suffix}"
    path.write_text((REPO / "examples" / "superpod-h100.yaml").read_text())
    result = run("draw", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: not JSON: ")
    assert lines[0].endswith(f"; to draw a scenario, run 'rackplan plan '{path}' --format svg'")
    text = tmp_path / "notes.json"
    text.write_text("name: x\n")
    assert "to draw a scenario" not in run("draw", str(text)).stderr, "a .json file: no hint"


def test_slot_model_fields_used_by_the_drawing_exist():
    """The layout key reads these slot fields; a rename in the model must fail here."""
    assert {"u", "height", "device", "workload", "fabric", "role", "kind", "label", "kw",
            "weight_kg"} <= set(Slot.model_fields)


def test_plan_formats_dispatch_binary_ones_to_a_file_only(examples, tmp_path, monkeypatch):
    """A binary format (as xlsx will be) needs -o, checked before planning; bytes are written
    as they are."""
    plan, catalog = examples["enterprise-pod"]
    fake = plan_cli._Format(lambda result, _: f"{result.scenario}\x00".encode(), binary=True)
    monkeypatch.setitem(plan_cli.PLAN_FORMATS, "fake", fake)
    with pytest.raises(click.UsageError, match="--format fake writes a binary file: give -o FILE"):
        plan_cli._check_output("fake", None)
    plan_cli._check_output("fake", str(tmp_path / "x.bin"))
    plan_cli._check_output("html", None)
    out = tmp_path / "x.bin"
    plan_cli._write_plan(plan, catalog, "fake", str(out))
    assert out.read_bytes() == b"enterprise-pod\x00"
    assert list(plan_cli.PLAN_FORMATS)[:5] == ["table", "json", "csv", "markdown", "bom"]
    assert {"svg", "html"} <= set(plan_cli.PLAN_FORMATS)
