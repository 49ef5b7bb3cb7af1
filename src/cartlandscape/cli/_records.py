"""``cartlandscape show`` and ``cartlandscape search``: records, their relations and sources."""

from __future__ import annotations

import argparse
import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from cartlandscape._registry import Registry
from cartlandscape.cli._common import CommandError, registry_for
from cartlandscape.cli._output import Output
from cartlandscape.dates import PartialDate
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.models import (
    Citation,
    Disagreement,
    Milestone,
    Outcome,
    Price,
    Record,
    Ref,
    Source,
    Statement,
)
from cartlandscape.tables import Column, wrap
from cartlandscape.values import Value

__all__ = ["Card", "card", "search", "show"]

_INDEX = re.compile(r"\[\d+\]")
#: Fields a card shows as tables or in its citation list rather than as a line.
_NOT_LINES = ("citations", "milestones", "disagreements")


def _order(record: Record) -> tuple[int, str]:
    return (list(BASE_KINDS).index(record.kind), record.id)


def _name(reg: Registry, kind: str, ident: str) -> str:
    record = reg.get(kind, ident)
    return f"{record.label} ({ident})" if record is not None else ident


def _text(reg: Registry, value: Any, ref: str | None = None) -> str:
    """One field's value in words; references are given by name and id."""
    if isinstance(value, tuple):
        return ", ".join(_text(reg, v, ref) for v in value)
    if isinstance(value, Ref):
        return f"{_name(reg, value.kind, value.id)} [{value.kind}]"
    if ref is not None and isinstance(value, str):
        return _name(reg, ref, value)
    if isinstance(value, Value):
        return value.describe()
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    return str(value)


def _lines(reg: Registry, obj: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(field, text)`` for every field of *obj* that holds something, nested ones dotted."""
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if field.name in _NOT_LINES or value is None or value == ():
            continue
        if attrs.has(type(value)) and not isinstance(value, PartialDate | Value | Ref):
            if "__str__" in vars(type(value)):
                yield prefix + field.name, str(value)  # a period: "2023 to 2025"
            else:
                yield from _lines(reg, value, f"{prefix}{field.name}.")
            continue
        yield prefix + field.name, _text(reg, value, field.metadata.get("ref"))


def _citations(value: Any) -> Iterator[Citation]:
    """Every citation inside *value*: a record's own first, then those of its parts."""
    if isinstance(value, Citation):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _citations(item)
    elif attrs.has(type(value)) and not isinstance(value, PartialDate | Value | Ref):
        names = [f.name for f in attrs.fields(type(value))]
        for name in sorted(names, key=lambda name: name != "citations"):
            yield from _citations(getattr(value, name))


@attrs.frozen
class Link:
    """A record related to the shown one, and the field that relates them."""

    record: Record
    field: str


@attrs.define
class Card:
    """A record with everything ``show`` prints about it."""

    record: Record
    file: str | None
    references: list[Link]
    referenced_by: list[Link]
    citations: list[Citation] = attrs.field(factory=list)

    def cite(self, value: Any) -> str:
        """The numbers (``[1, 3]``) of the citations in *value*, adding new ones to the list."""
        numbers = []
        for citation in _citations(value):
            if citation not in self.citations:
                self.citations.append(citation)
            numbers.append(self.citations.index(citation) + 1)
        return ", ".join(f"[{n}]" for n in dict.fromkeys(numbers))


def _indirect(reg: Registry, record: Record) -> list[Link]:
    """Outcomes that name the record only through another one (a target's, a parent's)."""
    if record.kind == "target":
        return [Link(o, "therapy.targets") for o in reg.outcomes_for(target=record.id)]
    if record.kind == "indication":
        return [
            Link(o, "indication.parent")
            for o in reg.outcomes_for(indication=record.id)
            if o.indication != record.id
        ]
    return []


def card(reg: Registry, record: Record) -> Card:
    """Collect the records *record* names, the records naming it, and its citations."""
    forward: dict[tuple[str, str, str], Link] = {}
    for path, kind, ident in reg.references(record):
        other = reg.get(kind, ident)
        if other is not None and kind != "source":
            key = (kind, ident, _INDEX.sub("", path))
            forward.setdefault(key, Link(other, key[2]))
    backward: dict[tuple[str, str, str], Link] = {}
    for other, path in reg.referrers(record):
        if other is not record:
            key = (other.kind, other.id, _INDEX.sub("", path))
            backward.setdefault(key, Link(other, key[2]))
    for link in _indirect(reg, record):
        backward.setdefault((link.record.kind, link.record.id, link.field), link)
    result = Card(
        record,
        reg.origin(record),
        sorted(forward.values(), key=lambda link: (_order(link.record), link.field)),
        sorted(backward.values(), key=lambda link: (_order(link.record), link.field)),
    )
    result.cite(record)
    return result


# -- tables of a card ---------------------------------------------------------------------------

_MILESTONE_COLUMNS = [
    Column("date", "Date"),
    Column("agency", "Agency"),
    Column("type", "Step"),
    Column("indication", "Indication"),
    Column("description", "Note"),
    Column("cited", "Cited"),
]
#: The last columns of every table of outcomes: where the figure is from.
_WHERE_FROM = (
    Column("indication", "Indication"),
    Column("study", "Study"),
    Column("id", "Id"),
    Column("cited", "Cited"),
)
_OUTCOME_COLUMNS = [
    Column("endpoint", "Endpoint"),
    Column("at", "At"),
    Column("grade", "Grade"),
    Column("value", "Value"),
    Column("n", "N", align="right"),
    Column("indication", "Indication"),
    Column("therapy", "Therapy"),
    Column("institution", "Institution"),
    *_WHERE_FROM[1:],
]
_SAFETY_COLUMNS = [
    Column("endpoint", "Endpoint"),
    Column("grade", "Grade"),
    Column("value", "Value"),
    Column("events", "Events", align="right"),
    Column("n", "N", align="right"),
    Column("set", "Patients"),
    Column("at", "At"),
    *_WHERE_FROM,
]
_DURABILITY_COLUMNS = [
    Column("endpoint", "Endpoint"),
    Column("at", "At"),
    Column("value", "Value"),
    Column("n", "N", align="right"),
    Column("comparator", "Comparator"),
    Column("versus", "Comparator value"),
    Column("hr", "Hazard ratio"),
    Column("follow_up", "Follow-up"),
    *_WHERE_FROM,
]
_PRICE_COLUMNS = [
    Column("date", "Date"),
    Column("country", "Country"),
    Column("amount", "Amount"),
    Column("type", "Price"),
    Column("basis", "Basis"),
    Column("launch", "At launch"),
    Column("indication", "Indication"),
    Column("therapy", "Therapy"),
    Column("id", "Id"),
    Column("cited", "Cited"),
]
_DISAGREEMENT_COLUMNS = [
    Column("about", "About"),
    Column("field", "Field"),
    Column("kept", "Kept"),
    Column("value", "Other value"),
    Column("reason", "Why not kept"),
    Column("cited", "Cited"),
]
_STATEMENT_COLUMNS = [
    Column("metric", "Metric"),
    Column("value", "Value"),
    Column("type", "Type"),
    Column("as_of", "As of"),
    Column("subject", "About"),
    Column("id", "Id"),
    Column("cited", "Cited"),
]
_LINK_COLUMNS = [
    Column("kind", "Kind"),
    Column("label", "Name"),
    Column("id", "Id"),
    Column("field", "Through"),
]


def _milestone_row(reg: Registry, c: Card, m: Milestone) -> dict[str, object]:
    return {
        "date": m.date,
        "agency": m.agency,
        "type": m.type.value,
        "indication": reg.label_of("indication", m.indication),
        "description": m.description,
        "cited": c.cite(m.citations),
    }


def _where_from(reg: Registry, c: Card, o: Outcome) -> dict[str, object]:
    """The cells of :data:`_WHERE_FROM`: the indication, study, id and citations of *o*."""
    return {
        "indication": reg.label_of("indication", o.indication),
        "study": (o.study.name or o.study.registry_id) if o.study else None,
        "id": o.id,
        "cited": c.cite(o.citations),
    }


def _outcome_row(reg: Registry, c: Card, o: Outcome, shown: Record) -> dict[str, object]:
    return {
        **_where_from(reg, c, o),
        "endpoint": o.endpoint.label,
        "at": o.timepoint.describe() if o.timepoint else None,
        "grade": o.grading,
        "value": o.value.describe(),
        "n": o.n,
        "therapy": None if shown.kind == "therapy" else reg.label_of("therapy", o.therapy),
        "institution": (
            None if shown.kind == "institution" else reg.label_of("institution", o.institution)
        ),
    }


def _safety_row(reg: Registry, c: Card, o: Outcome, shown: Record) -> dict[str, object]:
    return {
        **_where_from(reg, c, o),
        "endpoint": o.endpoint.label,
        "grade": o.grading,
        "value": o.value.describe(),
        "events": o.responders,
        "n": o.n,
        "set": None if o.analysis_set is None else o.analysis_set.value,
        "at": o.timepoint.describe() if o.timepoint else None,
    }


def _durability_row(reg: Registry, c: Card, o: Outcome, shown: Record) -> dict[str, object]:
    versus = [
        o.comparator_value.describe() if o.comparator_value is not None else None,
        f"n={o.comparator_n}" if o.comparator_n is not None else None,
    ]
    return {
        **_where_from(reg, c, o),
        "endpoint": o.endpoint.label,
        "at": o.timepoint.describe() if o.timepoint else None,
        "value": o.value.describe(),
        "n": o.n,
        "comparator": o.comparator,
        "versus": ", ".join(filter(None, versus)) or None,
        "hr": None if o.hazard_ratio is None else str(o.hazard_ratio),
        "follow_up": o.follow_up.describe() if o.follow_up else None,
    }


def _price_row(reg: Registry, c: Card, p: Price, shown: Record) -> dict[str, object]:
    return {
        "id": p.id,
        "date": p.date,
        "country": p.country,
        "amount": p.amount.describe(),
        "type": p.type.value,
        "basis": None if p.basis is None else p.basis.value,
        "launch": None if p.launch is None else ("yes" if p.launch else "no"),
        "indication": reg.label_of("indication", p.indication),
        "therapy": None if shown.kind == "therapy" else reg.label_of("therapy", p.therapy),
        "cited": c.cite(p.citations),
    }


def _disputed(record: Record) -> Iterator[tuple[str, Any, Disagreement]]:
    """``(what, holder, disagreement)`` for every disagreement *record* holds, nested ones too."""
    for item in getattr(record, "disagreements", ()):
        yield "this record", record, item
    for milestone in getattr(record, "milestones", ()):
        what = f"{milestone.agency} {milestone.type.value}"
        if milestone.indication:
            what += f" ({milestone.indication})"
        for item in milestone.disagreements:
            yield what, milestone, item


def _disagreement_row(c: Card, what: str, holder: Any, item: Disagreement) -> dict[str, object]:
    kept = getattr(holder, item.field, None)
    return {
        "about": what,
        "field": item.field,
        "kept": _text_of(kept),
        "value": item.value,
        "reason": item.reason,
        "cited": c.cite(item.citations),
    }


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Value):
        return value.describe()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _statement_row(reg: Registry, c: Card, s: Statement, shown: Record) -> dict[str, object]:
    about = (s.subject.kind, s.subject.id) != (shown.kind, shown.id)
    return {
        "id": s.id,
        "metric": s.metric,
        "value": s.value.describe(),
        "type": s.type.value,
        "as_of": s.as_of or (str(s.period) if s.period else None),
        "subject": reg.label_of(s.subject.kind, s.subject.id) if about else None,
        "cited": c.cite(s),
    }


def _source_rows(reg: Registry, source: Record) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for other in sorted(reg.records(), key=_order):
        locators = [c.locator for c in _citations(other) if c.source == source.id]
        if locators and other is not source:
            row = {"kind": other.kind, "label": other.label, "id": other.id}
            rows.append({**row, "field": "; ".join(dict.fromkeys(locators))})
    return rows


def _write_card(out: Output, reg: Registry, c: Card) -> None:
    record = c.record
    out.heading(f"{record.kind.capitalize()}: {record.label}")
    _write_fields(out, reg, c)
    milestones = getattr(record, "milestones", ())
    if milestones:
        _write_section(
            out, "Milestones", _MILESTONE_COLUMNS, [_milestone_row(reg, c, m) for m in milestones]
        )
    outcomes = [link.record for link in c.referenced_by if isinstance(link.record, Outcome)]
    _write_outcomes(out, reg, c, outcomes)
    prices = [link.record for link in c.referenced_by if isinstance(link.record, Price)]
    if prices:
        prices.sort(key=lambda p: (p.country, p.date, p.id))
        rows = [_price_row(reg, c, p, record) for p in prices]
        _write_section(out, "Prices (as stated, never converted)", _PRICE_COLUMNS, rows)
    _write_disagreements(out, c, [*outcomes, *prices])
    _write_links(out, reg, c)
    if c.citations:
        out.write()
        out.heading("Citations")
        for n, citation in enumerate(c.citations, 1):
            out.write(f"  [{n}] {_cited(reg, citation)}")


def _write_section(
    out: Output, title: str, columns: Sequence[Column], rows: Sequence[Mapping[str, object]]
) -> None:
    """A blank line, a heading and an indented table (nothing when there are no rows)."""
    if rows:
        out.write()
        out.heading(title)
        out.table(columns, rows, "  ")


def _write_fields(out: Output, reg: Registry, c: Card) -> None:
    """The record's own fields as aligned ``key  text`` lines, wrapped to the output's width."""
    record = c.record
    lines = list(_lines(reg, record))
    if c.file:
        lines.append(("file", c.file))
    if isinstance(record, Source) and record.tier is None:
        lines.append(("tier", f"{record.effective_tier.value} (from its type)"))
    own = c.cite(record.citations) if hasattr(record, "citations") else ""
    if own:
        lines.append(("cited", own))
    width = max(len(k) for k, _ in lines)
    room = None if out.width is None else max(20, out.width - width - 4)
    for key, text in lines:
        parts = wrap(text, room) if room is not None else [text]
        out.write(f"  {key:<{width}}  {parts[0]}".rstrip())
        for part in parts[1:]:
            out.write(f"  {'':<{width}}  {part}")


def _write_outcomes(out: Output, reg: Registry, c: Card, outcomes: list[Outcome]) -> None:
    """The outcomes that refer to the record, as efficacy, safety and durability tables."""
    sections = (
        (
            "Efficacy",
            _OUTCOME_COLUMNS,
            _outcome_row,
            lambda o: not (o.is_safety or o.is_durability),
        ),
        ("Safety", _SAFETY_COLUMNS, _safety_row, lambda o: o.is_safety),
        ("Durability", _DURABILITY_COLUMNS, _durability_row, lambda o: o.is_durability),
    )
    for title, columns, row_of, belongs in sections:
        rows = [row_of(reg, c, o, c.record) for o in outcomes if belongs(o.endpoint)]
        _write_section(out, title, columns, rows)


def _write_disagreements(out: Output, c: Card, referring: list[Outcome | Price]) -> None:
    """The record's disagreements and (unless it is a source) those of the records given."""
    record = c.record
    disputed = list(_disputed(record))
    for other in referring if record.kind != "source" else []:
        disputed.extend((other.id, other, item) for item in getattr(other, "disagreements", ()))
    rows = [_disagreement_row(c, what, holder, item) for what, holder, item in disputed]
    title = "Disagreements (other values sources give, and why they are not kept)"
    _write_section(out, title, _DISAGREEMENT_COLUMNS, rows)


def _write_links(out: Output, reg: Registry, c: Card) -> None:
    """The statements about the record, then the records that cite or refer to it."""
    record = c.record
    statements = [link.record for link in c.referenced_by if isinstance(link.record, Statement)]
    if isinstance(record, Statement):
        statements = []
    rows = [_statement_row(reg, c, s, record) for s in statements]
    _write_section(out, "Statements", _STATEMENT_COLUMNS, rows)
    cited_by = _source_rows(reg, record) if record.kind == "source" else []
    _write_section(out, "Cited by", [*_LINK_COLUMNS[:3], Column("field", "Where")], cited_by)
    others = [
        {"kind": link.record.kind, "label": link.record.label, "id": link.record.id}
        | {"field": link.field}
        for link in c.referenced_by
        if not isinstance(link.record, Outcome | Statement | Price) and record.kind != "source"
    ]
    _write_section(out, "Referred to by", _LINK_COLUMNS, others)


def _cited(reg: Registry, citation: Citation) -> str:
    source = reg.sources.get(citation.source)
    title = source.title if source else citation.source
    details = [x for x in (source.publisher, source.published) if x] if source else []
    where = f"{title} ({', '.join(map(str, details))})" if details else title
    note = f" ({citation.note})" if citation.note else ""
    return f"{where} — {citation.locator}{note}"


def _link_json(link: Link) -> dict[str, object]:
    r = link.record
    return {"kind": r.kind, "id": r.id, "label": r.label, "field": link.field}


def show(args: argparse.Namespace, out: Output) -> int:
    """Show one record, found by any of its names."""
    reg = registry_for(args)
    record = reg.lookup(args.name, args.kind)
    c = card(reg, record)
    if out.format == "json":
        for link in c.referenced_by:
            if isinstance(link.record, Outcome | Statement | Price):
                c.cite(link.record)
        out.json(
            {
                "kind": record.kind,
                "id": record.id,
                "label": record.label,
                "file": c.file,
                "record": record,
                "references": [_link_json(link) for link in c.references],
                "referenced_by": [_link_json(link) for link in c.referenced_by],
                "citations": [
                    {
                        "n": n,
                        "source": citation.source,
                        "title": reg.sources[citation.source].title,
                        "locator": citation.locator,
                        "note": citation.note,
                    }
                    for n, citation in enumerate(c.citations, 1)
                ],
            }
        )
        return 0
    _write_card(out, reg, c)
    return 0


def search(args: argparse.Namespace, out: Output) -> int:
    """List the records whose names contain the text; exit status 1 when none does."""
    reg = registry_for(args)
    found = sorted(reg.search(args.text, args.kind), key=_order)
    columns = [Column("kind", "Kind"), Column("id", "Id"), Column("label", "Name")]
    if not found and out.format == "table":
        close = reg.suggest(args.text, args.kind)
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise CommandError(f"no {args.kind or 'record'} has a name containing {args.text!r}{hint}")
    out.rows(columns, [{"kind": r.kind, "id": r.id, "label": r.label} for r in found])
    return 0 if found else 1
