"""What the data cover for each approved product, and why each gap is a gap.

The coverage table has a row per approved therapy and a column per kind of evidence
(efficacy, safety and durability outcomes, prices) and per approving agency (the date of the
first approval).  An empty cell is a *gap*, and every gap needs a reason, written by hand in
``seeds/README.md`` between the markers ``<!-- coverage-gaps:start -->`` and
``<!-- coverage-gaps:end -->``, one numbered line each::

    1. `axicabtagene-ciloleucel` price: no list price found in a label or company release.
    2. `*` MHRA: approvals by the MHRA are not recorded yet.

The first part is a therapy id, or ``*`` for every product with a gap in that column (a
line naming the product wins over a ``*`` line); the second a column (``efficacy``,
``safety``, ``durability``, ``price`` or an agency code).  The loader never reads this list:
it is Markdown in a README, not a data file.  The table itself is generated between
``<!-- coverage:start -->`` and ``<!-- coverage:end -->``; a gap cell names its reason by
number.  Rewrite it, or check it (also that every gap has a reason and every reason a gap);
without a path, the README of the bundled seeds::

    python -m cartlandscape.tools coverage --write
    python -m cartlandscape.tools coverage --check seeds/README.md

>>> gaps, problems = read_gaps("1. `*` price: not recorded yet.")
>>> gaps[0].product, gaps[0].column, gaps[0].reason, problems
('*', 'price', 'not recorded yet.', [])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from cartlandscape.tools._common import generate, parser, seeds_readme, settle

if TYPE_CHECKING:
    from cartlandscape._registry import Registry

__all__ = [
    "AGENCIES",
    "EVIDENCE",
    "Gap",
    "cells",
    "check",
    "main",
    "markdown",
    "read_gaps",
    "splice",
]

#: The evidence columns of the table.
EVIDENCE: Final = ("efficacy", "safety", "durability", "price")
#: The agencies whose approvals the table has a column for (others found in the data are added).
AGENCIES: Final = ("FDA", "EC", "NMPA", "MHLW", "HC", "MHRA", "TGA", "SWISSMEDIC", "CDSCO")
START: Final = "<!-- coverage:start -->"
END: Final = "<!-- coverage:end -->"
GAPS_START: Final = "<!-- coverage-gaps:start -->"
GAPS_END: Final = "<!-- coverage-gaps:end -->"
_LINE = re.compile(
    r"^(?P<number>\d+)\. `(?P<product>[^`]+)` (?P<column>[A-Za-z-]+): (?P<reason>\S.*)$"
)


@attrs.frozen
class Gap:
    """The reason a cell of the coverage table is empty (``product`` may be ``*``)."""

    number: int
    product: str
    column: str
    reason: str


def read_gaps(text: str) -> tuple[list[Gap], list[str]]:
    """The gap reasons in *text* (the lines of the list), and the problems with the lines."""
    gaps: list[Gap] = []
    problems: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line.strip())
        if match is None:
            problems.append(
                f'expected a line such as "1. `therapy-id` price: the reason", found {line!r}'
            )
            continue
        number = int(match["number"])
        if number != len(gaps) + 1:
            problems.append(f"expected reason number {len(gaps) + 1}, found {number} ({line!r})")
        column = match["column"]
        column = column.upper() if column.lower() not in EVIDENCE else column.lower()
        gaps.append(Gap(len(gaps) + 1, match["product"], column, match["reason"]))
    return gaps, problems


def _columns(registry: Registry) -> tuple[str, ...]:
    found = {m.agency for t in registry.therapies for m in t.milestones if m.is_approval}
    return (*EVIDENCE, *AGENCIES, *sorted(found - set(AGENCIES)))


def cells(registry: Registry) -> dict[str, dict[str, str | None]]:
    """Per approved therapy id, per column, what the data hold (None for a gap)."""
    first: dict[tuple[str, str], str] = {}
    for decision in registry.approval_decisions():  # oldest first
        key = (decision.therapy.id, decision.milestone.agency)
        date = "approved, date n/a" if decision.date is None else str(decision.date)
        if decision.milestone.type.value != "label-expansion":
            first.setdefault(key, date)
    table: dict[str, dict[str, str | None]] = {}
    for therapy in sorted(registry.therapies, key=lambda t: t.name.casefold()):
        if not therapy.is_approved:
            continue
        outcomes = registry.outcomes_for(therapy=therapy)
        counts = {
            "safety": sum(o.endpoint.is_safety for o in outcomes),
            "durability": sum(o.endpoint.is_durability for o in outcomes),
        }
        counts["efficacy"] = len(outcomes) - counts["safety"] - counts["durability"]
        row: dict[str, str | None] = {k: str(v) if v else None for k, v in counts.items()}
        countries = sorted({p.country for p in registry.prices_for(therapy=therapy)})
        row["price"] = ", ".join(countries) or None
        for agency in _columns(registry)[len(EVIDENCE) :]:
            row[agency] = first.get((therapy.id, agency))
        table[therapy.id] = row
    return table


def _reason(gaps: Sequence[Gap], product: str, column: str) -> Gap | None:
    own = [g for g in gaps if g.product == product and g.column == column]
    general = [g for g in gaps if g.product == "*" and g.column == column]
    found = own or general
    return found[0] if found else None


def check(registry: Registry, gaps: Sequence[Gap]) -> list[str]:
    """Every gap without a reason, and every reason that names no gap, as messages."""
    table = cells(registry)
    columns = _columns(registry)
    problems = []
    for ident, row in table.items():
        for column in columns:
            if row[column] is None and _reason(gaps, ident, column) is None:
                problems.append(f"{ident} has no {column} and no reason says why")
    for gap in gaps:
        where = f"reason {gap.number} ({gap.product} {gap.column})"
        if gap.column not in columns:
            problems.append(f"{where}: expected a column ({', '.join(columns)})")
        elif gap.product != "*" and gap.product not in table:
            problems.append(f"{where}: expected the id of an approved therapy")
        elif not any(
            row[gap.column] is None and _reason(gaps, ident, gap.column) == gap
            for ident, row in table.items()
            if gap.product in ("*", ident)
        ):
            problems.append(f"{where}: it explains no gap (the data now cover it)")
    return problems


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(registry: Registry, gaps: Sequence[Gap]) -> str:
    """The coverage table as Markdown; a gap names the number of its reason."""
    table = cells(registry)
    columns = _columns(registry)
    head = ["Product", *(c.capitalize() if c in EVIDENCE else c for c in columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for ident, row in table.items():
        name = registry.therapies[ident].name
        shown = []
        for column in columns:
            value = row[column]
            if value is None:
                gap = _reason(gaps, ident, column)
                value = "—" if gap is None else f"— ({gap.number})"
            shown.append(_escape(value))
        lines.append(f"| {_escape(name)} | " + " | ".join(shown) + " |")
    note = (
        "Outcome columns count outcome records; Price lists the countries with a price; an "
        "agency column gives the date of the first approval.  A dash is a gap; its number is "
        "that of its reason under *Coverage gaps*."
    )
    return "\n".join(lines) + "\n\n" + note + "\n"


def _between(text: str, start: str, end: str) -> tuple[str, str, str]:
    head, found_start, rest = text.partition(start)
    body, found_end, tail = rest.partition(end)
    if not found_start or not found_end:
        raise ValueError(f"the text has no {start} ... {end} markers")
    return head, body, tail


def splice(text: str, registry: Registry) -> str:
    """Return *text* with the coverage table between its markers brought up to date."""
    gaps, _ = read_gaps(_between(text, GAPS_START, GAPS_END)[1])
    head, _, tail = _between(text, START, END)
    return f"{head}{START}\n\n{markdown(registry, gaps)}\n{END}{tail}"


def main(argv: Sequence[str] | None = None, *, registry: Registry | None = None) -> int:
    """Bring the coverage table of a README up to date (``--write``), or check it.

    Either way every gap without a reason, and every reason without a gap, is reported and
    makes the status 1.  *registry* stands in for the bundled data (for tests).
    """
    args = parser(
        "coverage",
        __doc__.split("\n\n")[0],
        paths="Markdown files with the coverage markers",
        default="README.md of the bundled seeds",
    ).parse_args(argv)
    if registry is None:
        import cartlandscape

        registry = cartlandscape.registry()
    explained: list[str] = []

    def make(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        gaps, found = read_gaps(_between(text, GAPS_START, GAPS_END)[1])
        updated = splice(text, registry)
        explained.extend(f"{path}: {p}" for p in [*found, *check(registry, gaps)])
        return updated

    generated, problems = generate(args.paths or [seeds_readme()], make)
    stale = "the coverage table is out of date"
    return settle("coverage", args, generated, [*problems, *explained], stale=stale)
