"""Every fit of the metafor reference corpus, reproduced by cartlandscape.metaanalysis.

The corpus (tests/fixtures/metafor, see its README) holds R metafor 3.8.1's results for 25
datasets of proportions: each transformation × τ² estimator × interval, and the GLMM.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scipy")

from cartlandscape.metaanalysis import fit

CORPUS = json.loads(
    (Path(__file__).parent / "fixtures" / "metafor" / "metafor-proportions.json").read_text()
)
MEASURES = {"PLO": "logit", "PFT": "freeman-tukey"}
#: What each result field of the corpus is in a Fit.
FIELDS = {
    "estimate": lambda f: f.estimate,
    "ci_lb": lambda f: f.ci[0],
    "ci_ub": lambda f: f.ci[1],
    "pi_lb": lambda f: f.pi[0],
    "pi_ub": lambda f: f.pi[1],
    "coef": lambda f: f.coef,
    "se": lambda f: f.se,
    "tau2": lambda f: f.tau2,
    "I2": lambda f: 100 * f.i2,
    "Q": lambda f: f.q,
    "Qp": lambda f: f.q_p,
    "k": lambda f: f.k,
}


def _cases() -> list[Any]:
    cases = []
    for dataset in CORPUS["datasets"]:
        for result in dataset["results"]:
            name = f"{dataset['name']} | {result['measure']} {result['method']} {result['test']}"
            cases.append(pytest.param(dataset, result, id=name))
    return cases


def _options(result: dict[str, Any]) -> dict[str, Any]:
    if result["method"] == "GLMM-ML":
        return {"model": "glmm"}
    return {
        "measure": MEASURES[result["measure"]],
        "tau2": result["method"].lower(),
        "ci": "normal" if result["test"] == "z" else "hartung-knapp",
    }


def test_the_corpus_is_whole() -> None:
    """424 fits of 25 datasets, as the corpus's README says: none silently skipped."""
    assert len(CORPUS["datasets"]) == 25
    assert len(_cases()) == 424


@pytest.mark.parametrize(("dataset", "result"), _cases())
def test_fit_agrees_with_metafor(dataset: dict[str, Any], result: dict[str, Any]) -> None:
    """Estimate, CI, prediction interval, τ², I², Q and its p to 1e-6 (the GLMM to 1e-4)."""
    options = _options(result)
    got = fit(dataset["events"], dataset["n"], **options)
    glmm = options.get("model") == "glmm"
    tolerance = 1e-4 if glmm else 1e-6
    for field, read in FIELDS.items():
        # I² is in percent: the same relative precision is 100 times the tolerance.
        abs_tol = 100 * tolerance if field == "I2" else tolerance
        assert read(got) == pytest.approx(result[field], abs=abs_tol), field
    # H² grows without bound as I² nears 100 %: compare it relatively.
    assert got.h2 == pytest.approx(result["H2"], rel=tolerance)


def test_default_is_the_documented_method() -> None:
    """With no choices, fit is DerSimonian–Laird on the logit scale with a normal interval."""
    dataset = CORPUS["datasets"][0]
    default = fit(dataset["events"], dataset["n"])
    explicit = fit(dataset["events"], dataset["n"], measure="logit", tau2="dl", ci="normal")
    assert default == explicit
    assert default.method == "DerSimonian–Laird random effects on the logit scale"
