"""Loading: merging user catalogs over the bundled one, and scenario references."""

from __future__ import annotations

import pytest

import rackplan

NEW_SERVER = {"id": "acme-x1", "vendor": "Acme", "model": "X1", "gpu": "h200-sxm",
              "gpu_count": 8, "scale_up_gpus": 8, "u_height": 6, "power_idle_w": 2000,
              "power_max_w": 10000, "cooling": "air", "liquid_fraction": 0, "weight_kg": 100,
              "price_usd": 250000, "lead_time_weeks": 10, "origin": "US",
              "sources": ["all: test"]}


def scenario_doc(**site_changes):
    site = {"it_power_kw": 1000, "power_redundancy": "2N",
            "rack_positions": [{"rack": "air-48u-40kw", "count": 10}], **site_changes}
    return {"name": "t", "start": "2026-12-01", "site": site,
            "workloads": [{"name": "w", "gpus": 64}]}


def test_partial_override_changes_only_given_fields(bundled, write_yaml):
    path = write_yaml("prices.yaml", {"servers": [{"id": "dell-xe9680-h200", "price_usd": 290000}]})
    merged = rackplan.load_catalog(path)
    server = merged.server("dell-xe9680-h200")
    base = bundled.server("dell-xe9680-h200")
    assert server.price_usd == 290000
    assert server.model_dump(exclude={"price_usd", "sources", "as_of"}) == \
        base.model_dump(exclude={"price_usd", "sources", "as_of"})
    # a figure changed without a month of its own: the entry's old month no longer holds
    assert base.as_of is not None and server.as_of is None
    assert merged.source_files["dell-xe9680-h200"] == str(path)
    assert server.sources[-1] == f"price_usd: overridden in {path}"
    assert merged.source_files["dell-xe9680-h100"] == bundled.source_files["dell-xe9680-h100"]


def test_new_entries_are_added(bundled, write_yaml):
    path = write_yaml("mine.yaml", {"servers": [NEW_SERVER]})
    merged = rackplan.load_catalog(path)
    assert merged.server("acme-x1").vendor == "Acme"
    assert len(merged.servers) == len(bundled.servers) + 1


def test_same_id_in_two_user_files_is_an_error(write_yaml):
    a = write_yaml("a.yaml", {"servers": [NEW_SERVER]})
    b = write_yaml("b.yaml", {"servers": [NEW_SERVER]})
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(a, b)
    assert info.value.file == str(b)
    assert f"also defined in {a}" in str(info.value)


def test_same_file_twice_is_an_error(write_yaml):
    a = write_yaml("a.yaml", {"servers": [NEW_SERVER]})
    with pytest.raises(rackplan.CatalogError, match="given twice"):
        rackplan.load_catalog(a, a)


def test_override_breaking_a_rule_names_the_user_file(write_yaml):
    path = write_yaml("bad.yaml", {"servers": [{"id": "dell-xe9680-h200", "power_idle_w": 20000}]})
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(path)
    assert info.value.file == str(path)
    assert info.value.entry == "servers[dell-xe9680-h200]"
    assert "above power_max_w" in str(info.value)


def test_server_pointing_at_a_rack_id_is_not_a_gpu(write_yaml):
    path = write_yaml("x.yaml", {"servers": [{**NEW_SERVER, "gpu": "air-48u-40kw"}]})
    with pytest.raises(rackplan.CatalogError, match="is not a GPU entry"):
        rackplan.load_catalog(path)


def test_catalog_lookup_by_kind(bundled):
    assert bundled.gpu("h200-sxm").memory_gb == 141
    with pytest.raises(KeyError):
        bundled.gpu("dell-xe9680-h200")
    assert "orv3-dlc-300kw" in bundled and "nope" not in bundled


def test_catalog_built_in_python_checks_references(bundled):
    with pytest.raises(ValueError, match="not a GPU in the catalog"):
        rackplan.Catalog(gpus=[], servers=[bundled.server("dell-xe9680-h200")], racks=[])


def test_scenario_catalogs_resolve_relative_to_the_scenario(tmp_path, write_yaml, monkeypatch):
    write_yaml("site/extra/mine.yaml", {"servers": [NEW_SERVER]})
    doc = scenario_doc()
    doc["catalogs"] = ["extra/mine.yaml"]
    doc["workloads"][0]["allowed"] = ["acme-x1"]
    path = write_yaml("site/scenario.yaml", doc)
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    scenario = rackplan.load_scenario(path)
    assert scenario.base_dir == (tmp_path / "site").resolve()
    assert scenario.catalog_paths() == [(tmp_path / "site").resolve() / "extra/mine.yaml"]


def test_scenario_missing_catalog_file(write_yaml):
    doc = scenario_doc()
    doc["catalogs"] = ["missing.yaml"]
    path = write_yaml("s.yaml", doc)
    with pytest.raises(rackplan.CatalogError, match="catalogs\\[0\\]: 'missing.yaml' not found") as info:
        rackplan.load_scenario(path)
    assert info.value.file == str(path)


def test_scenario_catalog_that_is_itself(write_yaml):
    doc = scenario_doc()
    doc["catalogs"] = ["s.yaml"]
    path = write_yaml("s.yaml", doc)
    with pytest.raises(rackplan.ScenarioError, match=r"catalogs\[0\]: refers to the scenario"):
        rackplan.load_scenario(path)


def test_scenario_unknown_rack(write_yaml):
    path = write_yaml("s.yaml", scenario_doc(rack_positions=[{"rack": "air-99u", "count": 1}]))
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(path)
    assert str(info.value).startswith(
        f"{path}: site.rack_positions[0].rack: unknown rack type 'air-99u'")


def test_scenario_single_feed_rack_with_2n(write_yaml):
    rack = {"id": "single-feed-20kw", "u_height": 42, "power_kw": 20, "feeds": 1,
            "air_cooling_kw": 20, "liquid_cooling_kw": 0, "max_load_kg": 1000, "price_usd": 1}
    write_yaml("racks.yaml", {"racks": [rack]})
    doc = scenario_doc(rack_positions=[{"rack": "single-feed-20kw", "count": 1}])
    doc["catalogs"] = ["racks.yaml"]
    with pytest.raises(rackplan.ScenarioError, match="feeds=1, which cannot give 2N"):
        rackplan.load_scenario(write_yaml("s.yaml", doc))
    doc["site"]["power_redundancy"] = "N"
    assert rackplan.load_scenario(write_yaml("s.yaml", doc)).site.power_redundancy == "N"


def test_scenario_unknown_allowed_id(write_yaml):
    doc = scenario_doc()
    doc["workloads"][0]["allowed"] = ["h200-sxm", "h900"]
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(write_yaml("s.yaml", doc))
    assert info.value.entry == "workloads[w]"
    assert info.value.field == "allowed[1]"


def test_scenario_field_errors_name_the_entry(write_yaml):
    doc = scenario_doc()
    doc["workloads"][0]["utilisation"] = 0.5
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(write_yaml("s.yaml", doc))
    assert "workloads[w].utilisation: unknown field; did you mean 'utilization'?" in str(info.value)
    doc = scenario_doc(pue=0.5)
    with pytest.raises(rackplan.ScenarioError, match=r"site\.pue: input should be greater"):
        rackplan.load_scenario(write_yaml("s.yaml", doc))


def test_scenario_not_a_mapping(write_yaml):
    with pytest.raises(rackplan.ScenarioError, match="expected a mapping"):
        rackplan.load_scenario(write_yaml("s.yaml", "- 1\n- 2\n"))


def test_unreadable_catalog_file_does_not_hide_the_others(write_yaml, tmp_path):
    bad = write_yaml("bad.yaml", "racks: [\n")
    good = write_yaml("good.yaml", {"servers": [{"id": "dell-xe9680-h200", "power_idle_w": 20000}]})
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(tmp_path / "nope.yaml", bad, good)
    problems = info.value.problems
    assert [(p.file, p.entry) for p in problems] == [
        (str(tmp_path / "nope.yaml"), None), (str(bad), None),
        (str(good), "servers[dell-xe9680-h200]")]
    assert problems[0].message == "file not found"
    assert problems[1].message.startswith("invalid YAML: ")
    assert problems[2].message.startswith("power_idle_w (20000) is above power_max_w (11000)")


def test_unknown_gpu_says_an_unreadable_file_may_hold_it(write_yaml, tmp_path):
    path = write_yaml("mine.yaml", {"servers": [{**NEW_SERVER, "gpu": "acme-g1"}]})
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(tmp_path / "gpus.yaml", path)
    assert info.value.problems[-1].message == (
        f"unknown GPU id 'acme-g1'; add it under gpus or fix the id ('{tmp_path / 'gpus.yaml'}' "
        "could not be read)")


def test_new_entry_with_an_id_close_to_an_existing_one(write_yaml):
    path = write_yaml("prices.yaml", {"servers": [{"id": "nvidia-dgx-h2000", "price_usd": 1}]})
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(path)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert (problem.entry, problem.field) == ("servers[nvidia-dgx-h2000]", "id")
    assert problem.message.startswith(
        "no server has id 'nvidia-dgx-h2000' (did you mean 'nvidia-dgx-h200'")
    assert "; a new server needs: vendor, model, gpu, " in problem.message
    # complete, it is simply a new entry
    new = {**NEW_SERVER, "id": "nvidia-dgx-h2000"}
    merged = rackplan.load_catalog(write_yaml("mine.yaml", {"servers": [new]}))
    assert merged.server("nvidia-dgx-h2000").vendor == "Acme"


def test_unknown_gpu_of_a_server_names_the_server_it_looks_like(write_yaml):
    path = write_yaml("mine.yaml", {"servers": [{**NEW_SERVER, "gpu": "nvidia-gb200-nvl72x"}]})
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(path)
    assert str(info.value).endswith(
        "unknown GPU id 'nvidia-gb200-nvl72x'; did you mean 'gb200'? (or add it under gpus) "
        "('nvidia-gb200-nvl72' is a server)")
