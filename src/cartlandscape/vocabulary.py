"""The controlled vocabularies record fields draw from (enumerations)."""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "APPROVAL_KINDS",
    "LISTING_KINDS",
    "AnalysisSet",
    "CellSource",
    "Endpoint",
    "EventKind",
    "GeneDelivery",
    "Grade",
    "GradingScale",
    "IndicationCategory",
    "InstitutionKind",
    "MilestoneKind",
    "Modality",
    "PolicyKind",
    "PriceBasis",
    "PriceKind",
    "Setting",
    "SourceKind",
    "SourceTier",
    "StatementKind",
    "default_tier",
    "parse_endpoint",
    "parse_grade",
    "parse_grading_scale",
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


class SourceTier(enum.StrEnum):
    """How strong a source is as support for a fact, strongest first.

    Tiers are ordered by strength: ``regulator > company > journal > secondary > other >
    weak``.  A ``weak`` source (a blog, a wiki mirror, an SEO or medical-tourism page) is never
    the only support of a fact.

    >>> SourceTier.REGULATOR > SourceTier.JOURNAL > SourceTier.WEAK
    True
    >>> max([SourceTier.OTHER, SourceTier.COMPANY])
    <SourceTier.COMPANY: 'company'>
    """

    REGULATOR = "regulator"
    COMPANY = "company"
    JOURNAL = "journal"
    SECONDARY = "secondary"
    OTHER = "other"
    WEAK = "weak"

    @property
    def strength(self) -> int:
        """The tier's place in the order: 5 for ``regulator`` down to 0 for ``weak``."""
        return _STRENGTH[self]

    def _rank(self, other: object) -> tuple[int, int]:
        if not isinstance(other, SourceTier):
            # Refuse rather than fall back on comparing the texts.
            raise TypeError(f"a source tier is compared with source tiers only, not {other!r}")
        return self.strength, other.strength

    def __lt__(self, other: object) -> bool:
        mine, theirs = self._rank(other)
        return mine < theirs

    def __le__(self, other: object) -> bool:
        mine, theirs = self._rank(other)
        return mine <= theirs

    def __gt__(self, other: object) -> bool:
        mine, theirs = self._rank(other)
        return mine > theirs

    def __ge__(self, other: object) -> bool:
        mine, theirs = self._rank(other)
        return mine >= theirs


_STRENGTH: Final = {tier: len(SourceTier) - 1 - i for i, tier in enumerate(SourceTier)}

#: The tier of each kind of source, unless a source states its own.
_DEFAULT_TIERS: Final = {
    SourceKind.LABEL: SourceTier.REGULATOR,
    SourceKind.REGULATOR_NOTICE: SourceTier.REGULATOR,
    SourceKind.GOVERNMENT_DOCUMENT: SourceTier.REGULATOR,
    SourceKind.TRIAL_REGISTRY: SourceTier.REGULATOR,
    SourceKind.PRESS_RELEASE: SourceTier.COMPANY,
    SourceKind.JOURNAL_ARTICLE: SourceTier.JOURNAL,
    SourceKind.CONFERENCE_ABSTRACT: SourceTier.JOURNAL,
    SourceKind.NEWS_ARTICLE: SourceTier.SECONDARY,
    SourceKind.REVIEW: SourceTier.SECONDARY,
    SourceKind.INTERVIEW: SourceTier.SECONDARY,
    SourceKind.WEBSITE: SourceTier.OTHER,
    SourceKind.REPORT: SourceTier.OTHER,
    SourceKind.DATABASE: SourceTier.OTHER,
}


def default_tier(kind: SourceKind | str) -> SourceTier:
    """The tier a source of *kind* has unless it states its own.

    >>> [default_tier(kind).value for kind in ("label", "press-release", "website")]
    ['regulator', 'company', 'other']
    """
    return _DEFAULT_TIERS[SourceKind(kind)]


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
    #: A positive opinion of the EMA's CHMP; the EC's decision is the approval.
    CHMP_OPINION = "chmp-opinion"
    #: Use under a hospital exemption (made and used in one hospital): never an approval.
    HOSPITAL_EXEMPTION = "hospital-exemption"
    #: Listed for reimbursement (a national reimbursement drug list).
    REIMBURSEMENT_LISTING = "reimbursement-listing"
    #: Listed by an insurance scheme, e.g. China's commercial health insurance drug list.
    INSURANCE_LISTING = "insurance-listing"


#: Milestone kinds that put a product on the market.  A hospital exemption, a CHMP opinion and
#: a listing for payment are not among them.
APPROVAL_KINDS: Final = frozenset(
    {MilestoneKind.APPROVAL, MilestoneKind.CONDITIONAL_APPROVAL, MilestoneKind.LABEL_EXPANSION}
)
#: Milestone kinds that list a product for payment by a public or private payer.
LISTING_KINDS: Final = frozenset(
    {MilestoneKind.REIMBURSEMENT_LISTING, MilestoneKind.INSURANCE_LISTING}
)


class PriceKind(enum.StrEnum):
    """What a price is: a list price, a negotiated one, a tariff, ..."""

    LIST = "list"
    WHOLESALE_ACQUISITION_COST = "wholesale-acquisition-cost"
    NEGOTIATED = "negotiated"
    REIMBURSEMENT_TARIFF = "reimbursement-tariff"
    #: A figure reported by a secondary source without saying which kind of price it is.
    REPORTED = "reported"


class PriceBasis(enum.StrEnum):
    """What a price pays for."""

    PER_INFUSION = "per-infusion"
    PER_COURSE = "per-course"


class GradingScale(enum.StrEnum):
    """The scale toxicity grades (CRS, ICANS, neurotoxicity) are given on.

    Grades on different scales are not the same thing (a Lee grade 3 CRS is not an ASTCT grade
    3 CRS), so outcomes on different scales are never compared silently.
    """

    LEE_2014 = "lee-2014"
    ASTCT_2019 = "astct-2019"
    PENN = "penn"
    MSKCC = "mskcc"
    #: CTCAE, the version not stated.
    CTCAE = "ctcae"
    CTCAE_4_03 = "ctcae-4.03"
    CTCAE_5_0 = "ctcae-5.0"
    CARTOX_10 = "cartox-10"
    #: The source does not say (and neither do the paper or label behind it).
    NOT_STATED = "not-stated"

    @property
    def label(self) -> str:
        """A display label, e.g. ``'ASTCT 2019'`` or ``'CTCAE v5.0'``."""
        return _SCALE_LABELS[self]


_SCALE_LABELS: Final = {
    GradingScale.LEE_2014: "Lee 2014",
    GradingScale.ASTCT_2019: "ASTCT 2019",
    GradingScale.PENN: "Penn",
    GradingScale.MSKCC: "MSKCC",
    GradingScale.CTCAE: "CTCAE",
    GradingScale.CTCAE_4_03: "CTCAE v4.03",
    GradingScale.CTCAE_5_0: "CTCAE v5.0",
    GradingScale.CARTOX_10: "CARTOX-10",
    GradingScale.NOT_STATED: "scale not stated",
}


class Grade(enum.StrEnum):
    """The toxicity grades an outcome counts: any grade, grade 2 or worse, ..., grade 5."""

    ANY = "any"
    AT_LEAST_2 = ">=2"
    AT_LEAST_3 = ">=3"
    AT_LEAST_4 = ">=4"
    GRADE_5 = "5"

    @property
    def lowest(self) -> int:
        """The lowest grade counted (1 for any grade)."""
        return 1 if self is Grade.ANY else int(self.value.lstrip(">="))

    @property
    def label(self) -> str:
        """A display label, e.g. ``'any grade'`` or ``'grade ≥3'``."""
        if self is Grade.ANY:
            return "any grade"
        return "grade " + self.value.replace(">=", "≥")


class AnalysisSet(enum.StrEnum):
    """The patients a result is computed over."""

    #: Everyone enrolled (intention to treat).
    ITT = "itt"
    #: Everyone infused (treated; the safety set).
    INFUSED = "infused"
    #: Patients evaluable for efficacy.
    EVALUABLE = "evaluable"
    NOT_STATED = "not-stated"


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum() or ch in ".")


def parse_grading_scale(text: str | GradingScale) -> GradingScale:
    """Read a grading scale from its value or label, ignoring case, spaces and punctuation.

    For user input (command-line options); data files use the values themselves.

    >>> parse_grading_scale("ASTCT 2019"), parse_grading_scale("Lee-2014")
    (<GradingScale.ASTCT_2019: 'astct-2019'>, <GradingScale.LEE_2014: 'lee-2014'>)
    """
    if isinstance(text, GradingScale):
        return text
    key = _fold(str(text)).replace("v", "") if _fold(str(text)).startswith("ctcae") else None
    for scale in GradingScale:
        if _fold(str(text)) in (_fold(scale.value), _fold(scale.label)):
            return scale
        if key is not None and key == _fold(scale.value):
            return scale
    choices = ", ".join(s.value for s in GradingScale)
    raise ValueError(f"unknown grading scale {text!r}; expected one of {choices}")


def parse_grade(text: str | Grade) -> Grade:
    """Read the grades counted, accepting ``≥3`` and ``>= 3`` for ``>=3``.

    >>> parse_grade("≥3"), parse_grade(" >= 2"), parse_grade("ANY")
    (<Grade.AT_LEAST_3: '>=3'>, <Grade.AT_LEAST_2: '>=2'>, <Grade.ANY: 'any'>)
    """
    if isinstance(text, Grade):
        return text
    key = "".join(str(text).casefold().replace("≥", ">=").split())
    try:
        return Grade(key)
    except ValueError:
        choices = ", ".join(repr(g.value) for g in Grade)
        raise ValueError(f"unknown grade {text!r}; expected one of {choices}") from None


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
    #: Neurologic events graded on a scale other than ICANS's (CTCAE, ...).
    NEUROTOXICITY = "neurotoxicity"
    MEDIAN_EFS = "median-efs"
    #: Non-relapse mortality, a proportion (at a time point where the source gives one).
    NRM = "nrm"
    TREATMENT_RELATED_DEATH = "treatment-related-death"

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
        """Whether the endpoint is a toxicity rate that needs its grading scale and grade."""
        return self in _GRADED

    @property
    def is_safety(self) -> bool:
        """Whether the endpoint measures harm (toxicity, deaths not due to the disease)."""
        return self in _SAFETY

    @property
    def is_durability(self) -> bool:
        """Whether the endpoint measures how long responses or survival last."""
        return self in _DURABILITY


# Worked out once: every outcome asks its endpoint these when it is built.
_DIMENSIONS: Final = {e: "time" if e.name.startswith("MEDIAN_") else "proportion" for e in Endpoint}
_AT_TIMEPOINT: Final = frozenset(e for e in Endpoint if e.name.endswith("_RATE"))
_GRADED: Final = frozenset((Endpoint.CRS, Endpoint.ICANS, Endpoint.NEUROTOXICITY))
_SAFETY: Final = _GRADED | {Endpoint.NRM, Endpoint.TREATMENT_RELATED_DEATH}
_DURABILITY: Final = frozenset(
    e for e in Endpoint if e.name.startswith("MEDIAN_") or e.name.endswith("_RATE")
)

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
    Endpoint.NEUROTOXICITY: "neurotoxicity",
    Endpoint.MEDIAN_EFS: "median EFS",
    Endpoint.NRM: "NRM",
    Endpoint.TREATMENT_RELATED_DEATH: "treatment-related death",
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
