"""The rules an outcome checks when it is built, endpoint by endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from cartlandscape.errors import FieldError
from cartlandscape.models import HazardRatio
from cartlandscape.vocabulary import Endpoint, Setting

from .builders import outcome


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"endpoint": "pfs-rate", "value": "60 percent"}, "timepoint", "a time point for PFS rate"),
        ({"endpoint": "crs", "value": "40 percent"}, "grading_scale", "a grading scale for CRS"),
        (
            {"endpoint": "icans", "value": "4 percent", "grading_scale": "astct-2019"},
            "grade",
            "the grades counted for ICANS",
        ),
        (
            {"endpoint": "crs", "value": "4 percent", "grading_scale": "ASTCT", "grade": "any"},
            "grading_scale",
            "one of 'lee-2014'",
        ),
        (
            {"endpoint": "crs", "value": "4 percent", "grading_scale": "penn", "grade": "3"},
            "grade",
            "one of 'any', '>=2'",
        ),
        ({"grading_scale": "lee-2014"}, "grading_scale", "no grading_scale for ORR"),
        ({"grade": ">=3"}, "grade", "no grade for ORR"),
        ({"analysis_set": "safety"}, "analysis_set", "one of 'itt'"),
        ({"comparator_n": -3, "comparator": "chemo"}, "comparator_n", "not negative"),
        ({"comparator_n": 120}, "comparator", "the comparator that comparator_n is about"),
        ({"comparator_value": "30 percent"}, "comparator", "the comparator"),
        (
            {"hazard_ratio": HazardRatio(estimate=0.5), "comparator": "chemo"},
            "hazard_ratio",
            "no hazard ratio for ORR",
        ),
        ({"hazard_ratio": {"estimate": 0.5}, "comparator": "chemo"}, "hazard_ratio", "a hazard"),
        ({"endpoint": "orr", "value": "not reached month"}, "value", "a proportion"),
        (
            {"endpoint": "os-rate", "value": "80 percent", "timepoint": "not reached month"},
            "timepoint",
            "a time with a number",
        ),
        ({"follow_up": "not reached month"}, "follow_up", "a time with a number"),
        ({"endpoint": "nrm", "value": "not reached percent"}, "unit", "a unit of time"),
        ({"endpoint": "median-pfs", "value": "60 percent"}, "value", "a time"),
        ({"endpoint": "orr", "value": "12 month"}, "value", "a proportion"),
        ({"value": "101 percent"}, "value", "at most 100 percent"),
        ({"comparator_value": "3 month"}, "comparator_value", "a proportion"),
        ({"n": -1}, "n", "not negative"),
        ({"n": 10.0}, "n", "a whole number"),
        ({"responders": True}, "responders", "a whole number"),
        ({"n": 10, "responders": 11}, "responders", "at most n (10)"),
        ({"endpoint": "overall-response"}, "endpoint", "one of 'orr'"),
        ({"setting": "trial"}, "setting", "one of 'clinical-trial'"),
    ],
)
def test_outcome_rules_name_the_field(fields: dict[str, Any], field: str, expected: str) -> None:
    """Each broken rule raises a FieldError naming the field and what was expected."""
    with pytest.raises(FieldError) as info:
        outcome("o", **fields)
    assert info.value.field == field
    assert expected in info.value.expected


def test_outcome_reads_enumerations_and_values_from_text() -> None:
    """Texts become members and values; the endpoint's rules then hold."""
    found = outcome(
        "o",
        endpoint="median-os",
        value="24.5 month",
        setting="clinical-practice",
        n=12,
        responders=12,
    )
    assert found.endpoint is Endpoint.MEDIAN_OS
    assert found.setting is Setting.CLINICAL_PRACTICE
    assert found.value.unit == "month"
    rate = outcome("r", endpoint="os-rate", value="80 percent", timepoint="12 month")
    assert rate.timepoint is not None
    assert rate.timepoint.unit == "month"


@pytest.mark.parametrize("endpoint", list(Endpoint))
def test_endpoint_rules_follow_the_endpoint_kind(endpoint: Endpoint) -> None:
    """Medians are times; rates at a time point need one; toxicities need a scale and a grade."""
    assert endpoint.dimension == ("time" if endpoint.value.startswith("median-") else "proportion")
    assert endpoint.needs_timepoint == endpoint.value.endswith("-rate")
    graded = (Endpoint.CRS, Endpoint.ICANS, Endpoint.NEUROTOXICITY)
    assert endpoint.needs_grading == (endpoint in graded)
