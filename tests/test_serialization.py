from __future__ import annotations

import json

import pytest

from cartlandscape.models import Outcome, Study, Therapy
from cartlandscape.serialization import converter, error_messages, make_converter
from cartlandscape.values import Approximate, Bound, Exact, NotReached, Range, Value

from .strategies import RECORDS, values

find = pytest.importorskip("hypothesis").find
given = pytest.importorskip("hypothesis").given
st = pytest.importorskip("hypothesis.strategies")

CITE = [{"source": "s", "locator": "p. 1"}]


@pytest.mark.parametrize("cls", list(RECORDS), ids=lambda c: c.__name__)
def test_round_trip_every_model(cls: type) -> None:
    """structure(unstructure(x)) == x for every model class."""
    conv = converter()

    @given(RECORDS[cls])
    def check(record: object) -> None:
        data = conv.unstructure(record)
        assert conv.structure(data, cls) == record

    check()


@given(values())
def test_round_trip_every_value_form(value: Value) -> None:
    """Each value form survives unstructure/structure as the same form."""
    conv = converter()
    text = conv.unstructure(value, Value)
    assert isinstance(text, str)
    back = conv.structure(text, Value)
    assert back == value
    assert type(back) is type(value)


@pytest.mark.parametrize("form", [Exact, Approximate, Bound, Range, NotReached])
def test_value_forms_are_all_covered(form: type[Value]) -> None:
    """The value strategy reaches all five forms (a time not reached among them)."""
    found = find(values(), lambda value: isinstance(value, form))
    assert type(found) is form


def _problems(data: dict[str, object], cls: type) -> list[tuple[str, str]]:
    with pytest.raises(Exception) as info:  # noqa: PT011 (cattrs raises several kinds)
        converter().structure(data, cls)
    return error_messages(info.value)


def outcome(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "o",
        "therapy": "t",
        "endpoint": "cr",
        "value": "50 percent",
        "citations": CITE,
    }
    data.update(changes)
    return data


def test_float_for_int_field_is_rejected() -> None:
    """7.9 in an int field is an error naming the field, not a silent 7."""
    assert _problems(outcome(n=7.9), Outcome) == [
        ("n", "expected a whole number, found 7.9 (float)")
    ]


def test_bool_for_int_field_is_rejected() -> None:
    """True is not a count."""
    assert [p[0] for p in _problems(outcome(n=True), Outcome)] == ["n"]


def test_bare_number_for_percentage_is_rejected() -> None:
    """A bare number where a percentage belongs is an error naming the field."""
    (problem,) = _problems(outcome(value=87.5), Outcome)
    assert problem[0] == "value"
    assert "number with its unit" in problem[1]


def test_number_text_without_unit_is_rejected() -> None:
    """'87.5' without a unit is refused too."""
    (problem,) = _problems(outcome(value="87.5"), Outcome)
    assert problem[0] == "value"


def test_unknown_key_is_rejected() -> None:
    """An unknown key is an error that names it."""
    (problem,) = _problems(outcome(colour="red"), Outcome)
    assert "colour" in problem[1]


def test_percentage_over_100_is_rejected() -> None:
    """A response rate over 100 percent names the value field."""
    (problem,) = _problems(outcome(value="100.5 percent"), Outcome)
    assert problem[0] == "value"
    assert "100 percent" in problem[1]


def test_number_for_text_field_is_rejected() -> None:
    """123 is not a text."""
    assert _problems({"name": 123}, Study) == [("name", "expected a text, found 123 (int)")]


def test_text_for_list_field_is_rejected() -> None:
    """A text where a list belongs is not split into characters."""
    data = {"id": "t", "name": "T", "brands": "Kymriah", "citations": CITE}
    assert _problems(data, Therapy)[0][0] == "brands"


def test_wrong_dimension_is_rejected() -> None:
    """A time where a proportion belongs names the field and both dimensions."""
    (problem,) = _problems(outcome(value="12 month"), Outcome)
    assert problem[0] == "value"
    assert "[time]" in problem[1]


def test_all_problems_of_a_record_are_reported() -> None:
    """Several bad fields give several problems, each with its path."""
    data = {
        "id": "t",
        "name": "T",
        "brands": "x",
        "construct": {"delivery": "lenti"},
        "milestones": [
            {"agency": "FDA", "type": "approval", "date": "2017-13-01", "citations": CITE}
        ],
        "citations": CITE,
    }
    fields = sorted(p[0] for p in _problems(data, Therapy))
    assert fields == ["brands", "construct.delivery", "milestones[0].date"]


def test_converters_are_independent() -> None:
    """make_converter gives a fresh converter; the shared one is cached."""
    assert make_converter() is not make_converter()
    assert converter() is converter()


def test_dates_keep_their_precision() -> None:
    """A month-precision date is written back as YYYY-MM."""
    data = {"agency": "FDA", "type": "approval", "date": "2017-08", "citations": CITE}
    from cartlandscape.models import Milestone

    milestone = converter().structure(data, Milestone)
    assert converter().unstructure(milestone)["date"] == "2017-08"


@given(st.one_of(*(RECORDS[c] for c in RECORDS)))
def test_unstructured_records_are_plain_json(record: object) -> None:
    """Unstructured records hold only JSON types, so json.dumps takes them as they are."""
    text = json.dumps(converter().unstructure(record))
    assert json.loads(text) == converter().unstructure(record)


def test_issue_non_table_for_nested_record_says_so() -> None:
    """A list or text where a nested record belongs gives 'expected a table', with the path."""
    data = {"id": "t", "name": "T", "construct": [1], "milestones": ["x"], "citations": CITE}
    assert _problems(data, Therapy) == [
        ("construct", "expected a table of Construct fields, found [1] (list)"),
        ("milestones[0]", "expected a table of Milestone fields, found 'x' (str)"),
    ]


def test_issue_unknown_keys_are_reported_one_by_one_with_their_path() -> None:
    """Each unknown key is its own problem, at the path of the key."""
    data = outcome(citations=[{"source": "s", "locator": "l", "page": 3, "": 1}])
    fields = sorted(p[0] for p in _problems(data, Outcome))
    assert fields == ["citations[0].''", "citations[0].page"]
