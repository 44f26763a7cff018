"""Every example scenario planned once per test session, shared by the tests of the renderers
(drawings, HTML report, workbook) so that each example is planned only once."""

from __future__ import annotations

import functools
from pathlib import Path

import rackplan
from rackplan.models.result import Plan

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (REPO / "examples").glob("*.yaml") if not p.name.startswith("sweep-"))
"""The example scenarios (``sweep-*.yaml`` are sweep files, not scenarios)."""


@functools.cache
def planned_examples() -> dict[str, tuple[Plan, rackplan.Catalog]]:
    """Each example's plan and the catalog it was planned with, by file stem."""
    out = {}
    for path in EXAMPLES:
        scenario = rackplan.load_scenario(path)
        catalog = rackplan.load_catalog(*scenario.catalog_paths())
        out[path.stem] = (rackplan.plan(scenario, catalog), catalog)
    return out
