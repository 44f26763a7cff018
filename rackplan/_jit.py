"""The one place where Numba options are set.

``cache=True`` keeps compiled kernels between runs; ``fastmath`` stays off
because capacities are compared exactly; ``error_model="numpy"`` avoids the
Python-style zero-division checks in hot loops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


def jit(func: F) -> F:
    """Compile ``func`` in nopython mode with the project's options."""
    return numba.njit(**_OPTIONS)(func)  # type: ignore[no-any-return]
