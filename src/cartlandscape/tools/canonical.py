"""Canonical form of data files, and the command that rewrites files into it.

A data file is canonical when it is exactly what cartlandscape writes back after reading it:
records grouped by kind in registry order (file order kept within a kind), keys in the order
of the record class's fields, optional fields left out when empty, values in their text form.
A comment block at the top of a TOML file is kept; other comments are not (put notes in
``description`` fields).

Rewrite files or folders in place, or only check them (without a path: the bundled seeds)::

    python -m cartlandscape.tools canonical --write seeds/
    python -m cartlandscape.tools canonical --check

>>> print(dumps_toml({"target": [{"id": "cd19", "name": "CD19", "aliases": ["B4"]}]}), end="")
[[target]]
id = "cd19"
name = "CD19"
aliases = ["B4"]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from cartlandscape.errors import DataError
from cartlandscape.kinds import BASE_KINDS, class_for, tags
from cartlandscape.loading import META_KEY, read_records
from cartlandscape.serialization import converter
from cartlandscape.tools._common import generate, parser, seeds_folder, settle

__all__ = ["canonical_text", "dumps_toml", "main"]


def _ordered(obj: Any, data: Any) -> Any:
    """Put the keys of unstructured *data* in the field order of *obj*'s class."""
    if attrs.has(type(obj)) and isinstance(data, dict):
        return {
            f.name: _ordered(getattr(obj, f.name), data[f.name])
            for f in attrs.fields(type(obj))
            if f.name in data
        }
    if isinstance(obj, tuple) and isinstance(data, list):
        return [_ordered(o, d) for o, d in zip(obj, data, strict=True)]
    return data


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _key(key: str) -> str:
    bare = key and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)
    return key if bare else json.dumps(key)


def _is_section(value: Any) -> bool:
    """A list of tables that themselves hold lists or tables is written as [[sections]]."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
        and any(isinstance(x, list | dict) for v in value for x in v.values())
    )


def _table(lines: list[str], header: str, table: dict[str, Any]) -> None:
    lines.append(f"[[{header}]]")
    sections = []
    for key, value in table.items():
        if _is_section(value):
            sections.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_scalar(value)}")
    for key, items in sections:
        for item in items:
            lines.append("")
            _table(lines, f"{header}.{_key(key)}", item)


def dumps_toml(document: dict[str, Any]) -> str:
    """Write a data document ({tag: [records], "meta": {...}}) as canonical TOML."""
    lines: list[str] = []
    meta = document.get(META_KEY)
    if meta is not None:
        lines.append(f"[{META_KEY}]")
        lines.extend(f"{_key(k)} = {_scalar(v)}" for k, v in meta.items())
    for tag, records in document.items():
        if tag == META_KEY:
            continue
        for record in records:
            if lines:
                lines.append("")
            _table(lines, _key(tag), record)
    return "\n".join(lines) + "\n"


def _header(text: str) -> str:
    kept = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        kept.append(line)
    return "\n".join(kept) + "\n\n" if kept else ""


def canonical_text(name: str, data: bytes) -> str:
    """The canonical text of one data file; raises DataError if it does not load."""
    entries, version, problems = read_records([(name, data)])
    if problems:
        raise DataError(problems)
    conv = converter()
    order = {tag: i for i, tag in enumerate(BASE_KINDS)}
    document: dict[str, Any] = {}
    if version is not None:
        document[META_KEY] = {"release": version.release, "as_of": str(version.as_of)}
    tag_of = {class_for(tag): tag for tag in reversed(tags())}
    tagged = [(tag_of[type(e.record)], e) for e in entries]
    for tag, entry in sorted(tagged, key=lambda pair: order.get(pair[0], len(order))):
        record = _ordered(entry.record, conv.unstructure(entry.record, type(entry.record)))
        if entry.override:
            record["override"] = True
        document.setdefault(tag, []).append(record)
    if name.endswith(".json"):
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _header(data.decode("utf-8-sig")) + dumps_toml(document)


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".toml", ".json")))
        else:
            found.append(path)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite data files into canonical form (``--write``) or list those that are not."""
    args = parser(
        "canonical",
        "Rewrite cartlandscape data files into canonical form, or check that they are.",
        paths="data files or folders",
        default="the bundled seeds folder",
    ).parse_args(argv)
    generated, problems = generate(
        _files(args.paths or [seeds_folder()]), lambda p: canonical_text(str(p), p.read_bytes())
    )
    return settle("canonical", args, generated, problems, stale="not in canonical form")
