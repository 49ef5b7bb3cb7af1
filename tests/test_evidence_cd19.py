"""Checks of the safety and durability results of the pivotal trials of the CD19-directed products.

The records live in ``seeds/outcomes/safety-cd19.toml`` and ``seeds/outcomes/durability-cd19.toml``;
the spot checks below compare figures with what their sources print (see the citations).
"""

from __future__ import annotations

from typing import Any

import pytest

import cartlandscape
from cartlandscape import Outcome, Registry
from cartlandscape.compare import compare
from cartlandscape.errors import ComparisonError

from .builders import seed_outcomes

FILES = ("outcomes/safety-cd19.toml", "outcomes/durability-cd19.toml")

# Approved CD19-directed products with no CRS figure that could be confirmed (see the section
# "Safety and durability of the CD19 products" of seeds/README.md).
NO_CONFIRMED_CRS = {
    "inaticabtagene-autoleucel",
    "pcar-19b",
    # approved only in India; only their approvals are recorded
    "actalycabtagene-autoleucel",
    "varnimcabtagene-autoleucel",
}


def _records(reg: Registry) -> list[Outcome]:
    """The outcomes of the two files, in file order."""
    return seed_outcomes(reg, *FILES)


def _safety(reg: Registry) -> list[Outcome]:
    """The CRS, ICANS and neurotoxicity outcomes of the two files."""
    return [o for o in _records(reg) if str(o.endpoint) in {"crs", "icans", "neurotoxicity"}]


def _approved_cd19(reg: Registry) -> list[str]:
    """The ids of the approved CD19-directed products, sorted."""
    return sorted(t.id for t in reg.therapies if "cd19" in t.targets and t.approvals())


def _text(value: Any) -> str:
    return str(value.text if hasattr(value, "text") else value)


def test_the_files_hold_records(bundled: Registry) -> None:
    """Both files load into the registry, each with outcomes."""
    safety = _safety(bundled)
    assert len(safety) >= 30
    assert len(_records(bundled)) - len(safety) >= 30


@pytest.mark.bundled("therapy", _approved_cd19)
def test_every_approved_cd19_product_has_a_graded_crs_outcome(
    therapy: str, bundled: Registry
) -> None:
    """Each approved CD19 product has a CRS record with a scale and a grade, unless listed."""
    found = [o for o in _safety(bundled) if o.therapy == therapy and str(o.endpoint) == "crs"]
    if therapy in NO_CONFIRMED_CRS:
        assert not found, f"{therapy} now has CRS data: take it off NO_CONFIRMED_CRS"
        return
    assert found
    assert all(o.grading_scale is not None and o.grade is not None for o in found)


@pytest.mark.bundled("outcome", _records)
def test_every_record_is_of_a_cd19_product_with_an_analysis_set(
    outcome: Any, bundled: Registry
) -> None:
    """Every record is about a CD19-directed product and says which patients it counts."""
    assert "cd19" in bundled.therapies[outcome.therapy].targets
    assert outcome.analysis_set is not None
    assert outcome.study is not None
    assert outcome.study.name


@pytest.mark.bundled("outcome", _records)
def test_randomised_results_carry_the_comparator_arm(outcome: Any) -> None:
    """A record with a comparator value also has the comparator and its arm size."""
    if outcome.comparator_value is not None:
        assert outcome.comparator
        assert outcome.comparator_n is not None


@pytest.mark.parametrize(
    ("record_id", "value", "n", "scale", "grade", "source"),
    [
        (
            "tisagenlecleucel-eliana-label-crs-grade-3",
            "49 percent",
            68,
            "penn",
            ">=3",
            "kymriah-isi-ash-clinical-news-2018",
        ),
        (
            "tisagenlecleucel-juliet-label-crs-any",
            "74 percent",
            106,
            "penn",
            "any",
            "kymriah-isi-ash-clinical-news-2018",
        ),
        (
            "axicabtagene-ciloleucel-zuma-1-label-crs-grade-3",
            "13 percent",
            108,
            "lee-2014",
            ">=3",
            "yescarta-isi-ash-clinical-news-2018",
        ),
        (
            "brexucabtagene-autoleucel-zuma-2-label-crs-any",
            "91 percent",
            82,
            "not-stated",
            "any",
            "tecartus-hcp-isi",
        ),
        (
            "lisocabtagene-maraleucel-transcend-cll-004-paper-crs-grade-3",
            "9 percent",
            117,
            "not-stated",
            ">=3",
            "siddiqi-2023-lancet-transcend-cll",
        ),
        (
            "obecabtagene-autoleucel-felix-asco-2023-icans-grade-3",
            "7 percent",
            94,
            "not-stated",
            ">=3",
            "autolus-felix-asco-2023",
        ),
        (
            "relmacabtagene-autoleucel-reliance-1-year-crs-grade-3",
            "5.1 percent",
            59,
            "not-stated",
            ">=3",
            "jw-relma-cel-1-year-update-2021",
        ),
    ],
)
def test_safety_spot_checks(
    record_id: str, value: str, n: int, scale: str, grade: str, source: str, bundled: Registry
) -> None:
    """Figures checked against their sources: value, safety set, grading scale, grade, citation."""
    outcome = bundled.outcomes[record_id]
    assert _text(outcome.value) == value
    assert outcome.n == n
    assert str(outcome.grading_scale) == scale
    assert str(outcome.grade) == grade
    assert source in {c.source for c in outcome.citations}


def test_zuma_1_label_counts_the_patients_with_crs(bundled: Registry) -> None:
    """The first Yescarta label gives 101 of 108 patients with CRS (94%)."""
    outcome = bundled.outcomes["axicabtagene-ciloleucel-zuma-1-label-crs-any"]
    assert (outcome.responders, outcome.n, _text(outcome.value)) == (101, 108, "94 percent")


def test_transform_primary_event_free_survival(bundled: Registry) -> None:
    """TRANSFORM primary analysis: median EFS not reached against 2.4 months, HR 0.356."""
    outcome = bundled.outcomes["lisocabtagene-maraleucel-transform-primary-median-efs"]
    assert _text(outcome.value) == "not reached month"
    assert _text(outcome.comparator_value) == "2.4 month"
    assert (outcome.n, outcome.comparator_n) == (92, 92)
    hr = outcome.hazard_ratio
    assert (hr.estimate, hr.low, hr.high) == (0.356, 0.243, 0.522)
    assert _text(outcome.follow_up) == "17.5 month"


def test_transform_3_year_overall_survival_is_not_reached_in_either_arm(bundled: Registry) -> None:
    """At three years neither arm of TRANSFORM reached its median overall survival."""
    outcome = bundled.outcomes["lisocabtagene-maraleucel-transform-3-year-median-os"]
    assert _text(outcome.value) == _text(outcome.comparator_value) == "not reached month"
    assert (outcome.hazard_ratio.estimate, outcome.hazard_ratio.high) == (0.757, 1.191)


def test_zuma_7_overall_survival_against_standard_care(bundled: Registry) -> None:
    """ZUMA-7: median overall survival not reached against 31.1 months, 180 against 179 patients."""
    outcome = bundled.outcomes["axicabtagene-ciloleucel-zuma-7-os-median-os"]
    assert _text(outcome.value) == "not reached month"
    assert _text(outcome.comparator_value) == "31.1 month"
    assert (outcome.n, outcome.comparator_n) == (180, 179)
    assert str(outcome.analysis_set) == "itt"


def test_zuma_1_five_year_overall_survival(bundled: Registry) -> None:
    """ZUMA-1 at five years: median overall survival 25.8 months, 42.6% alive at 60 months."""
    median = bundled.outcomes["axicabtagene-ciloleucel-zuma-1-5-year-median-os"]
    rate = bundled.outcomes["axicabtagene-ciloleucel-zuma-1-5-year-os-rate-60-month"]
    assert _text(median.value) == "25.8 month"
    assert (_text(rate.value), _text(rate.timepoint)) == ("42.6 percent", "60 month")
    assert median.n == rate.n == 101


def test_eliana_follow_up_disagreement_is_recorded(bundled: Registry) -> None:
    """The ELIANA three-year update keeps the journal's 38.8 months and the news' 38.3."""
    outcome = bundled.outcomes["tisagenlecleucel-eliana-3-year-median-efs"]
    assert _text(outcome.follow_up) == "38.8 month"
    (disagreement,) = outcome.disagreements
    assert disagreement.field == "follow_up"
    assert "38.3" in _text(disagreement.value)


def test_zuma_7_event_free_survival_and_its_follow_up(bundled: Registry) -> None:
    """ZUMA-7 primary analysis: median EFS 8.3 against 2 months; the follow-up sources disagree."""
    outcome = bundled.outcomes["axicabtagene-ciloleucel-zuma-7-primary-median-efs"]
    assert (_text(outcome.value), _text(outcome.comparator_value)) == ("8.3 month", "2 month")
    hr = outcome.hazard_ratio
    assert (hr.estimate, hr.low, hr.high) == (0.398, 0.31, 0.51)
    assert _text(outcome.follow_up) == "19.2 month"
    assert [_text(d.value) for d in outcome.disagreements] == ["24.9 month"]


ELARA_SAFETY = [
    ("tisagenlecleucel-elara-primary-crs-any", "crs", "any", "48.5 percent"),
    ("tisagenlecleucel-elara-primary-crs-grade-3", "crs", ">=3", "0 percent"),
    ("tisagenlecleucel-elara-primary-neurotoxicity-any", "neurotoxicity", "any", "37.1 percent"),
    ("tisagenlecleucel-elara-primary-neurotoxicity-grade-3", "neurotoxicity", ">=3", "3 percent"),
    ("tisagenlecleucel-elara-primary-icans-any", "icans", "any", "4.1 percent"),
    ("tisagenlecleucel-elara-primary-icans-grade-3", "icans", ">=3", "1 percent"),
]


@pytest.mark.parametrize(("record_id", "endpoint", "grade", "value"), ELARA_SAFETY)
def test_elara_primary_analysis_safety(
    bundled: cartlandscape.Registry, record_id: str, endpoint: str, grade: str, value: str
) -> None:
    """ELARA primary analysis: safety set of 97 infused patients, cut-off 29 March 2021.

    The publication's abstract names no grading scale, so none is set.
    """
    outcome = bundled.outcomes[record_id]
    assert (str(outcome.endpoint), str(outcome.grade), _text(outcome.value)) == (
        endpoint,
        grade,
        value,
    )
    assert outcome.n == 97
    assert str(outcome.analysis_set) == "infused"
    assert str(outcome.data_cut) == "2021-03-29"
    assert _text(outcome.follow_up) == "16.59 month"
    assert str(outcome.grading_scale) == "not-stated"
    assert outcome.indication == "follicular-lymphoma"
    assert {c.source for c in outcome.citations} == {"fowler-2022-nat-med-elara"}
    assert bundled.sources["fowler-2022-nat-med-elara"].url.endswith("/34921238/")


def test_penn_and_lee_grade_3_crs_are_refused_naming_both_scales(
    bundled: cartlandscape.Registry,
) -> None:
    """JULIET's label rate (Penn) and ZUMA-1's (Lee 2014) are not one grade 3: refused."""
    juliet = bundled.outcomes["tisagenlecleucel-juliet-label-crs-grade-3"]
    zuma_1 = bundled.outcomes["axicabtagene-ciloleucel-zuma-1-label-crs-grade-3"]
    with pytest.raises(ComparisonError, match="grading scales differ") as refused:
        compare(bundled, [juliet, zuma_1], endpoint="crs")
    message = str(refused.value)
    assert f"Penn ({juliet.id})" in message
    assert f"Lee 2014 ({zuma_1.id})" in message
    by_product = pytest.raises(ComparisonError, match="grading scales differ")
    with by_product as refused_products:
        compare(
            bundled,
            ["tisa-cel", "axi-cel"],
            endpoint="crs",
            grade=">=3",
            indication="large-b-cell-lymphoma",
        )
    assert "Penn" in str(refused_products.value)
    assert "Lee 2014" in str(refused_products.value)


def test_elara_label_crs_counts_the_patients(bundled: cartlandscape.Registry) -> None:
    """The follicular lymphoma label counts CRS in 51 of 97 patients (53%), scale not named."""
    outcome = bundled.outcomes["tisagenlecleucel-elara-label-crs-any"]
    assert (outcome.responders, outcome.n, _text(outcome.value)) == (51, 97, "53 percent")
    assert str(outcome.grading_scale) == "not-stated"
    assert [c.source for c in outcome.citations] == ["kymriah-hcp-fl"]


@pytest.mark.parametrize(
    ("record_id", "value"),
    [
        ("tisagenlecleucel-elara-2-year-pfs-rate-24-month", "57.4 percent"),
        ("tisagenlecleucel-elara-2-year-os-rate-24-month", "87.7 percent"),
    ],
)
def test_elara_two_year_survival(
    bundled: cartlandscape.Registry, record_id: str, value: str
) -> None:
    """ELARA at a median follow-up of 28.9 months: 24-month PFS and OS of 94 evaluable patients."""
    outcome = bundled.outcomes[record_id]
    assert (_text(outcome.value), _text(outcome.timepoint)) == (value, "24 month")
    assert (outcome.n, str(outcome.analysis_set)) == (94, "evaluable")
    assert str(outcome.data_cut) == "2022-03-29"
    assert {c.source for c in outcome.citations} == {
        "elara-ash-2022-long-term",
        "elara-2-year-update-journal",
    }


def test_elara_duration_of_response_keeps_the_journal_figure(
    bundled: cartlandscape.Registry,
) -> None:
    """The journal prints 66.4% at 24 months, the conference abstract 64.6%: both are kept."""
    outcome = bundled.outcomes["tisagenlecleucel-elara-2-year-dor-rate-24-month"]
    assert _text(outcome.value) == "66.4 percent"
    assert outcome.n is None  # the number of responders is not printed
    (disagreement,) = outcome.disagreements
    assert (disagreement.field, _text(disagreement.value)) == ("value", "64.6 percent")
    assert {c.source for c in disagreement.citations} == {"elara-ash-2022-long-term"}
