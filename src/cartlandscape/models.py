"""The record classes: frozen, slotted, keyword-only attrs classes, validated when built.

Every record but :class:`Source` cites at least one source through :class:`Citation`.  Records
refer to each other by id; a :class:`cartlandscape.Registry` checks that every
reference resolves.

>>> t = Therapy(
...     id="inaticabtagene-autoleucel", name="Inaticabtagene autoleucel",
...     codes=("CNCT19",), targets=("cd19",),
...     citations=(Citation(source="ihcams-workshop-2025", locator="18 August"),),
... )
>>> t.modality
<Modality.CAR_T: 'car-t'>
>>> t.id = "x"
Traceback (most recent call last):
...
attr.exceptions.FrozenInstanceError: can't set attribute
"""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Final

import attrs

from cartlandscape import units
from cartlandscape.dates import PartialDate, undated_last
from cartlandscape.errors import FieldError
from cartlandscape.fields import (
    FieldValidator,
    Flag,
    Positive,
    check_value,
    date_field,
    enum_field,
    id_field,
    pattern_field,
    record_field,
    records_field,
    ref_field,
    refs_field,
    text_field,
    texts_field,
    value_field,
)
from cartlandscape.values import MAX_MAGNITUDE, Approximate, NotReached, Value, parse_value
from cartlandscape.vocabulary import (
    APPROVAL_KINDS,
    AnalysisSet,
    CellSource,
    Endpoint,
    EventKind,
    GeneDelivery,
    Grade,
    GradingScale,
    IndicationCategory,
    InstitutionKind,
    MilestoneKind,
    Modality,
    PolicyKind,
    PriceBasis,
    PriceKind,
    Setting,
    SourceKind,
    SourceTier,
    StatementKind,
    default_tier,
    parse_endpoint,
)

__all__ = [
    "Citation",
    "Construct",
    "Disagreement",
    "Event",
    "HazardRatio",
    "Indication",
    "Institution",
    "Milestone",
    "Outcome",
    "Period",
    "Policy",
    "Price",
    "Record",
    "Ref",
    "Source",
    "Statement",
    "Study",
    "Target",
    "Therapy",
    "citations_text",
    "is_citations",
]

_COUNTRY = (r"^[A-Z]{2}$", "an ISO 3166-1 alpha-2 country code such as 'CN'")
_REGISTRY_ID = (
    r"^(NCT\d{8}|ChiCTR[-0-9A-Za-z]{4,}|CTR\d{8}|EudraCT \d{4}-\d{6}-\d{2}|jRCT\w+)$",
    "a trial registry id (NCT00000000, ChiCTR..., CTR00000000)",
)


@attrs.frozen(kw_only=True)
class Citation:
    """Where a fact comes from: a source id and a locator inside it (section, table, ...)."""

    source: str = ref_field("source", optional=False)
    locator: str = text_field()
    note: str | None = text_field(optional=True)


def is_citations(value: object) -> typing.TypeGuard[Sequence[Citation]]:
    """Whether *value* is a non-empty list or tuple of citations (a ``citations`` field)."""
    return (
        isinstance(value, tuple | list)
        and bool(value)
        and all(isinstance(v, Citation) for v in value)
    )


def citations_text(citations: Iterable[Citation], sep: str = ":") -> str:
    """*citations* on one line: each ``source:locator`` (*sep* between), joined by ``; ``.

    >>> citations_text([Citation(source="fda-label", locator="Table 5"),
    ...                 Citation(source="nejm-2017", locator="p. 3")])
    'fda-label:Table 5; nejm-2017:p. 3'
    """
    return "; ".join(f"{c.source}{sep}{c.locator}" for c in citations)


def _citations_field() -> Any:
    return records_field(Citation, "a citation", nonempty="at least one citation")


@attrs.frozen(kw_only=True)
class Disagreement:
    """Another value a source gives for one of a record's fields, and why it is not the record's.

    Where good sources disagree, the record keeps the value of the strongest source (see
    :class:`~cartlandscape.vocabulary.SourceTier`) and lists the others as disagreements.
    ``value`` is written as the field itself would be (``"2021-03-27"`` for a date).
    """

    field: str = text_field()
    value: str = text_field()
    reason: str = text_field()
    citations: tuple[Citation, ...] = _citations_field()


#: Fields a disagreement cannot be about: what the record is, not what a source says.
_NOT_DISPUTED: Final = frozenset({"id", "citations", "disagreements", "description"})


def _check_disagreements(record: Any) -> None:
    """Check that each disagreement names a field of *record* and gives a value it could hold."""
    hints = typing.get_type_hints(type(record))
    names = [f.name for f in attrs.fields(type(record)) if f.name not in _NOT_DISPUTED]
    for i, item in enumerate(record.disagreements):
        where = f"disagreements[{i}]"
        if item.field not in names:
            raise FieldError(
                f"{where}.field", f"a field of the record ({', '.join(names)})", item.field
            )
        members = typing.get_args(hints[item.field]) or (hints[item.field],)
        try:
            if PartialDate in members:
                PartialDate.parse(item.value)
            elif any(isinstance(m, type) and issubclass(m, Value) for m in members):
                parse_value(item.value)
        except FieldError as exc:
            raise FieldError(f"{where}.value", exc.expected, item.value) from None
        if item.value == _shown(getattr(record, item.field)):
            raise FieldError(f"{where}.value", "a value other than the record's own", item.value)


def _shown(value: object) -> str | None:
    """A field's value as a disagreement writes it."""
    if value is None:
        return None
    return str(value.value if isinstance(value, enum.Enum) else value)


def _disagreements_field() -> Any:
    return records_field(Disagreement, "a disagreement")


@attrs.frozen(kw_only=True)
class Record:
    """Base of the top-level records: an id, and the names the record can be looked up by."""

    #: The kind tag of the record in data files and in ``Registry.get(kind, id)``.
    kind: ClassVar[str] = "record"
    #: The fields whose texts are names of the record for ``Registry.lookup``.
    name_fields: ClassVar[tuple[str, ...]] = ()

    id: str = id_field()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every kind of record, a downstream one too, keeps the short one-line repr: setting
        # it before attrs builds the class stops attrs writing the long one of every field.
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Record.__repr__  # type: ignore[method-assign]

    def __repr__(self) -> str:
        from cartlandscape.display import record_repr

        return record_repr(self)

    def __str__(self) -> str:
        from cartlandscape.display import record_text

        return record_text(self)

    def _repr_html_(self) -> str:
        from cartlandscape.display import record_html

        return record_html(self)

    def names(self) -> tuple[str, ...]:
        """The id and every name the record can be looked up by."""
        found: list[str] = [self.id]
        for name in self.name_fields:
            value = getattr(self, name)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, tuple):
                found.extend(value)
        return tuple(found)

    @property
    def label(self) -> str:
        """A short human-readable name."""
        return str(getattr(self, "name", self.id))


@attrs.frozen(kw_only=True)
class Ref:
    """A reference to a record of any kind, written ``kind:id`` (``policy:shanghai-...``)."""

    kind: str = attrs.field(validator=attrs.validators.instance_of(str))
    id: str = attrs.field(validator=attrs.validators.instance_of(str))

    @classmethod
    def parse(cls, text: str) -> Ref:
        """Read ``kind:id``."""
        if not isinstance(text, str) or text.count(":") != 1:
            raise FieldError("subject", "a reference written kind:id", text)
        kind, _, ident = text.partition(":")
        return cls(kind=kind, id=ident)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@attrs.frozen(kw_only=True)
class Source(Record):
    """A citable document: an article, a review, a label, a regulator's notice, ..."""

    kind: ClassVar[str] = "source"
    name_fields: ClassVar[tuple[str, ...]] = ("doi",)

    title: str = text_field()
    type: SourceKind = enum_field(SourceKind)
    publisher: str | None = text_field(optional=True)
    published: PartialDate | None = date_field()
    authors: tuple[str, ...] = texts_field()
    url: str | None = pattern_field(r"^https?://\S+$", "an http(s) address")
    doi: str | None = pattern_field(r"^10\.\d{4,9}/\S+$", "a DOI such as '10.1000/xyz'")
    language: str | None = pattern_field(r"^[a-z]{2}$", "a two-letter language code")
    tier: SourceTier | None = enum_field(SourceTier, optional=True)
    read_at: str | None = pattern_field(r"^https?://\S+$", "an http(s) address")
    description: str | None = text_field(optional=True)

    @property
    def label(self) -> str:  # noqa: D102
        return self.title

    @property
    def effective_tier(self) -> SourceTier:
        """How strong the source is: its own ``tier`` if set, else the default of its type.

        >>> Source(id="s", title="A label", type="label").effective_tier
        <SourceTier.REGULATOR: 'regulator'>
        >>> Source(id="b", title="A blog", type="website", tier="weak").effective_tier
        <SourceTier.WEAK: 'weak'>
        """
        return self.tier if self.tier is not None else default_tier(self.type)


@attrs.frozen(kw_only=True)
class Target(Record):
    """An antigen a therapy is directed against, with its gene identifiers."""

    kind: ClassVar[str] = "target"
    name_fields: ClassVar[tuple[str, ...]] = ("name", "gene_symbol", "hgnc", "uniprot", "aliases")

    name: str = text_field()
    gene_symbol: str | None = pattern_field(r"^[A-Z][A-Z0-9-]*$", "an HGNC gene symbol")
    hgnc: str | None = pattern_field(r"^HGNC:\d{1,6}$", "an HGNC id such as 'HGNC:1633'")
    uniprot: str | None = pattern_field(
        r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})$",
        "a UniProt accession such as 'P15391'",
    )
    aliases: tuple[str, ...] = texts_field()
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()


@attrs.frozen(kw_only=True)
class Indication(Record):
    """A disease or condition, optionally under a broader parent indication."""

    kind: ClassVar[str] = "indication"
    name_fields: ClassVar[tuple[str, ...]] = ("name", "mondo", "aliases")

    name: str = text_field()
    category: IndicationCategory = enum_field(IndicationCategory)
    parent: str | None = ref_field("indication")
    icd10: tuple[str, ...] = texts_field(
        r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$", "ICD-10 codes such as 'C90.0'"
    )
    mondo: str | None = pattern_field(r"^MONDO:\d{7}$", "a MONDO id such as 'MONDO:0009693'")
    aliases: tuple[str, ...] = texts_field()
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()


@attrs.frozen(kw_only=True)
class Institution(Record):
    """A hospital, company, institute, university, regulator, park, society, ..."""

    kind: ClassVar[str] = "institution"
    name_fields: ClassVar[tuple[str, ...]] = ("name", "ror", "aliases")

    name: str = text_field()
    type: InstitutionKind = enum_field(InstitutionKind)
    city: str | None = text_field(optional=True)
    region: str | None = text_field(optional=True)
    country: str | None = pattern_field(*_COUNTRY)
    ror: str | None = pattern_field(r"^0[a-z0-9]{6}[0-9]{2}$", "a ROR id such as '05m1p5x56'")
    parent: str | None = ref_field("institution")
    url: str | None = pattern_field(r"^https?://\S+$", "an http(s) address")
    aliases: tuple[str, ...] = texts_field()
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()


@attrs.frozen(kw_only=True)
class Construct:
    """How a product is built; every part is optional because sources state only some."""

    costimulatory: tuple[str, ...] = texts_field()
    binder: str | None = text_field(optional=True)
    delivery: GeneDelivery | None = enum_field(GeneDelivery, optional=True)
    edits: tuple[str, ...] = texts_field()
    armoring: tuple[str, ...] = texts_field()
    cell_source: CellSource | None = enum_field(CellSource, optional=True)


@attrs.frozen(kw_only=True)
class Milestone:
    """A step on a product's regulatory path: an IND clearance, an approval, ...

    Where the source does not date the step, ``not_after`` can still bound it: the latest day it
    can have happened, such as the date of the report that announces it.
    """

    agency: str = pattern_field(
        r"^[A-Z][A-Z0-9-]*$", "an agency code such as 'NMPA' or 'FDA'", optional=False
    )
    type: MilestoneKind = enum_field(MilestoneKind)
    date: PartialDate | None = date_field()
    not_after: PartialDate | None = date_field()
    indication: str | None = ref_field("indication")
    jurisdiction: str | None = pattern_field(*_COUNTRY)
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()
    disagreements: tuple[Disagreement, ...] = _disagreements_field()

    def __attrs_post_init__(self) -> None:
        date, bound = self.date, self.not_after
        if date is not None and bound is not None and date.surely_after(bound):
            raise FieldError("date", f"a date no later than not_after {bound}", str(date))
        if self.disagreements:
            _check_disagreements(self)

    @property
    def is_approval(self) -> bool:
        """Whether the milestone put the product on the market for an indication."""
        return self.type in APPROVAL_KINDS

    @property
    def latest(self) -> PartialDate | None:
        """The latest the milestone can be dated: its date, else its ``not_after`` bound.

        >>> m = Milestone(agency="NMPA", type="ind-clearance", not_after="2025-01-14",
        ...               citations=[Citation(source="s", locator="p. 1")])
        >>> m.date is None, str(m.latest)
        (True, '2025-01-14')
        """
        return self.date if self.date is not None else self.not_after


@attrs.frozen(kw_only=True)
class Therapy(Record):
    """A cell therapy product or candidate."""

    kind: ClassVar[str] = "therapy"
    name_fields: ClassVar[tuple[str, ...]] = ("name", "inn", "brands", "codes", "aliases")

    name: str = text_field()
    inn: str | None = text_field(optional=True)
    brands: tuple[str, ...] = texts_field()
    codes: tuple[str, ...] = texts_field()
    aliases: tuple[str, ...] = texts_field()
    modality: Modality = enum_field(Modality, default=Modality.CAR_T)
    targets: tuple[str, ...] = refs_field("target")
    construct: Construct = attrs.field(
        factory=Construct, validator=attrs.validators.instance_of(Construct)
    )
    developers: tuple[str, ...] = refs_field("institution")
    milestones: tuple[Milestone, ...] = records_field(Milestone, "a milestone")
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()

    def approvals(self, agency: str | None = None) -> tuple[Milestone, ...]:
        """The approval milestones, oldest first, optionally of one agency only."""
        found = [
            m
            for m in self.milestones
            if m.is_approval and (agency is None or m.agency == agency.upper())
        ]
        return tuple(sorted(found, key=lambda m: undated_last(m.date)))

    def first_approval(self, agency: str | None = None) -> Milestone | None:
        """The earliest approval, optionally by one agency; None if never approved."""
        dated = [m for m in self.approvals(agency) if m.type is not MilestoneKind.LABEL_EXPANSION]
        return dated[0] if dated else None

    @property
    def is_approved(self) -> bool:
        """Whether any agency has approved the product."""
        return bool(self.approvals())


@attrs.frozen(kw_only=True)
class Study:
    """The study a result comes from: its name and registry id where known."""

    name: str | None = text_field(optional=True)
    registry_id: str | None = pattern_field(*_REGISTRY_ID)
    phase: str | None = pattern_field(r"^(1|1/2|2|3|4)$", "a phase: '1', '1/2', '2', '3' or '4'")


def _ratio(optional: bool) -> Any:
    check = Positive(optional)

    def convert(value: object) -> object:
        return float(value) if type(value) is int else value

    return (
        attrs.field(default=None, converter=convert, validator=check)
        if optional
        else (attrs.field(converter=convert, validator=check))
    )


_P_VALUE: Final = re.compile(
    r"^(?P<relation>[<>]=?|[≤≥]|=)?\s*(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]-?[0-9]+)?)$"
)


@attrs.define(frozen=True, repr=False)
class _PValue(FieldValidator):
    """A p value as printed: a number from 0 to 1, perhaps after a relation (or None)."""

    optional: bool = True
    expects: str = attrs.field(init=False, default="a p value such as '<0.001' or '0.0003'")

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a p value as printed."""
        if value is None:
            return
        match = _P_VALUE.match(value) if isinstance(value, str) else None
        if match is None or not 0 <= float(match.group("number")) <= 1:
            raise FieldError(attribute.name, self.expects, value)


@attrs.frozen(kw_only=True)
class HazardRatio:
    """A hazard ratio of the experimental arm against the comparator, with its interval.

    It belongs to the outcome's endpoint: on a median-PFS outcome it is the PFS hazard ratio.
    ``low`` and ``high`` are the confidence interval at ``level`` (both or neither).

    >>> hr = HazardRatio(estimate=0.398, low=0.308, high=0.514, p="<0.001")
    >>> print(hr)
    HR 0.398 (95% CI 0.308–0.514), p<0.001
    """

    estimate: float = _ratio(optional=False)
    low: float | None = _ratio(optional=True)
    high: float | None = _ratio(optional=True)
    level: Value = value_field("proportion", default="95 percent")
    p: str | None = attrs.field(default=None, validator=_PValue())

    def __attrs_post_init__(self) -> None:
        if (self.low is None) != (self.high is None):
            missing = "high" if self.high is None else "low"
            raise FieldError(missing, "both ends of the interval, or neither", None)
        if self.low is not None and self.high is not None:
            if not self.low <= self.estimate:
                raise FieldError("low", f"at most the estimate {self.estimate:g}", self.low)
            if not self.estimate <= self.high:
                raise FieldError("high", f"at least the estimate {self.estimate:g}", self.high)

    def __str__(self) -> str:
        text = f"HR {self.estimate:g}"
        if self.low is not None and self.high is not None:
            level = self.level.describe().replace(" percent", "%")
            text += f" ({level} CI {self.low:g}–{self.high:g})"
        if self.p is not None:
            relation = "" if self.p[0] in "<>=≤≥" else "="
            text += f", p{relation}{self.p}"
        return text


#: Endpoints a hazard ratio can belong to.
_TIME_TO_EVENT: Final = frozenset(e for e in Endpoint if e.is_durability or e is Endpoint.NRM)


@attrs.frozen(kw_only=True)
class Outcome(Record):
    """A reported result: an endpoint's value for a therapy and/or a reporting institution."""

    kind: ClassVar[str] = "outcome"

    therapy: str | None = ref_field("therapy")
    institution: str | None = ref_field("institution")
    indication: str | None = ref_field("indication")
    endpoint: Endpoint = enum_field(Endpoint, parse=parse_endpoint)
    value: Value = value_field(checked_by_record=True)
    n: int | None = attrs.field(default=None)
    responders: int | None = attrs.field(default=None)
    timepoint: Value | None = value_field("time", optional=True)
    follow_up: Value | None = value_field("time", optional=True)
    grading_scale: GradingScale | None = enum_field(GradingScale, optional=True)
    grade: Grade | None = enum_field(Grade, optional=True)
    analysis_set: AnalysisSet | None = enum_field(AnalysisSet, optional=True)
    data_cut: PartialDate | None = date_field()
    study: Study | None = record_field(Study, "a study")
    setting: Setting = enum_field(Setting, default=Setting.CLINICAL_TRIAL)
    population: str | None = text_field(optional=True)
    comparator: str | None = text_field(optional=True)
    comparator_value: Value | None = value_field(optional=True, checked_by_record=True)
    comparator_n: int | None = attrs.field(default=None)
    hazard_ratio: HazardRatio | None = record_field(HazardRatio, "a hazard ratio")
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()
    disagreements: tuple[Disagreement, ...] = _disagreements_field()

    def __attrs_post_init__(self) -> None:
        if self.therapy is None and self.institution is None:
            raise FieldError("therapy", "a therapy or an institution (at least one)", None)
        check_value("value", self.value, self.endpoint.dimension)
        self._check_comparator()
        self._check_counts()
        for name in ("timepoint", "follow_up"):
            if isinstance(getattr(self, name), NotReached):
                raise FieldError(
                    name, "a time with a number (only a median is not reached)", "not reached"
                )
        if self.endpoint.dimension == "proportion":
            _check_counts_agree(self.value, self.n, self.responders)
        if self.endpoint.needs_timepoint and self.timepoint is None:
            raise FieldError("timepoint", f"a time point for {self.endpoint.label}", None)
        self._check_grading()
        if self.disagreements:
            _check_disagreements(self)

    def _check_comparator(self) -> None:
        """The counts are whole numbers; a comparator value, count or hazard ratio needs one."""
        endpoint = self.endpoint
        if self.comparator_value is not None:
            check_value("comparator_value", self.comparator_value, endpoint.dimension)
        for name in ("n", "comparator_n"):
            _check_count(name, getattr(self, name))
        for name in ("comparator_value", "comparator_n", "hazard_ratio"):
            if getattr(self, name) is not None and self.comparator is None:
                raise FieldError("comparator", f"the comparator that {name} is about", None)
        if self.hazard_ratio is not None and endpoint not in _TIME_TO_EVENT:
            raise FieldError(
                "hazard_ratio",
                f"no hazard ratio for {endpoint.label} (only for survival, duration and "
                "time-to-event endpoints)",
                str(self.hazard_ratio),
            )

    def _check_counts(self) -> None:
        """The responders are a count no larger than n."""
        n, responders = self.n, self.responders
        if responders is not None:
            _check_count("responders", responders)
            if n is not None and responders > n:
                raise FieldError("responders", f"at most n ({n})", responders)

    def _check_grading(self) -> None:
        """A grading scale and grades exactly when the endpoint counts graded events."""
        endpoint = self.endpoint
        for name in ("grading_scale", "grade"):
            given = getattr(self, name)
            if endpoint.needs_grading and given is None:
                what = "a grading scale" if name == "grading_scale" else "the grades counted"
                raise FieldError(name, f"{what} for {endpoint.label}", None)
            if not endpoint.needs_grading and given is not None:
                graded = ", ".join(e.label for e in Endpoint if e.needs_grading)
                raise FieldError(
                    name, f"no {name} for {endpoint.label} (only for {graded})", given.value
                )

    @property
    def grading(self) -> str | None:
        """The grades counted and their scale, e.g. ``'grade ≥3, ASTCT 2019'``, or None."""
        parts = [g.label for g in (self.grade, self.grading_scale) if g is not None]
        return ", ".join(parts) or None

    @property
    def label(self) -> str:  # noqa: D102
        grading = f" ({self.grading})" if self.grading else ""
        return f"{self.endpoint.label}{grading} {self.value.describe()}"


def _rounding(value: Value) -> float:
    """How far a value may lie from the exact share it was rounded from, in its own unit.

    One unit of its last printed decimal, so that any way of rounding a share passes (half up,
    up or down: ``81`` may stand for 80.49, as a label that rounds up prints it); two units for
    an approximate value (``~70``).
    """
    decimals = 0
    for magnitude in value.magnitudes():
        text = repr(float(magnitude))
        if "e" in text or "E" in text:
            return 0.0  # not printed as a plain decimal: no rounding is assumed
        decimals = max(decimals, len(text.partition(".")[2].rstrip("0")))
    step = 10.0**-decimals
    return 2 * step if isinstance(value, Approximate) else step


def _check_counts_agree(value: Value, n: int | None, responders: int | None) -> None:
    """Refuse a proportion whose ``n`` is 0, or whose counts say another value than it does.

    ``50 percent`` with 7 responders of ``n = 10`` is refused; ``72 percent`` with 73 of 101
    (72.3 percent) is rounding.
    """
    if n is None or isinstance(value, NotReached):
        return
    factor = units.to_fraction(value.unit)
    if factor is None:
        return
    if n == 0:
        raise FieldError(
            "n", f"at least 1 patient for a proportion ({value.describe()} of n = 0)", n
        )
    if responders is None:
        return
    share = responders / n / factor
    low, high = value.interval()
    slack = _rounding(value) + 1e-9 * max(1.0, share)
    if not low - slack <= share <= high + slack:
        raise FieldError(
            "value",
            f"a value that agrees with {responders} of n={n} ({share:.4g} {value.unit}) up to "
            "rounding",
            str(value),
        )


@attrs.frozen(kw_only=True)
class Price(Record):
    """The price of a therapy in one country, in the currency the source states.

    Amounts are never converted implicitly (each currency is a dimension of its own); convert
    one explicitly, with a dated rate, through :mod:`cartlandscape.money`.
    """

    kind: ClassVar[str] = "price"

    therapy: str = ref_field("therapy", optional=False)
    country: str = pattern_field(*_COUNTRY, optional=False)
    amount: Value = value_field("money")
    date: PartialDate = date_field(optional=False)
    type: PriceKind = enum_field(PriceKind)
    launch: bool | None = attrs.field(default=None, validator=Flag())
    basis: PriceBasis | None = enum_field(PriceBasis, optional=True)
    indication: str | None = ref_field("indication")
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()
    disagreements: tuple[Disagreement, ...] = _disagreements_field()

    def __attrs_post_init__(self) -> None:
        if self.disagreements:
            _check_disagreements(self)

    @property
    def currency(self) -> str:
        """The currency of the amount, e.g. ``'USD'``."""
        return self.amount.unit

    @property
    def label(self) -> str:  # noqa: D102
        return f"{self.amount.describe()} ({self.type.value}, {self.country}, {self.date})"


@attrs.frozen(kw_only=True)
class Period:
    """A span of time; either end may be open."""

    start: PartialDate | None = date_field()
    end: PartialDate | None = date_field()

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise FieldError("end", f"a date not before the start {self.start}", str(self.end))

    def __str__(self) -> str:
        return f"{self.start or '…'} to {self.end or '…'}"


def _check_count(name: str, value: object) -> None:
    """A count: a whole number, not negative, and within :data:`MAX_MAGNITUDE`."""
    if value is None:
        return
    if type(value) is not int or value < 0:
        raise FieldError(name, "a whole number that is not negative", value)
    if value > MAX_MAGNITUDE:
        raise FieldError(name, f"a whole number of at most {MAX_MAGNITUDE:g}", value)


def _ref(value: object) -> object:
    return Ref.parse(value) if isinstance(value, str) else value


@attrs.frozen(kw_only=True)
class Statement(Record):
    """A quantified statement that is not a trial outcome: a count, a share, a policy target.

    ``subject`` is the record it is about (``institution:cygenta``, ``policy:...``).
    """

    kind: ClassVar[str] = "statement"

    subject: Ref = attrs.field(
        converter=_ref, validator=attrs.validators.instance_of(Ref), metadata={"ref": "*"}
    )
    metric: str = text_field()
    value: Value = value_field()
    type: StatementKind = enum_field(StatementKind, default=StatementKind.OBSERVATION)
    as_of: PartialDate | None = date_field()
    period: Period | None = record_field(Period, "a period")
    scope: str | None = text_field(optional=True)
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()

    @property
    def label(self) -> str:  # noqa: D102
        return f"{self.metric}: {self.value.describe()}"


@attrs.frozen(kw_only=True)
class Policy(Record):
    """A payment system, an insurance pilot, an action plan, a regulation, ...

    Its quantified targets and reported effects are :class:`Statement` records whose subject is
    the policy (``Registry.statements_for(policy)``).
    """

    kind: ClassVar[str] = "policy"
    name_fields: ClassVar[tuple[str, ...]] = ("name", "aliases")

    name: str = text_field()
    type: PolicyKind = enum_field(PolicyKind)
    country: str = pattern_field(*_COUNTRY, optional=False)
    region: str | None = text_field(optional=True)
    city: str | None = text_field(optional=True)
    issuer: str | None = ref_field("institution")
    period: Period | None = record_field(Period, "a period")
    aliases: tuple[str, ...] = texts_field()
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()


@attrs.frozen(kw_only=True)
class Event(Record):
    """A workshop, conference or summit."""

    kind: ClassVar[str] = "event"
    name_fields: ClassVar[tuple[str, ...]] = ("name", "aliases")

    name: str = text_field()
    type: EventKind = enum_field(EventKind)
    period: Period | None = record_field(Period, "a period")
    city: str | None = text_field(optional=True)
    country: str | None = pattern_field(*_COUNTRY)
    hosts: tuple[str, ...] = refs_field("institution")
    organizers: tuple[str, ...] = refs_field("institution")
    aliases: tuple[str, ...] = texts_field()
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()
