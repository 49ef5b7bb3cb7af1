"""compare answers the question asked: endpoint, time point, sub-indication, population."""

from __future__ import annotations

import attrs
import pytest

import cartlandscape
from cartlandscape import Study
from cartlandscape.compare import compare, format_comparison, rank
from cartlandscape.errors import ComparisonError
from cartlandscape.values import parse_value

from .builders import landscape, outcome


def test_outcome_records_of_another_endpoint_are_refused() -> None:
    """Two CR records compared with endpoint="ORR" are refused, not labelled ORR."""
    a = outcome("a-cr", endpoint="cr", value="50 percent")
    b = outcome("b-cr", therapy="b-cel", endpoint="cr", value="72 percent")
    reg = landscape(a, b)
    with pytest.raises(ComparisonError, match=r"endpoints differ: ORR \(asked\), CR \(a-cr\)"):
        compare(reg, [a, b], endpoint="ORR")
    anyway = compare(reg, [a, b], endpoint="ORR", allow_mismatch=True)
    assert [m.field for m in anyway.mismatches] == ["endpoint"]
    assert all("endpoint" in row.flags for row in anyway.rows)


def test_outcome_records_at_another_time_point_are_refused() -> None:
    """timepoint= applies to outcome records given directly too."""
    a = outcome("a", endpoint="pfs-rate", timepoint="12 month")
    b = outcome("b", therapy="b-cel", endpoint="pfs-rate", timepoint="12 month")
    reg = landscape(a, b)
    with pytest.raises(ComparisonError, match=r"time points differ: 24 month \(asked\)"):
        compare(reg, [a, b], endpoint="pfs-rate", timepoint="24 month")
    assert compare(reg, [a, b], endpoint="pfs-rate", timepoint="1 year").matched


def test_a_parent_indication_does_not_merge_its_sub_indications(
    bundled: cartlandscape.Registry,
) -> None:
    """Paediatric B-ALL and LBCL under "hematologic malignancies" are a mismatch."""
    with pytest.raises(ComparisonError, match="indications differ"):
        compare(
            bundled, ["tisa-cel", "axi-cel"], endpoint="CR", indication="hematologic malignancies"
        )


def test_setting_and_analysis_set_are_matched_fields() -> None:
    """A trial and a real-world result, or ITT and evaluable sets, are not compared silently."""
    a = outcome("a", analysis_set="itt")
    b = outcome("b", therapy="b-cel", analysis_set="evaluable")
    with pytest.raises(ComparisonError, match=r"analysis sets differ: itt \(a\), evaluable"):
        compare(landscape(a, b), [a, b], endpoint="orr")
    c = outcome("c", therapy="b-cel", setting="clinical-practice")
    with pytest.raises(ComparisonError, match="settings differ"):
        compare(landscape(a, c), [a, c], endpoint="orr")
    unstated = outcome("d", therapy="b-cel")
    assert compare(landscape(a, unstated), [a, unstated], endpoint="orr").matched


def test_follow_up_and_data_cut_differences_are_flagged() -> None:
    """7.9 against 63.1 months of follow-up is listed as a caution, in the text form too."""
    a = outcome("a", follow_up="7.9 month", study=Study(name="ONE"))
    b = outcome("b", therapy="b-cel", follow_up="63.1 month", study=Study(name="TWO"))
    c = compare(landscape(a, b), [a, b], endpoint="orr")
    assert [m.field for m in c.cautions] == ["follow_up"]
    assert "median follow-ups differ: 7.9 month (a), 63.1 month (b)" in str(c.cautions[0])
    assert "Read with care" in format_comparison(c)
    cut = cartlandscape.PartialDate
    d = attrs.evolve(a, follow_up=None, data_cut=cut(2017, 1))
    e = attrs.evolve(b, follow_up=None, data_cut=cut(2021, 6))
    assert [m.field for m in compare(landscape(d, e), [d, e], endpoint="orr").cautions] == [
        "data_cut"
    ]


def test_two_reports_of_one_study_are_not_a_difference_between_therapies() -> None:
    """A label cut and a five-year cut of one study give no difference."""
    zuma = Study(name="ZUMA-1", registry_id="NCT02348216")
    label = outcome("label", value="72 percent", study=zuma, follow_up="7.9 month")
    later = outcome("later", value="83 percent", study=zuma, follow_up="63.1 month")
    other = outcome("other", therapy="b-cel", value="80 percent", study=Study(name="B-1"))
    c = compare(landscape(label, later, other), [label, later, other], endpoint="orr")
    pairs = {(d.first, d.second) for d in c.differences()}
    assert ("label", "later") not in pairs
    assert pairs == {("label", "other"), ("later", "other")}


def test_difference_accepts_every_name_compare_accepts(bundled: cartlandscape.Registry) -> None:
    """Comparison.difference takes the brand, code or short name used in compare()."""
    c = compare(
        bundled, ["axi-cel", "liso-cel"], endpoint="CR", indication="LBCL", one_per_study=True
    )
    by_brand = c.difference("Yescarta", "Breyanzi")
    by_short = c.difference("axi-cel", "liso-cel")
    assert by_brand == by_short


def test_a_ranking_without_indication_lists_the_indications_with_their_counts(
    bundled: cartlandscape.Registry,
) -> None:
    """The refusal names each indication found and how many outcomes it has, as remedies."""
    with pytest.raises(ComparisonError) as caught:
        rank(bundled, endpoint="ORR")
    remedies = [r for r in caught.value.remedies if r.option == "indication"]
    assert remedies
    assert all(r.value in bundled.indications for r in remedies)
    assert all("outcome" in r.effect for r in remedies)
    assert len(str(caught.value)) < 1500


def test_a_large_mismatch_is_summarised_in_a_few_lines() -> None:
    """A mismatch over many outcomes gives counts per value, not every outcome."""
    many = [
        outcome(f"o{i}", therapy="a-cel", indication=("mm", "b-all", "all")[i % 3])
        for i in range(300)
    ]
    reg = landscape(*many)
    with pytest.raises(ComparisonError) as caught:
        rank(reg, endpoint="orr")
    message = str(caught.value)
    assert len(message) < 700
    assert "indications differ across 300 outcomes: " in message
    assert "mm 100" in message
    assert parse_value("1 percent")  # the module stays importable with values
