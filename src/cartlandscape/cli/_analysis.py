"""``cartlandscape compare`` and ``cartlandscape pool``: outcomes side by side, and pooled.

The calculations are :func:`cartlandscape.compare.compare`, :func:`~cartlandscape.compare.rank`
and :func:`cartlandscape.pooling.pool`; this module chooses the outcomes from the arguments
and lays the results out.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import shlex
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cartlandscape._registry import Registry
from cartlandscape.cli._common import CommandError, UsageError, output_path, registry_for
from cartlandscape.cli._output import Output
from cartlandscape.models import Outcome

if TYPE_CHECKING:
    from cartlandscape.errors import ComparisonError, InsufficientDataError, Remedy

__all__ = ["compare", "plot", "pool"]


def option_text(remedy: Remedy) -> str:
    """A remedy in command-line words: ``--allow-mismatch``, ``--indication 'multiple-myeloma'``.

    >>> from cartlandscape.errors import Remedy
    >>> option_text(Remedy("allow_mismatch", True, "to compare anyway"))
    '--allow-mismatch to compare anyway'
    >>> option_text(Remedy("indication", "b-cell-acute-lymphoblastic-leukemia"))
    '--indication b-cell-acute-lymphoblastic-leukemia'
    """
    option = "--" + remedy.option.replace("_", "-")
    if remedy.value is not None and remedy.value is not True:
        option += f" {shlex.quote(str(remedy.value))}"
    return " ".join(filter(None, [option, remedy.effect]))


def _narrower(argv: Sequence[str], remedy: Remedy) -> str:
    """The command *argv* with the option of *remedy* set to its value (replacing any given)."""
    option = "--" + remedy.option.replace("_", "-")
    kept: list[str] = []
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == option:
            skip = True
            continue
        if word.startswith(option + "="):
            continue
        kept.append(word)
    words = ["cartlandscape", *kept, option, str(remedy.value)]
    return " ".join(shlex.quote(w) for w in words)


def refusal_text(
    exc: ComparisonError | InsufficientDataError, argv: Sequence[str] | None = None
) -> str:
    """The message of a refusal, its remedies worded as this command's options.

    A remedy that names a value (an indication, a time point found among the outcomes) is
    given, when *argv* is known, as the whole command that asks that narrower question.
    """
    if not exc.remedies:
        return exc.reason
    exact = [r for r in exc.remedies if argv is not None and r.value not in (None, True)]
    others = [r for r in exc.remedies if r not in exact]
    lines = [exc.reason + ("." if exact else "")]
    if exact:
        lines.append("Ask a narrower question:")
        lines.extend(f"  {_narrower(argv or (), r)}   # {r.effect.strip('()')}" for r in exact)
    if others:
        lead = "or use " if exact else ". Use "
        text = lead + ", or ".join(option_text(r) for r in others)
        if exact:
            lines.append(text)
        else:
            lines[0] += text
    return "\n".join(lines)


@contextlib.contextmanager
def _reported(args: argparse.Namespace | None = None) -> Iterator[None]:
    """Turn the calculations' refusals into command errors (with the narrower commands)."""
    from cartlandscape.errors import (
        ComparisonError,
        InsufficientDataError,
        MissingDependencyError,
    )

    try:
        yield
    except (ComparisonError, InsufficientDataError) as exc:
        argv = getattr(args, "argv", None) if args is not None else None
        raise CommandError(refusal_text(exc, argv)) from None
    except MissingDependencyError as exc:
        raise CommandError(str(exc)) from None


def _csv(out: Output, result: object) -> None:
    """Write a result as CSV, one row per outcome (see :func:`cartlandscape.export.rows`)."""
    from cartlandscape.export import to_csv

    out.stream.write(to_csv(result))


def _compared_or_ranked(reg: Registry, args: argparse.Namespace, *, descending: bool = True) -> Any:
    """The comparison of the therapies the arguments name, or without any, the ranking."""
    comparing = importlib.import_module("cartlandscape.compare")
    common = {
        "endpoint": args.endpoint,
        "indication": args.indication,
        "timepoint": args.timepoint,
        "allow_mismatch": args.allow_mismatch,
        "grade": args.grade,
        "grading_scale": args.grading_scale,
        "one_per_study": args.one_per_study,
    }
    if args.therapies:
        return comparing.compare(reg, args.therapies, **common)
    return comparing.rank(reg, descending=descending, **common)


def compare(args: argparse.Namespace, out: Output) -> int:
    """Compare therapies on an endpoint; without therapies, rank every outcome of it."""
    if len(args.therapies) == 1:
        raise UsageError("compare needs two or more therapies (or none, to rank every outcome)")
    reg = registry_for(args)
    with _reported(args):
        result: Any = _compared_or_ranked(reg, args, descending=not args.lowest_first)
    if not result.rows:
        raise CommandError(f"no {result.endpoint.label} outcome matches")
    if out.format == "csv":
        _csv(out, result)
        return 0
    if out.format == "json":
        out.json(result)
        return 0
    out.text(result.format(reg, width=out.width, bold=out.color))
    return 0


def _pooled_outcomes(reg: Registry, args: argparse.Namespace) -> tuple[list[Outcome], list[str]]:
    """The outcomes to pool: those in scope that give counts; and why others were left out."""
    from cartlandscape.errors import InsufficientDataError
    from cartlandscape.stats import counts
    from cartlandscape.studies import one_per_study

    if args.outcome:
        # Given one by one: an outcome without counts is an error, not left out.
        return [reg.outcomes[reg.lookup(name, "outcome").id] for name in args.outcome], []
    found = reg.outcomes_for(
        endpoint=args.endpoint,
        therapy=args.therapy,
        target=args.target,
        indication=args.indication,
        grade=args.grade,
        grading_scale=args.grading_scale,
    )
    usable, left_out = [], []
    for outcome in found:
        try:
            counts(outcome)
        except InsufficientDataError as exc:
            left_out.append(str(exc))
        else:
            usable.append(outcome)
    if args.one_per_study:
        usable, dropped = one_per_study(usable, reg)
        left_out.extend(dropped)
    return usable, left_out


def pool(args: argparse.Namespace, out: Output) -> int:
    """Pool the proportions of an endpoint across the outcomes that give their counts."""
    import cartlandscape.pooling as pooling
    from cartlandscape.formatting import format_pooled
    from cartlandscape.vocabulary import parse_endpoint

    filters = (args.therapy, args.target, args.indication, args.grade, args.grading_scale)
    if args.outcome and (any(filters) or args.one_per_study):
        raise UsageError("--outcome names the outcomes to pool: leave out the filters")
    if not args.outcome and args.endpoint is None:
        raise UsageError("give --endpoint (with filters), or the outcomes with --outcome")
    reg = registry_for(args)
    outcomes, left_out = _pooled_outcomes(reg, args)
    label = parse_endpoint(args.endpoint or outcomes[0].endpoint).label
    if not outcomes:
        why = f" ({'; '.join(left_out)})" if left_out else ""
        raise CommandError(f"no {label} outcome in scope gives the counts to pool{why}")
    options: dict[str, Any] = {
        "endpoint": args.endpoint,
        "level": args.level,
        "same_indication": args.same_indication,
        "measure": args.measure,
        "tau2": args.tau2,
        "ci": args.ci,
        "model": "glmm" if args.glmm else "two-stage",
        "correction": args.correction,
    }
    if args.by:
        return _pool_by(reg, outcomes, left_out, args.by, options, out)
    with _reported(args):
        result = pooling.pool(outcomes, **options)
        sensitivity = pooling.leave_one_out(outcomes, **options) if args.leave_one_out else ()
    if out.format == "json":
        document: dict[str, Any] = {"pooled": result, "left_out": left_out}
        if args.leave_one_out:
            document["leave_one_out"] = [
                {"left_out": s.outcome, "pooled": refit}
                for s, refit in zip(result.weights, sensitivity, strict=True)
            ]
        out.json(document)
        return 0
    if out.format == "csv":
        _csv(out, result)
        return 0
    text = format_pooled(
        result, reg, left_out=left_out, sensitivity=sensitivity, width=out.width, bold=out.color
    )
    out.text(text)
    return 0


def _pool_by(
    reg: Registry,
    outcomes: list[Outcome],
    left_out: list[str],
    by: str,
    options: dict[str, Any],
    out: Output,
) -> int:
    """Pool each subgroup (by target, indication or therapy) and test their difference."""
    import cartlandscape.pooling as pooling
    from cartlandscape.formatting import format_subgroups

    def key(outcome: Outcome) -> str:
        if by == "indication":
            return reg.label_of("indication", outcome.indication) or "no indication"
        if outcome.therapy is None:
            return reg.label_of("institution", outcome.institution) or "no therapy"
        therapy = reg.therapies[outcome.therapy]
        if by == "therapy":
            return therapy.name
        names = [reg.label_of("target", t) or t for t in therapy.targets]
        return " + ".join(names) or "no target"

    with _reported():
        analysis = pooling.subgroups(outcomes, key, by=by, **options)
    if out.format == "json":
        out.json({"subgroups": analysis, "left_out": left_out})
        return 0
    if out.format == "csv":
        _csv(out, analysis)
        return 0
    out.text(format_subgroups(analysis, left_out=left_out, width=out.width, bold=out.color))
    return 0


_PLOT_HINT = 'plots need matplotlib: pip install "cartlandscape[plot]"'


@contextlib.contextmanager
def _plotting() -> Iterator[None]:
    """Report a matplotlib that cannot be imported, or a file not written, in one line."""
    try:
        yield
    except ImportError as exc:
        raise CommandError(f"{_PLOT_HINT} ({exc})") from None
    except OSError as exc:
        raise CommandError(f"cannot write {exc.filename or 'the image'}: {exc.strerror}") from None


def plot(args: argparse.Namespace, out: Output) -> int:
    """Draw a forest plot of an endpoint, or a timeline of approvals, into a PNG or SVG file."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise CommandError(_PLOT_HINT)
    import cartlandscape.plots as plots

    target = output_path(args.output, getattr(args, "data", None) or [])
    if target.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"save a plot as a .png or .svg file, not {args.output!r}")
    replacing = target.exists()
    reg = registry_for(args)
    with _reported(args), _plotting():
        if args.chart == "timeline":
            agencies = [args.agency] if args.agency else None
            written = plots.timeline_plot(reg, args.output, agencies=agencies)
        else:
            if args.endpoint is None:
                raise UsageError("a forest plot needs --endpoint")
            if len(args.therapies) == 1:
                raise UsageError("a forest plot compares two or more therapies (or ranks all)")
            result = _compared_or_ranked(reg, args)
            if not result.rows:
                raise CommandError(f"no {result.endpoint.label} outcome to plot")
            written = plots.forest_plot(result, args.output)
    also = ", replacing the file that was there" if replacing else ""
    print(f"wrote {written}{also}", file=sys.stderr)
    return 0
