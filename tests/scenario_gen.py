"""Random planning scenarios over the bundled catalog, for exactness tests and the benchmark.

Rack prices are scaled by a random factor per type (1x to 15x) so the rack
packing weighs in the objective as much as the server choice; site power
and budget are drawn around a rough estimate so some limits bind.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

import rackplan
from rackplan.models import Catalog, Scenario


def _fits(server, rack, redundancy: str) -> bool:  # type: ignore[no-untyped-def]
    kw = server.power_max_w / 1000
    usable = rack.power_kw * rack.feeds / (2 if redundancy == "2N" else 1)
    return (kw <= usable and kw * (1 - server.liquid_fraction) <= rack.air_cooling_kw
            and kw * server.liquid_fraction <= rack.liquid_cooling_kw
            and server.u_height <= rack.u_height and server.weight_kg <= rack.max_load_kg)


def random_scenario(seed: int, *, workloads: tuple[int, int] = (2, 4), models: tuple[int, int] = (3, 6),
                    rack_types: tuple[int, int] = (2, 3), servers: tuple[int, int] = (1, 10),
                    positions: tuple[int, int] = (1, 6), base: Catalog | None = None,
                    ) -> tuple[Scenario, Catalog]:
    """A scenario and its catalog; sizes are (low, high) inclusive ranges."""
    rng = np.random.default_rng(seed)
    base = base or rackplan.load_catalog()
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
