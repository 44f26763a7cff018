"""Random planning scenarios over the bundled catalog, for exactness tests and the benchmark.

Rack prices are scaled by a random factor per type (1x to 15x) so the rack
packing weighs in the objective as much as the server choice; site power
and budget are drawn around a rough estimate so some limits bind.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import numpy as np

import rackplan
from rackplan.models import GPU, Catalog, RackType, Scenario, Server

GENERATOR_SERVERS = (
    "dell-xe9680-h100", "dell-xe9680-h200", "dell-xe9680-mi300x", "dell-xe9680l-b200",
    "dell-xe9712-gb200", "dell-xe9712-gb300", "dell-xe9780-b300", "dell-xe9785-mi355x",
    "dell-xe7745-h200nvl", "dell-xe7745-mi350p", "dell-xe8812-rubin", "dell-r760xa-h100pcie",
    "hpe-cray-xd670-h200", "lenovo-sr680a-v3-h200", "nvidia-dgx-h100", "nvidia-dgx-h200",
    "nvidia-dgx-b200", "nvidia-dgx-b300", "nvidia-gb200-nvl72", "supermicro-sys-821ge-tnhr-h200")
"""The servers scenarios are drawn from: a fixed set (the bundled catalog's of late 2026 before
its end-2026 update), so that adding systems to the catalog leaves the generated scenarios, and
the tests and benchmark built on them, as they were; their figures are the catalog's."""

GENERATOR_RACKS = ("air-42u-15kw", "air-42u-30kw", "air-48u-40kw", "rdhx-48u-60kw",
                   "dlc-48u-140kw", "orv3-dlc-300kw", "net-42u-20kw")
"""The rack types scenarios are drawn from, likewise fixed."""


def generator_catalog(base: Catalog) -> Catalog:
    """``base`` with only the servers and rack types scenarios are drawn from."""
    return Catalog(gpus=base.gpus, servers=[s for s in base.servers if s.id in GENERATOR_SERVERS],
                   racks=[r for r in base.racks if r.id in GENERATOR_RACKS])


def _fits(server, rack, redundancy: str) -> bool:  # type: ignore[no-untyped-def]
    kw = server.power_max_w / 1000
    usable = rack.power_kw * rack.feeds / (2 if redundancy == "2N" else 1)
    return (kw <= usable and kw * (1 - server.liquid_fraction) <= rack.air_cooling_kw
            and kw * server.liquid_fraction <= rack.liquid_cooling_kw
            and server.u_height <= rack.u_height - rack.reserved_u_bottom - rack.reserved_u_top
            and server.weight_kg <= rack.max_load_kg and server.form_factor == rack.form_factor)


def random_scenario(seed: int, *, workloads: tuple[int, int] = (2, 4), models: tuple[int, int] = (3, 6),
                    rack_types: tuple[int, int] = (2, 3), servers: tuple[int, int] = (1, 10),
                    positions: tuple[int, int] = (1, 6), base: Catalog | None = None,
                    ) -> tuple[Scenario, Catalog]:
    """A scenario and its catalog; sizes are (low, high) inclusive ranges."""
    rng = np.random.default_rng(seed)
    base = generator_catalog(base or rackplan.load_catalog())
    racks = [r.model_copy(update={"price_usd": float(r.price_usd * rng.uniform(1, 15))})
             for r in base.racks]
    catalog = Catalog(gpus=base.gpus, servers=base.servers, racks=racks)
    redundancy = "2N" if rng.random() < 0.7 else "N"
    while True:
        n_types = int(rng.integers(rack_types[0], rack_types[1] + 1))
        chosen_racks = [racks[i] for i in sorted(rng.choice(len(racks), n_types, replace=False))]
        usable = [s for s in catalog.servers if any(_fits(s, r, redundancy) for r in chosen_racks)]
        if len(usable) >= models[0]:
            break
    wl = []
    rough_power = 0.0
    rough_capex = 0.0
    for w in range(int(rng.integers(workloads[0], workloads[1] + 1))):
        k = int(rng.integers(models[0], min(models[1], len(usable)) + 1))
        allowed = [usable[i].id for i in rng.choice(len(usable), k, replace=False)]
        per = min(catalog.server(a).gpu_count for a in allowed)
        gpus = int(rng.integers(servers[0], servers[1] + 1)) * per
        wl.append({"name": f"w{w}", "gpus": gpus, "allowed": allowed,
                   "utilization": float(np.round(rng.uniform(0.3, 1.0), 2)),
                   "placement": "dedicated" if rng.random() < 0.25 else "shared"})
        mean_kw = np.mean([catalog.server(a).power_max_w / 1000 / catalog.server(a).gpu_count
                           for a in allowed])
        mean_usd = np.mean([catalog.server(a).price_usd / catalog.server(a).gpu_count
                            for a in allowed])
        rough_power += gpus * mean_kw
        rough_capex += gpus * mean_usd
    data = {
        "name": f"gen-{seed}",
        "start": dt.date(2027, 1, 4),
        "objective": str(rng.choice(["capex", "tco"])),
        "horizon_years": float(rng.choice([3, 4, 5])),
        "site": {
            "it_power_kw": float(np.round(rough_power * rng.uniform(0.9, 2.0), 1)),
            "pue": float(np.round(rng.uniform(1.1, 1.6), 2)),
            "electricity_usd_per_kwh": float(np.round(rng.uniform(0.04, 0.2), 3)),
            "power_redundancy": redundancy,
            "tariffs": {"TW": 0.2} if rng.random() < 0.5 else {},
            "rack_positions": [{"rack": r.id, "count": int(rng.integers(positions[0], positions[1] + 1))}
                               for r in chosen_racks],
        },
        "workloads": wl,
    }
    if rng.random() < 0.3:
        data["budget_usd"] = float(np.round(rough_capex * rng.uniform(0.9, 1.4), -3))
    return Scenario.model_validate(data), catalog


def varied_scenario(seed: int, base: Catalog) -> tuple[Scenario, Catalog]:
    """A small scenario that also exercises what random_scenario leaves alone: the time
    objective, compute demands, memory and scale-up floors, power allocation, install
    rates, burn-in and rack-scale systems in liquid racks. Small enough for HiGHS."""
    rng = np.random.default_rng(10_000_019 + seed)
    scenario, catalog = random_scenario(seed, workloads=(1, 4), models=(1, 6), rack_types=(1, 3),
                                        servers=(1, 30), positions=(1, 16), base=base)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["objective"] = str(rng.choice(["capex", "tco", "time"]))
    site = data["site"]
    site["power_allocation"] = float(rng.choice([1.0, 1.0, 0.85, 0.6]))
    site["install_racks_per_week"] = float(rng.choice([0.5, 2.0, 20.0]))
    site["burn_in_weeks"] = float(rng.choice([0.0, 1.5, 2.0, 4.0]))
    if rng.random() < 0.15:  # a liquid hall that can take whole-rack systems
        site["rack_positions"] = [{"rack": "orv3-dlc-300kw", "count": int(rng.integers(1, 4))},
                                  {"rack": "dlc-48u-140kw", "count": int(rng.integers(1, 5))}]
        site["power_redundancy"] = "2N"
        site["it_power_kw"] = float(rng.uniform(150, 1500))
        for w in data["workloads"]:
            w["allowed"] = ["gb200", "gb300", "b200", "b300", "rubin"]
    for w in data["workloads"]:
        roll = rng.random()
        if roll < 0.15:
            w["fp8_pflops"] = float(np.round(w.pop("gpus") * rng.uniform(1.0, 4.0), 1))
        elif roll < 0.25:
            w["bf16_pflops"] = float(np.round(w.pop("gpus") * rng.uniform(0.5, 2.0), 1))
        if rng.random() < 0.1:
            w["min_gpu_memory_gb"] = float(rng.choice([80, 141, 180, 288]))
        if rng.random() < 0.1:
            w["min_scale_up_gpus"] = int(rng.choice([8, 72]))
    return Scenario.model_validate(data), catalog


# --------------------------------------------------------------------------- synthetic catalogs

_FIXTURE_SOURCES = ["estimate: test fixture"]


@functools.cache
def _h200() -> GPU:
    return rackplan.load_catalog().gpu("h200-sxm")


def _synthetic_rack(rng: np.random.Generator, rid: str, power_kw: float,
                    price_usd: float | None = None) -> RackType:
    """An air rack: 48 U, 1,500 kg, two feeds (``power_kw`` usable under 2N)."""
    return RackType(id=rid, u_height=48, power_kw=float(power_kw), feeds=2,
                    air_cooling_kw=float(power_kw), liquid_cooling_kw=0.0, max_load_kg=1500.0,
                    price_usd=float(price_usd if price_usd is not None
                                    else np.round(rng.uniform(20_000, 150_000), 2)),
                    sources=_FIXTURE_SOURCES)


def _synthetic_server(rng: np.random.Generator, sid: str, rack_kw: float) -> Server:
    """An air server of 8 H200 GPUs, 3-12 of which fill a ``rack_kw`` rack by power,
    2-10 U, 40-250 kg, $100k, 4-20 weeks' lead time."""
    return Server(id=sid, vendor="T", model=sid, gpu="h200-sxm", gpu_count=8, scale_up_gpus=8,
                  u_height=int(rng.integers(2, 11)), power_idle_w=500.0,
                  power_max_w=float(rack_kw * 1000.0 / rng.uniform(3, 12)), cooling="air",
                  liquid_fraction=0.0, weight_kg=float(rng.uniform(40, 250)), price_usd=100_000.0,
                  lead_time_weeks=float(rng.integers(4, 21)), origin="US", sources=_FIXTURE_SOURCES)


def _per_rack(server: Server, rack: RackType) -> float:
    return min(rack.power_kw * 1000 / server.power_max_w, rack.u_height / server.u_height,
               rack.max_load_kg / server.weight_kg)


def tight_site_scenario(seed: int, *, max_racks: int = 2000
                        ) -> tuple[Scenario, Catalog, dict[str, Any]]:
    """A "tight site": positions equal to the optimum's rack count (plus 0 or 1 per type).

    Synthetic catalog: 2-3 air rack types (25-60 kW, 48 U, 1,500 kg, $20k-150k), servers
    as in ``_synthetic_server``. 3-6 workloads with 1-2 candidate models each (sometimes
    one model shared by two workloads), 30% dedicated; demand sized so the optimum
    needs between ~5 and ``max_racks`` racks (target drawn log-uniformly). The optimum
    with ample positions (objective capex, no IT envelope or budget) is computed with the
    pattern MILP (tests/pattern_milp.py); the site then gets that many positions, split
    over the rack types either as the optimum splits them (``info["split"] ==
    "optimum"``: feasible by construction) or at random (``"random"``: a random
    composition; often infeasible), plus 0 or 1 extra per type. A type left with no
    position is dropped from the site. The scenario may be feasible or infeasible.

    info: ``optimum_racks_unlimited``, ``optimum_value_unlimited``,
    ``racks_by_type_unlimited``, ``reference_status_unlimited``,
    ``reference_seconds_unlimited``, ``target_racks``, ``split``, ``positions``.
    """
    from tests.pattern_milp import solve_reference

    rng = np.random.default_rng(20_000_003 + seed)
    n_types = int(rng.integers(2, 4))
    racks = [_synthetic_rack(rng, f"rack{t}", float(np.round(rng.uniform(25, 60), 3)))
             for t in range(n_types)]
    servers: list[Server] = []
    workloads: list[dict[str, Any]] = []
    target = float(np.exp(rng.uniform(np.log(5), np.log(max_racks))))
    n_wl = int(rng.integers(3, 7))
    share = rng.dirichlet(np.ones(n_wl))
    for w in range(n_wl):
        allowed: list[str] = []
        if servers and rng.random() < 0.25:
            allowed.append(servers[int(rng.integers(len(servers)))].id)
        for _ in range(int(rng.integers(1, 3)) - len(allowed)):
            home = racks[int(rng.integers(n_types))]
            servers.append(_synthetic_server(rng, f"s{len(servers)}", home.power_kw))
            allowed.append(servers[-1].id)
        first = next(s for s in servers if s.id == allowed[0])
        per = float(np.mean([_per_rack(first, r) for r in racks]))
        n = max(1, int(round(share[w] * target * max(per, 1.0))))
        workloads.append({"name": f"w{w}", "gpus": 8 * n, "allowed": allowed,
                          "placement": "dedicated" if rng.random() < 0.3 else "shared"})
    catalog = Catalog(gpus=[_h200()], servers=servers, racks=racks)

    def scenario(positions: dict[str, int]) -> Scenario:
        return Scenario.model_validate({
            "name": f"tight-{seed}", "start": dt.date(2027, 1, 4), "objective": "capex",
            "site": {"it_power_kw": 100_000_000.0, "power_redundancy": "2N",
                     "rack_positions": [{"rack": r, "count": c} for r, c in positions.items()]},
            "workloads": workloads})

    for _attempt in range(4):
        ample = min(1_000_000, sum(wl["gpus"] // 8 for wl in workloads))
        ref = solve_reference(scenario({r.id: ample for r in racks}), catalog, "capex",
                              time_limit_s=300)
        if not ref.racks_by_type:
            raise RuntimeError(f"tight_site_scenario({seed}): no reference plan ({ref.status})")
        total = sum(ref.racks_by_type.values())
        if total <= max_racks:
            break
        scale = 0.9 * max_racks / total
        for wl in workloads:
            wl["gpus"] = 8 * max(1, int(wl["gpus"] // 8 * scale))
    split = "optimum" if rng.random() < 0.5 else "random"
    if split == "optimum":
        counts = [ref.racks_by_type.get(r.id, 0) for r in racks]
    else:
        counts = [int(c) for c in rng.multinomial(total, rng.dirichlet(np.ones(n_types)))]
    counts = [c + int(rng.integers(0, 2)) for c in counts]
    positions = {r.id: c for r, c in zip(racks, counts, strict=True) if c > 0}
    info = {"optimum_racks_unlimited": total, "optimum_value_unlimited": ref.value,
            "racks_by_type_unlimited": dict(ref.racks_by_type),
            "reference_status_unlimited": ref.status, "reference_seconds_unlimited": ref.seconds,
            "target_racks": target, "split": split, "positions": positions}
    return scenario(positions), catalog, info


def many_types_scenario(seed: int, *, types: int = 60) -> tuple[Scenario, Catalog]:
    """``types`` distinct server sizes (as in ``_synthetic_server``, for one 25-60 kW air rack
    type), one shared workload of 1-6 servers per size, ample positions, objective capex."""
    rng = np.random.default_rng(30_000_001 + seed)
    rack = _synthetic_rack(rng, "rack0", float(np.round(rng.uniform(25, 60), 3)))
    servers = [_synthetic_server(rng, f"s{i}", rack.power_kw) for i in range(types)]
    workloads: list[dict[str, Any]] = [
        {"name": f"w{i}", "gpus": 8 * int(rng.integers(1, 7)), "allowed": [s.id]}
        for i, s in enumerate(servers)]
    catalog = Catalog(gpus=[_h200()], servers=servers, racks=[rack])
    total = sum(w["gpus"] // 8 for w in workloads)
    scenario = Scenario.model_validate({
        "name": f"many-{seed}", "start": dt.date(2027, 1, 4), "objective": "capex",
        "site": {"it_power_kw": 100_000_000.0, "power_redundancy": "2N",
                 "rack_positions": [{"rack": rack.id, "count": total}]},
        "workloads": workloads})
    return scenario, catalog


MOST_LIMITS = ("positions", "power", "budget", "weight", "cooling", "tight", "liquid")
"""What :func:`random_most_scenario` sets up to bind, in turn by seed."""


def random_most_scenario(seed: int, *, grow: int = 1, base: Catalog | None = None
                         ) -> tuple[Scenario, Catalog, str]:
    """A small scenario for objective ``max_gpus`` or ``max_fp8_pflops`` (3 in 10), with
    ``grow`` workloads marked ``grow: true`` and 0-2 fixed ones, and the limit meant to bind
    (``MOST_LIMITS[seed % 7]``, also returned):

    - ``positions``: no IT envelope to speak of, no budget: rack positions bind;
    - ``power``: the IT envelope, 1-3x a rough estimate of the minimum demand's;
    - ``budget``: no envelope; a budget of 1-2.5x the cheapest servers for the minimum
      demand plus a few racks;
    - ``weight`` / ``cooling``: every rack type's ``max_load_kg`` (15-40%) or
      ``air_cooling_kw`` (25-60%) cut, no envelope or budget: positions bind through those;
    - ``tight``: the envelope 0.5-1.1x the rough estimate (the minimum is often infeasible);
    - ``liquid``: a liquid hall (1-3 ORv3 300 kW and 1-3 DLC 140 kW positions) with whole-rack
      systems and direct-liquid-cooled servers allowed, the envelope 150-1,500 kW.

    Rack types 2-3 of 1-4 positions each, 3-6 models per workload, 1-4 servers' minimum
    demand; a grow workload's minimum is sometimes dense FP8 PFLOPS instead of GPUs; a third
    of the sites reserve 80% of nameplate power (``power_allocation``)."""
    rng = np.random.default_rng(40_000_003 + seed)
    base = base or rackplan.load_catalog()
    limit = MOST_LIMITS[seed % len(MOST_LIMITS)]
    racks = base.racks
    if limit == "weight":
        racks = [r.model_copy(update={"max_load_kg": float(np.round(
            r.max_load_kg * rng.uniform(0.15, 0.4), 1))}) for r in racks]
    elif limit == "cooling":
        racks = [r.model_copy(update={"air_cooling_kw": float(np.round(
            r.air_cooling_kw * rng.uniform(0.25, 0.6), 2))}) for r in racks]
    fixed = int(rng.integers(0, 3 if grow == 1 else 2))
    n_wl = grow + fixed
    scenario, catalog = random_scenario(seed, workloads=(n_wl, n_wl), models=(3, 6),
                                        rack_types=(2, 3), servers=(1, 4), positions=(1, 4),
                                        base=Catalog(gpus=base.gpus, servers=base.servers,
                                                     racks=racks))
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["name"] = f"most-{seed}-{limit}"
    data["objective"] = "max_fp8_pflops" if rng.random() < 0.3 else "max_gpus"
    data.pop("budget_usd", None)
    site = data["site"]
    workloads = data["workloads"]
    if limit == "liquid":
        site["rack_positions"] = [{"rack": "orv3-dlc-300kw", "count": int(rng.integers(1, 4))},
                                  {"rack": "dlc-48u-140kw", "count": int(rng.integers(1, 4))}]
        site["power_redundancy"] = "2N"
        site["it_power_kw"] = float(np.round(rng.uniform(150, 1500), 1))
        liquid = ["gb200", "gb300", "b200", "b300", "rubin", "dell-xe9680l-b200"]
        for w in workloads:
            w["allowed"] = [str(a) for a in rng.choice(liquid, int(rng.integers(3, 7)),
                                                       replace=False)]
            w["gpus"] = int(rng.integers(1, 3)) * 72 if rng.random() < 0.3 else int(
                rng.integers(1, 5)) * 8
    for k in sorted(rng.choice(n_wl, grow, replace=False)):
        workloads[k]["grow"] = True
        if rng.random() < 0.2:
            workloads[k]["fp8_pflops"] = float(np.round(workloads[k].pop("gpus")
                                                        * rng.uniform(1.0, 3.0), 1))
    # rough minimum demand: the cheapest allowed model's servers, and their mean power
    rough_kw = rough_usd = 0.0
    for w in workloads:
        allowed = [s for s in catalog.servers if s.id in w["allowed"] or s.gpu in w["allowed"]]
        gpus = w.get("gpus") or w["fp8_pflops"] / 2.0
        rough_kw += float(np.mean([gpus * s.power_max_w / 1000 / s.gpu_count for s in allowed]))
        rough_usd += min(float(np.ceil(gpus / s.gpu_count)) * s.price_usd for s in allowed)
    if limit == "power":
        site["it_power_kw"] = float(np.round(rough_kw * rng.uniform(1.0, 3.0), 1))
    elif limit == "tight":
        site["it_power_kw"] = float(np.round(rough_kw * rng.uniform(0.5, 1.1), 1))
    elif limit != "liquid":
        site["it_power_kw"] = 100_000.0
    if limit == "budget":
        cheapest_rack = min(catalog.rack(p["rack"]).price_usd for p in site["rack_positions"])
        data["budget_usd"] = float(np.round((rough_usd + 2 * cheapest_rack)
                                            * rng.uniform(1.0, 2.5), -3))
    site["power_allocation"] = float(rng.choice([1.0, 1.0, 0.8]))
    return Scenario.model_validate(data), catalog, limit
