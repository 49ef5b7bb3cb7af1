"""``cartlandscape export`` and ``cartlandscape validate``: data out, and data checked."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from cartlandscape.cli._common import UsageError, output_path, registry_for, write_output
from cartlandscape.cli._output import Output, dumps
from cartlandscape.errors import DataError, Problem
from cartlandscape.kinds import BASE_KINDS, collection_of

__all__ = ["export", "validate"]


def export(args: argparse.Namespace, out: Output) -> int:
    """Write records of the chosen kinds (default: every kind) as JSON or CSV."""
    kinds = list(dict.fromkeys(args.kind or BASE_KINDS))
    if args.format == "csv" and len(kinds) != 1:
        raise UsageError("--format csv writes one kind of record: give exactly one --kind")
    inputs = getattr(args, "data", None) or []
    if args.output is not None:
        output_path(args.output, inputs)  # before any work: never write over what is read
    reg = registry_for(args)
    if args.format == "csv":
        from cartlandscape.export import to_csv

        records = sorted(getattr(reg, collection_of(kinds[0])), key=lambda r: r.id)
        text = to_csv(records) if records else ""
    else:
        from cartlandscape.export import registry_document

        text = dumps(registry_document(reg, kinds=kinds, by_id=True))
    if args.output is None:
        out.stream.write(text)
        return 0
    replaced = write_output(args.output, text, inputs=inputs)
    count = sum(len(getattr(reg, collection_of(k))) for k in kinds)
    also = ", replacing the file that was there" if replaced else ""
    print(f"wrote {count} records to {args.output}{also}", file=sys.stderr)
    return 0


def _file_names(paths: list[str]) -> set[str]:
    """The names the loader gives the data files it reads for *paths* (their records' origin)."""
    from cartlandscape.loading import data_files

    found: set[str] = set()
    for given in paths:
        try:  # a path the loader cannot read is reported by the loader, not here
            if given and Path(given).exists():
                found.update(str(item) for item in data_files(Path(given)))
        except OSError:
            continue
    return found


def _problem(p: Problem) -> dict[str, Any]:
    keys = ("file", "line", "column", "kind", "record", "field", "message")
    return {key: getattr(p, key) for key in keys}


def validate(args: argparse.Namespace, out: Output) -> int:
    """Check data files; print one OK line with counts, or every problem, one per line."""
    from cartlandscape.loading import load

    paths = [*args.data, *args.paths]
    problems: list[Problem] = []
    counts: Counter[str] = Counter()
    files = _file_names(paths)
    try:
        reg = load(*paths, bundled=not args.no_bundled)
    except DataError as exc:
        problems = list(exc.problems)
    else:
        counts.update(r.kind for r in reg.records() if reg.origin(r) in files)
    ordered = {collection_of(k): counts[k] for k in BASE_KINDS if counts[k]}
    if out.format == "json":
        out.json(
            {"ok": not problems, "counts": ordered, "problems": [_problem(p) for p in problems]}
        )
    elif problems:
        for problem in problems:
            out.write(str(problem))
    else:
        what = ", ".join(f"{n} {k}" for k, n in ordered.items()) or "no records"
        against = "without the bundled data" if args.no_bundled else "with the bundled data"
        noun = "file" if len(files) == 1 else "files"
        out.write(f"OK: {len(files)} {noun} valid {against}: {what}")
    if problems:
        count = len(problems)
        print(f"cartlandscape: {count} problem{'s' * (count != 1)} found", file=sys.stderr)
        return 1
    return 0
