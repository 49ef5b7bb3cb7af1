"""The evidence fields: grading, analysis sets, hazard ratios, disagreements, tiers and prices."""

from __future__ import annotations

import math
import textwrap

import attrs
import pytest

import cartlandscape
from cartlandscape import loading
from cartlandscape.errors import DataError, FieldError, UnitError
from cartlandscape.export import registry_to_json, rows, to_csv
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.models import (
    Citation,
    Disagreement,
    HazardRatio,
    Milestone,
    Price,
    Source,
    Therapy,
)
from cartlandscape.serialization import converter
from cartlandscape.tools.canonical import canonical_text
from cartlandscape.tools.datadict import markdown
from cartlandscape.values import NotReached, parse_value
from cartlandscape.vocabulary import (
    APPROVAL_KINDS,
    AnalysisSet,
    Endpoint,
    Grade,
    GradingScale,
    MilestoneKind,
    SourceKind,
    SourceTier,
    default_tier,
    parse_endpoint,
    parse_grade,
    parse_grading_scale,
)

from .builders import CITE, landscape, outcome
from .strategies import hazard_ratios, prices

given = pytest.importorskip("hypothesis").given

# -- vocabulary ----------------------------------------------------------------------------------


def test_new_endpoints_have_their_rules() -> None:
    """Neurotoxicity is graded; median EFS is a time; NRM and deaths are proportions."""
    assert Endpoint.NEUROTOXICITY.needs_grading
    assert Endpoint.MEDIAN_EFS.dimension == "time"
    assert Endpoint.NRM.dimension == Endpoint.TREATMENT_RELATED_DEATH.dimension == "proportion"
    assert not Endpoint.NRM.needs_timepoint
    assert parse_endpoint("median EFS") is Endpoint.MEDIAN_EFS
    assert parse_endpoint("Treatment-related death") is Endpoint.TREATMENT_RELATED_DEATH
    assert {e for e in Endpoint if e.is_safety} == {
        Endpoint.CRS,
        Endpoint.ICANS,
        Endpoint.NEUROTOXICITY,
        Endpoint.NRM,
        Endpoint.TREATMENT_RELATED_DEATH,
    }
    assert Endpoint.MEDIAN_EFS.is_durability
    assert Endpoint.PFS_RATE.is_durability
    assert not Endpoint.ORR.is_durability


def test_nrm_takes_a_timepoint_but_needs_none() -> None:
    """Non-relapse mortality is a proportion, at a time point where the source gives one."""
    assert outcome("a", endpoint="nrm", value="8 percent").timepoint is None
    timed = outcome("b", endpoint="nrm", value="8 percent", timepoint="12 month")
    assert str(timed.timepoint) == "12 month"


def test_hospital_exemption_and_listings_are_never_approvals() -> None:
    """Only approvals, conditional approvals and label expansions put a product on the market."""
    for kind in (
        "hospital-exemption",
        "reimbursement-listing",
        "insurance-listing",
        "chmp-opinion",
    ):
        assert MilestoneKind(kind) not in APPROVAL_KINDS
        milestone = Milestone(agency="NHSA", type=kind, date="2024-11", citations=CITE)
        assert not milestone.is_approval
    therapy = Therapy(
        id="x-cel",
        name="X-cel",
        milestones=(Milestone(agency="AEMPS", type="hospital-exemption", citations=CITE),),
        citations=CITE,
    )
    assert not therapy.is_approved
    assert therapy.first_approval() is None


def test_source_tiers_are_ordered_and_derived_from_the_type() -> None:
    """regulator > company > journal > secondary > other > weak; each type has a default."""
    order = list(SourceTier)
    assert order == sorted(order, reverse=True)
    assert [t.value for t in order] == [
        "regulator",
        "company",
        "journal",
        "secondary",
        "other",
        "weak",
    ]
    assert SourceTier.COMPANY > SourceTier.JOURNAL
    assert SourceTier.WEAK < SourceTier.OTHER
    assert max(SourceTier.SECONDARY, SourceTier.REGULATOR) is SourceTier.REGULATOR
    with pytest.raises(TypeError):
        _ = SourceTier.WEAK < "other"
    expected = {
        "label": "regulator",
        "regulator-notice": "regulator",
        "government-document": "regulator",
        "trial-registry": "regulator",
        "press-release": "company",
        "journal-article": "journal",
        "conference-abstract": "journal",
        "news-article": "secondary",
        "review": "secondary",
        "interview": "secondary",
        "website": "other",
        "report": "other",
        "database": "other",
    }
    assert {k.value: default_tier(k).value for k in SourceKind} == expected


def test_a_source_tier_overrides_the_default() -> None:
    """``tier`` wins over the type's default; ``read_at`` is a second address."""
    label = Source(id="l", title="Label", type="label")
    assert label.tier is None
    assert label.effective_tier is SourceTier.REGULATOR
    blog = Source(
        id="b",
        title="A blog",
        type="website",
        tier="weak",
        url="https://example.org/post",
        read_at="https://mirror.example/post",
    )
    assert blog.effective_tier is SourceTier.WEAK
    with pytest.raises(FieldError, match="tier: expected one of 'regulator'"):
        Source(id="x", title="X", type="website", tier="low")
    with pytest.raises(FieldError, match="read_at: expected an http"):
        Source(id="x", title="X", type="website", read_at="mirror.example/post")


def test_grading_scales_and_grades_read_user_spellings() -> None:
    """Options typed by people are read leniently; data files use the values themselves."""
    assert parse_grading_scale("ASTCT 2019") is GradingScale.ASTCT_2019
    assert parse_grading_scale("CTCAE v5.0") is GradingScale.CTCAE_5_0
    assert parse_grading_scale("ctcae-4.03") is GradingScale.CTCAE_4_03
    assert parse_grading_scale("not stated") is GradingScale.NOT_STATED
    with pytest.raises(ValueError, match=r"unknown grading scale 'Lee'.*lee-2014"):
        parse_grading_scale("Lee")
    assert parse_grade("≥3") is Grade.AT_LEAST_3
    assert parse_grade("5") is Grade.GRADE_5
    with pytest.raises(ValueError, match="unknown grade '3'"):
        parse_grade("3")
    assert [g.lowest for g in Grade] == [1, 2, 3, 4, 5]
    assert Grade.AT_LEAST_3.label == "grade ≥3"
    assert GradingScale.LEE_2014.label == "Lee 2014"


def test_graded_outcomes_hold_the_enumerations() -> None:
    """The scale and the grade are read from the same text and become members."""
    crs = outcome(
        "crs", endpoint="crs", value="13 percent", grading_scale="lee-2014", grade=">=3", n=101
    )
    assert crs.grading_scale is GradingScale.LEE_2014
    assert crs.grade is Grade.AT_LEAST_3
    neuro = outcome(
        "neuro",
        endpoint="neurotoxicity",
        value="28 percent",
        grading_scale="ctcae-4.03",
        grade="any",
    )
    assert neuro.grade is Grade.ANY
    assert outcome("o", analysis_set="infused").analysis_set is AnalysisSet.INFUSED


# -- NotReached ----------------------------------------------------------------------------------


def test_not_reached_is_a_value_without_a_number() -> None:
    """It reads and writes its text, has a time unit and no magnitudes."""
    value = parse_value("not reached month")
    assert value == NotReached("month")
    assert str(value) == "not reached month"
    assert value.describe() == "not reached"
    assert value.form == "not-reached"
    assert value.magnitudes() == ()
    assert value.interval() == (0.0, math.inf)
    assert value.dimensionality == "[time]"
    assert value.to("year") == NotReached("year")
    assert parse_value("  not reached   months ") == NotReached("month")
    with pytest.raises(FieldError, match="a unit of time"):
        parse_value("not reached percent")
    with pytest.raises(FieldError, match="a unit of time"):
        parse_value("not reached USD")
    with pytest.raises(FieldError, match="a number followed by a unit"):
        parse_value("not reached")
    with pytest.raises(UnitError):
        value.to("percent")
    with pytest.raises(ValueError, match="no magnitudes"):
        value.with_magnitudes(3.0, unit="month")


def test_not_reached_medians_and_comparators() -> None:
    """A median or the comparator's median may be not reached; a rate may not."""
    found = outcome(
        "m",
        endpoint="median-os",
        value="not reached month",
        comparator="standard of care",
        comparator_value="not reached month",
    )
    assert isinstance(found.value, NotReached)
    assert found.label == "median OS not reached"
    with pytest.raises(FieldError, match="a proportion"):
        outcome("r", endpoint="os-rate", value="not reached month", timepoint="12 month")


# -- hazard ratios -------------------------------------------------------------------------------


def test_hazard_ratio_rules() -> None:
    """Positive estimate; both interval ends or neither, around the estimate; p as printed."""
    hr = HazardRatio(estimate=0.398, low=0.308, high=0.514, p="<0.001")
    assert str(hr.level) == "95 percent"
    assert str(hr) == "HR 0.398 (95% CI 0.308–0.514), p<0.001"
    assert str(HazardRatio(estimate=1, p="0.04")) == "HR 1, p=0.04"
    assert HazardRatio(estimate=1).estimate == 1.0
    bad = [
        ({"estimate": 0}, "estimate", "a positive number"),
        ({"estimate": -0.5}, "estimate", "a positive number"),
        ({"estimate": math.inf}, "estimate", "a positive number"),
        ({"estimate": True}, "estimate", "a positive number"),
        ({"estimate": 0.5, "low": 0.4}, "high", "both ends"),
        ({"estimate": 0.5, "high": 0.6}, "low", "both ends"),
        ({"estimate": 0.5, "low": 0.6, "high": 0.9}, "low", "at most the estimate 0.5"),
        ({"estimate": 0.5, "low": 0.1, "high": 0.4}, "high", "at least the estimate 0.5"),
        ({"estimate": 0.5, "level": "95 month"}, "level", "a proportion"),
        ({"estimate": 0.5, "level": "120 percent"}, "level", "at most 100 percent"),
        ({"estimate": 0.5, "p": "significant"}, "p", "a p value"),
        ({"estimate": 0.5, "p": "2"}, "p", "a p value"),
        ({"estimate": 0.5, "p": 0.01}, "p", "a p value"),
    ]
    for fields, field, expected in bad:
        with pytest.raises(FieldError) as info:
            HazardRatio(**fields)
        assert (info.value.field, expected in info.value.expected) == (field, True), fields


def test_hazard_ratio_belongs_to_a_time_to_event_endpoint_with_a_comparator() -> None:
    """An HR sits on a survival or duration outcome that names its comparator."""
    hr = HazardRatio(estimate=0.398, low=0.308, high=0.514)
    found = outcome(
        "efs",
        endpoint="median-efs",
        value="8.3 month",
        comparator="standard of care",
        comparator_value="2.0 month",
        comparator_n=179,
        hazard_ratio=hr,
    )
    assert found.hazard_ratio == hr
    assert found.comparator_n == 179
    with pytest.raises(FieldError, match="no hazard ratio for CRS"):
        outcome(
            "c",
            endpoint="crs",
            value="5 percent",
            grading_scale="astct-2019",
            grade=">=3",
            comparator="chemo",
            hazard_ratio=hr,
        )
    with pytest.raises(FieldError, match="comparator: expected the comparator that hazard_ratio"):
        outcome("p", endpoint="median-pfs", value="8 month", hazard_ratio=hr)


@given(hazard_ratios)
def test_hazard_ratios_round_trip(hr: HazardRatio) -> None:
    """Any hazard ratio survives unstructure and structure unchanged."""
    conv = converter()
    assert conv.structure(conv.unstructure(hr), HazardRatio) == hr


# -- disagreements -------------------------------------------------------------------------------


def test_disagreements_name_a_field_and_give_a_value_it_could_hold() -> None:
    """The field must exist; a date or value is read as the field would be; never the same value."""
    other = Disagreement(
        field="date", value="2021-03-27", reason="A society page a day later.", citations=CITE
    )
    milestone = Milestone(
        agency="FDA", type="approval", date="2021-03-26", citations=CITE, disagreements=(other,)
    )
    assert milestone.disagreements == (other,)
    cases = [
        (attrs.evolve(other, field="day"), "disagreements[0].field", "a field of the record"),
        (attrs.evolve(other, value="26 March 2021"), "disagreements[0].value", "a date"),
        (attrs.evolve(other, value="2021-03-26"), "disagreements[0].value", "other than"),
        (attrs.evolve(other, field="citations"), "disagreements[0].field", "a field"),
    ]
    for item, field, expected in cases:
        with pytest.raises(FieldError) as info:
            attrs.evolve(milestone, disagreements=(item,))
        assert info.value.field == field
        assert expected in info.value.expected
    with pytest.raises(FieldError, match=r"disagreements\[0\]\.value: expected a number"):
        outcome(
            "o",
            disagreements=(
                Disagreement(field="value", value="about half", reason="r", citations=CITE),
            ),
        )
    with pytest.raises(FieldError, match="citations: expected at least one citation"):
        Disagreement(field="value", value="40 percent", reason="r", citations=())
    kept = outcome(
        "o",
        disagreements=(
            Disagreement(field="value", value="48 percent", reason="r", citations=CITE),
        ),
    )
    assert kept.disagreements[0].value == "48 percent"


# -- prices --------------------------------------------------------------------------------------


def _price(**fields: object) -> Price:
    base: dict[str, object] = {
        "id": "a-cel-us-list",
        "therapy": "a-cel",
        "country": "US",
        "amount": "373000 USD",
        "date": "2017-10-18",
        "type": "list",
        "citations": CITE,
    }
    return Price(**{**base, **fields})  # type: ignore[arg-type]


def test_price_rules() -> None:
    """A price names its therapy, country, a currency amount, date and type."""
    price = _price(launch=True, basis="per-infusion")
    assert price.currency == "USD"
    assert price.label == "373000 USD (list, US, 2017-10-18)"
    bad = [
        ({"amount": "373000 percent"}, "amount", "a money"),
        ({"amount": "373000"}, "value", "a number followed by a unit"),
        ({"country": "USA"}, "country", "ISO 3166-1"),
        ({"type": "retail"}, "type", "one of 'list'"),
        ({"basis": "per-dose"}, "basis", "one of 'per-infusion'"),
        ({"launch": "yes"}, "launch", "true or false"),
        ({"therapy": None}, "therapy", "the id of a therapy"),
    ]
    for fields, field, expected in bad:
        with pytest.raises(FieldError) as info:
            _price(**fields)
        assert info.value.field == field, fields
        assert expected in info.value.expected, fields
    with pytest.raises(TypeError):
        Price(id="p", therapy="a-cel", country="US", amount="1 USD", type="list", citations=CITE)  # type: ignore[call-arg]


def test_new_currencies_are_dimensions_of_their_own() -> None:
    """INR, CAD, AUD, CHF, KRW and SGD are currencies, never converted into each other."""
    for code in ("INR", "CAD", "AUD", "CHF", "KRW", "SGD"):
        amount = parse_value(f"1000 {code}")
        assert amount.unit == code
        with pytest.raises(UnitError, match="exchange rate"):
            amount.to("USD")


def test_prices_are_a_built_in_kind_with_a_query() -> None:
    """Prices load into ``prices`` and are found by therapy, country and currency."""
    assert BASE_KINDS["price"] == (Price, "prices")
    reg = landscape(
        _price(),
        _price(id="a-cel-us-2024", amount="462000 USD", date="2024"),
        _price(id="a-cel-cn", country="CN", amount="1200000 CNY", date="2021-09", type="reported"),
        _price(id="b-cel-gb", therapy="b-cel", country="GB", amount="282000 GBP", date="2019"),
    )
    assert len(reg.prices) == 4
    assert reg.of_kind("price") is reg.prices
    assert [p.id for p in reg.prices_for(therapy="Alpha-cel")] == [
        "a-cel-us-list",
        "a-cel-cn",
        "a-cel-us-2024",
    ]
    assert [p.id for p in reg.prices_for(country="us")] == ["a-cel-us-list", "a-cel-us-2024"]
    assert [p.id for p in reg.prices_for(currency="RMB")] == ["a-cel-cn"]
    assert reg.prices_for(therapy="c-cel") == ()
    with pytest.raises(ValueError, match="'percent' is not a currency"):
        reg.prices_for(currency="percent")
    assert {r.id for r, _ in reg.referrers(reg.therapies["b-cel"])} >= {"b-cel-gb"}


def test_a_price_must_name_a_known_therapy() -> None:
    """The therapy and indication of a price are references the registry checks."""
    with pytest.raises(DataError, match="no therapy has the id 'z-cel'"):
        landscape(_price(therapy="z-cel"))
    with pytest.raises(DataError, match="no indication has the id 'dlbcl'"):
        landscape(_price(indication="dlbcl"))


@given(prices)
def test_prices_round_trip(price: Price) -> None:
    """Any price survives unstructure and structure unchanged."""
    conv = converter()
    assert conv.structure(conv.unstructure(price), Price) == price


# -- loading, dates, canonical form, export, data dictionary ----------------------------------

EVIDENCE = textwrap.dedent(
    """
    [[source]]
    id = "paper"
    title = "A trial paper"
    type = "journal-article"
    published = "2017-12-28"
    url = "https://doi.org/10.1000/paper"
    read_at = "https://mirror.example/paper"

    [[source]]
    id = "blog"
    title = "A blog"
    type = "website"
    tier = "weak"

    [[therapy]]
    id = "z-cel"
    name = "Z-cel"
    citations = [{ source = "paper", locator = "abstract" }]

    [[therapy.milestones]]
    agency = "FDA"
    type = "approval"
    date = "2017-10-18"
    citations = [{ source = "paper", locator = "introduction" }]

    [[therapy.milestones.disagreements]]
    field = "date"
    value = "2017-10-19"
    reason = "A day later on a blog."
    citations = [{ source = "blog", locator = "paragraph 1" }]

    [[outcome]]
    id = "z-cel-crs-3"
    therapy = "z-cel"
    endpoint = "crs"
    value = "13 percent"
    n = 101
    responders = 13
    grading_scale = "lee-2014"
    grade = ">=3"
    analysis_set = "infused"
    data_cut = "2017-08-11"
    citations = [{ source = "paper", locator = "Table 3" }]

    [[outcome]]
    id = "z-cel-efs"
    therapy = "z-cel"
    endpoint = "median-efs"
    value = "not reached month"
    comparator = "standard of care"
    comparator_value = "2 month"
    comparator_n = 179
    hazard_ratio = { estimate = 0.398, low = 0.308, high = 0.514, p = "<0.001" }
    citations = [{ source = "paper", locator = "Figure 2" }]

    [[price]]
    id = "z-cel-us-list"
    therapy = "z-cel"
    country = "US"
    amount = "373000 USD"
    date = "2017-10-18"
    type = "list"
    launch = true
    basis = "per-infusion"
    citations = [{ source = "paper", locator = "discussion" }]
    """
)


def _build(text: str) -> cartlandscape.Registry:
    return loading.build([("evidence.toml", text.encode())])[0]


def test_evidence_data_loads_in_the_agreed_shape() -> None:
    """The shape the data files use loads into typed records."""
    reg = _build(EVIDENCE)
    crs = reg.outcomes["z-cel-crs-3"]
    assert (crs.grading_scale, crs.grade, crs.analysis_set) == (
        GradingScale.LEE_2014,
        Grade.AT_LEAST_3,
        AnalysisSet.INFUSED,
    )
    assert str(crs.data_cut) == "2017-08-11"
    efs = reg.outcomes["z-cel-efs"]
    assert isinstance(efs.value, NotReached)
    assert efs.hazard_ratio is not None
    assert efs.hazard_ratio.low == 0.308
    assert reg.sources["blog"].effective_tier is SourceTier.WEAK
    assert reg.therapies["z-cel"].milestones[0].disagreements[0].value == "2017-10-19"
    assert reg.prices["z-cel-us-list"].launch is True


def test_evidence_data_round_trips_through_json_and_canonical_form() -> None:
    """The JSON export reads back equal, and the canonical writer keeps every new field."""
    reg = _build(EVIDENCE)
    again = loading.build([("all.json", registry_to_json(reg).encode())])[0]
    assert list(again.records()) == list(reg.records())
    text = canonical_text("evidence.toml", EVIDENCE.encode())
    assert list(_build(text).records()) == list(reg.records())
    assert canonical_text("evidence.toml", text.encode()) == text
    assert 'hazard_ratio = { estimate = 0.398, low = 0.308, high = 0.514, p = "<0.001" }' in text
    assert "[[price]]" in text
    assert 'value = "not reached month"' in text


def test_bad_evidence_data_is_reported_with_every_problem() -> None:
    """Wrong scales, grades, hazard ratios and prices each give a located message, all at once."""
    bad = (
        EVIDENCE.replace('"lee-2014"', '"Lee"')
        .replace("low = 0.308", "low = 0.5")
        .replace('"373000 USD"', '"373000 dollars per patient"')
        .replace('analysis_set = "infused"', 'analysis_set = "safety"')
    )
    with pytest.raises(DataError) as info:
        _build(bad)
    found = {(p.record, p.field) for p in info.value.problems}
    assert ("z-cel-crs-3", "grading_scale") in found
    assert ("z-cel-crs-3", "analysis_set") in found
    assert ("z-cel-efs", "hazard_ratio.low") in found
    assert ("z-cel-us-list", "amount") in found
    message = str(info.value)
    assert "'Lee'" in message
    assert "lee-2014" in message
    assert "at most the estimate 0.398" in message


def test_data_cuts_and_prices_are_not_dated_after_their_sources() -> None:
    """A data cut or a price date later than the cited source's publication is refused."""
    late = EVIDENCE.replace('data_cut = "2017-08-11"', 'data_cut = "2018-02"').replace(
        'date = "2017-10-18"\ntype = "list"', 'date = "2018-03-01"\ntype = "list"'
    )
    with pytest.raises(DataError) as info:
        _build(late)
    found = {(p.record, p.field) for p in info.value.problems}
    assert found == {("z-cel-crs-3", "data_cut"), ("z-cel-us-list", "date")}


def test_exports_flatten_the_new_fields() -> None:
    """CSV rows hold the hazard ratio's parts and a not-reached value without a magnitude."""
    reg = _build(EVIDENCE)
    row = rows([reg.outcomes["z-cel-efs"]])[0]
    assert row["value_form"] == "not-reached"
    assert row["value_unit"] == "month"
    assert row["value_magnitude"] is None
    assert row["hazard_ratio.estimate"] == 0.398
    assert row["hazard_ratio.level_magnitude"] == 95.0
    assert row["comparator_n"] == 179
    price_row = rows(reg.prices)[0]
    assert price_row["amount_unit"] == "USD"
    assert price_row["amount_magnitude"] == 373000.0
    assert "z-cel-us-list" in to_csv(reg.prices)
    milestone_cells = rows([reg.therapies["z-cel"]])[0]["milestones"]
    assert isinstance(milestone_cells, str)
    assert "2017-10-19" in milestone_cells


def test_data_dictionary_describes_the_new_fields() -> None:
    """The generated dictionary lists prices, hazard ratios, disagreements and the new fields."""
    text = markdown()
    for needle in (
        "### `[[price]]` — Price",
        "### HazardRatio (nested)",
        "### Disagreement (nested)",
        "### Vocabularies",
        "| `analysis_set` |",
        "| `data_cut` |",
        "| `comparator_n` |",
        "| `tier` |",
        "| `read_at` |",
        "`hospital-exemption`",
        "`astct-2019`",
        "`>=3`",
    ):
        assert needle in text, needle


def test_citations_of_disagreements_must_resolve() -> None:
    """A disagreement's citations are references like any other."""
    bad = EVIDENCE.replace(
        '{ source = "blog", locator = "paragraph 1" }', '{ source = "nope", locator = "p" }'
    )
    with pytest.raises(DataError) as info:
        _build(bad)
    assert [(p.record, p.field) for p in info.value.problems] == [
        ("z-cel", "milestones[0].disagreements[0].citations[0].source")
    ]


def test_citation_type_is_shared() -> None:
    """Disagreements cite with the same Citation records as everything else."""
    item = Disagreement(field="value", value="1 percent", reason="r", citations=CITE)
    assert all(isinstance(c, Citation) for c in item.citations)
