"""The controlled vocabularies record fields draw from (enumerations)."""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "CellSource",
    "Endpoint",
    "EventKind",
    "GeneDelivery",
    "IndicationCategory",
    "InstitutionKind",
    "MilestoneKind",
    "Modality",
    "PolicyKind",
    "Setting",
    "SourceKind",
    "StatementKind",
    "parse_endpoint",
]


class SourceKind(enum.StrEnum):
    """What kind of document a source is."""

    NEWS_ARTICLE = "news-article"
    INTERVIEW = "interview"
    REVIEW = "review"
    JOURNAL_ARTICLE = "journal-article"
    CONFERENCE_ABSTRACT = "conference-abstract"
    PRESS_RELEASE = "press-release"
    LABEL = "label"
    TRIAL_REGISTRY = "trial-registry"
    REGULATOR_NOTICE = "regulator-notice"
    GOVERNMENT_DOCUMENT = "government-document"
    REPORT = "report"
    DATABASE = "database"
    WEBSITE = "website"


class Modality(enum.StrEnum):
    """The kind of cell therapy."""

    CAR_T = "car-t"
    CAR_NK = "car-nk"
    NK = "nk"
    TCR_T = "tcr-t"
    TIL = "til"
    OTHER = "other"


class GeneDelivery(enum.StrEnum):
    """How the receptor gene is put into the cells."""

    LENTIVIRAL = "lentiviral"
    GAMMA_RETROVIRAL = "gamma-retroviral"
    NON_VIRAL = "non-viral"
    TRANSPOSON = "transposon"
    MRNA = "mrna"


class CellSource(enum.StrEnum):
    """Whose cells the product is made from."""

    AUTOLOGOUS = "autologous"
    ALLOGENEIC = "allogeneic"


class IndicationCategory(enum.StrEnum):
    """Broad disease area of an indication."""

    HEMATOLOGIC_MALIGNANCY = "hematologic-malignancy"
    SOLID_TUMOR = "solid-tumor"
    AUTOIMMUNE = "autoimmune"
    NON_MALIGNANT_HEMATOLOGIC = "non-malignant-hematologic"
    GENETIC = "genetic"
    OTHER = "other"


class InstitutionKind(enum.StrEnum):
    """What kind of organization an institution is."""

    HOSPITAL = "hospital"
    COMPANY = "company"
    RESEARCH_INSTITUTE = "research-institute"
    UNIVERSITY = "university"
    LABORATORY = "laboratory"
    REGULATOR = "regulator"
    GOVERNMENT = "government"
    INDUSTRIAL_PARK = "industrial-park"
    SOCIETY = "society"
    BIOBANK = "biobank"
    OTHER = "other"


class MilestoneKind(enum.StrEnum):
    """A step on a product's regulatory path."""

    IND_CLEARANCE = "ind-clearance"
    BREAKTHROUGH_DESIGNATION = "breakthrough-designation"
    PRIORITY_REVIEW = "priority-review"
    APPLICATION_ACCEPTED = "application-accepted"
    APPROVAL = "approval"
    CONDITIONAL_APPROVAL = "conditional-approval"
    LABEL_EXPANSION = "label-expansion"
    WITHDRAWAL = "withdrawal"


#: Milestone kinds that put a product on the market.
APPROVAL_KINDS: Final = frozenset(
    {MilestoneKind.APPROVAL, MilestoneKind.CONDITIONAL_APPROVAL, MilestoneKind.LABEL_EXPANSION}
)


class Setting(enum.StrEnum):
    """Where a result comes from."""

    CLINICAL_TRIAL = "clinical-trial"
    CLINICAL_PRACTICE = "clinical-practice"
    PRECLINICAL = "preclinical"
    NOT_STATED = "not-stated"


class StatementKind(enum.StrEnum):
    """What a quantified statement is: something observed, a goal, or a reported effect."""

    OBSERVATION = "observation"
    TARGET = "target"
    EFFECT = "effect"
    STRUCTURE = "structure"


class PolicyKind(enum.StrEnum):
    """What a policy does."""

    PAYMENT = "payment"
    INSURANCE_PILOT = "insurance-pilot"
    ACTION_PLAN = "action-plan"
    REGULATION = "regulation"
    GUIDELINE = "guideline"
    FUNDING = "funding"


class EventKind(enum.StrEnum):
    """What kind of gathering an event is."""

    WORKSHOP = "workshop"
    CONFERENCE = "conference"
    SUMMIT = "summit"
    TRAINING = "training"
    OTHER = "other"


class Endpoint(enum.StrEnum):
    """A clinical or preclinical endpoint an outcome reports.

    Each endpoint knows the dimension of its value, its display label, whether it needs a time
    point (a 12-month PFS rate) and whether it needs a grading scale (a CRS rate).
    """

    ORR = "orr"
    CR = "cr"
    CR_CRI = "cr-cri"
    SCR = "scr"
    SCR_CR = "scr-cr"
    VGPR_OR_BETTER = "vgpr-or-better"
    MRD_NEGATIVITY = "mrd-negativity"
    PFS_RATE = "pfs-rate"
    OS_RATE = "os-rate"
    EFS_RATE = "efs-rate"
    DOR_RATE = "dor-rate"
    MEDIAN_PFS = "median-pfs"
    MEDIAN_OS = "median-os"
    MEDIAN_DOR = "median-dor"
    CRS = "crs"
    ICANS = "icans"
    TUMOR_REGRESSION = "tumor-regression"

    @property
    def label(self) -> str:
        """A short display label, e.g. ``'ORR'`` or ``'CR/CRi'``."""
        return _LABELS[self]

    @property
    def dimension(self) -> str:
        """``'proportion'`` for rates, ``'time'`` for medians."""
        return _DIMENSIONS[self]

    @property
    def needs_timepoint(self) -> bool:
        """Whether the endpoint is a rate at a time point (PFS, OS, EFS, DOR rates)."""
        return self in _AT_TIMEPOINT

    @property
    def needs_grading(self) -> bool:
        """Whether the endpoint is a toxicity rate that needs its grading scale."""
        return self in _GRADED


# Worked out once: every outcome asks its endpoint these when it is built.
_DIMENSIONS: Final = {e: "time" if e.name.startswith("MEDIAN_") else "proportion" for e in Endpoint}
_AT_TIMEPOINT: Final = frozenset(e for e in Endpoint if e.name.endswith("_RATE"))
_GRADED: Final = frozenset((Endpoint.CRS, Endpoint.ICANS))

_LABELS: Final = {
    Endpoint.ORR: "ORR",
    Endpoint.CR: "CR",
    Endpoint.CR_CRI: "CR/CRi",
    Endpoint.SCR: "sCR",
    Endpoint.SCR_CR: "sCR/CR",
    Endpoint.VGPR_OR_BETTER: "≥VGPR",
    Endpoint.MRD_NEGATIVITY: "MRD negativity",
    Endpoint.PFS_RATE: "PFS rate",
    Endpoint.OS_RATE: "OS rate",
    Endpoint.EFS_RATE: "EFS rate",
    Endpoint.DOR_RATE: "DOR rate",
    Endpoint.MEDIAN_PFS: "median PFS",
    Endpoint.MEDIAN_OS: "median OS",
    Endpoint.MEDIAN_DOR: "median DOR",
    Endpoint.CRS: "CRS",
    Endpoint.ICANS: "ICANS",
    Endpoint.TUMOR_REGRESSION: "tumour regression",
}


def parse_endpoint(text: str | Endpoint) -> Endpoint:
    """Read an endpoint from its value or label, ignoring case and punctuation.

    >>> parse_endpoint("sCR/CR"), parse_endpoint("ORR"), parse_endpoint("median PFS")
    (<Endpoint.SCR_CR: 'scr-cr'>, <Endpoint.ORR: 'orr'>, <Endpoint.MEDIAN_PFS: 'median-pfs'>)
    """
    if isinstance(text, Endpoint):
        return text
    key = "".join(ch for ch in str(text).casefold() if ch.isalnum())
    for endpoint in Endpoint:
        for name in (endpoint.value, endpoint.label):
            if key == "".join(ch for ch in name.casefold() if ch.isalnum()):
                return endpoint
    from cartlandscape.errors import UnknownValueError

    raise UnknownValueError("endpoint", text, [e.label for e in Endpoint])
