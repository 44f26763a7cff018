"""The fabrics of a plan: switches per tier, modules, cables, power and price.

:func:`design_network` sizes every fabric of a scenario's ``network`` for the
servers a plan chose, by the rules of :mod:`.tree`:

* one **compute** fabric per workload whose servers have compute ports
  (rail-optimized; appliances' compute ports join the first such workload's
  fabric, or the one their entry names);
* one **storage** fabric over every server and appliance storage port;
* one **in-band** fabric over the in-band ports, plus the out-of-band leaves'
  uplinks when the out-of-band switch has separate uplink ports;
* one **out-of-band** fabric over every server BMC, appliance, switch (its own
  included) and rack PDU.

Power: a switch reserves ``power_allocation * (power_max_w + its share of the
switch-side modules)`` and draws ``power_typical_w`` plus the same modules; a
module's power is shared among the switches of a fabric in proportion to their
cabled ports; active and direct-attach cables are counted at the switch end
too. Node-side modules sit in the servers, whose ``power_max_w`` (the spec
sheet's system figure) covers them, so they add price, not power. Appliances
reserve ``power_max_w`` and draw the mean of idle and maximum.

Bad combinations (an optic that does not fit its cage, or is slower than the
links it carries) raise :class:`~rackplan.ScenarioError` naming the field;
running out of switch ports raises :class:`.tree.PortExhaustion`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import Problem, ScenarioError
from ..models import Catalog, Scenario
from ..models.catalog import Appliance, NetworkPort, Optic, Server, Switch
from ..models.scenario import FabricSpec
from .tree import LeafPorts, PortExhaustion, Tree, leaf_ports, size_tree, switch_ports_cabled

__all__ = ["DeviceGroup", "FabricDesign", "Member", "NetworkDesign", "Nodes", "OpticUse",
           "PortExhaustion", "appliance_group", "design_network", "fabric_key", "size_fabric"]


@dataclass(frozen=True)
class Member:
    """The servers of one workload, as the fabrics see them."""

    workload: str
    server: Server
    count: int


@dataclass(frozen=True)
class DeviceGroup:
    """Identical network devices of one fabric and tier, as the rack packer sees them."""

    device: str
    """Catalog id of the switch or appliance."""
    fabric: str
    """``compute:<workload>``, ``storage``, ``inband``, ``oob`` or ``appliances``."""
    role: str
    """``leaf``, ``spine``, ``core`` or ``appliance``."""
    count: int
    reserved_kw: float
    """Per device: ``power_allocation`` times its maximum power with its share of modules."""
    draw_kw: float
    """Per device, for energy."""
    u_height: int
    weight_kg: float
    price_usd: float
    """Per device, before tariffs."""
    origin: str
    lead_time_weeks: float
    form_factor: str = "eia-19"
    """The rack form factor it mounts in."""


@dataclass(frozen=True)
class OpticUse:
    """Modules or cables of one catalog optic in one fabric."""

    optic: Optic
    quantity: int
    use: str
    """``switch modules``, ``node modules``, ``appliance modules``, ``uplink modules``,
    ``node cables``, ``switch cables`` or ``patch cables``."""


@dataclass(frozen=True)
class FabricDesign:
    """One sized fabric."""

    name: str
    """``compute``, ``storage``, ``inband`` or ``oob``."""
    workload: str | None
    """The workload of a compute fabric."""
    switch: Switch
    tree: Tree
    servers: int
    link_gbps: float
    """Slowest node link (the lower of its two ends)."""
    modules: dict[str, int]
    """``switch``, ``node`` (servers'), ``appliance`` and ``uplink`` modules."""
    cables: int
    """Cables: active or direct-attach cables and patch cords."""
    optics: list[OpticUse]
    devices: list[DeviceGroup]
    uplinks: int = 0
    """Out-of-band leaves' uplinks into the in-band fabric."""

    @property
    def key(self) -> str:
        return fabric_key(self.name, self.workload)

    @property
    def reserved_kw(self) -> float:
        return sum(d.reserved_kw * d.count for d in self.devices)

    @property
    def draw_kw(self) -> float:
        return sum(d.draw_kw * d.count for d in self.devices)

    @property
    def switches(self) -> int:
        return self.tree.leaf + self.tree.spine + self.tree.core


@dataclass
class NetworkDesign:
    """Every fabric of a plan and the appliances."""

    fabrics: list[FabricDesign] = field(default_factory=list)
    appliances: list[DeviceGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def devices(self) -> list[DeviceGroup]:
        """Every device group to place in network racks, fabrics first."""
        return [d for f in self.fabrics for d in f.devices] + self.appliances

    @property
    def reserved_kw(self) -> float:
        return sum(d.reserved_kw * d.count for d in self.devices)

    @property
    def draw_kw(self) -> float:
        return sum(d.draw_kw * d.count for d in self.devices)


def fabric_key(name: str, workload: str | None) -> str:
    """The fabric's name in placements: ``compute:<workload>`` or the fabric name."""
    return f"{name}:{workload}" if workload is not None else name


@dataclass(frozen=True)
class Nodes:
    """Endpoints of one kind on a fabric: ``units`` devices with ``port`` ports each."""

    units: int
    port: NetworkPort
    kind: str
    """``node`` (servers), ``appliance`` or ``uplink``."""


def _problem(field_: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(None, "network", field_, message)])


def _check_optic(optic: Optic, cage: str | None, where: str, gbps: float, field_: str) -> None:
    if optic.form_factor and cage and optic.form_factor != cage:
        raise _problem(field_, f"{optic.id} ({optic.form_factor}) does not fit the {cage} cages "
                               f"of {where}")
    if optic.port_gbps < gbps * (1 - 1e-9):
        raise _problem(field_, f"{optic.id} carries {optic.port_gbps:g}G per port; the links of "
                               f"{where} run at {gbps:g}G (link speed is the lower of the two ends)")


def _tiers(switch: Switch, spec: FabricSpec) -> tuple[LeafPorts, LeafPorts]:
    leaf = leaf_ports(switch.ports, spec.oversubscription, switch.uplink_ports)
    spine = leaf_ports(switch.ports, spec.spine_oversubscription)
    return leaf, spine


def size_fabric(name: str, workload: str | None, spec: FabricSpec, catalog: Catalog,
                nodes: Sequence[Nodes], allocation: float, *, rails: int = 1) -> FabricDesign:
    """Size one fabric over ``nodes``; ``rails`` > 1 only for a compute fabric."""
    switch = catalog.switch(spec.switch)
    leaf, spine = _tiers(switch, spec)
    endpoints = sum(n.units * n.port.ports for n in nodes)
    servers = sum(n.units for n in nodes if n.kind == "node")
    label = f"{switch.id} ({name} fabric{f' of {workload!r}' if workload else ''})"
    if switch.uplink_ports is not None:
        # a management switch: its ports face down, its uplinks go to the in-band fabric
        leaves = math.ceil(endpoints / switch.ports) if endpoints else 0
        tree = Tree(1 if leaves else 0, leaves, leaves, 0, 0, 0, endpoints, 0, 0)
        uplinks = leaves * switch.uplink_ports
    else:
        per_unit = leaf.down
        if name == "compute" and spec.nodes_per_su is not None:
            per_unit = spec.nodes_per_su
        tree = size_tree(endpoints, rails, per_unit, switch.ports, leaf, spine, switch=label)
        uplinks = 0
    link = min([n.port.gbps for n in nodes if n.units] + [switch.port_gbps])
    prefix = f"{name}.optics"
    node_optic = catalog.optic(spec.optics.node) if spec.optics.node else None
    switch_optic = catalog.optic(spec.optics.switch) if spec.optics.switch else None
    cable = catalog.optic(spec.optics.cable) if spec.optics.cable else None
    node_cabled = node_optic is not None and node_optic.kind in ("aoc", "dac")
    modules = {"switch": 0, "node": 0, "appliance": 0, "uplink": 0}
    optics: list[OpticUse] = []
    cables = 0
    if node_optic is not None:
        per_kind: dict[str, int] = {}
        for n in nodes:
            if n.units == 0:
                continue
            _check_optic(node_optic, n.port.cage, f"the {n.kind} ports ({n.port.gbps:g}G)",
                         min(n.port.gbps, switch.port_gbps), f"{prefix}.node")
            per_kind[n.kind] = per_kind.get(n.kind, 0) + n.units * math.ceil(n.port.ports / node_optic.ports)
        if node_cabled:
            total = sum(per_kind.values())
            cables += total
            optics.append(OpticUse(node_optic, total, "node cables"))
        else:
            for kind, qty in per_kind.items():
                modules[kind] = modules.get(kind, 0) + qty
                optics.append(OpticUse(node_optic, qty, f"{kind} modules"))
    switch_links = tree.leaf_spine + tree.spine_core
    cabled = switch_ports_cabled(tree) - (tree.node_leaf if node_cabled else 0)
    if switch_optic is not None:
        _check_optic(switch_optic, switch.cage, switch.id,
                     switch.port_gbps if switch_links else link, f"{prefix}.switch")
        if switch_optic.kind == "transceiver":
            modules["switch"] = math.ceil(cabled / switch_optic.ports)
            if modules["switch"]:
                optics.append(OpticUse(switch_optic, modules["switch"], "switch modules"))
        else:
            if node_optic is not None and not node_cabled and tree.node_leaf:
                raise _problem(f"{prefix}.switch", f"{node_optic.id} at the nodes is a transceiver; "
                                                   f"the leaf end needs one too, not {switch_optic.id} "
                                                   f"({switch_optic.kind})")
            qty = math.ceil(switch_links / switch_optic.ports)
            if qty:
                cables += qty
                optics.append(OpticUse(switch_optic, qty, "switch cables"))
            cabled = 0  # no modules on the switches: cables carry their own ends
    if cable is not None:
        # one patch cord per link whose two ends are modules or RJ45 ports
        patched = (0 if node_cabled else tree.node_leaf)
        if switch_optic is None or switch_optic.kind == "transceiver":
            patched += switch_links
        patched += uplinks
        if patched:
            cables += patched
            optics.append(OpticUse(cable, patched, "patch cables"))
    # module and active-cable power sits at the switch ends, shared in proportion to cabled ports
    module_w = 0.0
    if switch_optic is not None and switch_optic.kind == "transceiver":
        module_w += modules["switch"] * switch_optic.power_w
    elif switch_optic is not None:
        module_w += math.ceil(switch_links / switch_optic.ports) * switch_optic.power_w
    if node_optic is not None and node_cabled:
        module_w += sum(u.quantity for u in optics if u.use == "node cables") * node_optic.power_w
    role_ports = {"leaf": tree.node_leaf + tree.leaf_spine,
                  "spine": tree.leaf_spine + tree.spine_core, "core": tree.spine_core}
    total_ports = sum(role_ports.values())
    devices = []
    for role, count in (("leaf", tree.leaf), ("spine", tree.spine), ("core", tree.core)):
        if count == 0:
            continue
        share_w = module_w * role_ports[role] / total_ports / count if total_ports else 0.0
        devices.append(DeviceGroup(
            device=switch.id, fabric=fabric_key(name, workload), role=role, count=count,
            reserved_kw=allocation * (switch.power_max_w + share_w) / 1000.0,
            draw_kw=(switch.power_typical_w + share_w) / 1000.0, u_height=switch.u_height,
            weight_kg=switch.weight_kg, price_usd=switch.price_usd, origin=switch.origin,
            lead_time_weeks=switch.lead_time_weeks, form_factor=switch.form_factor))
    return FabricDesign(name, workload, switch, tree, servers, link, modules, cables, optics,
                        devices, uplinks)


def appliance_group(a: Appliance, count: int, allocation: float) -> DeviceGroup:
    return DeviceGroup(device=a.id, fabric="appliances", role="appliance", count=count,
                       reserved_kw=allocation * a.power_max_w / 1000.0,
                       draw_kw=(a.power_idle_w + a.power_max_w) / 2000.0, u_height=a.u_height,
                       weight_kg=a.weight_kg, price_usd=a.price_usd, origin=a.origin,
                       lead_time_weeks=a.lead_time_weeks, form_factor=a.form_factor)


def _ports(device: Server | Appliance, fabric: str) -> NetworkPort | None:
    return device.network.port(fabric) if device.network is not None else None


def compute_owner(scenario: Scenario, members: Sequence[Member]) -> str | None:
    """The workload whose compute fabric takes appliances that name none: the first with one."""
    for m in members:
        if _ports(m.server, "compute") is not None:
            return m.workload
    return None


def design_network(scenario: Scenario, catalog: Catalog, members: Sequence[Member],
                   pdus: int) -> NetworkDesign:
    """Every fabric of ``scenario.network`` for ``members`` (workloads on the network, with the
    servers chosen for them) and ``pdus`` rack PDUs on the out-of-band fabric."""
    net = scenario.network
    assert net is not None
    alloc = scenario.site.power_allocation
    design = NetworkDesign()
    members = [m for m in members if m.count > 0]
    appliances = [(catalog.appliance(a.appliance), a) for a in net.appliances]
    design.appliances = [appliance_group(a, spec.count, alloc) for a, spec in appliances]
    owner = compute_owner(scenario, members)
    if net.compute is not None:
        for m in members:
            port = _ports(m.server, "compute")
            if port is None:
                continue
            nodes = [Nodes(m.count, port, "node")]
            for a, spec in appliances:
                ap = _ports(a, "compute")
                if ap is not None and (spec.workload or owner) == m.workload:
                    nodes.append(Nodes(spec.count, ap, "appliance"))
            design.fabrics.append(size_fabric("compute", m.workload, net.compute, catalog, nodes,
                                              alloc, rails=port.rails or port.ports))
    if net.storage is not None:
        nodes = _endpoints("storage", members, appliances)
        if nodes:
            design.fabrics.append(size_fabric("storage", None, net.storage, catalog, nodes, alloc))
    # in-band and out-of-band depend on each other (OOB ports on every switch, OOB uplinks
    # into the in-band fabric): size both until they stop changing
    fixed = sum(f.switches for f in design.fabrics)
    inband = oob = None
    for _ in range(100):
        uplinks = oob.uplinks if oob is not None else 0
        if net.inband is not None:
            nodes = _endpoints("inband", members, appliances)
            if uplinks and net.oob is not None:
                sw = catalog.switch(net.oob.switch)
                nodes.append(Nodes(uplinks // (sw.uplink_ports or 1),
                                    NetworkPort(ports=sw.uplink_ports or 1,
                                                gbps=sw.uplink_gbps or sw.port_gbps), "uplink"))
            inband = size_fabric("inband", None, net.inband, catalog, nodes, alloc) if nodes else None
        if net.oob is None:
            break
        nodes = _endpoints("oob", members, appliances)
        switches = fixed + (inband.switches if inband else 0) + (oob.switches if oob else 0)
        mgmt = NetworkPort(ports=1, gbps=1)
        extra = switches + pdus
        if extra:
            nodes.append(Nodes(extra, mgmt, "managed"))
        new = size_fabric("oob", None, net.oob, catalog, nodes, alloc) if nodes else None
        if oob is not None and new is not None and new.switches == oob.switches \
                and new.uplinks == oob.uplinks:
            oob = new
            break
        oob = new
    for f in (inband, oob):
        if f is not None:
            design.fabrics.append(f)
    missing = [f.key for f in design.fabrics if not f.optics]
    if missing:
        design.warnings.append(f"no optics or cables given for {', '.join(missing)}: their modules "
                               "and cables are not counted (set network.<fabric>.optics)")
    return design


def _endpoints(fabric: str, members: Sequence[Member],
               appliances: Sequence[tuple[Appliance, object]]) -> list[Nodes]:
    nodes = []
    for m in members:
        port = _ports(m.server, fabric)
        if port is not None:
            nodes.append(Nodes(m.count, port, "node"))
    for a, spec in appliances:
        port = _ports(a, fabric)
        if port is not None:
            nodes.append(Nodes(spec.count, port, "appliance"))  # type: ignore[attr-defined]
    return nodes
