"""The toxicity grading scales of the pivotal-trial safety records, and what they allow.

A CRS, ICANS or neurotoxicity rate carries the grading scale its cited source states, or
``not-stated``.  These checks pin the scales that are stated (with the source that states
them), require every record left ``not-stated`` to be listed in the data's README, and show
what the scale does to a comparison: rates on the same scale compare, rates on different
scales or on no stated scale are refused with a message naming each record and its scale.
"""

from __future__ import annotations

import re

import attrs
import pytest

from cartlandscape import Outcome, Registry
from cartlandscape.compare import compare
from cartlandscape.errors import ComparisonError
from cartlandscape.vocabulary import GradingScale

from .builders import SEEDS, seed_outcomes

FILES = ("outcomes/safety-cd19.toml", "outcomes/safety-bcma.toml")
IDE_CEL = "idecabtagene-vicleucel-karmma-label-crs-grade-3"
CILTA_CEL = "ciltacabtagene-autoleucel-cartitude-1-label-crs-grade-3"


def _graded(reg: Registry) -> list[Outcome]:
    """The safety records of the two files whose endpoint is graded."""
    return [o for o in seed_outcomes(reg, *FILES) if o.endpoint.needs_grading]


def _readme_grading_paragraphs() -> str:
    """The README's 'Grading scales' bullets of the values left unconfirmed, as one text."""
    text = (SEEDS / "README.md").read_text(encoding="utf-8")
    unconfirmed = text.split("## Values left unconfirmed", 1)[1].split("\n## ", 1)[0]
    bullets = re.findall(r"^- \*\*Grading scales[^\n]*(?:\n {2}[^\n]*)*", unconfirmed, re.M)
    return " ".join(bullets)


@pytest.mark.parametrize(
    ("outcome_id", "scale", "source"),
    [
        ("tisagenlecleucel-eliana-label-crs-any", "penn", "kymriah-isi-ash-clinical-news-2018"),
        ("tisagenlecleucel-eliana-label-crs-grade-3", "penn", "kymriah-isi-ash-clinical-news-2018"),
        ("tisagenlecleucel-juliet-label-crs-any", "penn", "kymriah-isi-ash-clinical-news-2018"),
        ("tisagenlecleucel-juliet-label-crs-grade-3", "penn", "kymriah-isi-ash-clinical-news-2018"),
        (
            "axicabtagene-ciloleucel-zuma-1-label-crs-any",
            "lee-2014",
            "yescarta-isi-ash-clinical-news-2018",
        ),
        (
            "axicabtagene-ciloleucel-zuma-1-label-crs-grade-3",
            "lee-2014",
            "yescarta-isi-ash-clinical-news-2018",
        ),
        (
            "equecabtagene-autoleucel-fumanba-1-paper-crs-any",
            "astct-2019",
            "fumanba-1-2022-abstract",
        ),
        (
            "equecabtagene-autoleucel-fumanba-1-paper-icans-any",
            "astct-2019",
            "fumanba-1-2022-abstract",
        ),
    ],
)
def test_stated_scales_and_the_sources_that_state_them(
    outcome_id: str, scale: str, source: str, bundled: Registry
) -> None:
    """A stated scale is pinned with the source that states it, which the record cites."""
    outcome = bundled.outcomes[outcome_id]
    assert outcome.grading_scale is GradingScale(scale)
    assert source in {c.source for c in outcome.citations}
    assert source in bundled.sources


def test_every_graded_safety_record_names_a_scale_or_says_none_is_stated(bundled: Registry) -> None:
    """No graded record is left without a scale; the vocabulary's 'not-stated' is explicit."""
    graded = _graded(bundled)
    assert graded
    assert all(o.grading_scale is not None for o in graded)


def test_a_scale_taken_from_another_source_is_cited_as_such(bundled: Registry) -> None:
    """Where a scale comes from a source other than the figures', that citation says so."""
    for outcome in _graded(bundled):
        notes = [c for c in outcome.citations if c.note and "grading scale" in c.note]
        if outcome.grading_scale is GradingScale.NOT_STATED:
            assert not notes, f"{outcome.id} cites a source for a scale it does not state"
        for citation in notes:
            assert citation.locator.strip(), outcome.id


def test_every_record_without_a_stated_scale_is_listed_in_the_readme(bundled: Registry) -> None:
    """Each trial with a 'not-stated' record is named under the unconfirmed grading scales."""
    listed = _readme_grading_paragraphs().lower()
    assert listed, "the README has no 'Grading scales' bullets under 'Values left unconfirmed'"
    missing = sorted(
        {
            o.study.name.split(" (")[0]
            for o in _graded(bundled)
            if o.grading_scale is GradingScale.NOT_STATED
            and o.study is not None
            and o.study.name.split(" (")[0].lower() not in listed
        }
    )
    assert not missing, f"trials with records of no stated scale missing from the README: {missing}"


def test_ide_cel_and_cilta_cel_grade_3_crs_are_refused_while_no_scale_is_stated(
    bundled: Registry,
) -> None:
    """Neither pivotal record states its scale, so the comparison is refused, naming both."""
    assert bundled.outcomes[IDE_CEL].grading_scale is GradingScale.NOT_STATED
    assert bundled.outcomes[CILTA_CEL].grading_scale is GradingScale.NOT_STATED
    with pytest.raises(ComparisonError) as refused:
        compare(bundled, ["ide-cel", "cilta-cel"], endpoint="crs", grade=">=3")
    message = str(refused.value)
    assert "grading scales differ" in message
    assert "a scale not stated matches none" in message
    assert f"scale not stated ({IDE_CEL})" in message
    assert f"scale not stated ({CILTA_CEL})" in message
    assert "allow_mismatch=True" in message


def test_asking_for_a_scale_no_record_states_is_refused_with_what_the_records_count(
    bundled: Registry,
) -> None:
    """Asking for Lee 2014 finds no ide-cel record on it; the message lists what there is."""
    with pytest.raises(ComparisonError, match=r"no CRS grade ≥3 \(Lee 2014\) outcome") as refused:
        compare(
            bundled, ["ide-cel", "cilta-cel"], endpoint="crs", grade=">=3", grading_scale="lee-2014"
        )
    assert "scale not stated" in str(refused.value)


def test_the_same_scale_on_both_sides_compares(bundled: Registry) -> None:
    """Were both rates graded on one scale, they would compare: 9% against 5%, +4 points."""
    same = [
        attrs.evolve(bundled.outcomes[i], grading_scale=GradingScale.LEE_2014)
        for i in (IDE_CEL, CILTA_CEL)
    ]
    comparison = compare(bundled, same, endpoint="crs")
    assert not comparison.mismatches
    assert [row.id for row in comparison.rows] == [IDE_CEL, CILTA_CEL]
    assert [str(d) for d in comparison.differences()] == [
        f"{IDE_CEL} − {CILTA_CEL}: +4 percentage points"
    ]


def test_different_scales_are_refused_naming_each(bundled: Registry) -> None:
    """A Lee 2014 grade 3 is not an ASTCT 2019 grade 3: the refusal names both scales."""
    lee = attrs.evolve(bundled.outcomes[IDE_CEL], grading_scale=GradingScale.LEE_2014)
    astct = attrs.evolve(bundled.outcomes[CILTA_CEL], grading_scale=GradingScale.ASTCT_2019)
    with pytest.raises(ComparisonError) as refused:
        compare(bundled, [lee, astct], endpoint="crs")
    message = str(refused.value)
    assert f"Lee 2014 ({IDE_CEL})" in message
    assert f"ASTCT 2019 ({CILTA_CEL})" in message
    flagged = compare(bundled, [lee, astct], endpoint="crs", allow_mismatch=True)
    assert [m.field for m in flagged.mismatches] == ["grading_scale"]
