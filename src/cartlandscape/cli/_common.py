"""What the commands share: the registry they work on, and the failure they report."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.cli._output import Output

__all__ = ["CommandError", "Handler", "UsageError", "output_path", "registry_for", "write_output"]

#: A command: it reads its arguments, writes to its output and returns the exit status.
Handler: TypeAlias = Callable[[argparse.Namespace, "Output"], int]


class CommandError(Exception):
    """A user's mistake a command reports in one message (exit status 1, no traceback)."""


class UsageError(Exception):
    """Arguments that do not go together (exit status 2, as for any wrong argument)."""


def registry_for(args: argparse.Namespace) -> Registry:
    """The bundled registry, merged with the ``--data`` files if any were given."""
    from cartlandscape.loading import load, registry

    data = getattr(args, "data", None) or []
    return load(*data) if data else registry()


def output_path(path: str, inputs: Iterable[str] = ()) -> Path:
    """Check an output file: a file name (not a folder), and none of the *inputs* it would replace.

    *inputs* are the ``--data`` files and folders of the command: writing over one of them
    would destroy what the command read.
    """
    target = Path(path)
    if not path or not target.name or path.endswith(("/", os.sep)) or target.is_dir():
        raise UsageError(f"expected an output file name, found {path!r}")
    from cartlandscape.loading import data_files

    if target.exists():
        for given in inputs:
            root = Path(given)
            try:
                read = list(data_files(root)) if root.exists() else []
            except OSError:
                continue
            if any(isinstance(item, Path) and _same(item, target) for item in read):
                raise UsageError(
                    f"{path} is one of the data files read (--data {given}); "
                    "write the output to another file"
                )
    return target


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def write_output(path: str, text: str, inputs: Iterable[str] = ()) -> bool:
    """Write *text* to *path* whole or not at all; return whether a file was replaced.

    A failure (a full disk, no permission) leaves any earlier file as it was and no partial
    file, and is reported as a :class:`CommandError`.
    """
    from cartlandscape.atomic import write_text

    target = output_path(path, inputs)
    try:
        return write_text(target, text)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
