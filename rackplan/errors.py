"""Errors raised by rackplan.

The library raises only these (plus ``ValueError`` for wrong arguments to array
functions such as :func:`rackplan.pack_vectors`)::

    RackplanError                 base class; catch this to catch everything
    ├── InputError                a file or value given by the user is wrong
    │   ├── CatalogError          a catalog file: syntax, a field, a reference
    │   └── ScenarioError         a scenario file: syntax, a field, a reference
    └── InfeasibleError           well-formed input whose demand cannot be met (proven)
        └── SearchLimitError      the search stopped without a plan and without a proof

Every input error carries a list of :class:`Problem` records (file, entry,
field, message); ``str(error)`` is one line a person can act on, naming the
first problem and how many more there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str | None
    """Path of the file, as the user gave it (None for objects built in Python)."""
    entry: str | None
    """The entry: ``servers[dell-xe9680-h200]``, ``site``, ``workloads[pretraining]``."""
    field: str | None
    """Dotted field path inside the entry (``power_max_w``, ``rack_positions[1].count``)."""
    message: str
    """What is wrong, in words a user can act on."""

    def __str__(self) -> str:
        where = ": ".join(
            part
            for part in (self.file, _join_entry_field(self.entry, self.field))
            if part
        )
        return one_line(f"{where}: {self.message}" if where else self.message)


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``), so an
    error quoting a user's key or name stays on one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def _join_entry_field(entry: str | None, field_: str | None) -> str | None:
    if entry and field_:
        return f"{entry}.{field_}"
    return entry or field_


class RackplanError(Exception):
    """Base class of every error rackplan raises on purpose."""


class InputError(RackplanError):
    """Input from the user is wrong; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("an InputError needs at least one problem")
        self.problems = list(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        first = str(self.problems[0])
        more = len(self.problems) - 1
        if more:
            first += f" (and {more} more problem{'s' if more > 1 else ''})"
        return first

    @property
    def file(self) -> str | None:
        return self.problems[0].file

    @property
    def entry(self) -> str | None:
        return self.problems[0].entry

    @property
    def field(self) -> str | None:
        return self.problems[0].field


class CatalogError(InputError):
    """A catalog file or entry is invalid."""


class ScenarioError(InputError):
    """A scenario file is invalid or refers to something the catalog lacks."""


@dataclass
class Diagnosis:
    """Why a scenario cannot be planned: the binding limit and by how much."""

    reasons: list[str] = field(default_factory=list)
    """Human-readable sentences, most important first."""
    details: dict[str, Any] = field(default_factory=dict)
    """Machine-readable figures (limit names to numbers) for scripts."""
    proven: bool = True
    """True when every reason is proven (the scenario has no plan); False when the search
    stopped at its limits without finding a plan or proving there is none."""


class InfeasibleError(RackplanError):
    """The input is well formed but no plan meets every limit: ``diagnosis.proven`` is true and
    every reason in it is proven."""

    prefix = "infeasible"

    def __init__(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        text = "; ".join(diagnosis.reasons) or "no feasible plan"
        super().__init__(one_line(f"{self.prefix}: {text}"))


class SearchLimitError(InfeasibleError):
    """The search stopped at its work limit without a plan and without proving there is none
    (``diagnosis.proven`` is false). The scenario may well have a plan: relax a limit, narrow
    the models, or give the search more work."""

    prefix = "no plan found (search limit, not a proof of infeasibility)"

    def __init__(self, diagnosis: Diagnosis) -> None:
        if diagnosis.proven:
            diagnosis = Diagnosis(diagnosis.reasons, diagnosis.details, proven=False)
        super().__init__(diagnosis)
