"""A non-editable install: the wheel carries the bundled catalog and works from anywhere."""

from __future__ import annotations

import json
import os
import shutil
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
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()  # every problem, one line each
    assert len(lines) > 1 and all(line.startswith("error: ") for line in lines)


def test_installed_wheel_plans_an_example(installed, tmp_path):
    example = Path(__file__).resolve().parent.parent / "examples" / "enterprise-pod.yaml"
    (tmp_path / "site.yaml").write_text(example.read_text())
    result = run_installed(installed, tmp_path, "plan", "site.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["totals"]["gpus"] == 256 and plan["racks"]


# --------------------------------------------------------------------------- installed anywhere

_RO = 'while [ "$1" != "--" ]; do mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; ' \
      'shift; done; shift; exec "$@"'


def read_only(request, *folders: Path) -> list[str]:
    """Make ``folders`` read-only for a command; returns the prefix to run it with.

    A normal user gets the write bits removed. root writes through permission bits,
    so for root the command runs in a private mount namespace where the folders are
    read-only bind mounts (skipped where the kernel refuses that)."""
    if os.geteuid() != 0:
        for folder in folders:
            subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
            request.addfinalizer(lambda f=folder: subprocess.run(["chmod", "-R", "u+w", str(f)]))
        return []
    probe = subprocess.run(["unshare", "-m", "sh", "-c", _RO, "ro", str(folders[0]), "--", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only mount here (unshare -m refused)")
    return ["unshare", "-m", "sh", "-c", _RO, "ro", *map(str, folders), "--"]


@pytest.fixture
def fresh_site(installed, tmp_path) -> Path:
    """A copy of the installed package with no compiled-kernel cache in it."""
    site = tmp_path / "site"
    shutil.copytree(installed, site, ignore=shutil.ignore_patterns("*.nbi", "*.nbc"))
    return site


def plan_example(prefix: list[str], site: Path, cwd: Path, env: dict[str, str],
                 scenario: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))} | env
    env["PYTHONPATH"] = str(site)
    return subprocess.run([*prefix, sys.executable, "-m", "rackplan", "plan", scenario,
                           "--format", "json"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".nbi", ".nbc")]


def test_read_only_package_caches_in_the_user_folder(request, fresh_site, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    prefix = read_only(request, fresh_site)
    example = REPO / "examples" / "enterprise-pod.yaml"
    result = plan_example(prefix, fresh_site, tmp_path, {"HOME": str(home)}, str(example))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["gpus"] == 256
    assert cache_files(home / ".cache" / "numba"), "Numba's user cache holds the kernels"
    assert not cache_files(fresh_site)


def test_read_only_package_and_home_fall_back_to_a_private_temp_folder(request, fresh_site, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    temp = tmp_path / "temp"
    temp.mkdir()
    prefix = read_only(request, fresh_site, home)
    example = REPO / "examples" / "enterprise-pod.yaml"
    env = {"HOME": str(home), "TMPDIR": str(temp)}
    first = plan_example(prefix, fresh_site, tmp_path, env, str(example))
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    uid = os.getuid()
    assert cache_files(temp / f"rackplan-numba-cache-{uid}")
    again = plan_example(prefix, fresh_site, tmp_path, env, str(example))
    assert again.stdout == first.stdout


def test_any_working_directory(installed, tmp_path):
    """From the root folder with an absolute path, and from a sibling folder with a relative
    path whose scenario names its catalogs relative to itself."""
    work = tmp_path / "work"
    other = tmp_path / "other"
    work.mkdir()
    other.mkdir()
    (work / "prices.yaml").write_text("servers:\n  - {id: dell-xe9680-h200, price_usd: 300000}\n")
    text = (REPO / "examples" / "enterprise-pod.yaml").read_text()
    (work / "site.yaml").write_text(text.replace("objective: tco", "objective: tco\ncatalogs: [prices.yaml]"))
    outputs = []
    for cwd, path in ((Path("/"), str(work / "site.yaml")), (other, "../work/site.yaml")):
        result = run_installed(installed, cwd, "plan", path, "--format", "json")
        assert result.returncode == 0, result.stderr
        plan = json.loads(result.stdout)
        argv = plan["inputs"]["options"].pop("argv")  # the path as typed: differs, as it should
        assert argv[1] == path
        outputs.append(plan)
    assert outputs[0] == outputs[1]
