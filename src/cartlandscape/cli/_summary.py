"""``cartlandscape summary``: :func:`cartlandscape.summary.summarize` laid out as tables."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

import attrs

from cartlandscape.cli._common import registry_for
from cartlandscape.cli._output import Output
from cartlandscape.tables import Column

__all__ = ["summary"]

#: Titles and columns of the summary's known parts; other parts get generic ones.
_TITLES = {
    "approvals": "Approved products (first approval per agency)",
    "by_target": "Approved products by target",
    "by_indication": "Approved products by indication",
    "policies": "Policies",
}
_COLUMNS = {
    "approvals": [
        Column("agency", "Agency"),
        Column("date", "First approval"),
        Column("name", "Product"),
        Column("targets", "Targets"),
        Column("indication", "Indication"),
    ],
    "by_target": [Column("key", "Target"), Column("value", "Products", align="right")],
    "by_indication": [Column("key", "Indication"), Column("value", "Products", align="right")],
}
_SKIP = ("version", "counts")


def _title(name: str) -> str:
    return _TITLES.get(name, name.replace("_", " ").capitalize())


def _part(out: Output, name: str, value: Any) -> None:
    """Write one part of the summary: a table, a list or a line."""
    if isinstance(value, Mapping):
        rows = [{"key": k, "value": v} for k, v in value.items()]
        columns = _COLUMNS.get(name, [Column("key", ""), Column("value", "", align="right")])
        out.heading(_title(name))
        if rows:
            out.table(columns, rows, indent="  ")
        else:
            out.write("  none")
    elif isinstance(value, tuple | list) and value and attrs.has(type(value[0])):
        columns = _COLUMNS.get(name) or [
            Column(f.name, f.name.replace("_", " ").capitalize())
            for f in attrs.fields(type(value[0]))
        ]
        out.heading(_title(name))
        out.table(columns, [attrs.asdict(row, recurse=False) for row in value], indent="  ")
    elif isinstance(value, tuple | list):
        out.heading(_title(name))
        for item in value or ["none"]:
            out.write(f"  {item.label if hasattr(item, 'label') else item}")
    else:
        out.write(f"{_title(name)}: {value}")


def summary(args: argparse.Namespace, out: Output) -> int:
    """Print the summary of the registry (``--format table`` or ``json``)."""
    from cartlandscape.summary import summarize

    result = summarize(registry_for(args))
    if out.format == "json":
        out.json(result)
        return 0
    version = result.version
    out.heading(f"CAR-T landscape — cartlandscape data {version or 'without a version'}")
    out.write("Records: " + ", ".join(f"{n} {k}" for k, n in result.counts.items()))
    for field in attrs.fields(type(result)):
        if field.name in _SKIP:
            continue
        out.write()
        _part(out, field.name, getattr(result, field.name))
    return 0
