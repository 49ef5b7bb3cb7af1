"""Write and check ``unitfacts.json``, the unit facts shipped for the bundled seeds.

What cartlandscape's own unit registry says of each unit name the bundled seeds use (canonical
name, dimensionality, fraction factor) ships with the package, so that loading the bundled data
never needs pint (see :mod:`cartlandscape.units`).  After changing the seeds or ``units.txt``::

    python -m cartlandscape.tools unitfacts --write
    python -m cartlandscape.tools unitfacts --check
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cartlandscape import loading, units
from cartlandscape.errors import UnitError
from cartlandscape.tools._common import parser, settle
from cartlandscape.units import (
    _SHIPPED_FILE,
    UnitFacts,
    _definitions_digest,
    _new_registry,
    _work_out,
)
from cartlandscape.values import _TEXT

__all__ = ["main"]

_ABOUT = "Written by python -m cartlandscape.tools unitfacts --write; do not edit."


def _strings(item: Any) -> Iterator[str]:
    """Every text in a parsed data document, at any depth."""
    if isinstance(item, str):
        yield item
    elif isinstance(item, dict):
        for value in item.values():
            yield from _strings(value)
    elif isinstance(item, list):
        for value in item:
            yield from _strings(value)


def _bundled_unit_facts() -> dict[str, UnitFacts]:
    """What a new registry of cartlandscape's own says of each unit name the bundled seeds use.

    A unit name is the unit of any text in the seeds that reads as a value (``87.5 percent``,
    ``~1e6 person``, ``79 to 89 percent``); the canonical name of each is included too, since
    the record fields check values by their canonical unit.
    """
    registry = _new_registry()
    found: dict[str, UnitFacts] = {}
    for name, data in loading._bundled_files():
        document, problem = loading._parse(name, data, loading.MAX_FILE_BYTES)
        if document is None:
            raise ValueError(str(problem))
        for string in _strings(document):
            match = _TEXT.match(string)
            if match is None:
                continue
            unit = match["unit"]
            try:
                facts = _work_out(registry, unit)
            except UnitError:  # a text that only looks like a value
                continue
            found[unit] = facts
            found[facts[0]] = _work_out(registry, facts[0])
    return dict(sorted(found.items()))


def _shipped_text(facts: dict[str, UnitFacts]) -> str:
    """The text of ``unitfacts.json`` for *facts*: one unit name a line, for small diffs."""

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    lines = [
        "{",
        f'  "about": {dumps(_ABOUT)},',
        f'  "units.txt": {dumps(_definitions_digest())},',
        '  "units": {',
        ",\n".join(f"    {dumps(unit)}: {dumps(list(facts))}" for unit, facts in facts.items()),
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write (``--write``) or check (``--check``) the unit facts shipped for the bundled seeds."""
    args = parser(
        "unitfacts",
        f"Write {_SHIPPED_FILE}: what cartlandscape's unit registry says of each unit name "
        "the bundled seeds use.",
    ).parse_args(argv)
    path = Path(units.__file__).with_name(_SHIPPED_FILE)
    return settle("unitfacts", args, [(path, _shipped_text(_bundled_unit_facts()))])
