"""Records, collections and results to JSON, CSV and pandas DataFrames.

:func:`to_json` writes records in the shape of the data files (through
:func:`cartlandscape.serialization.converter`) and results (comparisons, rankings, pooled
estimates, intervals, summaries) as plain objects; :func:`registry_to_json` writes a whole
registry as one data file that :func:`cartlandscape.loading.build` reads back.

:func:`rows` flattens anything into table rows, used by :func:`to_csv` and
:func:`to_dataframe`: nested records become dotted columns (``study.name``), each value
becomes the columns ``<field>_form``, ``<field>_magnitude`` (exact, approximate, bound),
``<field>_low`` and ``<field>_high`` (range), ``<field>_relation`` (bound) and
``<field>_unit`` (a value that was not reached has the form ``not-reached``, a unit and no
magnitude), citations become ``source:locator`` texts joined by ``"; "`` with the cited source
ids in a ``sources`` column beside them, lists of texts are joined by ``"; "``, lists of nested
records (disagreements) are JSON texts, and an empty list is an empty cell.

>>> from cartlandscape.models import Citation, Outcome
>>> o = Outcome(id="o", therapy="t", endpoint="orr", value="79 to 89 percent", n=60,
...             citations=(Citation(source="s", locator="table 2"),))
>>> print(to_csv([o]).splitlines()[0][:90])
id,therapy,institution,indication,endpoint,value_form,value_magnitude,value_low,value_high
>>> row = rows([o])[0]
>>> row["value_form"], row["value_low"], row["value_high"], row["value_unit"], row["citations"]
('range', 79.0, 89.0, 'percent', 's:table 2')
"""

from __future__ import annotations

import csv
import enum
import functools
import importlib
import io
import json
import math
import typing
from collections.abc import Iterable, Mapping, Sequence
from types import UnionType
from typing import Any, Final, TypeAlias

import attrs

from cartlandscape import integrity
from cartlandscape._registry import DataVersion, RecordSet, Registry
from cartlandscape.compare import Comparison, Difference, Row, Table
from cartlandscape.dates import PartialDate
from cartlandscape.kinds import BASE_KINDS, META_KEY, class_for, tags
from cartlandscape.models import Citation, Record, Ref, citations_text, is_citations
from cartlandscape.pooling import PooledEstimate
from cartlandscape.serialization import converter
from cartlandscape.summary import InstitutionProfile, Summary
from cartlandscape.values import Bound, Range, Value

__all__ = [
    "PANDAS_HINT",
    "csv_cell",
    "plain",
    "registry_document",
    "registry_to_json",
    "rows",
    "to_csv",
    "to_dataframe",
    "to_json",
]

Cell: TypeAlias = str | int | float | bool | None
#: The message given when pandas is missing.
PANDAS_HINT = "to_dataframe needs pandas: python -m pip install 'cartlandscape[pandas]'"
_VALUE_PARTS = ("form", "magnitude", "low", "high", "relation", "unit")
_JOIN = "; "


# -- JSON ----------------------------------------------------------------------------------------


def _is_record(value: object) -> bool:
    """Whether *value* is a record, or a part of one its fields declare (a citation, a study)."""
    return isinstance(value, Record) or type(value) in _record_parts(
        frozenset(class_for(tag) for tag in tags())
    )


@functools.cache
def _record_parts(classes: frozenset[type[Record] | None]) -> frozenset[type]:
    """The classes the fields of the record *classes* nest, at any depth."""
    return frozenset(
        part for cls in classes if cls is not None for part in integrity.nested_classes(cls)
    )


def plain(value: Any) -> Any:
    """*value* as JSON types: records as in data files, results as objects of their fields.

    Values are written in their text form (``"79 to 89 percent"``), dates as ``YYYY[-MM[-DD]]``,
    infinite numbers (the open end of a bound) as null.  A :class:`Difference` also gives its
    ``form`` and ``relation``; a :class:`Comparison` its ``differences``.

    >>> from cartlandscape.stats import wilson
    >>> plain(wilson(3, 4))["method"]
    'Wilson'
    """
    if value is None or (isinstance(value, bool | int | str) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Value):
        return value.written()
    if isinstance(value, PartialDate | Ref):
        return str(value)
    if _is_record(value):
        return converter().unstructure(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, RecordSet | list | tuple):
        return [plain(v) for v in value]
    if attrs.has(type(value)):
        found = {f.name: plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
        if isinstance(value, Difference):
            found.update(form=value.form, relation=value.relation)
        if isinstance(value, Comparison):
            found["differences"] = plain(value.differences())
        return found
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """*value* (a registry, a collection, a record or a result) as JSON text.

    A registry gives the same as :func:`registry_to_json`.

    >>> from cartlandscape.stats import clopper_pearson
    >>> print(to_json(clopper_pearson(0, 5), indent=None)[:60])
    {"responders": 0, "n": 5, "estimate": 0.0, "low": 0.0, "high
    """
    if isinstance(value, Registry):
        return registry_to_json(value, indent=indent)
    return json.dumps(plain(value), indent=indent, ensure_ascii=False)


def _tag(record: Record) -> str:
    for tag in tags():
        if class_for(tag) is type(record):
            return tag
    return record.kind


def registry_document(
    registry: Registry, *, kinds: Sequence[str] | None = None, by_id: bool = False
) -> dict[str, Any]:
    """*registry* as one data-file document: ``{"meta": {...}, "therapy": [...], ...}``.

    *kinds* limits it to records of those kinds (all kinds by default); ``by_id=True`` lists the
    records of each kind by id instead of in data order.  Records of a registered subclass keep
    their own kind tag.

    >>> import cartlandscape
    >>> doc = registry_document(cartlandscape.registry(), kinds=["target"], by_id=True)
    >>> sorted(doc), doc["target"][0]["id"]
    (['meta', 'target'], 'alpp')
    """
    document: dict[str, Any] = {}
    version: DataVersion | None = registry.version
    if version is not None:
        document[META_KEY] = {"release": version.release, "as_of": str(version.as_of)}
    conv = converter()
    for kind in kinds or BASE_KINDS:
        records = list(registry.of_kind(kind))
        if by_id:
            records.sort(key=lambda r: r.id)
        for record in records:
            document.setdefault(_tag(record), []).append(conv.unstructure(record))
    return document


def registry_to_json(registry: Registry, *, indent: int | None = 2) -> str:
    """The whole of *registry* as one JSON data file (see :func:`registry_document`).

    Reading it back with :func:`cartlandscape.loading.build` gives an equal registry: the same
    records, in the same order, and the same version.

    >>> import cartlandscape
    >>> from cartlandscape.loading import build
    >>> reg = cartlandscape.registry()
    >>> again, _ = build([("all.json", registry_to_json(reg).encode())])
    >>> list(again.records()) == list(reg.records()) and again.version == reg.version
    True
    """
    return json.dumps(registry_document(registry), indent=indent, ensure_ascii=False)


# -- rows ----------------------------------------------------------------------------------------


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # a downstream class whose annotations do not resolve
        return {}


def _members(hint: Any) -> tuple[Any, ...]:
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        return tuple(typing.get_args(hint))
    return (hint,)


def _is_value_hint(hint: Any) -> bool:
    return any(isinstance(m, type) and issubclass(m, Value) for m in _members(hint))


def _attrs_hint(hint: Any) -> type | None:
    for member in _members(hint):
        if isinstance(member, type) and attrs.has(member):
            return member
    return None


def _value_cells(name: str, value: Value | None) -> dict[str, Cell]:
    cells: dict[str, Cell] = dict.fromkeys((f"{name}_{p}" for p in _VALUE_PARTS), None)
    if value is None:
        return cells
    cells[f"{name}_form"] = value.form
    if isinstance(value, Range):
        cells[f"{name}_low"], cells[f"{name}_high"] = value.low, value.high
    elif value.magnitudes():  # a value that was not reached has none
        cells[f"{name}_magnitude"] = value.magnitudes()[0]
    if isinstance(value, Bound):
        cells[f"{name}_relation"] = value.relation
    cells[f"{name}_unit"] = value.unit
    return cells


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, str | PartialDate | Ref):
        return str(value)
    if isinstance(value, tuple | list):
        if not value:
            return None
        if is_citations(value):
            return citations_text(value)
        if all(isinstance(v, str | enum.Enum | PartialDate | Ref | int | float) for v in value):
            return _JOIN.join(str(_cell(v)) for v in value)
        return json.dumps(plain(value), ensure_ascii=False)
    return json.dumps(plain(value), ensure_ascii=False)


def _sources_column(name: str) -> str:
    """The column of the source ids beside a citations column (``sources``, ``x.sources``)."""
    head, dot, last = name.rpartition(".")
    return f"{head}{dot}sources" if last == "citations" else f"{name}_sources"


def _flatten(value: Any, cls: type, prefix: str = "") -> dict[str, Cell]:
    """One row of cells for an attrs instance (or None, giving empty cells for *cls*)."""
    cells: dict[str, Cell] = {}
    hints = _hints(cls)
    for field in attrs.fields(cls):
        name = prefix + field.name
        item = None if value is None else getattr(value, field.name)
        hint = hints.get(field.name)
        nested = _attrs_hint(hint) if not isinstance(item, Value) else None
        if isinstance(item, Value) or (item is None and _is_value_hint(hint)):
            cells.update(_value_cells(name, item))
        elif attrs.has(type(item)) and not isinstance(item, Citation | PartialDate):
            cells.update(_flatten(item, type(item), f"{name}."))
        elif item is None and nested is not None and nested not in (Citation, PartialDate):
            cells.update(_flatten(None, nested, f"{name}."))
        else:
            cells[name] = _cell(item)
            if is_citations(item) or (field.name == "citations" and not item):
                ids = dict.fromkeys(c.source for c in item or ())
                cells[_sources_column(name)] = _JOIN.join(ids) or None
    if isinstance(value, Difference):
        cells.update(form=value.form, relation=value.relation)
    return cells


def _row_cells(row: Row, position: int | None = None) -> dict[str, Cell]:
    cells: dict[str, Cell] = {} if position is None else {"position": position}
    cells["name"] = row.name
    cells.update(_flatten(row.outcome, type(row.outcome)))
    cells.update(_value_cells("converted", row.converted))
    cells["flags"] = _cell(row.flags)
    return cells


def _pooled_rows(pooled: PooledEstimate) -> list[dict[str, Cell]]:
    found = [{"row": "study", **_flatten(s, type(s))} for s in pooled.weights]
    summary = _flatten(pooled, type(pooled))
    del summary["weights"]
    found.append({"row": "pooled", **summary})
    return found


def _summary_rows(summary: Summary) -> list[dict[str, Cell]]:
    found = []
    for section in ("targets", "indications", "modalities", "agencies", "years"):
        for group in getattr(summary, section):
            found.append({"section": section, **_flatten(group, type(group))})
    return found


def _is_pair(value: object) -> bool:
    """Whether *value* is a ``(record, part of it)`` pair, as ``milestones_for`` gives."""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], Record)
        and attrs.has(type(value[1]))
        and not isinstance(value[1], Record)
    )


def rows(value: Any) -> list[dict[str, Cell]]:
    """*value* as flat table rows (see the module documentation for the columns).

    A collection or list of records gives a row per record; a comparison a row per outcome
    (with its converted value and mismatch flags); a ranking the same with a ``position``; a
    pooled estimate a row per study and a last ``pooled`` row; a summary a row per group
    (``summary.timeline`` and the other parts give their own rows); an institution profile
    its outcomes.  A ``(record, part)`` pair, such as the ``(therapy, milestone)`` pairs of
    ``Registry.milestones_for``, gives one row: the record's id (a ``therapy`` column) and
    name (``therapy_name``), then the part's fields.  A registry holds several kinds, so it
    gives no single table.

    >>> from cartlandscape.stats import wilson
    >>> [(k, v) for k, v in rows(wilson(1, 2))[0].items()][:3]
    [('responders', 1), ('n', 2), ('estimate', 50.0)]
    """
    if isinstance(value, Registry):
        raise TypeError(
            "a registry holds several kinds of record: write one collection "
            "(e.g. registry.therapies) as a table, or the whole registry with registry_to_json"
        )
    if isinstance(value, Comparison):
        return [_row_cells(r) for r in value.rows]
    if isinstance(value, Table):
        return [_row_cells(r, p) for p, r in zip(value.positions, value.rows, strict=True)]
    if isinstance(value, PooledEstimate):
        return _pooled_rows(value)
    if isinstance(value, Summary):
        return _summary_rows(value)
    if isinstance(value, InstitutionProfile):
        return [_row_cells(r) for r in value.outcomes]
    if isinstance(value, Row):
        return [_row_cells(value)]
    if _is_pair(value):
        record, part = value
        return [
            {
                record.kind: record.id,
                f"{record.kind}_name": record.label,
                **_flatten(part, type(part)),
            }
        ]
    if attrs.has(type(value)):
        return [_flatten(value, type(value))]
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        found: list[dict[str, Cell]] = []
        for item in value:
            found.extend(rows(item))
        return found
    raise TypeError(f"cannot write a {type(value).__name__} as a table")


def _columns(found: Iterable[Mapping[str, Cell]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in found:
        columns.update(dict.fromkeys(row))
    return list(columns)


#: What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value as a CSV cell: empty for None, and text that a spreadsheet would run defused.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
    formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` runs when the file is
    opened); such a cell gets a leading apostrophe, as the OWASP guidance on CSV injection
    advises, so that it shows as the text it is.  Numbers are written as they are.

    >>> csv_cell("=1+1"), csv_cell("-5 percent"), csv_cell(-5), csv_cell(None)
    ("'=1+1", "'-5 percent", -5, '')
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(value: Any) -> str:
    """*value* as CSV text with a header line (see :func:`rows`); see :func:`csv_cell`.

    >>> from cartlandscape.stats import wilson
    >>> print(to_csv(wilson(3, 4)).splitlines()[0])
    responders,n,estimate,low,high,level,method,unit,derived,note,outcome,citations,sources
    """
    found = rows(value)
    columns = _columns(found)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])
    for row in found:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _dtype(cells: Iterable[Cell]) -> str:
    """The pandas nullable dtype of a column: counts ``Int64``, numbers ``Float64``, ..."""
    kinds = {type(c) for c in cells if c is not None}
    if not kinds:
        return "string"
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "Int64"
    if kinds <= {int, float}:
        return "Float64"
    if kinds == {str}:
        return "string"
    return "object"


def to_dataframe(value: Any) -> Any:
    """*value* as a :class:`pandas.DataFrame` with the columns of :func:`rows`.

    Every column has a pandas nullable dtype, so a missing cell is ``pd.NA`` in every column:
    counts are ``Int64``, other numbers ``Float64``, texts ``string`` and flags ``boolean``.
    Needs the optional ``pandas`` extra (``pip install 'cartlandscape[pandas]'``).

    >>> from cartlandscape.stats import wilson
    >>> frame = to_dataframe([wilson(3, 4), wilson(1, 4)])
    >>> frame["estimate"].tolist(), str(frame["n"].dtype), str(frame["note"].dtype)
    ([75.0, 25.0], 'Int64', 'string')
    """
    try:
        pandas = importlib.import_module("pandas")
    except ImportError:
        raise ImportError(PANDAS_HINT) from None
    found = rows(value)
    columns = _columns(found)
    data = {}
    for column in columns:
        cells = [row.get(column) for row in found]
        dtype = _dtype(cells)
        missing = [pandas.NA if c is None else c for c in cells]
        data[column] = pandas.array(missing, dtype=dtype) if dtype != "object" else missing
    return pandas.DataFrame(data, columns=columns, index=pandas.RangeIndex(len(found)))
