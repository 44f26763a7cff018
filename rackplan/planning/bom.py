"""The bill of materials, the costs summed from it, and the fabrics as the plan reports them.

One BOM line per part: servers, switches, optics (transceivers), cables
(active, direct-attach and patch), appliances, rack positions and one tariff
line per origin country. Each line's ``extended_usd`` is rounded to cents once
and everything else is summed from those lines, so the BOM adds up to
``capex_usd`` exactly.
"""

from __future__ import annotations

from collections import defaultdict

from ..models import Scenario
from ..models.catalog import CatalogEntry
from ..models.result import BomLine, Costs, Fabric, FabricLinks, Selection
from .arrays import SiteArrays
from .candidates import Candidate
from .network import NetworkPlan, energy_per_year, fabric_capex, tariff
from .units import rounded

CATEGORIES = ("servers", "switches", "optics", "cables", "appliances", "racks", "tariffs")
"""BOM categories, in the order lines are listed."""


def price_is_estimate(entry: CatalogEntry) -> bool:
    """True when the entry's ``price_usd`` rests on an estimate (or on no source)."""
    return "price_usd" in entry.estimated_fields()


def _description(entry: CatalogEntry) -> str:
    vendor = getattr(entry, "vendor", None)
    model = getattr(entry, "model", None) or getattr(entry, "description", None)
    return " ".join(p for p in (vendor, model) if p) or entry.id


def bill_of_materials(scenario: Scenario, selections: list[Selection], chosen: list[Candidate],
                      site: SiteArrays, rack_types: list[int],
                      netplan: NetworkPlan | None) -> list[BomLine]:
    """Every part of the plan, one line each (see the module docstring)."""
    lines: list[BomLine] = []
    tariffs: dict[str, float] = defaultdict(float)
    tariff_what: dict[str, set[str]] = defaultdict(set)
    # servers: one line per model; the extended price is the selections' (rounded) sum
    by_server: dict[str, list[int]] = defaultdict(list)
    for k, c in enumerate(chosen):
        by_server[c.server.id].append(k)
    for sid, ks in by_server.items():
        server = chosen[ks[0]].server
        lines.append(BomLine(category="servers", item=sid, description=_description(server),
                             quantity=sum(chosen[k].count for k in ks), unit_usd=server.price_usd,
                             extended_usd=rounded(sum(selections[k].server_usd for k in ks), 2),
                             lead_time_weeks=server.lead_time_weeks,
                             estimate=price_is_estimate(server)))
        amount = sum(selections[k].tariff_usd for k in ks)
        if amount:
            tariffs[server.origin] += amount
            tariff_what[server.origin].add("servers")
    if netplan is not None:
        design = netplan.design
        switches: dict[str, int] = defaultdict(int)
        optics: dict[str, int] = defaultdict(int)
        entries: dict[str, CatalogEntry] = {}
        for f in design.fabrics:
            switches[f.switch.id] += f.switches
            entries[f.switch.id] = f.switch
            for use in f.optics:
                optics[use.optic.id] += use.quantity
                entries[use.optic.id] = use.optic
        for sid, qty in switches.items():
            sw = entries[sid]
            _device_line(lines, "switches", sw, qty, scenario, tariffs, tariff_what)
        for kind in ("optics", "cables"):
            for oid, qty in optics.items():
                o = entries[oid]
                if (o.kind == "transceiver") != (kind == "optics"):  # type: ignore[attr-defined]
                    continue
                lines.append(BomLine(
                    category=kind, item=oid,
                    description=f"{_description(o)} ({o.kind})",  # type: ignore[attr-defined]
                    quantity=qty, unit_usd=o.price_usd,  # type: ignore[attr-defined]
                    extended_usd=rounded(qty * o.price_usd, 2),  # type: ignore[attr-defined]
                    lead_time_weeks=o.lead_time_weeks,  # type: ignore[attr-defined]
                    estimate=price_is_estimate(o)))
        appliances: dict[str, int] = defaultdict(int)
        for spec in scenario.network.appliances if scenario.network else []:
            appliances[spec.appliance] += spec.count
        for aid, qty in appliances.items():
            _device_line(lines, "appliances", netplan.appliance_entries[aid], qty, scenario,
                         tariffs, tariff_what)
    for t in sorted(set(rack_types)):
        rack = site.racks[t]
        qty = rack_types.count(t)
        lines.append(BomLine(category="racks", item=rack.id,
                             description=f"rack position: {rack.u_height}U, "
                                         f"{rack.power_kw:g} kW x {rack.feeds} feeds",
                             quantity=qty, unit_usd=rack.price_usd,
                             extended_usd=rounded(qty * rack.price_usd, 2), lead_time_weeks=None,
                             estimate=price_is_estimate(rack)))
    for origin in sorted(tariffs):
        rate = scenario.site.tariffs.get(origin, 0.0)
        amount = rounded(tariffs[origin], 2)
        lines.append(BomLine(category="tariffs", item=origin,
                             description=f"{rate:.4g} tariff on {' and '.join(sorted(tariff_what[origin]))} "
                                         f"assembled in {origin}",
                             quantity=1, unit_usd=amount, extended_usd=amount, lead_time_weeks=None,
                             estimate=False))
    return lines


def _device_line(lines: list[BomLine], category: str, entry: CatalogEntry, qty: int,
                 scenario: Scenario, tariffs: dict[str, float],
                 tariff_what: dict[str, set[str]]) -> None:
    price = float(entry.price_usd)  # type: ignore[attr-defined]
    extended = rounded(qty * price, 2)
    lines.append(BomLine(category=category, item=entry.id, description=_description(entry),
                         quantity=qty, unit_usd=price, extended_usd=extended,
                         lead_time_weeks=entry.lead_time_weeks,  # type: ignore[attr-defined]
                         estimate=price_is_estimate(entry)))
    origin = entry.origin  # type: ignore[attr-defined]
    amount = rounded(extended * tariff(scenario, origin), 2)
    if amount:
        tariffs[origin] += amount
        tariff_what[origin].add(category)


def costs_from_bom(bom: list[BomLine], netplan: NetworkPlan | None, scenario: Scenario) -> Costs:
    """The plan's cost split, summed from the BOM lines."""
    total: dict[str, float] = defaultdict(float)
    for line in bom:
        total[line.category] += line.extended_usd
    energy = energy_per_year(scenario, netplan.design.draw_kw) if netplan else 0.0
    return Costs(servers_usd=rounded(total["servers"], 2), tariffs_usd=rounded(total["tariffs"], 2),
                 racks_usd=rounded(total["racks"], 2),
                 network_usd=rounded(total["switches"] + total["appliances"], 2),
                 optics_usd=rounded(total["optics"] + total["cables"], 2),
                 network_energy_usd_per_year=rounded(energy, 2))


def fabrics_of(scenario: Scenario, netplan: NetworkPlan) -> list[Fabric]:
    """The plan's fabrics section."""
    out = []
    for f in netplan.design.fabrics:
        t = f.tree
        spec = scenario.network.fabric(f.name) if scenario.network else None
        out.append(Fabric(
            name=f.name, workload=f.workload, switch=f.switch.id, tiers=t.tiers, servers=f.servers,
            scalable_units=t.units, leaf=t.leaf, spine=t.spine, core=t.core,
            links=FabricLinks(node_leaf=t.node_leaf, leaf_spine=t.leaf_spine,
                              spine_core=t.spine_core, uplink=f.uplinks),
            modules={k: v for k, v in f.modules.items() if v or k in ("switch", "node")},
            power_kw=rounded(f.reserved_kw), capex_usd=rounded(fabric_capex(scenario, f), 2),
            pods=t.pods, link_gbps=f.link_gbps, cables=f.cables,
            oversubscription=spec.oversubscription if spec else 1.0))
    return out
