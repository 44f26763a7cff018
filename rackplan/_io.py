"""Atomic file output: write to a temporary file beside the target, then rename.

An error or Ctrl-C part-way leaves the previous file untouched and no partial
file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` (str: written as UTF-8; bytes: as they are) in one rename.

    A symlink is followed: its target is replaced and the link kept. A path that is neither a
    regular file nor missing (a device such as ``/dev/null``, a FIFO) is written to in place,
    never replaced. An operating-system failure (missing folder, no permission, full disk)
    raises :class:`~rackplan.InputError` naming the file.
    """
    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        target = Path(os.path.realpath(target)) if target.is_symlink() else target
        if target.exists() and not target.is_file() and not target.is_dir():
            with open(target, "wb") as handle:  # a device or a pipe: there is nothing to replace
                handle.write(data)
            return
        _write(target, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError([Problem(str(path), None, None, f"cannot write output: {reason}")]) from None


WRITING = [0]
"""Atomic writes under way (a counter): an interrupt then unwinds through them so that no
temporary file is left behind (see :mod:`rackplan._entry`)."""


def _write(target: Path, text: bytes) -> None:
    WRITING[0] += 1
    try:
        _write_once(target, text)
    finally:
        WRITING[0] -= 1


def _write_once(target: Path, text: bytes) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    # Ctrl-C is held while the temporary file is created, and lands inside the try below, whose
    # cleanup removes the file: it never arrives between the creation and the cleanup
    held = _hold_ctrl_c()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except BaseException:
        _release_ctrl_c(held)
        raise
    try:
        _release_ctrl_c(held)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp_name, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        finally:
            # again, in case the exception (an alarm's, say) came before the release above did:
            # SIGINT must never stay blocked (restoring the same mask twice is harmless)
            _release_ctrl_c(held)
        raise


def _hold_ctrl_c() -> object:
    """Block SIGINT in this thread (where the platform can); returns the mask to restore."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_ctrl_c(held: object) -> None:
    if held is not None:
        import signal

        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # type: ignore[arg-type]
