"""``cartlandscape summary``: :func:`cartlandscape.summary.summarize` laid out as tables.

The table form shows the approved products with their first approvals, the approved products
grouped by target, indication and year (with one line each for modalities and agencies), the
key outcomes and the key safety figures of the approved products, and the policies; ``--all``
adds the approval timeline and the institutions.  Each approval is printed with one date, its
milestone's (``cartlandscape show`` lists the dates other sources give, with the reason).
``--format json`` writes every part of the summary, the key outcomes as ``key_outcomes`` (see
:class:`cartlandscape.summary.KeyOutcome`) and the key safety figures as ``key_safety`` (see
:class:`KeySafety`).
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Sequence

import attrs

from cartlandscape._registry import Registry
from cartlandscape.cli._common import registry_for
from cartlandscape.cli._output import Output
from cartlandscape.summary import KEY_ENDPOINTS, Group, KeyOutcome, Summary, key_outcomes
from cartlandscape.tables import Column
from cartlandscape.values import Value
from cartlandscape.vocabulary import Endpoint, Grade, GradingScale

__all__ = [
    "KEY_ENDPOINTS",
    "SAFETY_ENDPOINTS",
    "SAFETY_GRADES",
    "KeyOutcome",
    "KeySafety",
    "key_outcomes",
    "key_safety",
    "summary",
]

#: The toxicities of the key safety table, and the grades it shows of each.
SAFETY_ENDPOINTS = (Endpoint.CRS, Endpoint.ICANS, Endpoint.NEUROTOXICITY)
SAFETY_GRADES = (Grade.ANY, Grade.AT_LEAST_3)


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


def _safety_cells(rows: Sequence[KeySafety]) -> str:
    """``'any 93, ≥3 13 (Lee 2014, n=101)'``: a report's rates that share a scale and an n."""
    groups: dict[tuple[GradingScale, int | None], list[str]] = defaultdict(list)
    for row in rows:
        groups[(row.grading_scale, row.n)].append(row.describe())
    return "; ".join(
        f"{', '.join(values)} ({scale.label}{'' if n is None else f', n={n}'})"
        for (scale, n), values in groups.items()
    )


def _write_key_safety(out: Output, reg: Registry) -> None:
    cells: dict[tuple[str, str | None], dict[Endpoint, list[KeySafety]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in key_safety(reg):
        cells[(row.therapy, row.indication)][row.endpoint].append(row)
    out.write()
    out.heading("Key safety of approved products (percent of patients, as reported)")
    if not cells:
        out.write("  none")
        return
    rows = [
        {
            "name": reg.label_of("therapy", therapy),
            "indication": reg.label_of("indication", indication),
            **{e.value: _safety_cells(found.get(e, [])) for e in SAFETY_ENDPOINTS},
        }
        for (therapy, indication), found in cells.items()
    ]
    rows.sort(key=lambda r: (str(r["name"]), str(r["indication"])))
    columns = [
        Column("name", "Product"),
        Column("indication", "Indication"),
        *(
            Column(e.value, e.label if e.label.isupper() else e.label.capitalize())
            for e in SAFETY_ENDPOINTS
        ),
    ]
    out.table(columns, rows, indent="  ")
    out.write("  Grades on different scales are not comparable; each source is listed by")
    out.write("  'cartlandscape show PRODUCT'.")


def _write_key_outcomes(out: Output, reg: Registry) -> None:
    cells: dict[tuple[str, str | None], dict[str, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key in key_outcomes(reg):
        column = "orr" if key.endpoint is Endpoint.ORR else "cr"
        cells[(key.therapy, key.indication)][column].append(key.describe())
    out.write()
    out.heading("Key outcomes of approved products (percent, as reported)")
    if not cells:
        out.write("  none")
        return
    rows = [
        {
            "name": reg.label_of("therapy", therapy),
            "indication": reg.label_of("indication", indication),
            "orr": "; ".join(found["orr"]),
            "cr": "; ".join(found["cr"]),
        }
        for (therapy, indication), found in cells.items()
    ]
    rows.sort(key=lambda r: (str(r["name"]), str(r["indication"])))
    columns = [
        Column("name", "Product"),
        Column("indication", "Indication"),
        Column("orr", "ORR"),
        Column("cr", "Complete response"),
    ]
    out.table(columns, rows, indent="  ")
    out.write("  Each source is listed by 'cartlandscape show PRODUCT'; 'cartlandscape compare")
    out.write("  --endpoint ORR' ranks the values, 'cartlandscape pool' pools them.")


_MODALITY = {"car-t": "CAR-T", "car-nk": "CAR-NK", "other": "other CAR cells"}


def _write_trials(out: Output, reg: Registry) -> None:
    """The trial pipeline's counts, from the bundled snapshot's metadata (no trial is read)."""
    from cartlandscape.trials.store import pipeline_summary

    found = pipeline_summary(reg)
    out.write()
    out.heading(f"Registered trials (ClinicalTrials.gov, retrieved {found['retrieved']})")
    flagged = sum(found["flagged"].values())
    out.write(
        f"  {found['pipeline']} trials give a CAR-based cell therapy "
        f"({', '.join(f'{_MODALITY.get(k, k)} {v}' for k, v in found['modalities'].items())}); "
        f"{found['recruiting']} recruiting; {flagged} more only mention one"
    )
    out.write(
        "  Top targets: " + ", ".join(f"{t['target']} {t['trials']}" for t in found["targets"])
    )
    out.write(
        "  Top countries: " + ", ".join(f"{c['country']} {c['trials']}" for c in found["countries"])
    )
    out.write("  'cartlandscape trials list --help' queries them.")


def _groups(out: Output, title: str, key: str, groups: Sequence[Group]) -> None:
    out.write()
    out.heading(title)
    if not groups:
        out.write("  none")
        return
    columns = [
        Column("key", key),
        Column("count", "Products", align="right"),
        Column("first", "Since"),
        Column("therapies", "Names"),
    ]
    rows = [
        {"key": g.key, "count": g.count, "first": g.first, "therapies": g.therapies} for g in groups
    ]
    out.table(columns, rows, indent="  ")


def _counts(groups: Sequence[Group]) -> str:
    return ", ".join(
        f"{g.key} {g.count}" + (f" (since {g.first})" if g.first else "") for g in groups
    )


def _table(out: Output, title: str, columns: list[Column], rows: list[dict[str, object]]) -> None:
    out.write()
    out.heading(title)
    if rows:
        out.table(columns, rows, indent="  ")
    else:
        out.write("  none")


def _write(out: Output, reg: Registry, result: Summary, everything: bool) -> None:
    out.heading(f"CAR-T landscape — cartlandscape data {result.version or '(no version)'}")
    out.write("Records: " + ", ".join(f"{n} {k}" for k, n in result.counts.items()))
    _table(
        out,
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
            for r in result.approvals
        ],
    )
    out.write()
    out.write(f"By modality: {_counts(result.modalities) or 'none'}")
    out.write(f"By agency: {_counts(result.agencies) or 'none'}")
    _groups(out, "Approved products by target", "Target", result.targets)
    _groups(out, "Approved products by indication", "Indication", result.indications)
    _groups(out, "Approved products by year of first approval", "Year", result.years)
    _write_key_outcomes(out, reg)
    _write_key_safety(out, reg)
    _write_trials(out, reg)
    _table(
        out,
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
            for p in result.policy_details
        ],
    )
    if not everything:
        kinds = Counter(i.type for i in result.institutions).most_common()
        out.write()
        out.write(
            f"Institutions: {len(result.institutions)}"
            + (" (" + ", ".join(f"{n} {k}" for k, n in kinds) + ")" if kinds else "")
        )
        out.write("'cartlandscape summary --all' adds the approval timeline and the institutions.")
        return
    _table(
        out,
        "Approval timeline",
        [
            Column("date", "Date"),
            Column("agency", "Agency"),
            Column("type", "Step"),
            Column("name", "Product"),
            Column("indication", "Indication"),
        ],
        [{**attrs.asdict(e, recurse=False), "type": e.type.value} for e in result.timeline],
    )
    _table(
        out,
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
            for i in result.institutions
        ],
    )


def summary(args: argparse.Namespace, out: Output) -> int:
    """Print the summary of the registry (``--format table`` or ``json``)."""
    from cartlandscape.summary import summarize

    reg = registry_for(args)
    result = summarize(reg)
    if out.format == "json":
        from cartlandscape.export import plain
        from cartlandscape.trials.store import pipeline_summary

        out.json(
            {
                **plain(result),
                "key_outcomes": key_outcomes(reg),
                "key_safety": key_safety(reg),
                "trial_pipeline": pipeline_summary(reg),
            }
        )
        return 0
    _write(out, reg, result, args.all)
    return 0
