"""A non-editable install: the wheel carries the bundled catalog and works from anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import rackplan

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build a wheel of the checkout and install it (no deps) into a private folder."""
    root = tmp_path_factory.mktemp("install")
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(REPO)], check=True, capture_output=True)
    (wheel,) = wheels.glob("rackplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for f in (REPO / "catalogs").glob("*.yaml"):
        assert f"rackplan/catalogs/{f.name}" in names
    assert "rackplan/py.typed" in names
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    return site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([str(site / "bin" / "rackplan"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_console_script_lists_bundled_catalog_from_elsewhere(installed, tmp_path):
    result = run_installed(installed, tmp_path, "catalog", "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    ids = {e["id"] for section in data.values() for e in section}
    assert {"dell-xe8812-rubin", "orv3-dlc-300kw", "rubin"} <= ids
    for section in data.values():
        for entry in section:
            assert entry["sources"]
            assert entry["file"].startswith(str(installed / "rackplan" / "catalogs"))


def test_installed_show_and_version(installed, tmp_path):
    result = run_installed(installed, tmp_path, "catalog", "show", "dell-xe8812-rubin")
    assert result.returncode == 0 and "PowerEdge XE8812" in result.stdout
    result = run_installed(installed, tmp_path, "--version")
    assert rackplan.__version__ in result.stdout


def test_installed_bad_input_gives_one_line(installed, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("servers:\n  - {id: x, gpu_count: -1}\n")
    result = run_installed(installed, tmp_path, "catalog", "validate", str(bad))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_installed_wheel_plans_an_example(installed, tmp_path):
    example = Path(__file__).resolve().parent.parent / "examples" / "enterprise-pod.yaml"
    (tmp_path / "site.yaml").write_text(example.read_text())
    result = run_installed(installed, tmp_path, "plan", "site.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["totals"]["gpus"] == 256 and plan["racks"]
