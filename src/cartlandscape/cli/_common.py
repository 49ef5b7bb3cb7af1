"""What the commands share: the registry they work on, and the failure they report."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.cli._output import Output

__all__ = ["CommandError", "Handler", "UsageError", "registry_for"]

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
