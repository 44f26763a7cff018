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

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import _catalog_cache
from ._yaml import read_input, read_yaml
from .errors import CatalogError, InputError, Problem, ScenarioError
from .models import SECTIONS, Catalog, RackPosition, Scenario, Site, Workload
from .models.catalog import (
    FABRICS,
    GPU,
    Appliance,
    Month,
    Optic,
    RackType,
    Server,
    Switch,
    is_month,
    source_line_fields,
)
from .models.result import Plan
from .models.scenario import FabricOptics, FabricSpec, Network, NetworkAppliance

_PACKAGE_DIR = Path(__file__).resolve().parent

_MONTH: TypeAdapter[str] = TypeAdapter(Month)

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
"""Least similarity (:func:`similarity`) for an id to count as close."""
_CLOSE_MARGIN = 0.1
"""Close ids are kept only within this much similarity of the closest one."""
_MIN_FRAGMENT = 3
"""A word this long or longer also finds the ids that contain it."""
_CONTAINED = 0.8
"""Similarity of two ids one of which holds the other's tokens: 0.8 plus up to 0.2 for how
much of the longer the shorter covers (``b200`` in ``b200-sxm``: 0.9)."""
_ELSEWHERE = 0.9
"""Least similarity for an id of another kind to be named (``'x' is a server``): most of what
was typed is that id, or it is nearly spelt so."""
_TOKEN = re.compile(r"[^\W_]+")
"""The tokens of an id: runs of letters and digits (``dell-xe9680-h200``: dell, xe9680, h200)."""


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _holds(tokens: Sequence[str], part: Sequence[str]) -> bool:
    """Every token of ``part`` is one of ``tokens``."""
    return bool(part) and set(part) <= set(tokens)


def _starts_token_in(part: str, text: str) -> bool:
    """``part`` is in ``text`` from the start of a token (``h100`` in ``r760xa-h100pcie``,
    not ``b200`` in ``gb200``)."""
    at = text.find(part)
    while at > 0 and text[at - 1].isalnum():
        at = text.find(part, at + 1)
    return at >= 0


def similarity(word: str, known: str) -> float:
    """How likely ``known`` is what was meant by ``word`` (both casefolded), 0 to 1.

    The best of: their spelling (difflib ratio); one holding the other, every token of one
    among the other's (``b200`` and ``b200-sxm``, ``nvidia-b200`` and ``nvidia-dgx-b200``,
    but not ``b200`` and ``gb200``), or ``known`` holding ``word`` from the start of a token
    (``h100`` and ``dell-r760xa-h100pcie``); and the share of their text in the tokens they
    both have, when they share two or more (``h200-dgx-nvidia`` and ``nvidia-dgx-h200``).
    """
    if word == known:
        return 1.0
    ratio = difflib.SequenceMatcher(None, known, word).ratio()
    short, long_ = sorted((word, known), key=len)
    wt, kt = _tokens(word), _tokens(known)
    if len(short) >= _MIN_FRAGMENT and (_holds(wt, kt) or _holds(kt, wt)
                                        or _starts_token_in(word, known)):
        ratio = max(ratio, _CONTAINED + (1 - _CONTAINED) * len(short) / len(long_))
    common = set(wt) & set(kt)
    if len(common) >= 2:
        shared = sum(map(len, common))
        ratio = max(ratio, 2 * shared / (sum(map(len, set(wt))) + sum(map(len, set(kt)))))
    return ratio


def suggest(word: str, known: Iterable[str], limit: int = 5) -> list[str]:
    """The entries of ``known`` that ``word`` probably meant, best first, at most ``limit``.

    Compared without case: the same id in other case first, then the ids that start with
    ``word`` (``h200`` finds ``h200-sxm`` before the close spelling ``b200``), then the
    close ones (:func:`similarity`, within a margin of the closest: close spellings, and ids
    that ``word`` holds, so ``b200-sxm`` and ``nvidia-b200`` find ``b200``), then the ids
    that hold ``word`` or all its tokens (so ``h100`` also finds ``dell-xe9680-h100`` and
    ``nvidia-dgx-h100``, and ``nvidia-b200`` finds ``nvidia-dgx-b200``).
    """
    folded: dict[str, str] = {}
    for entry in known:
        folded.setdefault(entry.casefold(), entry)
    w = word.strip().casefold()
    if not w or limit <= 0 or not folded:
        return []
    found: list[str] = [w] if w in folded else []
    long_enough = len(w) >= _MIN_FRAGMENT
    if long_enough:  # the closest of them first
        found += sorted((key for key in folded if key.startswith(w)),
                        key=lambda k: (-difflib.SequenceMatcher(None, w, k).ratio(), k))
    wt = _tokens(w)

    def holds_word(key: str) -> bool:
        return long_enough and len(key) > len(w) and (w in key or _holds(_tokens(key), wt))

    scored = []
    for key in folded:
        # the same id needs no company but close spellings; an id holding the word is ranked
        # by its spelling here, and comes last otherwise
        score = (difflib.SequenceMatcher(None, key, w).ratio() if found[:1] == [w]
                 or holds_word(key) else similarity(w, key))
        if score >= _CLOSE_RATIO:
            scored.append((-score, key))
    scored.sort()
    if scored:
        best = -scored[0][0]
        found += [key for s, key in scored if -s >= best - _CLOSE_MARGIN]
    found += sorted(key for key in folded if holds_word(key))
    return [folded[key] for key in dict.fromkeys(found)][:limit]


def did_you_mean(word: str, known: Sequence[str], limit: int = 5,
                 list_up_to: int = LIST_KNOWN_UP_TO,
                 others: Mapping[str, Iterable[str]] | None = None) -> str:
    """A hint to append to "unknown ... 'word'": ``"; did you mean 'a' or 'b'?"``, followed
    by ``" (known: ...)"`` when ``known`` has at most ``list_up_to`` entries; with nothing
    close, ``"; known: ..."`` for a short list and ``""`` for a long one.

    ``others`` maps what other ids are (``"a server: use --server"``) to those ids: when one
    of them is closer to ``word`` than any of ``known`` (a server id given where a GPU id
    goes), the hint says so: ``"; did you mean 'gb200'? ('nvidia-gb200-nvl72' is a server:
    use --server)"``.
    """
    close = suggest(word, known, limit)
    listed = ", ".join(known) if len(known) <= list_up_to else ""
    elsewhere = _elsewhere(word, known, others or {})
    if close:
        return (f"; did you mean {_either(close)}?" + (f" ({elsewhere})" if elsewhere else "")
                + (f" (known: {listed})" if listed else ""))
    hint = f"; {elsewhere}" if elsewhere else ""
    if not known:
        return hint + "; known: none"
    return hint + (f"; known: {listed}" if listed else "")


def _elsewhere(word: str, known: Iterable[str], others: Mapping[str, Iterable[str]]) -> str:
    """``"'x' is a server: use --server"`` for the id of ``others`` closest to ``word``, when
    it is close (most of the word, or most of it the word, or nearly spelt so) and closer
    than any of ``known``; else ``""``."""
    w = word.strip().casefold()
    if not w or not others:
        return ""
    here = max((similarity(w, k.casefold()) for k in known), default=0.0)
    best = max(((similarity(w, other.casefold()), other, what)
                for what, ids in others.items() for other in ids),
               default=None, key=lambda c: c[0])
    if best is None or best[0] < _ELSEWHERE or best[0] <= here:
        return ""
    return f"{best[1]!r} is {best[2]}"


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


OUT_OF_RANGE_UNITS = {"electricity_usd_per_kwh": "cents", "tariffs": "a percentage"}
"""Fields whose value over its maximum is probably given in other units, and those units:
the error then says what the value would be (11 cents: 0.11 $/kWh; 25%: 0.25)."""


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
    if kind == "less_than_equal" and isinstance(err.get("input"), int | float) and err["loc"]:
        # the likeliest reason for a price or a rate out of range: cents or a percentage
        field_ = next((str(p) for p in reversed(err["loc"]) if isinstance(p, str) and p
                       in OUT_OF_RANGE_UNITS), None)
        if field_ is not None:
            value = float(err["input"])
            return (_plain(err, msg) + f"; if that is {OUT_OF_RANGE_UNITS[field_]}, "
                    f"{value / 100:g}")
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


_BUNDLED_READ: dict[tuple[str, int, int], list[tuple[str, int, Any]]] = {}
"""Parsed bundled files of this process, by (path, mtime in ns, size): a catalog the disk cache
cannot hold (one with a user file's problems) still parses the bundled YAML only once."""


def _read_bundled_file(path: Path, problems: list[Problem]) -> list[tuple[str, int, Any]]:
    """:func:`_read_catalog_file` for a bundled file, remembered while the file is unchanged and
    has no problems (the entries are copied before they are changed, so the parsed ones are
    never touched)."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    key = (str(path), stat.st_mtime_ns, stat.st_size) if stat is not None else None
    if key is not None and key in _BUNDLED_READ:
        return _BUNDLED_READ[key]
    found: list[Problem] = []
    items = _read_catalog_file(path, found)
    problems.extend(found)
    if key is not None and not found:
        _BUNDLED_READ[key] = items
    return items


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
    file_as_of = data.get("as_of")
    if file_as_of is not None:
        try:
            file_as_of = _MONTH.validate_python(file_as_of)
        except ValidationError as exc:
            problems.append(Problem(name, None, "as_of", error_message(exc.errors()[0], None)))
            file_as_of = None
    for section, items in data.items():
        if section == "as_of":
            continue
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
                if file_as_of is not None and "as_of" not in item:
                    item = {**item, "as_of": file_as_of}
                out.append((section, index, item))
    return out


def load_catalog(*paths: str | Path, include_bundled: bool = True) -> Catalog:
    """Load the bundled catalog merged with the given user catalog files.

    An entry in a user file whose id is already known overrides the fields it
    gives; a new id adds an entry. Ids must be unique within the bundled
    catalog and across the user files. Every problem found is collected; the
    raised :class:`~rackplan.CatalogError` lists them all in ``.problems``: a file
    that cannot be read (not found, bad YAML) is one problem, and the other files
    are still checked.
    """
    problems: list[Problem] = []
    entries: dict[str, _RawEntry] = {}
    user_ids: dict[str, str] = {}
    added: set[str] = set()  # ids a user file adds (not overrides)
    unreadable: list[str] = []
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
        try:
            items = (_read_bundled_file(path, problems) if bundled
                     else _read_catalog_file(path, problems))
        except CatalogError as exc:  # one line for the file; the others are still checked
            problems.extend(exc.problems)
            unreadable.append(name)
            continue
        for section, index, item in items:
            entry_id = item["id"]
            label = _entry_label(section, item, index)
            previous = entries.get(entry_id)
            if previous is None:
                entries[entry_id] = _RawEntry(section, dict(item), name)
                if not bundled:
                    user_ids[entry_id] = name
                    added.add(entry_id)
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
        if entry_id in added:
            _given_in(raw.data, raw.section, raw.file)
        try:
            built[raw.section].append(SECTIONS[raw.section].model_validate(raw.data))
        except ValidationError as exc:
            meant = []
            if entry_id in added:  # a new entry, or an override whose id is misspelt?
                meant = suggest(entry_id, [i for i, other in entries.items()
                                           if other.section == raw.section and i != entry_id], 3)
            problems.extend(_entry_problems(exc, entry_id, raw, meant))
            continue
        source_files[entry_id] = raw.file

    gpu_ids = [g.id for g in built["gpus"]]
    for server in built["servers"]:
        if server.gpu in entries and entries[server.gpu].section == "gpus":
            continue  # a GPU entry that failed validation: its own problems say why
        if server.gpu not in gpu_ids:
            kind = "" if server.gpu not in entries else f" ({server.gpu!r} is not a GPU entry)"
            close = suggest(server.gpu, gpu_ids)
            fix = (f"; did you mean {_either(close)}? (or add it under gpus)" if close
                   else "; add it under gpus or fix the id")
            others = {what: [i for i in ids if i != server.id]
                      for what, ids in _other_ids(built, "gpus").items()}
            elsewhere = "" if kind else _elsewhere(server.gpu, gpu_ids, others)
            fix += f" ({elsewhere})" if elsewhere else ""
            if unreadable:
                fix += f" ({_either(unreadable)} could not be read)"
            problems.append(Problem(source_files[server.id], f"servers[{server.id}]", "gpu",
                                    f"unknown GPU id {server.gpu!r}{kind}{fix}"))
    if problems:
        raise CatalogError(problems)
    catalog = Catalog(gpus=built["gpus"], servers=built["servers"], racks=built["racks"],
                      switches=built["switches"], optics=built["optics"],
                      appliances=built["appliances"], source_files=source_files)
    _catalog_cache.put([p for p, _ in files], include_bundled, catalog)
    return catalog


def _entry_problems(exc: ValidationError, entry_id: str, raw: _RawEntry,
                    meant: Sequence[str]) -> list[Problem]:
    """The problems of one catalog entry that failed validation, one a line.

    ``meant``: for an entry a user file adds, the existing ids its id is close to. With some,
    and required fields missing, the id was probably meant to override one of them: one line
    says so and names what a new entry needs, instead of a line per missing field.
    """
    model = SECTIONS[raw.section]
    label = f"{raw.section}[{entry_id}]"
    errors = _sorted_errors(exc, lambda _loc: model)
    missing = [_loc_to_path(tuple(e["loc"])) for e in errors if e["type"] == "missing"]
    problems = []
    if meant and missing:
        what = _SINGULAR[raw.section]
        problems.append(Problem(raw.file, label, "id",
                                f"no {what} has id {entry_id!r} (did you mean {_either(meant)}?); "
                                f"a new {what} needs: {', '.join(missing)}"))
        errors = [e for e in errors if e["type"] != "missing"]
    problems += [Problem(raw.file, label, _loc_to_path(tuple(e["loc"])) or None,
                         error_message(e, model)) for e in errors]
    return problems


AGING = ("price_usd", "lead_time_weeks")
"""The figures that age: an entry's ``as_of`` is the month of the oldest source behind these."""


def _apply_override(base: _RawEntry, item: dict[str, Any], file: str) -> None:
    """Merge a user entry over an existing one.

    The bundled source lines of the fields it gives (or that its own source lines name) are
    dropped, a line about several fields keeping the names of those left alone, so that a quote
    replacing an estimate is no longer marked as one, even at the same value; a field it gives
    that none of its own source lines names gets ``"<fields>: overridden in <file>"``.

    ``as_of``: an override with a month of its own (the entry's or its file's) that gives every
    aging figure the entry has (price, lead time) dates the entry; one that gives only some
    dates it to the older of the two months, since the others keep theirs. An override that
    changes an aging figure without a month leaves the entry undated.
    """
    given_sources = item.get("sources")
    own = given_sources if isinstance(given_sources, list) else []
    named = set().union(*(source_line_fields(x) for x in own))
    given = [k for k in item if k not in ("id", "sources", "as_of")]
    changed = [k for k in given if base.data.get(k) != item[k]]
    aging = [k for k in AGING if k in base.data or k in item]
    undated = bool(set(changed) & set(aging)) and "as_of" not in item
    month = base.data.get("as_of")
    if "as_of" in item and item["as_of"] is not None:
        new = item["as_of"]  # a bad one is kept, for validation to report
        both = is_month(new) and is_month(month)
        month = min(month, new) if both and not set(aging) <= set(given) else new
    redated = undated or month != base.data.get("as_of")
    dropped = set(given) | named | ({"as_of"} if redated else set())
    kept = []
    for line in base.data.get("sources", []) or []:
        names = source_line_fields(line)
        if names & dropped:
            if names <= dropped:
                continue
            head, _, rest = line.partition(": ")
            left = [n.strip() for n in head.split(",") if n.strip() not in dropped]
            line = f"{', '.join(left)}: {rest}"
        kept.append(line)
    unnamed = [k for k in given if k not in named]
    added = [f"{', '.join(unnamed)}: overridden in {file}"] if unnamed else []
    sources = [*kept, *own, *added] if given_sources is None or isinstance(given_sources, list) \
        else given_sources
    data = {**base.data, **item, "sources": sources}
    if undated:
        data.pop("as_of", None)
    elif month is not None:
        data["as_of"] = month
    base.data = data
    base.file = file


def _given_in(data: dict[str, Any], section: str, file: str) -> None:
    """A new entry of a user file: its figures that no source line names get ``"<fields>:
    given in <file>"``, as an override's do, so that only what a source line calls an estimate
    counts as one."""
    sources = data.get("sources")
    if sources is not None and not isinstance(sources, list):
        return  # validation reports it
    try:
        entry = SECTIONS[section].model_validate(data)
    except ValidationError:
        return  # validation reports it, with the original data
    named = set().union(*(source_line_fields(x) for x in entry.sources))
    missing = [f for f in entry.figure_fields() if f not in named]
    if missing:
        data["sources"] = [*(sources or []), f"{', '.join(missing)}: given in {file}"]


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
                                             [r.id for r in catalog.racks],
                                             _other_ids(catalog, "racks"))))
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
    others = _other_ids(catalog, "gpus", "servers")
    for workload in scenario.workloads:
        for index, allowed in enumerate(workload.allowed or []):
            entry = catalog.get(allowed) if allowed in catalog else None
            if not isinstance(entry, GPU | Server):
                what = (f", not {_kind_name(entry)}{did_you_mean(allowed, models)}" if entry
                        else did_you_mean(allowed, models, others=others))
                problems.append(Problem(file, f"workloads[{workload.name}]", f"allowed[{index}]",
                                        f"unknown id {allowed!r}: expected a GPU id or a server "
                                        f"id from the catalog{what}"))
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
            problems.append(Problem(file, "network", field_, _unknown(
                what, entry_id, entry, known, _other_ids(catalog, _PLURAL[kind]))))
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
    return _a(name)


def _unknown(what: str, entry_id: str, entry: object | None, known: Sequence[str],
             others: Mapping[str, Sequence[str]] | None = None) -> str:
    """``unknown rack type 'x'; did you mean ...`` (``entry``: what the id names instead;
    ``others``: the ids of other kinds, for ``('y' is a server)`` when one is closer)."""
    if entry is not None:
        return f"unknown {what} {entry_id!r} ({entry_id!r} is {_kind_name(entry)})" \
            f"{did_you_mean(entry_id, known)}"
    return f"unknown {what} {entry_id!r}{did_you_mean(entry_id, known, others=others)}"


def _other_ids(catalog: Catalog | dict[str, list[Any]], *but: str) -> dict[str, list[str]]:
    """The ids of every catalog section but ``but``, by what one is (``a server``): the
    ``others`` of :func:`did_you_mean`. ``catalog``: a Catalog, or built entries by section."""
    out = {}
    for section in SECTIONS:
        if section not in but:
            entries = catalog[section] if isinstance(catalog, dict) else getattr(catalog, section)
            out[_a(_SINGULAR[section])] = [e.id for e in entries]
    return out


def _a(name: str) -> str:
    """``a server``, ``an appliance``."""
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


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
