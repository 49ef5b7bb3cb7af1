"""The ``report`` command: the landscape as one self-contained HTML page."""

from __future__ import annotations

import argparse
import sys

from cartlandscape.cli._common import CommandError, UsageError, output_path, registry_for
from cartlandscape.cli._output import Output

__all__ = ["report"]


def report(args: argparse.Namespace, out: Output) -> int:
    """Write the landscape report (see :mod:`cartlandscape.report`) to an HTML file."""
    from cartlandscape.report import CHARTS_HINT, charts_available, write_report

    target = output_path(args.output, getattr(args, "data", None) or [])
    if target.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"save the report as an .html file, not {args.output!r}")
    replacing = target.exists()
    reg = registry_for(args)
    charts = False if args.no_charts else None
    try:
        written = write_report(reg, target, charts=charts)
    except OSError as exc:
        raise CommandError(f"cannot write {exc.filename or target}: {exc.strerror}") from None
    also = ", replacing the file that was there" if replacing else ""
    print(f"wrote {written}{also}", file=sys.stderr)
    if not args.no_charts and not charts_available():
        print(f"no charts: {CHARTS_HINT}", file=sys.stderr)
    return 0
