"""Fuzzing the loaders: whatever the document, load_catalog, load_scenario and
rackplan.plan raise nothing but RackplanError subclasses.

Three sources of documents: random nested YAML structures, random bytes and
text, and near-valid mutations of the bundled examples and catalog files (a
number scaled as a wrong unit would, a key deleted, renamed or given a hostile
value, a list item duplicated).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import event as _event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import rackplan
from rackplan.loading import bundled_catalog_files

EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").glob("*.yaml")
                  if not p.name.startswith("sweep-"))  # sweep files: tests/test_sweep.py
CATALOG_FILES = bundled_catalog_files()


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

HOSTILE: list[Any] = [None, True, False, "", "x", " ", "-1", 0, -1, 1, 0.5, -1e-300, 1e308,
                      math.nan, math.inf, -math.inf, 10**30, [], {}, [None], {"a": 1},
                      dt.date(2027, 1, 4), "2027-02-30", "h200-sxm", "air-48u-40kw", "2N", "é" * 300]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.dates(), st.sampled_from(["gpus", "servers", "racks", "site", "workloads", "h200-sxm"]),
)
keys = st.one_of(st.sampled_from(["gpus", "servers", "racks", "id", "name", "start", "site",
                                  "workloads", "rack_positions", "rack", "count", "it_power_kw",
                                  "catalogs", "power_max_w", "allowed"]), st.text(max_size=8))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=30)


def event(what: str) -> None:
    """Count an outcome in Hypothesis's statistics (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        _event(what)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def attempt(path: Path, *, plan: bool = True) -> None:
    """Load as a catalog and as a scenario (and plan it): only RackplanError may escape."""
    try:
        rackplan.load_catalog(path)
    except rackplan.RackplanError as exc:
        assert str(exc) and "\n" not in str(exc)
    try:
        scenario = rackplan.load_scenario(path)
    except rackplan.RackplanError as exc:
        assert str(exc) and "\n" not in str(exc)
        event(f"scenario rejected: {type(exc).__name__}")
        return
    if plan:
        try:
            rackplan.plan(scenario)
            event("planned")
        except rackplan.RackplanError as exc:
            assert str(exc) and "\n" not in str(exc)
            event(f"plan refused: {type(exc).__name__}")


@fuzz(200)
@given(doc=documents)
def test_random_structures(tmp_path, doc):
    attempt(write(tmp_path, "doc.yaml", doc))


@fuzz(100)
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_random_bytes_and_text(tmp_path, data):
    attempt(write(tmp_path, "raw.yaml", data))


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in a document (keys of mappings, indices of lists)."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += paths(v, (*prefix, i))
    return out


def _at(doc: Any, where: tuple[Any, ...]) -> Any:
    for part in where:
        doc = doc[part]
    return doc


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def mutate(doc: Any, draw: Any, *, numbers_only: bool = False) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(doc)[1:] if not numbers_only or _is_number(_at(doc, p))]
        if not places:
            break
        where = draw(st.sampled_from(places))
        parent = doc
        for part in where[:-1]:
            parent = parent[part]
        last = where[-1]
        value = parent[last]
        if _is_number(value) and (numbers_only or draw(st.booleans())):
            # near-valid: the same number scaled, as a typo or a wrong unit would
            factor = draw(st.sampled_from([0, -1, 0.001, 0.5, 2, 10, 1000, 10**6]))
            scaled = value * factor
            parent[last] = int(scaled) if isinstance(value, int) and float(scaled).is_integer() else scaled
            continue
        kind = draw(st.sampled_from(["delete", "replace", "replace", "rename", "duplicate", "wrap"]))
        if kind == "delete":
            del parent[last]
        elif kind == "replace":
            parent[last] = draw(st.sampled_from(HOSTILE) | scalars)
        elif kind == "rename" and isinstance(parent, dict):
            parent[f"{last}x"] = parent.pop(last)
        elif kind == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        else:
            parent[last] = [parent[last]]
    return doc


@fuzz(150)
@given(data=st.data(), example=st.sampled_from(EXAMPLES))
def test_mutated_examples(tmp_path, data, example):
    doc = yaml.safe_load(example.read_text())
    attempt(write(tmp_path, example.name, mutate(doc, data.draw)))


@fuzz(150)
@given(data=st.data(), example=st.sampled_from(EXAMPLES))
def test_examples_with_numbers_scaled(tmp_path, data, example):
    """Only numbers change (x0, x-1, x0.001 ... x10**6): most of these reach the planner."""
    doc = yaml.safe_load(example.read_text())
    attempt(write(tmp_path, example.name, mutate(doc, data.draw, numbers_only=True)))


@fuzz(100)
@given(data=st.data(), source=st.sampled_from(CATALOG_FILES))
def test_mutated_catalog_files(tmp_path, data, source):
    """A mutated copy of a bundled catalog file, merged over the bundled catalog, then used."""
    doc = mutate(yaml.safe_load(source.read_text()), data.draw)
    path = write(tmp_path, source.name, doc)
    try:
        catalog = rackplan.load_catalog(path)
    except rackplan.CatalogError as exc:
        assert exc.problems and str(exc)
        return
    scenario = rackplan.load_scenario(EXAMPLES[0])
    try:
        rackplan.plan(scenario, catalog)
    except rackplan.RackplanError as exc:
        assert str(exc)


def test_the_examples_themselves_load_and_plan():
    for example in EXAMPLES:
        rackplan.plan(rackplan.load_scenario(example))


@pytest.mark.parametrize("depth", [10, 63, 65, 1000])
def test_nesting_at_and_past_the_limit(tmp_path, depth):
    text = "site: " + "[" * depth + "]" * depth + "\n"
    attempt(write(tmp_path, "deep.yaml", text.encode()))
