"""The one place where Numba options are set.

``cache=True`` keeps compiled kernels between runs; ``fastmath`` stays off
because capacities are compared exactly; ``error_model="numpy"`` avoids the
Python-style zero-division checks in hot loops.

Where the cache goes: Numba writes it beside the package (``__pycache__``) and,
when the package folder is read-only (a system or container install), in the
user's cache folder (``NUMBA_CACHE_DIR``, else ``~/.cache/numba``). When neither
is writable either, rackplan uses a private folder under the system temporary
folder, and when even that fails it compiles without a cache: slower to start,
never broken.

Numba checks a cached kernel against its own source file only, not against the
kernels it calls from other files: after an edit to ``kernels/lp.py`` a cached
``kernels/cover.py`` would keep running the old LP. So the in-tree cache is
stamped with a hash of every kernel source and cleared when the hash changes
(an installed package's files change all at once, so its cache is safe).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


_PACKAGE = Path(__file__).resolve().parent


def _clear_stale_kernel_cache() -> None:
    """Drop the in-tree compiled kernels when any kernel source differs from when they were built."""
    sources = sorted((_PACKAGE / "kernels").glob("*.py")) + [_PACKAGE / "tolerance.py", Path(__file__)]
    digest = hashlib.sha256()
    try:
        for path in sources:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        cache = _PACKAGE / "kernels" / "__pycache__"
        stamp = cache / "rackplan-kernel-sources.sha256"
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return
        cache.mkdir(exist_ok=True)
        for stale in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            stale.unlink()
        stamp.write_text(digest.hexdigest())
    except OSError:
        pass  # a read-only install: its files change together, Numba's own check suffices


_clear_stale_kernel_cache()


def jit(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``func`` in nopython mode with the project's options."""
    try:
        compiled: Callable[..., Any] = numba.njit(**_OPTIONS)(func)
    except RuntimeError as exc:  # "cannot cache function ...: no locator available"
        if "cannot cache" not in str(exc):
            raise
        fallback = _private_cache_dir()
        if fallback is None:
            return numba.njit(**{**_OPTIONS, "cache": False})(func)  # type: ignore[no-any-return]
        numba.config.CACHE_DIR = str(fallback)  # type: ignore[attr-defined]
        compiled = numba.njit(**_OPTIONS)(func)
    return compiled


def _private_cache_dir() -> Path | None:
    """A cache folder only this user can write, under the system temporary folder."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    path = Path(tempfile.gettempdir()) / f"rackplan-numba-cache-{uid}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path)
        probe.close()
    except OSError:
        return None
    return path
