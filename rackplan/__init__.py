"""rackplan: GPU cluster capacity and power planner.

Load a hardware catalog and a scenario, and (from later releases) plan racks::

    import rackplan
    catalog = rackplan.load_catalog()                  # bundled catalog
    scenario = rackplan.load_scenario("scenario.yaml") # validated, references checked

Every error raised on purpose derives from :class:`rackplan.RackplanError`.
"""

from ._version import __version__
from .errors import (
    CatalogError,
    Diagnosis,
    InfeasibleError,
    InputError,
    Problem,
    RackplanError,
    ScenarioError,
)
from .loading import bundled_catalog_dir, load_catalog, load_scenario
from .models import GPU, Catalog, RackPosition, RackType, Scenario, Server, Site, Workload
from .packing import PackResult, pack_vectors

__all__ = [
    "Catalog",
    "CatalogError",
    "Diagnosis",
    "GPU",
    "InfeasibleError",
    "InputError",
    "PackResult",
    "Problem",
    "RackPosition",
    "RackType",
    "RackplanError",
    "Scenario",
    "ScenarioError",
    "Server",
    "Site",
    "Workload",
    "__version__",
    "bundled_catalog_dir",
    "load_catalog",
    "load_scenario",
    "pack_vectors",
]
