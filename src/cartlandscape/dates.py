"""Dates with the precision the source gives them: a year, a month or a day."""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Any, Literal

import attrs

from cartlandscape.errors import FieldError

__all__ = ["PartialDate", "undated_last"]

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and (type(value) is not int):
        raise FieldError(attribute.name, "a whole number", value)


@functools.total_ordering
@attrs.frozen(order=False)
class PartialDate:
    """A calendar date known to a year, a month or a day.

    >>> d = PartialDate.parse("2023-11")
    >>> d.precision, str(d)
    ('month', '2023-11')
    >>> PartialDate(2023) < PartialDate(2023, 11) < PartialDate(2023, 11, 8)
    True

    Ordering puts a less precise date before the more precise dates inside it.
    """

    year: int = attrs.field(validator=_check)
    month: int | None = attrs.field(default=None, validator=_check)
    day: int | None = attrs.field(default=None, validator=_check)

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise FieldError("year", "a year from 1 to 9999", self.year)
        if self.month is None and self.day is not None:
            raise FieldError("month", "a month when a day is given", None)
        try:
            _dt.date(self.year, self.month or 1, self.day or 1)
        except ValueError:
            raise FieldError("date", "a real calendar date", str(self)) from None

    @classmethod
    def parse(cls, text: str | _dt.date) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (or a :class:`datetime.date`)."""
        if isinstance(text, _dt.datetime):
            raise FieldError("date", "a date without a time", text)
        if isinstance(text, _dt.date):
            return cls(text.year, text.month, text.day)
        match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise FieldError("date", "a date written YYYY, YYYY-MM or YYYY-MM-DD", text)
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        return cls(year, month, day)

    @property
    def precision(self) -> Literal["year", "month", "day"]:
        """How precisely the date is known."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def earliest(self) -> _dt.date:
        """The first calendar day the date can be."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def surely_after(self, other: PartialDate) -> bool:
        """Tell whether the date is after *other* on every day their precisions leave open.

        >>> PartialDate(2025, 9).surely_after(PartialDate(2025, 8, 1))
        True
        >>> PartialDate(2025, 8).surely_after(PartialDate(2025, 8, 1))
        False
        """
        for mine, theirs in zip(
            (self.year, self.month, self.day), (other.year, other.month, other.day), strict=True
        ):
            if mine is None or theirs is None or mine != theirs:
                return mine is not None and theirs is not None and mine > theirs
        return False

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


def undated_last(date: PartialDate | None) -> tuple[bool, PartialDate]:
    """A sort key that puts dates in time order and a missing date (None) after them all.

    >>> dates = [None, PartialDate.parse("2017-08"), PartialDate.parse("2017")]
    >>> [str(d) for d in sorted(dates, key=undated_last)]
    ['2017', '2017-08', 'None']
    """
    return (date is None, date or _EARLIEST)


#: The date standing in for a missing one in :func:`undated_last` (never compared alone).
_EARLIEST = PartialDate(1)
