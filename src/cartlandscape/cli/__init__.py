"""The ``cartlandscape`` command line.

Commands (``cartlandscape COMMAND --help`` shows each one's options and examples)::

    summary                      the landscape at a glance (--all adds timeline, institutions)
    show NAME                    one record, by any name, with related records and citations
    search TEXT                  records whose names contain TEXT
    compare [THERAPY...]         therapies side by side on an endpoint; none: rank every outcome
    pool                         pool a proportion endpoint across studies
    plot forest|timeline -o F    a forest plot or an approvals timeline, as PNG or SVG
    export                       records as JSON (the data-file shape) or CSV
    validate PATH...             check data files, for CI pipelines
    trials list|show|table|plot  registered CAR-based cell therapy trials (the bundled snapshot)
    trials fetch -o FILE         studies of a query from the ClinicalTrials.gov API, into FILE

Every command but ``trials fetch`` takes ``--data PATH`` (repeatable), which merges your data
files or folders with the bundled data, and ``--format`` where its output is a table.

Exit status: 0 when the command did its job; 1 for a problem with the data, an unknown name,
a search or comparison without matches, outcomes that cannot be compared or pooled, a missing
matplotlib, or a file that cannot be written (one message on stderr, never a traceback); 2 for
wrong arguments.

Output
------
Tables are aligned for a terminal; on a terminal headings are bold (unless ``NO_COLOR`` is
set) and wide columns wrap to its width, while piped output is plain and never wrapped.

JSON output is stable: UTF-8, indented by two spaces, keys sorted, made JSON data by
:func:`cartlandscape.export.plain` -- records in the data-file form (the shape
:func:`cartlandscape.load` reads), values and dates in their text form (``"79 to 89
percent"``, ``"2023-11"``), results as objects of their fields, absent values as null.

``summary --format json``
    The fields of :class:`cartlandscape.summary.Summary`, and ``key_outcomes``: for each
    approved product, indication and response endpoint, ``{"therapy", "indication",
    "endpoint", "low", "high", "unit", "outcomes"}`` (the span of values reported, in percent,
    and the outcome ids).
``show NAME --format json``
    ``{"kind", "id", "label", "file", "record", "references", "referenced_by",
    "citations"}``: ``record`` in its data-file form; ``references`` the records it names and
    ``referenced_by`` the records naming it, each ``{"kind", "id", "label", "field"}`` where
    ``field`` is the naming field's path without list indexes (``"developers"``,
    ``"milestones.indication"``; ``"therapy.targets"`` for an outcome of a therapy directed
    against a target, ``"indication.parent"`` for an outcome in a sub-indication); ``citations``
    every ``{"n", "source", "title", "locator", "note"}`` cited by the record and by the
    outcomes and statements shown with it, numbered as in the table form.
``search TEXT --format json``
    A list of ``{"kind", "id", "label"}``, in registry kind order, then by id.
``compare --format json``
    A :class:`cartlandscape.compare.Comparison` (with its ``differences``), or without
    therapies a :class:`cartlandscape.compare.Table` (with ``positions``).
``pool --format json``
    ``{"pooled": PooledEstimate, "left_out": [reasons]}``: the
    :class:`cartlandscape.pooling.PooledEstimate` of the outcomes that give counts, and why
    each other outcome in scope was left out.
``export --format json``
    ``{"meta": {"release", "as_of"}, "<kind>": [records...], ...}``, records sorted by id;
    without ``--kind`` every kind is written, so the file is a complete dataset that
    ``cartlandscape.load(path, bundled=False)`` reads back.
``validate --format json``
    ``{"ok": bool, "counts": {collection: n}, "problems": [{"file", "line", "column", "kind",
    "record", "field", "message"}]}``.

CSV (``search``, ``compare``, ``pool``, ``export``) has a header line; ``compare``, ``pool``
and ``export`` write the columns of :func:`cartlandscape.export.rows`.

Fetching trials
---------------
``trials fetch --query TEXT [--intervention TEXT] -o FILE [--page-size N] [--resume]`` asks
the ClinicalTrials.gov API (version 2) for the studies matching ``query.term`` (``--query``)
and/or ``query.intr`` (``--intervention``), ``N`` a page (1 to 1000; default 1000), following
the pages' tokens to the end, about one request a second, with retries on HTTP 429 and 5xx
(honouring ``Retry-After``).  ``FILE`` gets a JSON list of the API's study objects; each raw
page is kept as it came in ``FILE.pages/`` with ``state.json`` (the query, each page's
address, time and SHA-256, and the next page token).  After a failure or Ctrl-C (exit status
130) ``--resume`` goes on from the last page saved; it refuses a folder of another query.  A
refused query (HTTP 400, with the API's message), no network, a page that is not JSON and a
missing ``fetch`` extra are each one message with exit status 1.  See
:mod:`cartlandscape.ctgov`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from cartlandscape.cli._parser import build_parser

if TYPE_CHECKING:
    from cartlandscape.cli._common import Handler

__all__ = ["main"]

PROG = "cartlandscape"


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    Wrong arguments exit through :class:`SystemExit` with status 2, as with :mod:`argparse`.
    """
    args = build_parser().parse_args(argv)
    from cartlandscape.cli._common import CommandError, UsageError
    from cartlandscape.cli._output import Output
    from cartlandscape.errors import DataError, UnknownNameError

    module, _, name = args.handler.partition(":")
    handler = cast("Handler", getattr(importlib.import_module(f"{__name__}._{module}"), name))
    out = Output.to(sys.stdout, getattr(args, "format", "table"))
    try:
        return handler(args, out)
    except DataError as exc:
        return _fail(str(exc))
    except (UnknownNameError, CommandError) as exc:
        return _fail(str(exc))
    except UsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``cartlandscape search x | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
