"""The kernel tests once more with Numba's JIT off (``NUMBA_DISABLE_JIT=1``), under coverage.

Compiled, a kernel's lines are invisible to coverage; as plain Python they run line by line,
so this job (slow tier: the kernels are about a hundred times slower uncompiled) is where
coverage sees them. Hypothesis runs a twentieth of its examples there (the ``pure`` profile)
and the packer a hundredth of its time limits (``conftest.effort``): the same assertions on
smaller work. The job passes when every kernel test passes as plain Python and each kernel
file the tests exercise has most of its lines run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
KERNEL_TESTS = ["tests/test_plan_kernels.py", "tests/test_packing.py"]
MIN_SHARE = {  # lines run, of each kernel file these tests exercise (measured: 84%, 73%, 91%,
    # 87%, 99%, 74%, 72%, 35%); a kernel the tests stop reaching fails the job
    "binpack.py": 0.8, "cns.py": 0.65, "colgen.py": 0.85, "cover.py": 0.8, "knapsack.py": 0.9,
    "lp.py": 0.7, "patterns.py": 0.7, "schedule.py": 0.3,
}


def test_kernel_tests_pass_as_plain_python_and_coverage_sees_the_kernels(tmp_path):
    pytest.importorskip("coverage")
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "COVERAGE_FILE": str(tmp_path / ".coverage")}
    env.pop("HYPOTHESIS_PROFILE", None)
    kernels = REPO / "rackplan" / "kernels"
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "run", f"--include={kernels}/*", "-m", "pytest", "-q",
         "-p", "no:cacheprovider", "-m", "not slow",
         # the xorshift* generator multiplies uint64 modulo 2**64 by design: compiled, Numba
         # wraps silently; as plain Python, NumPy scalars wrap and warn
         "-W", "ignore:overflow encountered in scalar multiply:RuntimeWarning", *KERNEL_TESTS],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
    report = tmp_path / "coverage.json"
    subprocess.run([sys.executable, "-m", "coverage", "json", "-o", str(report)], cwd=REPO,
                   env=env, check=True, capture_output=True)
    files = {Path(name).name: data["summary"] for name, data in
             json.loads(report.read_text())["files"].items()}
    for name, share in MIN_SHARE.items():
        summary = files.get(name)
        assert summary is not None, f"{name}: not run at all"
        ran = summary["covered_lines"] / max(summary["num_statements"], 1)
        assert ran >= share, f"{name}: {ran:.0%} of its lines run as plain Python"
