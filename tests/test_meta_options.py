"""pool()'s choice of method, leave-one-out and subgroups, the CLI's options, and scipy missing."""

from __future__ import annotations

import builtins
import json
import math
import warnings
from typing import Any

import pytest

from cartlandscape.errors import InsufficientDataError, MissingDependencyError
from cartlandscape.metaanalysis import fit
from cartlandscape.pooling import leave_one_out, pool, subgroups

from .builders import run_cli as _call
from .builders import study

np = pytest.importorskip("numpy")

pytest.importorskip("scipy")
combine_effects = pytest.importorskip("statsmodels.stats.meta_analysis").combine_effects

STUDIES = [study("a", 32, 40), study("b", 30, 50), study("c", 5, 30), study("d", 40, 45)]


@pytest.mark.parametrize(
    "options",
    [
        {"measure": "freeman-tukey"},
        {"tau2": "reml"},
        {"tau2": "pm", "ci": "hartung-knapp"},
        {"model": "glmm"},
    ],
)
def test_pool_passes_the_method_to_fit(options: dict[str, Any]) -> None:
    """pool() gives what fit() gives for the same counts, in percent, and names the method."""
    pooled = pool(STUDIES, **options)
    direct = fit([32, 30, 5, 40], [40, 50, 30, 45], **options)
    assert pooled.estimate == pytest.approx(100 * direct.estimate)
    assert (pooled.pi_low, pooled.pi_high) == pytest.approx(tuple(100 * p for p in direct.pi))
    assert pooled.method == direct.method
    assert pooled.method in str(pooled)


def test_prediction_interval_contains_the_confidence_interval() -> None:
    pooled = pool(STUDIES)
    assert pooled.pi_low < pooled.low < pooled.estimate < pooled.high < pooled.pi_high


def test_freeman_tukey_needs_no_correction_and_logit_reports_its_own() -> None:
    """The correction is configurable and applies to the logit scale only."""
    found = [study("z", 0, 20), study("y", 5, 20), study("x", 9, 20)]
    half = pool(found)
    quarter = pool(found, correction=0.25)
    assert half.corrected == quarter.corrected == ("z",)
    assert quarter.weights[0].effect == pytest.approx(math.log(0.25 / 20.25))
    assert half.estimate != quarter.estimate
    assert pool(found, measure="freeman-tukey").corrected == ()
    with pytest.raises(ValueError, match="no logit without a continuity correction"):
        pool(found, correction=0)


def test_unknown_choices_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown τ² estimator 'hs'; expected one of dl, pm"):
        pool(STUDIES, tau2="hs")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="GLMM pools on the logit scale"):
        pool(STUDIES, model="glmm", measure="freeman-tukey")


def test_leave_one_out_refits_without_each_study() -> None:
    refits = leave_one_out(STUDIES, tau2="reml")
    assert [r.studies for r in refits] == [
        ("b", "c", "d"),
        ("a", "c", "d"),
        ("a", "b", "d"),
        ("a", "b", "c"),
    ]
    assert refits[2].estimate == pytest.approx(
        pool(STUDIES[:2] + STUDIES[3:], tau2="reml").estimate
    )
    with pytest.raises(InsufficientDataError, match="at least three"):
        leave_one_out(STUDIES[:2])


def test_subgroup_difference_is_the_fixed_effect_q_of_the_subgroup_estimates() -> None:
    """Q between equals statsmodels' fixed-effect Q over the subgroup estimates and their se²."""
    groups = {"a": "x", "b": "x", "c": "y", "d": "y"}
    analysis = subgroups(STUDIES, lambda o: groups[o.id], by="arm", tau2="dl")
    assert [label for label, _ in analysis.groups] == ["x", "y"]
    coef = np.array([g.coef for _, g in analysis.groups])
    var = np.array([g.se**2 for _, g in analysis.groups])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = combine_effects(coef, var, method_re="dl")
    assert analysis.q_between == pytest.approx(ref.q, abs=1e-9)
    assert analysis.df == 1
    assert analysis.p is not None
    assert 0 < analysis.p < 1
    assert "Test for subgroup differences" in str(analysis)
    with pytest.raises(InsufficientDataError, match="two or more subgroups"):
        subgroups(STUDIES, lambda o: "all")


def test_without_scipy_the_default_works_and_the_rest_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_scipy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    default = pool(STUDIES)
    assert default.q_p is None
    assert default.tau2 > 0
    with pytest.raises(MissingDependencyError, match=r"pip install 'cartlandscape\[stats\]'"):
        pool(STUDIES, tau2="pm")
    with pytest.raises(MissingDependencyError, match="GLMM"):
        pool(STUDIES, model="glmm")
    # REML and ML are found by Fisher scoring, which needs nothing beyond the core install.
    assert pool(STUDIES, tau2="reml").tau2 > 0
    with pytest.raises(MissingDependencyError, match="Hartung–Knapp"):
        pool(STUDIES, ci="hartung-knapp")


BCMA = ("pool", "--endpoint", "ORR", "--target", "BCMA", "--one-per-study")


def test_cli_method_options_and_prediction_interval(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _call(capsys, *BCMA, "--tau2", "reml", "--ci", "hartung-knapp")
    assert status == 0, err
    assert "REML random effects on the logit scale, Hartung–Knapp interval" in out
    assert "prediction interval" in out
    status, out, _ = _call(capsys, *BCMA, "--format", "json")
    document = json.loads(out)
    pooled = document["pooled"]
    assert pooled["pi_low"] < pooled["low"] < pooled["high"] < pooled["pi_high"]
    assert pooled["tau2_method"] == "dl"


def test_cli_glmm_and_leave_one_out(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _call(capsys, *BCMA, "--glmm", "--leave-one-out")
    assert status == 0, err
    assert "binomial-normal GLMM" in out
    assert "Leaving one out" in out
    status, out, _ = _call(capsys, *BCMA, "--leave-one-out", "--format", "json")
    document = json.loads(out)
    assert len(document["leave_one_out"]) == document["pooled"]["k"]


def test_cli_by_subgroup(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _call(
        capsys,
        "pool",
        "--endpoint",
        "ORR",
        "--one-per-study",
        "--by",
        "therapy",
        "--target",
        "BCMA",
    )
    assert status == 0, err
    assert "Test for subgroup differences (therapy): Q=" in out
    assert "Ciltacabtagene autoleucel:" in out


def test_cli_refuses_a_bad_correction(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _call(capsys, *BCMA, "--correction", "-1")
    assert status == 2
    assert "expected a number of 0 or more" in err
