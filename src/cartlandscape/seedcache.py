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

The cache is fault-tolerant and trusted for nothing: a missing, unreadable, corrupt, altered or
unwritable cache is ignored and the seeds are parsed as usual.  A cache file starts with a line
naming it and giving the SHA-256 of the documents that follow; a file whose documents do not
match it is not used, and neither is anything but a regular file (a FIFO or a device at the
cache path is never opened for reading) or a file over :data:`MAX_BYTES`.  Only files this cache
wrote are ever deleted: pruning removes files named ``seeds-<32 hex digits>.json`` whose first
line names them as a cartlandscape seed cache.  ``CARTLANDSCAPE_CACHE`` chooses where it lives:

- unset: ``$XDG_CACHE_HOME/cartlandscape`` (or ``~/.cache/cartlandscape``);
- a folder: that folder;
- ``0``, ``off``, ``no`` or ``false``: no cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Sequence
from importlib.resources import files as files_of
from pathlib import Path
from typing import Any

from cartlandscape._version import __version__
from cartlandscape.atomic import write_bytes

__all__ = ["FORMAT", "KEEP", "MAX_BYTES", "cache_file", "read", "write"]

_OFF = {"0", "off", "no", "false"}
#: How many cache files are kept in the cache folder (the newest ones).
KEEP = 4
#: The largest cache file read, in bytes.
MAX_BYTES = 256 * 1024 * 1024
#: The version of the cache file's layout, in its first line.
FORMAT = 2
_MARK = "cartlandscape-seed-cache"
_NAME = re.compile(r"seeds-[0-9a-f]{32}\.json")


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


def _header(digest: str) -> bytes:
    return json.dumps({_MARK: FORMAT, "sha256": digest}).encode() + b"\n"


def _read_regular(path: Path, limit: int) -> bytes | None:
    """The first *limit* + 1 bytes at most of *path*, if it is a regular file (else None)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(handle)


def _verified(data: bytes) -> bytes | None:
    """The documents' JSON text of a cache file, if its first line vouches for it."""
    first, newline, body = data.partition(b"\n")
    if not newline:
        return None
    header = json.loads(first)
    if not isinstance(header, dict) or header.get(_MARK) != FORMAT:
        return None
    if header.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    return body


def read(files: Sequence[tuple[str, bytes]]) -> dict[str, dict[str, Any]] | None:
    """The cached documents of *files* by name, or None when there is no usable cache."""
    try:
        path = cache_file(files)
        if path is None:
            return None
        data = _read_regular(path, MAX_BYTES)
        if data is None or len(data) > MAX_BYTES:
            return None
        body = _verified(data)
        if body is None:
            return None
        documents = json.loads(body)
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
        body = json.dumps(documents, ensure_ascii=False, allow_nan=False).encode("utf-8")
        write_bytes(path, _header(hashlib.sha256(body).hexdigest()) + body)
    except (OSError, TypeError, ValueError):
        # TypeError: a document holds a value JSON cannot (a TOML date); not cached then.
        return
    _prune(path)


def _ours(path: Path) -> bool:
    """Whether *path* is a cache file this module wrote: its name, and its first line."""
    if not _NAME.fullmatch(path.name):
        return False
    try:
        data = _read_regular(path, 256)
    except OSError:
        return False
    if data is None:
        return False
    first = data.partition(b"\n")[0]
    try:
        header = json.loads(first)
    except ValueError:
        return False
    return isinstance(header, dict) and header.get(_MARK) == FORMAT


def _prune(kept: Path) -> None:
    """Remove all but the :data:`KEEP` newest cache files in the folder of *kept* (best effort).

    Each release of the library or of the seeds writes a new file; the old ones would pile up.
    Files the cache did not write are never touched, whatever their names.
    """
    try:
        found = sorted(
            (p for p in kept.parent.glob("seeds-*.json") if p != kept and _ours(p)),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for stale in found[KEEP - 1 :]:
            stale.unlink(missing_ok=True)
    except OSError:
        return
