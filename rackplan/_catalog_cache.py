"""A cache of validated catalogs, so the first command of a session does not parse YAML.

Reading and validating the bundled catalog's YAML takes about 70 ms (a pure-Python YAML parser
that records line numbers for error messages); the validated :class:`~rackplan.Catalog` it
gives loads from a pickle in under a millisecond. The cache key is the rackplan version, a hash
of the code that reads and validates catalogs (and pydantic's version), and every file's path
and SHA-256 (reading and hashing the files costs well under a millisecond),
so editing a catalog file, even within the same clock tick, or upgrading rackplan makes a new
entry; a catalog with problems is never cached (its errors are reported from the files every
time).

The cache lives in ``$RACKPLAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/rackplan``, else
``~/.cache/rackplan``. ``RACKPLAN_NO_CACHE=1`` turns it off. Any failure to read or write it
(read-only home, a corrupt or foreign file) falls back to the YAML silently: the cache can only
make loading faster, never different.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from .models import Catalog

MAX_ENTRIES = 32
"""Cache files kept; the oldest beyond this are removed when a new one is written."""


def cache_dir() -> Path | None:
    """Where cached catalogs live, or None when caching is off."""
    if os.environ.get("RACKPLAN_NO_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("RACKPLAN_CACHE_DIR"):
        return Path(os.environ["RACKPLAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rackplan"


@functools.cache
def _code_stamp() -> str:
    """What a cached catalog depends on besides its files: the code that reads and validates
    them (a source checkout changes it without a new version number) and pydantic's version."""
    import pydantic

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(pydantic.VERSION.encode())
    for name in ("loading.py", "_yaml.py", "models/catalog.py", "models/__init__.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _key(paths: list[Path], bundled: bool) -> str | None:
    if len({p.resolve() for p in paths}) < len(paths):
        return None  # a file given twice: let the loader report it
    try:
        stamp = _code_stamp()
    except OSError:  # the package's sources are not readable (a zip import): no caching
        return None
    parts = [__version__, stamp, f"bundled={bundled}"]
    for p in paths:
        try:
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        except (OSError, ValueError):
            return None  # missing or unreadable: let the loader report it
        parts.append(f"{p}\0{p.resolve()}\0{digest}")  # as given: entries remember their file
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def get(paths: list[Path], bundled: bool) -> Catalog | None:
    """The cached catalog of exactly these files (in this order), or None."""
    folder = cache_dir()
    key = _key(paths, bundled) if folder is not None else None
    if folder is None or key is None:
        return None
    try:
        data = (folder / f"catalog-{key}.pickle").read_bytes()
        catalog = pickle.loads(data)
    except Exception:  # missing, unreadable, corrupt or from another version: read the YAML
        return None
    from .models import Catalog

    return catalog if isinstance(catalog, Catalog) else None


def put(paths: list[Path], bundled: bool, catalog: Catalog) -> None:
    """Remember ``catalog`` as the result of loading ``paths``; never raises."""
    folder = cache_dir()
    key = _key(paths, bundled) if folder is not None else None
    if folder is None or key is None:
        return
    try:
        from ._io import write_atomic

        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"catalog-{key}.pickle", pickle.dumps(catalog, protocol=5))
        entries = sorted(folder.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except Exception:  # a read-only or full disk: loading still works, only slower
        return
