"""One definition of an approval for every query; unknown filter values are refused."""

from __future__ import annotations

import pytest

import cartlandscape
from cartlandscape import MilestoneKind
from cartlandscape.errors import UnknownValueError
from cartlandscape.summary import summarize

from .builders import approval, landscape, product


def test_type_approval_means_every_approval_kind_in_every_query(
    bundled: cartlandscape.Registry,
) -> None:
    """milestones_for(type="approval") keeps conditional approvals, as the other queries do."""
    found = {(t.id, m.agency) for t, m in bundled.milestones_for(type="approval")}
    assert ("brexucabtagene-autoleucel", "FDA") in found
    assert ("equecabtagene-autoleucel", "NMPA") in found
    approved = {t.id for t in bundled.therapies_for(status="approved")}
    assert {t for t, _ in found} == approved
    for therapy in bundled.therapies:
        pairs = bundled.milestones_for(therapy=therapy, type="approval")
        assert {m.type for _, m in pairs} <= {m.type for m in therapy.approvals()}
        assert bool(pairs) == therapy.is_approved


def test_nmpa_approvals_of_2023_name_each_decision_once(bundled: cartlandscape.Registry) -> None:
    """The 2023 NMPA approvals: equecabtagene (conditional) and inaticabtagene, once each."""
    found = [
        t.id
        for t, m in bundled.milestones_for(agency="NMPA", type="approval", year=2023)
        if m.type is not MilestoneKind.LABEL_EXPANSION
    ]
    assert found == ["equecabtagene-autoleucel", "inaticabtagene-autoleucel"]
    same = [
        t.id
        for t, m in bundled.milestones_for(agency="NMPA", type="approval")
        if m.date is not None and m.date.year == 2023
    ]
    assert same.count("inaticabtagene-autoleucel") == 1


def test_one_exact_kind_can_still_be_asked_for(bundled: cartlandscape.Registry) -> None:
    """exact=True asks for one kind only."""
    exact = bundled.milestones_for(type="approval", exact=True)
    assert exact
    assert all(m.type is MilestoneKind.APPROVAL for _, m in exact)
    conditional = bundled.milestones_for(type="conditional-approval")
    assert {t.id for t, _ in conditional} >= {"equecabtagene-autoleucel"}
    assert all(m.type is MilestoneKind.CONDITIONAL_APPROVAL for _, m in conditional)


@pytest.mark.parametrize(
    ("call", "close"),
    [
        (lambda reg: reg.milestones_for(type="Approval"), "approval"),
        (lambda reg: reg.milestones_for(type="aproval"), "approval"),
        (lambda reg: reg.milestones_for(agency="FDAA"), "FDA"),
        (lambda reg: reg.therapies_for(agency="NMPAA", status="approved"), "NMPA"),
        (lambda reg: reg.therapies_for(status="aproved"), "approved"),
        (lambda reg: reg.outcomes_for(endpoint="ORRR"), "ORR"),
        (lambda reg: reg.therapies_for(modality="car-tt"), "car-t"),
        (lambda reg: reg.statements_for(type="observations"), "observation"),
    ],
)
def test_unknown_filter_values_are_refused_with_close_matches(
    bundled: cartlandscape.Registry, call: object, close: str
) -> None:
    """A misspelt filter value raises instead of answering with nothing."""
    with pytest.raises(UnknownValueError) as caught:
        call(bundled)  # type: ignore[operator]
    assert close in caught.value.suggestions
    assert close in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_an_agency_without_milestones_in_the_data_is_still_a_known_agency(
    bundled: cartlandscape.Registry,
) -> None:
    """A real agency code (here PMDA: Japan's approvals are recorded as MHLW's) gives an empty
    answer, not an error."""
    assert bundled.milestones_for(agency="PMDA") == ()


def _twice_recorded() -> cartlandscape.Registry:
    return landscape(
        product(
            "ide",
            ("bcma",),
            approval("FDA", "2021-03-26"),
            approval("FDA", "2021-03-27"),
            approval("FDA", "2024-04", type="label-expansion"),
        ),
        product("eque", ("bcma",), approval("NMPA", "2023-06-30", type="conditional-approval")),
        product("inati", ("cd19",), approval("NMPA", "2023-11-07"), approval("NMPA", "2023-11-08")),
    )


def test_counting_helpers_never_count_one_decision_twice() -> None:
    """Two milestones of one decision (two sources, a day apart) count once."""
    reg = _twice_recorded()
    assert reg.approvals_per_year() == {2021: 1, 2023: 2, 2024: 1}
    assert reg.approvals_per_year(agency="NMPA") == {2023: 2}
    assert reg.approvals_per_year(type="approval", exact=True) == {2021: 1, 2023: 1}
    pairs = reg.milestones_for(type="approval")
    assert [t.id for t, _ in pairs] == ["ide", "eque", "inati", "ide"]
    every = reg.milestones_for(type="approval", every_record=True)
    assert len(every) == 6
    decisions = reg.approval_decisions(therapy="inati")
    assert len(decisions) == 1
    assert [str(d) for d in decisions[0].other_dates] == ["2023-11-08"]


def test_the_summary_timeline_lists_each_decision_once() -> None:
    """The approval timeline of the summary has one entry per decision."""
    timeline = summarize(_twice_recorded()).timeline
    assert [(e.therapy, str(e.date)) for e in timeline] == [
        ("ide", "2021-03-26"),
        ("eque", "2023-06-30"),
        ("inati", "2023-11-07"),
        ("ide", "2024-04"),
    ]


def test_a_decision_keeps_the_strongest_source_and_lists_recorded_disagreements() -> None:
    """The milestone cited by the regulator is kept; dates recorded as disagreements are kept."""
    from cartlandscape import Citation, Milestone, Source
    from cartlandscape.models import Disagreement

    label = (Citation(source="label", locator="section 1"),)
    press = (Citation(source="press", locator="paragraph 1"),)
    reg = landscape(
        Source(id="label", title="A label", type="label"),
        Source(id="press", title="A press release", type="press-release"),
        product(
            "ide",
            ("bcma",),
            Milestone(agency="FDA", type="approval", date="2021-03-25", citations=press),
            Milestone(
                agency="FDA",
                type="approval",
                date="2021-03-26",
                citations=label,
                disagreements=(
                    Disagreement(
                        field="date", value="2021-03-27", reason="a news date", citations=press
                    ),
                ),
            ),
        ),
    )
    (decision,) = reg.approval_decisions()
    assert str(decision.date) == "2021-03-26"
    assert [str(d) for d in decision.other_dates] == ["2021-03-25", "2021-03-27"]
    assert reg.approvals_per_year() == {2021: 1}
