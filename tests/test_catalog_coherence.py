"""The bundled catalog agrees with itself: prices, generations, lead times and rack fit.

Each rule is a function returning the entries that break it, run on the bundled catalog (which
must break none) and on a copy with one contradiction seeded in (which must be caught): a rule
that cannot fail would prove nothing.

1. **Price per GPU within a generation.** A system's price per GPU (``price_usd / gpu_count``)
   lies within its GPU generation's band, across integrators, rack-scale systems included. The
   bands and their sources are in :data:`BANDS`; module GPUs (SXM, OAM, superchip) and PCIe
   cards are priced apart.
2. **Newer generations cost more.** For one GPU maker and class, the median price per GPU of a
   newer generation is above an older one's, across all integrators and within each system
   vendor, unless :data:`NEWER_CHEAPER` names the pair with a source saying otherwise.
3. **2026 lead times from 2026 sources.** A system shipping by the end of 2026 (``available``
   up to 2026-12) has a ``lead_time_weeks`` source line citing a source of 2026 or later (a
   year in it that is not the ``estimate: 2026:`` label or the date a page was read).
4. **Every server fits a bundled rack type of its form factor** (one unit, 2N power, nameplate).
"""

from __future__ import annotations

import re
import statistics

import pytest

from rackplan.models import Catalog, Server

from .test_catalog_bundled import fits

# ------------------------------------------------------------------------------------ rules

MODULE, PCIE = "module", "pcie"

BANDS: dict[tuple[str, str], tuple[float, float, str]] = {
    # (generation, class): (lowest, highest system price per GPU in USD, the band's source)
    ("hopper", MODULE): (
        30_000, 47_000,
        "8x H100/H200 HGX systems $250-400k, $31-50k per GPU, DGX H100 about $270k (SemiAnalysis "
        "via epoch-research; hardware-facts section 5); 2026 GPU prices H100 about $25-30k, "
        "H200 about $28-35k (alpha-one-index, 2026-03; runlocalai.co, Q1 2026)"),
    ("hopper", PCIE): (
        25_000, 45_000,
        "H100 PCIe about $25-30k (Raymond James via epoch-research), H200 NVL at H200 prices of "
        "$28-35k (runlocalai.co, Q1 2026), plus a 2U-4U host shared by 4-8 cards"),
    ("blackwell", MODULE): (
        40_000, 70_000,
        "GB200 NVL72 $3.0-3.9M per 72-GPU rack, $41.7-54.2k per GPU, while an OEM B200 module "
        "alone is about $50k (ornnai.com, B200 vs B300, 2026): a whole NVL72 rack costs per GPU "
        "about what the module costs in an 8-GPU server; DGX B200 quoted at $515k, $64.4k per "
        "GPU (vengineer.hatenablog.com, 2025-03); B200 nodes $400-550k (hardware-facts 5)"),
    ("blackwell-ultra", MODULE): (
        48_000, 80_000,
        "GB300 NVL72 $3.7-5.0M+ per rack, $51-69k+ per GPU, B300 module about $53k (ornnai.com, "
        "2026); GB300 NVL72 about $4M (Morgan Stanley, May 2026, via blogerroom.com); B300 about "
        "$45-50k per GPU alone (HF; LEAP Analytics, 2026-04)"),
    ("rubin", MODULE): (
        80_000, 130_000,
        "Vera Rubin (VR200) NVL72 rack $7.80M, $108k per package (Morgan Stanley, May 2026, via "
        "blogerroom.com); analysts up to $9.1M per rack, $126k (faq.com.tw, 2026-06)"),
    ("cdna3", MODULE): (
        28_000, 45_000,
        "8-GPU MI300X/MI325X systems within the $250-400k of 8-GPU XE9680 builds "
        "(hardware-facts section 5); 3-year MI300X ownership about 3% above H100's "
        "(cliffcenter.com, 2026-05)"),
    ("cdna4", MODULE): (
        38_000, 62_000,
        "estimate: no public MI355X system price; between the CDNA 3 and Blackwell Ultra bands "
        "(MI355X with B300-class memory and compute, hardware-facts section 4); a report of MI355X "
        "at 2.75x less per GPU than B300 (axbrief.com, 2026) is not followed"),
    ("cdna4", PCIE): (
        18_000, 35_000,
        "estimate: MI350P PCIe cards priced below H200 NVL (as dell-xe7745-mi350p says)"),
    ("cdna5", MODULE): (
        50_000, 110_000,
        "estimate: Helios is unpriced (awesomeagents.ai: pricing not announced; a '$3 million "
        "reference design' of OCP 2025 predates its HBM4 memory); at or above CDNA 4, below "
        "Vera Rubin NVL72's $108k per package (Morgan Stanley, 2026)"),
    ("gaudi3", MODULE): (
        14_000, 30_000,
        "an 8-accelerator Gaudi 3 baseboard kit at $125k, $15.6k per accelerator (Intel, "
        "Computex 2024, via nextplatform.com and y-ic.de), plus the host server"),
    ("gaudi3", PCIE): (
        12_000, 30_000,
        "Gaudi 3 PCIe cards at the OAM kit's price per accelerator ($15.6k, Intel via "
        "nextplatform.com) plus a host shared by 8 cards"),
}
"""Per GPU generation and class, the band a system's price per GPU must lie in."""

GENERATIONS: dict[str, list[str]] = {
    "NVIDIA": ["hopper", "blackwell", "blackwell-ultra", "rubin"],
    "AMD": ["cdna3", "cdna4", "cdna5"],
    "Intel": ["gaudi3"],
}
"""Each GPU maker's generations, oldest first."""

NEWER_CHEAPER: dict[tuple[str, str, str], str] = {}
"""(system vendor, newer generation, older generation) -> the source saying the newer one costs
less per GPU. None is known to be needed."""

SHIPPING_BY = "2026-12"
"""Systems available by this month ship in 2026 (or already shipped)."""


def _class(catalog: Catalog, server: Server) -> str:
    return PCIE if catalog.gpu(server.gpu).form == "pcie" else MODULE


def per_gpu(server: Server) -> float:
    return server.price_usd / server.gpu_count


def band_violations(catalog: Catalog) -> list[str]:
    out = []
    for server in catalog.servers:
        gpu = catalog.gpu(server.gpu)
        key = (gpu.generation or "", _class(catalog, server))
        if key not in BANDS:
            out.append(f"{server.id}: no band for generation {key}")
            continue
        low, high, _ = BANDS[key]
        if not low <= per_gpu(server) <= high:
            out.append(f"{server.id}: ${per_gpu(server):,.0f} per GPU outside {key}'s "
                       f"${low:,.0f}-${high:,.0f}")
    return out


def generation_violations(catalog: Catalog) -> list[str]:
    """Per system vendor, and per GPU maker across all integrators (vendor ``all``)."""
    groups: dict[tuple[str, str, str, str], list[float]] = {}
    for server in catalog.servers:
        gpu = catalog.gpu(server.gpu)
        for vendor in (server.vendor, "all"):
            key = (vendor, gpu.vendor, _class(catalog, server), gpu.generation or "")
            groups.setdefault(key, []).append(per_gpu(server))
    out = []
    for (vendor, maker, cls, gen), prices in groups.items():
        order = GENERATIONS[maker]
        for (v2, m2, c2, older), older_prices in groups.items():
            if (v2, m2, c2) != (vendor, maker, cls) or order.index(older) >= order.index(gen):
                continue
            newer_median = statistics.median(prices)
            older_median = statistics.median(older_prices)
            if newer_median <= older_median and (vendor, gen, older) not in NEWER_CHEAPER:
                out.append(f"{vendor} {cls}: {gen} at ${newer_median:,.0f} per GPU is not above "
                           f"{older} at ${older_median:,.0f}")
    return out


_YEAR = re.compile(r"\b(20\d\d)\b")
_NOT_A_SOURCE_DATE = re.compile(r"^(?:estimate:\s*)?(?:20\d\d:\s*)?|\b(?:read|accessed|as read)\s+"
                                r"(?:in\s+)?(?:[A-Z][a-z]+\s+)?20\d\d\b")
"""What a lead-time line may say that is no date of its source: the ``estimate:`` label, a
year written as a label after it (``estimate: 2026: ...``), and when a page was read."""


def source_years(line: str) -> list[int]:
    """The years a source line's citations carry: its text after ``"<fields>: "``, with the
    labels and reading dates of :data:`_NOT_A_SOURCE_DATE` left out."""
    text = line.partition(": ")[2]
    return [int(y) for y in _YEAR.findall(_NOT_A_SOURCE_DATE.sub(" ", text))]


def lead_time_violations(catalog: Catalog) -> list[str]:
    out = []
    for server in catalog.servers:
        if server.available is None or server.available > SHIPPING_BY:
            continue
        lines = [s for s in server.sources if "lead_time_weeks" in _fields(s)]
        years = [y for line in lines for y in source_years(line)]
        if not years or max(years) < 2026:
            out.append(f"{server.id}: lead_time_weeks rests on no 2026 source ({lines})")
    return out


def fit_violations(catalog: Catalog) -> list[str]:
    return [f"{s.id}: fits no bundled rack type of form factor {s.form_factor}"
            for s in catalog.servers if not any(fits(s, r, 1) for r in catalog.racks)]


def _fields(source: str) -> set[str]:
    head, sep, _ = source.partition(": ")
    return {n.strip() for n in head.split(",")} if sep else set()


def _with(catalog: Catalog, server_id: str, **update: object) -> Catalog:
    """The catalog with one server changed (validated again)."""
    servers = [Server.model_validate({**s.model_dump(), **update}) if s.id == server_id else s
               for s in catalog.servers]
    return Catalog(gpus=catalog.gpus, servers=servers, racks=catalog.racks)


# ------------------------------------------------------------------------------------ tests


def test_every_gpu_has_a_generation_and_a_form(bundled):
    for gpu in bundled.gpus:
        assert gpu.generation is not None and gpu.form is not None, gpu.id
        assert any(gpu.generation in gens for gens in GENERATIONS.values()), gpu.id


def test_every_band_has_a_source_and_is_a_band():
    for key, (low, high, source) in BANDS.items():
        assert 0 < low < high, key
        assert len(source) > 30, key


def test_price_per_gpu_stays_within_its_generation_band(bundled):
    assert band_violations(bundled) == []


def test_every_band_is_used(bundled):
    for key in BANDS:
        vendors = {s.vendor for s in bundled.servers
                   if (bundled.gpu(s.gpu).generation, _class(bundled, s)) == key}
        assert vendors, f"band {key} has no bundled system"


def test_band_rule_catches_an_nvl72_priced_as_in_2024(bundled):
    # the contradiction of the issue: an NVL72 rack at $2.5M is $34.7k per GPU, while a DGX
    # B200 is $62.5k
    seeded = _with(bundled, "nvidia-gb200-nvl72", price_usd=2_500_000.0)
    assert any(v.startswith("nvidia-gb200-nvl72:") for v in band_violations(seeded))


def test_newer_generations_cost_more_per_gpu_from_the_same_vendor(bundled):
    assert generation_violations(bundled) == []


def test_generation_rule_catches_a_cheap_newer_generation(bundled):
    # Dell's B300 priced per GPU as its H100 build
    cheap = bundled.server("dell-xe9680-h100").price_usd / 8 * bundled.server("dell-xe9780-b300").gpu_count
    seeded = _with(bundled, "dell-xe9780-b300", price_usd=cheap * 0.9)
    seeded = _with(seeded, "dell-xe9780l-b300", price_usd=cheap * 0.9)
    seeded = _with(seeded, "dell-xe9712-gb300", price_usd=cheap / 8 * 72 * 0.9)
    assert any(v.startswith("Dell module: blackwell-ultra") for v in generation_violations(seeded))


def test_generation_rule_compares_a_makers_generations_across_integrators(bundled):
    # AMD's Helios is the only CDNA 5 system and the only AMD-branded one: priced per GPU
    # below the MI355X systems of Dell, HPE and Supermicro, the maker-wide comparison catches it
    cdna4 = [per_gpu(s) for s in bundled.servers if bundled.gpu(s.gpu).generation == "cdna4"
             and _class(bundled, s) == MODULE]
    seeded = _with(bundled, "amd-helios-mi450", price_usd=min(cdna4) * 72 * 0.95)
    assert any(v.startswith("all module: cdna5") for v in generation_violations(seeded))


def test_systems_shipping_in_2026_have_lead_times_from_2026_sources(bundled):
    assert lead_time_violations(bundled) == []


@pytest.mark.parametrize("line", [
    "lead_time_weeks: Dell 8-12 weeks by April 2024 (i3investor/The Register)",
    "lead_time_weeks: estimate: 2026: Dell 8-12 weeks by April 2024 (i3investor)",
    "lead_time_weeks: Dell 8-12 weeks (theregister.com, April 2024, read 2026)",
    "lead_time_weeks: Dell 8-12 weeks (theregister.com, April 2024, read in November 2026)",
    "lead_time_weeks: estimate: about 12 weeks, the upper end of Dell's range"])
def test_lead_time_rule_catches_a_source_older_than_2026(bundled, line):
    server = bundled.server("dell-xe9680-h200")
    sources = [s for s in server.sources if "lead_time_weeks" not in _fields(s)]
    seeded = _with(bundled, server.id, sources=[*sources, line])
    assert [v for v in lead_time_violations(seeded) if v.startswith("dell-xe9680-h200:")]


def test_lead_time_rule_takes_a_2026_source_in_any_form(bundled):
    server = bundled.server("dell-xe9680-h200")
    sources = [s for s in server.sources if "lead_time_weeks" not in _fields(s)]
    for line in ["lead_time_weeks: B200 4-10 months in 2026 (gpuleaseindex)",
                 "lead_time_weeks: estimate: 2026: GPUs 3-7 months (thedailyscout, February 2026)",
                 "lead_time_weeks: https://example.com/2026/05/lead-times"]:
        seeded = _with(bundled, server.id, sources=[*sources, line])
        assert lead_time_violations(seeded) == [], line


def test_every_server_fits_a_bundled_rack_type_of_its_form_factor(bundled):
    assert fit_violations(bundled) == []


def test_fit_rule_catches_a_server_no_rack_can_take(bundled):
    seeded = _with(bundled, "nvidia-gb200-nvl72", power_max_w=400_000.0)
    assert fit_violations(seeded) == ["nvidia-gb200-nvl72: fits no bundled rack type of "
                                      "form factor eia-19"]
    # a rack-scale system taller than any rack type's usable units of its form factor
    seeded = _with(bundled, "amd-helios-mi450", u_height=46)
    assert fit_violations(seeded) == ["amd-helios-mi450: fits no bundled rack type of "
                                      "form factor orv3-21"]


@pytest.mark.parametrize("vendor", ["Dell", "NVIDIA", "Supermicro", "HPE", "Lenovo"])
def test_each_major_integrator_has_several_systems(bundled, vendor):
    assert len([s for s in bundled.servers if s.vendor == vendor]) >= 2


def test_docs_state_the_bands_the_test_holds():
    """docs/catalog.md's band table is :data:`BANDS`, row for row."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "catalog.md").read_text()
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (\w+) \| \$([0-9,]+) \| \$([0-9,]+) \| (.+) \|$",
                      text, re.M)
    documented = {(g, c): (float(lo.replace(",", "")), float(hi.replace(",", "")), src)
                  for g, c, lo, hi, src in rows}
    assert documented == BANDS
