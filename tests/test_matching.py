"""The matching rules: one module decides for comparisons and pooling alike."""

from __future__ import annotations

import importlib

import pytest

from cartlandscape import Study, matching
from cartlandscape.errors import ComparisonError
from cartlandscape.pooling import pool
from cartlandscape.vocabulary import Endpoint

from .builders import landscape, outcome


def test_compare_and_pooling_use_the_matching_rules_themselves() -> None:
    """The comparison module re-exports the rules; it holds no copy of them."""
    compare = importlib.import_module("cartlandscape.compare")
    pooling = importlib.import_module("cartlandscape.pooling")
    assert compare.mismatches is matching.mismatches
    assert compare.cautions is matching.cautions
    assert compare.Mismatch is matching.Mismatch
    assert compare.FIELDS is matching.FIELDS
    assert pooling.check_poolable is matching.check_poolable


def test_a_mismatch_refused_by_compare_is_refused_by_pool_in_the_same_words() -> None:
    """Different time points: the comparison and the pooling name the same mismatch."""
    a = outcome("a", "a-cel", timepoint="12 month", n=40, indication="mm")
    b = outcome("b", "b-cel", timepoint="24 month", n=40, indication="mm")
    reg = landscape(a, b)
    compare = importlib.import_module("cartlandscape.compare")
    with pytest.raises(ComparisonError) as compared:
        compare.compare(reg, [a, b], endpoint="orr")
    with pytest.raises(ComparisonError) as pooled:
        pool([a, b])
    said = "time points differ: 12 month (a), 24 month (b)"
    assert said in str(compared.value)
    assert said in str(pooled.value)


def test_a_question_about_an_indication_covers_its_sub_indications() -> None:
    reg = landscape(
        outcome("in-parent", indication="all"),
        outcome("in-child", indication="b-all"),
        outcome("elsewhere", indication="mm"),
    )
    found = matching.in_scope(reg, reg.outcomes, "all", None)
    assert [o.id for o in found] == ["in-parent", "in-child"]
    # Two sub-indications of the scope still differ from each other.
    assert [m.field for m in matching.mismatches(found)] == ["indication"]


def test_two_reports_of_one_study_are_one_study_and_never_pooled() -> None:
    zuma = Study(name="ZUMA-1", registry_id="NCT02348216")
    early = outcome("early", study=zuma, n=101)
    late = outcome("late", study=zuma, n=101)
    other = outcome("other", "b-cel", study=zuma, n=50)
    assert matching.same_study(early, late)
    assert not matching.same_study(early, other)  # another therapy's trial of that name
    with pytest.raises(ComparisonError, match="would count its patients twice: early, late"):
        matching.check_one_report_per_study([early, other, late])
    matching.check_one_report_per_study([early, other])


def test_related_endpoints_are_the_complete_response_family() -> None:
    assert Endpoint.CR_CRI in matching.related(Endpoint.CR)
    assert matching.related(Endpoint.ORR) == frozenset({Endpoint.ORR})
