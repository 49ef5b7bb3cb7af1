"""Trial records from ClinicalTrials.gov data: API v2 study objects, or rows of the CSV snapshot.

:func:`from_api_studies` reads the study objects of the ClinicalTrials.gov API v2 (the
``studies`` list of a page of ``GET /api/v2/studies``, each with its ``protocolSection``);
:func:`from_csv_rows` reads the rows of the bundled snapshot's source table
(``cart_trials_2026-10.csv``).  Both annotate every trial (:mod:`cartlandscape.trials.annotate`)
and return every study; :func:`select` keeps those with a CAR-based cell therapy and says why
each other one was dropped.

Every problem in the input (an unknown country, a date or a count that does not read) is
collected and raised at once as a :class:`~cartlandscape.errors.DataError` naming the study and
the field; no record is returned unless every study reads.

>>> study = {"protocolSection": {
...     "identificationModule": {"nctId": "NCT02348216", "briefTitle": "Study of KTE-C19 (ZUMA-1)"},
...     "statusModule": {"overallStatus": "COMPLETED",
...                      "startDateStruct": {"date": "2015-01", "type": "ACTUAL"}},
...     "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE1", "PHASE2"]},
... }}
>>> (trial,) = from_api_studies([study], retrieved="2026-10")
>>> trial.id, trial.phase_label, str(trial.start), trial.product_ids
('nct02348216', 'Phase 1/2', '2015-01 (actual)', ('axicabtagene-ciloleucel',))
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from cartlandscape.dates import PartialDate
from cartlandscape.errors import DataError, FieldError, Problem
from cartlandscape.models import Citation
from cartlandscape.trials.model import (
    Certainty,
    Enrollment,
    Intervention,
    InterventionType,
    Phase,
    Sponsor,
    SponsorClass,
    StudyType,
    Trial,
    TrialDate,
    TrialStatus,
)

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.trials.annotate import Annotator

__all__ = [
    "COUNTRY_CODES",
    "CSV_SOURCE",
    "REGISTRY_SOURCE",
    "Dropped",
    "from_api_studies",
    "from_csv_rows",
    "select",
]

#: The source id of ClinicalTrials.gov, cited by every trial.
REGISTRY_SOURCE: Final = "clinicaltrials-gov"
#: The source id of the CSV table the bundled snapshot was converted from.
CSV_SOURCE: Final = "cartbridgehealth-cart-trials-2026-10"

#: ISO 3166-1 alpha-2 codes of the country names ClinicalTrials.gov uses in locations.
COUNTRY_CODES: Final[dict[str, str]] = {
    "Argentina": "AR", "Australia": "AU", "Austria": "AT", "Bahrain": "BH", "Bangladesh": "BD",
    "Belarus": "BY", "Belgium": "BE", "Brazil": "BR", "Bulgaria": "BG", "Canada": "CA",
    "Chile": "CL", "China": "CN", "Christmas Island": "CX", "Colombia": "CO", "Croatia": "HR",
    "Cuba": "CU", "Cyprus": "CY", "Czechia": "CZ", "Czech Republic": "CZ", "Denmark": "DK",
    "Egypt": "EG", "Estonia": "EE", "Faroe Islands": "FO", "Finland": "FI", "France": "FR",
    "Georgia": "GE", "Germany": "DE", "Ghana": "GH", "Greece": "GR", "Hong Kong": "HK",
    "Hungary": "HU", "Iceland": "IS", "India": "IN", "Indonesia": "ID", "Iran": "IR",
    "Iran, Islamic Republic of": "IR", "Iraq": "IQ", "Ireland": "IE", "Israel": "IL",
    "Italy": "IT", "Japan": "JP", "Jordan": "JO", "Kazakhstan": "KZ", "Kenya": "KE",
    "Korea, Republic of": "KR", "South Korea": "KR", "Kuwait": "KW", "Latvia": "LV",
    "Lebanon": "LB", "Lithuania": "LT", "Luxembourg": "LU", "Malaysia": "MY", "Mexico": "MX",
    "Morocco": "MA", "Netherlands": "NL", "New Zealand": "NZ", "Nigeria": "NG", "Norway": "NO",
    "Oman": "OM", "Pakistan": "PK", "Panama": "PA", "Peru": "PE", "Philippines": "PH",
    "Poland": "PL", "Portugal": "PT", "Puerto Rico": "PR", "Qatar": "QA", "Romania": "RO",
    "Russia": "RU", "Russian Federation": "RU", "Saudi Arabia": "SA", "Serbia": "RS",
    "Singapore": "SG", "Slovakia": "SK", "Slovenia": "SI", "South Africa": "ZA", "Spain": "ES",
    "Sri Lanka": "LK", "Sweden": "SE", "Switzerland": "CH", "Taiwan": "TW", "Thailand": "TH",
    "Tunisia": "TN", "Turkey": "TR", "Turkey (Türkiye)": "TR", "Türkiye": "TR", "Ukraine": "UA",
    "United Arab Emirates": "AE", "United Kingdom": "GB", "United States": "US",
    "Uruguay": "UY", "Uzbekistan": "UZ", "Venezuela": "VE", "Vietnam": "VN", "Viet Nam": "VN",
}  # fmt: skip

_PHASES: Final = {
    "EARLY_PHASE1": (Phase.EARLY_1,),
    "PHASE1": (Phase.PHASE_1,),
    "PHASE2": (Phase.PHASE_2,),
    "PHASE3": (Phase.PHASE_3,),
    "PHASE4": (Phase.PHASE_4,),
    "NA": (),
    "Early Phase 1": (Phase.EARLY_1,),
    "Phase 1": (Phase.PHASE_1,),
    "Phase 1/2": (Phase.PHASE_1, Phase.PHASE_2),
    "Phase 2": (Phase.PHASE_2,),
    "Phase 2/3": (Phase.PHASE_2, Phase.PHASE_3),
    "Phase 3": (Phase.PHASE_3,),
    "Phase 4": (Phase.PHASE_4,),
    "N/A": (),
    "": (),
}
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_SEP = " | "


def _enum(kind: type[Any], text: str) -> Any:
    """An enumeration member from an API constant (``ACTIVE_NOT_RECRUITING``)."""
    return kind(text.strip().lower().replace("_", "-"))


@attrs.frozen
class Dropped:
    """A study :func:`select` left out, and why."""

    registry_id: str
    title: str
    reason: str


class _Problems:
    """The problems found so far, each with the study and field it is in."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    def add(self, record: str, field: str, message: str) -> None:
        self.found.append(
            Problem(message, file=self.file, kind="trial", record=record, field=field)
        )

    def raise_any(self) -> None:
        if self.found:
            raise DataError(self.found)


def _date(
    text: str | None,
    kind: str | None,
    problems: _Problems,
    record: str,
    field: str,
    *,
    day_01_is_month: bool = False,
    retrieved: PartialDate | None = None,
) -> TrialDate | None:
    if not text:
        return None
    match = _DATE.match(text.strip())
    if match is None:
        problems.add(record, field, f"expected a date YYYY-MM or YYYY-MM-DD, found {text!r}")
        return None
    year, month, day = match.groups()
    if day_01_is_month and day == "01":
        day = None  # a month-only date the source table wrote as day 01
    try:
        date = PartialDate(int(year), int(month), int(day) if day else None)
    except FieldError as exc:
        problems.add(record, field, f"expected {exc.expected}, found {text!r}")
        return None
    certainty: Certainty | None = None
    if kind:
        certainty = Certainty.ACTUAL if kind.upper() == "ACTUAL" else Certainty.ANTICIPATED
    elif retrieved is not None and _after(date, retrieved):
        certainty = Certainty.ANTICIPATED  # a date after the retrieval cannot have happened
    return TrialDate(date=date, type=certainty)


def _after(date: PartialDate, retrieved: PartialDate) -> bool:
    """Whether every day *date* can be falls after the last day *retrieved* can be."""
    end = (retrieved.year, retrieved.month or 12, retrieved.day or 31)
    start = (date.year, date.month or 1, date.day or 1)
    return start > end


def _countries(names: Iterable[str], problems: _Problems, record: str) -> tuple[str, ...]:
    codes: list[str] = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        code = COUNTRY_CODES.get(name)
        if code is None:
            problems.add(
                record,
                "countries",
                f"expected a country name with a known ISO code, found {name!r} "
                "(add it to cartlandscape.trials.convert.COUNTRY_CODES)",
            )
        elif code not in codes:
            codes.append(code)
    return tuple(sorted(codes))


def _sponsor(
    name: str | None, klass: str | None, registry: Registry, problems: _Problems, record: str
) -> Sponsor | None:
    if not name or not name.strip():
        return None
    sponsor_class = None
    if klass:
        try:
            sponsor_class = _enum(SponsorClass, klass)
        except ValueError:
            problems.add(record, "sponsor.type", f"expected a sponsor class, found {klass!r}")
    institution = None
    with contextlib.suppress(LookupError):
        institution = registry.lookup(name.strip(), "institution").id
    return Sponsor(name=" ".join(name.split()), type=sponsor_class, institution=institution)


def _interventions(
    items: Iterable[tuple[str, str | None, Iterable[str]]], problems: _Problems, record: str
) -> tuple[Intervention, ...]:
    found: list[Intervention] = []
    seen: set[str] = set()
    for i, (name, kind, others) in enumerate(items):
        name = " ".join(name.split())
        if not name or name in seen:
            continue
        seen.add(name)
        type_ = None
        if kind:
            try:
                type_ = _enum(InterventionType, kind)
            except ValueError:
                problems.add(
                    record,
                    f"interventions[{i}].type",
                    f"expected an intervention type, found {kind!r}",
                )
        other_names = tuple(dict.fromkeys(" ".join(o.split()) for o in others if o.strip()))
        found.append(Intervention(name=name, type=type_, other_names=other_names))
    return tuple(found)


def _build(
    fields: dict[str, Any],
    annotator: Annotator,
    citations: tuple[Citation, ...],
    retrieved: PartialDate,
) -> Trial:
    found = annotator.annotate_text(
        title=fields["title"],
        acronym=fields.get("acronym"),
        interventions=fields["interventions"],
        conditions=fields["conditions"],
        summary=fields.get("summary"),
        study_type=fields.get("study_type"),
    )
    return Trial(
        **fields,
        modality=found.modality,
        scope=found.scope,
        targets=found.targets,
        products=found.products,
        indications=found.indications,
        retrieved=retrieved,
        citations=citations,
    )


def _annotator(registry: Registry | None) -> tuple[Registry, Annotator]:
    from cartlandscape.trials.annotate import Annotator

    if registry is None:
        return Annotator.default()._registry, Annotator.default()
    return registry, Annotator(registry)


def from_api_studies(
    studies: Iterable[Mapping[str, Any]],
    *,
    retrieved: str,
    registry: Registry | None = None,
    file: str = "<api>",
) -> list[Trial]:
    """Trial records, annotated, from ClinicalTrials.gov API v2 study objects.

    *retrieved* is when the studies were fetched (``"2026-10"`` or a full date); *registry*
    (default: the bundled one) gives the products, targets and indications annotated and the
    sponsors' institutions.  Raises :class:`~cartlandscape.errors.DataError` listing every
    problem.
    """
    return _converted(_api_studies, studies, retrieved, registry, file)


#: A study that reads without a problem: its NCT id, the trial's fields and its citations.
_Read = tuple[str, dict[str, Any], tuple[Citation, ...]]
if TYPE_CHECKING:
    #: Reads an input's items (studies, rows), noting each problem found.
    _Reader = Callable[[Iterable[Any], Registry, PartialDate, _Problems], Iterator[_Read]]


def _converted(
    read: _Reader, items: Iterable[Any], retrieved: str, registry: Registry | None, file: str
) -> list[Trial]:
    """The annotated trials *read* finds in *items*; every problem at once, or none built."""
    reg, annotator = _annotator(registry)
    when = PartialDate.parse(retrieved)
    problems = _Problems(file)
    trials: list[Trial] = []
    for nct, fields, citations in read(items, reg, when, problems):
        try:
            trials.append(_build(fields, annotator, citations, when))
        except FieldError as exc:
            problems.add(nct, exc.field, f"expected {exc.expected}, found {exc.found!r}")
    problems.raise_any()
    return trials


def _api_studies(
    studies: Iterable[Mapping[str, Any]], reg: Registry, when: PartialDate, problems: _Problems
) -> Iterator[_Read]:
    """The fields of each API study that reads without a problem, its first copy only."""
    seen: set[str] = set()
    for index, study in enumerate(studies):
        found = _api_section(index, study, problems)
        if found is None:
            continue
        section, nct = found
        if nct in seen:  # pages fetched while the registry changed can repeat a study
            continue
        seen.add(nct)
        problems_before = len(problems.found)
        fields = _api_fields(section, nct, reg, problems, when)
        if fields is None or len(problems.found) > problems_before:
            continue
        yield nct, fields, (Citation(source=REGISTRY_SOURCE, locator=f"study record {nct}"),)


def _api_section(
    index: int, study: object, problems: _Problems
) -> tuple[Mapping[str, Any], str] | None:
    """A study's protocol section and NCT id, or None (the problem noted) if either is amiss."""
    section = study.get("protocolSection") if isinstance(study, Mapping) else None
    if not isinstance(section, Mapping):
        problems.add(f"#{index + 1}", "protocolSection", "expected a study with a protocolSection")
        return None
    nct = section.get("identificationModule", {}).get("nctId")
    if not isinstance(nct, str) or not re.match(r"^NCT\d{8}$", nct):
        problems.add(f"#{index + 1}", "nctId", f"expected an NCT id, found {nct!r}")
        return None
    return section, nct


def _registry_ids(nct: str, ident: Mapping[str, Any]) -> tuple[str, ...]:
    """The NCT id, then the other registries' ids among the secondary ids, each once."""
    registry_ids = [nct]
    for secondary in ident.get("secondaryIdInfos", []) or []:
        other = _secondary_id(secondary)
        if other and other not in registry_ids:
            registry_ids.append(other)
    return tuple(registry_ids)


def _api_phases(design: Mapping[str, Any], problems: _Problems, nct: str) -> tuple[Phase, ...]:
    """The phases of a study's design, in order; an unknown phase is noted as a problem."""
    phases: list[Phase] = []
    for phase in design.get("phases", []) or []:
        if phase not in _PHASES:
            problems.add(nct, "phases", f"expected a phase such as PHASE1, found {phase!r}")
            continue
        phases.extend(p for p in _PHASES[phase] if p not in phases)
    return tuple(sorted(phases, key=list(Phase).index))


def _api_study_type(design: Mapping[str, Any], problems: _Problems, nct: str) -> StudyType | None:
    """The study type of a study's design, or None (an unknown one is noted as a problem)."""
    if not design.get("studyType"):
        return None
    try:
        return _enum(StudyType, design["studyType"])  # type: ignore[no-any-return]
    except ValueError:
        problems.add(nct, "study_type", f"expected a study type, found {design['studyType']!r}")
        return None


def _api_enrollment(design: Mapping[str, Any], problems: _Problems, nct: str) -> Enrollment | None:
    """The enrollment of a study's design, or None (a count that is not whole is a problem)."""
    info = design.get("enrollmentInfo") or {}
    if info.get("count") is None:
        return None
    count = info["count"]
    if type(count) is not int or count < 0:
        problems.add(nct, "enrollment", f"expected a whole number, found {count!r}")
        return None
    kind = info.get("type")
    return Enrollment(
        count=count,
        type=None
        if not kind
        else (Certainty.ACTUAL if kind == "ACTUAL" else Certainty.ANTICIPATED),
    )


def _api_fields(
    section: Mapping[str, Any], nct: str, reg: Registry, problems: _Problems, when: PartialDate
) -> dict[str, Any] | None:
    """A trial's fields from a study's protocol section, or None if its status is unknown."""
    ident = section.get("identificationModule", {})
    status_module = section.get("statusModule", {})
    design = section.get("designModule", {})
    lead = section.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {})
    arms = section.get("armsInterventionsModule", {})
    conditions_module = section.get("conditionsModule", {})
    locations = section.get("contactsLocationsModule", {}).get("locations", [])
    description = section.get("descriptionModule", {})

    def date(key: str, field: str) -> TrialDate | None:
        struct = status_module.get(key) or {}
        return _date(struct.get("date"), struct.get("type"), problems, nct, field, retrieved=when)

    phases = _api_phases(design, problems, nct)
    try:
        status = _enum(TrialStatus, status_module.get("overallStatus") or "UNKNOWN")
    except ValueError:
        problems.add(
            nct,
            "status",
            f"expected an overall status, found {status_module.get('overallStatus')!r}",
        )
        return None
    study_type = _api_study_type(design, problems, nct)
    enrollment = _api_enrollment(design, problems, nct)
    return {
        "id": nct.lower(),
        "registry_ids": _registry_ids(nct, ident),
        "title": " ".join((ident.get("briefTitle") or ident.get("officialTitle") or nct).split()),
        "acronym": (ident.get("acronym") or "").strip() or None,
        "study_type": study_type,
        "phases": phases,
        "status": status,
        "start": date("startDateStruct", "start"),
        "primary_completion": date("primaryCompletionDateStruct", "primary_completion"),
        "completion": date("completionDateStruct", "completion"),
        "enrollment": enrollment,
        "sponsor": _sponsor(lead.get("name"), lead.get("class"), reg, problems, nct),
        "countries": _countries(
            (loc.get("country", "") for loc in locations if isinstance(loc, Mapping)),
            problems,
            nct,
        ),
        "conditions": tuple(
            dict.fromkeys(
                " ".join(c.split())
                for c in conditions_module.get("conditions", []) or []
                if c.strip()
            )
        ),
        "interventions": _interventions(
            (
                (item.get("name", ""), item.get("type"), item.get("otherNames", []) or [])
                for item in arms.get("interventions", []) or []
            ),
            problems,
            nct,
        ),
        "summary": " ".join((description.get("briefSummary") or "").split()) or None,
    }


def _secondary_id(info: Mapping[str, Any]) -> str | None:
    """A registry id among a study's secondary ids (EudraCT, ChiCTR, CTR, jRCT), or None."""
    text = str(info.get("id", "")).strip()
    kind = str(info.get("type", ""))
    if kind == "EUDRACT_NUMBER" and re.match(r"^\d{4}-\d{6}-\d{2}$", text):
        return f"EudraCT {text}"
    for pattern in (r"^ChiCTR[-0-9A-Za-z]{4,}$", r"^CTR\d{8}$", r"^jRCT\w+$"):
        if re.match(pattern, text):
            return text
    return None


def _csv_enrollment(row: Mapping[str, str], problems: _Problems, nct: str) -> Enrollment | None:
    """The enrollment of a table row (read from its float form), or None if empty or not whole."""
    count_text = (row.get("enrollment") or "").strip()
    if not count_text:
        return None
    try:
        value = float(count_text)
    except ValueError:
        value = -1.0
    if value < 0 or not value.is_integer():
        problems.add(nct, "enrollment", f"expected a whole number, found {count_text!r}")
        return None
    return Enrollment(count=int(value), type=None)


def _csv_dates(
    row: Mapping[str, str], problems: _Problems, nct: str, when: PartialDate
) -> dict[str, TrialDate | None]:
    """A table row's start, primary completion and completion dates."""
    return {
        "start": _date(
            row.get("start_date"),
            None,
            problems,
            nct,
            "start",
            day_01_is_month=True,
            retrieved=when,
        ),
        "primary_completion": _date(
            row.get("primary_completion"),
            None,
            problems,
            nct,
            "primary_completion",
            retrieved=when,
        ),
        "completion": _date(
            row.get("completion_date"),
            None,
            problems,
            nct,
            "completion",
            day_01_is_month=True,
            retrieved=when,
        ),
    }


def from_csv_rows(
    rows: Iterable[Mapping[str, str]],
    *,
    retrieved: str,
    registry: Registry | None = None,
    file: str = "<csv>",
) -> list[Trial]:
    """Trial records, annotated, from rows of the snapshot table (``cart_trials_2026-10.csv``).

    The table's defects are handled as its README describes: a start or completion date on
    day 01 is kept to the month (the table turned month-only dates into day 01), the
    enrollment is read from its float form with its type unknown, the empty columns
    (conditions, enrollment type) are ignored, and the primary completion date is kept as
    given.  A date after *retrieved* is marked anticipated; others are not marked.
    """
    return _converted(_csv_rows, rows, retrieved, registry, file)


def _csv_rows(
    rows: Iterable[Mapping[str, str]], reg: Registry, when: PartialDate, problems: _Problems
) -> Iterator[_Read]:
    """The fields of each table row that reads without a problem."""
    for line, row in enumerate(rows, start=2):
        nct = (row.get("trial_id") or "").strip()
        if not re.match(r"^NCT\d{8}$", nct):
            problems.add(f"line {line}", "trial_id", f"expected an NCT id, found {nct!r}")
            continue
        before = len(problems.found)
        phase_text = (row.get("phase") or "").strip()
        if phase_text not in _PHASES:
            problems.add(
                nct, "phase", f"expected a phase such as 'Phase 1/2', found {phase_text!r}"
            )
        try:
            status = _enum(TrialStatus, row.get("status") or "UNKNOWN")
        except ValueError:
            problems.add(nct, "status", f"expected an overall status, found {row.get('status')!r}")
            continue
        enrollment = _csv_enrollment(row, problems, nct)
        names = list((row.get("intervention_names") or "").split(_SEP))
        kinds = list((row.get("intervention_types") or "").split(_SEP))
        if len(kinds) != len(names):
            kinds = [""] * len(names)
        fields: dict[str, Any] = {
            "id": nct.lower(),
            "registry_ids": (nct,),
            "title": " ".join((row.get("title") or nct).split()),
            "phases": _PHASES.get(phase_text, ()),
            "status": status,
            **_csv_dates(row, problems, nct, when),
            "enrollment": enrollment,
            "sponsor": _sponsor(row.get("sponsor"), row.get("sponsor_class"), reg, problems, nct),
            "countries": _countries((row.get("countries") or "").split(_SEP), problems, nct),
            "conditions": tuple(
                c.strip() for c in (row.get("conditions") or "").split(_SEP) if c.strip()
            ),
            "interventions": _interventions(
                ((n, k or None, ()) for n, k in zip(names, kinds, strict=True)), problems, nct
            ),
        }
        if len(problems.found) > before:
            continue
        citations = (
            Citation(source=REGISTRY_SOURCE, locator=f"study record {nct}"),
            Citation(source=CSV_SOURCE, locator=f"line {line} (trial_id {nct})"),
        )
        yield nct, fields, citations


def select(trials: Iterable[Trial]) -> tuple[list[Trial], list[Dropped]]:
    """Keep the trials of CAR-based cell therapies; say why each other trial was dropped.

    Trials that only mention CAR-T (supportive care, observational, imaging, bispecific
    antibodies, other treatments) are kept, flagged by their scope; trials whose text names
    no CAR at all (other drugs, TCR-T, devices) are dropped.
    """
    kept: list[Trial] = []
    dropped: list[Dropped] = []
    for trial in trials:
        modality = trial.modality
        if modality is not None and trial.scope is not None:
            kept.append(trial)
            continue
        if modality is not None:
            reason = f"a {modality.modality.value} study, not a CAR-based cell therapy"
        else:
            reason = "no CAR-based cell therapy named in the title or interventions"
        dropped.append(Dropped(trial.registry_id, trial.title, reason))
    return kept, dropped
