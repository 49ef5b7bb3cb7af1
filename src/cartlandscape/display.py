"""How records and results show themselves: a one-line repr, readable text and HTML.

Every record, collection, comparison, ranking, pooled estimate and summary has three faces:
``repr()`` is one short line (class, id, name), ``str()`` is text for a person to read, and
``_repr_html_()`` is a compact HTML table that notebooks (Jupyter, VS Code) show on their own.
The HTML is built from the fields of each class, so a new kind of record shows itself too.

A record alone knows its citations' source ids and locators only; a registry resolves them to
links to the sources' addresses:

>>> import cartlandscape
>>> reg = cartlandscape.registry()
>>> kymriah = reg.lookup("Kymriah")
>>> repr(kymriah)
"<Therapy 'tisagenlecleucel': Tisagenlecleucel>"
>>> print(str(kymriah).splitlines()[0])
Therapy tisagenlecleucel: Tisagenlecleucel
>>> 'href="http' in reg.display(kymriah)._repr_html_()
True

Every text is escaped, so data holding markup show it as text:

>>> from cartlandscape.models import Citation, Target
>>> t = Target(id="x", name="<script>alert(1)</script>",
...            citations=(Citation(source="s", locator="p. 1"),))
>>> "<script>" in t._repr_html_(), "&lt;script&gt;" in t._repr_html_()
(False, True)
"""

from __future__ import annotations

import enum
import html
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from cartlandscape.models import citations_text, is_citations

if TYPE_CHECKING:
    from cartlandscape._registry import RecordSet, Registry
    from cartlandscape.compare import Comparison, Row, Table
    from cartlandscape.models import Citation, Record, Source
    from cartlandscape.pooling import PooledEstimate
    from cartlandscape.summary import Summary

__all__ = [
    "Shown",
    "SourceLookup",
    "citation_html",
    "comparison_html",
    "html_table",
    "pooled_html",
    "record_html",
    "record_repr",
    "record_text",
    "records_html",
    "records_text",
    "registry_html",
    "short",
    "source_address",
    "summary_html",
    "table_html",
    "to_html",
]

#: Finds the source record of a source id (``registry.sources.get``), or None.
SourceLookup = Callable[[str], "Source | None"]

#: The longest name a repr shows before it is cut.
REPR_WIDTH: Final = 60
#: The most rows an HTML table of a collection shows.
MAX_ROWS: Final = 200
#: The class of every table the HTML display writes (for styling).
CSS_CLASS: Final = "cartlandscape"


def short(text: str, width: int = REPR_WIDTH) -> str:
    """*text* on one line, cut to *width* characters with an ellipsis.

    >>> short("a   b"), short("x" * 70, 10)
    ('a b', 'xxxxxxxxx…')
    """
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "…"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def source_address(source: Source) -> str | None:
    """Where a source can be read: its url, else its DOI's address, else where it was read."""
    if source.url:
        return source.url
    if source.doi:
        return f"https://doi.org/{source.doi}"
    return source.read_at


# -- records -------------------------------------------------------------------------------------


def record_repr(record: Record) -> str:
    """One line: the class, the id and the record's name.

    >>> from cartlandscape.models import Citation, Target
    >>> record_repr(Target(id="cd19", name="CD19", citations=[Citation(source="s", locator="l")]))
    "<Target 'cd19': CD19>"
    """
    label = record.label
    name = f": {short(label)}" if label and label != record.id else ""
    return f"<{type(record).__name__} {record.id!r}{name}>"


def _own_str(value: object) -> bool:
    return type(value).__str__ is not object.__str__


def _present(value: object) -> bool:
    return value is not None and value != () and value != ""


def _fields(value: Any) -> list[tuple[str, Any]]:
    return [
        (f.name, getattr(value, f.name))
        for f in attrs.fields(type(value))
        if _present(getattr(value, f.name))
    ]


def _plain_text(value: object) -> str:
    """A field's value as one line of text."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if is_citations(value):
        return citations_text(value, ": ")
    if isinstance(value, tuple | list):
        return "; ".join(_plain_text(v) for v in value)
    if attrs.has(type(value)) and not _own_str(value):
        return ", ".join(f"{k} {_plain_text(v)}" for k, v in _fields(value))
    return str(value)


def record_text(record: Record) -> str:
    """Readable text: a title line, then one line per field that holds something.

    >>> from cartlandscape.models import Citation, Target
    >>> print(record_text(Target(id="cd19", name="CD19", gene_symbol="CD19",
    ...                          citations=[Citation(source="hgnc", locator="CD19")])))
    Target cd19: CD19
      gene_symbol: CD19
      citations: hgnc: CD19
    """
    label = record.label
    lines = [f"{type(record).__name__} {record.id}" + (f": {label}" if label != record.id else "")]
    for name, value in _fields(record):
        if name in ("id", "name"):
            continue
        items = value if isinstance(value, tuple) and value and attrs.has(type(value[0])) else None
        if items is not None and not is_citations(value):
            lines.append(f"  {name}:")
            lines.extend(f"    - {_plain_text(item)}" for item in items)
        else:
            lines.append(f"  {name}: {_plain_text(value)}")
    return "\n".join(lines)


def citation_html(citation: Citation, sources: SourceLookup | None = None) -> str:
    """A citation as HTML: its source (a link where the source's address is known), locator.

    >>> from cartlandscape.models import Citation
    >>> citation_html(Citation(source="fda-label", locator="Table 5"))
    '<span class="cite"><code>fda-label</code>, Table 5</span>'
    """
    source = sources(citation.source) if sources is not None else None
    address = source_address(source) if source is not None else None
    name = f"<code>{_e(citation.source)}</code>"
    if source is not None and address:
        name = f'<a href="{_e(address)}" title="{_e(source.title)}">{name}</a>'
    elif source is not None:
        name = f'<span title="{_e(source.title)}">{name}</span>'
    note = f" ({_e(citation.note)})" if citation.note else ""
    return f'<span class="cite">{name}, {_e(citation.locator)}{note}</span>'


def _cell_html(value: object, sources: SourceLookup | None) -> str:
    if value is None:
        return ""
    if is_citations(value):
        return "<br>".join(citation_html(c, sources) for c in value)
    if isinstance(value, enum.Enum):
        return _e(value.value)
    if isinstance(value, tuple | list):
        if value and all(attrs.has(type(v)) and not _own_str(v) for v in value):
            return _nested_table(value, sources)
        return _e(", ".join(_plain_text(v) for v in value))
    if attrs.has(type(value)) and not _own_str(value):
        return "; ".join(f"<i>{_e(k)}</i> {_cell_html(v, sources)}" for k, v in _fields(value))
    return _e(value)


def _nested_table(items: Sequence[object], sources: SourceLookup | None) -> str:
    names: dict[str, None] = {}
    for item in items:
        names.update(dict.fromkeys(name for name, _ in _fields(item)))
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell_html(getattr(i, n), sources)}</td>" for n in names) + "</tr>"
        for i in items
    )
    return f'<table class="{CSS_CLASS} nested"><tr>{head}</tr>{body}</table>'


def record_html(record: Record, sources: SourceLookup | None = None) -> str:
    """A record as an HTML table of its fields; *sources* turns citations into links."""
    rows = "".join(
        f'<tr><th style="text-align:left">{_e(name)}</th>'
        f'<td style="text-align:left">{_cell_html(value, sources)}</td></tr>'
        for name, value in _fields(record)
    )
    caption = f"{_e(type(record).__name__)} <code>{_e(record.id)}</code>"
    if record.label != record.id:
        caption += f": {_e(record.label)}"
    return (
        f'<table class="{CSS_CLASS}"><caption style="text-align:left">{caption}</caption>'
        f"{rows}</table>"
    )


# -- tables --------------------------------------------------------------------------------------


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    caption: str | None = None,
    escaped: bool = True,
) -> str:
    """An HTML table; cells are HTML already when *escaped* (the default), else text.

    >>> "<td>&lt;b&gt;</td>" in html_table(["a"], [["<b>"]], escaped=False)
    True
    """
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if escaped else _e(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    top = f'<caption style="text-align:left">{caption}</caption>' if caption else ""
    return (
        f'<table class="{CSS_CLASS}">{top}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _citations_html(citations: Iterable[Citation], sources: SourceLookup | None) -> str:
    return "<br>".join(citation_html(c, sources) for c in citations)


def records_html(records: Iterable[Record], sources: SourceLookup | None = None) -> str:
    """A collection as one HTML table: id, name and citations, a row per record."""
    items = list(records)
    shown = items[:MAX_ROWS]
    rows = [
        (
            f"<code>{_e(r.id)}</code>",
            _e(r.label),
            _citations_html(getattr(r, "citations", ()), sources),
        )
        for r in shown
    ]
    kinds = sorted({type(r).__name__ for r in items}) or ["record"]
    caption = f"{len(items)} {_e(', '.join(kinds))}"
    if len(items) > len(shown):
        caption += f" (the first {len(shown)} shown)"
    return html_table(["id", "name", "citations"], rows, caption=caption)


def records_text(records: RecordSet[Any]) -> str:
    """A collection as text: one line per record, its id and name."""
    lines = [f"{len(records)} records"]
    lines.extend(f"  {r.id}: {r.label}" if r.label != r.id else f"  {r.id}" for r in records)
    return "\n".join(lines)


def registry_html(registry: Registry) -> str:
    """A registry as an HTML table: how many records of each kind it holds."""
    from cartlandscape.kinds import BASE_KINDS

    rows = [
        (_e(BASE_KINDS[kind][1]), str(len(registry.of_kind(kind))))
        for kind in BASE_KINDS
        if len(registry.of_kind(kind))
    ]
    caption = "cartlandscape registry"
    if registry.version is not None:
        caption += f" {_e(registry.version)}"
    return html_table(["records", "count"], rows, caption=caption)


# -- results -------------------------------------------------------------------------------------


def _row_cells(row: Row, sources: SourceLookup | None) -> list[str]:
    return [
        _e(row.name),
        _e(row.value.describe()),
        "" if row.n is None else _e(row.n),
        f"<code>{_e(row.id)}</code>",
        _citations_html(row.citations, sources),
        _e(", ".join(row.flags)),
    ]


_ROW_HEADERS: Final = ("therapy", "value", "n", "outcome", "citations", "differs in")


def comparison_html(comparison: Comparison, sources: SourceLookup | None = None) -> str:
    """A comparison as HTML: a row per outcome, then the differences and any mismatch."""
    parts = [
        html_table(
            _ROW_HEADERS,
            (_row_cells(r, sources) for r in comparison.rows),
            caption=_e(comparison.heading()),
        )
    ]
    _list_html(parts, "difference", comparison.differences(), "Differences")
    _list_html(parts, "mismatch", comparison.mismatches, "Mismatches (compared anyway)")
    return "".join(parts)


def table_html(table: Table, sources: SourceLookup | None = None) -> str:
    """A ranking as HTML: a row per outcome with its place."""
    order = ", highest first" if table.descending else ", lowest first"
    rows = (
        [_e(p), *_row_cells(r, sources)] for p, r in zip(table.positions, table.rows, strict=True)
    )
    parts = [html_table(["#", *_ROW_HEADERS], rows, caption=_e(table.heading() + order))]
    _list_html(parts, "mismatch", table.mismatches, "Mismatches (ranked anyway)")
    return "".join(parts)


def _list_html(parts: list[str], header: str, items: Sequence[object], caption: str) -> None:
    """Add a one-column table of *items* under *caption* to *parts*, if there are any."""
    if items:
        parts.append(html_table([header], ([_e(item)] for item in items), caption=caption))


def pooled_html(pooled: PooledEstimate, sources: SourceLookup | None = None) -> str:
    """A pooled estimate as HTML: the estimate as caption, a row per study with its weight."""
    rows = [
        (
            f"<code>{_e(s.outcome)}</code>",
            f"{s.responders}/{s.n}",
            f"{s.estimate:.3g}% ({s.low:.3g}–{s.high:.3g})",
            f"{s.weight * 100:.1f}%",
            _citations_html(s.citations, sources),
        )
        for s in pooled.weights
    ]
    return html_table(
        ["outcome", "responders/n", "estimate (CI)", "weight", "citations"],
        rows,
        caption=_e(pooled),
    )


def summary_html(summary: Summary, sources: SourceLookup | None = None) -> str:
    """A summary as HTML: the counts, the approved products and the approval timeline."""
    if sources is None and summary.sources:
        sources = summary.sources.get
    counts = ", ".join(f"{n} {k}" for k, n in summary.counts.items() if n)
    parts = [
        f"<p><b>CAR-T landscape</b> — cartlandscape data "
        f"{_e(summary.version or 'unversioned')}: {_e(counts)}</p>",
        html_table(
            ["agency", "date", "product", "targets", "indication"],
            (
                (
                    _e(r.agency),
                    _e(r.date_text),
                    _e(r.name),
                    _e(", ".join(r.targets)),
                    _e(r.indication or ""),
                )
                for r in summary.approvals
            ),
            caption="Approved products (first approval per agency)",
        ),
        html_table(
            ["date", "agency", "decision", "product", "indication", "citations"],
            (
                (
                    _e(e.date or "date n/a"),
                    _e(e.agency),
                    _e(e.type.value),
                    _e(e.name),
                    _e(e.indication or ""),
                    _citations_html(e.citations, sources),
                )
                for e in summary.timeline
            ),
            caption="Approval timeline",
        ),
    ]
    if summary.policy_details:
        parts.append(
            html_table(
                ["policy", "type", "country", "period"],
                (
                    (_e(p.name), _e(p.type), _e(p.region or p.country), _e(p.period or ""))
                    for p in summary.policy_details
                ),
                caption="Policies",
            )
        )
    return "".join(parts)


@attrs.frozen
class Shown:
    """A record or result with the registry's sources, so citations show as links.

    ``Registry.display(item)`` makes one; a notebook shows it as HTML, ``print`` as text.
    """

    item: Any
    sources: SourceLookup = attrs.field(repr=False)

    def _repr_html_(self) -> str:
        return to_html(self.item, self.sources)

    def __str__(self) -> str:
        return str(self.item)


def to_html(item: Any, sources: SourceLookup | None = None) -> str:
    """*item* (a record, a collection or a result) as HTML, citations resolved by *sources*."""
    from cartlandscape._registry import RecordSet, Registry
    from cartlandscape.compare import Comparison, Table
    from cartlandscape.models import Record
    from cartlandscape.pooling import PooledEstimate
    from cartlandscape.summary import Summary

    if isinstance(item, Record):
        return record_html(item, sources)
    if isinstance(item, Comparison):
        return comparison_html(item, sources)
    if isinstance(item, Table):
        return table_html(item, sources)
    if isinstance(item, PooledEstimate):
        return pooled_html(item, sources)
    if isinstance(item, Summary):
        return summary_html(item, sources)
    if isinstance(item, Registry):
        return registry_html(item)
    if isinstance(item, RecordSet | list | tuple):
        return records_html(item, sources)
    raise TypeError(f"cannot show a {type(item).__name__} as HTML")
