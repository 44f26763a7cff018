"""CLI through a runner, compared with expected outputs in fixtures/cli/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

import rackplan

FIXTURES = Path(__file__).parent / "fixtures"
CASES = yaml.safe_load((FIXTURES / "cli" / "cases.yaml").read_text())


def normalize(text: str) -> str:
    return (text.replace(str(rackplan.bundled_catalog_dir()), "<bundled>")
            .replace(str(FIXTURES), "{fixtures}"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_expected_output(run, case):
    args = [a.replace("{fixtures}", str(FIXTURES)) for a in case["args"]]
    result = run(*args)
    assert result.exit_code == case["exit"], result.stderr
    expected_path = FIXTURES / "cli" / f"{case['name']}.out"
    got = normalize(result.stdout)
    if os.environ.get("RACKPLAN_REGEN"):
        expected_path.write_text(got)
    assert got == expected_path.read_text()


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and rackplan.__version__ in result.stdout


def test_list_json_has_every_entry_with_sources(run, bundled):
    data = json.loads(run("catalog", "list", "--format", "json").stdout)
    assert [e["id"] for e in data["servers"]] == [s.id for s in bundled.servers]
    assert [e["id"] for e in data["gpus"]] == [g.id for g in bundled.gpus]
    assert [e["id"] for e in data["racks"]] == [r.id for r in bundled.racks]
    for section in data.values():
        for entry in section:
            assert entry["sources"] and entry["file"].endswith(".yaml")


def test_filters_drop_sections_they_cannot_apply_to(run):
    data = json.loads(run("catalog", "list", "--vendor", "NVIDIA", "--format", "json").stdout)
    assert set(data) == {"gpus", "servers", "switches", "appliances"}
    assert {s["vendor"] for s in data["servers"]} == {"NVIDIA"}
    data = json.loads(run("catalog", "list", "--cooling", "liquid", "--format", "json").stdout)
    assert set(data) == {"servers", "racks"}
    assert all(r["liquid_cooling_kw"] > 0 for r in data["racks"])


def test_show_unknown_id_suggests(run):
    result = run("catalog", "show", "xe8812")
    assert result.exit_code == 2
    assert result.stderr == "error: no catalog entry with id 'xe8812'; did you mean: " \
                            "dell-xe8812-rubin\n"


@pytest.mark.parametrize("args", [["bogus"], ["catalog", "list", "--format", "xml"],
                                  ["catalog", "validate"], ["schema", "bogus"]])
def test_usage_errors_are_one_line_exit_2(run, args):
    result = run(*args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")


@pytest.mark.parametrize("kind", ["catalog", "scenario", "plan"])
def test_schema_is_json_schema_and_written_atomically(run, tmp_path, kind):
    out = tmp_path / f"{kind}.json"
    out.write_text("previous")
    result = run("schema", kind, "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    schema = json.loads(out.read_text())
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_output_file_untouched_when_the_command_fails(run, tmp_path, write_yaml):
    out = tmp_path / "list.json"
    out.write_text("previous")
    bad = write_yaml("bad.yaml", {"servrs": []})
    result = run("catalog", "list", "--catalog", str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert out.read_text() == "previous"


def test_output_into_a_missing_folder_is_bad_input(run, tmp_path):
    target = tmp_path / "missing" / "schema.json"
    result = run("schema", "catalog", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"error: {target}: cannot write output: No such file or directory\n"


def test_internal_errors_are_one_line_exit_3(run, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("rackplan.cli.catalog.load_catalog", boom)
    result = run("catalog", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error: RuntimeError: simulated bug")
    assert len(result.stderr.splitlines()) == 1
