"""The landscape at a glance: approved products, counts by target and indication, policies.

:func:`summarize` groups the approved therapies by target, indication, modality, agency and
year of first approval (each group with the date of its earliest approval), lists every
approval in time order, and lists institutions and policies.  :func:`format_summary` prints
it.  :func:`profile` gathers what one institution reported (its outcomes, with citations, and
the statements about it).  Every result is independent of the order of the records.

>>> import cartlandscape
>>> from cartlandscape.summary import summarize
>>> s = summarize(cartlandscape.registry())
>>> s.counts["therapies"] > 0
True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from cartlandscape._registry import DataVersion, Registry
from cartlandscape.dates import PartialDate, undated_last
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.models import (
    Citation,
    Institution,
    Milestone,
    Outcome,
    Source,
    Statement,
    Therapy,
    citations_text,
)
from cartlandscape.tables import cell_text
from cartlandscape.values import Value
from cartlandscape.vocabulary import Endpoint, Grade, GradingScale, MilestoneKind

if TYPE_CHECKING:
    from cartlandscape.compare import Row
    from cartlandscape.decisions import Decision

__all__ = [
    "KEY_ENDPOINTS",
    "SAFETY_ENDPOINTS",
    "SAFETY_GRADES",
    "ApprovalRow",
    "Group",
    "InstitutionProfile",
    "InstitutionRow",
    "KeyOutcome",
    "KeySafety",
    "PolicyRow",
    "Summary",
    "TimelineEntry",
    "format_profile",
    "format_summary",
    "key_outcomes",
    "key_safety",
    "profile",
    "safety_text",
    "summarize",
]

#: The key of a group of therapies whose first approval has no date.
UNDATED: Final = "undated"


@attrs.frozen
class ApprovalRow:
    """A product's first approval by one agency.

    ``date`` is the date of the approval decision (see :mod:`cartlandscape.decisions`): the
    date of its milestone, as the strongest source gives it.  ``other_dates`` keeps the dates
    other sources give for the same decision; they are data, not printed (``cartlandscape show``
    lists each with the reason it is not kept).
    """

    agency: str
    therapy: str
    name: str
    targets: tuple[str, ...]
    indication: str | None
    date: PartialDate | None
    other_dates: tuple[PartialDate, ...] = ()

    @property
    def date_text(self) -> str:
        """The one date of the approval, or ``'date n/a'``."""
        return "date n/a" if self.date is None else str(self.date)


@attrs.frozen
class Group:
    """Approved therapies that share a target, indication, modality, agency or year.

    ``first`` is the earliest dated approval within the group (None if none is dated);
    ``therapies`` holds the therapies' names, sorted.
    """

    key: str
    count: int
    first: PartialDate | None
    therapies: tuple[str, ...]


@attrs.frozen
class TimelineEntry:
    """One approval decision (approval, conditional approval or label expansion).

    A decision recorded by several milestones is one entry (see
    :mod:`cartlandscape.decisions`); ``other_dates`` holds the dates other sources give it.
    """

    date: PartialDate | None
    agency: str
    type: MilestoneKind
    name: str
    indication: str | None
    therapy: str
    citations: tuple[Citation, ...]
    other_dates: tuple[PartialDate, ...] = ()


@attrs.frozen
class InstitutionRow:
    """An institution, with the number of outcomes it reported and statements about it."""

    name: str
    type: str
    city: str | None
    country: str | None
    outcomes: int
    statements: int
    id: str


@attrs.frozen
class PolicyRow:
    """A policy, with its period and the number of quantified statements about it."""

    name: str
    type: str
    country: str
    region: str | None
    period: str | None
    statements: int
    id: str


@attrs.frozen
class Summary:
    """Counts, approvals, groups, institutions and policies of a registry.

    ``format_summary`` prints it.  ``by_target`` and ``by_indication`` count approved
    products; ``targets``, ``indications``, ``modalities``, ``agencies`` and ``years`` are the
    same groupings with the products' names and the earliest approval date, largest first
    (``years`` in time order).
    """

    version: DataVersion | None
    counts: Mapping[str, int]
    approvals: tuple[ApprovalRow, ...]
    by_target: Mapping[str, int]
    by_indication: Mapping[str, int]
    policies: tuple[str, ...]
    targets: tuple[Group, ...] = ()
    indications: tuple[Group, ...] = ()
    modalities: tuple[Group, ...] = ()
    agencies: tuple[Group, ...] = ()
    years: tuple[Group, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    institutions: tuple[InstitutionRow, ...] = ()
    policy_details: tuple[PolicyRow, ...] = ()
    #: The sources the summary's timeline cites, by id (to link citations to them).
    sources: Mapping[str, Source] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return (
            f"<Summary {self.version or 'unversioned'}: {len(self.approvals)} approvals, "
            f"{len(self.timeline)} decisions>"
        )

    def __str__(self) -> str:
        return format_summary(self)

    def _repr_html_(self) -> str:
        from cartlandscape.display import summary_html

        return summary_html(self)


def _first_date(milestones: Iterable[Milestone]) -> PartialDate | None:
    dates = [m.date for m in milestones if m.date is not None]
    return min(dates) if dates else None


def _groups(
    approved: Iterable[Therapy],
    keys: Callable[[Therapy], Iterable[tuple[str, Iterable[Milestone]]]],
    *,
    by_key: bool = False,
) -> tuple[Group, ...]:
    """Group *approved* therapies under ``keys(therapy)``: pairs of a key and the milestones.

    The milestones date the therapy within the group (its earliest dated one counts).
    """
    names: dict[str, set[str]] = defaultdict(set)
    firsts: dict[str, list[PartialDate]] = defaultdict(list)
    for therapy in approved:
        for key, milestones in keys(therapy):
            names[key].add(therapy.name)
            first = _first_date(milestones)
            if first is not None:
                firsts[key].append(first)
    groups = [
        Group(key, len(members), min(firsts[key]) if firsts[key] else None, tuple(sorted(members)))
        for key, members in names.items()
    ]
    if by_key:
        groups.sort(key=lambda g: (g.key == UNDATED, g.key))
    else:
        groups.sort(key=lambda g: (-g.count, undated_last(g.first), g.key))
    return tuple(groups)


def _first_approvals(therapy: Therapy) -> list[Milestone]:
    return [m for m in therapy.approvals() if m.type is not MilestoneKind.LABEL_EXPANSION]


def _year(therapy: Therapy) -> list[tuple[str, list[Milestone]]]:
    first = _first_date(_first_approvals(therapy))
    return [(UNDATED if first is None else str(first.year), _first_approvals(therapy))]


def _approval_rows(registry: Registry) -> list[ApprovalRow]:
    """Each therapy's first approval by each agency, by agency then date."""
    rows = []
    firsts: dict[tuple[str, str], Decision] = {}
    for decision in registry.approval_decisions():  # oldest first
        if decision.milestone.type is not MilestoneKind.LABEL_EXPANSION:
            firsts.setdefault((decision.therapy.id, decision.milestone.agency), decision)
    for (_, agency), decision in firsts.items():
        therapy, first = decision.therapy, decision.milestone
        indication = registry.indications.get(first.indication) if first.indication else None
        rows.append(
            ApprovalRow(
                agency=agency,
                therapy=therapy.id,
                name=therapy.name,
                targets=tuple(registry.targets[t].name for t in therapy.targets),
                indication=indication.name if indication else None,
                date=decision.date,
                other_dates=decision.other_dates,
            )
        )
    rows.sort(key=lambda r: (r.agency, *undated_last(r.date), r.name, r.therapy))
    return rows


def _timeline(registry: Registry) -> list[TimelineEntry]:
    """Every approval decision, by date, then agency, therapy, type, indication and source."""
    timeline = [
        TimelineEntry(
            date=d.milestone.date,
            agency=d.milestone.agency,
            type=d.milestone.type,
            name=d.therapy.name,
            indication=registry.indications[i].name if (i := d.milestone.indication) else None,
            therapy=d.therapy.id,
            citations=d.milestone.citations,
            other_dates=d.other_dates,
        )
        for d in registry.approval_decisions()
    ]
    timeline.sort(
        key=lambda e: (
            *undated_last(e.date),
            e.agency,
            e.name,
            e.type.value,
            e.indication or "",
            citations_text(e.citations),
        )
    )
    return timeline


def _institution_rows(
    registry: Registry, statements: Counter[tuple[str, str]]
) -> list[InstitutionRow]:
    """The institutions with their counts of outcomes and *statements*, by type then name."""
    outcomes = Counter(o.institution for o in registry.outcomes if o.institution)
    return sorted(
        (
            InstitutionRow(
                name=i.name,
                type=i.type.value,
                city=i.city,
                country=i.country,
                outcomes=outcomes[i.id],
                statements=statements[("institution", i.id)],
                id=i.id,
            )
            for i in registry.institutions
        ),
        key=lambda r: (r.type, r.name, r.id),
    )


def _policy_rows(registry: Registry, statements: Counter[tuple[str, str]]) -> list[PolicyRow]:
    """The policies with their counts of *statements*, by name."""
    return sorted(
        (
            PolicyRow(
                name=p.name,
                type=p.type.value,
                country=p.country,
                region=p.region,
                period=None if p.period is None else str(p.period),
                statements=statements[("policy", p.id)],
                id=p.id,
            )
            for p in registry.policies
        ),
        key=lambda r: (r.name, r.id),
    )


def summarize(registry: Registry) -> Summary:
    """Summarize *registry*; the result does not depend on the order of its records.

    >>> import cartlandscape
    >>> s = summarize(cartlandscape.registry())
    >>> any(g.key == "CD19" for g in s.targets)
    True
    """
    rows = _approval_rows(registry)
    approved = sorted((t for t in registry.therapies if t.is_approved), key=lambda t: t.id)
    by_target = Counter(registry.targets[t].name for th in approved for t in th.targets)
    by_indication = Counter(
        registry.indications[i].name
        for th in approved
        for i in {m.indication for m in th.approvals() if m.indication}
    )

    def indications(therapy: Therapy) -> list[tuple[str, list[Milestone]]]:
        found: dict[str, list[Milestone]] = defaultdict(list)
        for m in therapy.approvals():
            if m.indication:
                found[registry.indications[m.indication].name].append(m)
        return list(found.items())

    timeline = _timeline(registry)
    # The number of statements about each record, by (kind, id).
    about = Counter((s.subject.kind, s.subject.id) for s in registry.statements)
    institutions, policy_details = _institution_rows(registry, about), _policy_rows(registry, about)
    return Summary(
        version=registry.version,
        counts={BASE_KINDS[k][1]: len(registry.of_kind(k)) for k in BASE_KINDS},
        approvals=tuple(rows),
        by_target=dict(sorted(by_target.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_indication=dict(sorted(by_indication.items(), key=lambda kv: (-kv[1], kv[0]))),
        policies=tuple(sorted(p.name for p in registry.policies)),
        targets=_groups(
            approved,
            lambda t: [(registry.targets[x].name, _first_approvals(t)) for x in t.targets],
        ),
        indications=_groups(approved, indications),
        modalities=_groups(approved, lambda t: [(t.modality.value, _first_approvals(t))]),
        agencies=_groups(
            approved,
            lambda t: [
                (a, [m for m in _first_approvals(t) if m.agency == a])
                for a in sorted({m.agency for m in t.approvals()})
            ],
        ),
        years=_groups(approved, _year, by_key=True),
        timeline=tuple(timeline),
        institutions=tuple(institutions),
        policy_details=tuple(policy_details),
        sources={
            c.source: registry.sources[c.source]
            for entry in timeline
            for c in entry.citations
            if c.source in registry.sources
        },
    )


def _group_line(group: Group) -> str:
    since = f"since {group.first}" if group.first else "no dated approval"
    return f"  {group.key}: {group.count} ({since}) — {', '.join(group.therapies)}"


def _row(registry: Registry, outcome: Outcome) -> Row:
    from cartlandscape.compare import Row

    return Row.of(registry, outcome)


def format_summary(
    summary: Summary,
    registry: Registry | None = None,
    *,
    everything: bool = True,
    width: int | None = None,
    bold: bool = False,
) -> str:
    """Plain text for a terminal; given the *registry*, the tables ``cartlandscape summary`` prints.

    That form is :func:`cartlandscape.formatting.summary_tables`, to which the options apply.

    >>> import cartlandscape
    >>> text = format_summary(summarize(cartlandscape.registry()))
    >>> "Approved products by target" in text and "Approval timeline" in text
    True
    """
    if registry is not None:
        from cartlandscape.formatting import summary_tables

        return summary_tables(summary, registry, everything=everything, width=width, bold=bold)
    lines = ["CAR-T landscape — cartlandscape data " + (str(summary.version or "unversioned"))]
    lines.append("Records: " + ", ".join(f"{n} {k}" for k, n in summary.counts.items()))
    lines.append("")
    lines.append("Approved products (first approval per agency):")
    for row in summary.approvals:
        lines.append(
            f"  {row.agency:<5} {row.date_text:<10}  {row.name}"
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
    for title, groups in (
        ("Targets (approved products, earliest approval)", summary.targets),
        ("Indications", summary.indications),
        ("Modalities", summary.modalities),
        ("Agencies", summary.agencies),
        ("Year of first approval", summary.years),
    ):
        lines.append("")
        lines.append(f"{title}:")
        lines.extend(_group_line(g) for g in groups)
        if not groups:
            lines.append("  none")
    lines.append("")
    lines.append("Approval timeline:")
    for entry in summary.timeline:
        lines.append(
            f"  {entry.date or 'date n/a'!s:<10}  {entry.agency:<5} {entry.type.value:<20} "
            f"{entry.name}  {entry.indication or ''}".rstrip()
        )
    if not summary.timeline:
        lines.append("  none")
    lines.append("")
    lines.append("Institutions:")
    for inst in summary.institutions:
        where = ", ".join(x for x in (inst.city, inst.country) if x)
        reported = f"{inst.outcomes} outcome{'s' if inst.outcomes != 1 else ''}"
        lines.append(
            f"  {inst.type:<18} {inst.name}{f' ({where})' if where else ''}"
            + (f" — {reported}" if inst.outcomes else "")
        )
    lines.append("")
    lines.append("Policies:")
    for policy in summary.policy_details or ():
        extra = ", ".join(
            x for x in (policy.type, policy.region or policy.country, policy.period) if x
        )
        lines.append(f"  {policy.name} ({extra})")
    if not summary.policy_details:
        lines.extend(f"  {name}" for name in summary.policies)
    return "\n".join(lines)


@attrs.frozen
class InstitutionProfile:
    """What one institution reported and what is said about it, every item cited.

    ``outcomes`` are rows as in :mod:`cartlandscape.compare` (value as reported, ``n``,
    citations); ``statements`` are the quantified statements whose subject is the institution.
    """

    id: str
    name: str
    type: str
    city: str | None
    country: str | None
    outcomes: tuple[Row, ...]
    statements: tuple[Statement, ...]
    therapies: tuple[str, ...]
    events: tuple[str, ...]
    citations: tuple[Citation, ...]


def profile(registry: Registry, institution: Institution | str) -> InstitutionProfile:
    """What *institution* (a record, or any of its names) reported, with citations.

    >>> import cartlandscape
    >>> reg = cartlandscape.registry()
    >>> hospital = next(o.institution for o in reg.outcomes if o.institution)
    >>> p = profile(reg, hospital)
    >>> all(row.citations for row in p.outcomes) and len(p.outcomes) > 0
    True
    """
    record = (
        institution
        if isinstance(institution, Institution)
        else registry.lookup(institution, "institution")
    )
    outcomes = sorted(
        registry.outcomes_for(institution=record),
        key=lambda o: (o.endpoint.value, o.indication or "", o.id),
    )
    statements = sorted(registry.statements_for(record), key=lambda s: (s.metric, s.id))
    therapies = sorted(t.name for t in registry.therapies if record.id in t.developers)
    events = sorted(
        e.name for e in registry.events if record.id in e.hosts or record.id in e.organizers
    )
    return InstitutionProfile(
        id=record.id,
        name=record.name,
        type=record.type.value,
        city=record.city,
        country=record.country,
        outcomes=tuple(_row(registry, o) for o in outcomes),
        statements=tuple(statements),
        therapies=tuple(therapies),
        events=tuple(events),
        citations=record.citations,
    )


def format_profile(found: InstitutionProfile) -> str:
    """Plain text for a terminal: the institution, its outcomes and statements, with sources.

    >>> import cartlandscape
    >>> reg = cartlandscape.registry()
    >>> hospital = next(o.institution for o in reg.outcomes if o.institution)
    >>> "Outcomes reported:" in format_profile(profile(reg, hospital))
    True
    """
    where = ", ".join(x for x in (found.city, found.country) if x)
    lines = [f"{found.name} ({found.type}{', ' + where if where else ''})"]
    lines.append("Outcomes reported:")
    for row in found.outcomes:
        n = f", n={row.n}" if row.n is not None else ""
        scope = f" in {row.outcome.indication}" if row.outcome.indication else ""
        lines.append(
            f"  {row.outcome.endpoint.label}{scope}: {row.value.describe()}{n} "
            f"[{citations_text(row.citations)}]"
        )
    if not found.outcomes:
        lines.append("  none")
    lines.append("Statements:")
    for statement in found.statements:
        lines.append(f"  {statement.label} [{citations_text(statement.citations)}]")
    if not found.statements:
        lines.append("  none")
    if found.therapies:
        lines.append("Therapies developed: " + ", ".join(found.therapies))
    if found.events:
        lines.append("Events: " + ", ".join(found.events))
    return "\n".join(lines)


#: The endpoints of the key outcomes: the overall and the complete response rates.
KEY_ENDPOINTS = (Endpoint.ORR, Endpoint.CR, Endpoint.CR_CRI, Endpoint.SCR_CR, Endpoint.SCR)


@attrs.frozen
class KeyOutcome:
    """What the sources report for one endpoint of an approved product in one indication.

    ``low`` and ``high`` (in percent) span every value reported; ``outcomes`` are the ids of
    the outcome records, each with its own source.
    """

    therapy: str
    indication: str | None
    endpoint: Endpoint
    low: float
    high: float
    outcomes: tuple[str, ...]
    unit: str = "percent"

    def describe(self) -> str:
        """The span of values, with the number of reports when there are several."""
        span = cell_text(self.low)
        if self.high != self.low:
            span += f"–{cell_text(self.high)}"
        reports = f" ({len(self.outcomes)} reports)" if len(self.outcomes) > 1 else ""
        label = "" if self.endpoint in (Endpoint.ORR, Endpoint.CR) else f"{self.endpoint.label} "
        return f"{label}{span}{reports}"


def key_outcomes(reg: Registry) -> list[KeyOutcome]:
    """The key outcomes of the approved products, by product, indication and endpoint."""
    found: dict[tuple[str, str | None, Endpoint], list[tuple[float, str]]] = defaultdict(list)
    for outcome in reg.outcomes:
        therapy = reg.therapies.get(outcome.therapy) if outcome.therapy else None
        if therapy is None or not therapy.is_approved or outcome.endpoint not in KEY_ENDPOINTS:
            continue
        key = (therapy.id, outcome.indication, outcome.endpoint)
        for magnitude in outcome.value.to("percent").magnitudes():
            found[key].append((magnitude, outcome.id))
    rows = [
        KeyOutcome(
            therapy=therapy,
            indication=indication,
            endpoint=endpoint,
            low=min(m for m, _ in values),
            high=max(m for m, _ in values),
            outcomes=tuple(sorted({i for _, i in values})),
        )
        for (therapy, indication, endpoint), values in found.items()
    ]
    rows.sort(key=lambda k: (k.therapy, k.indication or "", KEY_ENDPOINTS.index(k.endpoint)))
    return rows


#: The toxicities of the key safety figures, and the grades counted of each.
SAFETY_ENDPOINTS: Final = (Endpoint.CRS, Endpoint.ICANS, Endpoint.NEUROTOXICITY)
SAFETY_GRADES: Final = (Grade.ANY, Grade.AT_LEAST_3)


@attrs.frozen
class KeySafety:
    """One toxicity rate of an approved product: the grades counted, their scale and n."""

    therapy: str
    indication: str | None
    endpoint: Endpoint
    grade: Grade
    grading_scale: GradingScale
    value: Value
    n: int | None
    outcome: str

    def describe(self) -> str:
        """``'≥3 13'``: the grades and the value in percent, as reported."""
        grade = "any" if self.grade is Grade.ANY else self.grade.value.replace(">=", "≥")
        value = self.value.to("percent").describe().removesuffix(" percent")
        return f"{grade} {value}"


def key_safety(reg: Registry) -> list[KeySafety]:
    """CRS, ICANS and neurotoxicity of any grade and of grade 3 or worse, of approved products."""
    found = []
    for outcome in reg.outcomes:
        therapy = reg.therapies.get(outcome.therapy) if outcome.therapy else None
        if (
            therapy is None
            or not therapy.is_approved
            or outcome.endpoint not in SAFETY_ENDPOINTS
            or outcome.grade not in SAFETY_GRADES
            or outcome.grading_scale is None
        ):
            continue
        found.append(
            KeySafety(
                therapy=therapy.id,
                indication=outcome.indication,
                endpoint=outcome.endpoint,
                grade=outcome.grade,
                grading_scale=outcome.grading_scale,
                value=outcome.value,
                n=outcome.n,
                outcome=outcome.id,
            )
        )
    found.sort(
        key=lambda k: (
            k.therapy,
            k.indication or "",
            SAFETY_ENDPOINTS.index(k.endpoint),
            k.grading_scale.value,
            -1 if k.n is None else k.n,
            SAFETY_GRADES.index(k.grade),
            k.outcome,
        )
    )
    return found


def safety_text(rows: Iterable[KeySafety]) -> str:
    """``'any 93, ≥3 13 (Lee 2014, n=101)'``: rates grouped by the scale and n they share."""
    groups: dict[tuple[GradingScale, int | None], list[str]] = defaultdict(list)
    for row in rows:
        groups[(row.grading_scale, row.n)].append(row.describe())
    return "; ".join(
        f"{', '.join(values)} ({scale.label}{'' if n is None else f', n={n}'})"
        for (scale, n), values in groups.items()
    )
