"""A data dictionary generated from the record classes: every kind, field, type and rule.

``python -m cartlandscape.tools datadict --write`` rewrites the part of ``seeds/README.md``
(or of the files given) between the markers ``<!-- datadict:start -->`` and
``<!-- datadict:end -->``, so the documentation never drifts from the code; ``--check`` only
says whether it is up to date.

>>> "| `inn` |" in markdown()
True
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Sequence
from importlib.resources import files
from typing import Any, Final, get_args, get_origin

import attrs

from cartlandscape import units, vocabulary
from cartlandscape.dates import PartialDate
from cartlandscape.fields import ValueOf
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.models import Ref
from cartlandscape.tools._common import generate, parser, seeds_readme, settle
from cartlandscape.values import Value

__all__ = ["FIELD_DOCS", "expects", "main", "markdown", "record_classes", "splice"]

START: Final = "<!-- datadict:start -->"
END: Final = "<!-- datadict:end -->"

#: What each field means; "Class.field" entries override the plain field name.
FIELD_DOCS: Final = {
    "id": "Stable lowercase id (letters, digits, '-', '.').",
    "name": "Display name.",
    "aliases": "Other names the record is looked up by (short names, abbreviations).",
    "description": "What the record is, in the data's own words.",
    "citations": "Where the facts come from: a list of {source, locator}.",
    "country": "ISO 3166-1 alpha-2 country code.",
    "region": "Province, state or municipality.",
    "city": "City.",
    "url": "Web address.",
    "period": "{start, end} dates; either may be left out.",
    "type": "Kind of record, from the allowed values.",
    "disagreements": "Other values good sources give for a field, with why they are not used.",
    "Citation.source": "Id of the cited source.",
    "Citation.locator": "Where in the source: section, paragraph, table.",
    "Citation.note": "Anything a reader should know about this citation.",
    "Source.title": "Title of the document.",
    "Source.publisher": "Publisher or site.",
    "Source.published": "Publication date, to the precision given.",
    "Source.authors": "Authors as listed.",
    "Source.doi": "DOI, without the https://doi.org/ prefix.",
    "Source.language": "Two-letter language code.",
    "Source.url": "Canonical address: the DOI URL, PubMed, or the publisher's page.",
    "Source.tier": (
        "How strong the source is, if not the default of its type: regulator (label, "
        "regulator-notice, government-document, trial-registry) > company (press-release) > "
        "journal (journal-article, conference-abstract) > secondary (news-article, review, "
        "interview) > other (website, report, database) > weak (never the only support of a "
        "fact)."
    ),
    "Source.read_at": "Where the document was read, if not at its canonical address (a mirror).",
    "Target.gene_symbol": "HGNC-approved gene symbol.",
    "Target.hgnc": "HGNC id, 'HGNC:nnnn'.",
    "Target.uniprot": "UniProt accession of the human protein.",
    "Indication.category": "Broad disease area.",
    "Indication.parent": "Id of the broader indication this one belongs to.",
    "Indication.icd10": "ICD-10 codes.",
    "Indication.mondo": "MONDO id, 'MONDO:nnnnnnn'.",
    "Institution.ror": "ROR id (the part after https://ror.org/).",
    "Institution.parent": "Id of the institution this one belongs to.",
    "Therapy.inn": "International non-proprietary name.",
    "Therapy.brands": "Brand names.",
    "Therapy.codes": "Development code names.",
    "Therapy.modality": "Kind of cell therapy.",
    "Therapy.targets": "Ids of the targets (two for dual-target products).",
    "Therapy.construct": "How the product is built (see Construct).",
    "Therapy.developers": "Ids of the developing institutions.",
    "Therapy.milestones": "Regulatory milestones (see Milestone).",
    "Construct.costimulatory": "Costimulatory domains, e.g. 4-1BB, CD28.",
    "Construct.binder": "Antigen-binding domain, e.g. a murine scFv.",
    "Construct.delivery": "How the gene is delivered.",
    "Construct.edits": "Gene edits, e.g. PD-1 site integration, checkpoint knockout.",
    "Construct.armoring": "Armoring, e.g. cytokine secretion.",
    "Construct.cell_source": "Autologous or allogeneic cells.",
    "Milestone.agency": "Agency code, e.g. FDA, NMPA, EC, EMA, MHLW, HC, NHSA.",
    "Milestone.type": (
        "What the step is; a hospital exemption, a CHMP opinion and a listing are not approvals."
    ),
    "Milestone.date": "Date, to the precision the source gives.",
    "Milestone.not_after": "Latest date the step can have, where the source gives no date "
    "(e.g. the date of the report announcing it).",
    "Milestone.indication": "Id of the indication concerned.",
    "Milestone.jurisdiction": "Country code of the jurisdiction.",
    "Outcome.therapy": "Id of the therapy (or leave out and give an institution).",
    "Outcome.institution": "Id of the reporting institution.",
    "Outcome.indication": "Id of the indication.",
    "Outcome.endpoint": "What was measured.",
    "Outcome.value": "The result as stated; a rate is a proportion, a median a time.",
    "Outcome.n": "Number of patients the value is computed over (see analysis_set).",
    "Outcome.responders": "Number of patients with the response or event (at most n).",
    "Outcome.timepoint": "Time point of a rate (e.g. '12 month' for a 12-month PFS rate).",
    "Outcome.follow_up": "Median follow-up.",
    "Outcome.grading_scale": "Toxicity grading scale (needed for CRS, ICANS, neurotoxicity).",
    "Outcome.grade": "Grades counted (needed for CRS, ICANS, neurotoxicity).",
    "Outcome.analysis_set": (
        "Patients counted: itt (enrolled), infused (treated, the safety set), evaluable."
    ),
    "Outcome.data_cut": "Data cut-off date of the result, to the precision given.",
    "Outcome.study": "The study: name, registry id, phase.",
    "Outcome.setting": "Where the result comes from.",
    "Outcome.population": "Patients or model studied.",
    "Outcome.comparator": "What the result is compared with.",
    "Outcome.comparator_value": "The comparator arm's value of the same endpoint.",
    "Outcome.comparator_n": "Number of patients in the comparator arm.",
    "Outcome.hazard_ratio": "Hazard ratio for the endpoint, experimental vs comparator.",
    "HazardRatio.estimate": "The hazard ratio (above 0).",
    "HazardRatio.low": "Lower end of the confidence interval (with high, or neither).",
    "HazardRatio.high": "Upper end of the confidence interval (with low, or neither).",
    "HazardRatio.level": "Confidence level of the interval.",
    "HazardRatio.p": "p value as printed, e.g. '<0.001' or '0.0003'.",
    "Disagreement.field": "The field of the record the other value is for.",
    "Disagreement.value": "The other value, written as the field would be.",
    "Disagreement.reason": "Why the record keeps its own value.",
    "Price.therapy": "Id of the therapy.",
    "Price.amount": "The amount with its currency (e.g. '373000 USD'); never converted.",
    "Price.date": "Date the price applies from or was reported.",
    "Price.launch": "Whether this is the price at launch.",
    "Price.basis": "What the price pays for: one infusion or a whole course.",
    "Price.indication": "Id of the indication the price is for, if it is specific to one.",
    "Study.name": "Trial name, e.g. ZUMA-1.",
    "Study.registry_id": "Trial registry id: NCT, ChiCTR or CTR.",
    "Study.phase": "Trial phase.",
    "Statement.subject": "The record the figure is about, 'kind:id'.",
    "Statement.metric": "What is counted or measured.",
    "Statement.value": "The figure, as the source states it.",
    "Statement.as_of": "Date the figure refers to.",
    "Statement.scope": "Where or what the figure covers.",
    "Policy.issuer": "Id of the issuing institution.",
    "Event.hosts": "Ids of hosting institutions.",
    "Event.organizers": "Ids of organizing institutions.",
    "Period.start": "First date.",
    "Period.end": "Last date.",
}


def record_classes() -> list[type]:
    """The record classes, top-level kinds first, then the classes nested inside them."""
    found: list[type] = []
    todo = [cls for cls, _ in BASE_KINDS.values()]
    while todo:
        cls = todo.pop(0)
        if cls in found:
            continue
        found.append(cls)
        for hint in typing.get_type_hints(cls).values():
            for inner in _leaf_types(hint):
                if attrs.has(inner) and not _written_as_text(inner) and inner not in found:
                    todo.append(inner)
    return found


def _written_as_text(cls: type) -> bool:
    """Whether data files write *cls* as one text (a date, a value, a ``kind:id`` reference)."""
    return issubclass(cls, PartialDate | Ref | Value)


def _leaf_types(hint: Any) -> list[type]:
    args = get_args(hint)
    if not args:
        return [hint] if isinstance(hint, type) else []
    return [leaf for arg in args if arg is not Ellipsis for leaf in _leaf_types(arg)]


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return " or ".join(_type_name(a) for a in args)
    if origin is tuple:
        inner = _type_name(get_args(tp)[0])
        return f"list of {inner.replace('table ', 'tables ', 1)}"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"one of `{tp.__name__}` (see *Vocabularies*)"
    if isinstance(tp, type) and issubclass(tp, Value):
        return "value text (magnitude and unit)"
    if tp is PartialDate:
        return "date text: YYYY, YYYY-MM or YYYY-MM-DD"
    if attrs.has(tp):
        return f"table ({tp.__name__})"
    names = {str: "text", int: "whole number", float: "number", bool: "true/false"}
    if tp in names:
        return names[tp]
    return getattr(tp, "__name__", str(tp))


def _type_text(field: attrs.Attribute[Any], hint: Any) -> str:
    """The type of *field* as a data file writes it; a reference names the kind it refers to."""
    kind = field.metadata.get("ref")
    if kind is None:
        return _type_name(hint)
    if kind == "*":
        return "reference to a record of any kind (`kind:id`)"
    if get_origin(hint) is tuple:
        return f"list of {kind} ids"
    return f"{kind} id"


def _required(field: attrs.Attribute[Any]) -> str:
    if field.default is attrs.NOTHING:
        return "**required**"
    default = field.default
    if isinstance(default, attrs.Factory) or default is None:  # type: ignore[arg-type]
        return "optional"
    if default == ():
        return "optional (empty list)"
    if isinstance(default, enum.Enum):
        return f"optional (default `{default.value}`)"
    return f"optional (default `{default!r}`)"


def expects(field: attrs.Attribute[Any]) -> str:
    """What *field* accepts, in its validator's own words (those of its error messages).

    A value field adds the dimensions it accepts.  A validator that is not one of
    :mod:`cartlandscape.fields` (a class of downstream code) is described by what attrs' own
    ``instance_of`` checks, if that is what it is.
    """
    validator = field.validator
    said = getattr(validator, "expects", None)
    if isinstance(validator, ValueOf):
        where = "set by the record" if validator.checked_by_record else "any"
        return f"{said}; dimension: {', '.join(validator.dimensions) or where}"
    if isinstance(said, str):
        return said
    kind = getattr(validator, "type", None)
    if isinstance(kind, type):
        return f"a {kind.__name__}"
    return "checked when the record is built"


def _escape(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def _summary(cls: type) -> str:
    """The first paragraph of *cls*'s docstring, on one line."""
    doc = (cls.__doc__ or "").strip()
    return doc.split("\n\n", 1)[0].replace("\n", " ")


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in rows]
    return lines


def _fields(cls: type) -> list[str]:
    """The table of *cls*'s fields: type, whether required, what is accepted, meaning."""
    hints = typing.get_type_hints(cls)
    rows = [
        (
            f"`{field.name}`",
            _type_text(field, hints[field.name]),
            _required(field),
            expects(field),
            FIELD_DOCS.get(f"{cls.__name__}.{field.name}", FIELD_DOCS.get(field.name, "")),
        )
        for field in attrs.fields(cls)
    ]
    return _table(("field", "type", "required", "accepts", "meaning"), rows)


def _vocabularies() -> list[str]:
    rows = [
        (f"`{name}`", _summary(item), ", ".join(f"`{m.value}`" for m in item))
        for name in vocabulary.__all__
        if isinstance(item := getattr(vocabulary, name), type) and issubclass(item, enum.Enum)
    ]
    return [
        "The values the enumerated fields accept.",
        "",
        *_table(("vocabulary", "meaning", "values"), rows),
    ]


def _endpoints() -> list[str]:
    rows = [
        (
            f"`{e.value}`",
            e.label,
            f"{e.dimension} (`{units.DIMENSIONS[e.dimension]}`)",
            "yes" if e.needs_timepoint else "",
            "yes" if e.needs_grading else "",
        )
        for e in vocabulary.Endpoint
    ]
    head = ("endpoint", "label", "dimension", "needs a time point", "needs a grading scale")
    return [
        "An outcome's `value` must have its endpoint's dimension; some endpoints also need a",
        "`timepoint` or a `grading_scale`.",
        "",
        *_table(head, rows),
    ]


def _units() -> list[str]:
    text = (files("cartlandscape") / "units.txt").read_text(encoding="utf-8")
    rows = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.split("=", 1)[0].strip().endswith("-"):
            continue
        parts = [p.strip() for p in line.split("=")]
        names = ", ".join(f"`{o}`" for o in parts[2:] if o != "_")
        rows.append((f"`{parts[0]}`", names, f"`{units.dimension_of(parts[0])}`"))
    return [
        "The units cartlandscape defines (`units.txt`); plural forms and prefixes (`kilogram`)",
        "are understood too.",
        "",
        *_table(("unit", "other names", "dimensionality"), rows),
    ]


def markdown(level: int = 3) -> str:
    """The data dictionary as Markdown, its sections headed at *level*.

    A section per record kind and per nested table (its fields: type, whether required, what
    the validator accepts, meaning), then the vocabularies, the endpoints and the units.
    """
    mark = "#" * level
    tag_of = {cls: tag for tag, (cls, _) in BASE_KINDS.items()}
    parts = []
    for cls in record_classes():
        name = cls.__name__
        title = f"`[[{tag_of[cls]}]]` — {name}" if cls in tag_of else f"{name} (nested)"
        parts.append([f"{mark} {title}", "", _summary(cls), "", *_fields(cls)])
    parts.append([f"{mark} Vocabularies", "", *_vocabularies()])
    parts.append([f"{mark} Endpoints", "", *_endpoints()])
    parts.append([f"{mark} Units", "", *_units()])
    return "\n\n".join("\n".join(part) for part in parts) + "\n"


def splice(text: str) -> str:
    """Return *text* with the data dictionary between the markers brought up to date."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the text has no {START} ... {END} markers")
    return f"{head}{START}\n\n{markdown()}\n{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    """Bring the data dictionary of a README up to date (``--write``), or check it."""
    args = parser(
        "datadict",
        "Rewrite the data dictionary between the datadict markers of a README.",
        paths="Markdown files with the markers",
        default="README.md of the bundled seeds",
    ).parse_args(argv)
    generated, problems = generate(
        args.paths or [seeds_readme()], lambda p: splice(p.read_text(encoding="utf-8"))
    )
    return settle("datadict", args, generated, problems, stale="the data dictionary is out of date")
