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

from typing import Any, ClassVar

import attrs

from cartlandscape.dates import PartialDate
from cartlandscape.errors import FieldError
from cartlandscape.fields import (
    check_value,
    date_field,
    enum_field,
    id_field,
    pattern_field,
    ref_field,
    refs_field,
    text_field,
    texts_field,
    value_field,
)
from cartlandscape.values import Value
from cartlandscape.vocabulary import (
    APPROVAL_KINDS,
    CellSource,
    Endpoint,
    EventKind,
    GeneDelivery,
    IndicationCategory,
    InstitutionKind,
    MilestoneKind,
    Modality,
    PolicyKind,
    Setting,
    SourceKind,
    StatementKind,
)

__all__ = [
    "Citation",
    "Construct",
    "Event",
    "Indication",
    "Institution",
    "Milestone",
    "Outcome",
    "Period",
    "Policy",
    "Record",
    "Ref",
    "Source",
    "Statement",
    "Study",
    "Target",
    "Therapy",
]

_COUNTRY = (r"^[A-Z]{2}$", "an ISO 3166-1 alpha-2 country code such as 'CN'")
_REGISTRY_ID = (
    r"^(NCT\d{8}|ChiCTR[-0-9A-Za-z]{4,}|CTR\d{8}|EudraCT \d{4}-\d{6}-\d{2}|jRCT\w+)$",
    "a trial registry id (NCT00000000, ChiCTR..., CTR00000000)",
)


def _citations(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise FieldError(attribute.name, "at least one citation", value)
    for i, item in enumerate(value):
        if not isinstance(item, Citation):
            raise FieldError(f"{attribute.name}[{i}]", "a citation", item)


def _records(cls: type, what: str) -> Any:
    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise FieldError(attribute.name, f"a list of {what}", value)
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise FieldError(f"{attribute.name}[{i}]", what, item)

    return attrs.field(
        default=(), converter=lambda v: tuple(v) if isinstance(v, list) else v, validator=check
    )


def _record(cls: type, what: str, *, optional: bool = True) -> Any:
    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, cls):
            raise FieldError(attribute.name, what, value)

    return attrs.field(default=None, validator=check) if optional else attrs.field(validator=check)


@attrs.frozen(kw_only=True)
class Citation:
    """Where a fact comes from: a source id and a locator inside it (section, table, ...)."""

    source: str = ref_field("source", optional=False)
    locator: str = text_field()
    note: str | None = text_field(optional=True)


def _citations_field() -> Any:
    return attrs.field(
        converter=lambda v: tuple(v) if isinstance(v, list) else v, validator=_citations
    )


@attrs.frozen(kw_only=True)
class Record:
    """Base of the top-level records: an id, and the names the record can be looked up by."""

    #: The kind tag of the record in data files and in ``Registry.get(kind, id)``.
    kind: ClassVar[str] = "record"
    #: The fields whose texts are names of the record for ``Registry.lookup``.
    name_fields: ClassVar[tuple[str, ...]] = ()

    id: str = id_field()

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
    description: str | None = text_field(optional=True)

    @property
    def label(self) -> str:  # noqa: D102
        return self.title


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
    """A step on a product's regulatory path: an IND clearance, an approval, ..."""

    agency: str = pattern_field(
        r"^[A-Z][A-Z0-9-]*$", "an agency code such as 'NMPA' or 'FDA'", optional=False
    )
    type: MilestoneKind = enum_field(MilestoneKind)
    date: PartialDate | None = date_field()
    indication: str | None = ref_field("indication")
    jurisdiction: str | None = pattern_field(*_COUNTRY)
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()

    @property
    def is_approval(self) -> bool:
        """Whether the milestone put the product on the market for an indication."""
        return self.type in APPROVAL_KINDS


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
    milestones: tuple[Milestone, ...] = _records(Milestone, "a milestone")
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()

    def approvals(self, agency: str | None = None) -> tuple[Milestone, ...]:
        """The approval milestones, oldest first, optionally of one agency only."""
        found = [
            m
            for m in self.milestones
            if m.is_approval and (agency is None or m.agency == agency.upper())
        ]
        return tuple(sorted(found, key=lambda m: (m.date is None, m.date or PartialDate(1))))

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


@attrs.frozen(kw_only=True)
class Outcome(Record):
    """A reported result: an endpoint's value for a therapy and/or a reporting institution."""

    kind: ClassVar[str] = "outcome"

    therapy: str | None = ref_field("therapy")
    institution: str | None = ref_field("institution")
    indication: str | None = ref_field("indication")
    endpoint: Endpoint = enum_field(Endpoint)
    value: Value = value_field(checked_by_record=True)
    n: int | None = attrs.field(default=None)
    responders: int | None = attrs.field(default=None)
    timepoint: Value | None = value_field("time", optional=True)
    follow_up: Value | None = value_field("time", optional=True)
    grading_scale: str | None = text_field(optional=True)
    grade: str | None = text_field(optional=True)
    study: Study | None = _record(Study, "a study")
    setting: Setting = enum_field(Setting, default=Setting.CLINICAL_TRIAL)
    population: str | None = text_field(optional=True)
    comparator: str | None = text_field(optional=True)
    comparator_value: Value | None = value_field(optional=True, checked_by_record=True)
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()

    def __attrs_post_init__(self) -> None:
        if self.therapy is None and self.institution is None:
            raise FieldError("therapy", "a therapy or an institution (at least one)", None)
        endpoint, n, responders = self.endpoint, self.n, self.responders
        check_value("value", self.value, endpoint.dimension)
        if self.comparator_value is not None:
            check_value("comparator_value", self.comparator_value, endpoint.dimension)
        if n is not None and (type(n) is not int or n < 0):
            raise FieldError("n", "a whole number that is not negative", n)
        if responders is not None:
            if type(responders) is not int or responders < 0:
                raise FieldError("responders", "a whole number that is not negative", responders)
            if n is not None and responders > n:
                raise FieldError("responders", f"at most n ({n})", responders)
        if endpoint.needs_timepoint and self.timepoint is None:
            raise FieldError("timepoint", f"a time point for {endpoint.label}", None)
        if endpoint.needs_grading and self.grading_scale is None:
            raise FieldError("grading_scale", f"a grading scale for {endpoint.label}", None)

    @property
    def label(self) -> str:  # noqa: D102
        return f"{self.endpoint.label} {self.value.describe()}"


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
    period: Period | None = _record(Period, "a period")
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
    period: Period | None = _record(Period, "a period")
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
    period: Period | None = _record(Period, "a period")
    city: str | None = text_field(optional=True)
    country: str | None = pattern_field(*_COUNTRY)
    hosts: tuple[str, ...] = refs_field("institution")
    organizers: tuple[str, ...] = refs_field("institution")
    aliases: tuple[str, ...] = texts_field()
    description: str | None = text_field(optional=True)
    citations: tuple[Citation, ...] = _citations_field()
