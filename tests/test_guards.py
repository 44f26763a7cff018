"""Guard rails: warnings on valid but implausible values, 'did you mean' on unknown ids, and
``catalog validate`` listing every problem."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import rackplan
from rackplan.errors import Diagnosis
from rackplan.loading import did_you_mean, suggest
from rackplan.models.scenario import WARNING_CODES
from rackplan.planning.guards import add_to_diagnosis, plan_guards, scenario_guards

CHEAP_PCIE = {"servers": [{"id": "dell-xe7745-mi350p", "price_usd": 1000}]}
"""A price sheet that makes the 8-way PCIe server (scale_up_gpus 1) every objective's choice."""


def doc(**changes: Any) -> dict[str, Any]:
    """A small scenario; ``site`` and ``workload`` changes are merged into those parts."""
    data: dict[str, Any] = {
        "name": "guards", "start": "2026-12-01", "objective": "capex",
        "site": {"it_power_kw": 600, "rack_positions": [{"rack": "air-48u-40kw", "count": 16}]},
        "workloads": [{"name": "train", "gpus": 16}],
    }
    for key, value in changes.items():
        if key == "site":
            data["site"].update(value)
        elif key == "workload":
            data["workloads"][0].update(value)
        else:
            data[key] = value
    return data


def codes(data: dict[str, Any], catalog: rackplan.Catalog) -> list[str]:
    return [g.code for g in scenario_guards(rackplan.Scenario.model_validate(data), catalog)]


# --------------------------------------------------------------------------- scenario values


def cheapest_h200_usd(catalog: rackplan.Catalog) -> float:
    return min(s.price_usd for s in catalog.servers if s.gpu == "h200-sxm")


@pytest.mark.parametrize(
    ("code", "implausible", "plausible"),
    [
        ("electricity_price", {"site": {"electricity_usd_per_kwh": 8}},
         [{"site": {"electricity_usd_per_kwh": 1.0}}, {"site": {"electricity_usd_per_kwh": 0.08}}]),
        ("tariff_rate", {"site": {"tariffs": {"TW": 5}}},
         [{"site": {"tariffs": {"TW": 1.0}}}, {"site": {"tariffs": {"TW": 0.25}}}]),
        ("pue", {"site": {"pue": 2.5}}, [{"site": {"pue": 2.0}}, {"site": {"pue": 1.3}}]),
        ("budget_below_one_server", {"budget_usd": 400, "workload": {"allowed": ["h200-sxm"]}},
         [{"budget_usd": 4e8, "workload": {"allowed": ["h200-sxm"]}}]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_warns_on_implausible_value_only(bundled, code, implausible, plausible):
    assert codes(doc(**implausible), bundled) == [code]
    for changes in plausible:
        assert codes(doc(**changes), bundled) == [], changes
    assert codes(doc(), bundled) == []


def test_budget_boundary_is_one_server_with_tariff(bundled):
    h200 = {"allowed": ["h200-sxm"]}
    cheapest = min((s for s in bundled.servers if s.gpu == "h200-sxm"), key=lambda s: s.price_usd)
    tariff = {"tariffs": {cheapest.origin: 0.5}}
    assert codes(doc(budget_usd=cheapest.price_usd, workload=h200), bundled) == []
    # with a 50% tariff the same budget no longer buys that server (nor, here, any other)
    others = [s.price_usd * (1.5 if s.origin == cheapest.origin else 1) for s in bundled.servers
              if s.gpu == "h200-sxm"]
    if min(others) > cheapest.price_usd:
        assert codes(doc(budget_usd=cheapest.price_usd, workload=h200, site=tariff), bundled) == \
            ["budget_below_one_server"]


def test_messages_say_what_was_meant_and_how_to_silence(bundled):
    data = doc(site={"electricity_usd_per_kwh": 8, "tariffs": {"TW": 5}, "pue": 2.5},
               budget_usd=400, workload={"allowed": ["h200-sxm"]})
    messages = {g.code: g.message for g in
                scenario_guards(rackplan.Scenario.model_validate(data), bundled)}
    assert messages["electricity_price"] == (
        "site.electricity_usd_per_kwh is 8 ($8/kWh): did you mean 0.08 (the price in dollars, "
        "not cents)? (silence: accept_warnings: [electricity_price])")
    assert messages["tariff_rate"] == (
        "site.tariffs TW: 5 means 500%; did you mean 0.05 (5%)? "
        "(silence: accept_warnings: [tariff_rate])")
    assert messages["pue"].startswith("site.pue is 2.5: ")
    # no made-up correction (no plausible typo turns 1.25 into 2.5): the typical range instead
    assert messages["pue"].endswith("GPU sites run at about 1.1 to 1.5 (air-cooled halls up to "
                                    "about 1.6); check the figure (silence: accept_warnings: [pue])")
    budget = messages["budget_below_one_server"]
    assert budget.startswith("budget_usd is $400, less than one server of any model workload "
                             "'train' may use (the cheapest, ")
    assert f"is ${cheapest_h200_usd(bundled):,.0f})" in budget
    assert "thousands or millions ($400,000 or $400,000,000)?" in budget
    assert budget.endswith("(silence: accept_warnings: [budget_below_one_server])")


def test_each_tariff_above_one_warns_once(bundled):
    data = doc(site={"tariffs": {"TW": 5, "CN": 2.5, "MX": 0.3}})
    guards = scenario_guards(rackplan.Scenario.model_validate(data), bundled)
    assert [g.message.split(":")[0] for g in guards] == ["site.tariffs CN", "site.tariffs TW"]


@pytest.mark.parametrize("silenced", ["electricity_price", "tariff_rate", "pue",
                                      "budget_below_one_server"])
def test_accept_warnings_removes_exactly_that_warning(bundled, silenced):
    data = doc(site={"electricity_usd_per_kwh": 8, "tariffs": {"TW": 5}, "pue": 2.5},
               budget_usd=400, workload={"allowed": ["h200-sxm"]})
    every = ["electricity_price", "tariff_rate", "pue", "budget_below_one_server"]
    assert codes(data, bundled) == every
    assert codes({**data, "accept_warnings": [silenced]}, bundled) == \
        [c for c in every if c != silenced]
    assert codes({**data, "accept_warnings": list(WARNING_CODES)}, bundled) == []


def test_unknown_code_is_bad_input_with_a_suggestion(run, write_yaml):
    path = write_yaml("s.yaml", doc(accept_warnings=["pue", "tarif_rate"]))
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(path)
    assert info.value.field == "accept_warnings[1]"
    assert str(info.value).endswith("(got 'tarif_rate'); did you mean 'tariff_rate'?")
    result = run("plan", str(path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "did you mean 'tariff_rate'?" in result.stderr


def test_infeasible_diagnosis_carries_the_scenario_warnings(bundled):
    scenario = rackplan.Scenario.model_validate(doc(budget_usd=400, site={"pue": 3.0}))
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(scenario, bundled)
    diagnosis = info.value.diagnosis
    add_to_diagnosis(diagnosis, scenario, bundled)
    warnings = diagnosis.details["warnings"]
    assert [w.split(" ")[0] for w in warnings] == ["site.pue", "budget_usd"]
    add_to_diagnosis(diagnosis, scenario, bundled)  # idempotent
    assert diagnosis.details["warnings"] == warnings
    quiet = Diagnosis(["x"], {})
    add_to_diagnosis(quiet, rackplan.Scenario.model_validate(doc()), bundled)
    assert "warnings" not in quiet.details


# --------------------------------------------------------------------------- the plan's choice


@pytest.fixture(scope="module")
def cheap_pcie(tmp_path_factory) -> str:
    import yaml

    path = tmp_path_factory.mktemp("guards") / "cheap-pcie.yaml"
    path.write_text(yaml.safe_dump(CHEAP_PCIE))
    return str(path)


def planned(data: dict[str, Any], catalog_file: str) -> rackplan.Plan:
    scenario = rackplan.Scenario.model_validate(data)
    return rackplan.plan(scenario, rackplan.load_catalog(catalog_file))


def test_unconstrained_workload_on_a_server_without_scale_up_warns(cheap_pcie):
    plan = planned(doc(site={"electricity_usd_per_kwh": 8}), cheap_pcie)
    assert [s.server for s in plan.selections] == ["dell-xe7745-mi350p"]
    assert plan.warnings[:2] == [
        "site.electricity_usd_per_kwh is 8 ($8/kWh): did you mean 0.08 (the price in dollars, "
        "not cents)? (silence: accept_warnings: [electricity_price])",
        "workload 'train' has no model constraint (allowed, min_gpu_memory_gb, min_scale_up_gpus) "
        "and got dell-xe7745-mi350p, whose GPUs have no scale-up link (scale_up_gpus 1); if it "
        "trains, set min_scale_up_gpus (e.g. 8) or allowed "
        "(silence: accept_warnings: [no_scale_up_domain])",
    ]


@pytest.mark.parametrize("constraint", [{"allowed": ["mi350p"]}, {"min_scale_up_gpus": 1},
                                        {"min_gpu_memory_gb": 1}])
def test_a_constrained_workload_on_the_same_server_does_not_warn(cheap_pcie, constraint):
    plan = planned(doc(workload=constraint), cheap_pcie)
    assert [s.server for s in plan.selections] == ["dell-xe7745-mi350p"]
    assert not any("scale-up" in w for w in plan.warnings)


def test_a_constraint_that_rules_the_server_out_does_not_warn(cheap_pcie):
    plan = planned(doc(workload={"min_scale_up_gpus": 8}), cheap_pcie)
    assert plan.selections[0].server != "dell-xe7745-mi350p"
    assert not any("scale-up" in w for w in plan.warnings)


def test_accepted_scale_up_warning_is_silent(cheap_pcie):
    plan = planned(doc(accept_warnings=["no_scale_up_domain"]), cheap_pcie)
    assert [s.server for s in plan.selections] == ["dell-xe7745-mi350p"]
    assert not any("scale-up" in w for w in plan.warnings)


def test_plan_guards_look_at_each_workload(bundled):
    from rackplan.planning.candidates import Candidate

    data = doc()
    data["workloads"] = [{"name": "a", "gpus": 8}, {"name": "b", "gpus": 8, "allowed": ["mi350p"]},
                         {"name": "c", "gpus": 8}]
    scenario = rackplan.Scenario.model_validate(data)

    def candidate(server_id: str) -> Candidate:
        return Candidate(bundled.server(server_id), 1, 8, 1.0, 1.0, 0.0, 0.0, 0.0, 0, (0.0,) * 5)

    chosen = [candidate("dell-xe7745-mi350p"), candidate("dell-xe7745-mi350p"),
              candidate("dell-xe9680-h200")]
    assert [g.message.split("'")[1] for g in plan_guards(scenario, chosen)] == ["a"]


# --------------------------------------------------------------------------- did you mean


IDS = ["h100-sxm", "h100-pcie", "h200-sxm", "dell-xe9680-h100", "nvidia-dgx-h100",
       "air-48u-40kw", "air-42u-30kw"]


def test_suggest_close_spellings_then_fragments():
    assert suggest("air-48u-40k", IDS) == ["air-48u-40kw"]
    assert suggest("H200-SXM", IDS) == ["h200-sxm"]
    assert suggest("h100", IDS) == ["h100-sxm", "h100-pcie", "dell-xe9680-h100", "nvidia-dgx-h100"]
    assert suggest("h100", IDS, limit=2) == ["h100-sxm", "h100-pcie"]
    assert suggest("xe9680", IDS) == ["dell-xe9680-h100"]
    assert suggest("zzz", IDS) == [] and suggest("", IDS) == [] and suggest("h1", []) == []


def test_did_you_mean_lists_known_ids_only_when_short():
    assert did_you_mean("air-48u-40k", IDS) == \
        f"; did you mean 'air-48u-40kw'? (known: {', '.join(IDS)})"
    many = [f"id-{i}" for i in range(13)] + ["air-48u-40kw"]
    assert did_you_mean("air-48u-40k", many) == "; did you mean 'air-48u-40kw'?"
    assert did_you_mean("zzz", IDS) == f"; known: {', '.join(IDS)}"
    assert did_you_mean("zzz", many) == ""


def scenario_problem(write_yaml, data: dict[str, Any]) -> rackplan.errors.Problem:
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(write_yaml("s.yaml", data))
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_unknown_rack_position_suggests(write_yaml):
    problem = scenario_problem(write_yaml, doc(site={"rack_positions": [
        {"rack": "air-48u-40k", "count": 1}]}))
    assert problem.field == "rack_positions[0].rack"
    assert problem.message.startswith(
        "unknown rack type 'air-48u-40k'; did you mean 'air-48u-40kw'? (known: air-42u-15kw, ")


def test_unknown_allowed_id_suggests_every_id_containing_it(write_yaml):
    problem = scenario_problem(write_yaml, doc(workload={"allowed": ["h100"]}))
    assert problem.field == "allowed[0]"
    assert problem.message == (
        "unknown id 'h100': expected a GPU id or a server id from the catalog; did you mean "
        "'h100-sxm', 'h100-pcie', 'dell-r760xa-h100pcie', 'dell-xe9680-h100' or "
        "'nvidia-dgx-h100'?")  # 35 GPU and server ids: too many to list


def test_allowed_id_of_another_kind_says_so(write_yaml):
    problem = scenario_problem(write_yaml, doc(workload={"allowed": ["air-48u-40kw"]}))
    assert problem.message == ("unknown id 'air-48u-40kw': expected a GPU id or a server id "
                               "from the catalog, not a rack type")


NETWORK = {"rack": "net-42u-20kw",
           "compute": {"switch": "nvidia-qm9700",
                       "optics": {"switch": "osfp-2x400g-sr8", "node": "osfp-2x400g-sr8",
                                  "cable": "mpo-fiber-patch"}},
           "appliances": [{"appliance": "nvidia-ufm-3", "count": 1}]}


@pytest.mark.parametrize(
    ("path", "bad", "field", "message"),
    [
        (("rack",), "net-42u-20k", "rack",
         "unknown rack type 'net-42u-20k'; did you mean 'net-42u-20kw'? (known: "),
        (("compute", "switch"), "qm9700", "compute.switch",
         "unknown switch 'qm9700'; did you mean 'nvidia-qm9700'? (known: nvidia-qm9700, "),
        (("compute", "optics", "node"), "osfp-2x400g-sr", "compute.optics.node",
         "unknown optic 'osfp-2x400g-sr'; did you mean 'osfp-2x400g-sr8'"),
        (("appliances", 0, "appliance"), "ufm", "appliances[0].appliance",
         "unknown appliance 'ufm'; did you mean 'nvidia-ufm-3'? (known: nvidia-ufm-3, "),
        (("compute", "switch"), "nvidia-ufm-3", "compute.switch",
         "unknown switch 'nvidia-ufm-3' ('nvidia-ufm-3' is an appliance); did you mean "),
    ],
    ids=["rack", "switch", "optic", "appliance", "wrong-kind"],
)
def test_unknown_network_id_suggests(write_yaml, path, bad, field, message):
    network = copy.deepcopy(NETWORK)
    node: Any = network
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    data = doc(network=network, site={"rack_positions": [
        {"rack": "air-48u-40kw", "count": 16}, {"rack": "net-42u-20kw", "count": 2}]})
    problem = scenario_problem(write_yaml, data)
    assert problem.entry == "network" and problem.field == field
    assert problem.message.startswith(message), problem.message


def test_unknown_supply_match_suggests(write_yaml):
    problem = scenario_problem(write_yaml, doc(supply=[{"match": "supermicr"}]))
    assert problem.message == ("'supermicr' is no vendor, server id or GPU id in the catalog; "
                               "did you mean 'Supermicro', 'supermicro-srs-gb300-nvl72', "
                               "'supermicro-sys-821ge-tnhr-h200', 'supermicro-sys-822gs-nb3rt-b300' or "
                               "'supermicro-as-4126gs-nmr-lcc-mi355x'?")


def test_unknown_gpu_of_a_server_suggests(write_yaml):
    server = {"id": "acme-x1", "vendor": "Acme", "model": "X1", "gpu": "h200sxm",
              "gpu_count": 8, "scale_up_gpus": 8, "u_height": 6, "power_idle_w": 2000,
              "power_max_w": 10000, "cooling": "air", "liquid_fraction": 0, "weight_kg": 100,
              "price_usd": 250000, "lead_time_weeks": 10, "origin": "US", "sources": ["all: test"]}
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(write_yaml("mine.yaml", {"servers": [server]}))
    assert str(info.value).endswith(
        "servers[acme-x1].gpu: unknown GPU id 'h200sxm'; did you mean 'h200-sxm'? "
        "(or add it under gpus)")


def test_unknown_literal_suggests(write_yaml):
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(write_yaml("s.yaml", doc(objective="max_gpu")))
    assert str(info.value).endswith("(got 'max_gpu'); did you mean 'max_gpus'?")


# --------------------------------------------------------------------------- catalog validate


def broken_racks(n: int) -> dict[str, Any]:
    """A catalog of ``n`` new rack types with one problem each (``feeds: 0``)."""
    base = {"u_height": 42, "power_kw": 20, "feeds": 2, "air_cooling_kw": 20,
            "liquid_cooling_kw": 0, "max_load_kg": 1000, "price_usd": 1, "sources": ["all: test"]}
    return {"racks": [{**base, "id": f"bad-rack-{i}", "feeds": 0} for i in range(n)]}


def test_validate_prints_every_problem(run, write_yaml):
    result = run("catalog", "validate", str(write_yaml("bad.yaml", broken_racks(15))))
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 15
    assert all(line.startswith("error: ") and ".feeds: " in line for line in lines)
    assert len({line.split(": ")[2] for line in lines}) == 15  # one line per rack


def test_validate_stops_at_fifty_unless_all(run, write_yaml):
    path = str(write_yaml("bad.yaml", broken_racks(60)))
    lines = run("catalog", "validate", path).stderr.splitlines()
    assert len(lines) == 51 and lines[-1] == "... and 10 more problems (--all prints every one)"
    every = run("catalog", "validate", "--all", path)
    assert every.exit_code == 2 and len(every.stderr.splitlines()) == 60


def test_size_warnings_name_the_option_that_silences_them(run):
    args = ["size", "--gpus", "64", "--server", "dell-xe9680-h200", "--electricity", "8",
            "--start", "2026-12-01", "--format", "json"]
    loud = run(*args)
    assert loud.exit_code == 0
    assert "(silence: --accept-warning electricity_price)" in loud.stderr
    assert "electricity_price" in json.loads(loud.stdout)["warnings"][0]
    quiet = run(*args, "--accept-warning", "electricity_price")
    assert quiet.exit_code == 0 and "warning:" not in quiet.stderr


SCENARIO_FIELD_WORDS = ("site.", "budget_usd", "accept_warnings", "min_scale_up_gpus", "allowed")


@pytest.mark.parametrize("args, code", [
    (["--gpus", "64", "--server", "dell-xe9680-h200", "--electricity", "8"], 0),
    (["--gpus", "64", "--server", "dell-xe9680-h200", "--pue", "2.5"], 0),
    (["--gpus", "64", "--gpu", "h200-sxm", "--budget", "1000"], 1),  # infeasible as well
    (["--most", "--budget", "5e7", "--it-power-kw", "2000"], 0),  # no scale-up domain
])
def test_size_warnings_speak_of_its_options_not_of_scenario_fields(run, args, code):
    """size has no scenario file: its warnings (stderr and JSON, with or without a plan) name
    its options, and an infeasible size still says the order date it assumed."""
    r = run("size", *args, "--format", "json")
    assert r.exit_code == code, r.stderr
    data = json.loads(r.stdout)
    warnings = data["warnings"] if code == 0 else data["details"]["warnings"]
    assert warnings
    for text in [*warnings, r.stderr]:
        assert not any(word in text for word in SCENARIO_FIELD_WORDS), text
    assert all("(silence: --accept-warning " in w for w in warnings)
    assert ("order date: " in r.stderr) == (code == 0)  # an infeasible one: the error alone


def test_an_infeasible_size_with_need_by_says_the_order_date_it_counted_from(run):
    r = run("size", "--gpus", "64", "--gpu", "h200-sxm", "--need-by", "2027-01-01")
    assert r.exit_code == 1
    assert r.stderr.startswith("order date: ") and " days late" in r.stderr


@pytest.mark.parametrize("site, field, hint", [
    ({"electricity_usd_per_kwh": 11}, "site.electricity_usd_per_kwh",
     "input should be less than or equal to 10 (got 11); if that is cents, 0.11"),
    ({"tariffs": {"TW": 25}}, "site.tariffs.TW",
     "input should be less than or equal to 10 (got 25); if that is a percentage, 0.25"),
])
def test_a_price_or_rate_over_its_range_says_what_it_would_be_in_other_units(
        run, write_yaml, site, field, hint):
    path = write_yaml("s.yaml", doc(site=site))
    r = run("plan", str(path))
    assert r.exit_code == 2
    assert r.stderr == f"error: {path}: {field}: {hint}\n"
