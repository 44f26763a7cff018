"""The ``rackplan`` console script and ``python -m rackplan``.

Ctrl-C while the command line itself loads prints one line and exits 130, as it does while a
command runs (see :mod:`rackplan.cli`).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Load the command line, then run it."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    run()
