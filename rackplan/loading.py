"""Loading catalogs and scenarios from YAML, with errors that name file, entry and field.

The bundled catalog is read from ``rackplan/catalogs/`` inside an installed
wheel, or from the repository's top-level ``catalogs/`` in a source checkout.
User catalog files are merged over it: an entry whose id already exists
overrides the fields it gives (a file holding only ``{id, price_usd}`` reprices
a bundled server); an entry with a new id is added.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import _catalog_cache
from ._yaml import read_input, read_yaml
from .errors import CatalogError, InputError, Problem, ScenarioError
from .models import SECTIONS, Catalog, RackPosition, Scenario, Site, Workload
from .models.catalog import FABRICS, GPU, Appliance, Optic, RackType, Server, Switch
from .models.result import Plan
from .models.scenario import FabricOptics, FabricSpec, Network, NetworkAppliance

_PACKAGE_DIR = Path(__file__).resolve().parent

_SINGULAR = {"gpus": "GPU", "servers": "server", "racks": "rack type", "switches": "switch",
             "optics": "optic", "appliances": "appliance"}
"""One entry of each catalog section, for messages."""


def bundled_catalog_dir() -> Path:
    """Folder holding the bundled catalog YAML files."""
    for candidate in (_PACKAGE_DIR / "catalogs", _PACKAGE_DIR.parent / "catalogs"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    raise CatalogError(
        [Problem(str(_PACKAGE_DIR / "catalogs"), None, None,
                 "bundled catalog not found; the installation is incomplete")]
    )


def bundled_catalog_files() -> list[Path]:
    """The bundled catalog files, in load order."""
    return sorted(bundled_catalog_dir().glob("*.yaml"))


# --------------------------------------------------------------------------- did you mean

LIST_KNOWN_UP_TO = 12
"""A 'did you mean' hint lists every known id when there are at most this many."""

_CLOSE_RATIO = 0.6
"""Least difflib similarity for a spelling to count as close."""
_CLOSE_MARGIN = 0.1
"""Close spellings are kept only within this much similarity of the closest one."""
_MIN_FRAGMENT = 3
"""A word this long or longer also finds the ids that contain it."""


def suggest(word: str, known: Iterable[str], limit: int = 5) -> list[str]:
    """The entries of ``known`` that ``word`` probably meant, best first, at most ``limit``.

    Compared without case: the same id in other case first, then the ids that start with
    ``word`` (``h200`` finds ``h200-sxm`` before the close spelling ``b200``), then close
    spellings (difflib, within a margin of the closest), then the ids that contain it (so
    ``h100`` also finds ``dell-xe9680-h100`` and ``nvidia-dgx-h100``).
    """
    folded: dict[str, str] = {}
    for entry in known:
        folded.setdefault(entry.casefold(), entry)
    w = word.strip().casefold()
    if not w or limit <= 0 or not folded:
        return []
    found: list[str] = [w] if w in folded else []
    if len(w) >= _MIN_FRAGMENT:  # the closest of them first
        found += sorted((key for key in folded if key.startswith(w)),
                        key=lambda k: (-difflib.SequenceMatcher(None, w, k).ratio(), k))
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(w)
    scored = []
    for key in folded:
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() >= _CLOSE_RATIO and matcher.quick_ratio() >= _CLOSE_RATIO:
            ratio = matcher.ratio()
            if ratio >= _CLOSE_RATIO:
                scored.append((-ratio, key))
    scored.sort()
    if scored:
        best = -scored[0][0]
        found += [key for r, key in scored if -r >= best - _CLOSE_MARGIN]
    if len(w) >= _MIN_FRAGMENT:
        found += sorted(key for key in folded if w in key)
    return [folded[key] for key in dict.fromkeys(found)][:limit]


def did_you_mean(word: str, known: Sequence[str], limit: int = 5,
                 list_up_to: int = LIST_KNOWN_UP_TO) -> str:
    """A hint to append to "unknown ... 'word'": ``"; did you mean 'a' or 'b'?"``, followed
    by ``" (known: ...)"`` when ``known`` has at most ``list_up_to`` entries; with nothing
    close, ``"; known: ..."`` for a short list and ``""`` for a long one."""
    close = suggest(word, known, limit)
    listed = ", ".join(known) if len(known) <= list_up_to else ""
    if close:
        return f"; did you mean {_either(close)}?" + (f" (known: {listed})" if listed else "")
    if not known:
        return "; known: none"
    return f"; known: {listed}" if listed else ""


def _either(words: Sequence[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    quoted = [repr(w) for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# --------------------------------------------------------------------------- errors


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (key)"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_message(err: Mapping[str, Any], model: type[BaseModel] | None) -> str:
    """One pydantic validation error as a short message; ``model`` owns the field, for a
    'did you mean' hint on an unknown key (None: no hint)."""
    kind = err["type"]
    msg = str(err["msg"])
    if kind == "extra_forbidden":
        if model is None:
            return "unknown field"
        name = str(err["loc"][-1]) if err["loc"] else ""
        hint = did_you_mean(name, list(model.model_fields), limit=3, list_up_to=0)
        return "unknown field" + (hint or f"; allowed fields: {', '.join(model.model_fields)}")
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error" and isinstance(err.get("input"), str):
        # the choices are listed already; name the one probably meant
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", str(err.get("ctx", {}).get("expected", "")))
        close = suggest(err["input"], choices, limit=2)
        hint = f"; did you mean {_either(close)}?" if close else ""
        return _plain(err, msg) + hint
    return _plain(err, msg)


def _plain(err: Mapping[str, Any], msg: str) -> str:
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    else:
        msg = msg[:1].lower() + msg[1:]
        if "input" in err and not isinstance(err["input"], dict | list):
            msg += f" (got {_short(err['input'])})"
    return " ".join(msg.split())


def _problems_from_validation(
    exc: ValidationError,
    file: str | None,
    entry: str | None,
    model: type[BaseModel] | None,
) -> list[Problem]:
    problems = []
    for err in _sorted_errors(exc, None if model is None else lambda _loc: model):
        problems.append(
            Problem(file, entry, _loc_to_path(tuple(err["loc"])) or None,
                    error_message(err, model))
        )
    return problems


def _sorted_errors(exc: ValidationError,
                   model_at: Callable[[tuple[Any, ...]], type[BaseModel] | None] | None = None
                   ) -> list[Any]:
    """Unknown fields first: a misspelt key usually explains a 'missing' one. With
    ``model_at`` (the model owning a location's last key), a required field reported missing
    beside an unknown key that the hint says was meant for it is left out: one problem, one
    line."""
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    if model_at is None:
        return errors
    meant = set()
    for err in errors:
        loc = tuple(err["loc"])
        model = model_at(loc) if err["type"] == "extra_forbidden" and loc else None
        if model is not None:
            close = suggest(str(loc[-1]), list(model.model_fields), limit=1)
            if close:
                meant.add((*loc[:-1], close[0]))
    return [e for e in errors if e["type"] != "missing" or tuple(e["loc"]) not in meant]


# --------------------------------------------------------------------------- catalog


class _RawEntry:
    """One catalog entry as read, before validation, with where it came from."""

    __slots__ = ("section", "data", "file")

    def __init__(self, section: str, data: dict[str, Any], file: str) -> None:
        self.section = section
        self.data = data
        self.file = file


_SECTION_LIST = ", ".join(SECTIONS)


def _entry_label(section: str, data: Any, index: int) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
        return f"{section}[{data['id']}]"
    return f"{section}[#{index + 1}]"


def _read_catalog_file(path: str | Path, problems: list[Problem]) -> list[tuple[str, int, Any]]:
    """Parse one catalog file into (section, index, raw entry) triples."""
    name = str(path)
    data = read_yaml(path, CatalogError)
    if not isinstance(data, dict):
        problems.append(Problem(name, None, None,
                                f"expected a mapping with sections {_SECTION_LIST}, "
                                f"got {type(data).__name__}"))
        return []
    out = []
    for section, items in data.items():
        if section not in SECTIONS:
            problems.append(Problem(name, None, str(section),
                                    f"unknown section; allowed sections: {_SECTION_LIST}"))
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(Problem(name, section, None,
                                    f"expected a list of entries, got {type(items).__name__}"))
            continue
        for index, item in enumerate(items):
            label = _entry_label(section, item, index)
            if not isinstance(item, dict):
                problems.append(Problem(name, label, None,
                                        f"expected a mapping of fields, got {type(item).__name__}"))
            elif "id" not in item:
                problems.append(Problem(name, label, "id", "required field is missing"))
            elif not isinstance(item["id"], str):
                problems.append(Problem(name, label, "id",
                                        f"must be a string (got {_short(item['id'])})"))
            else:
                out.append((section, index, item))
    return out


def load_catalog(*paths: str | Path, include_bundled: bool = True) -> Catalog:
    """Load the bundled catalog merged with the given user catalog files.

    An entry in a user file whose id is already known overrides the fields it
    gives; a new id adds an entry. Ids must be unique within the bundled
    catalog and across the user files. Every problem found is collected; the
    raised :class:`~rackplan.CatalogError` lists them all in ``.problems``.
    """
    problems: list[Problem] = []
    entries: dict[str, _RawEntry] = {}
    user_ids: dict[str, str] = {}
    files = [(p, True) for p in (bundled_catalog_files() if include_bundled else [])]
    files += [(Path(p), False) for p in paths]
    cached = _catalog_cache.get([p for p, _ in files], include_bundled)
    if cached is not None:
        return cached
    seen_files: set[Path] = set()
    for path, bundled in files:
        name = str(path)
        resolved = path.resolve()
        if resolved in seen_files:
            problems.append(Problem(name, None, None, "catalog file is given twice"))
            continue
        seen_files.add(resolved)
        for section, index, item in _read_catalog_file(path, problems):
            entry_id = item["id"]
            label = _entry_label(section, item, index)
            previous = entries.get(entry_id)
            if previous is None:
                entries[entry_id] = _RawEntry(section, dict(item), name)
                if not bundled:
                    user_ids[entry_id] = name
                continue
            if bundled or entry_id in user_ids:
                other = user_ids.get(entry_id, previous.file)
                where = "in this file" if other == name else f"also defined in {other}"
                problems.append(Problem(name, label, "id", f"duplicate id {entry_id!r} {where}"))
                continue
            if previous.section != section:
                problems.append(Problem(name, label, "id",
                                        f"id {entry_id!r} is a {_SINGULAR[previous.section]} in "
                                        f"{previous.file}; an override must stay in {previous.section}"))
                continue
            _apply_override(previous, item, name)
            user_ids[entry_id] = name

    built: dict[str, list[Any]] = {section: [] for section in SECTIONS}
    source_files: dict[str, str] = {}
    for entry_id, raw in entries.items():
        model = SECTIONS[raw.section]
        label = f"{raw.section}[{entry_id}]"
        try:
            built[raw.section].append(model.model_validate(raw.data))
        except ValidationError as exc:
            problems.extend(_problems_from_validation(exc, raw.file, label, model))
            continue
        source_files[entry_id] = raw.file

    gpu_ids = [g.id for g in built["gpus"]]
    for server in built["servers"]:
        if server.gpu not in gpu_ids:
            kind = "" if server.gpu not in entries else f" ({server.gpu!r} is not a GPU entry)"
            close = suggest(server.gpu, gpu_ids)
            fix = (f"; did you mean {_either(close)}? (or add it under gpus)" if close
                   else "; add it under gpus or fix the id")
            problems.append(Problem(source_files[server.id], f"servers[{server.id}]", "gpu",
                                    f"unknown GPU id {server.gpu!r}{kind}{fix}"))
    if problems:
        raise CatalogError(problems)
    catalog = Catalog(gpus=built["gpus"], servers=built["servers"], racks=built["racks"],
                      switches=built["switches"], optics=built["optics"],
                      appliances=built["appliances"], source_files=source_files)
    _catalog_cache.put([p for p, _ in files], include_bundled, catalog)
    return catalog


def _apply_override(base: _RawEntry, item: dict[str, Any], file: str) -> None:
    """Merge a user entry over an existing one; keep sources for the fields it leaves alone."""
    changed = [k for k in item if k not in ("id", "sources") and base.data.get(k) != item[k]]
    kept = [s for s in base.data.get("sources", []) or []
            if not _source_fields(s) or not _source_fields(s) <= set(changed)]
    given = item.get("sources")
    if given is None:
        given = [f"{', '.join(changed)}: overridden in {file}"] if changed else []
    base.data = {**base.data, **item, "sources": [*kept, *given] if isinstance(given, list)
                 else given}
    base.file = file


def _source_fields(source: Any) -> set[str]:
    """Field names a source line is about (``'power_max_w, weight_kg: ...'``)."""
    if not isinstance(source, str):
        return set()
    head, sep, _ = source.partition(": ")
    names = {n.strip() for n in head.split(",")}
    return names if sep and all(n.isidentifier() for n in names) else set()


def check_catalog_file(path: str | Path) -> int:
    """Check one catalog file on its own (syntax, structure, duplicate ids).

    Entries are validated in full only when merged (an override may give a
    single field). Returns the number of entries; raises CatalogError.
    """
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    items = _read_catalog_file(path, problems)
    for section, index, item in items:
        label = _entry_label(section, item, index)
        if item["id"] in seen:
            problems.append(Problem(str(path), label, "id",
                                    f"duplicate id {item['id']!r} in this file (also {seen[item['id']]})"))
        seen[item["id"]] = label
    if problems:
        raise CatalogError(problems)
    return len(items)


# --------------------------------------------------------------------------- scenario


def _scenario_label(raw: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
    """Split a pydantic location into an entry label and the field path inside it."""
    if not loc:
        return None, ()
    head = loc[0]
    if head == "workloads" and len(loc) > 1 and isinstance(loc[1], int):
        items = raw.get("workloads")
        name = None
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            name = items[loc[1]].get("name")
        label = f"workloads[{name}]" if isinstance(name, str) else f"workloads[#{loc[1] + 1}]"
        return label, loc[2:]
    if head == "site":
        return "site", loc[1:]
    if head == "network":
        return "network", loc[1:]
    return None, loc


def _scenario_model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model that owns the last key of ``loc`` (for 'did you mean' hints)."""
    if "rack_positions" in loc[:-1]:
        return RackPosition
    if loc[:1] == ("site",) and len(loc) > 1:
        return Site
    if loc[:1] == ("workloads",) and len(loc) > 2:
        return Workload
    if loc[:1] == ("network",) and len(loc) > 1:
        if "appliances" in loc[1:-1]:
            return NetworkAppliance
        if "optics" in loc[1:-1]:
            return FabricOptics
        if len(loc) > 2 and loc[1] in FABRICS:
            return FabricSpec
        return Network
    return Scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Its ``catalogs:`` are resolved relative to the file, loaded over the
    bundled catalog, and every reference (rack types, allowed GPU or server
    ids) is checked against the result.
    """
    name = str(path)
    raw = read_yaml(path, ScenarioError)
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(name, None, None,
                                     f"expected a mapping (name, start, site, workloads, ...), "
                                     f"got {type(raw).__name__}")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in _sorted_errors(exc, _scenario_model_at):
            loc = tuple(err["loc"])
            entry, rest = _scenario_label(raw, loc)
            model = _scenario_model_at(loc)
            problems.append(Problem(name, entry, _loc_to_path(rest) or None,
                                    error_message(err, model)))
        raise ScenarioError(problems) from None
    scenario.set_base_dir(Path(path).resolve().parent)
    scenario.set_source_file(name)

    own = Path(path).resolve()
    for index, catalog_path in enumerate(scenario.catalog_paths()):
        if "\x00" in str(catalog_path):
            raise ScenarioError([Problem(name, None, f"catalogs[{index}]",
                                         "not a valid file path (contains a NUL character)")])
        if catalog_path.resolve() == own:
            raise ScenarioError([Problem(name, None, f"catalogs[{index}]",
                                         "refers to the scenario file itself; "
                                         "list catalog files here")])
        given = scenario.catalogs[index]
        if catalog_path.is_dir():
            raise CatalogError([Problem(name, None, f"catalogs[{index}]",
                                         f"{given!r} is a directory, expected a YAML catalog file")])
        if not catalog_path.exists():
            raise CatalogError([Problem(name, None, f"catalogs[{index}]",
                                         f"{given!r} not found (looked for {catalog_path}; "
                                         "paths are relative to the scenario file)")])
    catalog = load_catalog(*scenario.catalog_paths())
    check_scenario_references(scenario, catalog, name)
    scenario.cache_catalog(catalog)
    return scenario


def catalog_for(scenario: Scenario) -> Catalog:
    """The scenario's catalog: the bundled one plus its ``catalogs:``, loaded once.

    A scenario from :func:`load_scenario` already holds the catalog it was
    checked against; any other is loaded here and kept on the scenario.
    """
    catalog = scenario.cached_catalog
    if catalog is None:
        catalog = load_catalog(*scenario.catalog_paths())
        scenario.cache_catalog(catalog)
    return catalog


def check_scenario_references(scenario: Scenario, catalog: Catalog, file: str | None) -> None:
    """Check that every id the scenario names exists in ``catalog``; raise ScenarioError."""
    problems: list[Problem] = []
    redundancy = scenario.site.power_redundancy
    for index, position in enumerate(scenario.site.rack_positions):
        field_ = f"rack_positions[{index}].rack"
        entry = catalog.get(position.rack) if position.rack in catalog else None
        if not isinstance(entry, RackType):
            problems.append(Problem(file, "site", field_,
                                    _unknown("rack type", position.rack, entry,
                                             [r.id for r in catalog.racks])))
        elif redundancy == "2N" and entry.feeds < 2:
            problems.append(Problem(file, "site", field_,
                                    f"rack type {position.rack!r} has feeds=1, which cannot give "
                                    "2N power redundancy; use power_redundancy: N or a rack "
                                    "type with two feeds"))
        elif redundancy == "2N" and entry.feeds % 2:
            # 2N is two equal sides, each carrying the whole rack: an odd feed count has none
            problems.append(Problem(file, "site", field_,
                                    f"rack type {position.rack!r} has feeds={entry.feeds}, which "
                                    "cannot be split into two equal sides for 2N power "
                                    "redundancy; use power_redundancy: N or an even number of "
                                    "feeds"))
    models = [g.id for g in catalog.gpus] + [s.id for s in catalog.servers]
    for workload in scenario.workloads:
        for index, allowed in enumerate(workload.allowed or []):
            entry = catalog.get(allowed) if allowed in catalog else None
            if not isinstance(entry, GPU | Server):
                what = "" if entry is None else f", not {_kind_name(entry)}"
                problems.append(Problem(file, f"workloads[{workload.name}]", f"allowed[{index}]",
                                        f"unknown id {allowed!r}: expected a GPU id or a server "
                                        f"id from the catalog{what}{did_you_mean(allowed, models)}"))
    problems.extend(_supply_problems(scenario, catalog, file))
    if scenario.network is not None:
        problems.extend(_network_problems(scenario, scenario.network, catalog, file))
    if problems:
        raise ScenarioError(problems)


def _supply_problems(scenario: Scenario, catalog: Catalog, file: str | None) -> list[Problem]:
    """Each supply rule matches some vendor, server id or GPU id, and no two rules the same."""
    names = ({s.vendor.casefold() for s in catalog.servers} | {s.id.casefold() for s in catalog.servers}
             | {g.id.casefold() for g in catalog.gpus})
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(scenario.supply):
        key = rule.match.casefold()
        if key not in names:
            vendors = sorted({s.vendor for s in catalog.servers})
            close = suggest(rule.match, vendors + [s.id for s in catalog.servers]
                            + [g.id for g in catalog.gpus])
            hint = (f"; did you mean {_either(close)}?" if close
                    else f"; vendors: {', '.join(vendors)}")
            problems.append(Problem(file, f"supply[{i}]", "match",
                                    f"{rule.match!r} is no vendor, server id or GPU id in the "
                                    f"catalog{hint}"))
        elif key in seen:
            problems.append(Problem(file, f"supply[{i}]", "match",
                                    f"{rule.match!r} is matched by supply[{seen[key]}] already; "
                                    "give one rule per vendor, server or GPU"))
        seen.setdefault(key, i)
    return problems


def _network_problems(scenario: Scenario, net: Network, catalog: Catalog,
                      file: str | None) -> list[Problem]:
    """Every id under ``network`` exists with the right kind; optics of the right kind."""
    problems: list[Problem] = []

    def check(field_: str, entry_id: str, kind: type, what: str) -> object | None:
        entry = catalog.get(entry_id) if entry_id in catalog else None
        if not isinstance(entry, kind):
            known = [e.id for e in getattr(catalog, _PLURAL[kind])]
            problems.append(Problem(file, "network", field_, _unknown(what, entry_id, entry, known)))
            return None
        return entry

    rack = check("rack", net.rack, RackType, "rack type")
    if rack is not None and net.rack not in {p.rack for p in scenario.site.rack_positions}:
        problems.append(Problem(file, "network", "rack",
                                f"rack type {net.rack!r} has no positions at the site; add it to "
                                "site.rack_positions"))
    for name in FABRICS:
        spec = net.fabric(name)
        if spec is None:
            continue
        check(f"{name}.switch", spec.switch, Switch, "switch")
        for end in ("switch", "node", "cable"):
            optic_id = getattr(spec.optics, end)
            if optic_id is None:
                continue
            optic = check(f"{name}.optics.{end}", optic_id, Optic, "optic")
            if isinstance(optic, Optic):
                wrong = (optic.kind != "cable") if end == "cable" else (optic.kind == "cable")
                if wrong:
                    need = "a patch cable (kind cable)" if end == "cable" else \
                        "a transceiver, aoc or dac (a patch cable goes under optics.cable)"
                    problems.append(Problem(file, "network", f"{name}.optics.{end}",
                                            f"{optic_id!r} is kind {optic.kind}; expected {need}"))
    for i, a in enumerate(net.appliances):
        check(f"appliances[{i}].appliance", a.appliance, Appliance, "appliance")
    return problems


_PLURAL: dict[type, str] = {RackType: "racks", Switch: "switches", Optic: "optics",
                            Appliance: "appliances"}


def _kind_name(entry: object) -> str:
    """``a server``, ``an appliance``, ... for an entry of any catalog section."""
    name = next((_SINGULAR[section] for section, model in SECTIONS.items()
                 if isinstance(entry, model)), type(entry).__name__)
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _unknown(what: str, entry_id: str, entry: object | None, known: Sequence[str]) -> str:
    """``unknown rack type 'x'; did you mean ...`` (``entry``: what the id names instead)."""
    other = "" if entry is None else f" ({entry_id!r} is {_kind_name(entry)})"
    return f"unknown {what} {entry_id!r}{other}{did_you_mean(entry_id, known)}"


MAX_PLAN_BYTES = 1 << 30
"""Largest plan JSON :func:`load_plan` reads (a plan of 10,000 racks with slots is ~100 MB)."""


def load_plan(path: str | Path) -> Plan:
    """Load a plan written by ``rackplan plan --format json`` (or ``Plan.model_dump_json()``).

    Every failure raises :class:`~rackplan.InputError` naming the file and, for a bad
    field, where it is (``racks[3].slots[0].u``).
    """
    name = str(path)

    def fail(message: str, entry: str | None = None, field_: str | None = None) -> InputError:
        return InputError([Problem(name, entry, field_, message)])

    data = read_input(path, InputError, "a plan JSON file", MAX_PLAN_BYTES)
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise fail(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (expected the "
                   "output of 'rackplan plan --format json')") from None
    if not isinstance(raw, dict):
        raise fail(f"expected a plan object, got {type(raw).__name__} (expected the output of "
                   "'rackplan plan --format json')")
    if "infeasible" in raw and "racks" not in raw:
        raise fail("is the diagnosis of an infeasible scenario, not a plan")
    try:
        return Plan.model_validate(raw)
    except ValidationError as exc:
        err = _sorted_errors(exc)[0]
        more = len(exc.errors()) - 1
        loc = tuple(err["loc"])
        message = error_message(err, None) + (f" (and {more} more problems)" if more else "")
        raise fail(message, None, _loc_to_path(loc) or None) from None
