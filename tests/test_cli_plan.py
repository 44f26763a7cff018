"""``rackplan plan``, ``size`` and ``compare`` from the command line, and the bundled examples."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
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
    expected = json.loads(rackplan.plan(rackplan.load_scenario(ENTERPRISE)).model_dump_json())
    # but for the command line, which the library plan does not have
    assert data["inputs"].pop("options") == {**expected["inputs"].pop("options"),
                                             "argv": ["plan", ENTERPRISE, "--format", "json"],
                                             "cli_options": {"--format": "json"}}
    assert data == expected
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
    # the catalog's lead, then two weeks of queue ahead; 50 a week: 128 units in 3 weeks
    lead = rackplan.load_catalog().server("dell-xe9680-h200").lead_time_weeks
    assert [d["units"] for d in deliveries] == [50, 50, 28]
    first = dt.date(2027, 1, 4) + dt.timedelta(days=math.ceil(7 * lead - 1e-9) + 14)
    assert deliveries[0]["date"] == first.isoformat()
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


NEOCLOUD = str(Path(ENTERPRISE).parent / "neocloud.yaml")
SIZE = ("size", "--gpus", "10000", "--gpu", "h200-sxm", "--start", "2026-12-01")


def test_size_says_the_order_date_it_assumed(run):
    r = run("size", "--gpus", "64", "--server", "dell-xe9680-h200", "--format", "json")
    assert r.exit_code == 0, r.stderr
    today = dt.date.today().isoformat()
    assert r.stderr.splitlines().count(
        f"order date: {today} (today; set --start YYYY-MM-DD)") == 1
    data = json.loads(r.stdout)
    assert data["schedule"]["order_date"] == data["inputs"]["scenario"]["start"] == today
    r = run("size", "--gpus", "64", "--server", "dell-xe9680-h200", "--start", "2027-01-04")
    assert "order date" not in r.stderr and "order_date         2027-01-04" in r.stdout
    failed = run("size", "--gpus", "64", "--server", "dell-xe9680-h200", "--pue", "9")
    assert failed.exit_code == 2 and len(failed.stderr.splitlines()) == 1  # errors stay one line


def test_size_limits_are_only_those_the_user_set(run):
    r = run(*SIZE)
    assert r.exit_code == 0, r.stderr
    limits = r.stdout.split("\nLimits\n")[1]
    assert limits.startswith("none: rack positions, IT power and budget are unlimited")
    assert "100,000,000" not in r.stdout and "1,000,000" not in r.stdout
    assert "positions:" not in r.stdout
    data = json.loads(run(*SIZE, "--it-power-kw", "20000", "--budget", "5e8",
                          "--format", "json").stdout)
    assert [lim["limit"] for lim in data["limits"]] == ["it_power_kw", "budget_usd"]
    assert data["limits"][0]["available"] == 20000
    md = run(*SIZE, "--format", "markdown").stdout
    assert "## Limits\n\nNone: rack positions, IT power and budget are unlimited." in md


def test_size_one_rack_type_is_the_best_single_type(run):
    racks = ["air-42u-30kw", "air-48u-40kw", "rdhx-48u-60kw"]
    rack_args = [a for r in racks for a in ("--rack", r)]

    def tco(*args: str) -> dict:
        r = run(*SIZE, *args, "--format", "json")
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)

    mixed = tco(*rack_args)
    assert len({rk["rack"] for rk in mixed["racks"]}) == 2  # unrestricted, it mixes types
    one = tco(*rack_args, "--one-rack-type")
    assert len({rk["rack"] for rk in one["racks"]}) == 1
    alone = [tco("--rack", r) for r in racks]
    assert one["totals"] == min((p["totals"] for p in alone), key=lambda t: t["tco_usd"])
    assert one["totals"]["tco_usd"] >= mixed["totals"]["tco_usd"]
    assert one["bounds"]["objective_lower_bound"] <= one["totals"]["tco_usd"]
    assert one["inputs"]["options"]["cli_options"]["--one-rack-type"] is True
    none = run("size", "--gpus", "64", "--server", "dell-xe9712-gb200", "--rack", "air-48u-40kw",
               "--rack", "air-42u-30kw", "--one-rack-type", "--start", "2027-01-04")
    assert none.exit_code == 1
    assert "with only air-48u-40kw: " in none.stderr and "with only air-42u-30kw: " in none.stderr


def test_size_one_rack_type_breaks_a_tie_by_racks_and_bounds_racks_over_every_type(run):
    """Two rack types give the same TCO: the plan in fewer racks is kept, and the racks bound is
    the least over the rack types holding the same servers (the reviewer's case)."""
    args = ("--gpus", "100", "--server", "dell-xe9680-h200", "--start", "2026-12-01",
            "--format", "json")
    one = json.loads(run("size", *args, "--one-rack-type").stdout)
    alone = {}
    for rack in {r["id"] for r in json.loads(run("catalog", "list", "--kind", "racks",
                                                  "--format", "json").stdout)["racks"]}:
        r = run("size", *args, "--rack", rack)
        if r.exit_code == 0:
            alone[rack] = json.loads(r.stdout)
    least = min(p["totals"]["tco_usd"] for p in alone.values())
    tied = [p for p in alone.values() if p["totals"]["tco_usd"] == least]
    assert len(tied) >= 2  # the case this test is about
    assert one["totals"]["tco_usd"] == least
    assert one["totals"]["racks"] == min(p["totals"]["racks"] for p in tied)
    same = [p for p in alone.values()
            if sorted((s["server"], s["count"]) for s in p["selections"])
            == sorted((s["server"], s["count"]) for s in one["selections"])]
    assert one["bounds"]["racks_lower_bound"] == min(p["bounds"]["racks_lower_bound"] for p in same)
    assert one["bounds"]["racks_lower_bound"] <= one["totals"]["racks"]


def test_summary_says_what_the_bounds_mean(run):
    from rackplan.render.report import summary

    r = run("plan", ENTERPRISE)
    assert "(no packing of these servers fits fewer)" in r.stdout
    assert "(gap 0.000%: no plan costs less)" in r.stdout
    plan = rackplan.plan(rackplan.load_scenario(ENTERPRISE))
    loose = plan.model_copy(update={
        "totals": plan.totals.model_copy(update={"racks": plan.bounds.racks_lower_bound + 3}),
        "bounds": plan.bounds.model_copy(update={
            "objective_lower_bound": plan.bounds.objective_value - 1000.0, "gap": 0.0001})})
    fields = dict(summary(loose))
    assert fields["racks"] == (f"{plan.bounds.racks_lower_bound + 3} (no packing of these servers "
                               f"fits fewer than {plan.bounds.racks_lower_bound} racks)")
    assert fields["objective_bound"].endswith(
        "(no plan has a lower TCO; gap 0.010%: this plan is at most $1,000 above the best)")


def test_warnings_go_to_stderr_once(run, monkeypatch, tmp_path):
    expected = rackplan.plan(rackplan.load_scenario(NEOCLOUD)).warnings
    assert expected  # whole GB200 systems deliver more GPUs than asked
    lines = [f"warning: {w}" for w in expected]
    for args in ([], ["--format", "json"], ["--format", "csv"],
                 ["--format", "html", "-o", str(tmp_path / "p.html")]):
        r = run("plan", NEOCLOUD, *args)
        assert r.exit_code == 0 and r.stderr.splitlines() == lines, args
    # the report on a terminal lists them already
    monkeypatch.setattr("rackplan.cli.plan._stdout_is_terminal", lambda: True)
    r = run("plan", NEOCLOUD)
    assert r.stderr == "" and "Warnings\n- " + expected[0] in r.stdout
    assert run("plan", NEOCLOUD, "--format", "json").stderr.splitlines() == lines
    r = run("size", "--gpus", "100", "--server", "dell-xe9680-h200", "--start", "2027-01-04",
            "--format", "json")
    assert r.stderr.splitlines() == ["warning: " + w for w in json.loads(r.stdout)["warnings"]]
    assert "104 GPUs delivered for 100 requested" in r.stderr


def test_argv_leaves_out_where_the_plan_is_written(run, tmp_path):
    out = tmp_path / "plan.json"
    r = run("plan", ENTERPRISE, "--objective", "capex", "-o", str(out), "--format", "json")
    assert r.exit_code == 0, r.stderr
    options = json.loads(out.read_text())["inputs"]["options"]
    assert options["argv"] == ["plan", ENTERPRISE, "--objective", "capex", "--format", "json"]
    assert options["cli_options"] == {"--objective": "capex", "--format": "json"}
    assert options["objective"] == "capex"


def test_every_size_option_states_its_unit_and_effect(run):
    text = " ".join(run("size", "--help").stdout.split())
    for phrase in ("--pue FLOAT RANGE Facility power / IT power, for energy cost and facility "
                   "power (1.0 to 5.0)",
                   "N: a rack may draw all its feeds; 2N: half, so either side carries it",
                   "--install-rate FLOAT RANGE Racks per week", "--budget USD Cap on capex, US "
                   "dollars", "--it-power-kw KW IT power envelope, kW", "--electricity FLOAT "
                   "RANGE Electricity price, USD per kWh", "--years FLOAT RANGE Horizon, years",
                   "--start YYYY-MM-DD Order date", "--one-rack-type All racks of one rack type",
                   "--units-per-week FLOAT RANGE Units per week"):
        assert phrase in text, phrase
    plan_help = " ".join(run("plan", "--help").stdout.split())
    assert "--explain After the report, why each workload got its model" in plan_help
