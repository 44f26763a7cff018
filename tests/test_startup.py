"""The first moment: what the command line loads, and Ctrl-C while it loads.

Speed itself is measured in benchmarks/startup.py beside a bare interpreter (never in a timed
test); here the tests pin the mechanism that makes it fast: ``--version`` and ``--help`` load
neither pydantic, NumPy nor Numba, and each subcommand's module loads only when it runs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "enterprise-pod.yaml"

_LOADED = """
import sys
from rackplan.cli import cli
try:
    cli.main({args!r}, prog_name="rackplan")
except SystemExit:
    pass
heavy = [m for m in ("pydantic", "numpy", "numba", "yaml", "rackplan.planning", "rackplan.models")
         if m in sys.modules]
print("LOADED", ",".join(heavy))
"""


def _loaded(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _LOADED.format(args=list(args))],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("LOADED")][-1]
    return [m for m in line.removeprefix("LOADED").strip().split(",") if m]


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["plan", "--help"]])
def test_version_and_help_load_nothing_heavy(args):
    heavy = _loaded(*args)
    if args == ["plan", "--help"]:  # the plan command's module is loaded to show its options
        assert "rackplan.planning" in heavy
    else:
        assert heavy == []


def test_import_rackplan_is_light_and_names_load_on_first_use():
    code = ("import sys, rackplan; a = 'pydantic' in sys.modules or 'numba' in sys.modules; "
            "rackplan.Catalog; b = 'pydantic' in sys.modules and 'numba' not in sys.modules; "
            "rackplan.plan; c = 'numba' in sys.modules; "
            "print(a, b, c, rackplan.models.NetworkPort.__name__, 'plan' in dir(rackplan))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True).stdout.split()
    assert out == ["False", "True", "True", "NetworkPort", "True"]


def test_every_command_in_the_lazy_table_loads_and_has_its_name():
    from click import Command

    from rackplan.cli import COMMANDS, cli

    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert isinstance(command, Command) and command.name == name
    assert cli.list_commands(None) == sorted(COMMANDS)  # type: ignore[arg-type]


@pytest.mark.parametrize("delay", [0.05, 0.1, 0.2, 0.3, 0.5])
def test_ctrl_c_while_the_command_loads_is_one_line_and_exit_130(delay):
    """From the moment rackplan's own code runs (the interpreter's first ~20 ms are before it),
    an interrupt during imports, catalog loading or planning prints one line."""
    proc = subprocess.Popen([str(Path(sys.executable).parent / "rackplan"), "plan", str(EXAMPLE),
                             "--format", "json", "-o", "/dev/null"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # finished before the signal: nothing to see
        pytest.skip(f"the plan finished within {delay} s")
    assert proc.returncode == 130, err
    assert err == "interrupted\n"


def test_the_installed_command_runs_a_sweep(tmp_path):
    # the lazy subpackage keeps `prepare` a function although a submodule has its name
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"base: {REPO / 'examples' / 'enterprise-pod.yaml'}\n"
                    "vary:\n  site.pue: [1.2, 1.3]\n", encoding="utf-8")
    out = tmp_path / "rows.csv"
    done = subprocess.run([str(Path(sys.executable).parent / "rackplan"), "sweep", str(spec),
                           "--workers", "1", "-o", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(out.read_text().splitlines()) == 3  # header and two points
    from rackplan.sweep import PreparedSweep, prepare  # noqa: F401  (the submodule is loaded)

    assert callable(prepare)


def test_the_collector_is_off_while_a_command_starts_and_back_on_after():
    """The console script turns the cyclic garbage collector off for its start and back on
    (with the start's objects frozen out of its scans) once the timer fires."""
    import gc

    from rackplan._entry import _collector_off

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        _collector_off(0.05)
        assert not gc.isenabled()
        deadline = time.monotonic() + 10
        while not gc.isenabled() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.enable()
