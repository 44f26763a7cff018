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
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


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
