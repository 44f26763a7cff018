"""The in-tree kernel cache is cleared when any kernel source changes (Numba alone would keep a
cached caller that inlined an old callee from another file)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import rackplan

PACKAGE = Path(rackplan.__file__).resolve().parent


def test_a_changed_kernel_source_clears_the_compiled_cache(tmp_path):
    copy = tmp_path / "rackplan"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    cache = copy / "kernels" / "__pycache__"
    cache.mkdir()
    stale = cache / "cover.pack-1.py311.nbi"
    stale.write_bytes(b"compiled against an older lp.py")
    (cache / "rackplan-kernel-sources.sha256").write_text("a hash of older sources")
    probe = "import rackplan._jit"
    subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, check=True, timeout=120)
    assert not stale.exists()
    stamp = (cache / "rackplan-kernel-sources.sha256").read_text()
    # unchanged sources: the cache is kept
    kept = cache / "search.search-1.py311.nbi"
    kept.write_bytes(b"current")
    subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, check=True, timeout=120)
    assert kept.exists()
    assert (cache / "rackplan-kernel-sources.sha256").read_text() == stamp
    # an edit to any kernel file: cleared again
    with open(copy / "kernels" / "lp.py", "a") as f:
        f.write("\n# edited\n")
    subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, check=True, timeout=120)
    assert not kept.exists()
