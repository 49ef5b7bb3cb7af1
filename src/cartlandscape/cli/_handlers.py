"""The commands' handlers, each importing its module only when the command runs.

The parser names these functions, so ``--help`` and a usage error import no command module
(and so no pint, no data); a command pays for its own imports only.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cartlandscape.cli._output import Output

__all__ = [
    "compare",
    "export",
    "plot",
    "pool",
    "report",
    "search",
    "show",
    "summary",
    "trials_fetch",
    "trials_list",
    "trials_plot",
    "trials_show",
    "trials_table",
    "validate",
]


def summary(args: argparse.Namespace, out: Output) -> int:
    """The ``summary`` command."""
    from cartlandscape.cli._summary import summary as run

    return run(args, out)


def show(args: argparse.Namespace, out: Output) -> int:
    """The ``show`` command."""
    from cartlandscape.cli._records import show as run

    return run(args, out)


def search(args: argparse.Namespace, out: Output) -> int:
    """The ``search`` command."""
    from cartlandscape.cli._records import search as run

    return run(args, out)


def compare(args: argparse.Namespace, out: Output) -> int:
    """The ``compare`` command."""
    from cartlandscape.cli._analysis import compare as run

    return run(args, out)


def pool(args: argparse.Namespace, out: Output) -> int:
    """The ``pool`` command."""
    from cartlandscape.cli._analysis import pool as run

    return run(args, out)


def plot(args: argparse.Namespace, out: Output) -> int:
    """The ``plot`` command."""
    from cartlandscape.cli._analysis import plot as run

    return run(args, out)


def export(args: argparse.Namespace, out: Output) -> int:
    """The ``export`` command."""
    from cartlandscape.cli._data import export as run

    return run(args, out)


def validate(args: argparse.Namespace, out: Output) -> int:
    """The ``validate`` command."""
    from cartlandscape.cli._data import validate as run

    return run(args, out)


def report(args: argparse.Namespace, out: Output) -> int:
    """The ``report`` command."""
    from cartlandscape.cli._report import report as run

    return run(args, out)


def trials_list(args: argparse.Namespace, out: Output) -> int:
    """The ``trials list`` command."""
    from cartlandscape.cli._trials import list_trials as run

    return run(args, out)


def trials_show(args: argparse.Namespace, out: Output) -> int:
    """The ``trials show`` command."""
    from cartlandscape.cli._trials import show as run

    return run(args, out)


def trials_table(args: argparse.Namespace, out: Output) -> int:
    """The ``trials table`` command."""
    from cartlandscape.cli._trials import table as run

    return run(args, out)


def trials_plot(args: argparse.Namespace, out: Output) -> int:
    """The ``trials plot`` command."""
    from cartlandscape.cli._trials import plot as run

    return run(args, out)


def trials_fetch(args: argparse.Namespace, out: Output) -> int:
    """The ``trials fetch`` command."""
    from cartlandscape.cli._fetch import fetch as run

    return run(args, out)
