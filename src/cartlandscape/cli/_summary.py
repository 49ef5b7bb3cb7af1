"""``cartlandscape summary``: :func:`cartlandscape.summary.summarize`, as tables or JSON.

The table form (:func:`cartlandscape.summary.format_summary` given the registry) shows the
approved products with their first approvals, the approved products grouped by target,
indication and year (with one line each for modalities and agencies), the key outcomes and the
key safety figures of the approved products, and the policies; ``--all`` adds the approval
timeline and the institutions.  Each approval is printed with one date, its milestone's
(``cartlandscape show`` lists the dates other sources give, with the reason).  ``--format
json`` writes every part of the summary, the key outcomes as ``key_outcomes`` (see
:class:`cartlandscape.summary.KeyOutcome`) and the key safety figures as ``key_safety`` (see
:class:`cartlandscape.summary.KeySafety`).
"""

from __future__ import annotations

import argparse

from cartlandscape.cli._common import registry_for
from cartlandscape.cli._output import Output
from cartlandscape.summary import (
    KEY_ENDPOINTS,
    SAFETY_ENDPOINTS,
    SAFETY_GRADES,
    KeyOutcome,
    KeySafety,
    format_summary,
    key_outcomes,
    key_safety,
)

__all__ = [
    "KEY_ENDPOINTS",
    "SAFETY_ENDPOINTS",
    "SAFETY_GRADES",
    "KeyOutcome",
    "KeySafety",
    "key_outcomes",
    "key_safety",
    "summary",
]


def summary(args: argparse.Namespace, out: Output) -> int:
    """Print the summary of the registry (``--format table`` or ``json``)."""
    from cartlandscape.summary import summarize

    reg = registry_for(args)
    result = summarize(reg)
    if out.format == "json":
        from cartlandscape.export import plain
        from cartlandscape.trials.store import pipeline_summary

        out.json(
            {
                **plain(result),
                "key_outcomes": key_outcomes(reg),
                "key_safety": key_safety(reg),
                "trial_pipeline": pipeline_summary(reg),
            }
        )
        return 0
    out.text(format_summary(result, reg, everything=args.all, width=out.width, bold=out.color))
    return 0
