"""Fabrics, network racks and the bill of materials, against NVIDIA's published reference designs.

The fabric sizes come from the rules in docs/network.md (rackplan.network.tree); the figures
asserted here are the published ones (DGX SuperPOD H100 reference architecture RA-11333-001,
tables 4, 7 and 8; DGX B200 data-centre figures; the GB200 NVL72 scalable unit).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest

import rackplan
from rackplan.network.tree import LeafPorts, PortExhaustion, leaf_ports, next_divisor, size_tree
from rackplan.render.report import render

from .plan_check import check_plan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def superpod():
    return rackplan.load_scenario(EXAMPLES / "superpod-h100.yaml")


def _with(scenario, **changes):
    data = scenario.model_dump(exclude_none=True)
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split(".")
        for key in path:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    return rackplan.Scenario.model_validate(data)


def _plan(scenario):
    catalog = rackplan.load_catalog()
    result = rackplan.plan(scenario, catalog)
    check_plan(result, scenario, catalog)
    return result


# ----------------------------------------------------------------------------- the rules


def test_leaf_split_and_divisors():
    assert leaf_ports(64, 1.0) == LeafPorts(32, 32)
    assert leaf_ports(64, 3.0) == LeafPorts(48, 16)
    assert leaf_ports(48, 1.0, uplink_ports=4) == LeafPorts(48, 4)
    assert next_divisor(32, 12) == 16 and next_divisor(32, 4) == 4 and next_divisor(30, 7) == 10


@pytest.mark.parametrize(("units", "leaf", "spine", "leaf_spine"),
                         [(1, 8, 4, 256), (2, 16, 8, 512), (3, 24, 16, 768), (4, 32, 16, 1024)])
def test_superpod_compute_fabric_table(units, leaf, spine, leaf_spine):
    """RA-11333-001 table 4: DGX H100 with QM9700 at 32 nodes per unit."""
    q = leaf_ports(64, 1.0)
    tree = size_tree((32 * units - 1) * 8 + 4, 8, 32, 64, q, q)
    assert (tree.tiers, tree.leaf, tree.spine, tree.core) == (2, leaf, spine, 0)
    assert tree.leaf_spine == leaf_spine
    assert tree.node_leaf == (252, 508, 764, 1020)[units - 1]  # table 4's node-to-leaf cables


def test_three_tiers_beyond_one_spine_layer_and_exhaustion_is_an_error():
    q = leaf_ports(64, 1.0)
    tree = size_tree(4096 * 8, 8, 32, 64, q, q)  # 4,096 servers: 1,024 leaves > 64
    assert tree.tiers == 3 and tree.leaf == 1024
    assert tree.pods == 32 and tree.spine == 32 * 32 and tree.core == math.ceil(1024 * 32 / 64)
    assert tree.spine_core == tree.spine * 32
    # k^3/4 endpoints at most (Al-Fares et al. 2008): 65,536 ports of 64-port switches
    assert size_tree(65_536, 1, 32, 64, q, q).pods == 64
    with pytest.raises(PortExhaustion, match="at most 64 pods"):
        size_tree(12_500 * 8, 8, 32, 64, q, q)
    with pytest.raises(PortExhaustion, match="32 downlinks"):
        size_tree(100 * 8, 8, 40, 64, q, q)


# ----------------------------------------------------------------------------- the reference design


def test_superpod_h100_reference(superpod):
    """127 DGX H100, 4 units: the compute fabric, its modules and the BOM of RA-11333-001."""
    plan = _plan(superpod)
    compute = next(f for f in plan.fabrics if f.name == "compute")
    assert (compute.leaf, compute.spine, compute.core, compute.tiers) == (32, 16, 0, 2)
    assert compute.scalable_units == 4 and compute.servers == 127
    assert compute.links.node_leaf == 1020 and compute.links.leaf_spine == 1024
    assert compute.modules["node"] == 508
    assert abs(compute.modules["switch"] - 1536) <= 0.01 * 1536
    assert compute.link_gbps == 400
    qm9700 = next(b for b in plan.bom if b.item == "nvidia-qm9700")
    assert qm9700.quantity == sum(f.leaf + f.spine + f.core for f in plan.fabrics
                                  if f.switch == "nvidia-qm9700")
    appliances = [b for b in plan.bom if b.category == "appliances"]
    assert [(b.item, b.quantity) for b in appliances] == [("nvidia-ufm-3", 4)]
    # every fabric is there, and the OOB fabric covers BMCs, switches, appliances and PDUs
    names = [f.name for f in plan.fabrics]
    assert names == ["compute", "storage", "inband", "oob"]
    oob = plan.fabrics[-1]
    switches = sum(f.leaf + f.spine + f.core for f in plan.fabrics)
    pdus = sum(rackplan.load_catalog().rack(r.rack).pdu_count for r in plan.racks)
    assert oob.links.node_leaf == 127 + 4 + switches + pdus
    assert round(sum(b.extended_usd for b in plan.bom), 2) == plan.totals.capex_usd
    assert plan.costs.network_usd > 0 and plan.costs.optics_usd > 0
    assert plan.bounds.gap < 0.01


def test_superpod_cli_prints_fabrics_and_a_bom_that_sums_to_capex(superpod, tmp_path):
    from click.testing import CliRunner

    from rackplan.cli import cli

    runner = CliRunner()
    table = runner.invoke(cli, ["plan", str(EXAMPLES / "superpod-h100.yaml")])
    assert table.exit_code == 0, table.output
    assert "Fabrics" in table.output and "compute:training" in table.output
    line = next(x for x in table.output.splitlines() if x.startswith("compute:training"))
    assert line.split()[1:7] == ["nvidia-qm9700", "2", "4", "32", "16", "0"]
    out = tmp_path / "bom.csv"
    bom = runner.invoke(cli, ["plan", str(EXAMPLES / "superpod-h100.yaml"), "--format", "bom",
                              "-o", str(out)])
    assert bom.exit_code == 0, bom.output
    import csv

    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    plan = rackplan.plan(superpod)
    assert round(sum(float(r["extended_usd"]) for r in rows), 2) == plan.totals.capex_usd
    assert {r["category"] for r in rows} >= {"servers", "switches", "optics", "cables",
                                             "appliances", "racks"}


def test_units_scale_the_compute_fabric(superpod):
    for units, leaf, spine in ((1, 8, 4), (2, 16, 8), (3, 24, 16)):
        plan = _plan(_with(superpod, **{"workloads.0.gpus": (32 * units - 1) * 8}))
        compute = plan.fabrics[0]
        assert (compute.leaf, compute.spine) == (leaf, spine), units


def test_without_network_the_plan_is_unchanged(superpod):
    data = superpod.model_dump(exclude_none=True)
    data.pop("network")
    plain = rackplan.Scenario.model_validate(data)
    before = _plan(plain)
    assert before.fabrics == [] and before.costs.network_usd == 0
    assert all(r.role == "servers" for r in before.racks)
    with_net = _plan(superpod)
    assert with_net.totals.it_power_kw > before.totals.it_power_kw
    assert with_net.totals.capex_usd > before.totals.capex_usd
    assert with_net.totals.racks > before.totals.racks
    # the BOM of a plan without network: servers, racks (and tariffs), summing to capex
    assert {b.category for b in before.bom} <= {"servers", "racks", "tariffs"}
    assert round(sum(b.extended_usd for b in before.bom), 2) == before.totals.capex_usd


def test_dgx_b200_rack_power():
    """Two DGX B200 per rack: 28.6 kW (NVIDIA's DGX B200 data-centre figures)."""
    scenario = rackplan.Scenario.model_validate({
        "name": "b200", "start": "2026-12-01",
        "site": {"it_power_kw": 1000, "power_redundancy": "N",
                 "rack_positions": [{"rack": "air-42u-30kw", "count": 20}]},
        "workloads": [{"name": "t", "gpus": 256, "allowed": ["nvidia-dgx-b200"]}]})
    plan = _plan(scenario)
    assert {r.power_kw for r in plan.racks} == {28.6}


def test_gb200_unit_with_its_fabric():
    """A GB200 NVL72 scalable unit (8 racks, 576 GPUs) with a compute fabric and management:
    NVIDIA gives about 1.2 MW per unit; the servers alone are 8 x 132 kW = 1,056 kW."""
    scenario = rackplan.load_scenario(EXAMPLES / "gb200-su.yaml")
    plan = _plan(scenario)
    servers_kw = sum(s.it_power_kw for s in plan.selections)
    assert servers_kw == pytest.approx(1056.0)
    assert 1056.0 < plan.totals.it_power_kw < 1300.0
    assert plan.fabrics[0].servers == 8 and plan.fabrics[0].links.node_leaf >= 8 * 72


# ----------------------------------------------------------------------------- errors


def test_an_optic_that_does_not_fit_its_cage_is_bad_input(superpod):
    bad = _with(superpod, **{"network.compute.optics.node": "qsfp112-400g-sr4"})
    with pytest.raises(rackplan.ScenarioError, match="does not fit the osfp cages") as info:
        rackplan.plan(bad)
    assert info.value.problems[0].field == "compute.optics.node"


def test_an_optic_slower_than_its_links_is_bad_input(superpod):
    bad = _with(superpod, **{"network.inband.optics.node": "qsfp28-100g-aoc",
                             "network.inband.switch": "nvidia-sn5600"})
    plan = rackplan.plan(bad)  # 100G node ports on 400G switch ports: links at 100G, fits
    assert next(f for f in plan.fabrics if f.name == "inband").link_gbps == 100
    slow = _with(superpod, **{"network.compute.switch": "nvidia-q3400",
                              "network.compute.optics.switch": "osfp-2x400g-sr8"})
    with pytest.raises(rackplan.ScenarioError, match="links of nvidia-q3400 run at 800G"):
        rackplan.plan(slow)


def test_port_exhaustion_names_what_runs_out(superpod):
    big = _with(superpod, **{"workloads.0.gpus": 12_500 * 8, "site.it_power_kw": 300_000,
                             "site.rack_positions.0.count": 6000,
                             "site.rack_positions.1.count": 2000})
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(big)
    assert "at most 64 pods" in str(info.value)
    assert info.value.diagnosis.proven


def test_nodes_per_su_above_the_leaf_downlinks_is_exhaustion(superpod):
    bad = _with(superpod, **{"network.compute.nodes_per_su": 40})
    with pytest.raises(rackplan.InfeasibleError, match="32 downlinks"):
        rackplan.plan(bad)


def test_network_positions_bind_with_a_proven_diagnosis(superpod):
    few = _with(superpod, **{"site.rack_positions.1.count": 1, "site.rack_positions.0.count": 60})
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(few)
    text = str(info.value)
    assert "network" in text and "net-42u-20kw" in text


def test_network_power_counts_in_the_envelope(superpod):
    servers_kw = 127 * 10.2
    tight = _with(superpod, **{"site.it_power_kw": servers_kw + 5})
    with pytest.raises(rackplan.InfeasibleError) as info:
        rackplan.plan(tight)
    assert info.value.diagnosis.proven
    assert "servers and their network" in str(info.value)


def test_scenario_references_are_checked(tmp_path):
    text = (EXAMPLES / "superpod-h100.yaml").read_text()
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("switch: nvidia-qm9700\n    optics: {switch: osfp",
                                 "switch: nvidia-qm9700x\n    optics: {switch: osfp", 1))
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(path)
    problem = info.value.problems[0]
    assert problem.entry == "network" and problem.field == "compute.switch"
    assert "did you mean 'nvidia-qm9700'" in problem.message
    path.write_text(text.replace("rack: net-42u-20kw\n  compute", "rack: air-42u-15kw\n  compute"))
    with pytest.raises(rackplan.ScenarioError, match="no positions at the site"):
        rackplan.load_scenario(path)


def test_render_formats_show_the_network(superpod):
    plan = rackplan.plan(superpod)
    assert "Fabrics" in render(plan, "markdown")
    csv_text = render(plan, "csv")
    assert "network:compute:training,nvidia-qm9700" in csv_text
    assert copy.deepcopy(plan).model_dump_json() == plan.model_dump_json()


def test_several_workloads_fabrics_and_a_workload_off_the_network():
    """One compute fabric per workload, appliances on the fabric they name, shared storage
    and OOB; a workload with network: false joins no fabric and waits for no network rack."""
    scenario = rackplan.load_scenario(Path(__file__).parent / "fixtures" / "network-multi.yaml")
    plan = _plan(scenario)
    computes = {f.workload: f for f in plan.fabrics if f.name == "compute"}
    assert set(computes) == {"train", "tune"}
    sel = {s.workload: s for s in plan.selections}
    ports = rackplan.load_catalog().server(sel["tune"].server).network.compute.ports
    assert computes["tune"].links.node_leaf == sel["tune"].count * ports + 2  # the 2 UFMs
    storage = next(f for f in plan.fabrics if f.name == "storage")
    assert storage.servers == sel["train"].count + sel["tune"].count
    assert any("not counted" in w for w in plan.warnings)


def test_a_bad_optic_found_while_planning_names_the_scenario_file(tmp_path):
    from click.testing import CliRunner

    from rackplan.cli import cli

    path = tmp_path / "bad.yaml"
    path.write_text((EXAMPLES / "superpod-h100.yaml").read_text().replace(
        "node: osfp-2x400g-sr8, cable", "node: qsfp112-400g-sr4, cable", 1))
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {path}: network.compute.optics.node: qsfp112-400g-sr4 (qsfp112) does not fit "
        "the osfp cages of the node ports (400G)"]
