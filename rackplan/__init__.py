"""rackplan: GPU cluster capacity and power planner.

Load a hardware catalog and a scenario, and plan racks::

    import rackplan
    catalog = rackplan.load_catalog()                  # bundled catalog
    scenario = rackplan.load_scenario("scenario.yaml") # validated, references checked
    result = rackplan.plan(scenario)                   # -> rackplan.Plan
    print(result.totals.tco_usd, result.schedule.ready_date)

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
    SearchLimitError,
)
from .loading import bundled_catalog_dir, load_catalog, load_plan, load_scenario
from .models import GPU, Catalog, RackPosition, RackType, Scenario, Server, Site, Workload
from .models.result import Plan
from .packing import PackResult, pack_vectors
from .planning import plan
from .sweep import SweepRow, sweep

__all__ = [
    "Catalog",
    "CatalogError",
    "Diagnosis",
    "GPU",
    "InfeasibleError",
    "InputError",
    "PackResult",
    "Plan",
    "Problem",
    "RackPosition",
    "RackType",
    "RackplanError",
    "Scenario",
    "ScenarioError",
    "SearchLimitError",
    "Server",
    "Site",
    "SweepRow",
    "Workload",
    "__version__",
    "bundled_catalog_dir",
    "load_catalog",
    "load_plan",
    "load_scenario",
    "pack_vectors",
    "plan",
    "sweep",
]
