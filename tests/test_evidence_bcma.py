"""Checks of the safety and durability outcomes of the BCMA-directed products and satri-cel.

The figures spot-checked here were read in the cited sources; a change to any of them must be a
deliberate data change, not an accident of editing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import cartlandscape
from cartlandscape.compare import compare
from cartlandscape.errors import ComparisonError

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
REG = cartlandscape.registry()
FILES = ("outcomes/safety-bcma.toml", "outcomes/durability-bcma.toml")
IDS = [
    record["id"]
    for name in FILES
    for record in tomllib.loads((SEEDS / name).read_text(encoding="utf-8"))["outcome"]
]
OUTCOMES = [REG.outcomes[i] for i in IDS]
SAFETY = ("crs", "icans", "neurotoxicity")
BCMA_PRODUCTS = sorted(t.id for t in REG.therapies if t.is_approved and "bcma" in t.targets)
#: Approved BCMA-directed products for which no safety figure could be confirmed; the data's
#: README lists each under the values left unconfirmed.
WITHOUT_SAFETY_DATA = ("zevorcabtagene-autoleucel",)


def test_the_files_hold_the_expected_products() -> None:
    """Safety and durability records cover ide-cel, cilta-cel, eque-cel and satri-cel."""
    assert {o.therapy for o in OUTCOMES} == {
        "idecabtagene-vicleucel",
        "ciltacabtagene-autoleucel",
        "equecabtagene-autoleucel",
        "satricabtagene-autoleucel",
    }


@pytest.mark.parametrize(
    ("outcome_id", "value", "n", "responders", "grade", "scale"),
    [
        (
            "idecabtagene-vicleucel-karmma-label-crs-grade-3",
            "9 percent",
            127,
            12,
            ">=3",
            "not-stated",
        ),
        (
            "idecabtagene-vicleucel-karmma-label-crs-any",
            "85 percent",
            127,
            108,
            "any",
            "not-stated",
        ),
        (
            "idecabtagene-vicleucel-karmma-paper-crs-grade-3",
            "5 percent",
            128,
            None,
            ">=3",
            "not-stated",
        ),
        (
            "idecabtagene-vicleucel-karmma-3-label-crs-any",
            "91 percent",
            222,
            None,
            "any",
            "not-stated",
        ),
        (
            "idecabtagene-vicleucel-karmma-3-label-neurotoxicity-grade-3",
            "11 percent",
            222,
            None,
            ">=3",
            "not-stated",
        ),
        (
            "ciltacabtagene-autoleucel-cartitude-1-label-crs-grade-3",
            "5 percent",
            97,
            None,
            ">=3",
            "not-stated",
        ),
        (
            "ciltacabtagene-autoleucel-cartitude-4-paper-icans-any",
            "4.5 percent",
            176,
            None,
            "any",
            "not-stated",
        ),
        (
            "ciltacabtagene-autoleucel-cartifan-1-paper-crs-any",
            "97.9 percent",
            48,
            None,
            "any",
            "not-stated",
        ),
        (
            "equecabtagene-autoleucel-fumanba-1-paper-crs-any",
            "93.2 percent",
            103,
            96,
            "any",
            "astct-2019",
        ),
    ],
)
def test_safety_figures(
    outcome_id: str, value: str, n: int, responders: int | None, grade: str, scale: str
) -> None:
    """Spot checks of safety figures as the cited sources print them."""
    outcome = REG.outcomes[outcome_id]
    assert str(outcome.value) == value
    assert (outcome.n, outcome.responders) == (n, responders)
    assert str(outcome.grade) == grade
    assert str(outcome.grading_scale) == scale
    assert str(outcome.analysis_set) == "infused"


@pytest.mark.parametrize(
    ("outcome_id", "value", "comparator_value", "n", "comparator_n", "hr"),
    [
        (
            "idecabtagene-vicleucel-karmma-3-label-median-pfs",
            "13.3 month",
            "4.4 month",
            254,
            132,
            (0.49, 0.38, 0.64),
        ),
        (
            "idecabtagene-vicleucel-karmma-3-final-median-pfs",
            "13.8 month",
            "4.4 month",
            254,
            132,
            (0.49, 0.38, 0.63),
        ),
        (
            "idecabtagene-vicleucel-karmma-3-interim-median-os",
            "41.4 month",
            "37.9 month",
            254,
            132,
            (1.01, 0.73, 1.40),
        ),
        (
            "ciltacabtagene-autoleucel-cartitude-4-paper-median-pfs",
            "not reached month",
            "11.8 month",
            208,
            211,
            (0.26, 0.18, 0.38),
        ),
        (
            "ciltacabtagene-autoleucel-cartitude-4-update-median-os",
            "not reached month",
            "not reached month",
            208,
            211,
            (0.55, 0.39, 0.79),
        ),
        (
            "satricabtagene-autoleucel-ct041-st-01-median-os",
            "7.92 month",
            "5.49 month",
            104,
            52,
            (0.69, 0.46, 1.05),
        ),
        (
            "satricabtagene-autoleucel-ct041-st-01-mitt-median-pfs",
            "4.37 month",
            "1.84 month",
            88,
            48,
            (0.304, 0.195, 0.474),
        ),
    ],
)
def test_randomised_durability_figures(
    outcome_id: str,
    value: str,
    comparator_value: str,
    n: int,
    comparator_n: int,
    hr: tuple[float, float, float],
) -> None:
    """Spot checks of the randomised trials: both arms, their sizes and the hazard ratio."""
    outcome = REG.outcomes[outcome_id]
    assert str(outcome.value) == value
    assert str(outcome.comparator_value) == comparator_value
    assert (outcome.n, outcome.comparator_n) == (n, comparator_n)
    ratio = outcome.hazard_ratio
    assert ratio is not None
    assert (ratio.estimate, ratio.low, ratio.high) == hr


def test_not_reached_reads_as_not_reached() -> None:
    """A median the source calls not reached is kept as such, not as a number."""
    outcome = REG.outcomes["ciltacabtagene-autoleucel-cartitude-1-paper-median-pfs"]
    assert outcome.value.describe() == "not reached"


@pytest.mark.parametrize("outcome", OUTCOMES, ids=IDS)
def test_graded_outcomes_state_scale_grade_and_safety_set(
    outcome: cartlandscape.Outcome,
) -> None:
    """Every CRS, ICANS and neurotoxicity record has a scale, a grade band and the infused set."""
    if str(outcome.endpoint) not in SAFETY:
        return
    assert outcome.grading_scale is not None
    assert outcome.grade is not None
    assert str(outcome.analysis_set) == "infused"


@pytest.mark.parametrize("outcome", OUTCOMES, ids=IDS)
def test_comparator_records_are_complete(outcome: cartlandscape.Outcome) -> None:
    """A record with a comparator arm gives that arm's value; a hazard ratio has its interval."""
    if outcome.comparator is not None:
        assert outcome.comparator_value is not None
    if outcome.hazard_ratio is not None:
        assert outcome.comparator is not None
        assert outcome.hazard_ratio.low is not None
        assert outcome.hazard_ratio.low < outcome.hazard_ratio.estimate
        assert outcome.hazard_ratio.estimate < outcome.hazard_ratio.high


@pytest.mark.parametrize("therapy", BCMA_PRODUCTS)
def test_every_bcma_product_has_crs_with_a_scale(therapy: str) -> None:
    """Each approved BCMA-directed product has a graded CRS record, or is listed as lacking one."""
    crs = [o for o in REG.outcomes if o.therapy == therapy and str(o.endpoint) == "crs"]
    if therapy in WITHOUT_SAFETY_DATA:
        assert not crs
        readme = (SEEDS / "README.md").read_text(encoding="utf-8")
        section = readme.split("### Safety and durability of the BCMA and other products")[1]
        assert REG.therapies[therapy].name.split()[0].lower() in section.lower()
        return
    assert crs
    for outcome in crs:
        assert outcome.grading_scale is not None
        assert outcome.grade is not None


def test_grade_3_crs_of_ide_cel_and_cilta_cel_side_by_side() -> None:
    """The label data's grade >=3 CRS of ide-cel (KarMMa) and cilta-cel (CARTITUDE-1) compare.

    Neither source states the grading scale, so the comparison is refused unless asked for
    anyway, and then both rows are flagged for the scale.
    """
    ide = REG.outcomes["idecabtagene-vicleucel-karmma-label-crs-grade-3"]
    cilta = REG.outcomes["ciltacabtagene-autoleucel-cartitude-1-label-crs-grade-3"]
    with pytest.raises(ComparisonError, match="a scale not stated matches none"):
        compare(REG, [ide, cilta], endpoint="crs")
    comparison = compare(REG, [ide, cilta], endpoint="crs", allow_mismatch=True)
    assert [str(row.value) for row in comparison.rows] == ["9 percent", "5 percent"]
    assert [row.flags for row in comparison.rows] == [("grading_scale",), ("grading_scale",)]
    assert [m.field for m in comparison.mismatches] == ["grading_scale"]
    assert {str(o.grade) for o in (ide, cilta)} == {">=3"}
    difference = comparison.difference(ide.id, cilta.id)
    assert (difference.low, difference.high, difference.unit) == (4.0, 4.0, "percentage_point")
