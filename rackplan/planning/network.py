"""The planner's side of the network: what the search counts, and the network racks.

The fabrics depend on the servers chosen, so the model search cannot see them
exactly. It sees a proven lower bound per candidate (:func:`add_network_shares`):

* its own compute fabric, sized exactly (a compute fabric serves one workload);
* its node-side modules and cables on every fabric, exactly;
* for each shared fabric (storage, in-band, out-of-band) the least a port can
  cost: a ``k``-port switch serves at most ``k`` ports, and a transceiver at
  most its ports, so every fabric costs at least that much per port;
* the appliances, the same for every choice, on the first workload.

After the search, :func:`network_for` sizes the real fabrics for the choice and
packs their devices into network racks with the planner's rack packer
(:func:`rackplan.kernels.cover.pack`, one rack type, the same limits). The
plan fits only when the network racks fit the positions left and the network's
exact power and price fit the envelope and budget; :mod:`rackplan.planning`
searches again with those taken out when they do not.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import Diagnosis, InfeasibleError, ScenarioError, SearchLimitError
from ..kernels import cover
from ..kernels.dims import AIR, N_DIMS, NAMES, POWER, UNIT_NAMES, UNITS, WEIGHT
from ..kernels.patterns import expand_racks
from ..kernels.status import Status
from ..models import Catalog, RackType, Scenario
from ..models.catalog import FABRICS, Appliance, Optic, Server
from ..network.design import (
    DeviceGroup,
    FabricDesign,
    Member,
    NetworkDesign,
    Nodes,
    PortExhaustion,
    appliance_group,
    design_network,
    size_fabric,
)
from ..tolerance import FIT_REL
from .arrays import SiteArrays
from .candidates import Candidate
from .limits import FINAL_NODE_LIMIT, FINAL_WORK, MAX_PATTERNS, SMALL_RACKS
from .units import HOURS_PER_YEAR

MAX_ROUNDS = 6
"""Searches with the network's exact needs taken out, before the planner gives up."""


def energy_per_year(scenario: Scenario, draw_kw: float) -> float:
    s = scenario.site
    return draw_kw * s.pue * HOURS_PER_YEAR * s.electricity_usd_per_kwh


def tariff(scenario: Scenario, origin: str) -> float:
    return scenario.site.tariffs.get(origin, 0.0)


def network_rack_type(scenario: Scenario, site: SiteArrays) -> int:
    """Index of ``network.rack`` among the site's rack types (checked to be there on load)."""
    assert scenario.network is not None
    return next(t for t, r in enumerate(site.racks) if r.id == scenario.network.rack)


def devices_capex(scenario: Scenario, devices: list[DeviceGroup]) -> float:
    """Devices (switches or appliances) with their tariffs."""
    return sum(d.count * d.price_usd * (1 + tariff(scenario, d.origin)) for d in devices)


def fabric_capex(scenario: Scenario, f: FabricDesign) -> float:
    """Switches with their tariffs, modules and cables."""
    sw = f.switch
    return (f.switches * sw.price_usd * (1 + tariff(scenario, sw.origin))
            + sum(u.quantity * u.optic.price_usd for u in f.optics))


def add_network_shares(scenario: Scenario, catalog: Catalog,
                       cands: list[list[Candidate]], rejected: dict[str, dict[str, str]]
                       ) -> list[list[Candidate]]:
    """Each candidate with its network lower bound (see the module docstring); a candidate
    whose compute fabric runs out of ports is rejected with the reason."""
    net = scenario.network
    assert net is not None
    out: list[list[Candidate]] = []
    appliances = _appliances(scenario, catalog)
    for w, lst in zip(scenario.workloads, cands, strict=True):
        kept = []
        for c in lst:
            if not w.network:
                usd = kw = draw = 0.0
            else:
                try:
                    usd, kw, draw = _share(scenario, catalog, w.name, c.server, c.count)
                except PortExhaustion as exc:
                    rejected[w.name][c.server.id] = f"compute fabric: {exc}"
                    continue
            if w is scenario.workloads[0]:
                usd, kw, draw = usd + appliances[0], kw + appliances[1], draw + appliances[2]
            kept.append(dataclasses.replace(
                c, network_usd=usd, network_kw=kw,
                network_energy_usd_per_year=energy_per_year(scenario, draw)))
        out.append(kept)
    return out


def _appliance_groups(scenario: Scenario, catalog: Catalog) -> list[DeviceGroup]:
    assert scenario.network is not None
    return [appliance_group(catalog.appliance(a.appliance), a.count,
                            scenario.site.power_allocation) for a in scenario.network.appliances]


def _appliances(scenario: Scenario, catalog: Catalog) -> tuple[float, float, float]:
    """Capex, reserved kW and draw kW of the appliances (the same for every choice)."""
    groups = _appliance_groups(scenario, catalog)
    return (devices_capex(scenario, groups), sum(g.count * g.reserved_kw for g in groups),
            sum(g.count * g.draw_kw for g in groups))


def _share(scenario: Scenario, catalog: Catalog, workload: str, server: Server,
           count: int) -> tuple[float, float, float]:
    """Network capex, reserved kW and draw kW (lower bounds) of ``count`` servers."""
    net = scenario.network
    assert net is not None
    alloc = scenario.site.power_allocation
    usd = kw = draw = 0.0
    compute_switches = 0
    if net.compute is not None and server.network is not None and server.network.compute:
        port = server.network.compute
        f = size_fabric("compute", workload, net.compute, catalog, [Nodes(count, port, "node")],
                        alloc, rails=port.rails or port.ports)
        usd += fabric_capex(scenario, f)
        kw += f.reserved_kw
        draw += f.draw_kw
        compute_switches = f.switches
    for name in FABRICS[1:]:
        spec = net.fabric(name)
        own = server.network.port(name) if server.network is not None else None
        endpoints = count * own.ports if own is not None else 0
        if name == "oob":
            endpoints += compute_switches
        if spec is None or endpoints == 0:
            continue
        sw = catalog.switch(spec.switch)
        node = catalog.optic(spec.optics.node) if spec.optics.node else None
        sw_optic = catalog.optic(spec.optics.switch) if spec.optics.switch else None
        cable = catalog.optic(spec.optics.cable) if spec.optics.cable else None
        node_cabled = node is not None and node.kind in ("aoc", "dac")
        # the switch: each port at most 1/k of one
        usd += endpoints * sw.price_usd * (1 + tariff(scenario, sw.origin)) / sw.ports
        kw += endpoints * alloc * sw.power_max_w / sw.ports / 1000
        draw += endpoints * sw.power_typical_w / sw.ports / 1000
        if own is not None and node is not None:
            usd += count * math.ceil(own.ports / node.ports) * node.price_usd
        if sw_optic is not None and sw_optic.kind == "transceiver" and not node_cabled:
            usd += endpoints * _per_port(sw_optic, "price_usd")
            kw += endpoints * alloc * _per_port(sw_optic, "power_w") / 1000
            draw += endpoints * _per_port(sw_optic, "power_w") / 1000
        if cable is not None and not node_cabled:
            usd += endpoints * cable.price_usd
    return usd, kw, draw


def _per_port(optic: Optic, field_: str) -> float:
    return float(getattr(optic, field_)) / optic.ports


@dataclass(frozen=True)
class NetworkPlan:
    """The sized network of a plan and its racks."""

    design: NetworkDesign
    rack: RackType
    rack_type: int
    """Index of ``rack`` among the site's rack types."""
    counts: np.ndarray
    """(R, G) devices of each of ``design.devices`` per network rack."""
    capex_usd: float
    """Exact: switches, tariffs, optics, appliances and network rack positions."""
    racks_lower_bound: int
    """No packing of these devices uses fewer network racks."""
    appliance_entries: dict[str, Appliance]
    """The appliances' catalog entries, by id."""

    @property
    def racks(self) -> int:
        return int(self.counts.shape[0])


def network_for(scenario: Scenario, catalog: Catalog, chosen: list[Candidate], site: SiteArrays,
                server_types: np.ndarray) -> NetworkPlan:
    """The fabrics of ``chosen`` and their network racks. The out-of-band fabric counts every
    rack's PDUs (``server_types``: the server racks' types), network racks included, so the
    two are sized until they agree."""
    net = scenario.network
    assert net is not None
    t_net = network_rack_type(scenario, site)
    rack = site.racks[t_net]
    members = [Member(w.name, c.server, c.count)
               for w, c in zip(scenario.workloads, chosen, strict=True) if w.network]
    server_pdus = int(sum(site.racks[int(t)].pdu_count for t in server_types))
    n_racks = 0
    for _ in range(50):
        try:
            design = design_network(scenario, catalog, members,
                                    server_pdus + n_racks * rack.pdu_count)
        except PortExhaustion as exc:
            raise SearchLimitError(Diagnosis(
                [f"no plan found (not a proof of infeasibility): the network of the chosen models "
                 f"cannot be built: {exc}"], {"port_exhaustion": str(exc)}, proven=False)) from None
        counts = _pack_devices(design.devices, site, t_net)
        if counts.shape[0] <= n_racks:
            break
        n_racks = counts.shape[0]
    capex = sum(fabric_capex(scenario, f) for f in design.fabrics)
    capex += devices_capex(scenario, design.appliances) + counts.shape[0] * rack.price_usd
    return NetworkPlan(design, rack, t_net, counts, capex,
                       _volume_bound(design.devices, site.cap[t_net]),
                       {a.appliance: catalog.appliance(a.appliance) for a in net.appliances})


def _volume_bound(devices: list[DeviceGroup], cap: np.ndarray) -> int:
    need = np.zeros(len(cap))
    for d in devices:
        need[POWER] += d.count * d.reserved_kw
        need[AIR] += d.count * d.reserved_kw
        need[UNITS] += d.count * d.u_height
        need[WEIGHT] += d.count * d.weight_kg
    room = cap * (1 + FIT_REL)
    return max((math.ceil(need[d] / room[d] - 1e-9) for d in range(len(cap)) if room[d] > 0),
               default=0)


def _pack_devices(devices: list[DeviceGroup], site: SiteArrays, t: int) -> np.ndarray:
    """Devices per network rack (R, G), packed by the planner's rack packer into racks of
    type ``t`` (positions not limited here: the caller checks them)."""
    G = len(devices)
    if G == 0:
        return np.zeros((0, 0), np.int64)
    rack = site.racks[t]
    kinds = sorted({d.form_factor for d in devices})
    if len(kinds) > 1:
        by_kind = "; ".join(f"{k}: " + ", ".join(sorted({d.device for d in devices
                                                          if d.form_factor == k}))
                            for k in kinds)
        raise InfeasibleError(Diagnosis(
            [f"network: the devices mix form factors ({by_kind}) and one network rack type "
             "cannot hold them all; choose switches and appliances of one form factor"],
            {"network_device_form_factor": kinds}, proven=True))
    for d in devices:
        if d.form_factor != rack.form_factor:
            raise InfeasibleError(Diagnosis(
                [f"network: {d.device} ({d.fabric} {d.role}) is {d.form_factor} and the network "
                 f"rack {rack.id} is {rack.form_factor}; set network.rack to a {d.form_factor} "
                 "rack type"], {"network_device_form_factor": d.device}, proven=True))
    S = np.zeros((G, site.dims))
    for g, d in enumerate(devices):
        S[g, POWER] = S[g, AIR] = d.reserved_kw
        S[g, UNITS] = d.u_height
        S[g, WEIGHT] = d.weight_kg
    n = np.array([d.count for d in devices], np.int64)
    cap = site.cap[t:t + 1]
    for g, d in enumerate(devices):
        over = [dim for dim in range(N_DIMS) if S[g, dim] > cap[0, dim] * (1 + FIT_REL)]
        if over:
            dim = over[0]
            what = f"{S[g, dim]:g} of {cap[0, dim]:g} {UNIT_NAMES[dim]} {NAMES[dim]}"
            # a switch's power includes its share of the modules, which depends on the
            # choice of models; its U and weight, and an appliance, do not
            proven = dim not in (POWER, AIR) or d.role == "appliance"
            error = InfeasibleError if proven else SearchLimitError
            raise error(Diagnosis(
                [f"network: {d.device} ({d.fabric} {d.role}) does not fit a {site.racks[t].id} rack "
                 f"(needs {what})"],
                {"network_device_does_not_fit": d.device}, proven=proven))
    r = cover.pack(S, n, np.zeros(G, np.bool_), np.zeros(G, np.bool_), cap,
                   site.price[t:t + 1], np.array([int(n.sum())], np.int64), np.zeros(G, np.int64),
                   np.zeros(0), FINAL_NODE_LIMIT, FINAL_WORK, SMALL_RACKS, MAX_PATTERNS, np.inf)
    if r.status not in (Status.OK, Status.LIMIT) or r.x.size == 0:
        raise SearchLimitError(Diagnosis([f"network: the rack packer found no packing of the "
                                         f"network devices into {site.racks[t].id} racks"],
                                        {}, proven=False))
    _types, counts = expand_racks(r.pat, r.ptype, r.x, n)
    return counts


MAX_EXCESS_CHOICES = 256
"""Model choices enumerated for :func:`excess_lower_bound`; beyond, the bound adds nothing."""


def excess_lower_bound(scenario: Scenario, catalog: Catalog, cands: list[list[Candidate]],
                       site: SiteArrays, objective: str) -> float:
    """A proven lower bound on how much any plan's network costs above what the search counted.

    The search counted each candidate's network lower bound; a plan's objective is the
    search's for the same choice plus its network's excess over those bounds, so the least
    excess over every choice can be added to the search's bound. The excess of a choice is
    bounded below by its fabrics sized without rack PDUs and its network racks by their volume
    bound. With more than ``MAX_EXCESS_CHOICES`` choices this returns 0.
    """
    net = scenario.network
    assert net is not None
    if math.prod(len(lst) for lst in cands) > MAX_EXCESS_CHOICES:
        return 0.0
    t = network_rack_type(scenario, site)
    years = 0.0 if objective == "capex" else scenario.horizon_years
    best = math.inf
    for combo in itertools.product(*cands):
        members = [Member(w.name, c.server, c.count)
                   for w, c in zip(scenario.workloads, combo, strict=True) if w.network]
        try:
            design = design_network(scenario, catalog, members, 0)
        except (PortExhaustion, ScenarioError):
            continue
        exact = sum(fabric_capex(scenario, f) for f in design.fabrics)
        exact += devices_capex(scenario, design.appliances)
        exact += _volume_bound(design.devices, site.cap[t]) * float(site.price[t])
        exact += energy_per_year(scenario, design.draw_kw) * years
        counted = sum(c.network_usd + c.network_energy_usd_per_year * years for c in combo)
        best = min(best, exact - counted)
    return max(best, 0.0) if math.isfinite(best) else 0.0


def network_racks_lower_bound(scenario: Scenario, catalog: Catalog, site: SiteArrays) -> int:
    """Fewest network racks any plan needs: the appliances' volume in one rack's capacity
    (every plan has them; switches depend on the choice)."""
    return _volume_bound(_appliance_groups(scenario, catalog),
                         site.cap[network_rack_type(scenario, site)])
