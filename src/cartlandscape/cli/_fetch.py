"""``cartlandscape trials fetch``: studies from the ClinicalTrials.gov API into a file."""

from __future__ import annotations

import argparse
import importlib.util
import sys

from cartlandscape.cli._common import CommandError, UsageError
from cartlandscape.cli._output import Output

__all__ = ["fetch"]


def _missing_extra() -> bool:
    return any(importlib.util.find_spec(name) is None for name in ("requests", "tqdm"))


def fetch(args: argparse.Namespace, out: Output) -> int:
    """Fetch the studies of a query, write their trials to ``-o FILE``, keep the raw pages.

    A failure or Ctrl-C leaves the pages fetched so far and the state to go on from; the
    message says how to resume.
    """
    from cartlandscape.errors import DataError, FetchError, ResumeError
    from cartlandscape.trials.ctgov import FETCH_HINT, Query, fetch_trials, pages_folder

    try:
        query = Query(args.query, args.intervention)
    except ValueError:
        raise UsageError("give --query, --intervention, or both, each a non-empty text") from None

    if _missing_extra():
        raise CommandError(FETCH_HINT)
    pages = pages_folder(args.output)
    resume_hint = f"the pages fetched so far are in {pages}/: rerun with --resume to go on"
    try:
        result = fetch_trials(
            args.output,
            query.term,
            query.intervention,
            page_size=args.page_size,
            resume=args.resume,
        )
    except ResumeError as exc:
        raise CommandError(str(exc)) from None
    except DataError as exc:
        raise CommandError(
            f"{exc}\nthe studies fetched are kept in {pages}/: --resume converts them again "
            "without fetching"
        ) from None
    except FetchError as exc:
        raise CommandError(f"{exc}\n{resume_hint}") from None
    except KeyboardInterrupt:
        print(f"cartlandscape: interrupted; {resume_hint}", file=sys.stderr)
        return 130
    total = "" if result.total_count is None else f" of {result.total_count} reported"
    print(
        f"fetched {result.studies} studies{total} ({result.page_count} raw pages in "
        f"{result.pages}/)\nwrote {result.trials} CAR-based trials to {result.output} "
        f"({result.dropped} other studies dropped)",
        file=sys.stderr,
    )
    return 0
