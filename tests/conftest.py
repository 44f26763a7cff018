"""Shared fixtures (the bundled catalog, a YAML writer, a CLI runner), Hypothesis profiles
and the ``slow`` marker.

Hypothesis profiles, chosen with the environment variable ``HYPOTHESIS_PROFILE`` (or pytest's
``--hypothesis-profile``):

- ``ci`` (the default, so ``python -m pytest`` as in the README and CI runs everything at full
  strength): every property test at its full example count;
- ``dev``: a tenth of the examples, for a quick loop, e.g.
  ``HYPOTHESIS_PROFILE=dev python -m pytest -m "not slow"``;
- ``pure``: a twentieth, the default when ``NUMBA_DISABLE_JIT=1`` (the kernels run as plain
  Python, about a hundred times slower: ``tests/test_kernels_pure.py``), where :func:`effort`
  also scales the packer's time limits down.

Both are derandomized (each test's examples follow from its code, so a run is reproducible and
a failure recurs on the next run) and keep no example database. A property test that needs an
explicit count writes ``@settings(max_examples=examples(N))``: N under ``ci``, scaled with the
profile otherwise.

``slow`` tests (deselect with ``-m "not slow"``): whole modules that mark themselves with
``pytestmark = pytest.mark.slow``, plus the tests listed in ``SLOW`` below.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import settings

import rackplan
from rackplan.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"

# The catalog cache of a test session lives in a folder of its own (never the user's
# ~/.cache/rackplan), shared with the processes the tests start.
os.environ.setdefault("RACKPLAN_CACHE_DIR", tempfile.mkdtemp(prefix="rackplan-test-cache-"))

# --------------------------------------------------------------------------- Hypothesis profiles

FULL_EXAMPLES = 100
"""``max_examples`` of the ``ci`` profile (Hypothesis's own default): the full strength."""

_COMMON: dict[str, Any] = {"derandomize": True, "database": None, "deadline": None}
settings.register_profile("ci", max_examples=FULL_EXAMPLES, **_COMMON)
settings.register_profile("dev", max_examples=FULL_EXAMPLES // 10, **_COMMON)
settings.register_profile("pure", max_examples=FULL_EXAMPLES // 20, **_COMMON)

PURE_PYTHON = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
"""The kernels run as plain Python (Numba's JIT off)."""
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("pure" if PURE_PYTHON else "ci")
if PROFILE not in ("ci", "dev", "pure"):
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={PROFILE!r}: expected 'ci' (full strength, the "
                            "default), 'dev' (a tenth of the examples) or 'pure' (a twentieth)")
settings.load_profile(PROFILE)


def effort(seconds: float) -> float:
    """A packer time limit for a test: as given, or a hundredth when the kernels run as plain
    Python (the work budget, not the clock, bounds the search, so the same limit would take
    about a hundred times longer)."""
    return seconds / 100 if PURE_PYTHON else seconds


def examples(full: int) -> int:
    """Example count for a property test whose full-strength count is ``full``: ``full`` under
    the ``ci`` profile, scaled by the active profile's ``max_examples`` otherwise (``dev``: a
    tenth), at least 1. Evaluate it at import or collection time, after the profile is loaded."""
    return max(1, round(full * settings.default.max_examples / FULL_EXAMPLES))


def pytest_report_header(config: pytest.Config) -> list[str]:
    name = (settings.get_current_profile_name() if hasattr(settings, "get_current_profile_name")
            else config.getoption("hypothesis_profile", None) or PROFILE)
    how = ("--hypothesis-profile" if config.getoption("hypothesis_profile", None)
           else f"HYPOTHESIS_PROFILE={os.environ['HYPOTHESIS_PROFILE']}"
           if os.environ.get("HYPOTHESIS_PROFILE") else "default; HYPOTHESIS_PROFILE=dev for a quick loop")
    current = settings.default
    seed = config.getoption("hypothesis_seed", None)
    return [f"hypothesis profile {name!r} ({how}): max_examples={current.max_examples}, "
            f"examples(N) = N x{examples(1000) / 1000:g}, derandomize={current.derandomize} "
            + (f"(seed forced: {seed})" if seed is not None else
               "(fixed seed per test, derived from its code)" if current.derandomize else "(random seed)")
            + f", database={current.database}"]


# --------------------------------------------------------------------------- the slow marker

SLOW: dict[str, str] = {
    # seconds: measured with --durations on the 2-core development machine, warm Numba cache
    "tests/test_install.py": "builds the wheel, installs it fresh and compiles the kernels cold (~200 s)",
    "tests/test_report_browser.py": "opens the HTML report in headless Chromium at two widths (~6 s)",
    "tests/test_startup.py::test_ctrl_c_while_the_command_loads_is_one_line_and_exit_130":
        "five processes interrupted while they load (~2 s)",
    "tests/test_network.py::test_superpod_h100_reference": "plans the 127-DGX SuperPOD (~3 s)",
    "tests/test_pattern_milp.py::test_tight_site_scenarios": "HiGHS on tight sites (~1.5 s)",
    "tests/test_plan_kernels.py::test_pooling_identical_shared_items_keeps_the_optimum":
        "brute force over every assignment (~60 s)",
    "tests/test_plan_kernels.py::test_many_item_types_pack_close_to_the_vector_packer":
        "60 item types against pack_vectors (~40 s)",
    "tests/test_planner.py::test_every_plan_meets_every_limit_and_adds_up":
        "Hypothesis: plans checked against every limit (~35 s)",
    "tests/test_fuzz_loaders.py::test_random_structures": "fuzzing (~9 s)",
    "tests/test_fuzz_loaders.py::test_random_bytes_and_text": "fuzzing (~4 s)",
    "tests/test_fuzz_loaders.py::test_mutated_examples": "fuzzing, plans each document (~7 s)",
    "tests/test_fuzz_loaders.py::test_examples_with_numbers_scaled": "fuzzing, plans each document (~12 s)",
    "tests/test_fuzz_loaders.py::test_mutated_catalog_files": "fuzzing (~7 s)",
    "tests/test_output_files.py::test_ctrl_c_at_any_moment_leaves_old_or_whole_file":
        "real processes interrupted after timed delays (~8 s)",
    "tests/test_sweep.py::test_ctrl_c_while_the_workers_start_is_one_line_and_exit_130":
        "three real sweeps interrupted while their workers start (~2 s)",
    "tests/test_sweep.py::test_ctrl_c_during_a_sweep_keeps_its_rows_in_one_line_and_exit_130":
        "five real sweeps interrupted once their first rows are saved (~6 s)",
}
"""Tests marked ``slow`` here, by node id or prefix (a module path, or ``path::test`` for all
its parameters), with why. Other slow tests mark themselves: ``pytestmark = pytest.mark.slow``
in tests/test_plan_invariants.py and tests/test_planner_exact.py, ``@pytest.mark.slow`` on the
large cases of tests/test_pattern_milp.py."""


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    matched: set[str] = set()
    modules: set[str] = set()
    for item in items:
        modules.add(item.nodeid.split("::", 1)[0])
        for prefix in SLOW:
            if item.nodeid == prefix or item.nodeid.startswith((prefix + "::", prefix + "[")):
                item.add_marker(pytest.mark.slow)
                matched.add(prefix)
    # a renamed test must not silently leave the slow set: every entry of a collected module
    # has to match something (unless the run names single tests)
    if not any("::" in arg for arg in config.args) and not getattr(config.option, "lf", False):
        stale = [p for p in SLOW if p not in matched and p.split("::", 1)[0] in modules]
        if stale:
            raise pytest.UsageError(f"tests/conftest.py SLOW lists tests that do not exist: {stale}")


@pytest.fixture(scope="session")
def bundled() -> rackplan.Catalog:
    return rackplan.load_catalog()


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a Python object (or raw text) as a YAML file under tmp_path; return its path."""

    def write(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str | bytes):
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False))
        return path

    return write


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run():
    """Run the CLI in-process, stdout and stderr apart."""

    def invoke(*args: str) -> Run:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke
