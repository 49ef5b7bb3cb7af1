"""A cache of the parsed bundled seed files, so that a cold start skips parsing TOML.

Parsing the bundled TOML is the largest part of loading the default registry (``tomllib`` is
pure Python); the same documents read back from JSON cost a tenth of that.  After the bundled
registry has been built once, the parsed documents are written as one JSON file.  The file is
named by a hash of the library version, of ``units.txt`` and of every seed file's name and
bytes: a changed seed file or unit definition, or another version of the library, simply misses
the cache; only the :data:`KEEP` newest files are kept.  The cache only ever stands in for
parsing; every record is still structured and checked as usual.  (The seeds' unit names need no
cache: what the unit registry says of them ships with the package, see
:mod:`cartlandscape.units`.)

The cache is fault-tolerant: a missing, unreadable, corrupt or unwritable cache is ignored and
the seeds are parsed as usual.  ``CARTLANDSCAPE_CACHE`` chooses where it lives:

- unset: ``$XDG_CACHE_HOME/cartlandscape`` (or ``~/.cache/cartlandscape``);
- a folder: that folder;
- ``0``, ``off``, ``no`` or ``false``: no cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from importlib.resources import files as files_of
from pathlib import Path
from typing import Any

from cartlandscape._version import __version__

__all__ = ["KEEP", "cache_file", "read", "write"]

_OFF = {"0", "off", "no", "false"}
#: How many cache files are kept in the cache folder (the newest ones).
KEEP = 4


def cache_file(files: Sequence[tuple[str, bytes]]) -> Path | None:
    """Where the parsed documents of *files* are cached (None when the cache is off)."""
    setting = os.environ.get("CARTLANDSCAPE_CACHE", "").strip()
    if setting.lower() in _OFF:
        return None
    if setting:
        folder = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "cartlandscape"
    digest = hashlib.sha256(__version__.encode())
    digest.update((files_of("cartlandscape") / "units.txt").read_bytes())
    for name, data in files:
        digest.update(len(name).to_bytes(8, "big") + name.encode())
        digest.update(len(data).to_bytes(8, "big") + data)
    return folder / f"seeds-{digest.hexdigest()[:32]}.json"


def read(files: Sequence[tuple[str, bytes]]) -> dict[str, dict[str, Any]] | None:
    """The cached documents of *files* by name, or None when there is no usable cache."""
    try:
        path = cache_file(files)
        if path is None:
            return None
        documents = json.loads(path.read_bytes())["documents"]
    except (OSError, ValueError, RuntimeError, KeyError, TypeError):
        return None
    names = {name for name, _ in files}
    if not isinstance(documents, dict) or set(documents) != names:
        return None
    if not all(isinstance(d, dict) for d in documents.values()):
        return None
    return documents


def write(files: Sequence[tuple[str, bytes]], documents: dict[str, dict[str, Any]]) -> None:
    """Cache the parsed *documents* of *files*; any failure leaves no cache and is ignored."""
    try:
        path = cache_file(files)
        if path is None:
            return
        text = json.dumps({"documents": documents}, ensure_ascii=False, allow_nan=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as handle:
            try:
                handle.write(text)
            except OSError:
                os.unlink(handle.name)
                raise
        os.replace(handle.name, path)
    except (OSError, TypeError, ValueError):
        # TypeError: a document holds a value JSON cannot (a TOML date); not cached then.
        return
    _prune(path)


def _prune(kept: Path) -> None:
    """Remove all but the :data:`KEEP` newest cache files in the folder of *kept* (best effort).

    Each release of the library or of the seeds writes a new file; the old ones would pile up.
    """
    try:
        found = sorted(
            (p for p in kept.parent.glob("seeds-*.json") if p != kept),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for stale in found[KEEP - 1 :]:
            stale.unlink(missing_ok=True)
    except OSError:
        return
