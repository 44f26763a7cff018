"""The first moment: what the command line loads, and Ctrl-C while it loads.

Speed itself is measured in benchmarks/startup.py beside a bare interpreter (never in a timed
test); here the tests pin the mechanism that makes it fast: ``--version`` and ``--help`` load
neither pydantic, NumPy nor Numba, and each subcommand's module loads only when it runs.
"""

from __future__ import annotations

import os
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


def test_the_console_script_imports_nothing_before_it_takes_ctrl_c():
    """The console script imports the package and rackplan._entry before main() installs the
    SIGINT handler: that must load no other module (it once loaded typing, dataclasses,
    rackplan.errors and rackplan.sweep, ~12 ms in which a Ctrl-C was a traceback)."""
    code = ("import sys; before = set(sys.modules); import rackplan._entry; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert set(out) <= {"gc", "rackplan", "rackplan._entry"}, out


def test_ctrl_c_as_soon_as_main_runs_is_one_line_and_exit_130():
    """The handler is main()'s first statement: a Ctrl-C at the next step (the collector timer,
    which once came first) ends with the one line."""
    code = ("import os, signal, sys\n"
            "import rackplan._entry as entry\n"
            "real = entry._collector_off\n"
            "def first(seconds):\n"
            "    os.kill(os.getpid(), signal.SIGINT)\n"
            "    for _ in range(1000):\n"
            "        pass\n"
            "    real(seconds)\n"
            "entry._collector_off = first\n"
            "sys.argv = ['rackplan', '--version']\n"
            "entry.main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")


def test_ctrl_c_unwinds_once_inside_ctrl_c_unwinds():
    """Inside ``ctrl_c_unwinds()`` the console script's handler raises KeyboardInterrupt (a
    sweep then saves its rows), and only once: a second Ctrl-C while it unwinds is ignored."""
    from rackplan import _entry

    try:
        with _entry.ctrl_c_unwinds(), pytest.raises(KeyboardInterrupt):
            _entry._interrupted(signal.SIGINT, None)
        with _entry.ctrl_c_unwinds():
            assert _entry._interrupted(signal.SIGINT, None) is None
    finally:
        _entry._TAKEN[0] = False
    assert _entry._UNWIND == [0]


def test_the_lazy_package_keeps_its_public_names():
    """Every public name, the errors and ``__version__`` included, loads on first use and is
    the object of its module; ``rackplan.sweep`` stays the function once the subpackage of
    that name is imported."""
    code = """
import sys
import rackplan
print(sorted(set(sys.modules) & {"typing", "dataclasses", "rackplan.errors", "rackplan.sweep"}))
import rackplan.errors, rackplan._version, rackplan.sweep.runner
from rackplan import *
print(rackplan.RackplanError is rackplan.errors.RackplanError is RackplanError,
      rackplan.__version__ == rackplan._version.__version__,
      sweep is rackplan.sweep and sweep.__module__ == "rackplan",
      sys.modules["rackplan.sweep"].sweep is sys.modules["rackplan.sweep.runner"].sweep,
      all(hasattr(rackplan, name) for name in rackplan.__all__),
      set(rackplan.__all__) <= set(dir(rackplan)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True).stdout.splitlines()
    assert out == ["[]", " ".join(["True"] * 6)]


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


@pytest.mark.parametrize("measured", [False, True])
def test_numba_does_not_import_coverage_unless_coverage_measures(measured):
    """Numba imports coverage.py, when installed, with its lowering code (0.04 s): the console
    script prevents it unless coverage is measuring the process."""
    pytest.importorskip("coverage")
    code = ("import sys\n"
            "from rackplan._entry import _measured, _no_coverage_import\n"
            "_no_coverage_import()\n"
            "import numba.core.lowering\n"
            "print(sys.modules.get('coverage') is not None, _measured())\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    if measured:
        env["COVERAGE_PROCESS_START"] = "no-such-rc-file"  # coverage's subprocess hook is asked
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(measured), "False"]
