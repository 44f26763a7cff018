"""The bad-input corpus: every malformed file or command line gets exit 2 (or 1 for a
well-formed but infeasible scenario), one line on stderr naming the file, the entry and
the field, and never a traceback; the library raises a RackplanError subclass.

Scenario files live in bad_inputs/scenarios/; each states on its first line the exit
code and the message fragment it must produce (``# expect: 2 site.pue: ...``).
Command lines are in bad_inputs/invocations.yaml. Malformed catalog files are in
fixtures/bad_catalogs/ (test_bad_catalogs.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import rackplan

HERE = Path(__file__).parent
BAD = HERE / "bad_inputs"
EXAMPLES = HERE.parent / "examples"
SCENARIOS = sorted((BAD / "scenarios").glob("*.yaml"))
INVOCATIONS = yaml.safe_load((BAD / "invocations.yaml").read_text())
CATALOGS = sorted((HERE / "fixtures" / "bad_catalogs").glob("*.yaml"))


def expectation(path: Path) -> tuple[int, str]:
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
    assert first.startswith("# expect: "), path
    code, fragment = first[len("# expect: "):].split(" ", 1)
    return int(code), fragment


def check_one_line(result, code: int, fragment: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def test_the_corpus_is_large_and_varied():
    assert len(SCENARIOS) + len(INVOCATIONS) + len(CATALOGS) >= 100
    codes = [expectation(p)[0] for p in SCENARIOS]
    assert codes.count(1) >= 5 and codes.count(2) >= 50
    assert len({case["name"] for case in INVOCATIONS}) == len(INVOCATIONS)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_cli_plan(run, path):
    code, fragment = expectation(path)
    line = check_one_line(run("plan", str(path)), code, fragment)
    if code == 2:
        assert line.startswith("error: ") and ".yaml: " in line  # names the file
    else:  # proven infeasible, or refused without a proof (said as such)
        assert line.startswith(("error: infeasible: ", "error: no plan found (search limit"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_library_raises_rackplan_errors(path):
    code, fragment = expectation(path)
    wanted = rackplan.InputError if code == 2 else rackplan.InfeasibleError
    with pytest.raises(wanted) as info:
        rackplan.plan(rackplan.load_scenario(path))
    assert fragment in str(info.value)
    if code == 2:
        assert info.value.problems[0].file is not None


@pytest.mark.parametrize("case", INVOCATIONS, ids=[c["name"] for c in INVOCATIONS])
def test_invocations(run, tmp_path, case):
    args = [a.format(bad=BAD, examples=EXAMPLES, tmp=tmp_path) for a in case["args"]]
    check_one_line(run(*args), case["exit"], case["expect"])
    assert list(tmp_path.iterdir()) == [], "nothing is left behind"


def test_oversized_file(run, tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.write(b"name: x\n")
        f.truncate(9 * 1024 * 1024)
    check_one_line(run("plan", str(path)), 2, "bytes; the limit is 8,388,608")


def test_unreadable_file(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.yaml"
    path.write_text("name: x\n")
    path.chmod(0)
    check_one_line(run("plan", str(path)), 2, "secret.yaml: permission denied")


@pytest.mark.parametrize("name", ["syntax-tab-indent", "alias-bomb", "binary", "infeasible-budget",
                                  "unknown-workload-key"])
def test_real_process_prints_one_line(name):
    """The console entry point in a fresh interpreter: exit code, one line, no traceback."""
    path = BAD / "scenarios" / f"{name}.yaml"
    code, fragment = expectation(path)
    done = subprocess.run([sys.executable, "-m", "rackplan", "plan", str(path)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "default"})
    assert done.returncode == code, done.stderr
    assert done.stdout == "" or code == 1
    assert done.stderr.count("\n") == 1 and fragment in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
