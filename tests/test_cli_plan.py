"""``rackplan plan``, ``size`` and ``compare`` from the command line, and the bundled examples."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import rackplan
from rackplan.loading import catalog_for

from .plan_check import check_plan

EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").glob("*.yaml")
                  if not p.name.startswith("sweep-"))  # sweep files: tests/test_sweep.py
ENTERPRISE = str(Path(__file__).parent.parent / "examples" / "enterprise-pod.yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_plans_and_passes_the_check(path):
    scenario = rackplan.load_scenario(path)
    plan = rackplan.plan(scenario)
    check_plan(plan, scenario, catalog_for(scenario))
    assert plan.bounds.gap < 0.01


def test_examples_cover_the_promised_sites():
    names = {p.stem for p in EXAMPLES}
    assert {"enterprise-pod", "neocloud", "sovereign", "retrofit-15kw", "rubin-xe8812"} <= names
    neo = rackplan.load_scenario(Path(ENTERPRISE).parent / "neocloud.yaml")
    assert sum(w.gpus or 0 for w in neo.workloads) >= 8192 and neo.budget_usd
    kinds = {catalog_for(neo).rack(p.rack).liquid_cooling_kw > 0 for p in neo.site.rack_positions}
    assert kinds == {True, False}


def test_plan_table_shows_every_section(run):
    r = run("plan", ENTERPRISE)
    assert r.exit_code == 0, r.stderr
    for heading in ("Selections", "Racks by type", "Costs", "Schedule", "Limits", "ready_date",
                    "usd_per_gpu_hour"):
        assert heading in r.stdout
    assert r.stderr == ""


def test_plan_json_is_the_library_plan(run):
    r = run("plan", ENTERPRISE, "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    expected = rackplan.plan(rackplan.load_scenario(ENTERPRISE))
    assert data == json.loads(expected.model_dump_json())
    assert set(data) >= {"scenario", "objective", "selections", "racks", "totals", "costs",
                         "schedule", "bounds", "warnings"}


def test_plan_csv_has_one_row_per_placement(run):
    r = run("plan", ENTERPRISE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    plan = rackplan.plan(rackplan.load_scenario(ENTERPRISE))
    assert len(rows) == sum(len(rk.placements) for rk in plan.racks)
    assert sum(int(row["count"]) for row in rows) == plan.totals.servers


def test_plan_markdown_and_objective_override(run):
    r = run("plan", ENTERPRISE, "--format", "markdown", "--objective", "capex")
    assert r.exit_code == 0
    assert r.stdout.startswith("# Plan: enterprise-pod")
    assert "| objective | capex |" in r.stdout


def test_plan_output_file(run, tmp_path):
    out = tmp_path / "plan.json"
    r = run("plan", ENTERPRISE, "--format", "json", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert json.loads(out.read_text())["scenario"] == "enterprise-pod"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary file left


def test_infeasible_exits_1_with_the_diagnosis(run, write_yaml):
    path = write_yaml("tight.yaml", {
        "name": "tight", "start": "2027-01-04",
        "site": {"it_power_kw": 100, "rack_positions": [{"rack": "air-48u-40kw", "count": 2}]},
        "workloads": [{"name": "w", "gpus": 128, "allowed": ["dell-xe9680-h200"]}]})
    r = run("plan", str(path))
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.startswith("error: infeasible:")
    assert "IT power short by 76.0 kW" in r.stderr
    assert "air positions (air-48u-40kw): need 6, have 2" in r.stderr
    assert "Traceback" not in r.stderr
    r = run("plan", str(path), "--format", "json")
    assert r.exit_code == 1
    diag = json.loads(r.stdout)
    assert diag["infeasible"] is True and diag["details"]["it_power_short_kw"] == 76.0


def test_bad_scenario_is_one_line_exit_2(run, write_yaml):
    path = write_yaml("bad.yaml", {"name": "b", "start": "2027-01-04",
                                   "site": {"it_power_kw": -1, "rack_positions": [
                                       {"rack": "air-48u-40kw", "count": 2}]},
                                   "workloads": [{"name": "w", "gpus": 8}]})
    r = run("plan", str(path))
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "bad.yaml: site.it_power_kw" in r.stderr
    assert run("plan", str(path.parent / "missing.yaml")).exit_code == 2


def test_size(run):
    r = run("size", "--gpus", "1024", "--server", "dell-xe9680-h200", "--rack", "air-48u-40kw",
            "--start", "2027-01-04", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["selections"][0]["count"] == 128
    assert data["totals"]["racks"] == 43  # 3 servers of 11 kW per 40 kW rack under 2N
    assert data["totals"]["it_power_kw"] == 1408.0
    r = run("size", "--gpus", "100", "--gpu", "gb200", "--start", "2027-01-04")
    assert r.exit_code == 0 and "gb200" in r.stdout


def test_size_supply_options(run):
    base = ("size", "--gpus", "1024", "--server", "dell-xe9680-h200", "--rack", "air-48u-40kw",
            "--start", "2027-01-04")
    r = run(*base, "--units-per-week", "50", "--queue-units", "100", "--install-rate", "5",
            "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["schedule"]["order_date"] == "2027-01-04"
    deliveries = data["selections"][0]["deliveries"]
    # 12 weeks of lead, then two weeks of queue ahead; 50 a week: 128 units in 3 weeks
    assert [d["units"] for d in deliveries] == [50, 50, 28]
    assert deliveries[0]["date"] == "2027-04-12"
    installed = [rack["installed_date"] for rack in data["racks"]]
    assert installed[-1] >= "2027-06-01"  # 43 racks at 5 a week take 8.6 weeks
    table = run(*base, "--units-per-week", "50")
    assert "order_date" in table.stdout and "2027-01-04" in table.stdout
    assert "Deliveries by month" in table.stdout
    late = run(*base, "--units-per-week", "10", "--need-by", "2027-06-30")
    assert late.exit_code == 1
    assert "days late" in late.stderr and "supply" in late.stderr
    assert run(*base, "--queue-units", "5").exit_code == 2  # a queue needs a rate


def test_size_usage_errors(run):
    r = run("size", "--gpus", "8")
    assert r.exit_code == 2 and "exactly one of --server or --gpu" in r.stderr
    r = run("size", "--gpus", "8", "--server", "nope")
    assert r.exit_code == 2 and "unknown id 'nope'" in r.stderr
    r = run("size", "--gpus", "8", "--server", "dell-xe9680-h200", "--rack", "nope")
    assert r.exit_code == 2 and "unknown rack type 'nope'" in r.stderr
    r = run("size", "--gpus", "0", "--server", "dell-xe9680-h200")
    assert r.exit_code == 2


def test_compare(run):
    r = run("compare", ENTERPRISE, "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert rows[0]["server"] is None and rows[0]["feasible"]
    servers = [row["server"] for row in rows[1:]]
    assert "dell-xe9680-h200" in servers and "nvidia-dgx-h200" in servers
    assert "dell-xe9680-h100" not in servers  # H100 is not allowed for this workload
    tcos = [row["tco_usd"] for row in rows[1:] if row["feasible"]]
    assert tcos == sorted(tcos)
    assert rows[0]["tco_usd"] <= min(tcos) + 0.01  # the optimizer is at least as good
    table = run("compare", ENTERPRISE)
    assert table.exit_code == 0 and "forced_on" in table.stdout


def test_size_names_the_option_for_a_wrong_kind_of_id(run):
    r = run("size", "--gpus", "8", "--server", "h200-sxm")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: --server: 'h200-sxm' is a GPU, not a Server; known: ")
    r = run("size", "--gpus", "8", "--server", "dell-xe9680-h200", "--rack", "nope")
    assert r.stderr.startswith("error: --rack: unknown rack type 'nope'")
    assert len(r.stderr.splitlines()) == 1
