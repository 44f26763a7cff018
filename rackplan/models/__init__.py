"""Validated domain models (pydantic v2, unknown keys rejected, units in field names)."""

from .catalog import (
    GPU,
    SECTIONS,
    Appliance,
    Catalog,
    CatalogEntry,
    CatalogFile,
    NetworkPort,
    NetworkPorts,
    Optic,
    RackType,
    Server,
    Switch,
)
from .scenario import (
    FabricOptics,
    FabricSpec,
    Network,
    NetworkAppliance,
    RackPosition,
    Scenario,
    Site,
    Workload,
)

__all__ = [
    "GPU",
    "Appliance",
    "FabricOptics",
    "FabricSpec",
    "Network",
    "NetworkAppliance",
    "NetworkPort",
    "NetworkPorts",
    "Optic",
    "Switch",
    "SECTIONS",
    "Catalog",
    "CatalogEntry",
    "CatalogFile",
    "RackPosition",
    "RackType",
    "Scenario",
    "Server",
    "Site",
    "Workload",
]
