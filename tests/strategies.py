"""Hypothesis strategies for every record class and every value form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cartlandscape import Registry
from cartlandscape.dates import PartialDate
from cartlandscape.models import (
    Citation,
    Construct,
    Disagreement,
    Event,
    HazardRatio,
    Indication,
    Institution,
    Milestone,
    Outcome,
    Period,
    Policy,
    Price,
    Ref,
    Source,
    Statement,
    Study,
    Target,
    Therapy,
)
from cartlandscape.values import Approximate, Bound, Exact, NotReached, Range, Value
from cartlandscape.vocabulary import (
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
)

from .builders import landscape, outcome, study

st = pytest.importorskip("hypothesis.strategies")

ids = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}\Z")
texts = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
phrases = st.lists(texts, min_size=1, max_size=3).map(" ".join)
name_lists = st.lists(texts, max_size=3, unique=True).map(tuple)

UNITS = {
    "proportion": ["percent", "fraction"],
    "time": ["day", "week", "month", "year"],
    "count": ["patient", "cell", "trial", "enterprise", "person"],
    "money": ["CNY", "USD", "EUR", "INR", "CAD", "AUD", "CHF", "KRW", "SGD"],
    "dose": ["cell / kilogram"],
}
MAX = {"percent": 100.0, "fraction": 1.0}


def magnitudes(unit: str) -> st.SearchStrategy[float]:
    return st.floats(min_value=0, max_value=MAX.get(unit, 1e9), allow_nan=False)


@st.composite
def values(draw: Any, dimension: str | None = None) -> Value:
    """Any value form, in a unit of *dimension* (any dimension if None).

    A time may be one that was not reached.
    """
    dim = dimension or draw(st.sampled_from(sorted(UNITS)))
    unit = draw(st.sampled_from(UNITS[dim]))
    forms = ["exact", "approximate", "bound", "range"]
    form = draw(st.sampled_from([*forms, "not-reached"] if dim == "time" else forms))
    if form == "not-reached":
        return NotReached(unit)
    a = draw(magnitudes(unit))
    if form == "exact":
        return Exact(a, unit)
    if form == "approximate":
        return Approximate(a, unit)
    if form == "bound":
        return Bound(draw(st.sampled_from([">", ">=", "<", "<="])), a, unit)
    b = draw(magnitudes(unit))
    return Range(min(a, b), max(a, b), unit)


def durations() -> st.SearchStrategy[Value]:
    """Times with a number: a time point or a follow-up is never "not reached"."""
    return values("time").filter(lambda value: not isinstance(value, NotReached))


@st.composite
def partial_dates(draw: Any) -> PartialDate:
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


citations = st.builds(Citation, source=ids, locator=phrases, note=optional(phrases))
citation_lists = st.lists(citations, min_size=1, max_size=2).map(tuple)
urls = ids.map(lambda s: f"https://example.org/{s}")
periods = st.builds(
    lambda a, b: Period(start=min(a, b), end=max(a, b)) if a and b else Period(start=a, end=b),
    optional(partial_dates()),
    optional(partial_dates()),
)
countries = st.sampled_from(["CN", "US", "CH", "DE"])

sources = st.builds(
    Source,
    id=ids,
    title=phrases,
    type=st.sampled_from(SourceKind),
    publisher=optional(phrases),
    published=optional(partial_dates()),
    authors=name_lists,
    url=optional(urls),
    doi=optional(ids.map(lambda s: f"10.1000/{s}")),
    language=optional(st.sampled_from(["en", "zh"])),
    tier=optional(st.sampled_from(SourceTier)),
    read_at=optional(urls),
    description=optional(phrases),
)
targets = st.builds(
    Target,
    id=ids,
    name=phrases,
    gene_symbol=optional(st.from_regex(r"\A[A-Z][A-Z0-9]{1,7}\Z")),
    hgnc=optional(st.integers(1, 99999).map(lambda n: f"HGNC:{n}")),
    uniprot=optional(st.sampled_from(["P15391", "Q02223", "Q9NZD1", "A0A024R161"])),
    aliases=name_lists,
    description=optional(phrases),
    citations=citation_lists,
)
indications = st.builds(
    Indication,
    id=ids,
    name=phrases,
    category=st.sampled_from(IndicationCategory),
    parent=optional(ids),
    icd10=st.lists(st.sampled_from(["C91.0", "C83.3", "C90", "M32"]), unique=True, max_size=2).map(
        tuple
    ),
    mondo=optional(st.integers(0, 9999999).map(lambda n: f"MONDO:{n:07d}")),
    aliases=name_lists,
    description=optional(phrases),
    citations=citation_lists,
)
institutions = st.builds(
    Institution,
    id=ids,
    name=phrases,
    type=st.sampled_from(InstitutionKind),
    city=optional(phrases),
    region=optional(phrases),
    country=optional(countries),
    ror=optional(st.sampled_from(["00a2xv884", "01hv94n30", "00b30xv10"])),
    parent=optional(ids),
    url=optional(urls),
    aliases=name_lists,
    description=optional(phrases),
    citations=citation_lists,
)
constructs = st.builds(
    Construct,
    costimulatory=st.lists(st.sampled_from(["4-1BB", "CD28", "OX40"]), unique=True, max_size=2).map(
        tuple
    ),
    binder=optional(phrases),
    delivery=optional(st.sampled_from(GeneDelivery)),
    edits=name_lists,
    armoring=name_lists,
    cell_source=optional(st.sampled_from(CellSource)),
)
disagreements = st.builds(
    Disagreement,
    field=st.sampled_from(["value", "date", "amount"]),
    value=phrases,
    reason=phrases,
    citations=citation_lists,
)


@st.composite
def value_disagreements(draw: Any, value: Value) -> tuple[Disagreement, ...]:
    """Up to two disagreements about an outcome's value: other values of its dimension."""
    dimension = "time" if value.dimensionality == "[time]" else "proportion"
    others = draw(st.lists(values(dimension).filter(lambda v: str(v) != str(value)), max_size=2))
    return tuple(
        Disagreement(
            field="value", value=str(v), reason=draw(phrases), citations=draw(citation_lists)
        )
        for v in others
    )


@st.composite
def date_disagreements(draw: Any, date: PartialDate | None) -> tuple[Disagreement, ...]:
    """Zero or one disagreement about a date: another date than *date*."""
    other = draw(optional(partial_dates().filter(lambda d: d != date)))
    if other is None:
        return ()
    return (
        Disagreement(
            field="date", value=str(other), reason=draw(phrases), citations=draw(citation_lists)
        ),
    )


@st.composite
def milestones_(draw: Any) -> Milestone:
    date = draw(optional(partial_dates()))
    return Milestone(
        agency=draw(st.sampled_from(["NMPA", "FDA", "EC", "EMA", "MHLW", "HC", "NHSA"])),
        type=draw(st.sampled_from(MilestoneKind)),
        date=date,
        indication=draw(optional(ids)),
        jurisdiction=draw(optional(countries)),
        description=draw(optional(phrases)),
        citations=draw(citation_lists),
        disagreements=draw(date_disagreements(date)),
    )


milestones = milestones_()
hazard_ratios = st.builds(
    lambda estimate, spread, level, p: HazardRatio(
        estimate=estimate,
        low=None if spread is None else estimate / (1 + spread),
        high=None if spread is None else estimate * (1 + spread),
        level=level,
        p=p,
    ),
    st.floats(min_value=0.01, max_value=20, allow_nan=False),
    optional(st.floats(min_value=0, max_value=5, allow_nan=False)),
    st.sampled_from(["95 percent", "90 percent", "0.95 fraction"]),
    optional(st.sampled_from(["<0.001", "0.0003", "0.04", "<=0.05", ">0.5", "1"])),
)
prices = st.builds(
    Price,
    id=ids,
    therapy=ids,
    country=countries,
    amount=values("money"),
    date=partial_dates(),
    type=st.sampled_from(PriceKind),
    launch=optional(st.booleans()),
    basis=optional(st.sampled_from(PriceBasis)),
    indication=optional(ids),
    description=optional(phrases),
    citations=citation_lists,
)
therapies = st.builds(
    Therapy,
    id=ids,
    name=phrases,
    inn=optional(phrases),
    brands=name_lists,
    codes=name_lists,
    aliases=name_lists,
    modality=st.sampled_from(Modality),
    targets=st.lists(ids, unique=True, max_size=2).map(tuple),
    construct=constructs,
    developers=st.lists(ids, unique=True, max_size=2).map(tuple),
    milestones=st.lists(milestones, max_size=3).map(tuple),
    description=optional(phrases),
    citations=citation_lists,
)
studies = st.builds(
    Study,
    name=optional(phrases),
    registry_id=optional(st.sampled_from(["NCT02435849", "ChiCTR1800015575", "CTR20192510"])),
    phase=optional(st.sampled_from(["1", "1/2", "2", "3"])),
)


@st.composite
def outcomes(draw: Any) -> Outcome:
    endpoint = draw(st.sampled_from(Endpoint))
    proportion = endpoint.dimension == "proportion"
    # A proportion's n is at least 1, and its responders agree with its value.
    n = draw(optional(st.integers(1 if proportion else 0, 500)))
    value = draw(values(endpoint.dimension))
    responders = None
    if n is not None and (not proportion or isinstance(value, Exact)):
        responders = draw(optional(st.integers(0, n)))
        if responders is not None and proportion:
            value = Exact(round(100 * responders / n, 6), "percent")
    comparator = draw(optional(phrases))
    compared = comparator is not None
    time_to_event = endpoint.is_durability or endpoint is Endpoint.NRM
    return Outcome(
        id=draw(ids),
        therapy=draw(ids),
        institution=draw(optional(ids)),
        indication=draw(optional(ids)),
        endpoint=endpoint,
        value=value,
        n=n,
        responders=responders,
        timepoint=draw(durations()) if endpoint.needs_timepoint else draw(optional(durations())),
        follow_up=draw(optional(durations())),
        grading_scale=draw(st.sampled_from(GradingScale)) if endpoint.needs_grading else None,
        grade=draw(st.sampled_from(Grade)) if endpoint.needs_grading else None,
        analysis_set=draw(optional(st.sampled_from(AnalysisSet))),
        data_cut=draw(optional(partial_dates())),
        study=draw(optional(studies)),
        setting=draw(st.sampled_from(Setting)),
        population=draw(optional(phrases)),
        comparator=comparator,
        comparator_value=draw(optional(values(endpoint.dimension))) if compared else None,
        comparator_n=draw(optional(st.integers(0, 500))) if compared else None,
        hazard_ratio=draw(optional(hazard_ratios)) if compared and time_to_event else None,
        description=draw(optional(phrases)),
        citations=draw(citation_lists),
        disagreements=draw(value_disagreements(value)),
    )


statements = st.builds(
    Statement,
    id=ids,
    subject=st.builds(Ref, kind=st.sampled_from(["policy", "institution"]), id=ids),
    metric=phrases,
    value=values(),
    type=st.sampled_from(StatementKind),
    as_of=optional(partial_dates()),
    period=optional(periods),
    scope=optional(phrases),
    description=optional(phrases),
    citations=citation_lists,
)
policies = st.builds(
    Policy,
    id=ids,
    name=phrases,
    type=st.sampled_from(PolicyKind),
    country=countries,
    region=optional(phrases),
    city=optional(phrases),
    issuer=optional(ids),
    period=optional(periods),
    aliases=name_lists,
    description=optional(phrases),
    citations=citation_lists,
)
events = st.builds(
    Event,
    id=ids,
    name=phrases,
    type=st.sampled_from(EventKind),
    period=optional(periods),
    city=optional(phrases),
    country=optional(countries),
    hosts=st.lists(ids, unique=True, max_size=2).map(tuple),
    organizers=st.lists(ids, unique=True, max_size=2).map(tuple),
    aliases=name_lists,
    description=optional(phrases),
    citations=citation_lists,
)

#: One strategy per record class.
RECORDS = {
    Source: sources,
    Target: targets,
    Indication: indications,
    Institution: institutions,
    Therapy: therapies,
    Outcome: outcomes(),
    Price: prices,
    Policy: policies,
    Statement: statements,
    Event: events,
    Milestone: milestones,
    Construct: constructs,
    Citation: citations,
    Study: studies,
    Period: periods,
    HazardRatio: hazard_ratios,
    Disagreement: disagreements,
}


@st.composite
def two_therapy_registries(draw: Any) -> tuple[Registry, Value, Value]:
    endpoint = draw(st.sampled_from(["orr", "cr", "median-pfs", "crs"]))
    dimension = "time" if endpoint.startswith("median") else "proportion"
    a, b = draw(values(dimension)), draw(values(dimension))
    extra: dict[str, Any] = (
        {"grading_scale": "astct-2019", "grade": "any"} if endpoint == "crs" else {}
    )
    reg = landscape(
        outcome("oa", "a-cel", endpoint=endpoint, value=a, **extra),
        outcome("ob", "b-cel", endpoint=endpoint, value=b, **extra),
    )
    return reg, a, b


@st.composite
def pooled_studies(draw: Any, min_size: int = 1) -> list[Outcome]:
    """Outcomes with responders and n, as pooling takes them."""
    k = draw(st.integers(min_size, 8))
    found = []
    for i in range(k):
        n = draw(st.integers(1, 400))
        found.append(study(f"s{i}", draw(st.integers(0, n)), n))
    return found


@st.composite
def tallies(draw: Any) -> tuple[int, int]:
    n = draw(st.integers(1, 2000))
    return draw(st.integers(0, n)), n
