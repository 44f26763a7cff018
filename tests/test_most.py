"""Objectives ``max_gpus`` and ``max_fp8_pflops``: the most the limits allow, then the least TCO.

The exactness against an independent HiGHS model is in ``test_most_exact.py``; here, each
claim the planner makes is checked with the min-TCO planner itself: one server more than "the
most" must be proven infeasible, and the plan must sit inside every limit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import rackplan
from rackplan import InfeasibleError, Scenario, ScenarioError
from rackplan.cli import cli
from rackplan.planning.most import upper_bound

from .plan_check import check_plan

ROOT = Path(__file__).parent.parent
CATALOG = rackplan.load_catalog()


def scenario(**over) -> Scenario:  # type: ignore[no-untyped-def]
    data = {
        "name": "most", "start": "2026-12-01", "objective": "max_gpus", "budget_usd": 2.0e7,
        "site": {"it_power_kw": 800, "pue": 1.3, "electricity_usd_per_kwh": 0.08,
                 "tariffs": {"TW": 0.15},
                 "rack_positions": [{"rack": "air-48u-40kw", "count": 30},
                                    {"rack": "dlc-48u-140kw", "count": 4}]},
        "workloads": [{"name": "cluster", "gpus": 8, "grow": True}],
    }
    for key, value in over.items():
        data[key] = value
    return Scenario.model_validate(data)


def one_more_is_infeasible(s: Scenario, p: rackplan.Plan) -> None:
    """The same scenario asking for one GPU more than the plan's grow workload got, with the
    grow flag off and the models it may use unchanged, is proven infeasible."""
    d = s.model_dump(mode="json", exclude_none=True)
    for w, sel in zip(d["workloads"], p.selections, strict=True):
        if w.get("grow"):
            w["grow"] = False
            w["gpus"] = sel.gpus + 1
            w.pop("phases", None)
    d["objective"] = "tco"
    with pytest.raises(InfeasibleError) as exc:
        rackplan.plan(Scenario.model_validate(d), CATALOG)
    assert exc.value.diagnosis.proven


def within_limits(s: Scenario, p: rackplan.Plan) -> None:
    assert p.totals.it_power_kw <= s.site.it_power_kw * (1 + 1e-9)
    if s.budget_usd is not None:
        assert p.totals.capex_usd <= s.budget_usd * (1 + 1e-9)
    check_plan(p, s, CATALOG)


@pytest.mark.parametrize("over", [
    {},                                                   # budget binds
    {"budget_usd": 1.0e9},                                # power binds
    {"budget_usd": 1.0e9, "site": {"it_power_kw": 5000, "rack_positions": [
        {"rack": "air-48u-40kw", "count": 6}]}},          # positions bind
    {"workloads": [{"name": "cluster", "gpus": 8, "grow": True, "allowed": ["h200-sxm"]},
                   {"name": "inference", "gpus": 256, "allowed": ["mi300x"]}]},
    {"budget_usd": 1.0e9, "site": {"it_power_kw": 5000, "install_racks_per_week": 2,  # need-by
                                   "rack_positions": [{"rack": "air-48u-40kw", "count": 100}]},
     "workloads": [{"name": "cluster", "gpus": 8, "grow": True, "allowed": ["h200-sxm"],
                    "need_by": "2027-06-30"}]},
])
def test_the_most_gpus_is_proven_and_one_more_is_infeasible(over):
    base = scenario().model_dump(mode="json", exclude_none=True)
    for key, value in over.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) else value
    s = Scenario.model_validate(base)
    p = rackplan.plan(s, CATALOG)
    assert p.objective == "max_gpus" and p.most is not None
    grow = sum(sel.gpus for sel in p.selections if sel.workload == "cluster")
    assert p.most.value == grow
    assert p.most.gap == 0 and p.most.upper_bound == grow
    assert p.most.upper_bound <= upper_bound(s, CATALOG, "gpus", None) + 1e-9
    within_limits(s, p)
    for sel in p.selections:  # the others get exactly their demand
        if sel.workload != "cluster":
            assert sel.gpus == sel.gpus_requested or sel.gpus - sel.gpus_requested < 8
    one_more_is_infeasible(s, p)


def test_ties_go_to_the_least_tco():
    """Among plans with the most GPUs, the min-TCO planner at exactly that many GPUs finds
    none cheaper."""
    s = scenario()
    p = rackplan.plan(s, CATALOG)
    d = s.model_dump(mode="json", exclude_none=True)
    d["objective"] = "tco"
    d["workloads"][0].update(grow=False, gpus=int(p.most.value))
    least = rackplan.plan(Scenario.model_validate(d), CATALOG)
    assert p.totals.tco_usd <= least.totals.tco_usd * (1 + 1e-9)
    assert p.totals.tco_usd >= least.bounds.objective_lower_bound * (1 - 1e-9)


def test_fp8_pflops_is_the_most_and_one_more_server_is_infeasible():
    s = scenario(objective="max_fp8_pflops")
    p = rackplan.plan(s, CATALOG)
    assert p.most is not None and p.most.objective == "max_fp8_pflops" and p.most.gap == 0
    sel = p.selections[0]
    server = CATALOG.server(sel.server)
    per = server.gpu_count * CATALOG.gpu(server.gpu).fp8_tflops / 1000
    assert p.most.value == pytest.approx(sel.count * per, rel=1e-9)
    within_limits(s, p)
    # no model reaches more: each qualifying model with one unit more than the plan's value
    # needs is proven infeasible
    d = s.model_dump(mode="json", exclude_none=True)
    d.update(objective="tco")
    d["workloads"][0] = {"name": "cluster", "fp8_pflops": p.most.value * (1 + 1e-7)}
    with pytest.raises(InfeasibleError) as exc:
        rackplan.plan(Scenario.model_validate(d), CATALOG)
    assert exc.value.diagnosis.proven


def test_growth_joins_the_last_phase():
    s = scenario(workloads=[{"name": "cluster", "grow": True, "allowed": ["h200-sxm"],
                             "phases": [{"gpus": 64, "need_by": "2027-09-30"},
                                        {"gpus": 64}]}])
    p = rackplan.plan(s, CATALOG)
    phases = p.schedule.workloads[0].phases
    assert phases[0].gpus == 64
    assert phases[0].gpus + phases[1].gpus == p.selections[0].gpus == p.most.value > 128
    within_limits(s, p)
    one_more_is_infeasible(s, p)


def test_several_grow_workloads_claim_only_a_proven_bound():
    s = scenario(budget_usd=6.0e7, workloads=[
        {"name": "train", "gpus": 64, "grow": True, "allowed": ["h200-sxm", "b200"]},
        {"name": "serve", "gpus": 64, "grow": True, "allowed": ["mi300x", "mi355x"]}])
    p = rackplan.plan(s, CATALOG)
    assert p.most is not None and p.most.workloads == ["train", "serve"]
    assert p.most.value == p.totals.gpus
    assert p.most.value <= p.most.upper_bound
    assert p.most.upper_bound == pytest.approx(upper_bound(s, CATALOG, "gpus", None), rel=1e-6) \
        or p.most.gap == 0
    within_limits(s, p)
    if p.most.gap > 0:
        assert any("not over every split" in w for w in p.warnings)


def test_minima_that_do_not_fit_are_the_answer():
    s = scenario(budget_usd=1.0e5)
    with pytest.raises(InfeasibleError) as exc:
        rackplan.plan(s, CATALOG)
    assert "budget" in str(exc.value)


def test_a_maximizing_objective_needs_a_grow_workload():
    s = scenario(workloads=[{"name": "cluster", "gpus": 8}])
    with pytest.raises(ScenarioError, match="objective max_gpus needs a workload with grow: true"):
        rackplan.plan(s, CATALOG)


def test_same_input_same_plan():
    s = scenario()
    assert rackplan.plan(s, CATALOG).model_dump_json() == rackplan.plan(s, CATALOG).model_dump_json()


def test_upper_bound_is_a_relaxation():
    """Each relaxation bounds on its own: budget / cheapest GPU, power / least kW per GPU."""
    s = scenario(budget_usd=1.0e7)
    ub = upper_bound(s, CATALOG, "gpus", None)
    cheapest = min(srv.price_usd * (1 + s.site.tariffs.get(srv.origin, 0)) / srv.gpu_count
                   for srv in CATALOG.servers)
    assert ub <= 1.0e7 / cheapest * (1 + 1e-9)
    leanest = min(srv.power_max_w / 1000 / srv.gpu_count for srv in CATALOG.servers)
    assert ub <= 800 / leanest * (1 + 1e-6)


def test_size_most_answers_in_one_line_of_shell():
    r = CliRunner().invoke(cli, ["size", "--most", "--budget", "5e7", "--it-power-kw", "2000",
                                 "--gpu", "h200-sxm", "--start", "2026-12-01", "--format", "json"])
    assert r.exit_code == 0, r.output
    p = rackplan.Plan.model_validate(json.loads(r.stdout))
    assert p.objective == "max_gpus" and p.most is not None and p.most.gap == 0
    assert p.totals.gpus == p.most.value
    assert p.totals.capex_usd <= 5e7 and p.totals.it_power_kw <= 2000
    assert {CATALOG.server(s.server).gpu for s in p.selections} == {"h200-sxm"}
    # one server more of the cheapest H200 per GPU would break the budget or the power
    assert math.isfinite(p.most.upper_bound)
    text = CliRunner().invoke(cli, ["size", "--most", "--budget", "5e7", "--it-power-kw", "2000",
                                    "--gpu", "h200-sxm", "--start", "2026-12-01"]).stdout
    assert f"{int(p.most.value):,} GPUs for cluster (proven the most)" in text


@pytest.mark.parametrize("args, message", [
    (["size", "--most", "--gpu", "h200-sxm"], "--most needs a limit to stop at"),
    (["size", "--gpus", "8", "--gpu", "h200-sxm", "--objective", "max_gpus"], "needs --most"),
    (["size", "--most", "--budget", "1e7", "--objective", "tco"], "--most maximizes"),
    (["size", "--most", "--budget", "1e7", "--gpu", "h200-sxm", "--server", "dell-xe9680-h200"],
     "at most one of --server or --gpu"),
])
def test_size_most_usage_errors(args, message):
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert message in r.stderr


def test_plan_without_grow_workload_exits_2(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text((ROOT / "examples" / "enterprise-pod.yaml").read_text()
                 + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["plan", str(f), "--objective", "max_gpus"])
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {f}: objective: objective max_gpus needs a workload")


def test_compare_ranks_by_the_most():
    s = scenario(workloads=[{"name": "cluster", "gpus": 8, "grow": True,
                             "allowed": ["h200-sxm", "mi300x", "b200"]}])
    rows = rackplan.planning.compare(s, CATALOG)
    feasible = [r for r in rows[1:] if r.feasible]
    assert len(feasible) >= 2
    assert [r.most for r in feasible] == sorted((r.most for r in feasible), reverse=True)
    assert rows[0].most == max(r.most for r in feasible)


def test_progress_is_called_once_per_search():
    seen: list[str] = []
    p = rackplan.plan(scenario(), CATALOG, progress=seen.append)
    assert len(seen) == p.most.probes and seen[0] == "every workload at its own demand"
    assert all(t.startswith("cluster >= ") for t in seen[1:])
    seen.clear()
    rackplan.plan(scenario(), CATALOG, objective="tco", progress=seen.append)
    assert seen == []


def test_several_grow_workloads_bound_tco_over_every_split():
    """The TCO bound of several grow workloads is the one at their minima, which holds for
    every split: no plan meeting the minima costs less."""
    s = scenario(budget_usd=6.0e7, workloads=[
        {"name": "train", "gpus": 64, "grow": True, "allowed": ["h200-sxm", "b200"]},
        {"name": "serve", "gpus": 64, "grow": True, "allowed": ["mi300x", "mi355x"]}])
    p = rackplan.plan(s, CATALOG)
    at_minima = rackplan.plan(s, CATALOG, objective="tco")
    assert p.bounds.objective_lower_bound <= at_minima.bounds.objective_lower_bound + 0.01
    assert p.bounds.gap == pytest.approx(
        (p.bounds.objective_value - p.bounds.objective_lower_bound) / p.bounds.objective_value,
        abs=1e-6)


def test_an_unproven_infeasible_step_does_not_narrow_the_bound(monkeypatch):
    """A step ending in an InfeasibleError that is not proven counts as a search limit: the
    bound stays where the proofs put it and the gap is not 0."""
    from rackplan.errors import Diagnosis
    from rackplan.planning import most

    real = most._plan_least

    def flaky(scen, cat, objective, force, floors):  # type: ignore[no-untyped-def]
        if floors:
            raise InfeasibleError(Diagnosis(["packer gave up"], {}, proven=False))
        return real(scen, cat, objective, force, floors)

    monkeypatch.setattr(most, "_plan_least", flaky)
    p = rackplan.plan(scenario(), CATALOG)
    assert p.most.unproven == p.most.probes - 1 > 0
    assert p.most.gap > 0 and p.most.upper_bound > p.most.value
    assert "stopped at their limits" in " ".join(p.warnings)
