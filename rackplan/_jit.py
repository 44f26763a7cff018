"""The one place where Numba options are set.

``cache=True`` keeps compiled kernels between runs; ``fastmath`` stays off
because capacities are compared exactly; ``error_model="numpy"`` avoids the
Python-style zero-division checks in hot loops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


def jit(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``func`` in nopython mode with the project's options."""
    compiled: Callable[..., Any] = numba.njit(**_OPTIONS)(func)
    return compiled
