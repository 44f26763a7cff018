"""Validated domain models (pydantic v2, unknown keys rejected, units in field names)."""

from .catalog import GPU, SECTIONS, Catalog, CatalogEntry, CatalogFile, RackType, Server
from .scenario import RackPosition, Scenario, Site, Workload

__all__ = [
    "GPU",
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
