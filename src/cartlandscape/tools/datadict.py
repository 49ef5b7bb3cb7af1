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
from collections.abc import Sequence
from typing import Any, Final, get_args, get_origin

import attrs

from cartlandscape.dates import PartialDate
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.models import (
    Citation,
    Construct,
    Disagreement,
    HazardRatio,
    Milestone,
    Period,
    Study,
)
from cartlandscape.tools._common import generate, parser, seeds_readme, settle
from cartlandscape.values import Value

__all__ = ["FIELD_DOCS", "main", "markdown", "splice"]

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


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return " | ".join(_type_name(a) for a in args)
    if origin is tuple:
        return f"list of {_type_name(get_args(tp)[0])}"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(f"`{m.value}`" for m in tp)
    if isinstance(tp, type) and issubclass(tp, Value):
        return "value text (see below)"
    if tp is PartialDate:
        return "date text: YYYY, YYYY-MM or YYYY-MM-DD"
    if attrs.has(tp):
        return f"table ({tp.__name__})"
    names = {str: "text", int: "whole number", float: "number", bool: "true/false"}
    if tp in names:
        return names[tp]
    return getattr(tp, "__name__", str(tp))


def _required(field: attrs.Attribute[Any]) -> bool:
    return field.default is attrs.NOTHING


def _rows(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    rows = ["| field | type | required | meaning |", "| --- | --- | --- | --- |"]
    for field in attrs.fields(cls):
        kind = field.metadata.get("ref")
        type_text = _type_name(hints[field.name])
        if kind is not None:
            type_text = f"id of a {kind}" if kind != "*" else "kind:id reference"
            if get_origin(hints[field.name]) is tuple:
                type_text = f"list of {kind} ids"
        meaning = FIELD_DOCS.get(f"{cls.__name__}.{field.name}", FIELD_DOCS.get(field.name, ""))
        required = "yes" if _required(field) else ""
        rows.append(f"| `{field.name}` | {type_text} | {required} | {meaning} |")
    return rows


def markdown() -> str:
    """The data dictionary as Markdown: one table per kind and per nested table."""
    parts = []
    for tag, (cls, _) in BASE_KINDS.items():
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        parts.append(f"### `[[{tag}]]` — {cls.__name__}\n\n{doc}\n\n" + "\n".join(_rows(cls)))
    for cls in (Citation, Construct, Milestone, Study, HazardRatio, Disagreement, Period):
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        parts.append(f"### {cls.__name__} (nested)\n\n{doc}\n\n" + "\n".join(_rows(cls)))
    return "\n\n".join(parts) + "\n"


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
