"""The ``rackplan`` console script and ``python -m rackplan``.

Ctrl-C at any moment after rackplan's own code starts prints one line, ``interrupted``, and
exits 130 (see :func:`_interrupted`). Precisely: from the first statement of :func:`main`, which
installs the handler. Before it, a Ctrl-C is Python's own ``KeyboardInterrupt`` (a traceback,
or death by SIGINT): during the interpreter's start (about 20 ms), and while the console script
imports the ``rackplan`` package and this module (under 2 ms on the 2-core reference machine,
nearly all of it Python's import system finding and reading the two files). Neither runs
anything else: the package imports nothing when it loads (its names load on first use), and
this module only ``os``, ``sys`` and ``_signal``, loaded with the interpreter already
(``signal``, with its enums, would add 2 ms).

When the command is done, the process ends at once (``os._exit`` after flushing standard
output and error): tearing down an interpreter that has loaded NumPy, pydantic and Numba takes
about 0.13 s and does nothing a finished command needs (its files are written and closed, and
Numba writes its cache when it compiles). Under coverage measurement, which writes its data at
exit, the process ends normally (see :func:`_no_coverage_import` too).

Python's cyclic garbage collector is off for the first second (:func:`_collector_off`): a
command's start builds hundreds of thousands of long-lived objects (click, pydantic's
validators, NumPy, Numba's typing and lowering registries), and the collector would scan them
again and again, for about 0.08 s of a 0.5 s ``rackplan plan``, to find almost no garbage (about
2,000 objects). After that second it is back on, with everything alive then frozen out of its
scans, so a long plan or sweep collects as usual.
"""

import _signal  # what ``signal`` wraps: loaded with the interpreter, so free to import here
import os
import sys

COLLECTOR_OFF_S = 1.0

_UNWIND = [0]
"""``with ctrl_c_unwinds():`` blocks under way (a counter): Ctrl-C there raises
KeyboardInterrupt instead of ending the process at once."""

_TAKEN = [False]
"""A Ctrl-C is being acted on (a KeyboardInterrupt unwinds): later ones are ignored."""


def main() -> None:
    """Load the command line, run it, and end the process with its exit code."""
    _signal.signal(_signal.SIGINT, _interrupted)  # first: see the module's docstring
    _collector_off(COLLECTOR_OFF_S)
    _no_coverage_import()
    try:
        from .cli import main as run

        run()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # raised by _interrupted, and not turned into 130 on the way
        sys.stderr.write("interrupted\n")
        code = 130
    _exit(code)


def _no_coverage_import() -> None:
    """Keep Numba from importing coverage.py when nothing measures this process.

    Where coverage.py is installed (any development environment), Numba imports it with its
    lowering code, to trace compiled code under coverage: 0.04 s of a command's start, for
    nothing unless coverage is running. A process that coverage measures has it imported
    already, or is started with ``COVERAGE_PROCESS_START`` / ``COVERAGE_PROCESS_CONFIG``
    (its subprocess hook); then nothing changes."""
    if "coverage" in sys.modules or os.environ.get("COVERAGE_PROCESS_START") or \
            os.environ.get("COVERAGE_PROCESS_CONFIG"):
        return
    sys.modules["coverage"] = None  # type: ignore[assignment]  # import coverage: ImportError


def _measured() -> bool:
    """Whether coverage.py is measuring this process (it writes its data at exit)."""
    coverage = sys.modules.get("coverage")
    current = getattr(getattr(coverage, "Coverage", None), "current", None)
    return current is not None and current() is not None


def _collector_off(seconds: float) -> None:
    """Turn the cyclic garbage collector off now, and back on after ``seconds`` with every
    object alive then moved out of its scans (``gc.freeze``)."""
    import gc
    import threading

    def back_on() -> None:
        gc.freeze()
        gc.enable()

    gc.disable()
    timer = threading.Timer(seconds, back_on)
    timer.daemon = True
    timer.start()


class _Unwinding:
    def __enter__(self) -> None:
        _UNWIND[0] += 1

    def __exit__(self, *exc: object) -> None:
        _UNWIND[0] -= 1


def ctrl_c_unwinds() -> _Unwinding:
    """``with ctrl_c_unwinds():``: Ctrl-C raises KeyboardInterrupt inside the block, instead of
    ending the process at once, so that the code can keep its work on the way out (``rackplan
    sweep`` stops its workers and saves its rows). Only the first: later ones are ignored while
    it unwinds. (Outside the console script, Python's own handler raises it anyway.)"""
    return _Unwinding()


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C: end now, with one line and status 130; or, inside :func:`ctrl_c_unwinds` or while
    an output file is being written, raise KeyboardInterrupt (once), so that the write removes
    its temporary file and leaves the old file whole, and a sweep saves its rows. The command
    line turns it into the same line and status.

    Ending at once, rather than raising KeyboardInterrupt wherever Python happens to be, also
    means an interrupt never leaves Numba half-way through loading a kernel from its cache,
    which could crash the process when the kernel was then called."""
    if _TAKEN[0]:
        return
    if _UNWIND[0] or _writing():
        _TAKEN[0] = True
        raise KeyboardInterrupt
    try:
        try:
            sys.stderr.write("interrupted\n")
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001 (stderr was being written when the signal came)
            os.write(2, b"interrupted\n")
    except BaseException:  # noqa: BLE001,S110 (no stderr at all: the status says it)
        pass
    finally:
        os._exit(130)


def _writing() -> bool:
    """Whether rackplan._io is writing a file (looked up, never imported, from the handler)."""
    writing = getattr(sys.modules.get("rackplan._io"), "WRITING", None)
    return bool(writing and writing[0])


def _exit(code: object) -> None:
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed, status 1, as the interpreter would
        sys.stderr.write(f"{code}\n")
        status = 1
    if _measured():
        raise SystemExit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`rackplan ... | head`): nothing to flush to
        os._exit(status if status else 141)
    except (OSError, ValueError):
        raise SystemExit(status) from None
    os._exit(status)
