"""The bundled catalog: required ids, sourced figures and physical coherence."""

from __future__ import annotations

import math

import pytest

from rackplan.models import GPU, RackType, Server

REQUIRED_GPUS = ["h100-sxm", "h100-pcie", "h200-sxm", "h200-nvl", "b200", "b300", "gb200",
                 "gb300", "mi300x", "mi325x", "mi355x", "mi350p", "rubin"]
REQUIRED_SERVERS = [
    "dell-xe9680-h100", "dell-xe9680-h200", "dell-xe9680-mi300x", "dell-xe9680l-b200",
    "dell-xe9712-gb200", "dell-xe9712-gb300", "dell-xe9780-b300", "dell-xe9785-mi355x",
    "dell-xe7745-h200nvl", "dell-xe7745-mi350p", "dell-xe8812-rubin", "dell-r760xa-h100pcie",
    "nvidia-dgx-h100", "nvidia-dgx-h200", "nvidia-dgx-b200", "nvidia-dgx-b300",
    "nvidia-gb200-nvl72", "supermicro-sys-821ge-tnhr-h200", "hpe-cray-xd670-h200",
    "lenovo-sr680a-v3-h200"]
REQUIRED_RACKS = ["air-42u-15kw", "air-42u-30kw", "air-48u-40kw", "rdhx-48u-60kw",
                  "dlc-48u-140kw", "orv3-dlc-300kw"]


def test_required_ids_present(bundled):
    assert {g.id for g in bundled.gpus} >= set(REQUIRED_GPUS)
    assert {s.id for s in bundled.servers} >= set(REQUIRED_SERVERS)
    assert {r.id for r in bundled.racks} >= set(REQUIRED_RACKS)


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
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.add(name)
    if isinstance(entry, Server):
        out.add("origin")
    # liquid_fraction 0 on an air server follows from 'cooling: air'; no source needed.
    if isinstance(entry, Server) and entry.cooling == "air":
        out.discard("liquid_fraction")
    return out


def test_every_figure_has_a_source_or_an_estimate_reason(bundled):
    missing = {}
    for entry in [*bundled.gpus, *bundled.servers, *bundled.racks]:
        gap = _factual_fields(entry) - _sourced_fields(entry)
        if gap:
            missing[entry.id] = sorted(gap)
    assert missing == {}


def test_estimates_give_a_reason(bundled):
    for entry in [*bundled.gpus, *bundled.servers, *bundled.racks]:
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
    if server.rack_scale:
        if count != 1:
            return False
    elif count * server.u_height > rack.u_height:
        return False
    power_kw = count * allocation * server.power_max_w / 1000
    liquid_kw = power_kw * server.liquid_fraction
    air_kw = power_kw - liquid_kw
    return (power_kw <= rack.usable_power_kw(redundancy) + 1e-9
            and liquid_kw <= rack.liquid_cooling_kw + 1e-9
            and air_kw <= rack.air_cooling_kw + 1e-9
            and count * server.weight_kg <= rack.max_load_kg + 1e-9)


@pytest.mark.parametrize("server_id", REQUIRED_SERVERS)
def test_every_server_fits_some_bundled_rack_type(bundled, server_id):
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


def test_gpu_figures_are_plausible(bundled):
    for gpu in bundled.gpus:
        assert isinstance(gpu, GPU)
        # FP8 dense is double BF16 dense on every part in the catalog.
        assert math.isclose(gpu.fp8_tflops / gpu.bf16_tflops, 2.0, rel_tol=0.01), gpu.id
        assert 100 <= gpu.tdp_w <= 3000


def test_scale_up_domain_never_exceeds_the_unit(bundled):
    for server in bundled.servers:
        assert server.scale_up_gpus <= server.gpu_count


def test_every_entry_records_its_file(bundled):
    for entry in [*bundled.gpus, *bundled.servers, *bundled.racks]:
        assert bundled.source_files[entry.id].endswith(".yaml")
