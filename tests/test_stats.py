from __future__ import annotations

from typing import Any

import pytest

from cartlandscape.stats import (
    InsufficientDataError,
    ProportionCI,
    beta_quantile,
    clopper_pearson,
    counts,
    normal_quantile,
    proportion_ci,
    regularized_beta,
    wilson,
)

from .builders import CITE, outcome
from .strategies import tallies

given = pytest.importorskip("hypothesis").given
st = pytest.importorskip("hypothesis.strategies")
special = pytest.importorskip("scipy.special")
reference = pytest.importorskip("scipy.stats")
proportion_confint = pytest.importorskip("statsmodels.stats.proportion").proportion_confint

METHODS = {"wilson": (wilson, "wilson"), "clopper-pearson": (clopper_pearson, "beta")}


levels = st.sampled_from([0.8, 0.9, 0.95, 0.99])


@pytest.mark.parametrize("method", sorted(METHODS))
@given(tally=tallies(), level=levels)
def test_intervals_match_statsmodels(method: str, tally: tuple[int, int], level: float) -> None:
    """Wilson and Clopper-Pearson ends agree with statsmodels' proportion_confint to 1e-9."""
    compute, name = METHODS[method]
    x, n = tally
    ci = compute(x, n, level=level)
    low, high = proportion_confint(x, n, alpha=1 - level, method=name)
    assert ci.low / 100 == pytest.approx(low, abs=1e-9)
    assert ci.high / 100 == pytest.approx(high, abs=1e-9)


@given(
    p=st.floats(1e-6, 1 - 1e-6),
    a=st.floats(0.05, 500),
    b=st.floats(0.05, 500),
)
def test_beta_functions_match_scipy(p: float, a: float, b: float) -> None:
    """The incomplete beta and its quantile agree with scipy to 1e-9."""
    assert regularized_beta(p, a, b) == pytest.approx(special.betainc(a, b, p), abs=1e-9)
    assert beta_quantile(p, a, b) == pytest.approx(reference.beta.ppf(p, a, b), abs=1e-9)


@given(st.floats(1e-12, 1 - 1e-12))
def test_normal_quantile_matches_scipy(p: float) -> None:
    """The normal quantile agrees with scipy to 1e-9."""
    assert normal_quantile(p) == pytest.approx(reference.norm.ppf(p), abs=1e-9)


@pytest.mark.parametrize("method", sorted(METHODS))
@given(tally=tallies(), level=levels)
def test_interval_contains_its_estimate(method: str, tally: tuple[int, int], level: float) -> None:
    """Every interval lies within 0-100 percent and contains its estimate."""
    ci = METHODS[method][0](*tally, level=level)
    assert 0 <= ci.low <= ci.estimate <= ci.high <= 100
    assert ci.estimate == pytest.approx(100 * tally[0] / tally[1])


def test_result_names_its_method_and_level() -> None:
    """The result says which method and level gave it."""
    assert wilson(5, 10).method == "Wilson"
    assert clopper_pearson(5, 10, level=0.9).method == "Clopper-Pearson exact"
    assert "90% CI" in str(clopper_pearson(5, 10, level=0.9))


def test_outcome_counts_are_used_when_given() -> None:
    """An outcome with responders and n uses them; the result keeps its id and citations."""
    ci = proportion_ci(outcome("o", value="40 percent", n=10, responders=4), method="wilson")
    assert (ci.responders, ci.n, ci.derived, ci.note) == (4, 10, False, None)
    assert ci.outcome == "o"
    assert ci.citations == CITE


def test_responders_are_derived_from_percentage_rounding_half_up() -> None:
    """50 percent of 5 gives 3 responders (half up), and the result says it was derived."""
    found = counts(outcome("o", value="50 percent", n=5))
    assert (found.responders, found.derived) == (3, True)
    assert found.note == "responders derived from 50 percent of n=5: 2.5, rounded to 3"
    ci = proportion_ci(outcome("o", value="~0.92 fraction", n=25), method="clopper-pearson")
    assert ci.derived
    assert ci.responders == 23
    assert ci.note == "responders derived from about 0.92 fraction of n=25: 23"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": "50 percent"}, "gives no n"),
        ({"value": "40 to 60 percent", "n": 10}, "a range does not give one"),
        ({"value": ">40 percent", "n": 10}, "a bound does not give one"),
        ({"endpoint": "median-os", "value": "12 month", "n": 10}, "not a proportion"),
    ],
)
def test_missing_counts_raise_a_clear_error(fields: dict[str, Any], message: str) -> None:
    """An outcome that cannot give responders out of n says why."""
    with pytest.raises(InsufficientDataError, match=message):
        proportion_ci(outcome("o", **fields))


def test_an_outcome_of_no_patients_is_refused_when_built() -> None:
    """A percentage of n = 0 is refused as the record is built, before any interval."""
    with pytest.raises(ValueError, match="n = 0"):
        outcome("o", value="0 percent", n=0)


def test_bad_arguments_are_refused() -> None:
    """Unknown methods, levels outside (0, 1) and impossible counts are ValueErrors."""
    o = outcome("o", value="30 percent", n=10, responders=3)
    with pytest.raises(ValueError, match="unknown method"):
        proportion_ci(o, method="wald")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        wilson(3, 10, level=95)
    with pytest.raises(ValueError, match="cannot exceed"):
        clopper_pearson(11, 10)
    with pytest.raises(ValueError, match="whole number"):
        wilson(2.5, 10)  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError):
        wilson(0, 0)
    assert isinstance(wilson(0, 1), ProportionCI)
