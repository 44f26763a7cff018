"""The documentation keeps up with the code: every model field is documented, links resolve.

docs/formats.md is written by hand; these tests make a new field without documentation, a
plan field whose contract/added status is misstated, or a broken relative link fail.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import rackplan
from rackplan.models._docs import describe

# field docstrings become descriptions on demand (as `rackplan schema` asks for them)
describe(rackplan.Plan, rackplan.Scenario, rackplan.models.CatalogFile)

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
FORMATS = DOCS / "formats.md"


def section(heading: str) -> str:
    """The text under the first Markdown heading that contains ``heading``, up to the next
    heading of the same or a higher level."""
    lines = FORMATS.read_text(encoding="utf-8").splitlines()
    for start, line in enumerate(lines):
        match = re.match(r"(#+)\s", line)
        if match and heading in line:
            level = len(match.group(1))
            body = []
            for other in lines[start + 1:]:
                deeper = re.match(r"(#+)\s", other)
                if deeper and len(deeper.group(1)) <= level:
                    break
                body.append(other)
            return "\n".join(body)
    raise AssertionError(f"docs/formats.md has no heading containing {heading!r}")


def documented(text: str) -> set[str]:
    """Names written as code in the first column of a Markdown table."""
    return set(re.findall(r"^\|\s*`([^`]+)`", text, flags=re.MULTILINE))


INPUT_MODELS = [
    (rackplan.GPU, "### GPUs"),
    (rackplan.Server, "### Servers"),
    (rackplan.RackType, "### Rack types"),
    (rackplan.Scenario, "### Top level"),
    (rackplan.Site, "### `site`"),
    (rackplan.RackPosition, "### `site.rack_positions[]`"),
    (rackplan.Workload, "### `workloads[]`"),
    (rackplan.models.NetworkPort, "### Network ports"),
    (rackplan.models.Switch, "### Switches"),
    (rackplan.models.Optic, "### Optics and cables"),
    (rackplan.models.Appliance, "### Appliances"),
    (rackplan.models.Network, "### `network`"),
    (rackplan.models.FabricSpec, "### `network.<fabric>`"),
    (rackplan.models.FabricOptics, "### `network.<fabric>.optics`"),
    (rackplan.models.NetworkAppliance, "### `network.appliances[]`"),
    (rackplan.models.SupplyRule, "### `supply[]`"),
    (rackplan.models.Phase, "### `workloads[].phases[]`"),
]


@pytest.mark.parametrize(("model", "heading"), INPUT_MODELS, ids=[m.__name__ for m, _ in INPUT_MODELS])
def test_every_input_field_is_documented(model: type[BaseModel], heading: str):
    missing = set(model.model_fields) - documented(section(heading))
    assert not missing, f"{model.__name__} fields missing from docs/formats.md '{heading}': {sorted(missing)}"


def test_every_catalog_section_is_documented():
    text = FORMATS.read_text(encoding="utf-8")
    for name in rackplan.models.CatalogFile.model_fields:
        assert f"`{name}:`" in text, f"catalog section {name!r} is not documented"


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _models_in(arg)
    return out


def _is_list(annotation: object) -> bool:
    if typing.get_origin(annotation) in (list, tuple):
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def plan_fields(model: type[BaseModel] = rackplan.Plan, prefix: str = "",
                added: bool = False) -> dict[str, bool]:
    """Every field path of the plan JSON (``racks[].placements[].count``) -> whether it is an
    addition to the contract (its field, or a field above it, is documented '*(added)*')."""
    out: dict[str, bool] = {}
    for name, info in model.model_fields.items():
        path = prefix + name
        is_added = added or (info.description or "").startswith("*(added)*")
        out[path] = is_added
        for sub in _models_in(info.annotation):
            out |= plan_fields(sub, path + ("[]." if _is_list(info.annotation) else "."), is_added)
    return out


def test_every_plan_field_is_documented_with_its_status():
    text = section("## Plan (JSON)")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\|\s*`([^`]+)`.*$", text, re.MULTILINE)}
    fields = plan_fields()
    assert len(fields) > 40  # the walk reached the nested models
    missing = sorted(set(fields) - set(rows))
    assert not missing, f"plan fields missing from docs/formats.md '## Plan (JSON)': {missing}"
    stale = sorted(set(rows) - set(fields))
    assert not stale, f"docs/formats.md documents plan fields that do not exist: {stale}"
    wrong = [path for path, is_added in fields.items()
             if ("| added |" in rows[path]) != is_added or ("| contract |" in rows[path]) == is_added]
    assert not wrong, f"contract/added status misstated in docs/formats.md for: {wrong}"


def test_exit_codes_are_documented():
    text = section("### Exit codes")
    for code in (0, 1, 2, 3, 130):
        assert re.search(rf"^\| {code} \|", text, re.MULTILINE), f"exit code {code} is not documented"


def test_every_command_is_documented():
    from click import Group

    from rackplan.cli import cli

    text = section("## Command line")

    def commands(group: Group, prefix: str) -> list[str]:
        out = []
        for name in group.list_commands(None):  # type: ignore[arg-type]
            command = group.get_command(None, name)  # type: ignore[arg-type]
            if isinstance(command, Group):
                out += commands(command, f"{prefix} {name}")
            else:
                out.append(f"{prefix} {name}")
        return out

    names = commands(cli, "rackplan")
    assert len(names) >= 7
    missing = [name for name in names if f"`{name}" not in text]
    assert not missing, f"commands missing from docs/formats.md '## Command line': {missing}"


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
MARKDOWN = sorted(DOCS.glob("*.md")) + [REPO / "README.md"]


def relative_links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)  # code is not links
    targets = [a or b for a, b in LINK.findall(text)]
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:|#", t, re.IGNORECASE)]


def test_the_docs_exist():
    assert FORMATS.is_file() and (DOCS / "README.md").is_file()
    assert "docs/" in "".join(relative_links(REPO / "README.md")), "README.md does not link docs/"


@pytest.mark.parametrize("path", MARKDOWN, ids=[str(p.relative_to(REPO)) for p in MARKDOWN])
def test_relative_links_point_to_existing_files(path: Path):
    broken = [t for t in relative_links(path)
              if not (path.parent / t.split("#", 1)[0]).exists()]
    assert not broken, f"{path.relative_to(REPO)}: broken links {broken}"


def test_field_descriptions_on_demand_are_what_pydantic_would_have_read():
    # the models skip pydantic's docstring parsing at import (25 ms of every start); describe()
    # must give each field exactly the docstring pydantic's own reader finds under it
    from pydantic._internal._docs_extraction import extract_docstrings_from_cls

    from rackplan.models._docs import _models_of

    checked = 0
    for root in (rackplan.Plan, rackplan.Scenario, rackplan.models.CatalogFile):
        for cls in _models_of(root):
            expected: dict[str, str] = {}
            for owner in reversed(cls.__mro__):  # inherited fields keep their own docstring
                if isinstance(owner, type) and issubclass(owner, BaseModel) and owner is not BaseModel:
                    expected |= extract_docstrings_from_cls(owner, use_inspect=True)
            got = {n: info.description for n, info in cls.model_fields.items() if info.description}
            assert got == {n: d for n, d in expected.items() if n in cls.model_fields}, cls.__name__
            checked += len(got)
    assert checked > 200
