"""``rackplan sweep`` and ``rackplan.sweep()``: points, paths, bad input, rows, execution in this
process / local processes / a real Dask cluster, resume, Pareto, sensitivity, file formats.

Sweeps here are small and on the enterprise pod (a plan takes a couple of milliseconds); the
tests that start processes or a cluster are marked slow.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import itertools
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rackplan
from rackplan.sweep import (
    SweepRow,
    SweepSpec,
    columns,
    pareto,
    parse_pareto,
    prepare,
    read_rows,
    runner,
    tornado,
    write_rows,
)
from rackplan.sweep.paths import apply, resolve

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
POD = EXAMPLES / "enterprise-pod.yaml"

# --------------------------------------------------------------------------- helpers


@pytest.fixture
def sweep_file(write_yaml):
    """Write a sweep file on the enterprise pod (or ``base``); return its path as a string."""

    def write(vary: dict, name: str = "sweep.yaml", base: str | Path = POD, **keys) -> str:
        return str(write_yaml(name, {"base": str(base), "vary": vary, **keys}))

    return write


GRID = {
    "site.electricity_usd_per_kwh": [0.05, 0.12],
    "workloads.llm-finetune.gpus": [128, 256],
    "budget_usd": [5_050_000, 20_000_000],
}
"""8 points: 2 infeasible (256 GPUs cost more than $5.05M), 6 ok; the budget binds 128 GPUs
(capex $5.01M)."""


def dumps(rows: list[SweepRow]) -> list[dict]:
    return [r.model_dump() for r in rows]


class CountingPlan:
    """Stands in for ``rackplan.plan`` in the runner: counts the points planned in this process."""

    def __init__(self, fail_on: dict | None = None) -> None:
        self.calls: list[rackplan.Scenario] = []
        self.fail_on = fail_on or {}

    def __call__(self, scenario, catalog=None, **kw):
        self.calls.append(scenario)
        for (path, value), exc in self.fail_on.items():
            if _value_at(scenario, path) == value:
                raise exc
        return rackplan.plan(scenario, catalog, **kw)


def _value_at(scenario, path: str):
    node = scenario
    for part in path.split("."):
        node = getattr(node, part)
    return node


@pytest.fixture
def counting(monkeypatch):
    def install(**kw) -> CountingPlan:
        fake = CountingPlan(**kw)
        monkeypatch.setattr(runner, "plan", fake)
        return fake

    return install


# --------------------------------------------------------------------------- points


def test_grid_is_the_product_in_written_order_last_path_fastest(sweep_file):
    prepared = prepare(sweep_file(GRID))
    assert prepared.paths == tuple(GRID)
    assert prepared.points == list(itertools.product(*GRID.values()))
    assert prepared.points[:2] == [(0.05, 128, 5_050_000), (0.05, 128, 20_000_000)]


def test_ranges_are_evenly_spaced_inclusive_and_integers_stay_integers(sweep_file):
    prepared = prepare(sweep_file({
        "site.electricity_usd_per_kwh": {"range": [0.05, 0.12], "steps": 3},
        "workloads.llm-finetune.gpus": {"range": [64, 256], "steps": 4},
        "site.rack_positions.0.count": {"range": [20, 12], "steps": 3},
    }))
    axes = [sorted({p[i] for p in prepared.points}, key=prepared.points[0][i].__class__)
            for i in range(3)]
    assert axes[0] == [0.05, 0.085, 0.12]            # rounded to 12 digits, ends exact
    assert axes[1] == [64, 128, 192, 256] and all(type(v) is int for v in axes[1])
    assert [p[2] for p in prepared.points[:3]] == [20, 16, 12]   # first to last, descending
    assert len(prepared.points) == 3 * 4 * 3


def test_samples_are_seeded_and_drawn_from_the_entries(sweep_file):
    vary = {"site.electricity_usd_per_kwh": {"uniform": [0.04, 0.16]},
            "workloads.llm-finetune.gpus": {"uniform": [64, 256]},
            "budget_usd": {"range": [6e6, 12e6], "steps": 4},
            "site.pue": [1.2, 1.4]}
    a = prepare(sweep_file(vary, "a.yaml", samples=200, seed=3)).points
    b = prepare(sweep_file(vary, "b.yaml", samples=200, seed=3)).points
    c = prepare(sweep_file(vary, "c.yaml", samples=200, seed=4)).points
    assert a == b and a != c and len(a) == 200
    assert all(0.04 <= p[0] <= 0.16 for p in a) and len({p[0] for p in a}) == 200
    assert all(type(p[1]) is int and 64 <= p[1] <= 256 for p in a)
    assert {p[2] for p in a} == {6e6, 8e6, 10e6, 12e6}
    assert {p[3] for p in a} == {1.2, 1.4}


def test_paths_address_fields_workloads_by_name_list_indexes_and_dict_keys(write_yaml):
    raw = {"name": "x", "start": "2027-01-01", "site": {
        "it_power_kw": 100.0, "tariffs": {"TW": 0.1},
        "rack_positions": [{"rack": "air-48u-40kw", "count": 2}, {"rack": "rdhx-48u-60kw", "count": 3}]},
        "workloads": [{"name": "a", "gpus": 8}, {"name": "b", "gpus": 16}],
        "budget_by_fiscal_year": {2028: 5.0}}
    assert resolve(raw, "workloads.b.gpus").keys == ("workloads", 1, "gpus")
    assert resolve(raw, "workloads.1.gpus").keys == ("workloads", 1, "gpus")
    assert resolve(raw, "site.rack_positions.1.count").keys == ("site", "rack_positions", 1, "count")
    assert resolve(raw, "site.tariffs.MX").keys == ("site", "tariffs", "MX")
    assert resolve(raw, "budget_by_fiscal_year.2029").keys == ("budget_by_fiscal_year", 2029)
    assert resolve(raw, "workloads.b.gpus").integer and not resolve(raw, "site.pue").integer
    before = json.dumps(raw)
    out = apply(raw, [("workloads", 1, "gpus"), ("site", "tariffs", "MX"), ("site", "pue"),
                      ("network", "rack")], [32, 0.2, 1.5, "air-48u-40kw"])
    assert json.dumps(raw) == before, "the base is never changed"
    assert out["workloads"][1]["gpus"] == 32 and out["workloads"][0] is raw["workloads"][0]
    assert out["site"]["tariffs"] == {"TW": 0.1, "MX": 0.2} and out["site"]["pue"] == 1.5
    assert out["network"] == {"rack": "air-48u-40kw"}, "an absent section is created"


def test_each_path_kind_reaches_the_planned_scenario(sweep_file, write_yaml, counting):
    base = write_yaml("two-types.yaml", {
        "name": "two", "start": "2026-12-01",
        "site": {"it_power_kw": 900.0, "rack_positions": [{"rack": "air-48u-40kw", "count": 16},
                                                         {"rack": "rdhx-48u-60kw", "count": 4}]},
        "workloads": [{"name": "train", "gpus": 128, "allowed": ["h200-sxm"]},
                      {"name": "serve", "gpus": 64, "allowed": ["h100-sxm"]}]})
    fake = counting()
    rows = rackplan.sweep(sweep_file({"workloads.serve.gpus": [32], "site.rack_positions.1.count": [1],
                                      "site.tariffs.MX": [0.5]}, base=base), workers=1)
    [scenario] = fake.calls
    assert scenario.workloads[1].gpus == 32 and scenario.workloads[0].gpus == 128
    assert scenario.site.rack_positions[1].count == 1 and scenario.site.tariffs == {"MX": 0.5}
    assert rows[0].status == "ok" and rows[0].gpus == 128 + 32
    assert rows[0].values == {"workloads.serve.gpus": 32, "site.rack_positions.1.count": 1,
                              "site.tariffs.MX": 0.5}


# --------------------------------------------------------------------------- bad input

BAD = [
    ({"site.electricity_usd_per_kw": [0.1]}, {}, "vary.site.electricity_usd_per_kw",
     "site has no field 'electricity_usd_per_kw'; did you mean 'electricity_usd_per_kwh'?"),
    ({"workloads.llm-finetun.gpus": [64]}, {}, "vary.workloads.llm-finetun.gpus",
     "no workload named 'llm-finetun' in the base scenario; did you mean 'llm-finetune'?"),
    ({"workloads.llm-finetune.gpus": [128, 64.5]}, {}, "vary.workloads.llm-finetune.gpus",
     "input should be a valid integer (got 64.5)"),
    ({"site.electricity_usd_per_kwh": {"range": [-0.1, 0.1], "steps": 3}}, {},
     "vary.site.electricity_usd_per_kwh", "greater than or equal to 0 (got -0.1)"),
    ({"site.pue": [1.2, "high"]}, {}, "vary.site.pue", "valid number (got 'high')"),
    ({"site.rack_positions.2.count": [4]}, {}, "vary.site.rack_positions.2.count",
     "site.rack_positions has 1 entry in the base scenario; there is no index 2"),
    ({"site.rack_positions.0.rack": ["air-48u-40kw", "air-48u-4kw"]}, {},
     "vary.site.rack_positions.0.rack", "unknown rack type 'air-48u-4kw'"),
    ({"site.tariffs.TW": {"uniform": [0, 0.5]}}, {}, "vary.site.tariffs.TW",
     "uniform draws random values, so it needs samples: N"),
    ({"site.pue": {"range": [1.1, 1.5], "steps": 1}}, {}, "vary.site.pue",
     "steps: input should be greater than or equal to 2 (got 1)"),
    ({"workloads.llm-finetune.gpus": {"range": [1, 3], "steps": 5}}, {},
     "vary.workloads.llm-finetune.gpus", "5 steps from 1 to 3 repeat whole numbers"),
    ({"site.pue": 1.3}, {}, "vary.site.pue", "expected a list of values, {range: [first, last]"),
    ({"site.pue.kw": [1]}, {}, "vary.site.pue.kw", "site.pue is a single value, not a section"),
    ({"site": [{}], "site.pue": [1.2]}, {}, "vary.site.pue", "sets the same part of the scenario"),
    ({"catalogs": [[]]}, {}, "vary.catalogs", "catalogs cannot be varied"),
    ({"site.pue": None}, {}, "vary.site.pue", "null is only for sensitivity mode"),
    ({"budget_usd": [1e7]}, {"sensitivity": {"percent": 10}}, "vary.budget_usd",
     "the base scenario leaves this unset"),
    ({"site.pue": [1.2]}, {"sample": 10}, "sample", "unknown field; did you mean 'samples'?"),
    ({"site.pue": [1.2]}, {"objective": "fastest"}, "objective", "input should be 'capex'"),
]


@pytest.mark.parametrize(("vary", "keys", "where", "message"), BAD,
                         ids=[f"{i}-{b[2]}" for i, b in enumerate(BAD)])
def test_bad_sweep_files_are_one_line_exit_2_naming_file_and_entry(run, sweep_file, vary, keys,
                                                                   where, message):
    path = sweep_file(vary, **keys)
    result = run("sweep", path, "--workers", "1")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {path}: {where}: "), result.stderr
    assert message in result.stderr


def test_missing_base_and_bad_base_name_their_files(run, sweep_file, write_yaml):
    path = sweep_file({"site.pue": [1.2]}, base="nowhere.yaml")
    result = run("sweep", path)
    assert result.exit_code == 2 and "base: 'nowhere.yaml' not found" in result.stderr
    bad = write_yaml("bad-base.yaml", {"name": "x"})
    result = run("sweep", sweep_file({"site.pue": [1.2]}, "s2.yaml", base=bad))
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {bad}: ")


def test_grid_too_large_is_refused_before_listing_points(run, sweep_file):
    path = sweep_file({"site.pue": {"range": [1.1, 2], "steps": 1000},
                       "horizon_years": {"range": [1, 10], "steps": 1001}})
    result = run("sweep", path)
    assert result.exit_code == 2
    assert "the grid has 1,001,000 points; the most is 1,000,000" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "rows.txt"], "cannot tell the format from 'rows.txt'"),
    (["--format", "parquet"], "--format parquet writes a binary file"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers"),
    (["--pareto", "capex_usd:min", "--sensitivity", "10"], "do not combine"),
    (["--pareto", "capx_usd:min"], "'--pareto': unknown column 'capx_usd'; did you mean 'capex_usd'?"),
    (["--pareto", "capex_usd:lowest"], "'--pareto'"),
])
def test_bad_options_are_one_line_exit_2(run, sweep_file, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run("sweep", sweep_file(GRID), *args)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert message in result.stderr


def test_missing_optional_packages_are_one_line_exit_2(run, sweep_file, tmp_path, monkeypatch):
    path = sweep_file(GRID)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = run("sweep", path, "-o", str(tmp_path / "rows.parquet"))
    assert result.exit_code == 2
    assert result.stderr == (f"error: {tmp_path / 'rows.parquet'}: Parquet needs pyarrow: "
                             "pip install 'rackplan[parquet]'\n")
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = run("sweep", path, "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2 and result.stderr == (
        "error: --scheduler: running on a Dask cluster needs Dask distributed: "
        "pip install 'rackplan[dask]'\n")


# --------------------------------------------------------------------------- rows


def test_rows_carry_values_status_totals_and_binding_limits(sweep_file):
    rows = rackplan.sweep(sweep_file(GRID), workers=1)
    assert [r.point for r in rows] == list(range(8))
    assert [r.status for r in rows].count("infeasible") == 2
    for row, values in zip(rows, itertools.product(*GRID.values()), strict=True):
        assert list(row.values.values()) == list(values)
    infeasible = [r for r in rows if r.status == "infeasible"]
    assert all(r.values["budget_usd"] == 5_050_000 and r.values["workloads.llm-finetune.gpus"] == 256
               for r in infeasible)
    assert all(r.error.startswith("budget short by $") and r.capex_usd is None for r in infeasible)
    scenario = rackplan.load_scenario(POD)
    for row in rows:
        if row.status != "ok":
            continue
        data = scenario.model_dump(exclude_unset=True)
        data["site"]["electricity_usd_per_kwh"] = row.values["site.electricity_usd_per_kwh"]
        data["workloads"][0]["gpus"] = row.values["workloads.llm-finetune.gpus"]
        data["budget_usd"] = row.values["budget_usd"]
        plan = rackplan.plan(rackplan.Scenario.model_validate(data))
        assert row.tco_usd == plan.totals.tco_usd and row.racks == plan.totals.racks
        assert row.ready_date == plan.schedule.ready_date and row.gap == plan.bounds.gap
        assert row.binding == [lim.limit for lim in plan.limits if lim.binding]
        assert row.most_value is None and row.error is None
    assert any("budget_usd" in r.binding for r in rows), "$5.05M binds the 128-GPU plan"


def test_infeasible_and_failing_points_are_rows_and_the_sweep_goes_on(sweep_file, write_yaml,
                                                                      counting):
    base = write_yaml("two-types.yaml", {
        "name": "two", "start": "2026-12-01",
        "site": {"it_power_kw": 600.0, "rack_positions": [{"rack": "air-48u-40kw", "count": 16},
                                                         {"rack": "rdhx-48u-60kw", "count": 4}]},
        "workloads": [{"name": "train", "gpus": 256, "allowed": ["h200-sxm"]}]})
    fake = counting(fail_on={("site.pue", 1.5): RuntimeError("boom")})
    rows = rackplan.sweep(sweep_file({
        "site.rack_positions.0.rack": ["air-48u-40kw", "air-42u-30kw"],
        "site.rack_positions.1.rack": ["rdhx-48u-60kw", "air-42u-30kw"],
        "site.pue": [1.3, 1.5],
        "site.it_power_kw": [600.0, 100.0],
    }, base=base), workers=1)
    assert len(rows) == 16 and [r.point for r in rows] == list(range(16))
    by = {tuple(r.values.values()): r for r in rows}
    same = by[("air-42u-30kw", "air-42u-30kw", 1.3, 600.0)]
    assert same.status == "error" and "is listed twice in rack_positions" in same.error
    assert by[("air-48u-40kw", "rdhx-48u-60kw", 1.5, 600.0)].status == "error"
    assert by[("air-48u-40kw", "rdhx-48u-60kw", 1.5, 600.0)].error == "RuntimeError: boom"
    small = by[("air-48u-40kw", "rdhx-48u-60kw", 1.3, 100.0)]
    assert small.status == "infeasible" and small.error.startswith("IT power short by")
    assert by[("air-48u-40kw", "rdhx-48u-60kw", 1.3, 600.0)].status == "ok"
    assert len(fake.calls) == 12, "the 4 duplicate-rack points never reach the planner"


def test_search_limit_is_its_own_status(sweep_file, monkeypatch):
    from rackplan.errors import Diagnosis, SearchLimitError

    def gives_up(*a, **k):
        raise SearchLimitError(Diagnosis(["searched 10 nodes without a plan"], {}))

    monkeypatch.setattr(runner, "plan", gives_up)
    [row] = rackplan.sweep(sweep_file({"site.pue": [1.3]}), workers=1)
    assert row.status == "search_limit" and row.error == "searched 10 nodes without a plan"


# --------------------------------------------------------------------------- execution


def test_the_task_is_importable_and_the_payload_travels_without_files(sweep_file):
    prepared = prepare(sweep_file(GRID))
    payload = runner.payload_for(prepared)
    assert pickle.loads(pickle.dumps(runner.run_chunk)) is runner.run_chunk  # by reference
    assert runner.run_chunk.__module__ == "rackplan.sweep.runner"
    travelled = pickle.loads(pickle.dumps(payload))
    assert travelled.catalog == prepared.catalog
    chunk = list(enumerate(prepared.points))[:3]
    assert dumps(runner.run_chunk(travelled, chunk)) == dumps(runner.run_chunk(payload, chunk))
    with pytest.raises(RuntimeError, match="install the same version"):
        runner.run_chunk(dataclasses.replace(payload, version="0.0.0"), chunk)


def test_chunks_are_consecutive_and_cover_every_point():
    todo = [(i, (i,)) for i in range(1000)]
    chunks = runner.chunks_of(todo, parallel=2)
    assert [p for c in chunks for p in c] == todo
    assert max(len(c) for c in chunks) <= runner.MAX_CHUNK and len(chunks) >= 16


def test_rows_are_identical_in_process_and_in_two_local_processes(sweep_file):
    path = sweep_file({**GRID, "site.tariffs.TW": [0.0, 0.3]})
    one = rackplan.sweep(path, workers=1)
    seen = []
    two = rackplan.sweep(path, workers=2, chunk_size=3, progress=lambda d, n: seen.append((d, n)))
    assert dumps(two) == dumps(one)
    assert seen[-1] == (16, 16) and len(seen) == 6


# --------------------------------------------------------------------------- resume


@pytest.mark.parametrize("fmt", ["csv", pytest.param("json", marks=pytest.mark.slow),
                                 pytest.param("parquet", marks=pytest.mark.slow)])
def test_resume_plans_only_the_missing_points_and_ends_as_an_uninterrupted_run(
        run, sweep_file, tmp_path, counting, fmt):
    path = sweep_file({**GRID, "site.pue": [1.2, 1.4]})
    full = tmp_path / f"full.{fmt}"
    part = tmp_path / f"part.{fmt}"
    assert run("sweep", path, "-o", str(full), "--workers", "1").exit_code == 0
    prepared = prepare(path)
    rows = read_rows(full, prepared.paths, fmt)
    kept = [r for r in rows if r.point % 3 == 1]
    write_rows(kept, prepared.paths, part, fmt)
    fake = counting()
    result = run("sweep", path, "-o", str(part), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert len(fake.calls) == 16 - len(kept) == 11
    planned = {(s.site.pue, s.workloads[0].gpus, s.budget_usd) for s in fake.calls}
    missing = {(p[3], p[1], p[2]) for i, p in enumerate(prepared.points) if i % 3 != 1}
    assert planned == missing
    assert part.read_bytes() == full.read_bytes() if fmt != "parquet" else \
        dumps(read_rows(part, prepared.paths, fmt)) == dumps(read_rows(full, prepared.paths, fmt))
    fake.calls.clear()
    assert run("sweep", path, "-o", str(part), "--workers", "1").exit_code == 0
    assert fake.calls == [], "a finished output plans nothing"


def test_output_of_another_sweep_is_refused_unless_fresh(run, sweep_file, tmp_path):
    out = tmp_path / "rows.csv"
    assert run("sweep", sweep_file(GRID), "-o", str(out), "--workers", "1").exit_code == 0
    other = sweep_file({**GRID, "site.electricity_usd_per_kwh": [0.05, 0.2]}, "other.yaml")
    result = run("sweep", other, "-o", str(out), "--workers", "1")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {out}: belongs to another sweep (point ")
    assert "rerun with --fresh" in result.stderr
    third = sweep_file({"site.pue": [1.2]}, "third.yaml")
    result = run("sweep", third, "-o", str(out))
    assert result.exit_code == 2 and "is not this sweep's output (its columns are" in result.stderr
    assert run("sweep", other, "-o", str(out), "--workers", "1", "--fresh").exit_code == 0
    last = list(csv.DictReader(io.StringIO(out.read_text())))[-1]
    assert last["site.electricity_usd_per_kwh"] == "0.2"


def test_ctrl_c_keeps_the_rows_done_and_the_next_run_finishes(run, sweep_file, tmp_path, counting):
    path = sweep_file({**GRID, "site.pue": [1.2, 1.4]})
    out = tmp_path / "rows.json"
    counting(fail_on={("site.pue", 1.4): KeyboardInterrupt()})
    result = run("sweep", path, "-o", str(out), "--workers", "1", "--save-every", "1000")
    assert result.exit_code == 130 and result.stderr == "interrupted\n"
    saved = json.loads(out.read_text())
    assert [r["point"] for r in saved] == [0], "point 0 (pue 1.2) was done; point 1 interrupted"
    fake = counting()
    assert run("sweep", path, "-o", str(out), "--workers", "1").exit_code == 0
    assert len(fake.calls) == 15 and len(json.loads(out.read_text())) == 16


@pytest.mark.slow
def test_a_killed_sweep_resumes_from_its_output(run, sweep_file, tmp_path, counting):
    """A real ``rackplan sweep`` process killed part-way; the next run plans the rest."""
    path = sweep_file({"site.electricity_usd_per_kwh": {"uniform": [0.03, 0.2]},
                       "workloads.llm-finetune.gpus": {"range": [64, 512], "steps": 57},
                       "budget_usd": [5.05e6, 2e7]}, samples=2500, seed=5)
    out = tmp_path / "rows.csv"
    proc = subprocess.Popen([sys.executable, "-m", "rackplan", "sweep", path, "-o", str(out),
                             "--workers", "1", "--save-every", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not out.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(out.read_text().splitlines()) - 1
    assert 0 < done < 2500, f"killed after {done} rows"
    fake = counting()
    result = run("sweep", path, "-o", str(out), "--workers", "1")
    assert result.exit_code == 0 and len(fake.calls) == 2500 - done
    full = tmp_path / "full.csv"
    assert run("sweep", path, "-o", str(full), "--workers", "1").exit_code == 0
    assert out.read_text() == full.read_text()


# --------------------------------------------------------------------------- Ctrl-C

NEOCLOUD_SWEEP = EXAMPLES / "sweep-neocloud.yaml"
"""1,000 points at about 0.1 s each: a sweep that runs for seconds."""


def _workers_of(pid: int) -> dict[int, str]:
    """The sweep worker processes of ``pid`` (spawned interpreters) and their ``SigBlk`` masks."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if int(fields.get("PPid", "0")) == pid and b"spawn_main" in cmdline:
            found[int(entry.name)] = fields["SigBlk"].strip()
    return found


def _sweep_process(out: Path, *args: str) -> subprocess.Popen:
    """``rackplan sweep`` of the neocloud example in a session of its own, as a terminal runs
    it: a Ctrl-C there is SIGINT to the whole group, the workers included."""
    return subprocess.Popen([str(Path(sys.executable).parent / "rackplan"), "sweep",
                             str(NEOCLOUD_SWEEP), "-o", str(out), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _interrupted_cleanly(proc: subprocess.Popen, out: Path, workers: dict[int, str],
                        may_finish: bool = True) -> list:
    """Wait for the interrupted sweep; check one line, exit 130, no temporary file and no
    worker left; return the rows it kept (every one a row of the sweep, each point once)."""
    _, err = proc.communicate(timeout=120)  # until every process that shares stderr is gone
    if proc.returncode == 0 and may_finish:
        pytest.skip("the sweep finished before the signal")
    assert (proc.returncode, err) == (130, "interrupted\n")
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []
    if not out.exists():
        return []
    prepared = prepare(str(NEOCLOUD_SWEEP))
    rows = read_rows(out, prepared.paths, "csv")
    assert [runner.row_mismatch(prepared, r) for r in rows] == [None] * len(rows)
    assert len({r.point for r in rows}) == len(rows) <= len(prepared.points)
    return rows


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")


@needs_proc
@pytest.mark.parametrize("wait", [0.0, 0.2, 0.5])
def test_ctrl_c_while_the_workers_start_is_one_line_and_exit_130(tmp_path, wait):
    """A Ctrl-C while the workers start is not lost (the parent once ignored SIGINT while it
    started them), the workers never see it (they start with SIGINT blocked), and no worker,
    semaphore warning or temporary file is left."""
    out = tmp_path / "rows.csv"
    proc = _sweep_process(out, "--workers", "2")
    workers: dict[int, str] = {}
    deadline = time.monotonic() + 60
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _workers_of(proc.pid)
    assert workers, "no worker process started"
    time.sleep(wait)
    workers.update(_workers_of(proc.pid))
    os.killpg(proc.pid, signal.SIGINT)
    _interrupted_cleanly(proc, out, workers, may_finish=False)  # the workers were starting
    for mask in workers.values():
        assert int(mask, 16) & (1 << (signal.SIGINT - 1)), f"SIGINT not blocked: SigBlk {mask}"


@needs_proc
@pytest.mark.parametrize(("workers", "wait", "group"), [
    ("2", 0.0, True), ("2", 0.4, True), ("2", 0.4, False), ("1", 0.0, True), ("1", 0.4, True),
])
def test_ctrl_c_during_a_sweep_keeps_its_rows_in_one_line_and_exit_130(tmp_path, workers, wait,
                                                                        group):
    """Interrupted once rows are being saved (to the group, as a terminal does, or to the
    sweep process alone, as ``timeout -s INT`` does): the workers are stopped at once, the rows
    done so far are saved, and stderr is exactly one line (multiprocessing once added "leaked
    semaphore objects" warnings)."""
    out = tmp_path / "rows.csv"
    proc = _sweep_process(out, "--workers", workers, "--save-every", "0")
    deadline = time.monotonic() + 120
    while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(wait)
    seen = _workers_of(proc.pid)
    saved = len(out.read_text().splitlines()) - 1 if out.exists() else 0
    (os.killpg if group else os.kill)(proc.pid, signal.SIGINT)
    rows = _interrupted_cleanly(proc, out, seen)
    assert len(rows) >= saved > 0


def test_ctrl_c_in_this_process_is_acted_on_at_once_outside_the_planner(sweep_file, monkeypatch):
    """With ``workers=1`` the points are planned in a thread of their own, so a Ctrl-C is a
    KeyboardInterrupt in the waiting main thread at once, never inside the planner (there it
    could come as a Numba kernel's result is converted: a segmentation fault), and the rows
    done so far are handed on first."""
    import threading

    planned = []
    release = threading.Event()
    waited = []

    def plan_and_interrupt(scenario, catalog=None, **kw):
        planned.append(scenario)
        if len(planned) == 2:  # a long point: Ctrl-C does not wait for it
            os.kill(os.getpid(), signal.SIGINT)
            waited.append(release.wait(60))
        return rackplan.plan(scenario, catalog, **kw)

    monkeypatch.setattr(runner, "plan", plan_and_interrupt)
    handed = []
    try:
        with pytest.raises(KeyboardInterrupt):
            rackplan.sweep(sweep_file(GRID), workers=1, chunk_size=4,
                           on_rows=lambda rows: handed.extend(r.point for r in rows))
        during_the_point = not waited
    finally:
        release.set()
        for thread in threading.enumerate():
            if thread.name == "rackplan-sweep":
                thread.join(60)
    assert during_the_point and handed == [0]
    assert len(planned) == 2, "the planning thread stopped after its point"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_held_notes_the_signal_and_raises_it_when_the_block_ends():
    with pytest.raises(KeyboardInterrupt):
        with runner.ctrl_c_held() as held:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
            assert held.pending
            reached = True
    assert reached and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with runner.ctrl_c_held() as held:
        pass
    assert not held.pending


@needs_proc
def test_a_process_started_with_sigint_blocked_inherits_the_mask():
    with runner._sigint_blocked():
        child = subprocess.run([sys.executable, "-c", "print(open('/proc/self/status').read())"],
                               capture_output=True, text=True, check=True).stdout
    mask = [line.split()[1] for line in child.splitlines() if line.startswith("SigBlk:")][0]
    assert int(mask, 16) & (1 << (signal.SIGINT - 1))
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, set()) & {signal.SIGINT}


def test_ctrl_c_while_rows_are_saved_lets_the_file_be_written_whole(run, sweep_file, tmp_path,
                                                                      monkeypatch):
    """A Ctrl-C that came as the saver started to write is acted on once the file is whole
    (raised inside the write, it could come just as the temporary file is made, and leave it)."""
    import rackplan.cli.sweep as cli_sweep

    real = cli_sweep.write_rows

    def interrupted_write(*args, **kw):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
        return real(*args, **kw)

    monkeypatch.setattr(cli_sweep, "write_rows", interrupted_write)
    out = tmp_path / "rows.csv"
    result = run("sweep", sweep_file(GRID), "-o", str(out), "--workers", "1", "--save-every", "0")
    assert result.exit_code == 130 and result.stderr == "interrupted\n"
    assert len(out.read_text().splitlines()) > 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@needs_proc
def test_a_worker_that_dies_is_one_error_and_the_others_are_stopped(sweep_file):
    path = sweep_file({"site.electricity_usd_per_kwh": {"uniform": [0.03, 0.2]}}, samples=400,
                      seed=3)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if not killed:
            import multiprocessing

            killed.extend(c.pid for c in multiprocessing.active_children()
                          if c.name == "rackplan-sweep" and c.pid is not None)
            os.kill(killed[0], signal.SIGKILL)

    with pytest.raises(rackplan.RackplanError, match="a sweep worker process died"):
        rackplan.sweep(path, workers=2, chunk_size=1, progress=kill_one)
    assert len(killed) == 2 and not any(Path(f"/proc/{pid}").exists() for pid in killed)


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        yield cluster


@pytest.mark.slow
def test_rows_are_identical_on_a_dask_cluster(dask_cluster, sweep_file, run, tmp_path):
    import distributed

    path = sweep_file({**GRID, "site.tariffs.TW": [0.0, 0.3]}, samples=40, seed=2)
    one = rackplan.sweep(path, workers=1)
    with distributed.Client(dask_cluster) as client:
        on_dask = rackplan.sweep(path, scheduler=client, chunk_size=7)
        assert client.status == "running", "a client given by the caller stays open"
    assert dumps(on_dask) == dumps(one)
    out = tmp_path / "rows.csv"
    result = run("sweep", path, "-o", str(out), "--scheduler", dask_cluster.scheduler_address)
    assert result.exit_code == 0, result.stderr
    local = tmp_path / "local.csv"
    assert run("sweep", path, "-o", str(local), "--workers", "1").exit_code == 0
    assert out.read_text() == local.read_text()


# --------------------------------------------------------------------------- Pareto


def _brute_pareto(rows: list[SweepRow], pairs: list[tuple[str, str]]) -> list[SweepRow]:
    def key(r):
        out = []
        for c, s in pairs:
            v = r.values[c] if c in r.values else getattr(r, c)
            v = v.toordinal() if isinstance(v, dt.date) else v
            out.append(v if s == "min" else -v)
        return out

    ok = [r for r in rows if r.status == "ok"]
    keep = []
    for a in ok:
        ka = key(a)
        if not any(all(x <= y for x, y in zip(key(b), ka, strict=True)) and key(b) != ka
                   for b in ok):
            keep.append(a)
    return keep


def test_pareto_matches_brute_force_on_random_rows():
    rng = random.Random(11)
    for trial in range(40):
        rows = []
        for i in range(rng.randint(1, 60)):
            status = rng.choice(["ok", "ok", "ok", "infeasible"])
            fig = {} if status != "ok" else {
                "capex_usd": float(rng.randint(1, 8)), "gpus": rng.randint(1, 5),
                "ready_date": dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 6)),
                "tco_usd": rng.random()}
            rows.append(SweepRow(point=i, values={"site.pue": rng.choice([1.1, 1.2, 1.3])},
                                 status=status, **fig))
        for spec in ("capex_usd:min,ready_date:min", "capex_usd:min,gpus:max",
                     "tco_usd:min,gpus:max,ready_date:min", "site.pue:max,capex_usd:min",
                     "gpus:max"):
            pairs = parse_pareto(spec, ["site.pue"])
            got = pareto(rows, spec)
            assert dumps(got) == dumps(_brute_pareto(rows, pairs)), (trial, spec)
            assert [r.point for r in got] == sorted(r.point for r in got)


def test_pareto_of_the_example_trades_capex_for_an_earlier_date(run):
    prepared = prepare(EXAMPLES / "sweep-pareto.yaml")
    rows = rackplan.sweep(prepared, workers=1)
    front = pareto(rows, "capex_usd:min,ready_date:min")
    assert 2 <= len(front) < len(rows)
    assert dumps(front) == dumps(_brute_pareto(rows, [("capex_usd", "min"), ("ready_date", "min")]))
    ordered = sorted(front, key=lambda r: r.capex_usd)
    assert all(a.ready_date > b.ready_date for a, b in itertools.pairwise(ordered))
    result = run("sweep", str(EXAMPLES / "sweep-pareto.yaml"), "--workers", "1", "--format", "csv",
                 "--pareto", "capex_usd:min,ready_date:min")
    assert [int(r["point"]) for r in csv.DictReader(io.StringIO(result.stdout))] == \
        [r.point for r in front]


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_swing_is_the_difference_of_two_independent_plans(sweep_file, run):
    vary = {"site.electricity_usd_per_kwh": [0.5], "workloads.llm-finetune.gpus": None,
            "workloads.llm-finetune.utilization": None, "site.burn_in_weeks": None}
    path = sweep_file(vary, sensitivity={"percent": 50})
    prepared = prepare(path)
    assert prepared.points[0] == (0.11, 256, 0.7, 2.0), "the base values, listed ones ignored"
    assert prepared.points[3:5] == [(0.11, 128, 0.7, 2.0), (0.11, 384, 0.7, 2.0)]
    rows = rackplan.sweep(prepared, workers=1)
    assert len(rows) == 1 + 2 * 4
    util_high = rows[6]
    assert util_high.status == "error" and "less than or equal to 1" in util_high.error
    trows = {t.path: t for t in tornado(rows, "tco")}
    base = rackplan.load_scenario(POD)

    def tco(**changes) -> float:
        data = base.model_dump(exclude_unset=True)
        for key, value in changes.items():
            if key == "electricity":
                data["site"]["electricity_usd_per_kwh"] = value
            else:
                data["workloads"][0][key] = value
        return rackplan.plan(rackplan.Scenario.model_validate(data)).totals.tco_usd

    elec = trows["site.electricity_usd_per_kwh"]
    assert (elec.low, elec.high) == (0.055, 0.165)
    assert elec.swing == pytest.approx(abs(tco(electricity=0.165) - tco(electricity=0.055)), abs=0.01)
    gpus = trows["workloads.llm-finetune.gpus"]
    assert gpus.swing == pytest.approx(abs(tco(gpus=384) - tco(gpus=128)), abs=0.01)
    assert trows["workloads.llm-finetune.utilization"].swing is None
    assert trows["site.burn_in_weeks"].swing == 0
    order = [t.path for t in tornado(rows, "tco")]
    assert order == ["workloads.llm-finetune.gpus", "site.electricity_usd_per_kwh",
                     "site.burn_in_weeks", "workloads.llm-finetune.utilization"]
    result = run("sweep", path, "--workers", "1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Sensitivity: each value at -50% and +50% of the base")
    assert [line.split()[0] for line in lines[3:]] == order
    assert "error" in lines[-1]
    csv_rows = list(csv.DictReader(io.StringIO(
        run("sweep", path, "--workers", "1", "--format", "csv").stdout)))
    assert len(csv_rows) == 9


def test_sensitivity_option_overrides_the_file_and_rounds_integers(sweep_file):
    path = sweep_file({"workloads.llm-finetune.gpus": [64, 128]})
    prepared = prepare(path, sensitivity=20)
    assert prepared.points == [(256,), (205,), (307,)]


# --------------------------------------------------------------------------- files


def test_csv_json_and_parquet_round_trip(sweep_file, tmp_path):
    path = sweep_file({**GRID, "workloads.llm-finetune.allowed": [["h200-sxm"]],
                       "start": [dt.date(2026, 12, 1)]})
    prepared = prepare(path)
    rows = rackplan.sweep(prepared, workers=1)
    for fmt in ("csv", "json", "parquet"):
        out = tmp_path / f"rows.{fmt}"
        write_rows(rows, prepared.paths, out, fmt)
        back = read_rows(out, prepared.paths, fmt)
        assert [runner.row_mismatch(prepared, r) for r in back] == [None] * len(rows)
        fixed = [{k: v for k, v in r.model_dump().items() if k != "values"} for r in back]
        assert fixed == [{k: v for k, v in r.model_dump().items() if k != "values"} for r in rows]
        resumed = rackplan.sweep(prepared, workers=1, done=back)
        assert dumps(resumed) == dumps(rows), fmt
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_csv_and_json_on_standard_output(run, sweep_file):
    path = sweep_file(GRID)
    rows = rackplan.sweep(path, workers=1)
    out = run("sweep", path, "--workers", "1", "--format", "json")
    data = json.loads(out.stdout)
    assert [d["point"] for d in data] == list(range(8))
    assert list(data[0])[:4] == ["point", *GRID]
    assert data[-1]["tco_usd"] == rows[-1].tco_usd and data[-1]["ready_date"] == \
        rows[-1].ready_date.isoformat()
    lines = list(csv.reader(io.StringIO(run("sweep", path, "--workers", "1", "--format", "csv").stdout)))
    assert lines[0] == columns(list(GRID)) and lines[0][:4] == ["point", *GRID]
    assert len(lines) == 9


def test_table_names_the_sweep_and_counts_statuses(run, sweep_file):
    result = run("sweep", sweep_file(GRID), "--workers", "1")
    assert result.exit_code == 0 and result.stderr == ""
    first = result.stdout.splitlines()[0]
    assert first.endswith("8 points (6 ok, 2 infeasible), objective tco")
    assert "budget short by $" in result.stdout


def test_progress_bar_counts_points_and_rate():
    from rackplan.cli.sweep import _Progress

    stream = io.StringIO()
    bar = _Progress(total=20, resumed=4, stream=stream)
    bar(8, 16)
    bar(16, 16)
    bar.close()
    rows = [SweepRow(point=i, values={}, status="ok" if i % 4 else "infeasible") for i in range(20)]
    bar.summary(rows, "rows.csv")
    lines = stream.getvalue().split("\r")
    assert "20/20 points" in lines[-1] and "points/s" in lines[-1]
    assert "swept 16 points in " in lines[-1]
    assert lines[-1].rstrip().endswith(": 15 ok, 5 infeasible; 4 resumed from rows.csv")


def test_help_shows_examples(run):
    result = run("sweep", "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "rackplan sweep examples/sweep-neocloud.yaml" in result.stdout


# --------------------------------------------------------------------------- library and examples


def test_a_spec_built_in_python_is_relative_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    spec = SweepSpec.model_validate({"base": "enterprise-pod.yaml",
                                     "vary": {"site.pue": [1.2, 1.3]}, "objective": "capex"})
    rows = rackplan.sweep(spec, workers=1)
    assert [r.values for r in rows] == [{"site.pue": 1.2}, {"site.pue": 1.3}]
    assert rows[0].capex_usd == rows[1].capex_usd and rows[0].tco_usd < rows[1].tco_usd
    with pytest.raises(rackplan.ScenarioError, match=r"^vary\.site\.pu: site has no field"):
        rackplan.sweep(SweepSpec.model_validate({"base": "enterprise-pod.yaml",
                                                 "vary": {"site.pu": [1.2]}}))


def test_extra_catalog_files_reprice_every_point(run, write_yaml):
    prices = write_yaml("prices.yaml", {"servers": [{
        "id": "supermicro-sys-821ge-tnhr-h200", "price_usd": 400000,
        "sources": ["price_usd: a test quote"]}]})
    example = EXAMPLES / "sweep-pareto.yaml"
    plain = rackplan.sweep(example, workers=1)
    repriced = rackplan.sweep(example, workers=1, catalog_files=[prices])
    for a, b in zip(plain, repriced, strict=True):
        supermicro = a.values["workloads.llm-finetune.allowed"] == ["supermicro-sys-821ge-tnhr-h200"]
        assert b.capex_usd - a.capex_usd == (32 * 100_000 if supermicro else 0)
    result = run("sweep", str(example), "--workers", "1", "--format", "json", "--catalog", str(prices))
    assert [r["capex_usd"] for r in json.loads(result.stdout)] == [r.capex_usd for r in repriced]


def test_done_rows_of_another_sweep_are_a_value_error(sweep_file):
    rows = rackplan.sweep(sweep_file(GRID), workers=1)
    other = sweep_file({**GRID, "budget_usd": [5_050_000, 30_000_000]}, "other.yaml")
    with pytest.raises(ValueError, match="done rows belong to another sweep: point 1 has budget_usd"):
        rackplan.sweep(other, workers=1, done=rows)


def test_the_neocloud_example_is_1000_seeded_points_over_three_inputs():
    prepared = prepare(EXAMPLES / "sweep-neocloud.yaml")
    assert len(prepared.points) == 1000 and prepared.points == prepare(
        EXAMPLES / "sweep-neocloud.yaml").points
    assert set(prepared.paths) == {"site.electricity_usd_per_kwh", "site.tariffs.TW", "budget_usd"}
    rows = rackplan.sweep(dataclasses.replace(prepared, points=prepared.points[:12]), workers=1)
    assert {r.status for r in rows} <= {"ok", "infeasible"} and any(r.status == "ok" for r in rows)


def test_max_objectives_fill_the_most_columns_and_the_tornado_uses_them(sweep_file, write_yaml):
    text = POD.read_text().replace("    utilization: 0.7", "    utilization: 0.7\n    grow: true")
    base = write_yaml("grow.yaml", text)
    rows = rackplan.sweep(sweep_file({"budget_usd": [12_000_000]}, base=base,
                                     objective="max_gpus"), workers=1)
    scenario = rackplan.load_scenario(base)
    plan = rackplan.plan(scenario.model_copy(update={"budget_usd": 12_000_000.0,
                                                     "objective": "max_gpus"}))
    assert plan.most is not None and rows[0].status == "ok"
    assert (rows[0].most_value, rows[0].most_upper_bound, rows[0].most_gap) == \
        (plan.most.value, plan.most.upper_bound, plan.most.gap)
    assert rows[0].gpus == plan.totals.gpus > 256
    fake = [SweepRow(point=i, values={"budget_usd": b}, status="ok", most_value=m, tco_usd=t)
            for i, (b, m, t) in enumerate([(10.0, 300, 5.0), (8.0, 200, 1.0), (12.0, 320, 9.0)])]
    [t] = tornado(fake, "max_gpus")
    assert (t.at_low, t.at_base, t.at_high, t.swing) == (200, 300, 320, 120)


def test_an_unproven_infeasible_point_is_a_search_limit_row():
    from rackplan.errors import Diagnosis
    from rackplan.sweep.rows import row_from_exception

    row = row_from_exception(3, {}, rackplan.InfeasibleError(Diagnosis(["gave up"], {}, proven=False)))
    assert row.status == "search_limit"
    row = row_from_exception(3, {}, rackplan.InfeasibleError(Diagnosis(["short"], {}, proven=True)))
    assert row.status == "infeasible"


def test_pareto_on_a_path_without_numbers_is_refused_before_planning(tmp_path, run):
    f = tmp_path / "s.yaml"
    f.write_text(f"base: {POD}\nvary:\n  objective: [tco, capex]\n  site.pue: [1.2, 1.4]\n")
    out = tmp_path / "rows.csv"
    result = run("sweep", str(f), "--workers", "1", "-o", str(out), "--pareto", "objective:min")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "'--pareto'" in result.stderr and "not a number or a date" in result.stderr
    assert not out.exists()


def test_a_maximizing_sweep_without_a_grow_workload_is_bad_input(tmp_path, run):
    f = tmp_path / "s.yaml"
    f.write_text(f"base: {POD}\nobjective: max_gpus\nvary:\n  site.pue: [1.2, 1.4]\n")
    result = run("sweep", str(f), "--workers", "1")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert f"error: {f}: objective: objective max_gpus needs a workload with grow: true" \
        in result.stderr
