"""Model validation: one test per rule, good and bad inputs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from rackplan.models import GPU, RackType, Scenario, Server, Site, Workload

GOOD_GPU = {"id": "h200-sxm", "vendor": "NVIDIA", "name": "H200 SXM", "memory_gb": 141,
            "tdp_w": 700, "bf16_tflops": 989, "fp8_tflops": 1979, "sources": ["all: test"]}
GOOD_SERVER = {"id": "dell-xe9680-h200", "vendor": "Dell", "model": "PowerEdge XE9680",
               "gpu": "h200-sxm", "gpu_count": 8, "scale_up_gpus": 8, "rack_scale": False,
               "u_height": 6, "power_idle_w": 2500, "power_max_w": 11000, "cooling": "air",
               "liquid_fraction": 0.0, "weight_kg": 107.75, "price_usd": 330000,
               "lead_time_weeks": 12, "origin": "MX", "sources": []}
GOOD_RACK = {"id": "air-48u-40kw", "u_height": 48, "power_kw": 40, "feeds": 2,
             "air_cooling_kw": 40, "liquid_cooling_kw": 0, "max_load_kg": 1500,
             "price_usd": 35000}
GOOD_SITE = {"it_power_kw": 12000, "pue": 1.25, "electricity_usd_per_kwh": 0.08,
             "power_redundancy": "2N", "power_allocation": 1.0, "install_racks_per_week": 20,
             "burn_in_weeks": 2, "tariffs": {"TW": 0.25},
             "rack_positions": [{"rack": "air-48u-40kw", "count": 120}]}
GOOD_WORKLOAD = {"name": "pretraining", "gpus": 8192, "allowed": ["h200-sxm"],
                 "min_gpu_memory_gb": 141, "min_scale_up_gpus": 8, "utilization": 0.8,
                 "placement": "shared"}
GOOD_SCENARIO = {"name": "s", "start": "2026-12-01", "objective": "tco", "horizon_years": 4,
                 "budget_usd": 4e8, "site": GOOD_SITE, "workloads": [GOOD_WORKLOAD]}


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is _DROP:
            out.pop(key)
        else:
            out[key] = value
    return out


_DROP = object()


@pytest.mark.parametrize(
    ("model", "data"),
    [(GPU, GOOD_GPU), (Server, GOOD_SERVER), (RackType, GOOD_RACK), (Site, GOOD_SITE),
     (Workload, GOOD_WORKLOAD), (Scenario, GOOD_SCENARIO)],
)
def test_good_input_is_accepted(model, data):
    assert model.model_validate(data).model_dump() is not None


BAD = [
    # (id, model, data, fragment of the error)
    ("unknown-key", GPU, changed(GOOD_GPU, tdp_watts=700), "extra"),
    ("id-not-kebab", GPU, changed(GOOD_GPU, id="H200_SXM"), "not a valid id"),
    ("id-double-hyphen", GPU, changed(GOOD_GPU, id="h200--sxm"), "not a valid id"),
    ("gpu-tdp-zero", GPU, changed(GOOD_GPU, tdp_w=0), "greater than 0"),
    ("gpu-memory-negative", GPU, changed(GOOD_GPU, memory_gb=-1), "greater than 0"),
    ("gpu-nan", GPU, changed(GOOD_GPU, bf16_tflops=float("nan")), "finite"),
    ("gpu-inf", GPU, changed(GOOD_GPU, fp8_tflops=float("inf")), "finite"),
    ("gpu-absurd", GPU, changed(GOOD_GPU, tdp_w=1e9), "less than or equal"),
    ("gpu-missing-name", GPU, changed(GOOD_GPU, name=_DROP), "missing"),
    ("gpu-string-number", GPU, changed(GOOD_GPU, tdp_w="lots"), "valid number"),
    ("server-idle-above-max", Server, changed(GOOD_SERVER, power_idle_w=12000),
     "idle power cannot exceed"),
    ("server-max-zero", Server, changed(GOOD_SERVER, power_max_w=0), "greater than 0"),
    ("server-weight-negative", Server, changed(GOOD_SERVER, weight_kg=-5), "greater than 0"),
    ("server-liquid-fraction-above-1", Server,
     changed(GOOD_SERVER, cooling="liquid", liquid_fraction=1.2), "less than or equal to 1"),
    ("server-liquid-fraction-negative", Server, changed(GOOD_SERVER, liquid_fraction=-0.1),
     "greater than or equal to 0"),
    ("server-air-with-liquid", Server, changed(GOOD_SERVER, liquid_fraction=0.5),
     "cooling is 'air'"),
    ("server-liquid-without-fraction", Server, changed(GOOD_SERVER, cooling="liquid"),
     "liquid_fraction is 0"),
    ("server-cooling-unknown", Server, changed(GOOD_SERVER, cooling="immersion"), "'air'"),
    ("server-gpu-count-zero", Server, changed(GOOD_SERVER, gpu_count=0), "greater than or equal to 1"),
    ("server-gpu-count-fraction", Server, changed(GOOD_SERVER, gpu_count=7.5), "integer"),
    ("server-scale-up-above-count", Server, changed(GOOD_SERVER, scale_up_gpus=16),
     "NVLink domain"),
    ("server-origin-lowercase", Server, changed(GOOD_SERVER, origin="mx"), "ISO 3166"),
    ("server-price-negative", Server, changed(GOOD_SERVER, price_usd=-1), "greater than or equal to 0"),
    ("server-u-zero", Server, changed(GOOD_SERVER, u_height=0), "greater than or equal to 1"),
    ("rack-power-zero", RackType, changed(GOOD_RACK, power_kw=0), "greater than 0"),
    ("rack-feeds-zero", RackType, changed(GOOD_RACK, feeds=0), "greater than or equal to 1"),
    ("rack-no-cooling", RackType, changed(GOOD_RACK, air_cooling_kw=0), "reject heat"),
    ("rack-load-zero", RackType, changed(GOOD_RACK, max_load_kg=0), "greater than 0"),
    ("site-pue-below-1", Site, changed(GOOD_SITE, pue=0.9), "greater than or equal to 1"),
    ("site-redundancy-unknown", Site, changed(GOOD_SITE, power_redundancy="3N"), "'N'"),
    ("site-allocation-zero", Site, changed(GOOD_SITE, power_allocation=0), "greater than 0"),
    ("site-allocation-above-1", Site, changed(GOOD_SITE, power_allocation=1.5),
     "less than or equal to 1"),
    ("site-no-positions", Site, changed(GOOD_SITE, rack_positions=[]), "at least 1"),
    ("site-position-count-zero", Site,
     changed(GOOD_SITE, rack_positions=[{"rack": "air-48u-40kw", "count": 0}]),
     "greater than or equal to 1"),
    ("site-rack-twice", Site,
     changed(GOOD_SITE, rack_positions=[{"rack": "air-48u-40kw", "count": 1}] * 2),
     "listed twice"),
    ("site-tariff-country", Site, changed(GOOD_SITE, tariffs={"Taiwan": 0.2}), "ISO 3166"),
    ("site-tariff-negative", Site, changed(GOOD_SITE, tariffs={"TW": -0.2}),
     "greater than or equal to 0"),
    ("site-install-rate-zero", Site, changed(GOOD_SITE, install_racks_per_week=0),
     "greater than 0"),
    ("workload-utilization-zero", Workload, changed(GOOD_WORKLOAD, utilization=0),
     "greater than 0"),
    ("workload-utilization-above-1", Workload, changed(GOOD_WORKLOAD, utilization=1.1),
     "less than or equal to 1"),
    ("workload-two-demands", Workload, changed(GOOD_WORKLOAD, fp8_pflops=100),
     "exactly one of"),
    ("workload-no-demand", Workload, changed(GOOD_WORKLOAD, gpus=_DROP), "exactly one of"),
    ("workload-placement-unknown", Workload, changed(GOOD_WORKLOAD, placement="exclusive"),
     "'shared'"),
    ("scenario-objective-unknown", Scenario, changed(GOOD_SCENARIO, objective="cheapest"),
     "'capex'"),
    ("scenario-bad-date", Scenario, changed(GOOD_SCENARIO, start="December"), "date"),
    ("scenario-no-workloads", Scenario, changed(GOOD_SCENARIO, workloads=[]), "at least 1"),
    ("scenario-duplicate-workload", Scenario,
     changed(GOOD_SCENARIO, workloads=[GOOD_WORKLOAD, GOOD_WORKLOAD]), "used twice"),
    ("scenario-budget-zero", Scenario, changed(GOOD_SCENARIO, budget_usd=0), "greater than 0"),
]


@pytest.mark.parametrize(("model", "data", "fragment"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_bad_input_is_rejected(model, data, fragment):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    assert fragment in str(info.value)


def test_models_are_frozen():
    gpu = GPU.model_validate(GOOD_GPU)
    with pytest.raises(ValidationError):
        gpu.tdp_w = 1  # type: ignore[misc]


def test_usable_power_follows_redundancy():
    rack = RackType.model_validate(GOOD_RACK)
    assert rack.usable_power_kw("N") == 80
    assert rack.usable_power_kw("2N") == 40


def test_scenario_defaults_are_documented_values():
    minimal = {"name": "m", "start": "2026-12-01",
               "site": {"it_power_kw": 100, "rack_positions": [{"rack": "a", "count": 1}]},
               "workloads": [{"name": "w", "gpus": 8}]}
    s = Scenario.model_validate(minimal)
    assert (s.objective, s.horizon_years, s.budget_usd) == ("tco", 4, None)
    assert (s.site.power_redundancy, s.site.power_allocation) == ("2N", 1.0)
    assert (s.workloads[0].utilization, s.workloads[0].placement) == (0.8, "shared")
