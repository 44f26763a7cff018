"""The ``rackplan`` console script and ``python -m rackplan``.

Ctrl-C at any moment after rackplan's own code starts prints one line and exits 130 (see
:func:`_interrupted`).

When the command is done, the process ends at once (``os._exit`` after flushing standard
output and error): tearing down an interpreter that has loaded NumPy, pydantic and Numba takes
about 0.13 s and does nothing a finished command needs (its files are written and closed, and
Numba writes its cache when it compiles). Under coverage measurement, which writes its data at
exit, the process ends normally.

Python's cyclic garbage collector is off for the first second (:func:`_collector_off`): a
command's start builds hundreds of thousands of long-lived objects (click, pydantic's
validators, NumPy, Numba's typing and lowering registries), and the collector would scan them
again and again, for about 0.08 s of a 0.5 s ``rackplan plan``, to find almost no garbage (about
2,000 objects). After that second it is back on, with everything alive then frozen out of its
scans, so a long plan or sweep collects as usual.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading

COLLECTOR_OFF_S = 1.0


def main() -> None:
    """Load the command line, run it, and end the process with its exit code."""
    _collector_off(COLLECTOR_OFF_S)
    if sys.argv[1:2] != ["sweep"]:  # a sweep saves its rows when interrupted: it unwinds
        signal.signal(signal.SIGINT, _interrupted)
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


def _collector_off(seconds: float) -> None:
    """Turn the cyclic garbage collector off now, and back on after ``seconds`` with every
    object alive then moved out of its scans (``gc.freeze``)."""

    def back_on() -> None:
        gc.freeze()
        gc.enable()

    gc.disable()
    timer = threading.Timer(seconds, back_on)
    timer.daemon = True
    timer.start()


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C: end now, with one line and status 130, unless an output file is being written
    (then unwind, so the write removes its temporary file and leaves the old file whole).

    Ending at once, rather than raising KeyboardInterrupt wherever Python happens to be, also
    means an interrupt never leaves Numba half-way through loading a kernel from its cache,
    which could crash the process when the kernel was then called."""
    from ._io import WRITING

    if WRITING[0]:
        raise KeyboardInterrupt
    try:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    finally:
        os._exit(130)


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
