"""Values as the source states them: exact, approximate, a bound or a range, with a unit.

Each form keeps its magnitudes and a canonical unit name, and reads and writes a short text
form used in the data files:

=============  =======================  ==========================================
form           text                     the source said
=============  =======================  ==========================================
Exact          ``87.5 percent``         "87.5%"
Approximate    ``~1000000 patient``     "about 1 million patients"
Bound          ``>300 patient``         "more than 300 patients" (also ``>=``, ``<``, ``<=``)
Range          ``79 to 89 percent``     "79–89%"
NotReached     ``not reached month``    "median not reached" (a time only)
=============  =======================  ==========================================

A median that was not reached has no number: :class:`NotReached` keeps only its unit (a
time), its :meth:`~Value.magnitudes` are empty and its :meth:`~Value.interval` is
``(0, inf)``, every time being possible as far as the value itself says (how long patients
were followed is a separate fact, the outcome's ``follow_up``).  Comparisons never compute a
difference with it, and rankings list it apart from the numbers.

>>> nr = parse_value("not reached month")
>>> nr, str(nr), nr.describe(), nr.magnitudes()
(NotReached(unit='month'), 'not reached month', 'not reached', ())

>>> v = parse_value("79 to 89 percent")
>>> v
Range(low=79.0, high=89.0, unit='percent')
>>> str(v), v.describe()
('79 to 89 percent', '79–89 percent')
>>> print(parse_value(">300 patients"))
>300 patient

A number without a unit is refused, and so is a negative one:

>>> parse_value("87.5")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cartlandscape.errors.FieldError: value: expected a number followed by a unit, ...
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, TypeAlias

import attrs

from cartlandscape import units
from cartlandscape.errors import FieldError, UnitError

if TYPE_CHECKING:
    import pint

__all__ = [
    "MAX_MAGNITUDE",
    "Approximate",
    "Bound",
    "Exact",
    "NotReached",
    "Range",
    "Relation",
    "Value",
    "parse_value",
    "rounded",
    "significant_digits",
]

Relation: TypeAlias = Literal[">", ">=", "<", "<="]

_WORDS: Final[dict[str, str]] = {
    ">": "more than",
    ">=": "at least",
    "<": "less than",
    "<=": "at most",
}
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"
_TEXT = re.compile(
    rf"^\s*(?P<prefix>~|>=|<=|>|<|≥|≤)?\s*(?P<low>{_NUMBER})"
    rf"(?:\s*(?:to|–|—)\s*(?P<high>{_NUMBER}))?\s+(?P<unit>\S(?:.*\S)?)\s*$"
)
_NOT_REACHED = re.compile(r"^\s*not\s+reached\s+(?P<unit>\S(?:.*\S)?)\s*$")


#: The largest magnitude a value may have: far beyond any count, dose, time or price, and far
#: enough below the float range that converting or subtracting values can never overflow.
MAX_MAGNITUDE: Final = 1e15


def _magnitude(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError("magnitude", "a number", value)
    number = float(value)
    if not math.isfinite(number):
        raise FieldError("magnitude", "a finite number", value)
    if number < 0:
        raise FieldError("magnitude", "a number that is not negative", value)
    if number > MAX_MAGNITUDE:
        raise FieldError("magnitude", f"a number of at most {MAX_MAGNITUDE:g}", value)
    return number


def _unit(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError("unit", "a unit name such as 'percent'", value)
    try:
        return units.canonical_unit(value)
    except UnitError:
        raise FieldError("unit", "a unit pint knows (see units.txt)", value) from None


def _number(x: float) -> str:
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def significant_digits(x: float) -> int:
    """How many significant digits *x* has as written (every digit of a whole number counts).

    >>> significant_digits(31.0), significant_digits(87.5), significant_digits(0.05)
    (2, 3, 1)
    >>> significant_digits(1200000.0), significant_digits(0.0)
    (7, 1)
    """
    mantissa = _number(x).lower().partition("e")[0].replace(".", "").lstrip("0")
    return max(1, len(mantissa))


def rounded(x: float, digits: int | None) -> str:
    """*x* written to *digits* significant digits (every digit it has if None).

    >>> rounded(2.583333333333333, 2), rounded(1095.75, 1), rounded(0.08487, 2)
    ('2.6', '1000', '0.085')
    """
    if digits is None or x == 0 or not math.isfinite(x):
        return _number(x)
    places = digits - 1 - math.floor(math.log10(abs(x)))
    return _number(round(x, places)) if places < 17 else _number(x)


def _digits(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError("digits", "a positive whole number of significant digits", value)
    return value


def _digits_field() -> Any:
    return attrs.field(default=None, kw_only=True, eq=False, repr=False, converter=_digits)


@attrs.frozen
class Value:
    """Base of the value forms: Exact, Approximate, Bound and Range."""

    unit: ClassVar[str]
    form: ClassVar[str]

    def magnitudes(self) -> tuple[float, ...]:
        """The magnitudes, in the value's unit (one, or two for a range)."""
        raise NotImplementedError

    def interval(self) -> tuple[float, float]:
        """The smallest and largest magnitude the value allows (a bound is open-ended)."""
        raise NotImplementedError

    def with_magnitudes(self, *magnitudes: float, unit: str, digits: int | None = None) -> Value:
        """Return the same form with other magnitudes and unit, shown to *digits* digits."""
        raise NotImplementedError

    @property
    def precision(self) -> int | None:
        """The significant digits the value is shown to: those of the source it came from.

        None for a value as the source wrote it (every digit it has is shown); a value
        converted from another keeps the digits of the original, so ``str`` shows no more
        precision than the source gave.  The magnitudes themselves are never rounded.

        >>> v = Exact(31, "month").to("year")
        >>> print(v), v.precision, v.magnitude
        2.6 year
        (None, 2, 2.583333333333333)
        """
        return getattr(self, "digits", None)

    def written(self) -> str:
        """The text form with every digit of the magnitudes, as data files hold it.

        >>> Exact(31, "month").to("year").written()
        '2.583333333333333 year'
        """
        if self.precision is None:
            return str(self)
        exact: Any = self
        return str(attrs.evolve(exact, digits=None))

    def _digits_of(self) -> int:
        """The significant digits the value keeps when converted."""
        given = self.precision
        if given is not None:
            return given
        return max((significant_digits(m) for m in self.magnitudes()), default=1)

    def to(self, unit: str) -> Value:
        """Return the same form converted to *unit*; currencies never convert."""
        target = units.canonical_unit(unit)
        if target == self.unit:
            return self
        if units.dimension_of(target) != self.dimensionality:
            hint = (
                "; currencies convert only with an exchange rate (cartlandscape.money.convert)"
                if units.matches(target, "money") or units.matches(self.unit, "money")
                else ""
            )
            raise UnitError(f"cannot convert {self.unit} to {target}{hint}")
        registry = units.get_registry()
        converted = [
            float(registry.Quantity(m, self.unit).to(target).magnitude) for m in self.magnitudes()
        ]
        return self.with_magnitudes(*converted, unit=target, digits=self._digits_of())

    @property
    def dimensionality(self) -> str:
        """The dimensionality of the unit, as pint writes it."""
        return units.dimension_of(self.unit)

    def describe(self) -> str:
        """Say the value in words, as a source would."""
        raise NotImplementedError


@attrs.frozen
class _Single(Value):
    """A value with one magnitude: :class:`Exact`, :class:`Approximate` or :class:`Bound`."""

    magnitude: float = attrs.field(converter=_magnitude)
    unit: str = attrs.field(converter=_unit)  # type: ignore[misc]
    #: The significant digits shown (see :attr:`Value.precision`).
    digits: int | None = _digits_field()

    def magnitudes(self) -> tuple[float, ...]:
        """The magnitude, in the value's unit."""
        return (self.magnitude,)

    def interval(self) -> tuple[float, float]:
        """The magnitude twice: a point."""
        return (self.magnitude, self.magnitude)

    def with_magnitudes(self, *magnitudes: float, unit: str, digits: int | None = None) -> Value:
        """The same form with another magnitude and unit."""
        return type(self)(magnitudes[0], unit, digits=digits)

    @property
    def quantity(self) -> pint.Quantity[Any]:
        """The magnitude as a pint quantity (a bound's :attr:`~Bound.relation` gives its sense)."""
        return units.quantity(self.magnitude, self.unit)

    def _marks(self) -> tuple[str, str]:
        """How the text form and the words mark the figure (``"~"``, ``"about "``)."""
        return ("", "")

    def describe(self) -> str:
        """The value in words, e.g. 'about 1000000 person'."""
        return f"{self._marks()[1]}{rounded(self.magnitude, self.digits)} {self.unit}"

    def __str__(self) -> str:
        return f"{self._marks()[0]}{rounded(self.magnitude, self.digits)} {self.unit}"


@attrs.frozen
class Exact(_Single):
    """A figure stated exactly, e.g. ``Exact(87.5, "percent")``."""

    form: ClassVar[str] = "exact"


@attrs.frozen
class Approximate(_Single):
    """A figure the source gives as approximate ("about 1 million")."""

    form: ClassVar[str] = "approximate"

    def _marks(self) -> tuple[str, str]:
        return ("~", "about ")


def _relation(value: object) -> Relation:
    aliases = {"≥": ">=", "≤": "<="}
    text = aliases.get(value, value) if isinstance(value, str) else value
    if text not in _WORDS:
        raise FieldError("relation", "one of '>', '>=', '<', '<='", value)
    return text  # type: ignore[return-value]


@attrs.frozen
class Bound(_Single):
    """A figure the source gives as a bound ("more than 300": ``Bound(">", 300, "patient")``)."""

    form: ClassVar[str] = "bound"
    relation: Relation = attrs.field(converter=_relation)
    # Declared again so that the relation comes first, as the text form has it.
    magnitude: float = attrs.field(converter=_magnitude)
    unit: str = attrs.field(converter=_unit)  # type: ignore[misc]
    digits: int | None = _digits_field()

    def interval(self) -> tuple[float, float]:  # noqa: D102
        if self.relation in (">", ">="):
            return (self.magnitude, math.inf)
        return (0.0, self.magnitude)

    def with_magnitudes(  # noqa: D102
        self, *magnitudes: float, unit: str, digits: int | None = None
    ) -> Bound:
        return Bound(self.relation, magnitudes[0], unit, digits=digits)

    def _marks(self) -> tuple[str, str]:
        return (self.relation, f"{_WORDS[self.relation]} ")


@attrs.frozen
class Range(Value):
    """A range the source gives ("79–89%": ``Range(79, 89, "percent")``)."""

    form: ClassVar[str] = "range"
    low: float = attrs.field(converter=_magnitude)
    high: float = attrs.field(converter=_magnitude)
    unit: str = attrs.field(converter=_unit)  # type: ignore[misc]
    #: The significant digits shown (see :attr:`Value.precision`).
    digits: int | None = _digits_field()

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise FieldError("high", f"a number not below the low end {self.low:g}", self.high)

    def magnitudes(self) -> tuple[float, ...]:  # noqa: D102
        return (self.low, self.high)

    def interval(self) -> tuple[float, float]:  # noqa: D102
        return (self.low, self.high)

    def with_magnitudes(  # noqa: D102
        self, *magnitudes: float, unit: str, digits: int | None = None
    ) -> Range:
        return Range(magnitudes[0], magnitudes[1], unit, digits=digits)

    @property
    def low_quantity(self) -> pint.Quantity[Any]:
        """The low end as a pint quantity."""
        return units.quantity(self.low, self.unit)

    @property
    def high_quantity(self) -> pint.Quantity[Any]:
        """The high end as a pint quantity."""
        return units.quantity(self.high, self.unit)

    def describe(self) -> str:  # noqa: D102
        low, high = rounded(self.low, self.digits), rounded(self.high, self.digits)
        return f"{low}–{high} {self.unit}"

    def __str__(self) -> str:
        low, high = rounded(self.low, self.digits), rounded(self.high, self.digits)
        return f"{low} to {high} {self.unit}"


def _time_unit(value: object) -> str:
    unit = _unit(value)
    if units.dimension_of(unit) != units.DIMENSIONS["time"]:
        raise FieldError(
            "unit", "a unit of time such as 'month' (only a time is not reached)", value
        )
    return unit


@attrs.frozen
class NotReached(Value):
    """A median time the source reports as not reached ("NR"): ``NotReached("month")``.

    It holds no number.  Its interval is ``(0, inf)``: the value alone rules out no time, and
    no number is made up for it (not the follow-up, which is a fact of its own).

    >>> NotReached("months").to("year")
    NotReached(unit='year')
    >>> NotReached("percent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cartlandscape.errors.FieldError: unit: expected a unit of time such as 'month' ...
    """

    form: ClassVar[str] = "not-reached"
    unit: str = attrs.field(converter=_time_unit)  # type: ignore[misc]

    def magnitudes(self) -> tuple[float, ...]:
        """No magnitudes: the source gives no number."""
        return ()

    def interval(self) -> tuple[float, float]:
        """``(0, inf)``: every time is possible as far as the value says."""
        return (0.0, math.inf)

    def with_magnitudes(
        self, *magnitudes: float, unit: str, digits: int | None = None
    ) -> NotReached:
        """The same form in another unit (there are no magnitudes to take)."""
        if magnitudes:
            raise ValueError("a value that was not reached has no magnitudes")
        return NotReached(unit)

    def describe(self) -> str:
        """``'not reached'``."""
        return "not reached"

    def __str__(self) -> str:
        return f"not reached {self.unit}"


def parse_value(text: str) -> Value:
    """Read a value from its text form (see the module documentation).

    Values are immutable, so the same text gives the same (cached) object.
    """
    if not isinstance(text, str):
        raise FieldError("value", "a text such as '87.5 percent' (a number with its unit)", text)
    return _parse_text(text)


#: A value written with a minus sign (``-5 percent``, ``< −2 month``).
_NEGATIVE: Final = re.compile(r"^\s*[~<>≤≥=]*\s*[-−‐–]\s*\d")


@functools.lru_cache(maxsize=8192)
def _parse_text(text: str) -> Value:
    match = _TEXT.match(text)
    if match is None:
        not_reached = _NOT_REACHED.match(text)
        if not_reached is not None:
            return NotReached(not_reached.group("unit"))
        if _NEGATIVE.match(text):
            raise FieldError(
                "value", "a number that is not negative (negative values are not allowed)", text
            )
        raise FieldError(
            "value",
            "a number followed by a unit, e.g. '87.5 percent', or 'not reached' and a time unit",
            text,
        )
    prefix, low, high, unit = match.group("prefix", "low", "high", "unit")
    if high is not None:
        if prefix:
            raise FieldError("value", "a range without '~', '<' or '>'", text)
        return Range(float(low), float(high), unit)
    if prefix == "~":
        return Approximate(float(low), unit)
    if prefix:
        return Bound(_relation(prefix), float(low), unit)
    return Exact(float(low), unit)
