"""Sweeps: one base scenario planned at many points, one row per point.

::

    import rackplan
    from rackplan.sweep import pareto, prepare, tornado, write_rows

    rows = rackplan.sweep("examples/sweep-neocloud.yaml")           # local worker processes
    rows = rackplan.sweep("sweep.yaml", workers=1)                  # in this process
    rows = rackplan.sweep("sweep.yaml", scheduler="tcp://10.0.0.5:8786")   # a Dask cluster
    front = pareto(rows, "capex_usd:min,ready_date:min")

The modules, in the order a sweep uses them:

- :mod:`.spec`: the sweep file (:class:`SweepSpec`, :func:`load_sweep`);
- :mod:`.paths`: dotted paths resolved against the base scenario, values applied per point;
- :mod:`.prepare`: base scenario and catalog loaded once, every entry checked, the points listed
  (:func:`prepare`, :class:`PreparedSweep`);
- :mod:`.runner`: the points planned in this process, local processes or on Dask
  (:func:`sweep`; the task every executor runs is :func:`run_chunk`);
- :mod:`.rows`: :class:`SweepRow`;
- :mod:`.output`: rows to CSV, JSON and Parquet and back (:func:`write_rows`, :func:`read_rows`);
- :mod:`.analysis`: :func:`pareto` and the sensitivity :func:`tornado`.
"""

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below load on first use (see __getattr__)
    from .analysis import FIGURE, TornadoRow, pareto, parse_pareto, tornado, tornado_table
    from .output import FORMATS, format_for, read_rows, rows_table, rows_text, write_rows
    from .prepare import PreparedSweep, SensitivityCase, prepare
    from .rows import FIXED_COLUMNS, NUMERIC_COLUMNS, SweepRow, columns
    from .runner import Payload, row_mismatch, run_chunk, run_point, sweep, value_key
    from .spec import Range, Sensitivity, SweepSpec, Uniform, load_sweep

_FROM = {
    "analysis": ["FIGURE", "TornadoRow", "pareto", "parse_pareto", "tornado", "tornado_table"],
    "output": ["FORMATS", "format_for", "read_rows", "rows_table", "rows_text", "write_rows"],
    "prepare": ["PreparedSweep", "SensitivityCase", "prepare"],
    "rows": ["FIXED_COLUMNS", "NUMERIC_COLUMNS", "SweepRow", "columns"],
    "runner": ["Payload", "row_mismatch", "run_chunk", "run_point", "sweep", "value_key"],
    "spec": ["Range", "Sensitivity", "SweepSpec", "Uniform", "load_sweep"],
}
_LAZY = {name: module for module, names in _FROM.items() for name in names}
"""Each public name and the module it comes from: ``import rackplan`` imports this package
(the function ``rackplan.sweep`` shares its name) without loading the planner."""


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """This package, where the function ``prepare`` keeps its name although a submodule has it
    too: importing the submodule sets the package's attribute to the function, not the module
    (as the package's eager imports did before they became lazy)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FROM and isinstance(value, types.ModuleType) and name in _FROM[name]:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "FIGURE",
    "FIXED_COLUMNS",
    "FORMATS",
    "NUMERIC_COLUMNS",
    "Payload",
    "PreparedSweep",
    "Range",
    "Sensitivity",
    "SensitivityCase",
    "SweepRow",
    "SweepSpec",
    "TornadoRow",
    "Uniform",
    "columns",
    "format_for",
    "load_sweep",
    "parse_pareto",
    "pareto",
    "prepare",
    "read_rows",
    "row_mismatch",
    "rows_table",
    "rows_text",
    "run_chunk",
    "run_point",
    "sweep",
    "tornado",
    "tornado_table",
    "value_key",
    "write_rows",
]
