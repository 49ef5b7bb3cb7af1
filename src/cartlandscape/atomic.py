"""Writing a file whole or not at all.

:func:`replacing` gives a temporary file in the folder of the target; once it has been written
it replaces the target in one step (:func:`os.replace`), so a reader sees the old file or the
new one, never half of one.  When writing fails — a full disk, an interrupted program — the
temporary file is removed and the old file stays as it was.

>>> import pathlib, tempfile
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> write_text(target, "first")
False
>>> write_text(target, "second"), target.read_text()
(True, 'second')
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_bytes", "write_text"]


@contextlib.contextmanager
def replacing(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write, which replaces *target* when the block ends without error.

    The temporary file is in the same folder (so the replacement is one rename) and keeps the
    target's suffix (for writers that choose a format by it).  On an error it is removed and
    the error goes on.  A target that is a folder is refused before anything is written; a
    missing folder is not created.
    """
    target = Path(target)
    if target.is_dir():
        raise IsADirectoryError(21, "is a folder", str(target))
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f"{target.suffix}.tmp"
    )
    temporary = Path(name)
    try:
        # mkstemp makes a private file (0600); the result gets the mode a file written in
        # place would have: the replaced file's, or the default the umask leaves.
        os.chmod(handle, _mode_for(target))
    finally:
        os.close(handle)
    try:
        yield temporary
        if target.exists() and not target.is_file():
            raise IsADirectoryError(21, "is not a regular file", str(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _mode_for(target: Path) -> int:
    """The permission bits of the existing *target*, or those a new file gets by default."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_bytes(target: str | os.PathLike[str], data: bytes) -> bool:
    """Write *data* to *target* whole or not at all; return whether a file was replaced."""
    existed = Path(target).exists()
    with replacing(target) as temporary, temporary.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    return existed


def write_text(target: str | os.PathLike[str], text: str) -> bool:
    """Write *text* as UTF-8 (line ends as given) whole or not at all; return whether replaced."""
    return write_bytes(target, text.encode("utf-8"))
