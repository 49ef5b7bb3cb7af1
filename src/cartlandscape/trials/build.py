"""Build a trial bundle: ``python -m cartlandscape.trials.build SRC -o OUT``.

*SRC* is the snapshot table (a ``.csv`` file such as ``cart_trials_2026-10.csv``) or
ClinicalTrials.gov API v2 data: a JSON file holding a list of study objects or a page
(``{"studies": [...]}``), or a folder of such files (the raw pages ``cartlandscape trials
fetch`` saves).  The studies are converted and annotated, the CAR-based cell therapy trials
kept, and the bundle written to *OUT* (gzip JSON) with its ``.meta.json``; the counts of kept
and dropped studies, with the reasons, are printed.

``--retrieved`` says when the data were fetched (default ``2026-10``, the bundled snapshot's
retrieval).  Bad input is reported as one message listing every problem (exit status 1).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cartlandscape.errors import DataError, Problem

if TYPE_CHECKING:
    from cartlandscape.trials.model import Trial

__all__ = ["build", "bundle", "main", "read_api_studies"]

#: The bundled snapshot's retrieval month.
SNAPSHOT_RETRIEVED = "2026-10"


def read_api_studies(path: Path) -> list[dict[str, Any]]:
    """The study objects in a JSON file or folder of API v2 pages or study lists."""
    from cartlandscape.trials.ctgov import STATE_FILE

    # A folder of raw pages from ``trials fetch`` holds its fetch state too: not a page.
    items = (
        sorted(
            p for p in path.rglob("*.json") if not p.name.startswith(".") and p.name != STATE_FILE
        )
        if path.is_dir()
        else [path]
    )
    if not items:
        raise DataError(
            [
                Problem(
                    "expected JSON files of ClinicalTrials.gov studies, found none", file=str(path)
                )
            ]
        )
    studies: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for item in items:
        try:
            document = json.loads(item.read_bytes())
        except (OSError, ValueError) as exc:
            problems.append(Problem(f"cannot read JSON: {exc}", file=str(item)))
            continue
        if isinstance(document, dict) and isinstance(document.get("studies"), list):
            document = document["studies"]
        elif isinstance(document, dict) and "protocolSection" in document:
            document = [document]
        if not isinstance(document, list):
            problems.append(
                Problem(
                    "expected a list of studies, a page with 'studies', or one study",
                    file=str(item),
                )
            )
            continue
        studies.extend(document)
    if problems:
        raise DataError(problems)
    return studies


def build(source: Path, output: Path, *, retrieved: str = SNAPSHOT_RETRIEVED) -> dict[str, Any]:
    """Convert *source*, keep the CAR-based trials, write the bundle; return its metadata."""
    from cartlandscape.trials.convert import (
        CSV_SOURCE,
        REGISTRY_SOURCE,
        from_api_studies,
        from_csv_rows,
    )

    if not source.exists():
        raise DataError([Problem("no such file or folder", file=str(source))])
    digest = None
    if source.is_file():
        data = source.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
    sources = {"registry": REGISTRY_SOURCE}
    if source.suffix.lower() == ".csv":
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        trials = from_csv_rows(rows, retrieved=retrieved, file=str(source))
        sources["table"] = CSV_SOURCE
    else:
        trials = from_api_studies(read_api_studies(source), retrieved=retrieved, file=str(source))
    return bundle(trials, output, retrieved=retrieved, sources=sources, input_sha256=digest)


def bundle(
    trials: Iterable[Trial],
    output: Path,
    *,
    retrieved: str,
    sources: Mapping[str, str],
    input_sha256: str | None = None,
    fetched: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keep the CAR-based *trials* and write them as a bundle to *output*; return its metadata.

    *fetched*, where given, goes in the metadata as ``fetch``: what ``cartlandscape trials
    fetch`` asked the API and where it kept the raw pages.
    """
    from cartlandscape.trials.convert import select
    from cartlandscape.trials.store import metadata, write_bundle

    kept, dropped = select(trials)
    meta = metadata(kept, dropped, retrieved=retrieved, sources=sources, input_sha256=input_sha256)
    if fetched is not None:
        meta["fetch"] = dict(fetched)
    meta["sha256"] = write_bundle(output, kept, meta)
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build from the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cartlandscape.trials.build",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "source", type=Path, metavar="SRC", help="a .csv table, or API v2 JSON (file or folder)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="the bundle to write (.json.gz)",
    )
    parser.add_argument(
        "--retrieved", default=SNAPSHOT_RETRIEVED, help="when the data were fetched (YYYY-MM[-DD])"
    )
    args = parser.parse_args(argv)
    try:
        meta = build(args.source, args.output, retrieved=args.retrieved)
    except DataError as exc:
        print(f"cartlandscape.trials.build: {exc}", file=sys.stderr)
        return 1
    counts = meta["counts"]
    print(
        f"kept {counts['trials']} CAR-based trials ({counts['pipeline']} in the pipeline; flagged: "
        + (", ".join(f"{k} {v}" for k, v in counts["flagged"].items()) or "none")
        + ")"
    )
    print(f"dropped {counts['dropped']}:")
    for reason, n in counts["dropped_reasons"].items():
        print(f"  {n:5d}  {reason}")
    print(f"wrote {args.output} (sha256 {meta['sha256']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
