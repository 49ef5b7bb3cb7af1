"""The landscape at a glance: approved products, counts by target and indication, policies.

>>> import cartlandscape
>>> from cartlandscape.summary import summarize
>>> s = summarize(cartlandscape.registry())
>>> s.counts["therapies"] > 0
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import attrs

from cartlandscape._registry import DataVersion, Registry
from cartlandscape.dates import PartialDate
from cartlandscape.kinds import BASE_KINDS

__all__ = ["ApprovalRow", "Summary", "format_summary", "summarize"]


@attrs.frozen
class ApprovalRow:
    """A product's first approval by one agency."""

    agency: str
    therapy: str
    name: str
    targets: tuple[str, ...]
    indication: str | None
    date: PartialDate | None


@attrs.frozen
class Summary:
    """Counts and first approvals of a registry; ``format_summary`` prints it."""

    version: DataVersion | None
    counts: Mapping[str, int]
    approvals: tuple[ApprovalRow, ...]
    by_target: Mapping[str, int]
    by_indication: Mapping[str, int]
    policies: tuple[str, ...]


def summarize(registry: Registry) -> Summary:
    """Summarize *registry*; the result does not depend on the order of its records."""
    rows = []
    for therapy in registry.therapies:
        agencies = sorted({m.agency for m in therapy.approvals()})
        for agency in agencies:
            first = therapy.first_approval(agency)
            if first is None:
                continue
            indication = registry.indications.get(first.indication) if first.indication else None
            rows.append(
                ApprovalRow(
                    agency=agency,
                    therapy=therapy.id,
                    name=therapy.name,
                    targets=tuple(registry.targets[t].name for t in therapy.targets),
                    indication=indication.name if indication else None,
                    date=first.date,
                )
            )
    rows.sort(key=lambda r: (r.agency, r.date is None, r.date or PartialDate(1), r.name))
    approved = [t for t in registry.therapies if t.is_approved]
    by_target = Counter(registry.targets[t].name for th in approved for t in th.targets)
    by_indication = Counter(
        registry.indications[i].name
        for th in approved
        for i in {m.indication for m in th.approvals() if m.indication}
    )
    return Summary(
        version=registry.version,
        counts={BASE_KINDS[k][1]: len(list(registry._sets[k])) for k in BASE_KINDS},
        approvals=tuple(rows),
        by_target=dict(sorted(by_target.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_indication=dict(sorted(by_indication.items(), key=lambda kv: (-kv[1], kv[0]))),
        policies=tuple(sorted(p.name for p in registry.policies)),
    )


def format_summary(summary: Summary) -> str:
    """Plain text for a terminal."""
    lines = ["CAR-T landscape — cartlandscape data " + (str(summary.version or "unversioned"))]
    lines.append("Records: " + ", ".join(f"{n} {k}" for k, n in summary.counts.items()))
    lines.append("")
    lines.append("Approved products (first approval per agency):")
    for row in summary.approvals:
        lines.append(
            f"  {row.agency:<5} {row.date or 'date n/a':<10}  {row.name}"
            f"  [{', '.join(row.targets) or '?'}]  {row.indication or ''}".rstrip()
        )
    lines.append("")
    lines.append(
        "Approved products by target: "
        + (", ".join(f"{k} {v}" for k, v in summary.by_target.items()) or "none")
    )
    lines.append(
        "Approved products by indication: "
        + (", ".join(f"{k} {v}" for k, v in summary.by_indication.items()) or "none")
    )
    lines.append("")
    lines.append("Policies:")
    lines.extend(f"  {name}" for name in summary.policies)
    return "\n".join(lines)
