"""Bounded, strict YAML reading.

``yaml.safe_load`` semantics only, plus limits a planner fed by strangers'
files needs: a size cap, a nesting cap, a cap on aliases (so an alias bomb
cannot blow up later traversal), and duplicate mapping keys rejected rather
than silently keeping the last one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 1_000


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader with depth and alias limits and duplicate-key detection.

    Numbers follow YAML 1.2 as well as 1.1: ``4e8`` (no dot) is a float, not
    the string PyYAML's 1.1 resolver makes of it.
    """

    yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(
                    f"more than {MAX_ALIASES} aliases (line {mark.line + 1}); "
                    "refusing a possible alias bomb"
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(
                    f"nesting deeper than {MAX_DEPTH} levels (line {mark.line + 1})"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:  # 2027-02-30, 2027-13-45
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {node.value!r} ({exc})", node.start_mark
            ) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _BoundedLoader.construct_yaml_timestamp)
_BoundedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def read_input(path: str | Path, error: type[InputError], what: str, limit: int) -> bytes:
    """The bytes of an input file (``what``: ``a YAML file``, ``a plan JSON file``) of at most
    ``limit`` bytes; every failure raises ``error`` naming the file."""
    name = str(path)
    p = Path(path)

    def fail(message: str) -> InputError:
        return error([Problem(name, None, None, message)])

    try:
        if p.is_dir():
            raise fail(f"is a directory, expected {what}")
        size = p.stat().st_size
        if size > limit:
            raise fail(f"file is {size:,} bytes; the limit is {limit:,}")
        return p.read_bytes()
    except FileNotFoundError:
        raise fail("file not found") from None
    except PermissionError:
        raise fail("permission denied") from None
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    except ValueError:  # e.g. a NUL character in the path
        raise fail("not a valid file path") from None


def read_yaml(path: str | Path, error: type[InputError]) -> Any:
    """Read one YAML document from ``path``; every failure raises ``error`` naming the file."""
    name = str(path)

    def fail(message: str) -> InputError:
        return error([Problem(name, None, None, message)])

    data = read_input(path, error, "a YAML file", MAX_FILE_BYTES)
    if b"\x00" in data:
        raise fail("binary content (NUL bytes); expected a YAML text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise fail("file is empty")
    try:
        loader = _BoundedLoader(text)
        try:
            document = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise fail(f"invalid YAML: {where}{what}") from None
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise fail("invalid YAML: nesting too deep") from None
    if document is None:
        raise fail("file is empty (no YAML content, only comments or null)")
    return document
