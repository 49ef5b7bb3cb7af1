"""Results as text for a terminal: one renderer per result, for the library and the command line.

:func:`format_comparison` and :func:`format_table` print a comparison and a ranking,
:func:`format_pooled` a pooled estimate and :func:`format_subgroups` a subgroup analysis.  The
command line prints with these same functions; nothing else lays a result out as text.

Given the registry the outcomes come from, a comparison or ranking is the table
``cartlandscape compare`` prints: a row per outcome with names, Wilson intervals, the study and
numbered citations, then the differences between therapies, the mismatches, cautions and
reports left out, and the sources cited by title.  Without a registry it is one line per row,
each citation as ``source:locator``, as ``str(comparison)`` gives it.  *width* wraps the tables
to a terminal's width and *bold* makes headings bold (both only for a terminal).

Text that came from data files is shown, never obeyed: control characters in it are written
out as escapes (see :func:`cartlandscape.tables.visible`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from cartlandscape.models import citations_text
from cartlandscape.tables import Column, render_table, style, visible

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.compare import Comparison, Difference, Row, Table
    from cartlandscape.matching import Mismatch
    from cartlandscape.models import Citation, Outcome
    from cartlandscape.pooling import PooledEstimate, SubgroupAnalysis
    from cartlandscape.summary import Group, Summary
    from cartlandscape.vocabulary import Grade, GradingScale

__all__ = [
    "format_comparison",
    "format_pooled",
    "format_subgroups",
    "format_table",
    "grading_words",
    "summary_tables",
]


def grading_words(grade: Grade | None, grading_scale: GradingScale | None) -> str:
    """``' grade ≥3 (ASTCT 2019)'``: how a heading or message names the grading asked for."""
    words = "" if grade is None else f" {grade.label}"
    return words + ("" if grading_scale is None else f" ({grading_scale.label})")


@attrs.define
class _Lines:
    """Text being written: lines, headings and tables, shown and never obeyed."""

    width: int | None = None
    bold: bool = False
    lines: list[str] = attrs.field(factory=list)

    def write(self, text: str = "") -> None:
        self.lines.append(visible(text))

    def heading(self, text: str) -> None:
        self.lines.append(style(visible(text), self.bold))

    def table(
        self, columns: Sequence[Column], rows: Sequence[Mapping[str, object]], indent: str = "  "
    ) -> None:
        """An aligned table; columns empty in every row are left out."""
        self.lines.append(
            render_table(
                columns, rows, width=self.width, bold=self.bold, indent=indent, skip_empty=True
            )
        )

    def section(self, heading: str, notes: Iterable[object]) -> None:
        """A blank line, a heading and one indented line per note (nothing without notes)."""
        notes = list(notes)
        if notes:
            self.write()
            self.heading(heading)
            for note in notes:
                self.write(f"  {note}")

    def __str__(self) -> str:
        return "\n".join(self.lines)


@attrs.define
class _Citations:
    """Numbered citations: rows point to ``[n]``, the list is written under the tables."""

    registry: Registry | None
    found: list[Citation] = attrs.field(factory=list)

    def cite(self, citations: Sequence[Citation]) -> str:
        numbers = []
        for citation in citations:
            if citation not in self.found:
                self.found.append(citation)
            numbers.append(self.found.index(citation) + 1)
        return ", ".join(f"[{n}]" for n in dict.fromkeys(numbers))

    def write(self, text: _Lines) -> None:
        if not self.found:
            return
        text.write()
        text.heading("Citations")
        for n, citation in enumerate(self.found, 1):
            source = None if self.registry is None else self.registry.sources.get(citation.source)
            title = source.title if source else citation.source
            note = f" ({citation.note})" if citation.note else ""
            text.write(f"  [{n}] {title} — {citation.locator}{note}")


def _label(registry: Registry | None, kind: str, ident: str | None) -> str | None:
    """The label of the record *ident* of *kind* (see ``Registry.label_of``), else *ident*."""
    return ident if registry is None else registry.label_of(kind, ident)


# -- comparisons and rankings ---------------------------------------------------------------


def _row_text(row: Row) -> str:
    n = f"n={row.n}" if row.n is not None else "n not stated"
    flags = f"  [differs: {', '.join(row.flags)}]" if row.flags else ""
    cited = citations_text(row.citations)
    return f"{row.name}: {row.value.describe()} ({n}) [{row.id}; {cited}]{flags}"


def _notes(lines: list[str], found: Sequence[Mismatch], left_out: Sequence[str]) -> None:
    if found:
        lines.append("Read with care:")
        lines.extend(f"  {m}" for m in found)
    if left_out:
        lines.append("Left out:")
        lines.extend(f"  {reason}" for reason in left_out)


def format_comparison(
    comparison: Comparison,
    registry: Registry | None = None,
    *,
    width: int | None = None,
    bold: bool = False,
) -> str:
    """The rows, the differences and any mismatch; the full table given the *registry*.

    >>> from cartlandscape.compare import Comparison, Row
    >>> from cartlandscape.models import Citation, Outcome
    >>> a = Outcome(id="a", therapy="a", endpoint="cr", value="50 percent", n=20,
    ...             citations=(Citation(source="s", locator="p. 3"),))
    >>> row = Row(outcome=a, name="A-cel", converted=a.value)
    >>> c = Comparison(endpoint="cr", indication=None, timepoint=None, unit="percent",
    ...                rows=(row, Row(outcome=attrs.evolve(a, id="b"), name="B-cel",
    ...                               converted=a.value)))
    >>> print(format_comparison(c))
    CR
      A-cel: 50 percent (n=20) [a; s:p. 3]
      B-cel: 50 percent (n=20) [b; s:p. 3]
    Differences:
      a − b: +0 percentage points
    """
    if registry is not None:
        differences = comparison.differences()
        return _rows_table(comparison, registry, None, differences, _Lines(width, bold))
    lines = [comparison.heading(), *(f"  {_row_text(r)}" for r in comparison.rows)]
    differences = comparison.differences()
    if differences:
        lines.append("Differences:")
        lines.extend(f"  {d}" for d in differences)
    if comparison.mismatches:
        lines.append("Mismatches (compared anyway):")
        lines.extend(f"  {m}" for m in comparison.mismatches)
    _notes(lines, comparison.cautions, comparison.left_out)
    return "\n".join(lines)


def format_table(
    table: Table, registry: Registry | None = None, *, width: int | None = None, bold: bool = False
) -> str:
    """One numbered line per row; the full table given the *registry*.

    >>> from cartlandscape.compare import Table
    >>> print(format_table(Table(endpoint="orr", indication=None, timepoint=None,
    ...                          unit="percent", descending=True, rows=(), positions=())))
    ORR, highest first
      (no outcomes)
    """
    if registry is not None:
        return _rows_table(table, registry, table.positions, (), _Lines(width, bold))
    head = table.heading() + (", highest first" if table.descending else ", lowest first")
    lines = [head]
    places = zip(table.positions, table.rows, strict=True)
    lines.extend(f"  {p:>3}. {_row_text(r)}" for p, r in places)
    if not table.rows:
        lines.append("  (no outcomes)")
    if table.mismatches:
        lines.append("Mismatches (ranked anyway):")
        lines.extend(f"  {m}" for m in table.mismatches)
    _notes(lines, table.cautions, table.left_out)
    return "\n".join(lines)


_ROW_COLUMNS: Final = (
    Column("position", "#", align="right"),
    Column("name", "Name"),
    Column("value", "Value"),
    Column("n", "N", align="right"),
    Column("ci", "95% CI (Wilson)"),
    Column("endpoint", "Endpoint"),
    Column("indication", "Indication"),
    Column("timepoint", "At"),
    Column("grade", "Grade"),
    Column("study", "Study"),
    Column("outcome", "Outcome"),
    Column("flags", "Differs in"),
    Column("cited", "Cited"),
)


def _ci(outcome: Outcome) -> str | None:
    """The Wilson 95% interval of a proportion outcome that gives its counts, as text."""
    from cartlandscape.errors import InsufficientDataError
    from cartlandscape.stats import proportion_ci

    try:
        ci = proportion_ci(outcome)
    except (InsufficientDataError, ValueError):
        return None
    return f"{ci.low:.3g}–{ci.high:.3g}" + ("*" if ci.derived else "")


def _outcome_cells(registry: Registry, row: Row, citations: _Citations) -> dict[str, Any]:
    """The cells the table shows of one row."""
    outcome = row.outcome
    study = outcome.study
    return {
        "outcome": outcome.id,
        "indication": _label(registry, "indication", outcome.indication),
        "endpoint": outcome.endpoint.label,
        "timepoint": outcome.timepoint,
        "grade": outcome.grading,
        "value": outcome.value,
        "n": outcome.n,
        "study": (study.name or study.registry_id) if study else None,
        "name": row.name,
        "ci": _ci(outcome),
        "flags": row.flags,
        "cited": citations.cite(row.citations),
    }


def _rows_table(
    result: Comparison | Table,
    registry: Registry,
    ranks: Sequence[int] | None,
    differences: Sequence[Difference],
    text: _Lines,
) -> str:
    """A comparison (without *ranks*) or a ranking as ``cartlandscape compare`` prints it."""
    ranked = ranks is not None
    positions: Sequence[int | None] = [None] * len(result.rows) if ranks is None else ranks
    citations = _Citations(registry)
    rows = [
        {**_outcome_cells(registry, row, citations), "position": position}
        for position, row in zip(positions, result.rows, strict=True)
    ]
    text.heading(
        f"{result.heading()} (values in {result.unit}), {'ranked' if ranked else 'compared'}"
    )
    same = {key for key in ("endpoint",) if len({row[key] for row in rows}) == 1}
    text.table([c for c in _ROW_COLUMNS[0 if ranked else 1 :] if c.key not in same], rows)
    if any(row["ci"] and str(row["ci"]).endswith("*") for row in rows):
        text.write("  * responders derived from the percentage and n")
    by_id = {row.id: row for row in result.rows}
    # Two reports of one therapy's study are left to the JSON form.
    between = [d for d in differences if by_id[d.first].name != by_id[d.second].name]
    text.section(
        "Differences between therapies",
        (
            f"{by_id[d.first].name} − {by_id[d.second].name}: {d.describe()}  "
            f"({d.first} − {d.second})"
            for d in between
        ),
    )
    text.section("Mismatches (compared anyway)", result.mismatches)
    text.section("Read with care", result.cautions)
    text.section("Left out", result.left_out)
    citations.write(text)
    return str(text)


# -- pooled estimates -----------------------------------------------------------------------

_STUDY_COLUMNS: Final = (
    Column("outcome", "Outcome"),
    Column("name", "Name"),
    Column("indication", "Indication"),
    Column("responders", "Responders", align="right"),
    Column("n", "N", align="right"),
    Column("observed", "Observed %", align="right"),
    Column("interval", "Study 95% CI %"),
    Column("weight", "Weight %", align="right"),
    Column("note", "Note"),
    Column("cited", "Cited"),
)
_SENSITIVITY_COLUMNS: Final = (
    Column("left_out", "Left out"),
    Column("estimate", "Pooled %", align="right"),
    Column("ci", "CI %"),
    Column("pi", "PI %"),
    Column("i2", "I² %", align="right"),
)


def _pooled_lines(text: _Lines, label: str, result: PooledEstimate) -> None:
    """The pooled estimate in two lines: the numbers, then the method and heterogeneity."""
    level = f"{result.level * 100:g}%"
    text.heading(
        f"{label} pooled: {result.estimate:.3g} {result.unit} "
        f"({level} CI {result.low:.3g}–{result.high:.3g}; {level} prediction interval "
        f"{result.pi_low:.3g}–{result.pi_high:.3g} {result.unit})"
    )
    p = "" if result.q_p is None else f" (p={result.q_p:.3g})"
    text.write(
        f"{result.method}; k={result.k}, τ²={result.tau2:.3g}, I²={result.i2 * 100:.1f}%, "
        f"Q={result.q:.3g}{p}"
    )


def _study_cells(
    registry: Registry | None, result: PooledEstimate, citations: _Citations
) -> list[dict[str, object]]:
    """One row per outcome pooled: its counts, interval, weight, notes and citations."""
    rows: list[dict[str, object]] = []
    for s in result.weights:
        outcome = registry.outcomes.get(s.outcome) if registry is not None else None
        corrected = (
            f"{result.correction:g} added to events and non-events "
            f"(logit estimate {s.estimate:.1f})"
            if s.corrected
            else ""
        )
        rows.append(
            {
                "outcome": s.outcome,
                "name": None
                if outcome is None
                else _label(registry, "therapy", outcome.therapy)
                or _label(registry, "institution", outcome.institution),
                "indication": None
                if outcome is None
                else _label(registry, "indication", outcome.indication),
                "responders": s.responders,
                "n": s.n,
                "observed": round(100 * s.responders / s.n, 1) if s.n else None,
                "interval": f"{s.low:.3g}–{s.high:.3g}",
                "weight": round(100 * s.weight, 1),
                "note": "; ".join(filter(None, [s.note, corrected])),
                "cited": citations.cite(s.citations),
            }
        )
    return rows


def format_pooled(
    result: PooledEstimate,
    registry: Registry | None = None,
    *,
    left_out: Sequence[str] = (),
    sensitivity: Sequence[PooledEstimate] = (),
    width: int | None = None,
    bold: bool = False,
) -> str:
    """A pooled estimate, its method, a table of the studies pooled and their citations.

    *left_out* says why outcomes were not pooled; *sensitivity* holds the refits of
    :func:`cartlandscape.pooling.leave_one_out`, shown as a table.  The *registry* names each
    study's therapy and indication, and gives the titles of the sources cited.

    >>> from cartlandscape.models import Citation, Outcome
    >>> from cartlandscape.pooling import pool
    >>> cite = (Citation(source="s", locator="table 3"),)
    >>> print(format_pooled(pool([
    ...     Outcome(id="s1", therapy="t", endpoint="orr", value="80 percent", n=40,
    ...             responders=32, citations=cite),
    ...     Outcome(id="s2", therapy="t", endpoint="orr", value="60 percent", n=50,
    ...             responders=30, citations=cite)])))
    ORR pooled: 70.2 percent (95% CI 47.5–86; 95% prediction interval 34.1–91.5 percent)
    DerSimonian–Laird random effects on the logit scale; k=2, τ²=0.361, I²=75.1%, Q=4.02 (p=0.0451)
    <BLANKLINE>
    Studies
      Outcome  Responders   N  Observed %  Study 95% CI %  Weight %  Cited
      -------  ----------  --  ----------  --------------  --------  -----
      s1               32  40          80  64.8–89.7           46.2  [1]
      s2               30  50          60  46–72.5             53.8  [1]
    <BLANKLINE>
    Citations
      [1] s — table 3
    """
    citations = _Citations(registry)
    text = _Lines(width, bold)
    rows = _study_cells(registry, result, citations)
    _pooled_lines(text, result.endpoint.label, result)
    text.write()
    text.heading("Studies")
    level = f"{result.level * 100:g}%"
    text.table(
        [attrs.evolve(c, header=c.header.replace("95%", level)) for c in _STUDY_COLUMNS], rows
    )
    text.section("Left out", left_out)
    if sensitivity:
        text.write()
        text.heading("Leaving one out")
        text.table(
            _SENSITIVITY_COLUMNS,
            [
                {
                    "left_out": s.outcome,
                    "estimate": f"{refit.estimate:.3g}",
                    "ci": f"{refit.low:.3g}–{refit.high:.3g}",
                    "pi": f"{refit.pi_low:.3g}–{refit.pi_high:.3g}",
                    "i2": f"{refit.i2 * 100:.1f}",
                }
                for s, refit in zip(result.weights, sensitivity, strict=True)
            ],
        )
    citations.write(text)
    return str(text)


def format_subgroups(
    analysis: SubgroupAnalysis,
    *,
    left_out: Sequence[str] = (),
    width: int | None = None,
    bold: bool = False,
) -> str:
    """Each subgroup's pooled estimate with its studies, then the test of their difference."""
    text = _Lines(width, bold)
    for name, result in analysis.groups:
        _pooled_lines(text, f"{name}:", result)
        text.write(f"  studies: {', '.join(result.studies)}")
        text.write()
    p = "" if analysis.p is None else f", p={analysis.p:.3g}"
    text.heading(
        f"Test for subgroup differences ({analysis.by}): Q={analysis.q_between:.3g}, "
        f"df={analysis.df}{p}"
    )
    text.section("Left out", left_out)
    return str(text)


# -- the summary -------------------------------------------------------------------------------

_MODALITY: Final = {"car-t": "CAR-T", "car-nk": "CAR-NK", "other": "other CAR cells"}
_GROUP_COLUMNS: Final = (
    Column("count", "Products", align="right"),
    Column("first", "Since"),
    Column("therapies", "Names"),
)


def _titled(
    text: _Lines, title: str, columns: Sequence[Column], rows: list[dict[str, object]]
) -> None:
    """A blank line, a title and an indented table, or ``none`` without rows."""
    text.write()
    text.heading(title)
    if rows:
        text.table(columns, rows)
    else:
        text.write("  none")


def _by_product(
    text: _Lines,
    registry: Registry,
    title: str,
    cells: Mapping[tuple[str, str | None], Mapping[str, str]],
    columns: Sequence[Column],
) -> None:
    """A table of approved products in an indication each, sorted by name then indication."""
    rows: list[dict[str, object]] = [
        {
            "name": _label(registry, "therapy", therapy),
            "indication": _label(registry, "indication", indication),
            **found,
        }
        for (therapy, indication), found in cells.items()
    ]
    rows.sort(key=lambda r: (str(r["name"]), str(r["indication"])))
    product = (Column("name", "Product"), Column("indication", "Indication"))
    _titled(text, title, [*product, *columns], rows)


def _key_outcomes(text: _Lines, registry: Registry) -> None:
    from cartlandscape.summary import key_outcomes
    from cartlandscape.vocabulary import Endpoint

    found: dict[tuple[str, str | None], dict[str, list[str]]] = {}
    for key in key_outcomes(registry):
        column = "orr" if key.endpoint is Endpoint.ORR else "cr"
        found.setdefault((key.therapy, key.indication), {"orr": [], "cr": []})[column].append(
            key.describe()
        )
    cells = {k: {c: "; ".join(v) for c, v in by.items()} for k, by in found.items()}
    columns = (Column("orr", "ORR"), Column("cr", "Complete response"))
    _by_product(
        text, registry, "Key outcomes of approved products (percent, as reported)", cells, columns
    )
    if cells:
        text.write(
            "  Each source is listed by 'cartlandscape show PRODUCT'; 'cartlandscape compare"
        )
        text.write("  --endpoint ORR' ranks the values, 'cartlandscape pool' pools them.")


def _key_safety(text: _Lines, registry: Registry) -> None:
    from cartlandscape.summary import SAFETY_ENDPOINTS, key_safety, safety_text

    found: dict[tuple[str, str | None], dict[str, list[Any]]] = {}
    for row in key_safety(registry):
        by = found.setdefault(
            (row.therapy, row.indication), {e.value: [] for e in SAFETY_ENDPOINTS}
        )
        by[row.endpoint.value].append(row)
    cells = {k: {c: safety_text(v) for c, v in by.items()} for k, by in found.items()}
    columns = [
        Column(e.value, e.label if e.label.isupper() else e.label.capitalize())
        for e in SAFETY_ENDPOINTS
    ]
    title = "Key safety of approved products (percent of patients, as reported)"
    _by_product(text, registry, title, cells, columns)
    if cells:
        text.write("  Grades on different scales are not comparable; each source is listed by")
        text.write("  'cartlandscape show PRODUCT'.")


def _trials(text: _Lines, registry: Registry) -> None:
    """The trial pipeline's counts, from the bundled snapshot's metadata (no trial is read)."""
    from cartlandscape.trials.store import pipeline_summary

    found = pipeline_summary(registry)
    text.write()
    text.heading(f"Registered trials (ClinicalTrials.gov, retrieved {found['retrieved']})")
    flagged = sum(found["flagged"].values())
    modalities = ", ".join(f"{_MODALITY.get(k, k)} {v}" for k, v in found["modalities"].items())
    text.write(
        f"  {found['pipeline']} trials give a CAR-based cell therapy ({modalities}); "
        f"{found['recruiting']} recruiting; {flagged} more only mention one"
    )
    text.write(
        "  Top targets: " + ", ".join(f"{t['target']} {t['trials']}" for t in found["targets"])
    )
    text.write(
        "  Top countries: " + ", ".join(f"{c['country']} {c['trials']}" for c in found["countries"])
    )
    text.write("  'cartlandscape trials list --help' queries them.")


def _counts(groups: Sequence[Group]) -> str:
    return ", ".join(
        f"{g.key} {g.count}" + (f" (since {g.first})" if g.first else "") for g in groups
    )


def _summary_head(text: _Lines, summary: Summary) -> None:
    """The version, the counts, the first approvals and the groups of approved products."""
    text.heading(f"CAR-T landscape — cartlandscape data {summary.version or '(no version)'}")
    text.write("Records: " + ", ".join(f"{n} {k}" for k, n in summary.counts.items()))
    _titled(
        text,
        "Approved products (first approval per agency)",
        [
            Column("agency", "Agency"),
            Column("date", "First approval"),
            Column("name", "Product"),
            Column("targets", "Targets"),
            Column("indication", "Indication"),
        ],
        [
            {**attrs.asdict(r, recurse=False), "date": r.date_text if r.date else None}
            for r in summary.approvals
        ],
    )
    text.write()
    text.write(f"By modality: {_counts(summary.modalities) or 'none'}")
    text.write(f"By agency: {_counts(summary.agencies) or 'none'}")
    for title, key, groups in (
        ("Approved products by target", "Target", summary.targets),
        ("Approved products by indication", "Indication", summary.indications),
        ("Approved products by year of first approval", "Year", summary.years),
    ):
        rows = [attrs.asdict(g, recurse=False) for g in groups]
        _titled(text, title, [Column("key", key), *_GROUP_COLUMNS], rows)


def _summary_tail(text: _Lines, summary: Summary, everything: bool) -> None:
    """The policies; then the timeline and the institutions, or a line counting institutions."""
    _titled(
        text,
        "Policies",
        [
            Column("name", "Policy"),
            Column("type", "Type"),
            Column("where", "Where"),
            Column("period", "Period"),
            Column("statements", "Statements", align="right"),
        ],
        [
            {**attrs.asdict(p), "where": ", ".join(filter(None, [p.region, p.country]))}
            for p in summary.policy_details
        ],
    )
    if not everything:
        kinds = Counter(i.type for i in summary.institutions).most_common()
        text.write()
        text.write(
            f"Institutions: {len(summary.institutions)}"
            + (" (" + ", ".join(f"{n} {k}" for k, n in kinds) + ")" if kinds else "")
        )
        text.write("'cartlandscape summary --all' adds the approval timeline and the institutions.")
        return
    _titled(
        text,
        "Approval timeline",
        [
            Column("date", "Date"),
            Column("agency", "Agency"),
            Column("type", "Step"),
            Column("name", "Product"),
            Column("indication", "Indication"),
        ],
        [{**attrs.asdict(e, recurse=False), "type": e.type.value} for e in summary.timeline],
    )
    _titled(
        text,
        "Institutions",
        [
            Column("name", "Institution"),
            Column("type", "Type"),
            Column("where", "Where"),
            Column("outcomes", "Outcomes", align="right"),
            Column("statements", "Statements", align="right"),
        ],
        [
            {**attrs.asdict(i), "where": ", ".join(filter(None, [i.city, i.country]))}
            for i in summary.institutions
        ],
    )


def summary_tables(
    summary: Summary,
    registry: Registry,
    *,
    everything: bool = True,
    width: int | None = None,
    bold: bool = False,
) -> str:
    """The summary as ``cartlandscape summary`` prints it: tables, key outcomes and safety.

    The key outcomes, key safety figures and trial counts come from the *registry* the
    summary was made of.  Without *everything*, the approval timeline and the institutions are
    left out (a line counts the institutions).  :func:`cartlandscape.summary.format_summary`
    gives this text when it is given the registry.
    """
    text = _Lines(width, bold)
    _summary_head(text, summary)
    _key_outcomes(text, registry)
    _key_safety(text, registry)
    _trials(text, registry)
    _summary_tail(text, summary, everything)
    return str(text)
