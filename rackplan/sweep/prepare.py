"""From a sweep spec to its points, on the client: the base scenario and its catalog loaded once,
every path resolved and every entry's values checked against the base, the points listed in
spec order. Nothing here plans; :mod:`.runner` does, anywhere."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from .._yaml import read_yaml
from ..errors import Problem, ScenarioError
from ..loading import catalog_for, check_scenario_references, load_catalog, load_scenario
from ..models import Catalog, Scenario
from .paths import Target, apply, get, overlap, resolve
from .rows import FIXED_COLUMNS, validation_text
from .spec import MAX_POINTS, Range, Sensitivity, SweepSpec, Uniform, load_sweep

SIGNIFICANT = 12
"""Range steps and sensitivity values are rounded to this many significant digits, so 0.05 to
0.12 in 3 steps gives 0.085, not 0.08499999999999999."""


@dataclass(frozen=True)
class SensitivityCase:
    """One varied path in sensitivity mode: its base value and the two it is planned at."""

    path: str
    base: float
    low: float
    high: float


@dataclass(frozen=True)
class PreparedSweep:
    """A sweep ready to run: what :func:`rackplan.sweep.sweep` sends to the workers."""

    spec: SweepSpec
    file: str | None
    """The sweep file as given (None for a spec built in Python)."""
    base_file: str
    """The base scenario file, as errors name it."""
    raw: dict[str, Any]
    """The base scenario as read from its file, with the spec's ``objective`` applied."""
    scenario: Scenario
    """The validated base scenario."""
    catalog: Catalog
    """Bundled catalog plus the base scenario's ``catalogs:``."""
    targets: tuple[Target, ...]
    """The ``vary`` paths, resolved, in order."""
    points: list[tuple[Any, ...]]
    """Each point's values, in ``vary`` order; the index is the row's ``point``."""
    sensitivity: tuple[SensitivityCase, ...] | None
    """Sensitivity mode: point 0 is the base, points ``2i+1`` and ``2i+2`` move path ``i``
    down and up."""

    @property
    def paths(self) -> tuple[str, ...]:
        """The varied paths, in ``vary`` order."""
        return tuple(t.path for t in self.targets)

    @property
    def objective(self) -> str:
        """The objective every point is planned for (the base's, or the spec's override)."""
        return self.scenario.objective


def prepare(spec: str | Path | SweepSpec, *, sensitivity: float | None = None,
            catalog_files: Sequence[str | Path] = ()) -> PreparedSweep:
    """Load the base scenario and catalog, check every ``vary`` entry and list the points.

    ``spec`` is a sweep file or a :class:`SweepSpec`; ``sensitivity`` (percent) turns on
    sensitivity mode as the spec's ``sensitivity: {percent: X}`` does; ``catalog_files`` are
    merged over the bundled catalog after the base scenario's ``catalogs:``. Raises
    :class:`~rackplan.ScenarioError` (``<file>: vary.<path>: <message>``) for a path that does
    not exist, a value the scenario refuses, or a combination of keys that makes no sense.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_sweep(spec)
    if sensitivity is not None:
        spec = spec.model_copy(update={"sensitivity": Sensitivity(percent=sensitivity)})
    file = spec.file

    def fail(path: str | None, message: str) -> ScenarioError:
        return ScenarioError([Problem(file, "vary" if path else None, path or "base", message)])

    base_path = spec.base_path
    if not base_path.exists():
        raise fail(None, f"{spec.base!r} not found (looked for {base_path}; the path is relative "
                         "to the sweep file)")
    base_file = _display(base_path)
    loaded = load_scenario(base_file)
    if catalog_files:
        catalog = load_catalog(*loaded.catalog_paths(), *catalog_files)
        check_scenario_references(loaded, catalog, base_file)
    else:
        catalog = catalog_for(loaded)
    raw = read_yaml(base_file, ScenarioError)
    if spec.objective is not None:
        raw = {**raw, "objective": spec.objective}
    scenario = Scenario.model_validate(raw)
    scenario.set_base_dir(Path(base_file).resolve().parent)
    scenario.set_source_file(base_file)
    scenario.cache_catalog(catalog)

    targets: list[Target] = []
    for path in spec.vary:
        if path in ("point", *FIXED_COLUMNS):
            raise fail(path, f"{path!r} is also the name of a row column; it cannot be varied")
        try:
            target = resolve(raw, path)
        except ValueError as exc:
            raise fail(path, str(exc)) from None
        for other in targets:
            if overlap(target, other):
                raise fail(path, f"sets the same part of the scenario as vary.{other.path}; "
                                 "vary each field once")
        targets.append(target)

    varied = set(spec.vary)
    if (scenario.objective in ("max_gpus", "max_fp8_pflops") and "objective" not in varied
            and not any(w.grow for w in scenario.workloads)
            and not any(p.endswith(".grow") for p in varied)):
        # every point would fail alike: bad input, said once
        raise ScenarioError([Problem(file, None, "objective",
                                     f"objective {scenario.objective} needs a workload with "
                                     f"grow: true, and {base_file} has none")])

    if spec.sensitivity is not None:
        cases = tuple(_sensitivity_case(scenario, t, spec.sensitivity.percent, fail)
                      for t in targets)
        base_point = tuple(c.base for c in cases)
        points = [base_point]
        for i, case in enumerate(cases):
            for value in (case.low, case.high):
                points.append(base_point[:i] + (value,) + base_point[i + 1:])
        return PreparedSweep(spec, file, base_file, raw, scenario, catalog, tuple(targets),
                             points, cases)

    axes: list[tuple[Any, ...] | tuple[float, float]] = []
    for target in targets:
        values = spec.vary[target.path]
        if values is None:
            raise fail(target.path, "no values; null is only for sensitivity mode (list the "
                                    "values, or give a range or uniform)")
        if isinstance(values, Range):
            steps = _steps(values, target.integer, lambda m, p=target.path: fail(p, m))
            extremes: tuple[Any, ...] = (steps[0], steps[-1])
            axes.append(steps)
        elif isinstance(values, Uniform):
            if spec.samples is None:
                raise fail(target.path, "uniform draws random values, so it needs samples: N; "
                                        "use a list or {range: [first, last], steps: N} for a grid")
            low, high = values.uniform
            if target.integer and not (float(low).is_integer() and float(high).is_integer()):
                raise fail(target.path, f"the field takes whole numbers; uniform: [{low}, {high}] "
                                        "has a fractional end")
            extremes = (int(low), int(high)) if target.integer else (low, high)
            axes.append(extremes)
        else:
            extremes = tuple(values)
            axes.append(tuple(values))
        seen: set[str] = set()
        for value in extremes:
            key = repr(value)
            if key not in seen:
                seen.add(key)
                _check_value(raw, catalog, target, value, fail)

    kinds = [spec.vary[t.path] for t in targets]
    if spec.samples is not None:
        points = _draw(spec.samples, spec.seed, kinds, axes, targets)
    else:
        count = math.prod(len(a) for a in axes)
        if count > MAX_POINTS:
            raise ScenarioError([Problem(file, None, "vary",
                                         f"the grid has {count:,} points; the most is "
                                         f"{MAX_POINTS:,} (use samples: N for a random subset)")])
        points = list(itertools.product(*axes))
    return PreparedSweep(spec, file, base_file, raw, scenario, catalog, tuple(targets), points,
                         None)


def _display(path: Path) -> str:
    """``path`` relative to the working folder when it is below it, else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return str(path) if rel.startswith("..") else rel


def nice(value: float) -> float:
    """``value`` rounded to :data:`SIGNIFICANT` significant digits."""
    return float(f"{value:.{SIGNIFICANT}g}")


def _steps(r: Range, integer: bool, fail: Any) -> tuple[Any, ...]:
    first, last = r.range
    n = r.steps
    if integer:
        if not (float(first).is_integer() and float(last).is_integer()):
            raise fail(f"the field takes whole numbers; range [{first}, {last}] has a fractional end")
        a, b = int(first), int(last)
        # a + (b - a) * i / (n - 1) rounded half up, in integers
        values = tuple(a + (2 * (b - a) * i + (n - 1)) // (2 * (n - 1)) for i in range(n))
        if len(set(values)) < n:
            raise fail(f"{n} steps from {a} to {b} repeat whole numbers; use at most "
                       f"{abs(b - a) + 1} steps")
        return values
    inner = [nice(first + (last - first) * i / (n - 1)) for i in range(1, n - 1)]
    return (float(first), *inner, float(last))


def _check_value(raw: dict[str, Any], catalog: Catalog, target: Target, value: Any,
                 fail: Any) -> None:
    """The base scenario with ``value`` at ``target`` must validate and name known ids."""
    data = apply(raw, [target.keys], [value])
    try:
        scenario = Scenario.model_validate(data)
        check_scenario_references(scenario, catalog, None)
    except ValidationError as exc:
        raise fail(target.path, validation_text(exc, target.keys, value)) from None
    except ScenarioError as exc:
        problem = exc.problems[0]
        where = ".".join(p for p in (problem.entry, problem.field) if p)
        raise fail(target.path, f"with {value!r}: {where + ': ' if where else ''}{problem.message}"
                   ) from None


def _draw(samples: int, seed: int, kinds: list[Any], axes: list[Any],
          targets: list[Target]) -> list[tuple[Any, ...]]:
    """``samples`` random points: path by path, in ``vary`` order, ``samples`` draws each from
    ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    cols: list[list[Any]] = []
    for kind, axis, target in zip(kinds, axes, targets, strict=True):
        if isinstance(kind, Uniform):
            low, high = axis
            if target.integer:
                cols.append(rng.integers(low, high, size=samples, endpoint=True).tolist())
            else:
                cols.append(rng.uniform(low, high, size=samples).tolist())
        else:
            picks = rng.integers(0, len(axis), size=samples).tolist()
            cols.append([axis[i] for i in picks])
    return list(zip(*cols, strict=True))


def _sensitivity_case(scenario: Scenario, target: Target, percent: float,
                      fail: Any) -> SensitivityCase:
    value = get(scenario, target.keys)
    if value is None:
        raise fail(target.path, "sensitivity moves the base value, and the base scenario leaves "
                                "this unset; set it there")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(target.path, f"sensitivity needs a number; the base value is {value!r}")
    share = percent / 100
    if target.integer:
        return SensitivityCase(target.path, value, round(value * (1 - share)),
                               round(value * (1 + share)))
    return SensitivityCase(target.path, value, nice(value * (1 - share)), nice(value * (1 + share)))
