from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

from cartlandscape.compare import ComparisonError
from cartlandscape.models import Outcome, Study
from cartlandscape.pooling import CONTINUITY_CORRECTION, METHOD, pool
from cartlandscape.stats import InsufficientDataError

from .builders import outcome, study
from .strategies import pooled_studies

np = pytest.importorskip("numpy")
given = pytest.importorskip("hypothesis").given
st = pytest.importorskip("hypothesis.strategies")
combine_effects = pytest.importorskip("statsmodels.stats.meta_analysis").combine_effects


def _logit_inputs(found: list[Outcome]) -> tuple[np.ndarray, np.ndarray]:
    y, v = [], []
    for o in found:
        assert o.responders is not None
        assert o.n is not None
        c = CONTINUITY_CORRECTION if o.responders in (0, o.n) else 0.0
        events, others = o.responders + c, o.n - o.responders + c
        y.append(math.log(events / others))
        v.append(1 / events + 1 / others)
    return np.array(y), np.array(v)


def _reference(y: np.ndarray, v: np.ndarray, level: float) -> dict[str, Any]:
    """statsmodels' DerSimonian–Laird results, with τ² truncated at 0 as the method defines.

    combine_effects(method_re="dl") leaves τ² = (Q − df) / c negative when Q < df; truncated
    at 0, the random-effects model is the fixed-effect model, so those numbers are taken.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ref = combine_effects(y, v, method_re="dl", alpha=1 - level, use_t=False)
        intervals = ref.conf_int(alpha=1 - level, use_t=False)
    truncated = ref.tau2 < 0
    return {
        "logit": ref.mean_effect_fe if truncated else ref.mean_effect_re,
        "se": ref.sd_eff_w_fe if truncated else ref.sd_eff_w_re,
        "tau2": max(ref.tau2, 0.0),
        # I² = (Q − df) / Q: statsmodels' Q may come out as rounding noise (even below 0)
        # when the studies agree, so its I² is only meaningful for a clearly positive Q.
        "i2": max(ref.i2, 0.0) if ref.q > 1e-9 else 0.0,
        "q": ref.q,
        "ci": intervals[0] if truncated else intervals[1],
        "weights": ref.weights_rel_fe if truncated else ref.weights_rel_re,
    }


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@given(pooled_studies(min_size=2), st.sampled_from([0.9, 0.95, 0.99]))
def test_pooling_matches_statsmodels(found: list[Outcome], level: float) -> None:
    """Mean, standard error, τ², I², Q, weights and interval agree with statsmodels to 1e-6."""
    ref = _reference(*_logit_inputs(found), level)
    pooled = pool(found, level=level)
    assert pooled.logit == pytest.approx(ref["logit"], abs=1e-6)
    assert pooled.se == pytest.approx(ref["se"], abs=1e-6)
    assert pooled.tau2 == pytest.approx(ref["tau2"], abs=1e-6)
    assert pooled.q == pytest.approx(ref["q"], abs=1e-6)
    assert pooled.i2 == pytest.approx(ref["i2"], abs=1e-6)
    low, high = ref["ci"]
    assert pooled.low / 100 == pytest.approx(_expit(low), abs=1e-6)
    assert pooled.high / 100 == pytest.approx(_expit(high), abs=1e-6)
    assert [s.weight for s in pooled.weights] == pytest.approx(list(ref["weights"]), abs=1e-6)


def test_heterogeneous_example_matches_statsmodels_untruncated() -> None:
    """A heterogeneous set (τ² > 0) matches combine_effects directly, no truncation involved."""
    found = [study("a", 32, 40), study("b", 30, 50), study("c", 5, 30)]
    ref = _reference(*_logit_inputs(found), 0.95)
    pooled = pool(found)
    assert pooled.tau2 > 0
    assert pooled.logit == pytest.approx(ref["logit"], abs=1e-9)
    assert pooled.tau2 == pytest.approx(ref["tau2"], abs=1e-9)


@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 6),
)
def test_pooling_identical_studies_gives_the_study_value(tally: tuple[int, int], k: int) -> None:
    """k copies of one study pool to that study's own estimate, with no heterogeneity."""
    x, n = tally
    found = [study(f"s{i}", x, n) for i in range(k)]
    pooled, single = pool(found), pool(found[:1])
    assert pooled.estimate == pytest.approx(single.estimate, abs=1e-9)
    assert pooled.weights[0].estimate == pytest.approx(single.estimate, abs=1e-9)
    assert pooled.tau2 == 0
    assert pooled.i2 == 0
    assert pooled.q == pytest.approx(0, abs=1e-12)
    if 0 < x < n:
        assert pooled.estimate == pytest.approx(100 * x / n)


@given(pooled_studies())
def test_pooled_interval_contains_its_estimate(found: list[Outcome]) -> None:
    """The pooled interval contains the pooled estimate and lies within 0-100 percent."""
    pooled = pool(found)
    assert 0 <= pooled.low <= pooled.estimate <= pooled.high <= 100
    assert pooled.k == len(found)
    assert sum(s.weight for s in pooled.weights) == pytest.approx(1)


def test_result_lists_studies_corrections_and_derivations() -> None:
    """The result names the method, the studies, those corrected for 0 or n events, and those
    whose responders were derived from a percentage."""
    found = [
        study("none", 0, 12),
        study("all", 9, 9),
        outcome("derived", value="40 percent", n=20),
        study("plain", 5, 10),
    ]
    pooled = pool(found)
    assert pooled.method == METHOD
    assert pooled.studies == ("none", "all", "derived", "plain")
    assert pooled.corrected == ("none", "all")
    assert pooled.derived == ("derived",)
    assert pooled.weights[2].note == "responders derived from 40 percent of n=20: 8"
    assert pooled.citations == found[0].citations


def test_single_study_gives_its_own_interval() -> None:
    """One study pools to itself with τ² = 0 and its logit (Wald) interval."""
    pooled = pool([study("one", 30, 40)])
    assert pooled.estimate == pytest.approx(75)
    assert (pooled.tau2, pooled.i2, pooled.k) == (0.0, 0.0, 1)
    se = math.sqrt(1 / 30 + 1 / 10)
    assert pooled.high / 100 == pytest.approx(1 / (1 + math.exp(-(math.log(3) + 1.959964 * se))))


def test_mixed_endpoints_and_time_points_are_refused() -> None:
    """Outcomes of different endpoints or time points are not pooled."""
    with pytest.raises(ComparisonError, match="endpoints differ"):
        pool([study("a", 3, 10), study("b", 3, 10, endpoint="cr")])
    with pytest.raises(ComparisonError, match="time points differ"):
        pool(
            [
                study("a", 3, 10, endpoint="pfs-rate", timepoint="12 month"),
                study("b", 3, 10, endpoint="pfs-rate", timepoint="6 month"),
            ]
        )


def test_mixed_indications_are_refused_only_if_asked() -> None:
    """Different indications pool by default and are refused with same_indication=True."""
    found = [study("a", 3, 10, indication="all"), study("b", 5, 10, indication="mm")]
    assert pool(found).k == 2
    with pytest.raises(ComparisonError, match="indications differ"):
        pool(found, same_indication=True)


def test_two_reports_of_one_study_are_not_pooled() -> None:
    """An interim and a final report of the same trial of one therapy are refused; the same
    trial name under two therapies, or outcomes without a study, are pooled."""
    interim = study("interim", 30, 40, study=Study(name="TRIAL-1"))
    final = study("final", 33, 45, study=Study(name="Trial 1"))
    with pytest.raises(ComparisonError, match="count its patients twice: interim, final"):
        pool([interim, final])
    other = study("other", 20, 30, therapy="b-cel", study=Study(name="TRIAL-1"))
    assert pool([interim, other, study("plain", 5, 10)]).k == 3


def test_unpoolable_input_is_refused_clearly() -> None:
    """No outcome, a repeated outcome, a missing n or a bad level raise clear errors."""
    with pytest.raises(InsufficientDataError, match="at least one"):
        pool([])
    with pytest.raises(ComparisonError, match="more than once: a"):
        pool([study("a", 3, 10), study("a", 3, 10)])
    with pytest.raises(InsufficientDataError, match="gives no n"):
        pool([study("a", 3, 10), outcome("b")])
    with pytest.raises(ValueError, match="level"):
        pool([study("a", 3, 10)], level=1.5)
