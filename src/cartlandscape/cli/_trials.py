"""``cartlandscape trials``: the registered-trial pipeline from the command line.

Subcommands: ``list`` (trials matching filters, as a table, JSON or CSV), ``show ID``,
``table target-phase|country-year|sponsors`` (landscape tables) and ``plot -o FILE``.
``--bundle FILE`` reads a bundle built with ``python -m cartlandscape.trials.build`` instead
of the bundled snapshot.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cartlandscape.cli._common import CommandError, registry_for
from cartlandscape.cli._output import Output
from cartlandscape.tables import Column

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.trials.model import Trial

__all__ = ["list_trials", "plot", "show", "table"]

_SCOPES = {"pipeline": True, "flagged": False, "all": None}


@contextmanager
def _reported() -> Iterator[None]:
    """Turn a wrong filter value into a one-line command error."""
    try:
        yield
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _started(text: str | None) -> tuple[str | None, str | None] | None:
    if not text:
        return None
    low, sep, high = text.partition(":")
    if not sep:
        return (low, low)
    return (low or None, high or None)


def _trials(args: argparse.Namespace) -> tuple[Registry, tuple[Trial, ...]]:
    from cartlandscape.trials.query import trials_for
    from cartlandscape.trials.store import trials_of

    reg = registry_for(args)
    source = trials_of(reg, args.bundle) if getattr(args, "bundle", None) else None
    with _reported():
        found = trials_for(
            reg,
            source,
            target=args.target,
            indication=args.indication,
            phase=args.phase,
            status=args.status,
            country=args.country,
            sponsor_class=args.sponsor_class,
            started=_started(args.started),
            modality=args.modality,
            product=args.product,
            in_pipeline=_SCOPES[args.scope],
        )
    return reg, found


def _row(reg: Registry, trial: Trial) -> dict[str, Any]:
    def names(kind: str, idents: Sequence[str]) -> list[str]:
        found = []
        for ident in idents:
            record = reg.get(kind, ident)
            found.append(getattr(record, "name", ident) if record is not None else ident)
        return found

    return {
        "registry_id": trial.registry_id,
        "title": trial.title,
        "phase": trial.phase_label,
        "status": trial.status.value,
        "start": str(trial.start.date) if trial.start else None,
        "enrollment": trial.enrollment.count if trial.enrollment else None,
        "sponsor": trial.sponsor.name if trial.sponsor else None,
        "sponsor_class": trial.sponsor.type.value if trial.sponsor and trial.sponsor.type else None,
        "countries": list(trial.countries),
        "modality": trial.modality.modality.value if trial.modality else None,
        "scope": trial.scope.scope.value if trial.scope else None,
        "targets": names("target", trial.target_ids),
        "products": names("therapy", trial.product_ids),
        "indications": names("indication", trial.indication_ids),
    }


_COLUMNS = [
    Column("registry_id", "Trial"),
    Column("phase", "Phase"),
    Column("status", "Status"),
    Column("start", "Start"),
    Column("targets", "Targets"),
    Column("countries", "Countries"),
    Column("sponsor", "Sponsor"),
    Column("title", "Title"),
]
_ALL_COLUMNS = [
    *_COLUMNS,
    Column("enrollment", "Enrollment"),
    Column("sponsor_class", "Sponsor class"),
    Column("modality", "Modality"),
    Column("scope", "Scope"),
    Column("products", "Products"),
    Column("indications", "Indications"),
]


def list_trials(args: argparse.Namespace, out: Output) -> int:
    """List the trials matching the filters (table, JSON or CSV)."""
    reg, found = _trials(args)
    rows = [_row(reg, t) for t in found]
    if out.format == "table":
        limit = args.limit
        out.table(_COLUMNS, rows[:limit] if limit else rows)
        more = f" (first {limit} shown; --limit 0 shows all)" if limit and len(rows) > limit else ""
        print(f"{len(rows)} trials{more}", file=sys.stderr)
    else:
        out.rows(_ALL_COLUMNS, rows)
    return 0


def show(args: argparse.Namespace, out: Output) -> int:
    """One trial, with its annotations and their evidence."""
    from cartlandscape.text import normalize
    from cartlandscape.trials.store import trials_of

    reg = registry_for(args)
    trials = trials_of(reg, args.bundle) if args.bundle else reg.trials
    key = normalize(args.id)
    trial = next((t for t in trials if any(normalize(r) == key for r in t.registry_ids)), None)
    if trial is None:
        raise CommandError(f"no trial has the registry id {args.id!r} in the snapshot")
    if out.format == "json":
        out.json(trial)
        return 0
    out.heading(f"{trial.registry_id}: {trial.title}")
    for key_, value in _row(reg, trial).items():
        if key_ not in ("registry_id", "title") and value not in (None, [], ""):
            out.write(f"  {key_}: {', '.join(value) if isinstance(value, list) else value}")
    for name in ("modality", "scope"):
        annotation = getattr(trial, name)
        if annotation is not None:
            evidence = "; ".join(f"{e.field}: {e.text!r}" for e in annotation.evidence)
            out.write(f"  {name} evidence ({annotation.confidence.value}): {evidence}")
    for name, kind in (
        ("targets", "target"),
        ("products", "therapy"),
        ("indications", "indication"),
    ):
        for annotation in getattr(trial, name):
            ident = getattr(annotation, kind if kind != "therapy" else "therapy")
            evidence = "; ".join(f"{e.field}: {e.text!r}" for e in annotation.evidence)
            out.write(f"  {kind} {ident} ({annotation.confidence.value}): {evidence}")
    out.write("  cited: " + "; ".join(f"{c.source} ({c.locator})" for c in trial.citations))
    return 0


def table(args: argparse.Namespace, out: Output) -> int:
    """A landscape table of the matching trials: target × phase, country × year, top sponsors."""
    from cartlandscape.trials.query import country_year, target_phase, top_sponsors

    reg, found = _trials(args)
    if args.view == "sponsors":
        rows = top_sponsors(found, args.limit or 10)
        columns = [
            Column("sponsor", "Sponsor"),
            Column("class", "Class"),
            Column("institution", "Institution"),
            Column("trials", "Trials", align="right"),
        ]
        out.rows(columns, rows)
        return 0
    cross = (
        target_phase(found, reg, limit=args.limit or None)
        if args.view == "target-phase"
        else country_year(found, limit=args.limit or None)
    )
    columns = [
        Column(cross.row_label, cross.row_label.capitalize()),
        *(Column(c, c, align="right") for c in cross.columns),
        Column("total", "Total", align="right"),
    ]
    out.rows(columns, cross.records())
    return 0


def plot(args: argparse.Namespace, out: Output) -> int:
    """Draw trials started per year by country and the top targets, as PNG or SVG."""
    import importlib.util

    from cartlandscape.cli._common import UsageError

    if importlib.util.find_spec("matplotlib") is None:
        from cartlandscape.plots import PLOT_HINT

        raise CommandError(PLOT_HINT)
    if not args.output.lower().endswith((".png", ".svg")):
        raise UsageError(f"save a plot as .png or .svg, not {args.output!r}")
    from cartlandscape.trials.plot import pipeline_plot

    reg, found = _trials(args)
    if not found:
        raise CommandError("no trial matches the filters")
    try:
        written = pipeline_plot(found, args.output, registry=reg)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {written}", file=sys.stderr)
    return 0
