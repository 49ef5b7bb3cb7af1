"""The ``cartlandscape`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cartlandscape._version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cartlandscape",
        description="The CAR-T cell therapy landscape: typed, cited records.",
        epilog="example: cartlandscape summary",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("summary", help="the landscape at a glance")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    from cartlandscape.errors import DataError
    from cartlandscape.loading import registry
    from cartlandscape.summary import format_summary, summarize

    try:
        reg = registry()
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.command == "summary":
        print(format_summary(summarize(reg)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
