"""Field builders shared by the record classes: each validates and names its field on error.

Every builder returns an :func:`attrs.field` whose validator raises
:class:`~cartlandscape.errors.FieldError`, so a message always says which field was wrong, what
was expected and what was found.  Reference fields carry ``metadata["ref"]``, the kind of record
they point to; the registry uses it to check that every reference resolves.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from cartlandscape import units
from cartlandscape.dates import PartialDate
from cartlandscape.errors import FieldError
from cartlandscape.values import Value, parse_value

__all__ = [
    "EARLIEST_YEAR",
    "ID_PATTERN",
    "date_field",
    "enum_field",
    "id_field",
    "pattern_field",
    "records_field",
    "ref_field",
    "refs_field",
    "text_field",
    "texts_field",
    "value_field",
]

#: No fact the records hold can be dated before this year.
EARLIEST_YEAR: Final = 1900
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
E = TypeVar("E", bound=enum.Enum)
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value == value.strip()


def _text(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not _is_text(value):
        raise FieldError(attribute.name, "a non-empty text without surrounding spaces", value)


def _required_text(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _is_text(value):
        raise FieldError(attribute.name, "a non-empty text without surrounding spaces", value)


def text_field(*, optional: bool = False) -> Any:
    """A text; optional ones default to None."""
    if optional:
        return attrs.field(default=None, validator=_text)
    return attrs.field(validator=_required_text)


def _tuple(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def _texts(pattern: re.Pattern[str] | None, what: str) -> Validator:
    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise FieldError(attribute.name, f"a list of {what}", value)
        for i, item in enumerate(value):
            if not _is_text(item) or (pattern is not None and not pattern.fullmatch(item)):
                raise FieldError(f"{attribute.name}[{i}]", what, item)
        if len(set(value)) != len(value):
            raise FieldError(attribute.name, f"a list of {what} without repeats", value)

    return check


def texts_field(pattern: str | None = None, what: str = "non-empty texts") -> Any:
    """A tuple of texts (a list in the data), each matching *pattern* if given."""
    compiled = re.compile(pattern) if pattern else None
    return attrs.field(default=(), converter=_tuple, validator=_texts(compiled, what))


def pattern_field(pattern: str, what: str, *, optional: bool = True) -> Any:
    """A text matching an anchored *pattern* (an identifier such as an HGNC id)."""
    compiled = re.compile(pattern)

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise FieldError(attribute.name, what, value)

    if optional:
        return attrs.field(default=None, validator=check)
    return attrs.field(validator=check)


def id_field() -> Any:
    """A record id: a lowercase slug such as ``inaticabtagene-autoleucel``."""
    return pattern_field(
        ID_PATTERN.pattern, "a lowercase id of letters, digits, '-' and '.'", optional=False
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def ref_field(kind: str, *, optional: bool = True) -> Any:
    """The id of a record of *kind* (checked to resolve when a registry is built)."""
    field: Any = pattern_field(
        ID_PATTERN.pattern, f"the id of {_article(kind)} {kind}", optional=optional
    )
    field.metadata = {"ref": kind}
    return field


def refs_field(kind: str) -> Any:
    """A tuple of ids of records of *kind*."""
    return attrs.field(
        default=(),
        converter=_tuple,
        validator=_texts(ID_PATTERN, f"ids of {kind} records"),
        metadata={"ref": kind},
    )


def enum_field(
    enum_type: type[E],
    *,
    default: E | None = None,
    optional: bool = False,
    parse: Callable[[str], E] | None = None,
) -> Any:
    """A member of *enum_type*; its value is accepted too (``"car-t"`` for ``Modality.CAR_T``).

    *parse*, where given, reads other spellings as well (an endpoint's label, ``"ORR"``); the
    data files' structuring uses it too (see :func:`enum_parser`).
    """
    choices = ", ".join(repr(m.value) for m in enum_type)
    by_value = {m.value: m for m in enum_type.__members__.values()}
    if parse is not None:
        _PARSERS[enum_type] = parse

    def convert(value: object) -> object:
        if isinstance(value, str) and not isinstance(value, enum.Enum):
            found = by_value.get(value)
            if found is None and parse is not None:
                try:
                    return parse(value)
                except ValueError:
                    return value
            return value if found is None else found
        return value

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and (optional or default is not None):
            return
        if not isinstance(value, enum_type):
            raise FieldError(attribute.name, f"one of {choices}", value)

    if optional:
        return attrs.field(default=None, converter=convert, validator=check)
    if default is not None:
        return attrs.field(default=default, converter=convert, validator=check)
    return attrs.field(converter=convert, validator=check)


#: Readers of other spellings of an enumeration's members, by enumeration.
_PARSERS: dict[type, Callable[[str], Any]] = {}


def enum_parser(enum_type: type) -> Callable[[str], Any] | None:
    """The reader of other spellings an :func:`enum_field` of *enum_type* was given, if any."""
    return _PARSERS.get(enum_type)


def _date(value: object) -> object:
    if isinstance(value, str | _dt.date):
        return PartialDate.parse(value)
    return value


def date_field(*, optional: bool = True) -> Any:
    """A :class:`~cartlandscape.dates.PartialDate`; a text or :class:`datetime.date` is read."""

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, PartialDate):
            raise FieldError(attribute.name, "a date written YYYY, YYYY-MM or YYYY-MM-DD", value)
        if value.year < EARLIEST_YEAR:
            raise FieldError(attribute.name, f"a date in {EARLIEST_YEAR} or later", str(value))

    return (
        attrs.field(default=None, converter=_date, validator=check)
        if optional
        else (attrs.field(converter=_date, validator=check))
    )


def check_value(name: str, value: Value, dimension: str | None) -> None:
    """Check that *value* has the named *dimension*, and lies within 0-100 % if dimensionless.

    Magnitudes are never negative; the value classes check that themselves.
    """
    if dimension is not None and not units.matches(value.unit, dimension):
        expected = (
            "a proportion (in percent, or as a fraction)"
            if dimension == "proportion"
            else f"a {dimension} ({units.DIMENSIONS[dimension]})"
        )
        raise FieldError(name, expected, f"{value} ({value.dimensionality})")
    factor = units.to_fraction(value.unit)
    if factor is not None and max(value.magnitudes(), default=0) * factor > 1 + 1e-12:
        raise FieldError(name, "a proportion of at most 100 percent", str(value))


def _value(value: object) -> object:
    if isinstance(value, str):
        return parse_value(value)
    return value


def value_field(
    dimension: str | None = None,
    *,
    optional: bool = False,
    checked_by_record: bool = False,
    default: str | None = None,
) -> Any:
    """A :class:`~cartlandscape.values.Value` of the named *dimension* (text is read).

    With *checked_by_record* only the type is checked here: the record checks the value
    itself (with :func:`check_value`), as when its dimension depends on another field.
    A *default* is a value text, read when a record is first built without the field.
    """

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, Value):
            raise FieldError(attribute.name, "a value such as '87.5 percent'", value)
        if not checked_by_record:
            check_value(attribute.name, value, dimension)

    if optional:
        return attrs.field(default=None, converter=_value, validator=check)
    if default is not None:
        text = default
        return attrs.field(
            default=attrs.Factory(lambda: parse_value(text)), converter=_value, validator=check
        )
    return attrs.field(converter=_value, validator=check)


def records_field(cls: type, what: str) -> Any:
    """A tuple of nested *cls* records (a list in the data); *what* names one in messages."""

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise FieldError(attribute.name, f"a list of {what}", value)
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise FieldError(f"{attribute.name}[{i}]", what, item)

    return attrs.field(default=(), converter=_tuple, validator=check)
