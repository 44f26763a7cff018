"""The bundled catalog: required ids, sourced figures and physical coherence."""

from __future__ import annotations

import math

import pytest

from rackplan.models import GPU, RackType, Server
from rackplan.models.catalog import FABRICS, Appliance, Optic, Switch

REQUIRED_GPUS = ["h100-sxm", "h100-pcie", "h200-sxm", "h200-nvl", "b200", "b300", "gb200",
                 "gb300", "mi300x", "mi325x", "mi355x", "mi350p", "rubin", "gaudi3", "gaudi3-pcie",
                 "mi450"]
REQUIRED_SERVERS = [
    "dell-xe9680-h100", "dell-xe9680-h200", "dell-xe9680-mi300x", "dell-xe9680l-b200",
    "dell-xe9712-gb200", "dell-xe9712-gb300", "dell-xe9780-b300", "dell-xe9785-mi355x",
    "dell-xe7745-h200nvl", "dell-xe7745-mi350p", "dell-xe8812-rubin", "dell-r760xa-h100pcie",
    "nvidia-dgx-h100", "nvidia-dgx-h200", "nvidia-dgx-b200", "nvidia-dgx-b300",
    "nvidia-gb200-nvl72", "supermicro-sys-821ge-tnhr-h200", "hpe-cray-xd670-h200",
    "lenovo-sr680a-v3-h200",
    # end-2026 orders (issue 17): GB300 NVL72 from NVIDIA and other integrators, HGX B300 from
    # Supermicro, HPE and Lenovo, MI355X beyond Dell's, Gaudi 3, Vera Rubin NVL144, AMD Helios
    "nvidia-gb300-nvl72", "supermicro-srs-gb300-nvl72", "hpe-gb300-nvl72",
    "supermicro-sys-822gs-nb3rt-b300", "hpe-xd685-b300", "lenovo-sr680a-v4-b300",
    "asus-xa-nb3i-e12-b300", "dell-xe9780l-b300", "supermicro-as-4126gs-nmr-lcc-mi355x",
    "hpe-xd685-mi355x", "dell-xe9785l-mi355x", "dell-xe9680-gaudi3", "dell-xe7740-gaudi3",
    "nvidia-vera-rubin-nvl144", "amd-helios-mi450"]
REQUIRED_RACKS = ["air-42u-15kw", "air-42u-30kw", "air-48u-40kw", "rdhx-48u-60kw",
                  "dlc-48u-100kw", "dlc-48u-140kw", "dlc-48u-250kw", "orv3-dlc-300kw",
                  "orv3-dlc-480kw", "net-42u-20kw"]
REQUIRED_SWITCHES = ["nvidia-qm9700", "nvidia-qm9790", "nvidia-q3400", "nvidia-sn5600",
                     "nvidia-sn4600c", "nvidia-sn2201", "arista-7060x6-64pe"]
REQUIRED_OPTICS = ["osfp-2x400g-sr8", "osfp-400g-sr4", "qsfp112-400g-sr4", "osfp-2x800g-dr8",
                   "osfp-800g-dr8", "qsfp56-200g-aoc", "qsfp28-100g-aoc", "osfp-2x400g-dac",
                   "mpo-fiber-patch", "cat6-patch"]
REQUIRED_APPLIANCES = ["nvidia-ufm-3"]


def test_required_ids_present(bundled):
    assert {g.id for g in bundled.gpus} >= set(REQUIRED_GPUS)
    assert {s.id for s in bundled.servers} >= set(REQUIRED_SERVERS)
    assert {r.id for r in bundled.racks} >= set(REQUIRED_RACKS)
    assert {s.id for s in bundled.switches} >= set(REQUIRED_SWITCHES)
    assert {o.id for o in bundled.optics} >= set(REQUIRED_OPTICS)
    assert {a.id for a in bundled.appliances} >= set(REQUIRED_APPLIANCES)
    # at least one storage appliance besides the fabric managers
    assert any(a.network is not None and a.network.storage is not None
               for a in bundled.appliances)


def test_coverage_for_end_2026_orders(bundled):
    assert len(bundled.servers) >= 32
    assert len(bundled.racks) >= 8
    # a 48U liquid rack between 60 and 140 kW, for liquid 8-GPU nodes
    assert any(r.u_height == 48 and r.liquid_cooling_kw > 0 and 60 < r.usable_power_kw("2N") < 140
               for r in bundled.racks)
    gb300_vendors = {s.vendor for s in bundled.servers if s.gpu == "gb300" and s.rack_scale}
    assert {"NVIDIA", "Dell", "Supermicro", "HPE"} <= gb300_vendors
    b300_vendors = {s.vendor for s in bundled.servers if s.gpu == "b300" and s.gpu_count == 8}
    assert {"Supermicro", "HPE", "Lenovo"} <= b300_vendors
    assert len({s.vendor for s in bundled.servers if s.gpu == "mi355x"} - {"Dell"}) >= 2
    assert {s.gpu for s in bundled.servers} >= {"gaudi3", "gaudi3-pcie", "mi450", "rubin"}


def _all_entries(catalog) -> list:
    return [*catalog.gpus, *catalog.servers, *catalog.racks, *catalog.switches,
            *catalog.optics, *catalog.appliances]


def _sourced_fields(entry) -> set[str]:
    """Fields named by the entry's sources ('<field>, <field>: <source>')."""
    covered: set[str] = set()
    for source in entry.sources:
        head, sep, rest = source.partition(": ")
        names = [n.strip() for n in head.split(",")]
        if sep and rest.strip() and all(n in type(entry).model_fields for n in names):
            covered.update(names)
    return covered


def _factual_fields(entry) -> set[str]:
    out = set()
    for name in type(entry).model_fields:
        value = getattr(entry, name)
        if name not in entry.model_fields_set:
            continue  # a default (e.g. no reserved units) is not a figure from elsewhere
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.add(name)
    if "form_factor" in entry.model_fields_set and not isinstance(entry, Optic):
        out.add("form_factor")  # a rack standard (an optic's form_factor is its cage)
    if isinstance(entry, Server | Switch | Appliance):
        out.add("origin")
    # NIC ports are a nested mapping: a source line must name 'network' as a whole.
    if isinstance(entry, Server | Appliance) and entry.network is not None:
        out.add("network")
    # liquid_fraction 0 on an air server follows from 'cooling: air'; no source needed.
    if isinstance(entry, Server) and entry.cooling == "air":
        out.discard("liquid_fraction")
    return out


def test_every_figure_has_a_source_or_an_estimate_reason(bundled):
    missing = {}
    for entry in _all_entries(bundled):
        gap = _factual_fields(entry) - _sourced_fields(entry)
        if gap:
            missing[entry.id] = sorted(gap)
    assert missing == {}


def test_estimates_give_a_reason(bundled):
    for entry in _all_entries(bundled):
        for source in entry.sources:
            if "estimate" in source:
                reason = source.split("estimate", 1)[1].lstrip(":").strip()
                assert len(reason) > 10, (entry.id, source)


@pytest.mark.parametrize("server_id", REQUIRED_SERVERS)
def test_server_max_power_covers_its_gpus(bundled, server_id):
    server = bundled.server(server_id)
    gpu = bundled.gpu(server.gpu)
    assert server.power_max_w >= server.gpu_count * gpu.tdp_w
    assert server.power_idle_w < server.power_max_w


def fits(server: Server, rack: RackType, count: int, redundancy: str = "2N",
         allocation: float = 1.0) -> bool:
    """Independent check that `count` units of `server` fit one rack of type `rack`."""
    if server.form_factor != rack.form_factor:
        return False
    if server.rack_scale and count != 1:
        return False
    if count * server.u_height > rack.u_height - rack.reserved_u_bottom - rack.reserved_u_top:
        return False
    power_kw = count * allocation * server.power_max_w / 1000
    liquid_kw = power_kw * server.liquid_fraction
    air_kw = power_kw - liquid_kw
    return (power_kw <= rack.usable_power_kw(redundancy) + 1e-9
            and liquid_kw <= rack.liquid_cooling_kw + 1e-9
            and air_kw <= rack.air_cooling_kw + 1e-9
            and count * server.weight_kg <= rack.max_load_kg + 1e-9)


@pytest.mark.parametrize("server_id", REQUIRED_SERVERS)
def test_every_server_fits_some_bundled_rack_type_of_its_form_factor(bundled, server_id):
    server = bundled.server(server_id)
    assert any(fits(server, rack, 1) for rack in bundled.racks)


def test_xe8812_puts_144_gpus_in_one_orv3_rack(bundled):
    server = bundled.server("dell-xe8812-rubin")
    rack = bundled.rack("orv3-dlc-300kw")
    nodes = 144 // server.gpu_count
    assert nodes * server.gpu_count == 144
    assert fits(server, rack, nodes, redundancy="2N", allocation=1.0)


@pytest.mark.parametrize("server_id", ["dell-xe9712-gb200", "dell-xe9712-gb300",
                                       "nvidia-gb200-nvl72"])
def test_nvl72_needs_a_liquid_rack_of_at_least_its_power(bundled, server_id):
    server = bundled.server(server_id)
    assert server.rack_scale and server.gpu_count == 72 and server.scale_up_gpus == 72
    hosts = [r for r in bundled.racks if fits(server, r, 1)]
    assert hosts, "no bundled rack type can hold it"
    for rack in hosts:
        assert rack.liquid_cooling_kw > 0
        assert rack.usable_power_kw("2N") * 1000 >= server.power_max_w
    for rack in bundled.racks:
        if rack.liquid_cooling_kw == 0:
            assert not fits(server, rack, 1, redundancy="N")


def test_liquid_servers_do_not_fit_air_only_racks(bundled):
    for server in bundled.servers:
        if server.liquid_fraction > 0:
            for rack in bundled.racks:
                if rack.liquid_cooling_kw == 0:
                    assert not fits(server, rack, 1, redundancy="N"), (server.id, rack.id)


FP8_AT_BF16_RATE = {"gaudi3", "gaudi3-pcie"}
"""Intel Gaudi 3's matrix engines run FP8 at the BF16 rate (1,835 TFLOPS each; yobitel.com
Gaudi 3 page, evokernel-specs), a source saying so."""


def test_gpu_figures_are_plausible(bundled):
    for gpu in bundled.gpus:
        assert isinstance(gpu, GPU)
        # FP8 dense is double BF16 dense on every part in the catalog but Gaudi 3.
        ratio = 1.0 if gpu.id in FP8_AT_BF16_RATE else 2.0
        assert math.isclose(gpu.fp8_tflops / gpu.bf16_tflops, ratio, rel_tol=0.01), gpu.id
        assert 100 <= gpu.tdp_w <= 3000


def test_scale_up_domain_never_exceeds_the_unit(bundled):
    for server in bundled.servers:
        assert server.scale_up_gpus <= server.gpu_count


def test_every_entry_records_its_file(bundled):
    for entry in _all_entries(bundled):
        assert bundled.source_files[entry.id].endswith(".yaml")


# ----------------------------------------------------------------------------- network gear


def test_sourced_fields_helper_sees_network_and_origin():
    """The coverage check itself: a server with ports but no 'network' source line is caught."""
    server = Server(id="s", vendor="v", model="m", gpu="g", gpu_count=8, scale_up_gpus=8,
                    u_height=1, power_idle_w=1.0, power_max_w=2.0, cooling="air",
                    liquid_fraction=0.0, weight_kg=1.0, price_usd=1.0, lead_time_weeks=1.0,
                    origin="US", network={"compute": {"ports": 8, "gbps": 400.0}},
                    sources=["gpu_count, scale_up_gpus: somewhere (it says so)"])
    gap = _factual_fields(server) - _sourced_fields(server)
    assert {"network", "origin", "price_usd"} <= gap
    assert "gpu_count" not in gap


@pytest.mark.parametrize("server_id", REQUIRED_SERVERS)
def test_every_bundled_server_has_compute_ports(bundled, server_id):
    server = bundled.server(server_id)
    assert server.network is not None and server.network.compute is not None, server_id
    assert server.network.compute.ports >= 1 and server.network.compute.gbps >= 100


def test_every_bundled_server_has_network(bundled):
    assert [s.id for s in bundled.servers if s.network is None or s.network.compute is None] == []


INTEGRATED_NICS = {"gaudi3": 3 * 200}
"""GPUs whose scale-out ports are on the package, by GPU id: Gb/s per GPU. Each Gaudi 3 has three
200G scale-out ports, bundled per box into 4 x 200G OSFP links (docs.habana.ai, Intel Gaudi
Network Configuration)."""


PORTS_PER_GPU = {"amd-helios-mi450": 3}
"""Systems with several scale-out ports per GPU: Helios's 43 TB/s of Ethernet scale-out is three
800G ports per GPU for its 72 GPUs (electronicdesign.com, OCP 2025)."""


def test_scale_out_ports_match_the_gpus(bundled):
    """SXM systems have one scale-out port per GPU; PCIe systems at least one per two GPUs;
    systems whose GPUs carry their own NICs the GPUs' scale-out bandwidth."""
    for server in bundled.servers:
        compute = server.network.compute
        if server.gpu in INTEGRATED_NICS:
            assert compute.ports * compute.gbps == server.gpu_count * INTEGRATED_NICS[server.gpu]
        elif server.id in PORTS_PER_GPU:
            assert compute.ports == server.gpu_count * PORTS_PER_GPU[server.id], server.id
        elif server.rack_scale or server.gpu_count == server.scale_up_gpus:
            assert compute.ports == server.gpu_count, server.id
        else:
            assert 2 * compute.ports >= server.gpu_count, server.id


def test_rack_scale_systems_count_ports_for_the_whole_rack(bundled):
    for server_id in ["dell-xe9712-gb200", "nvidia-gb200-nvl72"]:
        net = bundled.server(server_id).network
        assert (net.compute.ports, net.compute.gbps) == (72, 400)  # 18 trays x 4 ConnectX-7
    net = bundled.server("dell-xe9712-gb300").network
    assert (net.compute.ports, net.compute.gbps) == (72, 800)      # 18 trays x 4 ConnectX-8


def test_switch_power_is_coherent(bundled):
    for switch in bundled.switches:
        assert isinstance(switch, Switch)
        assert 0 < switch.power_typical_w <= switch.power_max_w, switch.id
        # a switch without optics draws well under 150 W per Tb/s of front-panel capacity
        capacity_tbps = (switch.ports * switch.port_gbps
                         + (switch.uplink_ports or 0) * (switch.uplink_gbps or 0)) / 1000
        assert switch.power_max_w <= 150 * max(capacity_tbps, 2.0), switch.id


def test_reference_switch_radix(bundled):
    qm9700 = bundled.switch("nvidia-qm9700")
    assert (qm9700.ports, qm9700.port_gbps, qm9700.u_height) == (64, 400, 1)
    assert qm9700.fabric == "infiniband"
    q3400 = bundled.switch("nvidia-q3400")
    assert (q3400.ports, q3400.port_gbps, q3400.u_height) == (144, 800, 4)
    sn2201 = bundled.switch("nvidia-sn2201")
    assert (sn2201.ports, sn2201.port_gbps, sn2201.uplink_ports, sn2201.uplink_gbps) == \
        (48, 1, 4, 100)
    # 51.2 Tb/s Ethernet boxes: twin-port 800G cages count as two 400G ports
    for switch_id in ["nvidia-sn5600", "arista-7060x6-64pe"]:
        switch = bundled.switch(switch_id)
        assert switch.fabric == "ethernet"
        assert switch.ports * switch.port_gbps == 51_200, switch_id


def _cages(catalog) -> set[str]:
    cages = {s.cage for s in catalog.switches if s.cage}
    for entry in [*catalog.servers, *catalog.appliances]:
        if entry.network is not None:
            for fabric in FABRICS:
                port = entry.network.port(fabric)
                if port is not None and port.cage:
                    cages.add(port.cage)
    return cages


def test_optic_form_factors_fit_some_cage(bundled):
    cages = _cages(bundled)
    for optic in bundled.optics:
        if optic.form_factor is not None:
            assert optic.form_factor in cages, (optic.id, optic.form_factor, sorted(cages))


def test_optics_are_physically_coherent(bundled):
    for optic in bundled.optics:
        assert isinstance(optic, Optic)
        if optic.kind in ("dac", "cable"):
            assert optic.power_w == 0, optic.id
        else:
            # at most about 50 pJ/bit for a pluggable module or active cable
            assert 0 < optic.power_w <= 0.05 * optic.gbps, optic.id
        if optic.kind == "transceiver":
            assert optic.form_factor is not None, optic.id
    twin = bundled.optic("osfp-2x400g-sr8")
    assert (twin.gbps, twin.ports, twin.port_gbps, twin.form_factor) == (800, 2, 400, "osfp")
    assert bundled.optic("osfp-2x400g-dac").power_w == 0
    assert bundled.optic("cat6-patch").form_factor == "rj45"


def test_appliances_are_coherent(bundled):
    for appliance in bundled.appliances:
        assert isinstance(appliance, Appliance)
        assert appliance.power_idle_w < appliance.power_max_w, appliance.id
    ufm = bundled.appliance("nvidia-ufm-3")
    # one compute-fabric port each: 4 UFMs add the 4 extra node-to-leaf links of the
    # H100 SuperPOD tables (252 = 31 DGX x 8 rails + 4)
    assert ufm.network.compute.ports == 1 and ufm.network.compute.gbps == 400
    assert ufm.u_height == 1 and ufm.power_max_w == 689


def test_network_rack(bundled):
    rack = bundled.rack("net-42u-20kw")
    assert rack.u_height == 42 and rack.liquid_cooling_kw == 0
    assert rack.usable_power_kw("2N") == pytest.approx(20)
    # a network rack holds a full SU's leaf switches: 16 QM9700 at maximum power
    qm9700 = bundled.switch("nvidia-qm9700")
    assert 16 * qm9700.power_max_w / 1000 <= rack.usable_power_kw("2N")
