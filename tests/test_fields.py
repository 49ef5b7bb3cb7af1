"""The field validators: small frozen callables that say what they accept."""

from __future__ import annotations

import re

import attrs
import pytest

import cartlandscape
from cartlandscape import fields
from cartlandscape.errors import FieldError
from cartlandscape.fields import FieldValidator, ValueOf
from cartlandscape.tools import datadict
from cartlandscape.values import parse_value

CLASSES = datadict.record_classes()
VALIDATED = [
    (cls, field)
    for cls in CLASSES
    for field in attrs.fields(cls)
    if isinstance(field.validator, FieldValidator)
]


class _Wrong:
    """A value no field accepts."""


@pytest.mark.parametrize(
    ("cls", "field"), VALIDATED, ids=[f"{c.__name__}.{f.name}" for c, f in VALIDATED]
)
def test_what_a_validator_says_it_expects_is_what_its_errors_say(
    cls: type, field: attrs.Attribute[object]
) -> None:
    """A refused value gets the very words of ``expects``, which the dictionary shows."""
    validator = field.validator
    assert isinstance(validator, FieldValidator)
    with pytest.raises(FieldError) as exc:
        validator(None, field, _Wrong())
    assert exc.value.expected == validator.expects
    assert exc.value.field == field.name
    assert validator.expects in repr(validator)


def test_nearly_every_field_of_the_records_has_a_field_validator() -> None:
    """Only attrs' own type checks (a nested table, a kind:id) stand in for one elsewhere."""
    others = {
        f"{cls.__name__}.{field.name}"
        for cls in CLASSES
        for field in attrs.fields(cls)
        if field.validator is not None and not isinstance(field.validator, FieldValidator)
    }
    assert others == {"Therapy.construct", "Statement.subject"}


def test_validators_are_frozen_and_compare_by_value() -> None:
    """Like attrs' own validators: immutable, equal when built alike, with a readable repr."""
    check = fields.Text(optional=True)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        check.optional = False  # type: ignore[misc]
    assert check == fields.Text(optional=True) != fields.Text()
    assert repr(check) == (
        "<Text validator: a non-empty text without surrounding spaces (or None)>"
    )
    hgnc = attrs.fields_dict(cartlandscape.Target)["hgnc"].validator
    assert repr(hgnc) == "<Pattern validator: an HGNC id such as 'HGNC:1633' (or None)>"


def test_value_validators_name_the_dimensions_they_accept() -> None:
    """A value field says which dimensions it accepts: none named means any."""
    outcome = attrs.fields_dict(cartlandscape.Outcome)
    assert outcome["timepoint"].validator.dimensions == ("time",)
    assert outcome["value"].validator.dimensions == ()  # the endpoint decides
    assert ValueOf().dimensions == ()
    assert repr(outcome["value"].validator) == (
        "<ValueOf validator: a value such as '87.5 percent'; dimension: checked by the record>"
    )
    assert datadict.expects(outcome["timepoint"]).endswith("dimension: time")
    assert datadict.expects(outcome["value"]).endswith("dimension: set by the record")


def test_the_dictionary_reads_validators_without_calling_them() -> None:
    """What a field accepts comes from ``expects``; the validator is never run for it."""

    @attrs.define(frozen=True, repr=False)
    class Never(FieldValidator):
        expects: str = "a thing never checked here"

        def __call__(self, inst: object, attribute: attrs.Attribute[object], value: object) -> None:
            """Fail: the dictionary must not call a validator."""
            raise AssertionError("called")

    @attrs.frozen
    class Custom:
        thing: str = attrs.field(validator=Never())
        plain: str = attrs.field(validator=attrs.validators.instance_of(str))
        free: str = attrs.field(default="")

    named = attrs.fields_dict(Custom)
    assert datadict.expects(named["thing"]) == "a thing never checked here"
    assert datadict.expects(named["plain"]) == "a str"
    assert datadict.expects(named["free"]) == "checked when the record is built"


@pytest.mark.parametrize(
    ("dimension", "text", "message"),
    [
        ("time", "12 percent", "expected a time ([time])"),
        ("proportion", "12 month", "expected a proportion (in percent, or as a fraction)"),
        ("proportion", "120 percent", "expected a proportion of at most 100 percent"),
        (None, "1.5 fraction", "expected a proportion of at most 100 percent"),
    ],
)
def test_value_checks_refuse_the_wrong_dimension_and_proportions_over_one(
    dimension: str | None, text: str, message: str
) -> None:
    """The dimension comes first; a dimensionless value over 100 % is refused in any field."""
    with pytest.raises(FieldError, match=re.escape(message)):
        fields.check_value("v", parse_value(text), dimension)


@pytest.mark.parametrize(
    ("dimension", "text"),
    [
        ("time", "12 month"),
        ("money", "373000 USD"),
        ("proportion", "100 percent"),
        (None, "3 patient"),
    ],
)
def test_value_checks_accept_values_of_the_dimension(dimension: str | None, text: str) -> None:
    fields.check_value("v", parse_value(text), dimension)


def test_an_empty_citation_list_and_a_stray_item_are_named() -> None:
    """The nested-records validator with nonempty: the list, then each item by index."""
    citations = attrs.fields_dict(cartlandscape.Target)["citations"]
    check = citations.validator
    with pytest.raises(FieldError, match="citations: expected at least one citation"):
        check(None, citations, ())
    good = cartlandscape.Citation(source="s", locator="p. 1")
    with pytest.raises(FieldError, match=r"citations\[1\]: expected a citation"):
        check(None, citations, (good, "s:p. 2"))
    check(None, citations, (good,))


def _trial_classes() -> list[type]:
    from cartlandscape.trials import model

    return [
        obj for obj in vars(model).values() if attrs.has(obj) and obj.__module__ == model.__name__
    ]


def test_the_trial_records_validate_with_field_validators_too() -> None:
    """A trial record's own checks say what they expect, as the other records' do."""
    checked = []
    for cls in _trial_classes():
        for field in attrs.fields(cls):
            validator = field.validator
            if validator is None or isinstance(validator, FieldValidator):
                continue
            if type(validator).__module__.startswith("attr"):
                continue
            checked.append(f"{cls.__name__}.{field.name}")
    assert checked == []


@pytest.mark.parametrize(
    ("field_name", "value", "expected"),
    [
        ("count", -1, "a whole number that is not negative"),
        ("count", True, "a whole number that is not negative"),
    ],
)
def test_enrollment_counts_are_refused_in_the_words_of_their_validator(
    field_name: str, value: object, expected: str
) -> None:
    from cartlandscape.trials.model import Enrollment

    validator = attrs.fields_dict(Enrollment)[field_name].validator
    assert isinstance(validator, FieldValidator)
    assert validator.expects == expected
    with pytest.raises(FieldError) as exc:
        Enrollment(count=value)  # type: ignore[arg-type]
    assert exc.value.expected == expected
    assert exc.value.field == field_name


@pytest.mark.parametrize(
    ("phases", "field", "expected"),
    [
        ("phase 1", "phases", "a list of phases ("),
        (["phase-9"], "phases[0]", "one of "),
        (["2", "1"], "phases", "phases in order, without repeats"),
        (["1", "1"], "phases", "phases in order, without repeats"),
    ],
)
def test_trial_phases_are_refused_in_the_words_of_their_validator(
    phases: object, field: str, expected: str
) -> None:
    from cartlandscape.trials.model import Phase, Trial

    attribute = attrs.fields_dict(Trial)["phases"]
    validator, converter = attribute.validator, attribute.converter
    assert isinstance(validator, FieldValidator)
    assert callable(converter)
    assert validator.expects in repr(validator)
    assert all(repr(p.value) in validator.expects for p in Phase)
    with pytest.raises(FieldError) as exc:
        validator(None, attribute, converter(phases))
    assert exc.value.field == field
    assert exc.value.expected.startswith(expected)
