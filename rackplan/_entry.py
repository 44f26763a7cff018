"""The ``rackplan`` console script and ``python -m rackplan``.

Ctrl-C while the command line itself loads prints one line and exits 130, as it does while a
command runs (see :mod:`rackplan.cli`).

When the command is done, the process ends at once (``os._exit`` after flushing standard
output and error): tearing down an interpreter that has loaded NumPy, pydantic and Numba takes
about 0.13 s and does nothing a finished command needs (its files are written and closed, and
Numba writes its cache when it compiles). Under coverage measurement, which writes its data at
exit, the process ends normally.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Load the command line, run it, and end the process with its exit code."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    try:
        run()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code: object) -> None:
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed, status 1, as the interpreter would
        sys.stderr.write(f"{code}\n")
        status = 1
    if "coverage" in sys.modules:
        raise SystemExit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`rackplan ... | head`): nothing to flush to
        os._exit(status if status else 141)
    except (OSError, ValueError):
        raise SystemExit(status) from None
    os._exit(status)
