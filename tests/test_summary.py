from __future__ import annotations

from typing import Any

import pytest

import cartlandscape
from cartlandscape import (
    Disagreement,
    Registry,
)
from cartlandscape.dates import PartialDate
from cartlandscape.summary import (
    KEY_ENDPOINTS,
    format_profile,
    format_summary,
    key_outcomes,
    profile,
    summarize,
)

from .builders import CITE, approval, approvals_landscape, landscape, product

given = pytest.importorskip("hypothesis").given
st = pytest.importorskip("hypothesis.strategies")


def test_groups_count_approved_products_with_earliest_approval() -> None:
    """Each grouping lists the approved products and the date of its earliest approval."""
    s = summarize(approvals_landscape())
    targets = {g.key: (g.count, str(g.first), g.therapies) for g in s.targets}
    assert targets == {
        "BCMA": (2, "2022-02-28", ("Cilta", "Eque")),
        "CD19": (2, "2017-08-30", ("Nk-X", "Tisa")),
    }
    assert [g.key for g in s.targets] == ["CD19", "BCMA"]  # equal counts: the earlier first
    indications = {g.key: (g.count, str(g.first)) for g in s.indications}
    assert indications == {"Myeloma": (3, "2018-05"), "B-ALL": (2, "2017-08-30")}
    assert {g.key: g.count for g in s.modalities} == {"car-t": 3, "car-nk": 1}
    agencies = {g.key: (g.count, str(g.first)) for g in s.agencies}
    assert agencies == {"FDA": (2, "2017-08-30"), "NMPA": (3, "2023-06-30")}
    assert [(g.key, g.therapies) for g in s.years] == [
        ("2017", ("Tisa",)),
        ("2022", ("Cilta",)),
        ("2023", ("Eque",)),
        ("undated", ("Nk-X",)),
    ]
    assert s.by_target == {"BCMA": 2, "CD19": 2}


def test_timeline_lists_every_approval_in_time_order() -> None:
    """Every approval milestone (expansions too, not IND clearances) is listed, oldest first."""
    timeline = summarize(approvals_landscape()).timeline
    assert [(str(e.date), e.agency, e.type.value, e.name) for e in timeline] == [
        ("2017-08-30", "FDA", "approval", "Tisa"),
        ("2018-05", "FDA", "label-expansion", "Tisa"),
        ("2022-02-28", "FDA", "approval", "Cilta"),
        ("2023-06-30", "NMPA", "approval", "Eque"),
        ("2024-08", "NMPA", "approval", "Cilta"),
        ("None", "NMPA", "approval", "Nk-X"),
    ]
    assert all(e.citations == CITE for e in timeline)


def test_institutions_and_policies_are_listed_with_counts() -> None:
    """Institutions carry their outcome and statement counts; policies their period."""
    s = summarize(approvals_landscape())
    hospital = next(i for i in s.institutions if i.id == "fahzu")
    assert (hospital.type, hospital.outcomes, hospital.statements) == ("hospital", 2, 1)
    (policy,) = s.policy_details
    assert (policy.name, policy.period, policy.statements) == ("Payment pilot", "2024 to 2025", 1)
    assert s.policies == ("Payment pilot",)


def test_format_summary_prints_every_section() -> None:
    """The text has the approvals, the groups with 'since', the timeline and the policies."""
    text = format_summary(summarize(approvals_landscape()))
    for expected in [
        "  FDA   2017-08-30  Tisa  [CD19]  B-ALL",
        "  CD19: 2 (since 2017-08-30) — Nk-X, Tisa",
        "  undated: 1 (no dated approval) — Nk-X",
        "  2018-05     FDA   label-expansion      Tisa  Myeloma",
        "  hospital           Zhejiang Hospital (Hangzhou) — 2 outcomes",
        "  Payment pilot (payment, Zhejiang, 2024 to 2025)",
    ]:
        assert expected in text


@given(st.randoms(use_true_random=False))
def test_summary_does_not_depend_on_record_order(random: Any) -> None:
    """Shuffling the records gives an equal summary."""
    records = list(approvals_landscape().records())
    shuffled = records[:]
    random.shuffle(shuffled)
    assert summarize(Registry(shuffled)) == summarize(Registry(records))


@given(st.lists(st.sampled_from(["FDA", "NMPA", "EMA"]), min_size=1, max_size=4), st.randoms())
def test_groups_do_not_depend_on_milestone_order(agencies: list[str], random: Any) -> None:
    """Shuffling a therapy's milestones leaves its groups, years and timeline unchanged."""
    milestones = [approval(a, f"{2018 + i}-0{1 + i}") for i, a in enumerate(agencies)]
    shuffled = milestones[:]
    random.shuffle(shuffled)
    one = summarize(landscape(product("x", ("bcma",), *milestones)))
    two = summarize(landscape(product("x", ("bcma",), *shuffled)))
    assert one == two
    assert one.years[0].key == "2018"


def test_profile_reports_what_a_hospital_reported_with_citations() -> None:
    """profile() looks an institution up by alias and lists its outcomes and statements."""
    found = profile(approvals_landscape(), "FAHZU")
    assert [r.id for r in found.outcomes] == ["h-cr", "h-orr"]
    assert all(r.citations == CITE for r in found.outcomes)
    assert [s.id for s in found.statements] == ["h-beds"]
    assert found.events == ("Cell therapy meeting",)
    text = format_profile(found)
    assert "Zhejiang Hospital (hospital, Hangzhou)" in text
    assert "CR: 92 percent, n=25 [src:table 2]" in text
    assert "CAR-T beds: 40 patient [src:table 2]" in text


def test_profile_of_unknown_institution_is_a_lookup_error() -> None:
    """An unknown name raises LookupError with close matches."""
    with pytest.raises(LookupError, match="close matches: fahzu"):
        profile(approvals_landscape(), "FAHZ")


def test_bundled_summary_has_dated_groups() -> None:
    """The bundled data summarize to groups whose first date is a date or None."""
    s = summarize(cartlandscape.registry())
    assert s.targets
    assert all(g.first is None or isinstance(g.first, PartialDate) for g in s.targets)
    assert "Approval timeline:" in format_summary(s)


def test_one_date_per_approval_the_others_kept_as_data() -> None:
    """An approval dated differently by two sources is printed once, with one date.

    The other dates stay in the summary's data; ``show`` lists them with their reasons.
    """
    reg = landscape(
        product("brexu", ("cd19",), approval("FDA", "2020-07-24"), approval("FDA", "2020-07-23")),
        product("ide", ("bcma",), approval("FDA", "2021-03-26"), approval("FDA", "2022", "b-all")),
    )
    rows = {row.therapy: row for row in summarize(reg).approvals}
    assert rows["brexu"].date == PartialDate(2020, 7, 23)
    assert rows["brexu"].date_text == "2020-07-23"
    assert rows["brexu"].other_dates == (PartialDate(2020, 7, 24),)
    assert rows["ide"].other_dates == ()  # a different indication is not a disagreement
    text = format_summary(summarize(reg))
    assert "2020-07-23" in text
    assert "2020-07-24" not in text.split("Approval timeline:")[0]


def test_the_approval_date_is_the_milestone_date_with_disagreements_recorded() -> None:
    """One milestone per decision: the summary prints its date, never a disagreement's."""
    disputed = Disagreement(
        field="date", value="2021-03-27", reason="A society page a day later.", citations=CITE
    )
    reg = landscape(
        product("ide", ("bcma",), approval("FDA", "2021-03-26", disagreements=(disputed,)))
    )
    (row,) = summarize(reg).approvals
    assert (str(row.date), row.date_text) == ("2021-03-26", "2021-03-26")
    assert row.other_dates == (PartialDate(2021, 3, 27),)
    assert "2021-03-27" not in format_summary(summarize(reg))


def test_key_outcomes_span_the_values_of_each_approved_product_endpoint() -> None:
    """key_outcomes is library code: each row spans its outcomes' values, in percent."""
    reg = cartlandscape.registry()
    rows = key_outcomes(reg)
    assert rows
    for row in rows:
        assert reg.therapies[row.therapy].is_approved
        assert row.endpoint in KEY_ENDPOINTS
        assert row.low <= row.high
        values = [
            m
            for i in row.outcomes
            for m in reg.outcomes[i].value.to("percent").magnitudes()
            if reg.outcomes[i].endpoint is row.endpoint
        ]
        assert min(values) == row.low
        assert max(values) == row.high
