"""rackplan: GPU cluster capacity and power planner.

Load a hardware catalog and a scenario, and plan racks::

    import rackplan
    catalog = rackplan.load_catalog()                  # bundled catalog
    scenario = rackplan.load_scenario("scenario.yaml") # validated, references checked
    result = rackplan.plan(scenario)                   # -> rackplan.Plan
    print(result.totals.tco_usd, result.schedule.ready_date)

Every error raised on purpose derives from :class:`rackplan.RackplanError`.
"""

# Nothing is imported when the package loads: the console script imports it before it can
# take Ctrl-C (rackplan._entry), and ``import rackplan`` should not pay for pydantic, NumPy and
# Numba until they are needed. Every name below loads on first use (see __getattr__).
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any

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
    from .planning import plan, replay
    from .sweep import SweepRow
    from .sweep.runner import sweep

_LAZY = {
    "__version__": "_version",
    "CatalogError": "errors", "Diagnosis": "errors", "InfeasibleError": "errors",
    "InputError": "errors", "Problem": "errors", "RackplanError": "errors",
    "ScenarioError": "errors", "SearchLimitError": "errors",
    "bundled_catalog_dir": "loading", "load_catalog": "loading", "load_plan": "loading",
    "load_scenario": "loading",
    "GPU": "models", "Catalog": "models", "RackPosition": "models", "RackType": "models",
    "Scenario": "models", "Server": "models", "Site": "models", "Workload": "models",
    "Plan": "models.result",
    "PackResult": "packing", "pack_vectors": "packing",
    "plan": "planning", "replay": "planning",
    "SweepRow": "sweep",
}
"""Public names and the module each comes from. They load on first use, so ``import rackplan``
(and ``rackplan --version``) does not pay for pydantic, NumPy and Numba until they are needed."""

_SUBMODULES = {"cli", "errors", "export", "kernels", "loading", "models", "network", "packing",
               "planning", "render", "sweep", "tolerance"}


def __getattr__(name: str) -> "Any":
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


if not TYPE_CHECKING:
    def sweep(spec, **kwargs):
        """Plan a sweep file's base scenario at every point: see
        :func:`rackplan.sweep.runner.sweep` (same arguments; the planner loads on the first
        call)."""
        from .sweep.runner import sweep as run

        return run(spec, **kwargs)


class _Package(type(sys)):  # type: ignore[misc]
    """This package, where ``sweep`` stays the function although the subpackage rackplan.sweep
    has its name: importing the subpackage (on first use) sets the package's attribute to it,
    and that is refused here (the subpackage is ``sys.modules["rackplan.sweep"]``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "sweep" and isinstance(value, type(sys)):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
    "replay",
    "sweep",
]
