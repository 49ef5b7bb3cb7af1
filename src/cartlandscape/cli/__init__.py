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
    report -o FILE               the landscape as one self-contained HTML page
    trials list|show|table|plot  registered CAR-based cell therapy trials (the bundled snapshot)
    trials fetch -o FILE         trials of a query from the ClinicalTrials.gov API, as a bundle

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
    and the outcome ids).  ``trial_pipeline`` has the bundled trial snapshot's counts
    (``retrieved``, ``trials``, ``pipeline``, ``flagged``, ``dropped``, ``modalities``,
    ``recruiting``, and the top ``targets`` and ``countries`` as lists of ``{"target"`` or
    ``"country", "trials"}``), read from its metadata.
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
``trials list --format json``
    A list of ``{"registry_id", "title", "phase", "status", "start", "enrollment", "sponsor",
    "sponsor_class", "countries", "modality", "scope", "targets", "products", "indications"}``
    (targets, products and indications by name); CSV has the same columns.
``trials show ID --format json``
    The trial record in its bundle form (:class:`cartlandscape.trials.model.Trial`).
``trials table VIEW --format json``
    ``target-phase`` and ``country-year``: one object a row, ``{"target"`` or ``"country"``,
    one count a column (``"early 1"``, ``"1"`` ... ``"N/A"``, or a year), ``"total"}``;
    ``sponsors``: ``{"sponsor", "class", "institution", "trials"}``.

CSV (``search``, ``compare``, ``pool``, ``export``, ``trials list``, ``trials table``) has a
header line; ``compare``, ``pool`` and ``export`` write the columns of
:func:`cartlandscape.export.rows`.

The report
----------
``report [-o FILE] [--no-charts]`` writes the landscape as one self-contained HTML file
(default ``landscape.html``; see :mod:`cartlandscape.report`): the approved products, the key
efficacy, safety and durability outcomes of those products with 95% Wilson intervals, the
approvals timeline and forest plots as inline SVG, the policies, the trial pipeline, and every
cited source with its address.  The page loads nothing from a network; its tables sort by a
click on a column header and filter through the text box above them.  The file is replaced
whole or not at all.  Without matplotlib, or with ``--no-charts``, the page says where the
charts would be.  A file name that does not end in ``.html`` is refused (exit status 2).

Registered trials
-----------------
``trials list``, ``trials table``, ``trials plot`` and ``trials show`` read the bundled
ClinicalTrials.gov snapshot (or ``--bundle FILE``, built by ``python -m
cartlandscape.trials.build``) and take the filters of ``Registry.trials_for`` as options:
``--target``, ``--indication``, ``--phase``, ``--status``, ``--country``, ``--sponsor-class``,
``--started FROM:TO``, ``--modality``, ``--product`` and ``--scope pipeline|flagged|all``.
An unknown value is one message with exit status 1.  See :mod:`cartlandscape.trials`.

Fetching trials
---------------
``trials fetch --query TEXT [--intervention TEXT] -o FILE [--page-size N] [--resume]`` asks
the ClinicalTrials.gov API (version 2) for the studies matching ``query.term`` (``--query``)
and/or ``query.intr`` (``--intervention``), ``N`` a page (1 to 1000; default 1000), following
the pages' tokens to the end, about one request a second, with retries on HTTP 429 and 5xx
(honouring ``Retry-After``).  Each raw page is kept as it came in ``FILE.pages/`` with
``state.json`` (the query, each page's address, time and SHA-256, and the next page token).
The studies are converted and annotated as trial records, and the CAR-based cell therapy trials
written to ``FILE`` as a trial bundle (gzip JSON, with ``FILE``'s ``.meta.json`` beside it),
which ``trials list --bundle FILE`` reads.  After a failure or Ctrl-C (exit status 130)
``--resume`` goes on from the last page saved; it refuses a folder of another query.  A
refused query (HTTP 400, with the API's message), no network, a page that is not JSON and a
missing ``fetch`` extra are each one message with exit status 1.  See
:mod:`cartlandscape.trials.ctgov`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO, cast

from cartlandscape.cli._parser import build_parser

if TYPE_CHECKING:
    from cartlandscape.cli._common import Handler

__all__ = ["main"]

PROG = "cartlandscape"


def _fail(message: str) -> int:
    _say(f"{PROG}: {message}")
    return 1


def _say(message: str) -> None:
    """Write a message on stderr, if there is one to write on."""
    if sys.stderr is not None:
        with contextlib.suppress(OSError):
            print(message, file=sys.stderr, flush=True)


class OutputFailedError(Exception):
    """Standard output could not be written: closed, a full disk, a reader gone away."""


class _Guarded:
    """Standard output that turns a failed write into :class:`OutputFailedError`."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if self._stream is None:
            raise OutputFailedError("standard output is closed")
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:  # ValueError: a closed file object
            raise OutputFailedError(_why(exc)) from None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            raise OutputFailedError(_why(exc)) from None

    def isatty(self) -> bool:
        return self._stream is not None and bool(getattr(self._stream, "isatty", bool)())

    def fileno(self) -> int:
        if self._stream is None:
            raise OSError(errno.EBADF, "standard output is closed")
        return self._stream.fileno()


def _why(exc: Exception) -> str:
    return (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)


def _readable_streams() -> None:
    """Let file names that are not valid text (bytes of another encoding) be printed.

    A name the file system gives as bytes that do not decode is kept by Python as surrogate
    escapes, which a strict encoding refuses to write; they are written as escapes instead.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """Point standard output at the null device, so that nothing fails again at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    Wrong arguments exit through :class:`SystemExit` with status 2, as with :mod:`argparse`.
    Every other end is a status: 0 done, 1 a problem reported in one message, 130 an interrupt
    (Ctrl-C); never a traceback.
    """
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _silence_stdout()
        _say(f"{PROG}: interrupted")
        return 130


def _run(argv: Sequence[str] | None) -> int:
    _readable_streams()
    args = build_parser().parse_args(argv)
    # The words given, so that an error can spell out the narrower command to run.
    args.argv = list(sys.argv[1:] if argv is None else argv)
    from cartlandscape.cli._common import CommandError, UsageError
    from cartlandscape.cli._output import Output
    from cartlandscape.errors import DataError, UnknownNameError

    handler: Handler = args.handler
    stdout = _Guarded(sys.stdout)
    out = Output.to(cast("TextIO", stdout), getattr(args, "format", "table"))
    try:
        status = handler(args, out)
        stdout.flush()
        return status
    except DataError as exc:
        return _fail(str(exc))
    except (UnknownNameError, CommandError) as exc:
        return _fail(str(exc))
    except UsageError as exc:
        _say(f"{PROG} {args.command}: error: {exc}")
        return 2
    except OutputFailedError as exc:
        _silence_stdout()
        return _fail(f"cannot write the output: {exc}")
    except BrokenPipeError:
        # The reader went away (``cartlandscape search x | head``): stop quietly.
        _silence_stdout()
        return 1
