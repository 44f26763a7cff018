"""Candidates: the catalog servers that qualify for a workload, sized and costed for it.

A candidate is one server model for one workload: how many servers deliver the
demand, the capacity each takes in a rack, its separable costs (servers,
tariffs, energy per year) and its arrival day. A server that does not qualify
gets a one-line reason instead, for the diagnosis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..kernels.dims import AIR, LIQUID, N_DIMS, NAMES, POWER, UNIT_NAMES, UNITS, WEIGHT
from ..models import Catalog, Scenario, Server, Workload
from ..tolerance import COUNT_TOL, FIT_REL
from .supply import order_days, phase_servers, shipping_for
from .units import HOURS_PER_YEAR

if TYPE_CHECKING:  # arrays.py builds kernel arrays from candidates, so it imports this module
    from .arrays import SiteArrays


@dataclass(frozen=True)
class Candidate:
    """One server model sized for one workload."""

    server: Server
    count: int
    gpus: int
    reserved_kw: float
    """Per server."""
    draw_kw: float
    """Per server at the workload's utilization."""
    server_usd: float
    tariff_usd: float
    energy_usd_per_year: float
    arrival_day: int
    """Day its last unit ships, as if no other workload shared its supply rule (the model
    search ranks by it for objective ``time``; without staggered shipping it is exact)."""
    size: tuple[float, ...]
    """Capacity one server takes in a rack, per dimension of :mod:`rackplan.kernels.dims`."""
    network_usd: float = 0.0
    """With a scenario ``network``: a proven lower bound on the network capex these servers add
    (their compute fabric exactly, their share of the shared fabrics at the least price per port)."""
    network_kw: float = 0.0
    """Likewise, reserved network power (kW, all servers)."""
    network_energy_usd_per_year: float = 0.0
    """Likewise, network energy per year."""

    @property
    def capex_usd(self) -> float:
        """Servers with their tariffs."""
        return self.server_usd + self.tariff_usd

    @property
    def search_capex_usd(self) -> float:
        """Capex the model search counts: servers, tariffs and the network lower bound."""
        return self.server_usd + self.tariff_usd + self.network_usd

    @property
    def search_power_kw(self) -> float:
        """Reserved power the search counts: servers and the network lower bound."""
        return self.reserved_kw * self.count + self.network_kw

    @property
    def search_energy_usd_per_year(self) -> float:
        """Energy per year the search counts: servers and the network lower bound."""
        return self.energy_usd_per_year + self.network_energy_usd_per_year


def server_size(server: Server, allocation: float) -> tuple[float, ...]:
    """Capacity a server takes in a rack, per dimension of :mod:`rackplan.kernels.dims`:
    reserved kW, air kW, liquid kW, U, kg."""
    reserved = allocation * server.power_max_w / 1000.0
    size = [0.0] * N_DIMS
    size[POWER] = reserved
    size[AIR] = reserved * (1.0 - server.liquid_fraction)
    size[LIQUID] = reserved * server.liquid_fraction
    size[UNITS] = float(server.u_height)
    size[WEIGHT] = server.weight_kg
    return tuple(size)


def servers_needed(workload: Workload, server: Server, catalog: Catalog) -> int:
    """Servers of ``server`` that deliver the workload's GPUs or dense compute."""
    if workload.phases is not None:  # each phase is whole on its own
        return sum(-(-p.gpus // server.gpu_count) for p in workload.phases)
    if workload.gpus is not None:
        return -(-workload.gpus // server.gpu_count)
    gpu = catalog.gpu(server.gpu)
    if workload.fp8_pflops is not None:
        per_server = server.gpu_count * gpu.fp8_tflops / 1000.0
        demand = workload.fp8_pflops
    else:
        assert workload.bf16_pflops is not None
        per_server = server.gpu_count * gpu.bf16_tflops / 1000.0
        demand = workload.bf16_pflops
    return max(1, math.ceil(demand / per_server - COUNT_TOL))


def per_server_value(server: Server, catalog: Catalog, unit: str) -> float:
    """What one server gives in ``unit``: ``gpus`` or ``fp8_pflops`` (dense)."""
    if unit == "gpus":
        return float(server.gpu_count)
    return server.gpu_count * catalog.gpu(server.gpu).fp8_tflops / 1000.0


def servers_for_floor(server: Server, catalog: Catalog, floor: tuple[str, float]) -> int:
    """Fewest servers that give at least ``floor`` (a unit of :func:`per_server_value` and an
    amount)."""
    unit, amount = floor
    per = per_server_value(server, catalog, unit)
    if amount <= 0:
        return 0
    if per <= 0:
        return 1 << 40  # gives nothing in this unit: no count reaches the floor
    return max(1, math.ceil(amount / per - COUNT_TOL))


def _misfit(size: tuple[float, ...], form_factor: str, site: SiteArrays) -> str | None:
    """None when the server fits some rack type at the site, else why not (per type)."""
    if all(rack.form_factor != form_factor for rack in site.racks):
        kinds = sorted({rack.form_factor for rack in site.racks})
        return (f"is {form_factor} and the site's racks are {' and '.join(kinds)} "
                f"({', '.join(rack.id for rack in site.racks)}); add positions of a "
                f"{form_factor} rack type")
    parts = []
    for t, rack in enumerate(site.racks):
        if rack.form_factor != form_factor:
            parts.append(f"{rack.id} is {rack.form_factor}, the server {form_factor}")
            continue
        over = [(size[d] / site.cap[t, d] if site.cap[t, d] > 0 else math.inf, d)
                for d in range(N_DIMS) if size[d] > site.cap[t, d] * (1 + FIT_REL)]
        if not over:
            return None
        _, d = max(over)
        have = site.cap[t, d]
        parts.append(f"{rack.id} has {_fmt(have)} {UNIT_NAMES[d]} {NAMES[d]}, "
                     f"needs {_fmt(size[d])}")
    return "fits no rack type at the site (" + "; ".join(parts) + ")"


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.4g}"


def _last_ship_alone(scenario: Scenario, workload: Workload, server: Server, count: int) -> int:
    ship = shipping_for(scenario, server)
    orders = np.repeat(order_days(scenario, workload), phase_servers(workload, server, count))
    return int(ship.ship(orders, np.arange(count, dtype=np.int64)).max())


def candidates_for(workload: Workload, scenario: Scenario, catalog: Catalog,
                   site: SiteArrays, floor: tuple[str, float] | None = None
                   ) -> tuple[list[Candidate], dict[str, str]]:
    """The workload's qualifying candidates, and each rejected server's reason.

    ``floor`` (``("gpus" | "fp8_pflops", amount)``), for a ``grow`` workload under a
    maximizing objective, sizes each candidate to at least that much as well as to the
    workload's own demand (the extra servers join its last phase)."""
    s = scenario.site
    out: list[Candidate] = []
    rejected: dict[str, str] = {}
    allowed = set(workload.allowed) if workload.allowed else None
    for server in catalog.servers:
        gpu = catalog.gpu(server.gpu)
        if allowed is not None and server.id not in allowed and server.gpu not in allowed:
            rejected[server.id] = "not in allowed"
            continue
        if workload.min_gpu_memory_gb is not None and gpu.memory_gb < workload.min_gpu_memory_gb:
            rejected[server.id] = (f"GPU memory {_fmt(gpu.memory_gb)} GB is below "
                                   f"{_fmt(workload.min_gpu_memory_gb)} GB")
            continue
        if workload.min_scale_up_gpus is not None and server.scale_up_gpus < workload.min_scale_up_gpus:
            rejected[server.id] = (f"scale-up domain of {server.scale_up_gpus} GPUs is below "
                                   f"{workload.min_scale_up_gpus}")
            continue
        size = site.size_of(server_size(server, s.power_allocation), server.form_factor)
        misfit = _misfit(size, server.form_factor, site)
        if misfit:
            rejected[server.id] = misfit
            continue
        count = servers_needed(workload, server, catalog)
        if floor is not None:
            count = max(count, servers_for_floor(server, catalog, floor))
            if count >= 1 << 40:
                rejected[server.id] = f"gives no {floor[0].replace('_', ' ')}"
                continue
        draw_kw = (server.power_idle_w + workload.utilization
                   * (server.power_max_w - server.power_idle_w)) / 1000.0
        server_usd = count * server.price_usd
        out.append(Candidate(
            server=server,
            count=count,
            gpus=count * server.gpu_count,
            reserved_kw=size[POWER],
            draw_kw=draw_kw,
            server_usd=server_usd,
            tariff_usd=server_usd * s.tariffs.get(server.origin, 0.0),
            energy_usd_per_year=count * draw_kw * s.pue * HOURS_PER_YEAR * s.electricity_usd_per_kwh,
            arrival_day=_last_ship_alone(scenario, workload, server, count),
            size=size,
        ))
    return out, rejected
