"""The sweep file: a base scenario, the values to vary, and how to combine them.

::

    base: neocloud.yaml             # relative to the sweep file
    vary:                           # dotted paths into the scenario; workloads by name
      site.electricity_usd_per_kwh: [0.05, 0.08, 0.12]
      budget_usd: {range: [200000000, 500000000], steps: 4}
      site.tariffs.TW: {uniform: [0.0, 0.5]}
    samples: 1000                   # random points (seeded) instead of the full grid
    seed: 1

:func:`load_sweep` reads and validates the file's shape; what the paths and values mean for
the base scenario is checked by :func:`rackplan.sweep.prepare`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    Tag,
    ValidationError,
    model_validator,
)

from .._yaml import read_yaml
from ..errors import Problem, ScenarioError
from ..loading import error_message

_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                     allow_inf_nan=False)

MAX_POINTS = 1_000_000
"""Most points one sweep may have (grid or samples)."""

Number = StrictInt | StrictFloat


class Range(BaseModel):
    """``{range: [first, last], steps: N}``: N evenly spaced values, both ends included."""

    model_config = _CONFIG

    range: tuple[Number, Number]
    """First and last value (the first may be the larger)."""
    steps: StrictInt = Field(ge=2, le=MAX_POINTS)
    """How many values, ends included."""


class Uniform(BaseModel):
    """``{uniform: [low, high]}``: drawn uniformly between the two (needs ``samples``)."""

    model_config = _CONFIG

    uniform: tuple[Number, Number]
    """Lowest and highest value."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        low, high = self.uniform
        if low > high:
            raise ValueError(f"uniform: low {low} is above high {high}")
        return self


class Sensitivity(BaseModel):
    """``{percent: X}``: plan the base with each varied value at -X% and +X%, one at a time."""

    model_config = _CONFIG

    percent: StrictFloat = Field(gt=0, le=100)
    """How far each value moves from the base, in percent."""


VALUES_HELP = "expected a list of values, {range: [first, last], steps: N} or {uniform: [low, high]}"


def _values_kind(value: Any) -> str | None:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, Uniform):
        return "uniform"
    if isinstance(value, dict):
        if "range" in value:
            return "range"
        if "uniform" in value:
            return "uniform"
    return None


Values = Annotated[
    Union[  # noqa: UP007 (the tagged members need Annotated, which the | syntax does not take)
        Annotated[list[Any], Field(min_length=1, max_length=MAX_POINTS), Tag("list")],
        Annotated[Range, Tag("range")],
        Annotated[Uniform, Tag("uniform")],
        Annotated[None, Tag("none")],
    ],
    Discriminator(_values_kind, custom_error_type="vary_values", custom_error_message=VALUES_HELP),
]
"""What one ``vary`` entry holds: a list, a range, a uniform interval, or null (sensitivity
only: the value comes from the base scenario)."""

Objective = Literal["capex", "tco", "time", "max_gpus", "max_fp8_pflops"]


class SweepSpec(BaseModel):
    """A sweep: one base scenario planned once per point (a combination of varied values)."""

    model_config = _CONFIG

    base: str = Field(min_length=1)
    """The base scenario file, relative to the sweep file (to the working folder for a spec
    built in Python)."""
    vary: dict[str, Values] = Field(min_length=1, max_length=1000)
    """Dotted path into the scenario -> its values. Grid order: the cartesian product in the
    order written, the last path varying fastest."""
    samples: StrictInt | None = Field(default=None, ge=1, le=MAX_POINTS)
    """Draw this many random points instead of the full grid."""
    seed: StrictInt = Field(default=0, ge=0, le=2**63 - 1)
    """Seed of ``numpy.random.default_rng`` for ``samples``: the same file gives the same points."""
    objective: Objective | None = None
    """*(added)* Overrides the base scenario's objective."""
    sensitivity: Sensitivity | None = None
    """*(added)* Sensitivity mode: ignore the listed values (and ``samples``), plan the base with
    each varied value at -X% and +X% of its base value."""

    _file: str | None = PrivateAttr(default=None)
    _base_dir: Path | None = PrivateAttr(default=None)

    @property
    def file(self) -> str | None:
        """The sweep file, as the user gave it (None for a spec built in Python)."""
        return self._file

    @property
    def base_path(self) -> Path:
        """The base scenario file: ``base`` resolved against the sweep file's folder."""
        return (self._base_dir or Path.cwd()) / self.base

    def located(self, file: str | Path) -> SweepSpec:
        """This spec as if read from ``file`` (``base`` is then relative to its folder)."""
        copy = self.model_copy()
        copy._file = str(file)
        copy._base_dir = Path(file).resolve().parent
        return copy


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file's shape; raise :class:`~rackplan.ScenarioError` naming the
    file, the key and what is wrong."""
    name = str(path)
    raw = read_yaml(path, ScenarioError)
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(name, None, None,
                                     "expected a mapping (base, vary, samples, seed, ...), "
                                     f"got {type(raw).__name__}")])
    bad = [k for k in raw.get("vary") or {} if not isinstance(k, str)] \
        if isinstance(raw.get("vary"), dict) else []
    if bad:
        raise ScenarioError([Problem(name, "vary", str(bad[0]),
                                     "a path must be a string such as site.pue")])
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(spec_problems(exc, name)) from None
    return spec.located(path)


def spec_problems(exc: ValidationError, file: str | None) -> list[Problem]:
    """Validation errors of a sweep file as problems: ``vary.<path>: message`` for an entry."""
    problems = []
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    for err in errors:
        loc = tuple(err["loc"])
        if loc[:1] == ("vary",) and len(loc) >= 2:
            rest = loc[2:]
            if rest and rest[0] in ("list", "range", "uniform", "none"):
                rest = rest[1:]  # the union member's tag
            model: type[BaseModel] | None = (Range if "range" in loc[2:3] else
                                             Uniform if "uniform" in loc[2:3] else None)
            where = ".".join(str(p) for p in rest)
            message = error_message(err, model)
            problems.append(Problem(file, "vary", str(loc[1]),
                                    f"{where}: {message}" if where else message))
        else:
            model = Sensitivity if loc[:1] == ("sensitivity",) and len(loc) > 1 else SweepSpec
            problems.append(Problem(file, None, ".".join(map(str, loc)) or None,
                                    error_message(err, model)))
    return problems
