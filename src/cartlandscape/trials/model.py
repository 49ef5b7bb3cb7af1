"""The trial record: a registered clinical study with its registry facts and annotations.

A :class:`Trial` holds what the registry says of a study (ids, title, phases, status, dates,
enrollment, sponsor, countries, conditions, interventions) and what the annotator derived from
that text (:mod:`cartlandscape.trials.annotate`): the cell-therapy modality, the targets, the
products and the indications, each with the text that matched and a confidence, and the study's
:class:`Scope` (whether it tests a CAR-based cell therapy, or only mentions one).

>>> from cartlandscape.models import Citation
>>> t = Trial(
...     id="nct02348216", registry_ids=("NCT02348216",), title="ZUMA-1",
...     status="completed", phases=("1", "2"),
...     start=TrialDate(date="2015-01", type="actual"),
...     citations=(Citation(source="clinicaltrials-gov", locator="NCT02348216"),),
... )
>>> t.registry_id, t.phase_label, str(t.start), t.in_pipeline
('NCT02348216', 'Phase 1/2', '2015-01 (actual)', True)
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

import attrs

from cartlandscape.dates import PartialDate
from cartlandscape.errors import FieldError
from cartlandscape.fields import (
    FieldValidator,
    date_field,
    enum_field,
    record_field,
    records_field,
    ref_field,
    text_field,
    texts_field,
)
from cartlandscape.models import (
    _COUNTRY,
    _REGISTRY_ID,
    Citation,
    Record,
    _citations_field,
)
from cartlandscape.vocabulary import Modality

__all__ = [
    "CAR_MODALITIES",
    "Certainty",
    "Confidence",
    "Enrollment",
    "Evidence",
    "IndicationAnnotation",
    "Intervention",
    "InterventionType",
    "ModalityAnnotation",
    "Phase",
    "ProductAnnotation",
    "Scope",
    "ScopeAnnotation",
    "Sponsor",
    "SponsorClass",
    "StudyType",
    "TargetAnnotation",
    "Trial",
    "TrialDate",
    "TrialStatus",
]

#: The modalities of CAR-based cell therapies (the trials the pipeline counts).
CAR_MODALITIES = frozenset({Modality.CAR_T, Modality.CAR_NK})


class Phase(enum.StrEnum):
    """A trial phase as registered (a phase 1/2 trial has two)."""

    EARLY_1 = "early-1"
    PHASE_1 = "1"
    PHASE_2 = "2"
    PHASE_3 = "3"
    PHASE_4 = "4"


class TrialStatus(enum.StrEnum):
    """The overall recruitment status of a study (ClinicalTrials.gov's list)."""

    NOT_YET_RECRUITING = "not-yet-recruiting"
    RECRUITING = "recruiting"
    ENROLLING_BY_INVITATION = "enrolling-by-invitation"
    ACTIVE_NOT_RECRUITING = "active-not-recruiting"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"
    AVAILABLE = "available"
    NO_LONGER_AVAILABLE = "no-longer-available"
    TEMPORARILY_NOT_AVAILABLE = "temporarily-not-available"
    APPROVED_FOR_MARKETING = "approved-for-marketing"
    WITHHELD = "withheld"


class StudyType(enum.StrEnum):
    """Whether a study assigns an intervention, only observes, or gives expanded access."""

    INTERVENTIONAL = "interventional"
    OBSERVATIONAL = "observational"
    EXPANDED_ACCESS = "expanded-access"


class SponsorClass(enum.StrEnum):
    """The class of the lead sponsor (ClinicalTrials.gov's agency classes)."""

    INDUSTRY = "industry"
    NIH = "nih"
    FED = "fed"
    OTHER_GOV = "other-gov"
    INDIV = "indiv"
    NETWORK = "network"
    OTHER = "other"
    AMBIG = "ambig"
    UNKNOWN = "unknown"


class InterventionType(enum.StrEnum):
    """The type of an intervention as registered."""

    BEHAVIORAL = "behavioral"
    BIOLOGICAL = "biological"
    COMBINATION_PRODUCT = "combination-product"
    DEVICE = "device"
    DIAGNOSTIC_TEST = "diagnostic-test"
    DIETARY_SUPPLEMENT = "dietary-supplement"
    DRUG = "drug"
    GENETIC = "genetic"
    PROCEDURE = "procedure"
    RADIATION = "radiation"
    OTHER = "other"


class Certainty(enum.StrEnum):
    """Whether a date or an enrollment count has happened or is anticipated (estimated)."""

    ACTUAL = "actual"
    ANTICIPATED = "anticipated"


class Confidence(enum.StrEnum):
    """How sure an annotation is: see the trial pipeline guide for what each level means."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Scope(enum.StrEnum):
    """What a study does with CAR-based cell therapy.

    Only ``pipeline`` studies (they give a CAR-based cell product) count in the pipeline; the
    others only mention one and are kept, flagged, for completeness.
    """

    PIPELINE = "pipeline"
    SUPPORTIVE_CARE = "supportive-care"
    OBSERVATIONAL = "observational"
    IMAGING = "imaging"
    BISPECIFIC_ANTIBODY = "bispecific-antibody"
    OTHER_TREATMENT = "other-treatment"


@attrs.frozen(kw_only=True)
class TrialDate:
    """A trial date with its precision (a :class:`PartialDate`) and whether it is actual.

    ``type`` is None when the source does not say whether the date is actual or anticipated.
    """

    date: PartialDate = date_field(optional=False)
    type: Certainty | None = enum_field(Certainty, optional=True)

    def __str__(self) -> str:
        return f"{self.date} ({self.type or 'actual or anticipated not stated'})"


@attrs.define(frozen=True, repr=False)
class _NotNegative(FieldValidator):
    """A whole number that is not negative (true and false are not numbers)."""

    expects = "a whole number that is not negative"

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a whole number of 0 or more."""
        if type(value) is not int or value < 0:
            raise FieldError(attribute.name, self.expects, value)


@attrs.frozen(kw_only=True)
class Enrollment:
    """The number of participants, actual or anticipated (``type`` None: not stated)."""

    count: int = attrs.field(validator=_NotNegative())
    type: Certainty | None = enum_field(Certainty, optional=True)


@attrs.frozen(kw_only=True)
class Sponsor:
    """The lead sponsor: its name as registered, its class, and its institution record if known."""

    name: str = text_field()
    type: SponsorClass | None = enum_field(SponsorClass, optional=True)
    institution: str | None = ref_field("institution")


@attrs.frozen(kw_only=True)
class Intervention:
    """An intervention as registered: its name, type and other names."""

    name: str = text_field()
    type: InterventionType | None = enum_field(InterventionType, optional=True)
    other_names: tuple[str, ...] = texts_field()


@attrs.frozen(kw_only=True)
class Evidence:
    """The text an annotation rests on, and the field it was found in (``title``, ...)."""

    field: str = text_field()
    text: str = text_field()


def _evidence_field() -> Any:
    return records_field(Evidence, "evidence", nonempty="at least one piece of evidence")


@attrs.frozen(kw_only=True)
class ModalityAnnotation:
    """The kind of cell therapy a trial gives, with its evidence and confidence."""

    modality: Modality = enum_field(Modality)
    evidence: tuple[Evidence, ...] = _evidence_field()
    confidence: Confidence = enum_field(Confidence)


@attrs.frozen(kw_only=True)
class ScopeAnnotation:
    """What the study does with CAR-based cell therapy, with its evidence and confidence."""

    scope: Scope = enum_field(Scope)
    evidence: tuple[Evidence, ...] = _evidence_field()
    confidence: Confidence = enum_field(Confidence)


@attrs.frozen(kw_only=True)
class TargetAnnotation:
    """A target (antigen) the trial's product is directed against."""

    target: str = ref_field("target", optional=False)
    evidence: tuple[Evidence, ...] = _evidence_field()
    confidence: Confidence = enum_field(Confidence)


@attrs.frozen(kw_only=True)
class ProductAnnotation:
    """A product (therapy record) the trial gives."""

    therapy: str = ref_field("therapy", optional=False)
    evidence: tuple[Evidence, ...] = _evidence_field()
    confidence: Confidence = enum_field(Confidence)


@attrs.frozen(kw_only=True)
class IndicationAnnotation:
    """An indication (disease) the trial treats."""

    indication: str = ref_field("indication", optional=False)
    evidence: tuple[Evidence, ...] = _evidence_field()
    confidence: Confidence = enum_field(Confidence)


_PHASE_ORDER = list(Phase)
_PHASE_VALUES = frozenset(p.value for p in Phase)
_PHASE_CHOICES = ", ".join(repr(p.value) for p in Phase)


def _to_phases(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(Phase(v) if v in _PHASE_VALUES else v for v in value)
    return value


@attrs.define(frozen=True, repr=False)
class _Phases(FieldValidator):
    """A list of phases, in the order of :class:`Phase`, without repeats."""

    expects = f"a list of phases ({_PHASE_CHOICES})"

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but phases, in order, each once."""
        if not isinstance(value, tuple):
            raise FieldError(attribute.name, self.expects, value)
        for i, item in enumerate(value):
            if not isinstance(item, Phase):
                raise FieldError(f"{attribute.name}[{i}]", "one of " + _PHASE_CHOICES, item)
        if list(value) != sorted(set(value), key=_PHASE_ORDER.index):
            raise FieldError(attribute.name, "phases in order, without repeats", value)


@attrs.frozen(kw_only=True)
class Trial(Record):
    """A registered clinical study, with its registry facts and derived annotations.

    The first of ``registry_ids`` is the registry id the record was made from; the id is it in
    lower case (``nct02348216``).  ``phases`` is empty for studies without phases ("N/A").
    """

    kind: ClassVar[str] = "trial"
    name_fields: ClassVar[tuple[str, ...]] = ("registry_ids", "acronym")

    registry_ids: tuple[str, ...] = texts_field(_REGISTRY_ID[0], _REGISTRY_ID[1] + "s")
    title: str = text_field()
    acronym: str | None = text_field(optional=True)
    study_type: StudyType | None = enum_field(StudyType, optional=True)
    phases: tuple[Phase, ...] = attrs.field(default=(), converter=_to_phases, validator=_Phases())
    status: TrialStatus = enum_field(TrialStatus)
    start: TrialDate | None = record_field(TrialDate, "a trial date")
    primary_completion: TrialDate | None = record_field(TrialDate, "a trial date")
    completion: TrialDate | None = record_field(TrialDate, "a trial date")
    enrollment: Enrollment | None = record_field(Enrollment, "an enrollment")
    sponsor: Sponsor | None = record_field(Sponsor, "a sponsor")
    countries: tuple[str, ...] = texts_field(_COUNTRY[0], _COUNTRY[1] + "s")
    conditions: tuple[str, ...] = texts_field()
    interventions: tuple[Intervention, ...] = records_field(Intervention, "an intervention")
    summary: str | None = text_field(optional=True)
    modality: ModalityAnnotation | None = record_field(ModalityAnnotation, "a modality annotation")
    scope: ScopeAnnotation | None = record_field(ScopeAnnotation, "a scope annotation")
    targets: tuple[TargetAnnotation, ...] = records_field(TargetAnnotation, "a target annotation")
    products: tuple[ProductAnnotation, ...] = records_field(
        ProductAnnotation, "a product annotation"
    )
    indications: tuple[IndicationAnnotation, ...] = records_field(
        IndicationAnnotation, "an indication annotation"
    )
    retrieved: PartialDate | None = date_field()
    citations: tuple[Citation, ...] = _citations_field()

    def __attrs_post_init__(self) -> None:
        if not self.registry_ids:
            raise FieldError("registry_ids", "at least one registry id", self.registry_ids)
        if self.id != self.registry_ids[0].lower().replace(" ", "-"):
            expected = self.registry_ids[0].lower().replace(" ", "-")
            raise FieldError("id", f"the first registry id in lower case ({expected!r})", self.id)

    @property
    def registry_id(self) -> str:
        """The registry id the record was made from (``NCT02348216``)."""
        return self.registry_ids[0]

    @property
    def label(self) -> str:  # noqa: D102
        return f"{self.registry_id} {self.title}"

    @property
    def phase_label(self) -> str:
        """The phases as registered: ``'Phase 1/2'``, ``'Early phase 1'`` or ``'N/A'``."""
        if not self.phases:
            return "N/A"
        if self.phases == (Phase.EARLY_1,):
            return "Early phase 1"
        return "Phase " + "/".join(p.value for p in self.phases if p is not Phase.EARLY_1)

    @property
    def in_pipeline(self) -> bool:
        """Whether the trial counts in the CAR-based cell therapy pipeline.

        A trial without a scope annotation counts (it was not judged to only mention one).
        """
        return self.scope is None or self.scope.scope is Scope.PIPELINE

    @property
    def target_ids(self) -> tuple[str, ...]:
        """The ids of the annotated targets."""
        return tuple(a.target for a in self.targets)

    @property
    def product_ids(self) -> tuple[str, ...]:
        """The ids of the annotated products."""
        return tuple(a.therapy for a in self.products)

    @property
    def indication_ids(self) -> tuple[str, ...]:
        """The ids of the annotated indications."""
        return tuple(a.indication for a in self.indications)

    @property
    def start_year(self) -> int | None:
        """The year the trial started (or is to start), if registered."""
        return None if self.start is None else self.start.date.year
