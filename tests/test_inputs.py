"""``Plan.inputs``: a plan says what it was made from, and planning that again gives the plan."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

import rackplan
from rackplan.loading import bundled_catalog_files
from rackplan.models import Scenario

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (REPO / "examples").glob("*.yaml") if not p.name.startswith("sweep-"))
PRICES = REPO / "tests" / "fixtures" / "catalogs" / "prices.yaml"
ENTERPRISE = REPO / "examples" / "enterprise-pod.yaml"


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def replanned(data: dict) -> dict:
    """Plan ``inputs.scenario`` again on the user catalog files ``inputs.catalogs`` names (the
    bundled ones are loaded anyway), checking each file's hash first."""
    inputs = data["inputs"]
    for f in inputs["catalogs"]:
        assert f["sha256"] == sha256(f["path"]), f["path"]
    assert [f["path"] for f in inputs["catalogs"] if f["bundled"]] == [
        str(p) for p in bundled_catalog_files()]
    scenario = Scenario.model_validate(inputs["scenario"])
    catalog = rackplan.load_catalog(*(f["path"] for f in inputs["catalogs"] if not f["bundled"]))
    again = rackplan.plan(scenario, catalog,
                          force_models=inputs["options"]["force_models"] or None)
    return json.loads(again.model_dump_json())


def without_options(data: dict) -> dict:
    return {**data, "inputs": {k: v for k, v in data["inputs"].items() if k != "options"}}


def test_inputs_name_the_version_the_resolved_scenario_and_each_catalog_file():
    scenario = rackplan.load_scenario(ENTERPRISE)
    inputs = rackplan.plan(scenario).inputs
    assert inputs is not None
    assert inputs.rackplan_version == rackplan.__version__
    assert inputs.scenario == scenario.model_dump(mode="json")
    # every default filled in, though the file gives neither
    assert inputs.scenario["site"]["voltage_v"] == 415 and inputs.scenario["discount_rate"] == 0
    assert inputs.scenario["start"] == "2026-12-01"
    assert [(f.path, f.bundled) for f in inputs.catalogs] == [
        (str(p), True) for p in bundled_catalog_files()]
    assert [f.sha256 for f in inputs.catalogs] == [sha256(p) for p in bundled_catalog_files()]
    assert inputs.options.model_dump() == {"objective": None, "force_models": {}, "argv": None,
                                           "cli_options": {}}


def test_an_objective_override_and_forced_models_are_recorded():
    scenario = rackplan.load_scenario(ENTERPRISE)
    forced = rackplan.plan(scenario, objective="capex",
                           force_models={"llm-finetune": "dell-xe9680-h200"})
    assert forced.inputs is not None
    assert forced.inputs.scenario["objective"] == "capex"  # the objective used
    assert forced.inputs.options.objective == "capex"
    assert forced.inputs.options.force_models == {"llm-finetune": "dell-xe9680-h200"}
    assert forced.selections[0].server == "dell-xe9680-h200"


def test_the_scenario_catalogs_are_full_paths_after_the_bundled_files(tmp_path):
    raw = yaml.safe_load(ENTERPRISE.read_text())
    (tmp_path / "prices.yaml").write_bytes(PRICES.read_bytes())
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump({**raw, "catalogs": ["prices.yaml"]}))
    inputs = rackplan.plan(rackplan.load_scenario(tmp_path / "pod.yaml")).inputs
    assert inputs is not None
    user = [f for f in inputs.catalogs if not f.bundled]
    assert [(f.path, f.sha256) for f in user] == [(str(tmp_path / "prices.yaml"), sha256(PRICES))]
    assert inputs.catalogs[-1] == user[0]
    assert inputs.scenario["catalogs"] == [str(tmp_path / "prices.yaml")]


def test_the_hash_follows_the_file(tmp_path):
    prices = tmp_path / "prices.yaml"
    prices.write_bytes(PRICES.read_bytes())
    scenario = rackplan.load_scenario(ENTERPRISE)
    first = rackplan.plan(scenario, rackplan.load_catalog(prices)).inputs
    prices.write_bytes(PRICES.read_bytes() + b"# edited\n")
    second = rackplan.plan(scenario, rackplan.load_catalog(prices)).inputs
    assert first is not None and second is not None
    assert first.catalogs[-1].path == second.catalogs[-1].path == str(prices)
    assert first.catalogs[-1].sha256 == sha256(PRICES)
    assert second.catalogs[-1].sha256 == sha256(prices) != first.catalogs[-1].sha256


def _extra(path: Path) -> list[str]:
    """Options some examples are planned with: a user price sheet, an objective override."""
    if path.stem == "enterprise-pod":
        return ["--catalog", str(PRICES)]
    if path.stem == "neocloud":
        return ["--objective", "time"]
    return []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_planning_the_inputs_again_gives_the_same_plan(run, path):
    r = run("plan", str(path), *_extra(path), "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["inputs"]["options"]["argv"] == ["plan", str(path), *_extra(path), "--format",
                                                 "json"]
    again = replanned(data)
    assert without_options(again) == without_options(data)
    if path.stem == "neocloud":
        assert data["objective"] == again["objective"] == "time"
        assert data["inputs"]["options"]["cli_options"] == {"--objective": "time",
                                                            "--format": "json"}
    if path.stem == "enterprise-pod":  # the price sheet is among the inputs and changes the plan
        assert data["inputs"]["catalogs"][-1] == {"path": str(PRICES), "sha256": sha256(PRICES),
                                                 "bundled": False}
        bare = json.loads(run("plan", str(path), "--format", "json").stdout)
        assert bare["totals"] != data["totals"]


def same_but_command_line(a: dict, b: dict) -> bool:
    return without_options(a) == without_options(b) and (
        {k: v for k, v in a["inputs"]["options"].items() if k not in ("argv", "cli_options")}
        == {k: v for k, v in b["inputs"]["options"].items() if k not in ("argv", "cli_options")})


def test_rackplan_plan_on_a_plan_file_plans_its_inputs_again(run, tmp_path):
    made = tmp_path / "made.json"
    r = run("plan", str(ENTERPRISE), "--catalog", str(PRICES), "--format", "json", "-o", str(made))
    assert r.exit_code == 0, r.stderr
    again = run("plan", str(made), "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert same_but_command_line(json.loads(again.stdout), json.loads(made.read_text()))
    assert json.loads(again.stdout)["inputs"]["options"]["argv"] == [
        "plan", str(made), "--format", "json"]
    library = rackplan.replay(made)
    assert same_but_command_line(json.loads(library.model_dump_json()),
                                 json.loads(made.read_text()))
    refused = run("plan", str(made), "--objective", "capex")
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    assert "is a plan: it is planned again with its recorded inputs" in refused.stderr


def test_a_changed_catalog_file_is_named_and_nothing_is_planned(run, tmp_path):
    sheet = tmp_path / "prices.yaml"
    sheet.write_bytes(PRICES.read_bytes())
    made = tmp_path / "made.json"
    assert run("plan", str(ENTERPRISE), "--catalog", str(sheet), "--format", "json",
               "-o", str(made)).exit_code == 0
    sheet.write_bytes(PRICES.read_bytes() + b"\n# edited\n")
    r = run("plan", str(made))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (f"error: {made}: inputs.catalogs[{len(bundled_catalog_files())}]: "
                        f"catalog file {sheet} has changed since the plan was made (its SHA-256 "
                        "differs)\n")


def test_an_explicit_catalog_records_the_files_it_was_read_from(tmp_path):
    """A catalog passed to plan() that leaves out the scenario's own catalog file: the inputs
    name only the files used, and planning them again gives the same plan."""
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump({**yaml.safe_load(ENTERPRISE.read_text()),
                                             "catalogs": [str(PRICES)]}))
    scenario = rackplan.load_scenario(scenario_file)
    made = rackplan.plan(scenario, rackplan.load_catalog())  # the price sheet left out
    assert made.inputs is not None and made.inputs.catalog_from_files
    assert made.inputs.scenario["catalogs"] == []
    assert not any(f.path == str(PRICES) for f in made.inputs.catalogs)
    again = rackplan.replay(made)
    assert json.loads(again.model_dump_json()) == json.loads(made.model_dump_json())
    with_sheet = rackplan.plan(scenario)
    assert with_sheet.totals != made.totals  # the sheet matters, so the record had to be right
    assert with_sheet.inputs.scenario["catalogs"] == [str(PRICES)]


def test_a_catalog_changed_in_python_is_flagged_and_not_replayed():
    scenario = rackplan.load_scenario(ENTERPRISE)
    bundled = rackplan.load_catalog()
    cheap = bundled.model_copy(update={"servers": [
        s.model_copy(update={"price_usd": s.price_usd / 2}) for s in bundled.servers]})
    made = rackplan.plan(scenario, cheap)
    assert made.inputs is not None and not made.inputs.catalog_from_files
    assert rackplan.plan(scenario, bundled).inputs.catalog_from_files
    with pytest.raises(rackplan.InputError, match="its catalog was built or changed in Python"):
        rackplan.replay(made)
