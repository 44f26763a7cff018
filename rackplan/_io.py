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

    An operating-system failure (missing folder, no permission, full disk)
    raises :class:`~rackplan.InputError` naming the file.
    """
    target = Path(path)
    try:
        _write(target, text.encode("utf-8") if isinstance(text, str) else text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError([Problem(str(path), None, None, f"cannot write output: {reason}")]) from None


def _write(target: Path, text: bytes) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
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
        raise
