"""Dated catalog figures, estimated figures, and vendor quotes that replace them.

Covers: ``as_of`` on entries and files, how overrides carry it, ``catalog list --stale``, the
marks of ``catalog list`` / ``show``, the plan's ``estimates`` (per selection, per entry, and
the dollars resting on estimates, which must add up from the BOM) and its staleness warning,
and the README's price sheet (``examples/catalogs/price-sheet.yaml``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

import rackplan
from rackplan.models.catalog import Server, months_between
from rackplan.planning.estimates import STALE_MONTHS, STALE_WARNING

REPO = Path(__file__).resolve().parent.parent
SHEET = REPO / "examples" / "catalogs" / "price-sheet.yaml"
POD = REPO / "examples" / "enterprise-pod.yaml"


def _all_entries(catalog: rackplan.Catalog) -> list:
    return [*catalog.gpus, *catalog.servers, *catalog.racks, *catalog.switches,
            *catalog.optics, *catalog.appliances]


# ------------------------------------------------------------------------------------ as_of


def test_every_bundled_entry_is_dated_and_every_server_has_its_shipping_month(bundled):
    undated = [e.id for e in _all_entries(bundled) if e.as_of is None]
    assert undated == []
    assert [s.id for s in bundled.servers if s.available is None] == []
    # dated no later than this catalog's last survey, and not before 2023
    for entry in _all_entries(bundled):
        assert "2023-01" <= entry.as_of <= "2026-12", entry.id


def test_every_month_has_a_source_line(bundled):
    from rackplan.models.catalog import source_line_fields

    for entry in _all_entries(bundled):
        named = set().union(*(source_line_fields(s) for s in entry.sources))
        assert "as_of" in named, entry.id
        if isinstance(entry, Server):
            assert "available" in named, entry.id


def test_months_between():
    assert months_between("2025-11", dt.date(2026, 11, 22)) == 12
    assert months_between("2025-10", dt.date(2026, 11, 1)) == 13
    assert months_between("2026-11", dt.date(2026, 11, 30)) == 0


def test_a_file_as_of_dates_its_entries_unless_an_entry_gives_its_own(write_yaml):
    path = write_yaml("quote.yaml", {
        "as_of": "2026-10",
        "servers": [{"id": "dell-xe9680-h200", "price_usd": 300000.0, "lead_time_weeks": 9.0},
                    {"id": "dell-xe9680-h100", "price_usd": 250000.0, "lead_time_weeks": 9.0,
                     "as_of": "2026-08"}]})
    cat = rackplan.load_catalog(path)
    assert cat.server("dell-xe9680-h200").as_of == "2026-10"
    assert cat.server("dell-xe9680-h100").as_of == "2026-08"


def test_a_quote_of_some_aging_figures_keeps_the_older_month(bundled, write_yaml):
    """A sheet quoting only the price leaves the bundled lead time, and its month, in place;
    an entry that gives nothing does not re-date it either."""
    bundled_month = bundled.server("dell-xe9680-h200").as_of
    helios = bundled.server("amd-helios-mi450").as_of
    path = write_yaml("quote.yaml", {"as_of": "2026-11", "servers": [
        {"id": "dell-xe9680-h200", "price_usd": 300000.0}, {"id": "amd-helios-mi450"}]})
    cat = rackplan.load_catalog(path)
    assert cat.server("dell-xe9680-h200").as_of == min(bundled_month, "2026-11") == bundled_month
    assert cat.server("amd-helios-mi450").as_of == helios == "2025-10"
    # a quote older than the bundled month dates the entry to the quote
    old = write_yaml("old.yaml", {"as_of": "2025-06", "servers": [
        {"id": "dell-xe9680-h200", "price_usd": 300000.0}]})
    assert rackplan.load_catalog(old).server("dell-xe9680-h200").as_of == "2025-06"


def test_a_source_line_that_names_no_field_still_makes_a_quote(bundled, write_yaml, run):
    path = write_yaml("q.yaml", {"servers": [{"id": "dell-xe9680-h200", "price_usd": 250000.0,
                                              "sources": ["Dell quote Q-77, 2026-11"]}]})
    server = rackplan.load_catalog(path).server("dell-xe9680-h200")
    assert "price_usd" not in server.estimated_fields()
    assert server.sources[-2:] == ["Dell quote Q-77, 2026-11", f"price_usd: overridden in {path}"]


def test_a_misspelt_field_in_a_source_line_is_an_error(write_yaml, run):
    path = write_yaml("q.yaml", {"servers": [{"id": "dell-xe9680-h200", "lead_time_weeks": 10.0,
                                              "sources": ["lead_time: dell quote"]}]})
    result = run("catalog", "validate", str(path))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: servers[dell-xe9680-h200].sources: ")
    assert "'lead_time'" in line and "did you mean 'lead_time_weeks'?" in line


def test_an_override_of_figures_without_a_month_leaves_the_entry_undated(bundled, write_yaml):
    assert bundled.server("dell-xe9680-h200").as_of is not None
    changed = rackplan.load_catalog(write_yaml("a.yaml", {
        "servers": [{"id": "dell-xe9680-h200", "price_usd": 300000.0}]}))
    assert changed.server("dell-xe9680-h200").as_of is None
    # restating the same figures changes nothing, so the month stays
    same = bundled.server("dell-xe9680-h200")
    kept = rackplan.load_catalog(write_yaml("b.yaml", {
        "servers": [{"id": same.id, "price_usd": same.price_usd}]}))
    assert kept.server(same.id).as_of == same.as_of


@pytest.mark.parametrize(("value", "message"), [
    ("2026-13", "is not a month"), ("26-11", "is not a month"),
    ("2026-11-05", "not a whole date"), (202611, "is not a month"), (2026, "is not a month"),
    ("[2026]", "is not a month")])
def test_a_bad_month_is_one_line_naming_file_entry_and_field(write_yaml, run, value, message):
    path = write_yaml("bad.yaml", f"servers:\n  - id: dell-xe9680-h200\n    as_of: {value}\n")
    result = run("catalog", "validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    assert "servers[dell-xe9680-h200]" in lines[0] and "as_of" in lines[0] and message in lines[0]


def test_a_bad_file_month_names_the_file_and_field(write_yaml, run):
    path = write_yaml("bad.yaml", "as_of: 2026-11-05\nservers: []\n")
    result = run("catalog", "list", "--catalog", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert str(path) in result.stderr and "as_of" in result.stderr
    assert "not a whole date" in result.stderr


# ------------------------------------------------------------------------- catalog list / show


def test_list_stale_keeps_entries_older_than_the_months_given(run, write_yaml):
    old = write_yaml("old.yaml", {"servers": [{"id": "dell-xe9680-h100", "price_usd": 240000.0,
                                               "as_of": "2024-04"}]})
    data = json.loads(run("catalog", "list", "--stale", "12", "--on", "2026-11-22", "--format",
                          "json", "--catalog", str(old)).stdout)
    servers = [e["id"] for e in data["servers"]]
    catalog = rackplan.load_catalog(old)
    assert "dell-xe9680-h100" in servers
    assert servers == [s.id for s in catalog.servers
                       if months_between(s.as_of, dt.date(2026, 11, 22)) > 12]
    # counted from twelve months after the override's month: not more than 12, nothing stale
    data = json.loads(run("catalog", "list", "--stale", "12", "--on", "2025-04-30", "--format",
                          "json", "--catalog", str(old)).stdout)
    assert all(items == [] for items in data.values())


def test_list_stale_against_a_direct_count(run, bundled):
    on = dt.date(2027, 6, 1)
    data = json.loads(run("catalog", "list", "--stale", "8", "--on", on.isoformat(),
                          "--format", "json").stdout)
    got = sorted(e["id"] for items in data.values() for e in items)
    want = sorted(e.id for e in _all_entries(bundled)
                  if (on.year * 12 + on.month) - (int(e.as_of[:4]) * 12 + int(e.as_of[5:])) > 8)
    assert got == want and want  # some entries are that old by mid-2027


def test_list_stale_table_says_what_it_kept(run):
    result = run("catalog", "list", "--kind", "racks", "--stale", "0", "--on", "2027-01-01")
    assert result.exit_code == 0
    assert "older than 0 months on 2027-01-01, or undated" in result.stdout
    assert " mo)" in result.stdout  # each entry's age


def test_list_rejects_a_negative_or_unparsable_stale(run):
    assert run("catalog", "list", "--stale", "-1").exit_code == 2
    assert run("catalog", "list", "--stale", "12", "--on", "2026-13-01").exit_code == 2


def test_list_marks_estimated_figures_and_json_names_them(run, bundled):
    table = run("catalog", "list", "--kind", "servers").stdout
    server = bundled.server("dell-xe9680-h200")
    assert "price_usd" in server.estimated_fields()
    row = next(line for line in table.splitlines() if line.startswith("dell-xe9680-h200 "))
    assert "330,000~" in row or f"{server.price_usd:,.0f}~" in row
    assert "~ estimate: no public figure" in table
    data = json.loads(run("catalog", "list", "--kind", "servers", "--format", "json").stdout)
    record = next(e for e in data["servers"] if e["id"] == server.id)
    assert record["estimated"] == server.estimated_fields()
    assert record["as_of"] == server.as_of


def test_show_marks_estimates_and_a_quote_clears_the_mark(run):
    before = run("catalog", "show", "dell-xe9680-h200").stdout
    price = next(line for line in before.splitlines() if line.startswith("price_usd"))
    assert price.endswith("(estimate)")
    after = run("catalog", "show", "dell-xe9680-h200", "--catalog", str(SHEET)).stdout
    lines = {line.split()[0]: line for line in after.splitlines() if line and line[0] != " "}
    assert lines["price_usd"].split()[1:] == ["289,000"]
    assert lines["lead_time_weeks"].split()[1:] == ["10"]
    assert lines["as_of"].split()[1:] == ["2026-11"]


def test_estimated_fields_follow_the_source_lines():
    base = dict(id="s", vendor="v", model="m", gpu="g", gpu_count=8, scale_up_gpus=8,
                u_height=1, power_idle_w=1.0, power_max_w=2.0, cooling="air",
                liquid_fraction=0.0, weight_kg=1.0, price_usd=1.0, lead_time_weeks=1.0,
                origin="US")
    server = Server(**base, sources=[
        "gpu_count, scale_up_gpus, u_height, weight_kg: a spec sheet",
        "power_idle_w, power_max_w: estimate: two PSUs of 1 kW",
        "price_usd: Estimate: list price less 20%",
        "lead_time_weeks, origin: a press report, 2026"])
    # liquid_fraction 0 of an air server is no figure; price_usd's 'Estimate' counts
    assert server.estimated_fields() == ["power_idle_w", "power_max_w", "price_usd"]
    unsourced = Server(**base, sources=["gpu_count: a spec sheet"])
    assert "gpu_count" not in unsourced.estimated_fields()
    assert {"price_usd", "origin", "u_height"} <= set(unsourced.estimated_fields())


def test_an_override_keeps_the_estimate_mark_only_on_the_fields_it_left(write_yaml, bundled):
    server = bundled.server("dell-xe9680-h200")
    assert {"power_idle_w", "power_max_w"} <= set(server.estimated_fields())
    cat = rackplan.load_catalog(write_yaml("q.yaml", {
        "servers": [{"id": server.id, "power_max_w": 10400.0,
                     "sources": ["power_max_w: measured at the wall, our lab, 2026-10"]}]}))
    estimated = cat.server(server.id).estimated_fields()
    assert "power_max_w" not in estimated
    assert "power_idle_w" in estimated  # untouched, still the bundled estimate


# ------------------------------------------------------------------------------ plan estimates


def _check_estimates_add_up(plan: rackplan.Plan, catalog: rackplan.Catalog) -> None:
    """The plan's estimated dollars, recomputed from its BOM, selections and the catalog."""
    e = plan.estimates
    assert e is not None
    tariffs = {s.server: 0.0 for s in plan.selections}
    for s in plan.selections:
        tariffs[s.server] += s.tariff_usd
    want = 0.0
    rates = dict(plan.inputs.scenario["site"]["tariffs"]) if plan.inputs else {}
    for line in plan.bom:
        if line.category == "tariffs":
            continue
        entry = catalog.get(line.item)
        estimated = set(entry.estimated_fields())
        if "price_usd" in estimated:
            want += line.extended_usd
        if {"price_usd", "origin"} & estimated:
            if line.item in tariffs:
                want += tariffs[line.item]
            elif line.category in ("switches", "appliances"):
                want += round(line.extended_usd * rates.get(entry.origin, 0.0), 2)
    assert e.capex_usd == pytest.approx(want, abs=0.01)
    assert 0 <= e.capex_usd <= plan.totals.capex_usd + 0.005
    energy = sum(s.energy_usd_per_year for s in plan.selections
                 if {"power_idle_w", "power_max_w"} & set(catalog.server(s.server).estimated_fields()))
    drives_energy = {"switch": {"power_typical_w"}, "optic": {"power_w"},
                     "appliance": {"power_idle_w", "power_max_w"}}
    if any(drives_energy[x.kind] & set(catalog.get(x.id).estimated_fields())
           for x in e.entries if x.kind in drives_energy):
        energy += plan.costs.network_energy_usd_per_year
    assert e.energy_usd_per_year == pytest.approx(energy, abs=0.01)
    assert e.energy_usd_per_year <= plan.totals.opex_usd_per_year + 0.005
    # one entry per BOM part, with its figures as the catalog marks them
    parts = [line for line in plan.bom if line.category != "tariffs"]
    assert [x.id for x in e.entries] == [line.item for line in parts]
    for x, line in zip(e.entries, parts, strict=True):
        assert x.estimated == catalog.get(x.id).estimated_fields()
        assert x.as_of == catalog.get(x.id).as_of
        assert x.extended_usd == line.extended_usd
    for s in plan.selections:
        server = catalog.server(s.server)
        gpu = catalog.gpu(server.gpu)
        assert s.estimated == server.estimated_fields() + [f"gpu.{f}" for f in gpu.estimated_fields()]
        assert s.as_of == server.as_of


def test_plan_lists_its_estimates_and_they_add_up(bundled):
    scenario = rackplan.load_scenario(POD)
    plan = rackplan.plan(scenario)
    _check_estimates_add_up(plan, bundled)
    assert plan.estimates.capex_usd > 0  # bundled prices are estimates
    kinds = {x.kind for x in plan.estimates.entries}
    assert {"server", "rack"} <= kinds


def test_plan_estimates_with_a_network_add_up(bundled):
    scenario = rackplan.load_scenario(REPO / "examples" / "superpod-h100.yaml")
    plan = rackplan.plan(scenario)
    _check_estimates_add_up(plan, bundled)
    assert {"switch", "optic"} <= {x.kind for x in plan.estimates.entries}


def test_a_vendor_quote_replaces_the_estimate_in_the_plan():
    """The README's price sheet: the plan prices the quoted server at the quote, counts none of
    the quoted dollars as estimated, and warns of nothing stale."""
    scenario = rackplan.load_scenario(POD)
    catalog = rackplan.load_catalog(SHEET)
    for server_id, quote in [("dell-xe9680-h200", 289000.0),
                             ("supermicro-sys-821ge-tnhr-h200", 276000.0)]:
        plan = rackplan.plan(scenario, catalog=catalog, force_models={"llm-finetune": server_id})
        (sel,) = plan.selections
        assert sel.server == server_id
        assert sel.server_usd == pytest.approx(sel.count * quote)
        assert "price_usd" not in sel.estimated and "lead_time_weeks" not in sel.estimated
        assert sel.as_of == "2026-11"
        rack_line = next(b for b in plan.bom if b.item == "air-48u-40kw")
        assert rack_line.unit_usd == 31000.0 and not rack_line.estimate
        # every capex dollar of this plan is quoted: servers, racks (no tariff on MX/US)
        assert plan.estimates.capex_usd == 0.0
        assert not [w for w in plan.warnings if w.startswith(STALE_WARNING)]
        _check_estimates_add_up(plan, catalog)


def test_the_cli_table_says_how_many_dollars_are_estimated(run):
    bundled_run = run("plan", str(POD))
    line = next(x for x in bundled_run.stdout.splitlines() if x.startswith("estimated_usd"))
    assert "of $" in line and "capex" in line and "rest on estimated catalog figures" in line
    assert "Estimated figures (catalog entries used)" in bundled_run.stdout
    quoted = run("plan", str(POD), "--catalog", str(SHEET))
    line = next(x for x in quoted.stdout.splitlines() if x.startswith("estimated_usd"))
    assert line.split()[1] == "$0"


def test_a_plan_warns_of_chosen_figures_older_than_twelve_months(write_yaml):
    scenario = rackplan.load_scenario(POD)  # ordered 2026-12-01
    old = write_yaml("old.yaml", {"as_of": "2025-11", "servers": [
        {"id": "dell-xe9680-h200", "price_usd": 250000.0}]})
    plan = rackplan.plan(scenario, catalog=rackplan.load_catalog(old),
                         force_models={"llm-finetune": "dell-xe9680-h200"})
    stale = [w for w in plan.warnings if w.startswith(STALE_WARNING)]
    assert len(stale) == 1
    assert "dell-xe9680-h200" in stale[0] and "2025-11" in stale[0] and "13 months" in stale[0]
    # twelve months is not more than twelve: no warning
    fresh = write_yaml("fresh.yaml", {"as_of": "2025-12", "servers": [
        {"id": "dell-xe9680-h200", "price_usd": 250000.0}]})
    plan = rackplan.plan(scenario, catalog=rackplan.load_catalog(fresh),
                         force_models={"llm-finetune": "dell-xe9680-h200"})
    assert not [w for w in plan.warnings if w.startswith(STALE_WARNING)]
    assert STALE_MONTHS == 12


def test_rack_types_are_checked_for_age_too(write_yaml):
    scenario = rackplan.load_scenario(POD)
    old = write_yaml("old.yaml", {"racks": [{"id": "air-48u-40kw", "price_usd": 30000.0,
                                             "as_of": "2024-06"}]})
    plan = rackplan.plan(scenario, catalog=rackplan.load_catalog(old))
    stale = [w for w in plan.warnings if w.startswith(STALE_WARNING)]
    assert any("air-48u-40kw's price is as of 2024-06" in w for w in stale)


def test_bundled_plans_of_the_examples_have_no_stale_figures():
    for name in ("enterprise-pod.yaml", "neocloud.yaml", "gb200-su.yaml"):
        plan = rackplan.plan(rackplan.load_scenario(REPO / "examples" / name))
        assert not [w for w in plan.warnings if w.startswith(STALE_WARNING)], name


# ------------------------------------------------------------------- overrides and their marks


def test_a_quote_at_the_bundled_value_still_replaces_the_estimate(bundled, write_yaml):
    switch = bundled.switch("nvidia-qm9700")
    assert "price_usd" in switch.estimated_fields()
    same = write_yaml("q.yaml", {"switches": [{"id": switch.id, "price_usd": switch.price_usd,
                                               "sources": ["price_usd: quote Q-1, 2026-11"]}]})
    quoted = rackplan.load_catalog(same).switch(switch.id)
    assert "price_usd" not in quoted.estimated_fields()
    assert not [s for s in quoted.sources if s.startswith("price_usd: estimate")]
    assert quoted.as_of == switch.as_of  # no figure changed: the month holds


def test_an_override_of_sources_alone_replaces_the_lines_of_the_fields_it_names(bundled, write_yaml):
    server = bundled.server("dell-xe9680-h200")
    assert "power_max_w" in server.estimated_fields()
    path = write_yaml("s.yaml", {"servers": [{"id": server.id, "sources": [
        "power_max_w: measured 10.4 kW at the wall in our lab, 2026-10"]}]})
    got = rackplan.load_catalog(path).server(server.id)
    assert got.power_max_w == server.power_max_w
    assert "power_max_w" not in got.estimated_fields()
    assert "power_idle_w" in got.estimated_fields()


def test_a_new_entry_without_sources_is_given_not_estimated(write_yaml, run):
    new = {"id": "acme-x1", "vendor": "Acme", "model": "X1", "gpu": "h200-sxm", "gpu_count": 8,
           "scale_up_gpus": 8, "u_height": 6, "power_idle_w": 2000.0, "power_max_w": 10000.0,
           "cooling": "air", "liquid_fraction": 0.0, "weight_kg": 100.0, "price_usd": 250000.0,
           "lead_time_weeks": 10.0, "origin": "US",
           "sources": ["power_max_w: estimate: our guess from the PSUs"]}
    path = write_yaml("mine.yaml", {"servers": [new]})
    server = rackplan.load_catalog(path).server("acme-x1")
    assert server.estimated_fields() == ["power_max_w"]
    assert server.sources[-1] == (f"gpu_count, scale_up_gpus, u_height, power_idle_w, weight_kg, "
                                  f"price_usd, lead_time_weeks, origin: given in {path}")
    shown = run("catalog", "show", "acme-x1", "--catalog", str(path)).stdout
    assert "1 of 9 figures rest on estimates" in shown


def test_a_new_month_replaces_the_line_about_the_old_one(bundled, write_yaml):
    server = bundled.server("dell-xe9680-h200")
    assert any(s.startswith("as_of:") for s in server.sources)
    dated = rackplan.load_catalog(write_yaml("d.yaml", {"as_of": "2026-11", "servers": [
        {"id": server.id, "price_usd": 300000.0, "lead_time_weeks": 9.0}]})).server(server.id)
    undated = rackplan.load_catalog(write_yaml("u.yaml", {"servers": [
        {"id": server.id, "price_usd": 300000.0}]})).server(server.id)
    for got in (dated, undated):
        assert not [s for s in got.sources if s.startswith("as_of:")]
    assert (dated.as_of, undated.as_of) == ("2026-11", None)


# ------------------------------------------------------------------------ tariffs and energy


def _taxed_pod(write_yaml, sheet: dict) -> tuple[rackplan.Plan, rackplan.Catalog]:
    scenario = rackplan.load_scenario(POD)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["site"]["tariffs"] = {"TW": 0.25}
    catalog = rackplan.load_catalog(write_yaml("sheet.yaml", sheet))
    plan = rackplan.plan(rackplan.Scenario.model_validate(data), catalog,
                         force_models={"llm-finetune": "nvidia-dgx-h200"})
    return plan, catalog


def test_a_tariff_rests_on_an_estimate_when_the_price_or_the_origin_does(write_yaml, bundled):
    dgx = bundled.server("nvidia-dgx-h200")
    assert {"price_usd", "origin"} <= set(dgx.estimated_fields())
    # the price quoted, the origin still an estimate: the tariff rests on the estimated origin
    plan, catalog = _taxed_pod(write_yaml, {"servers": [
        {"id": dgx.id, "price_usd": 340000.0, "sources": ["price_usd: quote Q-2, 2026-11"]}]})
    (sel,) = plan.selections
    assert sel.tariff_usd == pytest.approx(0.25 * sel.server_usd)
    tariff_line = next(b for b in plan.bom if b.category == "tariffs")
    assert not tariff_line.estimate and tariff_line.extended_usd == sel.tariff_usd
    racks = sum(b.extended_usd for b in plan.bom if b.category == "racks")
    assert plan.estimates.capex_usd == pytest.approx(sel.tariff_usd + racks)
    _check_estimates_add_up(plan, catalog)
    # price and origin quoted: nothing of the servers or their tariff is an estimate
    plan, catalog = _taxed_pod(write_yaml, {"as_of": "2026-11", "servers": [
        {"id": dgx.id, "price_usd": 340000.0, "origin": "TW",
         "sources": ["price_usd, origin: quote Q-2 (assembled in Taiwan), 2026-11"]}]})
    (sel,) = plan.selections
    assert sel.tariff_usd > 0
    assert plan.estimates.capex_usd == pytest.approx(racks)
    _check_estimates_add_up(plan, catalog)


def test_network_energy_rests_on_the_power_figures_energy_is_computed_from(write_yaml):
    """A switch's power_max_w only sizes reserved power: quoting the typical draw of every
    switch and the power of every optic and appliance takes the network energy out of the
    estimate, while power_max_w stays estimated."""
    scenario = rackplan.load_scenario(REPO / "examples" / "superpod-h100.yaml")
    base = rackplan.plan(scenario)
    assert base.costs.network_energy_usd_per_year > 0
    bundled = rackplan.load_catalog()
    measured = "measured in our lab, 2026-10"
    sheet: dict = {"switches": [], "optics": [], "appliances": []}
    for x in base.estimates.entries:
        entry = bundled.get(x.id)
        if x.kind == "switch":
            sheet["switches"].append({"id": x.id, "sources": [f"power_typical_w: {measured}"]})
            assert "power_max_w" in entry.estimated_fields()
        elif x.kind == "optic":
            sheet["optics"].append({"id": x.id, "sources": [f"power_w: {measured}"]})
        elif x.kind == "appliance":
            sheet["appliances"].append({"id": x.id, "sources": [
                f"power_idle_w, power_max_w: {measured}"]})
    catalog = rackplan.load_catalog(write_yaml("power.yaml", sheet))
    plan = rackplan.plan(scenario, catalog)
    assert plan.totals.opex_usd_per_year == base.totals.opex_usd_per_year
    servers = sum(s.energy_usd_per_year for s in plan.selections)
    assert plan.estimates.energy_usd_per_year == pytest.approx(servers)
    assert base.estimates.energy_usd_per_year == pytest.approx(
        servers + base.costs.network_energy_usd_per_year)
    _check_estimates_add_up(plan, catalog)


def test_a_later_phase_is_warned_of_by_its_own_order_date(write_yaml):
    scenario = rackplan.load_scenario(POD)  # ordered 2026-12-01
    data = scenario.model_dump(mode="json", exclude_none=True)
    work = data["workloads"][0]
    work.pop("gpus")
    work["phases"] = [{"gpus": 64}, {"gpus": 192, "order_date": "2028-06-01"}]
    sheet = write_yaml("q.yaml", {"as_of": "2026-11", "servers": [
        {"id": "dell-xe9680-h200", "price_usd": 289000.0, "lead_time_weeks": 10.0}]})
    plan = rackplan.plan(rackplan.Scenario.model_validate(data), rackplan.load_catalog(sheet),
                         force_models={"llm-finetune": "dell-xe9680-h200"})
    stale = [w for w in plan.warnings if w.startswith(STALE_WARNING) and "dell-xe9680-h200" in w]
    assert len(stale) == 1 and "19 months before the order date 2028-06-01" in stale[0]


def test_an_undated_server_is_warned_of(write_yaml):
    from rackplan.planning.estimates import UNDATED_WARNING

    scenario = rackplan.load_scenario(POD)
    sheet = write_yaml("q.yaml", {"servers": [{"id": "dell-xe9680-h200", "price_usd": 289000.0}]})
    plan = rackplan.plan(scenario, rackplan.load_catalog(sheet),
                         force_models={"llm-finetune": "dell-xe9680-h200"})
    (warning,) = [w for w in plan.warnings if w.startswith(UNDATED_WARNING)]
    assert "dell-xe9680-h200 has no as_of" in warning
    dated = write_yaml("d.yaml", {"as_of": "2026-11", "servers": [
        {"id": "dell-xe9680-h200", "price_usd": 289000.0}]})
    plan = rackplan.plan(scenario, rackplan.load_catalog(dated),
                         force_models={"llm-finetune": "dell-xe9680-h200"})
    assert not [w for w in plan.warnings if w.startswith(UNDATED_WARNING)]


def test_a_delivery_before_the_first_shipments_is_warned_of():
    from rackplan.planning.estimates import NOT_YET_SHIPPING

    data = rackplan.load_scenario(REPO / "examples" / "rubin-xe8812.yaml").model_dump(
        mode="json", exclude_none=True)
    catalog = rackplan.load_catalog()
    server = catalog.server("dell-xe8812-rubin")
    first = dt.date(int(server.available[:4]), int(server.available[5:]), 1)
    lead = dt.timedelta(days=math.ceil(7 * server.lead_time_weeks))
    data["start"] = (first - lead - dt.timedelta(days=60)).isoformat()  # arrives 2 months early
    plan = rackplan.plan(rackplan.Scenario.model_validate(data), catalog)
    (warning,) = [w for w in plan.warnings if NOT_YET_SHIPPING in w]
    assert f"(available {server.available})" in warning and "available_from" in warning
    data["start"] = (first - lead).isoformat()  # arrives on the first of the month: fine
    plan = rackplan.plan(rackplan.Scenario.model_validate(data), catalog)
    assert not [w for w in plan.warnings if NOT_YET_SHIPPING in w]


def test_filters_list_only_the_sections_with_matches(run):
    table = run("catalog", "list", "--vendor", "ASUS").stdout
    assert table.startswith("Servers (1)") and "GPUs (0)" not in table
    assert run("catalog", "list", "--vendor", "nosuch").stdout == "No entry matches.\n"
    # a section asked for by --kind is shown even when empty
    assert run("catalog", "list", "--kind", "servers", "--vendor", "nosuch").stdout.startswith(
        "Servers (0)")


def test_csv_writes_network_ports_as_json(run):
    import csv
    import io

    text = run("catalog", "list", "--kind", "servers", "--format", "csv").stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    network = json.loads(rows["dell-xe9680-h200"]["network"])
    assert network["compute"] == {"ports": 8, "gbps": 400.0, "cage": "osfp", "rails": None}


def test_a_bad_gpu_override_is_one_problem_not_one_per_server_of_it(write_yaml, run):
    path = write_yaml("g.yaml", {"gpus": [{"id": "h100-sxm", "generation": "Hopper"}]})
    result = run("catalog", "validate", str(path))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: gpus[h100-sxm].generation: 'Hopper' is not a valid id")
