"""``rackplan plan --explain``: why each workload got its model, checked against forced plans."""

from __future__ import annotations

from pathlib import Path

import pytest

import rackplan
from rackplan.loading import catalog_for
from rackplan.planning.arrays import site_arrays
from rackplan.planning.candidates import candidates_for
from rackplan.planning.explain import explain
from rackplan.render.report import EXPLAIN_SHOWN_REJECTED, explanation_table

NEOCLOUD = Path(__file__).resolve().parent.parent / "examples" / "neocloud.yaml"

POWER_BOUND = {
    # the H100 servers are cheaper but draw 8 x 11 kW; only the 7.5 kW H200 NVL ones fit 70 kW
    "name": "power-bound", "start": "2027-01-04",
    "site": {"it_power_kw": 70, "rack_positions": [{"rack": "air-48u-40kw", "count": 10}]},
    "workloads": [{"name": "w", "gpus": 64,
                   "allowed": ["dell-xe9680-h100", "dell-xe7745-h200nvl"]}]}


@pytest.fixture(scope="module")
def neocloud():
    scenario = rackplan.load_scenario(NEOCLOUD)
    base = rackplan.plan(scenario)
    return scenario, base, explain(scenario, base=base)


def test_every_model_is_accounted_for_per_workload(neocloud):
    scenario, base, why = neocloud
    catalog = catalog_for(scenario)
    site = site_arrays(scenario, catalog)
    assert [w.workload for w in why.workloads] == [w.name for w in scenario.workloads]
    assert why.binding == ()  # neocloud uses less than 99% of every limit
    for w, sel, workload in zip(why.workloads, base.selections, scenario.workloads, strict=True):
        assert w.chosen == sel.server
        cands, rejected = candidates_for(workload, scenario, catalog, site)
        assert sorted(r.server for r in w.rivals) == sorted(
            c.server.id for c in cands if c.server.id != w.chosen)
        assert dict(w.rejected) == rejected
        assert {r.server for r in w.rivals} | dict(w.rejected).keys() | {w.chosen} == {
            s.id for s in catalog.servers}
        costs = [r.delta_usd for r in w.rivals if r.feasible]
        assert costs == sorted(costs) and all(c >= 0 for c in costs)  # the plan is optimal
        assert [r.feasible for r in w.rivals] == sorted((r.feasible for r in w.rivals),
                                                        reverse=True)
    assert why.plans == sum(len(w.rivals) for w in why.workloads)


def test_a_rival_costs_what_its_forced_plan_costs(neocloud):
    scenario, base, why = neocloud
    pretraining = why.workloads[0]
    by = {r.server: r for r in pretraining.rivals}
    forced = rackplan.plan(scenario, force_models={"pretraining": "dell-xe9712-gb300"})
    delta = forced.totals.tco_usd - base.totals.tco_usd
    assert by["dell-xe9712-gb300"].delta_usd == pytest.approx(delta, abs=0.01)
    assert by["dell-xe9712-gb300"].text == (
        f"would cost ${delta:,.0f} more (TCO {delta / base.totals.tco_usd:+.2%})")
    # NVIDIA's GB200 rack, assembled in Taiwan (25% tariff here), busts the budget: the reason
    # names it, with the diagnosis' figures
    nvidia = by["nvidia-gb200-nvl72"]
    assert not nvidia.feasible and nvidia.delta_usd is None
    assert nvidia.text.startswith("no plan: budget short by $")
    assert dict(pretraining.rejected)["dell-xe9680-h200"] == "GPU memory 141 GB is below 180 GB"


def test_the_report_section(run):
    r = run("plan", str(NEOCLOUD), "--explain")
    assert r.exit_code == 0, r.stderr
    report, _, section = r.stdout.partition("\nExplanation\n")
    assert "Limits" in report and section, r.stdout
    assert "Workload pretraining: dell-xe9712-gb200" in section
    lines = section.splitlines()
    assert any(line.split() == ["dell-xe9712-gb200", "chosen"] for line in lines)
    assert any(line.startswith("dell-xe9712-gb300") and "would cost $" in line
               and "more (TCO +" in line for line in lines)
    assert any(line.startswith("nvidia-gb200-nvl72") and "no plan: budget short by" in line
               for line in lines)
    # inference allows 3 GPUs: of the servers that do not qualify, 10 reasons are shown, then
    # the count of the rest
    inference = section.split("Workload inference")[1].split("Workload finetune")[0]
    catalog = rackplan.load_catalog()
    rejected = [s for s in catalog.servers if s.gpu not in ("h200-sxm", "mi300x", "mi355x")]
    assert inference.count("does not qualify: ") == EXPLAIN_SHOWN_REJECTED
    shown = [line.split()[0] for line in inference.splitlines() if "does not qualify" in line]
    assert f"and {len(rejected) + 1 - len(shown)} more" in inference  # + the ORv3 MI355X
    assert section.rstrip().endswith(
        "Binding site limits\n- none: the plan uses less than 99% of every site limit")
    md = run("plan", str(NEOCLOUD), "--explain", "--format", "markdown")
    assert "## Explanation" in md.stdout and "### Workload finetune: dell-xe9680-h100" in md.stdout
    assert "| model | outcome |" in md.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "bom", "svg", "html"])
def test_explain_is_refused_with_other_formats(run, fmt):
    r = run("plan", str(NEOCLOUD), "--explain", "--format", fmt)
    assert r.exit_code == 2 and r.stdout == ""
    assert "--explain works with --format table or markdown" in r.stderr


def test_a_model_that_loses_on_power_names_the_limit(run, write_yaml):
    path = write_yaml("power.yaml", POWER_BOUND)
    scenario = rackplan.load_scenario(path)
    why = explain(scenario)
    [w] = why.workloads
    assert w.chosen == "dell-xe7745-h200nvl"
    [rival] = w.rivals
    assert rival.server == "dell-xe9680-h100" and not rival.feasible
    assert rival.text.startswith("no plan: IT power short by 18.0 kW")
    assert why.binding == ()  # 60 of 70 kW
    text = explanation_table(why)
    assert any(line.split(None, 1) == ["dell-xe9680-h100", rival.text]
               for line in text.splitlines())
    assert "forced on its workload alone (the other workloads keep their free choice) and " \
           "planned: 1 plan, objective tco" in text
    # with the envelope at the chosen plan's 60 kW, the limit binds and is said in words
    tight = write_yaml("tight.yaml", {**POWER_BOUND, "site": {**POWER_BOUND["site"],
                                                               "it_power_kw": 60}})
    r = run("plan", str(tight), "--explain")
    assert r.exit_code == 0, r.stderr
    assert "- IT power: 60.0 kW of 60.0 kW reserved (100.0%)" in r.stdout


def test_an_unproven_alternative_is_never_compared_as_if_proven():
    """An alternative whose search stopped short says so, whatever the comparison is about:
    cost (its gap), GPUs under a maximizing objective (its most's gap), or the ready date."""
    from rackplan.planning.build import NOT_PROVEN_EARLIEST
    from rackplan.planning.explain import _versus

    most = rackplan.plan(rackplan.load_scenario(NEOCLOUD.parent / "most-50m-2mw.yaml"))
    assert most.most is not None
    fewer = most.model_copy(update={"most": most.most.model_copy(update={
        "value": most.most.value - 64, "upper_bound": most.most.value + 8,
        "gap": 72 / (most.most.value + 8)})})
    text, _ = _versus(most, fewer, "max_gpus")
    assert text.startswith("gives 64 fewer GPUs; not proven its most (it may give up to ")
    proven = fewer.model_copy(update={"most": fewer.most.model_copy(update={
        "upper_bound": fewer.most.value, "gap": 0.0})})
    assert _versus(most, proven, "max_gpus")[0] == "gives 64 fewer GPUs"

    base = rackplan.plan(rackplan.load_scenario(NEOCLOUD))
    later_date = base.schedule.ready_date.replace(year=base.schedule.ready_date.year + 1)
    later = base.model_copy(update={
        "schedule": base.schedule.model_copy(update={"ready_date": later_date}),
        "warnings": [f"{NOT_PROVEN_EARLIEST}: no plan is ready before ..."]})
    text, _ = _versus(base, later, "time")
    assert text.endswith("; the earliest found with that model, not proven its earliest")
    sure = later.model_copy(update={"warnings": []})
    assert "not proven" not in _versus(base, sure, "time")[0]
