"""Field builders shared by the record classes: each validates and names its field on error.

Every builder returns an :func:`attrs.field` whose validator raises
:class:`~cartlandscape.errors.FieldError`, so a message always says which field was wrong, what
was expected and what was found.  The validators are small frozen callable classes, like attrs'
own (:class:`FieldValidator`): each says what it accepts (``expects``, the words its errors
use; a value field also its ``dimensions``), which is what the data dictionary shows.

Reference fields carry ``metadata["ref"]``, the kind of record they point to; the registry uses
it to check that every reference resolves.
"""

from __future__ import annotations

import datetime as _dt
import enum
import math
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
    "Date",
    "FieldValidator",
    "Flag",
    "Nested",
    "OneOf",
    "Pattern",
    "Positive",
    "Records",
    "Text",
    "Texts",
    "ValueOf",
    "check_value",
    "date_field",
    "enum_field",
    "enum_parser",
    "id_field",
    "pattern_field",
    "record_field",
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


class FieldValidator:
    """A field's validator: called as attrs calls one, it says what the field accepts.

    :attr:`expects` is what a :class:`~cartlandscape.errors.FieldError` says was expected,
    and what the data dictionary says the field accepts; the repr says it too.  The
    subclasses are small frozen attrs classes, like attrs' own validators.
    """

    __slots__ = ()

    #: What the field accepts, in the words of its error messages.
    expects: str

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Raise :class:`~cartlandscape.errors.FieldError` if *value* is not accepted."""
        raise NotImplementedError

    def __repr__(self) -> str:
        optional = " (or None)" if getattr(self, "optional", False) else ""
        return f"<{type(self).__name__} validator: {self.expects}{optional}>"


_TEXT_EXPECTED: Final = "a non-empty text without surrounding spaces"


@attrs.define(frozen=True, repr=False)
class Text(FieldValidator):
    """A non-empty text without surrounding spaces (or None, if *optional*)."""

    optional: bool = False

    expects = _TEXT_EXPECTED

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a non-empty text without surrounding spaces."""
        if value is None and self.optional:
            return
        if not (isinstance(value, str) and value and value == value.strip()):
            raise FieldError(attribute.name, _TEXT_EXPECTED, value)


def text_field(*, optional: bool = False) -> Any:
    """A text; optional ones default to None."""
    if optional:
        return attrs.field(default=None, validator=Text(optional=True))
    return attrs.field(validator=Text())


def _tuple(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


@attrs.define(frozen=True, repr=False)
class Texts(FieldValidator):
    """A tuple of distinct texts, each *what* (and matching *pattern*, if given)."""

    pattern: re.Pattern[str] | None
    what: str

    expects: str = attrs.field(
        init=False, default=attrs.Factory(lambda s: f"a list of {s.what}", takes_self=True)
    )

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a tuple of distinct texts, each accepted."""
        if not isinstance(value, tuple):
            raise FieldError(attribute.name, f"a list of {self.what}", value)
        pattern = self.pattern
        for i, item in enumerate(value):
            if not (isinstance(item, str) and item and item == item.strip()) or (
                pattern is not None and not pattern.fullmatch(item)
            ):
                raise FieldError(f"{attribute.name}[{i}]", self.what, item)
        if len(set(value)) != len(value):
            raise FieldError(attribute.name, f"a list of {self.what} without repeats", value)


def texts_field(pattern: str | None = None, what: str = "non-empty texts") -> Any:
    """A tuple of texts (a list in the data), each matching *pattern* if given."""
    compiled = re.compile(pattern) if pattern else None
    return attrs.field(default=(), converter=_tuple, validator=Texts(compiled, what))


@attrs.define(frozen=True, repr=False)
class Pattern(FieldValidator):
    """A text matching *pattern* whole, described as *what* (or None, if *optional*)."""

    pattern: re.Pattern[str]
    what: str
    optional: bool = True

    expects: str = attrs.field(init=False, default=attrs.Factory(lambda s: s.what, takes_self=True))

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a text the pattern matches whole."""
        if value is None and self.optional:
            return
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            raise FieldError(attribute.name, self.what, value)


def pattern_field(pattern: str, what: str, *, optional: bool = True) -> Any:
    """A text matching an anchored *pattern* (an identifier such as an HGNC id)."""
    check = Pattern(re.compile(pattern), what, optional)
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
        validator=Texts(ID_PATTERN, f"ids of {kind} records"),
        metadata={"ref": kind},
    )


@attrs.define(frozen=True, repr=False)
class OneOf(FieldValidator):
    """A member of *enum_type* (or None, if *optional*)."""

    enum_type: type[enum.Enum]
    optional: bool = False

    expects: str = attrs.field(
        init=False,
        default=attrs.Factory(
            lambda s: "one of " + ", ".join(repr(m.value) for m in s.enum_type), takes_self=True
        ),
    )

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a member of the enumeration."""
        if value is None and self.optional:
            return
        if not isinstance(value, self.enum_type):
            raise FieldError(attribute.name, self.expects, value)


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

    check = OneOf(enum_type, optional or default is not None)
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


_DATE_EXPECTED: Final = "a date written YYYY, YYYY-MM or YYYY-MM-DD"


@attrs.define(frozen=True, repr=False)
class Date(FieldValidator):
    """A :class:`~cartlandscape.dates.PartialDate` no earlier than :data:`EARLIEST_YEAR`."""

    optional: bool = True

    expects = _DATE_EXPECTED

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a partial date no earlier than EARLIEST_YEAR."""
        if value is None and self.optional:
            return
        if not isinstance(value, PartialDate):
            raise FieldError(attribute.name, _DATE_EXPECTED, value)
        if value.year < EARLIEST_YEAR:
            raise FieldError(attribute.name, f"a date in {EARLIEST_YEAR} or later", str(value))


def date_field(*, optional: bool = True) -> Any:
    """A :class:`~cartlandscape.dates.PartialDate`; a text or :class:`datetime.date` is read."""
    if optional:
        return attrs.field(default=None, converter=_date, validator=Date(optional=True))
    return attrs.field(converter=_date, validator=Date(optional=False))


def check_value(name: str, value: Value, dimension: str | None) -> None:
    """Check that *value* has the named *dimension*, and lies within 0-100 % if dimensionless.

    Magnitudes are never negative; the value classes check that themselves.
    """
    if dimension is not None:
        if not units.matches(value.unit, dimension):
            expected = (
                "a proportion (in percent, or as a fraction)"
                if dimension == "proportion"
                else f"a {dimension} ({units.DIMENSIONS[dimension]})"
            )
            raise FieldError(name, expected, f"{value} ({value.dimensionality})")
        if dimension != "proportion":
            return  # a time, count, dose or amount of money is never a fraction
    factor = units.to_fraction(value.unit)
    if factor is not None and max(value.magnitudes(), default=0) * factor > 1 + 1e-12:
        raise FieldError(name, "a proportion of at most 100 percent", str(value))


def _value(value: object) -> object:
    if isinstance(value, str):
        return parse_value(value)
    return value


_VALUE_EXPECTED: Final = "a value such as '87.5 percent'"


@attrs.define(frozen=True, repr=False)
class ValueOf(FieldValidator):
    """A :class:`~cartlandscape.values.Value` of the named *dimension* (any, if None).

    With *checked_by_record* only the type is checked: the record checks the value itself.
    """

    dimension: str | None = None
    optional: bool = False
    checked_by_record: bool = False

    expects = _VALUE_EXPECTED

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The named dimensions accepted here: empty for any (or where the record decides)."""
        if self.dimension is None or self.checked_by_record:
            return ()
        return (self.dimension,)

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a value (of the dimension, within 0-100 % if a proportion)."""
        if value is None and self.optional:
            return
        if not isinstance(value, Value):
            raise FieldError(attribute.name, _VALUE_EXPECTED, value)
        if not self.checked_by_record:
            check_value(attribute.name, value, self.dimension)

    def __repr__(self) -> str:
        where = "checked by the record" if self.checked_by_record else self.dimension or "any"
        optional = " (or None)" if self.optional else ""
        return f"<ValueOf validator: {_VALUE_EXPECTED}; dimension: {where}{optional}>"


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
    check = ValueOf(dimension, optional, checked_by_record)
    if optional:
        return attrs.field(default=None, converter=_value, validator=check)
    if default is not None:
        text = default
        return attrs.field(
            default=attrs.Factory(lambda: parse_value(text)), converter=_value, validator=check
        )
    return attrs.field(converter=_value, validator=check)


@attrs.define(frozen=True, repr=False)
class Records(FieldValidator):
    """A tuple of nested *cls* records, each *what*; with *nonempty*, at least one of them.

    *nonempty* is what an empty list is told it lacks (``"at least one citation"``).
    """

    cls: type
    what: str
    nonempty: str | None = None

    expects: str = attrs.field(
        init=False,
        default=attrs.Factory(lambda s: s.nonempty or f"a list of {s.what}", takes_self=True),
    )

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a tuple of records of the class."""
        if not isinstance(value, tuple) or (not value and self.nonempty is not None):
            raise FieldError(attribute.name, self.expects, value)
        cls = self.cls
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise FieldError(f"{attribute.name}[{i}]", self.what, item)


def records_field(cls: type, what: str, *, nonempty: str | None = None) -> Any:
    """A tuple of nested *cls* records (a list in the data); *what* names one in messages.

    With *nonempty* (what an empty list lacks, e.g. ``"at least one citation"``) the field is
    required and must hold at least one record; otherwise it defaults to an empty tuple.
    """
    check = Records(cls, what, nonempty)
    if nonempty is not None:
        return attrs.field(converter=_tuple, validator=check)
    return attrs.field(default=(), converter=_tuple, validator=check)


@attrs.define(frozen=True, repr=False)
class Nested(FieldValidator):
    """One nested *cls* record, described as *what* (or None, if *optional*)."""

    cls: type
    what: str
    optional: bool = True

    expects: str = attrs.field(init=False, default=attrs.Factory(lambda s: s.what, takes_self=True))

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a record of the class."""
        if value is None and self.optional:
            return
        if not isinstance(value, self.cls):
            raise FieldError(attribute.name, self.what, value)


def record_field(cls: type, what: str, *, optional: bool = True) -> Any:
    """One nested *cls* record (a table in the data); *what* names it in messages."""
    check = Nested(cls, what, optional)
    return attrs.field(default=None, validator=check) if optional else attrs.field(validator=check)


@attrs.define(frozen=True, repr=False)
class Positive(FieldValidator):
    """A finite number above 0 (or None, if *optional*); true and false are not numbers."""

    optional: bool = False

    expects = "a positive number"

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but a finite number above 0."""
        if value is None and self.optional:
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise FieldError(attribute.name, "a positive number", value)


@attrs.define(frozen=True, repr=False)
class Flag(FieldValidator):
    """True or false (or None, if *optional*)."""

    optional: bool = True

    expects = "true or false"

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Refuse anything but true or false."""
        if value is None and self.optional:
            return
        if not isinstance(value, bool):
            raise FieldError(attribute.name, "true or false", value)
