"""Dotted paths into a scenario: resolve them once against the base, apply values per point.

A path walks the scenario as written in its file: ``site.electricity_usd_per_kwh`` (a field),
``workloads.pretraining.gpus`` (a list entry by its ``name``), ``site.rack_positions.0.count``
(a list entry by index), ``site.tariffs.TW`` (a dict key, created when absent). Each step is
checked against the scenario models, so a misspelt field is found before anything is planned.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel

from ..models import Scenario

Key = str | int
"""One step of a resolved path: a dict key or field name, or a list index."""

FIXED = {"catalogs": "the catalog is resolved once, before the sweep runs; "
                     "vary the catalog's entries in a catalog file instead"}
"""Top-level fields a sweep cannot vary, and why."""


@dataclass(frozen=True)
class Target:
    """A path resolved against the base scenario."""

    path: str
    """As written in the sweep file."""
    keys: tuple[Key, ...]
    """The steps into the scenario's dict (workload names already turned into indexes)."""
    integer: bool
    """The field holds whole numbers (ranges and draws give integers)."""


def unwrap(annotation: Any) -> Any:
    """``annotation`` without ``Annotated`` metadata and ``| None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def resolve(raw: dict[str, Any], path: str) -> Target:
    """Resolve ``path`` against the base scenario ``raw`` (its dict as read from the file).

    Raises ``ValueError`` with a message saying which step is wrong and, for a misspelt field or
    workload name, the closest match.
    """
    parts = path.split(".")
    if any(not p.strip() for p in parts):
        raise ValueError("empty step in the path; write steps separated by single dots, "
                         "e.g. site.electricity_usd_per_kwh")
    if parts[0] in FIXED:
        raise ValueError(f"{parts[0]} cannot be varied: {FIXED[parts[0]]}")
    annotation: Any = Scenario
    node: Any = raw
    keys: list[Key] = []
    for i, part in enumerate(parts):
        where = ".".join(parts[:i])
        annotation = unwrap(annotation)
        model = _model(annotation)
        origin = typing.get_origin(annotation)
        if model is not None:
            if part not in model.model_fields:
                owner = where or "the scenario"
                close = difflib.get_close_matches(part, list(model.model_fields), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else \
                    f"; its fields: {', '.join(model.model_fields)}"
                raise ValueError(f"{owner} has no field {part!r}{hint}")
            keys.append(part)
            annotation = model.model_fields[part].annotation
            node = node.get(part) if isinstance(node, dict) else None
        elif origin is list:
            item = unwrap(typing.get_args(annotation)[0])
            index = _list_index(node, part, where, _model(item))
            keys.append(index)
            annotation = item
            node = node[index]
        elif origin is dict:
            key_type, annotation = typing.get_args(annotation)
            key: Key = part
            if unwrap(key_type) is int:
                try:
                    key = int(part)
                except ValueError:
                    raise ValueError(f"{where} is keyed by whole numbers (e.g. a fiscal year); "
                                     f"{part!r} is not one") from None
            keys.append(key)
            node = node.get(key) if isinstance(node, dict) else None
        else:
            raise ValueError(f"{where} is a single value, not a section; it has no {part!r}")
    return Target(path, tuple(keys), unwrap(annotation) is int)


def _list_index(node: Any, part: str, where: str, item: type[BaseModel] | None) -> int:
    """The index of the list entry ``part`` names: by ``name`` when the entries have one (a
    workload), else by position."""
    entries = node if isinstance(node, list) else []
    noun = item.__name__.lower() if item is not None else "entry"
    if item is not None and "name" in item.model_fields:
        names = [e.get("name") if isinstance(e, dict) else None for e in entries]
        if part in names:
            return names.index(part)
        if not part.isdigit():
            close = difflib.get_close_matches(part, [n for n in names if isinstance(n, str)], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else \
                f"; {where}: {', '.join(repr(n) for n in names) or 'none'}"
            raise ValueError(f"no {noun} named {part!r} in the base scenario{hint}")
    if not part.isdigit():
        raise ValueError(f"{where} is a list; address its entries by index (0, 1, ...), "
                         f"not {part!r}")
    index = int(part)
    if index >= len(entries):
        raise ValueError(f"{where} has {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} in "
                         f"the base scenario; there is no index {index}")
    return index


def overlap(a: Target, b: Target) -> bool:
    """Whether two paths set the same field, or one sets a section holding the other."""
    n = min(len(a.keys), len(b.keys))
    return a.keys[:n] == b.keys[:n]


def apply(base: dict[str, Any], keys: Sequence[tuple[Key, ...]], values: Sequence[Any]) -> dict[str, Any]:
    """``base`` with each ``values[i]`` set at ``keys[i]``; ``base`` itself is left untouched.

    Only the containers on the way to a changed value are copied (sections absent from the base
    are created); everything else is shared with ``base``, which validation never changes.
    """
    root = dict(base)
    fresh = {id(root)}
    for path, value in zip(keys, values, strict=True):
        node: Any = root
        for key in path[:-1]:
            child = node.get(key) if isinstance(node, dict) else node[key]
            if id(child) not in fresh:
                child = {} if child is None else child.copy()
                fresh.add(id(child))
                node[key] = child
            node = child
        node[path[-1]] = value
    return root


def get(scenario: BaseModel, keys: Sequence[Key]) -> Any:
    """The value at ``keys`` in a validated scenario (defaults filled in), or None."""
    node: Any = scenario
    for key in keys:
        if node is None:
            return None
        if isinstance(node, BaseModel):
            node = getattr(node, str(key))
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            node = node[int(key)]
    return node
