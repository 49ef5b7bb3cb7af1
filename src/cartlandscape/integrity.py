"""The integrity checks a registry runs on its records before it indexes them.

Each check takes the records grouped by kind (``{kind: {id: record}}``) and yields what is
wrong as ``(record, field path, message)``; :func:`check` runs them all.  One walker,
:func:`references`, finds the references a record holds, nested ones included; the quick check
every record passes through at load, :func:`resolves`, is that walker without the paths.

>>> from cartlandscape.models import Citation, Target
>>> target = Target(id="cd19", name="CD19", citations=[Citation(source="s", locator="p. 1")])
>>> list(references(target))
[('citations[0].source', 'source', 's')]
>>> resolves(target, {"source": {}})
False
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

import attrs

from cartlandscape.dates import PartialDate
from cartlandscape.models import Citation, Record, Ref
from cartlandscape.vocabulary import StatementKind

__all__ = [
    "Finding",
    "as_of_findings",
    "check",
    "date_findings",
    "nested_classes",
    "parent_loops",
    "reference_findings",
    "references",
    "resolves",
]

#: What a check reports: the record at fault, the path of the field, and the message.
Finding = tuple[Record, str | None, str]
#: Records grouped by kind, then by id.
Grouped = Mapping[str, Mapping[str, Record]]

_EMPTY: Mapping[str, Record] = {}


def _records_in(tp: Any) -> list[type]:
    """The attrs classes named in the type annotation *tp* (``tuple[Citation, ...]``)."""
    found: list[type] = []
    todo = [tp]
    while todo:
        item = todo.pop()
        if attrs.has(item):
            found.append(item)
        else:
            todo.extend(typing.get_args(item))
    return found


def _reachable(cls: Any) -> list[Any]:
    """*cls* and every record class its fields nest, at any depth, as the fields declare."""
    found = [cls]
    for item in found:  # grows as it goes
        for field in attrs.fields(attrs.resolve_types(item)):
            found.extend(n for n in _records_in(field.type) if n not in found)
    return found


def nested_classes(cls: Any) -> tuple[type, ...]:
    """*cls* and every attrs class its fields nest, at any depth, as the fields declare.

    >>> from cartlandscape.models import Citation, Target
    >>> Citation in nested_classes(Target)
    True
    """
    return tuple(_reachable(cls))


@functools.cache
def _plan(cls: Any) -> tuple[tuple[str, str | None], ...]:
    """The fields of *cls* that hold references (with their kind) or nested records (None).

    Nested records are listed where their declared types can hold references or dated facts
    (a citation can, a value cannot).
    """
    plan: list[tuple[str, str | None]] = []
    for field in attrs.fields(attrs.resolve_types(cls)):
        kind = field.metadata.get("ref")
        if kind is not None:
            plan.append((field.name, kind))
        elif any(_worth_visiting(nested) for nested in _records_in(field.type)):
            plan.append((field.name, None))
    return tuple(plan)


@functools.cache
def _worth_visiting(cls: Any) -> bool:
    """Whether a record of class *cls* can hold references or dated facts."""
    return any(
        _date_fields(item) or any("ref" in f.metadata for f in attrs.fields(item))
        for item in _reachable(cls)
    )


def _walk(value: Any, path: str | None) -> Iterator[tuple[str | None, str, Any]]:
    """Yield ``(field path, kind, ids)`` for every field that holds references, at any depth.

    *ids* is an id (a string) or a tuple of ids.  With *path* None no path is built (every
    path is None): the quick form :func:`resolves` uses.
    """
    for name, kind in _plan(value.__class__):
        item = getattr(value, name)
        if item is None:
            continue
        here = None if path is None else f"{path}.{name}" if path else name
        if kind is not None:
            if isinstance(item, Ref):
                yield here, item.kind, item.id
            else:
                yield here, kind, item
        elif isinstance(item, tuple):
            for i, element in enumerate(item):
                yield from _walk(element, None if here is None else f"{here}[{i}]")
        else:
            yield from _walk(item, here)


def references(value: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """Yield ``(field path, kind, id)`` for every reference inside an attrs record."""
    for here, kind, ids in _walk(value, path):
        if isinstance(ids, str):
            yield typing.cast(str, here), kind, ids
        else:
            for i, ident in enumerate(ids):
                yield f"{here}[{i}]", kind, ident


def resolves(value: Any, ids: Grouped) -> bool:
    """Whether every reference inside *value* names a record in *ids* (by kind, then by id)."""
    for _, kind, found in _walk(value, None):
        known = ids.get(kind)
        if known is None:
            return False
        if isinstance(found, str):
            if found not in known:
                return False
        elif not all(ident in known for ident in found):
            return False
    return True


#: Who has a name, if anyone: ``(kind, id)`` of the record a text names.
NameOwner = Callable[[str], "tuple[str, str] | None"]


def reference_findings(
    record: Record,
    grouped: Grouped,
    absent: Collection[tuple[str | None, str | None]] = (),
    owner: NameOwner | None = None,
) -> Iterator[Finding]:
    """Every reference of *record* that names no record, or a kind that does not exist.

    References to the ``(kind, id)`` in *absent* (records known to have failed to load) are not
    reported; where *owner* finds the id to be another record's name, the message says whose.
    """
    if resolves(record, grouped):
        return
    for field, kind, ident in references(record):
        if kind == "*" or kind not in grouped:
            yield record, field, f"{kind!r} is not a kind of record"
        elif ident not in grouped[kind] and (kind, ident) not in absent:
            message = f"no {kind} has the id {ident!r}"
            named = None if owner is None else owner(ident)
            if named is not None:
                whose = named[1] if named[0] == kind else f"the {named[0]} {named[1]!r}"
                message += f"; {ident!r} is a name of {whose}"
            yield record, field, message


#: The fields that date a cited fact (a milestone's or a price's date, a milestone's not_after
#: bound, a statement's as_of, an outcome's data cut).  A goal's date (a statement of type
#: "target") is when it is due, so it may be after its sources.
_FACT_DATES = ("date", "not_after", "as_of", "data_cut")


@functools.cache
def _date_fields(cls: Any) -> tuple[str, ...]:
    """The fields of *cls* that date a fact it cites sources for."""
    names = {field.name for field in attrs.fields(cls)}
    return tuple(n for n in _FACT_DATES if n in names) if "citations" in names else ()


@functools.cache
def _may_be_dated(cls: Any) -> bool:
    """Whether a record of class *cls*, or one nested in it as its fields declare, dates a fact."""
    return any(_date_fields(item) for item in _reachable(cls))


def _dated_facts(value: Any, path: str) -> Iterator[tuple[str, PartialDate, tuple[Citation, ...]]]:
    """Yield ``(field path, date, citations)`` for every dated, cited part of a record."""
    goal = getattr(value, "type", None) is StatementKind.TARGET
    for name in _date_fields(value.__class__):
        date = getattr(value, name)
        if isinstance(date, PartialDate) and not goal:
            yield (f"{path}.{name}" if path else name), date, value.citations
    for name, kind in _plan(value.__class__):
        item = getattr(value, name)
        if kind is not None or item is None:
            continue
        here = f"{path}.{name}" if path else name
        if isinstance(item, tuple):
            for i, element in enumerate(item):
                yield from _dated_facts(element, f"{here}[{i}]")
        else:
            yield from _dated_facts(item, here)


def date_findings(record: Record, grouped: Grouped) -> Iterator[Finding]:
    """Every fact of *record* dated after the publication of a source it cites."""
    if not _may_be_dated(typing.cast(Any, type(record))):
        return
    sources = grouped.get("source", _EMPTY)
    for field, date, citations in _dated_facts(record, ""):
        for citation in citations:
            published = getattr(sources.get(citation.source), "published", None)
            if published is not None and date.surely_after(published):
                yield (
                    record,
                    field,
                    f"expected a date no later than {published}, when the cited "
                    f"source {citation.source!r} was published, found {date}",
                )


def parent_loops(grouped: Grouped) -> Iterator[Finding]:
    """Each loop of indication parents, once, blamed on its first indication by id."""
    indications = grouped.get("indication", _EMPTY)
    reported: set[str] = set()
    for start in sorted(indications):
        path = [start]
        current = getattr(indications[start], "parent", None)
        while current is not None and current in indications and current not in path:
            path.append(current)
            current = getattr(indications[current], "parent", None)
        if current == start and start not in reported:
            reported.update(path)
            chain = " → ".join([*path, start])
            message = f"expected parents that end at a top indication, found a loop: {chain}"
            yield indications[start], "parent", message


def _dated_before_as_of(grouped: Grouped) -> Iterator[tuple[Record, str, PartialDate]]:
    """Dates that cannot lie after the data's as-of date: publications and regulatory steps."""
    for source in grouped.get("source", _EMPTY).values():
        published = getattr(source, "published", None)
        if published is not None:
            yield source, "published", published
    for therapy in grouped.get("therapy", _EMPTY).values():
        for i, milestone in enumerate(getattr(therapy, "milestones", ())):
            if milestone.date is not None:
                yield therapy, f"milestones[{i}].date", milestone.date


def as_of_findings(grouped: Grouped, as_of: PartialDate | None) -> Iterator[Finding]:
    """Every publication or regulatory step dated after *as_of*, when the data are current."""
    if as_of is None:
        return
    for record, field, date in _dated_before_as_of(grouped):
        if date.surely_after(as_of):
            yield (
                record,
                field,
                f"expected a date no later than {as_of}, the date the data are current to, "
                f"found {date}",
            )


def check(
    grouped: Grouped,
    as_of: PartialDate | None = None,
    earlier: Mapping[tuple[str, str], list[Finding]] | None = None,
    absent: Collection[tuple[str | None, str | None]] = (),
    owner: NameOwner | None = None,
) -> Iterator[Finding]:
    """Every finding of every check, record by record, then parent loops and as-of dates.

    *earlier* holds findings made while indexing (names claimed twice), by the ``(kind, id)``
    of the record being indexed; each record's come before its own.  *absent* and *owner* are
    as in :func:`reference_findings`.
    """
    for by_id in grouped.values():
        for record in by_id.values():
            if earlier:
                yield from earlier.get((record.kind, record.id), ())
            yield from reference_findings(record, grouped, absent, owner)
            yield from date_findings(record, grouped)
    yield from parent_loops(grouped)
    yield from as_of_findings(grouped, as_of)
