from __future__ import annotations

import math

import attrs
import pytest

import cartlandscape
from cartlandscape import Outcome, Registry, Study
from cartlandscape.compare import (
    PERCENTAGE_POINT,
    Comparison,
    ComparisonError,
    Difference,
    compare,
    format_comparison,
    format_table,
    mismatches,
    rank,
)
from cartlandscape.errors import UnknownNameError
from cartlandscape.values import Bound, NotReached, Range, Value
from cartlandscape.vocabulary import Grade, GradingScale

from .builders import CITE, landscape, outcome
from .strategies import two_therapy_registries, values

given = pytest.importorskip("hypothesis").given


def test_compare_puts_therapies_side_by_side_with_citations() -> None:
    """Therapies named by any alias give one row each, keeping value form, n and citations."""
    reg = landscape(
        outcome("a-orr", "a-cel", value="80 percent", n=50, indication="mm"),
        outcome("b-orr", "b-cel", value="62 to 70 percent", indication="mm"),
    )
    result = compare(reg, ["AC01", reg.therapies["b-cel"]], endpoint="ORR")
    assert [r.id for r in result.rows] == ["a-orr", "b-orr"]
    assert [r.name for r in result.rows] == ["Alpha-cel", "Beta-cel"]
    assert result.rows[0].n == 50
    assert isinstance(result.rows[1].value, Range)
    assert all(r.citations == CITE for r in result.rows)
    assert result.matched
    assert result.mismatches == ()


def test_difference_of_points_is_a_percentage_point_quantity() -> None:
    """Two exact percentages give a point difference in percentage points, with both citations."""
    reg = landscape(
        outcome("a", "a-cel", value="80 percent"), outcome("b", "b-cel", value="62.5 percent")
    )
    difference = compare(reg, ["a-cel", "b-cel"], endpoint="orr").difference("a-cel", "b-cel")
    assert difference.form == "exact"
    assert difference.unit == PERCENTAGE_POINT
    quantity = difference.quantity
    assert str(quantity.units) == "percentage_point"
    assert quantity.magnitude == pytest.approx(17.5)
    assert quantity.to("dimensionless").magnitude == pytest.approx(0.175)
    assert difference.citations == CITE


def test_fraction_and_percent_are_compared_in_percent() -> None:
    """A value in fraction and one in percent are converted before subtracting."""
    reg = landscape(
        outcome("a", "a-cel", value="0.8 fraction"), outcome("b", "b-cel", value="70 percent")
    )
    result = compare(reg, ["a-cel", "b-cel"], endpoint="orr")
    assert str(result.rows[0].converted) == "80 percent"
    assert result.differences()[0].low == pytest.approx(10)


def test_range_stays_range_and_no_point_is_invented() -> None:
    """A range minus a point is a range; asking it for a point quantity is refused."""
    reg = landscape(
        outcome("a", "a-cel", value="79 to 89 percent"), outcome("b", "b-cel", value="70 percent")
    )
    (difference,) = compare(reg, ["a-cel", "b-cel"], endpoint="orr").differences()
    assert (difference.form, difference.low, difference.high) == ("range", 9.0, 19.0)
    assert difference.low_quantity.magnitude == 9.0
    assert difference.high_quantity.magnitude == 19.0
    with pytest.raises(ComparisonError, match="range, not a point"):
        _ = difference.quantity
    assert difference.describe() == "+9 to +19 percentage points"


def test_time_bound_difference_stays_a_bound() -> None:
    """A median PFS 'more than 24 months' minus 12 months is 'more than +12 months'."""
    reg = landscape(
        outcome("a", "a-cel", endpoint="median-pfs", value=">24 month"),
        outcome("b", "b-cel", endpoint="median-pfs", value="1 year"),
    )
    (difference,) = compare(reg, ["a-cel", "b-cel"], endpoint="median PFS").differences()
    assert (difference.form, difference.relation, difference.unit) == ("bound", ">", "month")
    assert difference.low == pytest.approx(12)
    assert math.isinf(difference.high)
    assert difference.describe() == "more than +12 month"


def test_proportion_bound_ends_at_100_percent() -> None:
    """'More than 80 percent' lies below 100 percent, so its difference with 90 is a range."""
    reg = landscape(
        outcome("a", "a-cel", value="90 percent"), outcome("b", "b-cel", value=">80 percent")
    )
    (difference,) = compare(reg, ["a-cel", "b-cel"], endpoint="orr").differences()
    assert (difference.form, difference.low, difference.high) == ("range", -10.0, 10.0)
    assert difference.high_open
    assert not difference.low_open


def test_approximate_values_give_an_approximate_difference() -> None:
    """An approximate value makes the difference approximate too."""
    reg = landscape(
        outcome("a", "a-cel", value="~60 percent"), outcome("b", "b-cel", value="50 percent")
    )
    (difference,) = compare(reg, ["a-cel", "b-cel"], endpoint="orr").differences()
    assert difference.form == "approximate"
    assert difference.describe() == "about +10 percentage points"


def test_different_endpoints_are_refused_with_what_differs() -> None:
    """CR and ORR outcomes given directly raise ComparisonError naming both endpoints."""
    cr, orr = outcome("a-cr", endpoint="cr"), outcome("b-orr", "b-cel")
    reg = landscape(cr, orr)
    with pytest.raises(ComparisonError, match=r"endpoints differ: CR \(a-cr\), ORR \(b-orr\)"):
        compare(reg, [cr, orr], endpoint="cr")
    assert issubclass(ComparisonError, ValueError)


def test_mismatch_allowed_is_flagged_on_the_result_and_rows() -> None:
    """allow_mismatch=True compares anyway, listing the mismatch and flagging the odd row."""
    a1 = outcome("a1", "a-cel", endpoint="pfs-rate", timepoint="12 month", indication="mm")
    a2 = outcome("a2", "a-cel", endpoint="pfs-rate", timepoint="1 year", indication="mm")
    b = outcome("b", "b-cel", endpoint="pfs-rate", timepoint="24 month", indication="mm")
    reg = landscape(a1, a2, b)
    with pytest.raises(ComparisonError, match="time points differ"):
        compare(reg, ["a-cel", "b-cel"], endpoint="pfs-rate")
    result = compare(reg, ["a-cel", "b-cel"], endpoint="pfs-rate", allow_mismatch=True)
    assert [m.field for m in result.mismatches] == ["timepoint"]
    assert not result.matched
    assert {r.id: r.flags for r in result.rows} == {"a1": (), "a2": (), "b": ("timepoint",)}


def test_timepoint_argument_selects_matching_outcomes() -> None:
    """timepoint= keeps the outcomes at that time point, whatever unit it is written in."""
    reg = landscape(
        outcome("a12", "a-cel", endpoint="os-rate", timepoint="12 month"),
        outcome("a24", "a-cel", endpoint="os-rate", timepoint="24 month"),
        outcome("b12", "b-cel", endpoint="os-rate", timepoint="52.17857142857143 week"),
        outcome("b24", "b-cel", endpoint="os-rate", timepoint="2 year"),
    )
    result = compare(reg, ["a-cel", "b-cel"], endpoint="os-rate", timepoint="1 year")
    assert [r.id for r in result.rows] == ["a12", "b12"]
    assert str(result.timepoint) == "1 year"


def test_grading_scales_and_grades_must_agree() -> None:
    """CRS rates under different grading scales or grades are not compared silently."""
    lee = outcome("a", "a-cel", endpoint="crs", grading_scale="lee-2014", grade=">=3")
    astct = outcome("b", "b-cel", endpoint="crs", grading_scale="astct-2019", grade=">=3")
    anygrade = outcome("c", "c-cel", endpoint="crs", grading_scale="astct-2019", grade="any")
    reg = landscape(lee, astct, anygrade)
    with pytest.raises(ComparisonError, match="grading scales differ"):
        compare(reg, ["a-cel", "b-cel"], endpoint="crs")
    with pytest.raises(ComparisonError, match="grades differ"):
        compare(reg, ["b-cel", "c-cel"], endpoint="crs")
    same = attrs.evolve(anygrade, id="d", therapy="a-cel", grade=">=3")
    assert mismatches([astct, same]) == ()


def _crs(ident: str, therapy: str, scale: str, grade: str, value: str = "10 percent") -> Outcome:
    return outcome(
        ident, therapy, endpoint="crs", value=value, grading_scale=scale, grade=grade, n=100
    )


def test_crs_graded_on_different_scales_is_refused_naming_both() -> None:
    """Grade >=3 CRS by ASTCT is not grade >=3 CRS by Lee: the refusal names scales and records."""
    reg = landscape(
        _crs("a-crs-any", "a-cel", "lee-2014", "any", "80 percent"),
        _crs("a-crs-3", "a-cel", "lee-2014", ">=3"),
        _crs("b-crs-any", "b-cel", "astct-2019", "any", "60 percent"),
        _crs("b-crs-3", "b-cel", "astct-2019", ">=3", "5 percent"),
    )
    with pytest.raises(ComparisonError) as info:
        compare(reg, ["a-cel", "b-cel"], endpoint="crs", grade="≥3")
    message = str(info.value)
    assert "grading scales differ" in message
    assert "Lee 2014 (a-crs-3)" in message
    assert "ASTCT 2019 (b-crs-3)" in message
    assert "a grade on one scale is not the same grade on another" in message
    anyway = compare(reg, ["a-cel", "b-cel"], endpoint="crs", grade=">=3", allow_mismatch=True)
    assert [r.id for r in anyway.rows] == ["a-crs-3", "b-crs-3"]
    assert [r.flags for r in anyway.rows] == [("grading_scale",), ("grading_scale",)]
    assert anyway.grade is Grade.AT_LEAST_3
    with pytest.raises(ComparisonError, match="no CRS grade ≥3 \\(Lee 2014\\) outcome for Beta"):
        compare(reg, ["a-cel", "b-cel"], endpoint="crs", grade=">=3", grading_scale="Lee 2014")


def test_grade_filters_choose_the_rows_of_one_scale_and_grade() -> None:
    """With the grade and scale given, each therapy contributes the matching outcome only."""
    reg = landscape(
        _crs("a-crs-any", "a-cel", "astct-2019", "any", "80 percent"),
        _crs("a-crs-3", "a-cel", "astct-2019", ">=3", "12 percent"),
        _crs("b-crs-3", "b-cel", "astct-2019", ">=3", "5 percent"),
        _crs("b-crs-3-lee", "b-cel", "lee-2014", ">=3", "9 percent"),
    )
    found = compare(
        reg, ["a-cel", "b-cel"], endpoint="crs", grade=">=3", grading_scale="astct-2019"
    )
    assert [r.id for r in found.rows] == ["a-crs-3", "b-crs-3"]
    assert found.grading_scale is GradingScale.ASTCT_2019
    assert str(found.differences()[0]) == "a-crs-3 − b-crs-3: +7 percentage points"
    assert format_comparison(found).startswith("CRS grade ≥3 (ASTCT 2019)\n")
    table = rank(reg, endpoint="crs", grade=">=3", grading_scale="astct-2019")
    assert [r.id for r in table.rows] == ["a-crs-3", "b-crs-3"]
    with pytest.raises(ComparisonError, match="ORR is not graded"):
        compare(reg, ["a-cel", "b-cel"], endpoint="orr", grade=">=3")
    with pytest.raises(ValueError, match="unknown grade"):
        rank(reg, endpoint="crs", grade="severe")


def test_a_scale_not_stated_matches_nothing_without_allow_mismatch() -> None:
    """Two outcomes whose scale is not stated are not taken to share one."""
    reg = landscape(
        _crs("a-crs-3", "a-cel", "not-stated", ">=3"),
        _crs("b-crs-3", "b-cel", "not-stated", ">=3"),
    )
    with pytest.raises(ComparisonError, match=r"scale not stated \(a-crs-3\)"):
        compare(reg, ["a-cel", "b-cel"], endpoint="crs", grade=">=3")
    with pytest.raises(ComparisonError, match="grading scales differ"):
        rank(reg, endpoint="crs")
    assert len(rank(reg, endpoint="crs", allow_mismatch=True).rows) == 2
    assert mismatches([reg.outcomes["a-crs-3"]]) == ()


def test_not_reached_medians_are_listed_apart_and_never_subtracted() -> None:
    """Ranked after every number in either direction, sharing a place; no difference is made."""
    reg = landscape(
        outcome("a", "a-cel", endpoint="median-pfs", value="not reached month"),
        outcome("b", "b-cel", endpoint="median-pfs", value="11 month"),
        outcome("c", "c-cel", endpoint="median-pfs", value="not reached month"),
    )
    for descending in (True, False):
        table = rank(reg, endpoint="median-pfs", descending=descending)
        assert [r.id for r in table.rows] == ["b", "a", "c"]
        assert table.positions == (1, 2, 2)
    found = compare(reg, ["a-cel", "b-cel"], endpoint="median-pfs")
    assert found.differences() == ()
    with pytest.raises(ComparisonError, match="a not reached"):
        found.difference("a", "b")
    assert "Differences" not in format_comparison(found)


def test_indications_must_agree_even_under_a_parent_indication() -> None:
    """Outcomes in different indications are a mismatch, also within one parent's scope."""
    reg = landscape(
        outcome("a", "a-cel", indication="all"), outcome("b", "b-cel", indication="b-all")
    )
    with pytest.raises(ComparisonError, match="indications differ"):
        compare(reg, ["a-cel", "b-cel"], endpoint="orr")
    with pytest.raises(ComparisonError, match="indications differ"):
        compare(reg, ["a-cel", "b-cel"], endpoint="orr", indication="ALL")
    result = compare(reg, ["a-cel", "b-cel"], endpoint="orr", indication="ALL", allow_mismatch=True)
    assert result.indication == "all"
    assert [m.field for m in result.mismatches] == ["indication"]
    same = landscape(
        outcome("a", "a-cel", indication="b-all"), outcome("b", "b-cel", indication="b-all")
    )
    assert compare(same, ["a-cel", "b-cel"], endpoint="orr", indication="ALL").matched


def test_outcome_outside_the_asked_indication_is_refused() -> None:
    """An outcome given directly outside indication= is refused, or flagged if allowed."""
    inside, outside = outcome("a", indication="b-all"), outcome("b", "b-cel", indication="mm")
    reg = landscape(inside, outside)
    with pytest.raises(ComparisonError, match=r"outside the indication ALL: b \(mm\)"):
        compare(reg, [inside, outside], endpoint="orr", indication="all")
    result = compare(reg, [inside, outside], endpoint="orr", indication="all", allow_mismatch=True)
    assert [m.field for m in result.mismatches] == ["indication"]


def test_units_of_different_dimensions_are_flagged_and_not_subtracted() -> None:
    """A rate and a median compared anyway give a unit mismatch and no difference."""
    rate = outcome("a", endpoint="orr")
    median = outcome("b", "b-cel", endpoint="median-os", value="14 month")
    reg = landscape(rate, median)
    result = compare(reg, [rate, median], endpoint="orr", allow_mismatch=True)
    assert [m.field for m in result.mismatches] == ["endpoint", "unit"]
    assert result.differences() == ()
    with pytest.raises(ComparisonError, match="different dimensions"):
        result.difference("a", "b")


def test_missing_endpoint_names_the_therapy_and_what_it_reports() -> None:
    """A therapy without the endpoint raises an error naming it and its other endpoints."""
    reg = landscape(outcome("a", "a-cel", endpoint="cr"), outcome("b", "b-cel", endpoint="scr-cr"))
    with pytest.raises(ComparisonError, match="no CR outcome for Beta-cel; its outcomes report"):
        compare(reg, ["a-cel", "b-cel"], endpoint="cr")
    result = compare(reg, ["a-cel", "b-cel"], endpoint="cr", allow_mismatch=True)
    assert [r.outcome.endpoint.value for r in result.rows] == ["cr", "scr-cr"]
    assert [m.field for m in result.mismatches] == ["endpoint"]
    reg = landscape(outcome("a", "a-cel"))
    with pytest.raises(ComparisonError, match=r"no ORR outcome for Beta-cel$"):
        compare(reg, ["a-cel", "b-cel"], endpoint="orr", allow_mismatch=True)


def test_bad_therapy_lists_are_refused() -> None:
    """One therapy, a repeated therapy, or an unknown name is a clear error."""
    reg = landscape(outcome("a", "a-cel"), outcome("b", "b-cel"))
    with pytest.raises(ComparisonError, match="two or more"):
        compare(reg, ["a-cel"], endpoint="orr")
    with pytest.raises(ComparisonError, match="given twice"):
        compare(reg, ["a-cel", "Alpha-cel"], endpoint="orr")
    with pytest.raises(UnknownNameError):
        compare(reg, ["a-cel", "zeta-cel"], endpoint="orr")
    with pytest.raises(ValueError, match="unknown endpoint"):
        compare(reg, ["a-cel", "b-cel"], endpoint="response")
    with pytest.raises(ValueError, match="timepoint"):
        compare(reg, ["a-cel", "b-cel"], endpoint="orr", timepoint="50 percent")


def test_rank_orders_by_certain_value_with_ties_sharing_a_place() -> None:
    """rank orders by the low end then the high end; equal intervals share a position."""
    reg = landscape(
        outcome("a", "a-cel", value=">80 percent", n=30),
        outcome("b", "b-cel", value="85 percent", n=12),
        outcome("c", "c-cel", value="85 percent"),
        outcome("d", "c-cel", value="10 to 90 percent"),
    )
    table = rank(reg, endpoint="orr")
    assert [r.id for r in table.rows] == ["b", "c", "a", "d"]
    assert table.positions == (1, 1, 3, 4)
    assert [r.n for r in table.rows] == [12, None, 30, None]
    assert all(r.citations == CITE for r in table.rows)
    ascending = rank(reg, endpoint="orr", descending=False)
    assert [r.id for r in ascending.rows] == ["d", "a", "b", "c"]
    assert "  1. Beta-cel: 85 percent (n=12)" in format_table(table)


def test_rank_needs_one_indication_or_a_scope() -> None:
    """rank refuses outcomes of several indications, also under a parent indication."""
    reg = landscape(
        outcome("a", "a-cel", indication="b-all"),
        outcome("b", "b-cel", indication="all"),
        outcome("c", "c-cel", indication="mm"),
    )
    with pytest.raises(ComparisonError, match="indications differ"):
        rank(reg, endpoint="orr")
    with pytest.raises(ComparisonError, match="indications differ"):
        rank(reg, endpoint="orr", indication="all")
    assert [r.id for r in rank(reg, endpoint="orr", indication="b-all").rows] == ["a"]
    ranked = rank(reg, endpoint="orr", indication="all", allow_mismatch=True)
    assert [r.id for r in ranked.rows] == ["a", "b"]
    assert rank(reg, endpoint="cr").rows == ()


def test_format_comparison_lists_rows_differences_and_mismatches() -> None:
    """The text form shows each row with its source, the differences and any mismatch."""
    reg = landscape(
        outcome("a", "a-cel", endpoint="cr", n=20), outcome("b", "b-cel", endpoint="cr-cri")
    )
    text = format_comparison(compare(reg, ["a-cel", "b-cel"], endpoint="cr", allow_mismatch=True))
    assert "Alpha-cel: 50 percent (n=20) [a; src:table 2]" in text
    assert "a − b: +0 percentage points" in text
    assert "endpoints differ: CR (a), CR/CRi (b)" in text


def test_bundled_outcomes_compare_with_citations() -> None:
    """Ranking the bundled CR outcomes gives rows that each cite a source."""
    reg = cartlandscape.registry()
    if not reg.outcomes_for(endpoint="cr"):
        pytest.skip("no CR outcome in the bundled data yet")
    table = rank(reg, endpoint="cr", allow_mismatch=True)
    assert table.rows
    assert all(r.citations for r in table.rows)


@given(two_therapy_registries())
def test_compare_is_symmetric(case: tuple[Registry, Value, Value]) -> None:
    """Swapping the therapies reverses the rows and negates the difference, nothing else."""
    reg, _, _ = case
    endpoint = next(iter(reg.outcomes)).endpoint
    ab = compare(reg, ["a-cel", "b-cel"], endpoint=endpoint)
    ba = compare(reg, ["b-cel", "a-cel"], endpoint=endpoint)
    assert ab.rows == tuple(reversed(ba.rows))
    assert ab.mismatches == ba.mismatches
    if any(isinstance(r.value, NotReached) for r in ab.rows):
        # A median that was not reached has no number: no difference is computed.
        assert ab.differences() == ba.differences() == ()
        with pytest.raises(ComparisonError, match="not reached: no difference is computed"):
            ab.difference("a-cel", "b-cel")
        return
    (d_ab,), (d_ba,) = ab.differences(), ba.differences()
    assert d_ab == d_ba.reversed()
    assert d_ab.reversed().reversed() == d_ab


@given(values("proportion"), values("proportion"))
def test_difference_interval_contains_every_possible_difference(a: Value, b: Value) -> None:
    """Any pair of magnitudes the two values allow differs by an amount inside the interval."""
    reg = landscape(outcome("oa", "a-cel", value=a), outcome("ob", "b-cel", value=b))
    (difference,) = compare(reg, ["a-cel", "b-cel"], endpoint="orr").differences()
    assert isinstance(difference, Difference)
    for x in _samples(reg.outcomes["oa"].value.to("percent")):
        for y in _samples(reg.outcomes["ob"].value.to("percent")):
            assert difference.low - 1e-9 <= x - y <= difference.high + 1e-9


def _samples(value: Value) -> list[float]:
    low, high = value.interval()
    high = min(high, 100.0)
    if isinstance(value, Bound):
        return [low + (high - low) * f for f in (0.01, 0.5, 0.99)] if high > low else []
    return [low, high, (low + high) / 2]


def test_difference_finds_rows_by_outcome_id_or_therapy_name() -> None:
    """difference() takes outcome ids or therapy names, and refuses ambiguous names."""
    reg = landscape(
        outcome("a1", "a-cel", value="50 percent"),
        outcome("a2", "a-cel", value="40 percent", study=Study(name="Other")),
        outcome("b", "b-cel", value="30 percent"),
    )
    result = compare(reg, ["a-cel", "b-cel"], endpoint="orr")
    assert isinstance(result, Comparison)
    assert result.difference("a2", "Beta-cel").low == pytest.approx(10)
    with pytest.raises(ComparisonError, match="several rows"):
        result.difference("Alpha-cel", "b")
    with pytest.raises(ComparisonError, match="no row"):
        result.difference("x", "b")


def test_differences_combine_with_a_users_pint_registry() -> None:
    """With the user's own pint registry in use, a difference converts in that registry."""
    import pint

    from cartlandscape import units

    mine = pint.UnitRegistry()
    units.use_registry(mine)
    try:
        reg = landscape(
            outcome("a", "a-cel", value="80 percent"), outcome("b", "b-cel", value="70 percent")
        )
        quantity = compare(reg, ["a-cel", "b-cel"], endpoint="orr").differences()[0].quantity
        total = quantity + mine.Quantity(5, "percent")
        assert total.to("percent").magnitude == pytest.approx(15)
    finally:
        units.use_registry(None)
