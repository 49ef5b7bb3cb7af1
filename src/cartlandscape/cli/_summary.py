"""``cartlandscape summary``: :func:`cartlandscape.summary.summarize` laid out as tables.

The table form shows the approved products, the groupings of approved products (by target,
indication, modality, agency and year), the key outcomes (response rates) and the policies;
``--all`` adds the approval timeline and the institutions.  ``--format json`` writes every part.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence

from cartlandscape._registry import Registry
from cartlandscape.cli._common import registry_for
from cartlandscape.cli._output import Output
from cartlandscape.models import Outcome
from cartlandscape.summary import Group, Summary
from cartlandscape.tables import Column
from cartlandscape.vocabulary import Endpoint

__all__ = ["KEY_ENDPOINTS", "key_outcomes", "summary"]

#: The endpoints the summary lists as key outcomes: response rates, best first.
KEY_ENDPOINTS = (
    Endpoint.ORR,
    Endpoint.CR,
    Endpoint.CR_CRI,
    Endpoint.SCR_CR,
    Endpoint.VGPR_OR_BETTER,
    Endpoint.MRD_NEGATIVITY,
)
_GROUPS = (
    ("targets", "Target"),
    ("indications", "Indication"),
    ("modalities", "Modality"),
    ("agencies", "Agency"),
    ("years", "Year"),
)


def _groups(out: Output, title: str, key: str, groups: Sequence[Group]) -> None:
    out.write()
    out.heading(title)
    if not groups:
        out.write("  none")
        return
    columns = [
        Column("key", key),
        Column("count", "Products", align="right"),
        Column("first", "Since"),
        Column("therapies", "Names"),
    ]
    rows = [
        {"key": g.key, "count": g.count, "first": g.first, "therapies": g.therapies} for g in groups
    ]
    out.table(columns, rows, indent="  ")


def key_outcomes(reg: Registry) -> list[Outcome]:
    """The outcomes of :data:`KEY_ENDPOINTS`, by endpoint, then highest value first."""
    found = [o for o in reg.outcomes if o.endpoint in KEY_ENDPOINTS]
    found.sort(key=lambda o: (KEY_ENDPOINTS.index(o.endpoint), -o.value.interval()[0], o.id))
    return found


def _key_outcomes(out: Output, reg: Registry) -> None:
    found = key_outcomes(reg)
    out.write()
    out.heading("Key outcomes (response rates)")
    if not found:
        out.write("  none")
        return
    rows = []
    for o in found:
        who = (
            reg.get("therapy", o.therapy)
            if o.therapy
            else reg.get("institution", o.institution or "")
        )
        where = reg.get("indication", o.indication) if o.indication else None
        rows.append(
            {
                "endpoint": o.endpoint.label,
                "value": o.value.describe(),
                "n": o.n,
                "name": who.label if who else None,
                "indication": where.label if where else None,
                "id": o.id,
            }
        )
    columns = [
        Column("endpoint", "Endpoint"),
        Column("value", "Value"),
        Column("n", "N", align="right"),
        Column("name", "Therapy or institution"),
        Column("indication", "Indication"),
        Column("id", "Outcome"),
    ]
    out.table(columns, rows, indent="  ")


def _write(out: Output, reg: Registry, result: Summary, everything: bool) -> None:
    out.heading(f"CAR-T landscape — cartlandscape data {result.version or '(no version)'}")
    out.write("Records: " + ", ".join(f"{n} {k}" for k, n in result.counts.items()))
    out.write()
    out.heading("Approved products (first approval per agency)")
    columns = [
        Column("agency", "Agency"),
        Column("date", "First approval"),
        Column("name", "Product"),
        Column("targets", "Targets"),
        Column("indication", "Indication"),
    ]
    rows = [
        {
            "agency": r.agency,
            "date": r.date,
            "name": r.name,
            "targets": r.targets,
            "indication": r.indication,
        }
        for r in result.approvals
    ]
    if rows:
        out.table(columns, rows, indent="  ")
    else:
        out.write("  none")
    for name, key in _GROUPS:
        title = (
            f"Approved products by {'year of first approval' if name == 'years' else key.lower()}"
        )
        _groups(out, title, key, getattr(result, name))
    _key_outcomes(out, reg)
    out.write()
    out.heading("Policies")
    columns = [
        Column("name", "Policy"),
        Column("type", "Type"),
        Column("where", "Where"),
        Column("period", "Period"),
        Column("statements", "Statements", align="right"),
    ]
    policies = [
        {
            "name": p.name,
            "type": p.type,
            "where": ", ".join(filter(None, [p.region, p.country])),
            "period": p.period,
            "statements": p.statements,
        }
        for p in result.policy_details
    ]
    if policies:
        out.table(columns, policies, indent="  ")
    else:
        out.write("  none")
    kinds = Counter(i.type for i in result.institutions)
    if not everything:
        out.write()
        out.write(
            f"Institutions: {len(result.institutions)}"
            + (" (" + ", ".join(f"{n} {k}" for k, n in kinds.most_common()) + ")" if kinds else "")
            + "; 'cartlandscape summary --all' lists them and the approval timeline."
        )
        return
    out.write()
    out.heading("Approval timeline")
    columns = [
        Column("date", "Date"),
        Column("agency", "Agency"),
        Column("type", "Step"),
        Column("name", "Product"),
        Column("indication", "Indication"),
    ]
    timeline = [
        {
            "date": e.date,
            "agency": e.agency,
            "type": e.type.value,
            "name": e.name,
            "indication": e.indication,
        }
        for e in result.timeline
    ]
    out.table(columns, timeline, indent="  ")
    out.write()
    out.heading("Institutions")
    columns = [
        Column("name", "Institution"),
        Column("type", "Type"),
        Column("where", "Where"),
        Column("outcomes", "Outcomes", align="right"),
        Column("statements", "Statements", align="right"),
    ]
    institutions = [
        {
            "name": i.name,
            "type": i.type,
            "where": ", ".join(filter(None, [i.city, i.country])),
            "outcomes": i.outcomes,
            "statements": i.statements,
        }
        for i in result.institutions
    ]
    out.table(columns, institutions, indent="  ")


def summary(args: argparse.Namespace, out: Output) -> int:
    """Print the summary of the registry (``--format table`` or ``json``)."""
    from cartlandscape.export import plain
    from cartlandscape.summary import summarize

    reg = registry_for(args)
    result = summarize(reg)
    if out.format == "json":
        out.json({**plain(result), "key_outcomes": key_outcomes(reg)})
        return 0
    _write(out, reg, result, args.all)
    return 0
