"""Currency conversion, only ever explicit: an exchange rate with its date.

Each currency is a dimension of its own, so ``Exact(1200000, "CNY").to("USD")`` raises
:class:`~cartlandscape.errors.UnitError`; a conversion names its rate and the rate's date:

>>> from cartlandscape.values import Exact
>>> rate = ExchangeRate(base="USD", quote="CNY", rate=7.1, as_of="2024-06-28")
>>> converted = convert(Exact(1_200_000, "CNY"), "USD", rate)
>>> print(f"{converted.value.magnitude:.0f} {converted.value.unit} on {converted.rate.as_of}")
169014 USD on 2024-06-28

The converted value shows the digits its factors support (the rate has two), while its
magnitude keeps every digit:

>>> print(converted.value)
170000 USD
"""

from __future__ import annotations

from typing import Any

import attrs

from cartlandscape import units
from cartlandscape.dates import PartialDate
from cartlandscape.errors import UnitError
from cartlandscape.fields import date_field
from cartlandscape.values import Value, significant_digits

__all__ = ["Conversion", "ExchangeRate", "convert"]


def _currency(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not units.matches(value, "money"):
        raise UnitError(f"{attribute.name}: expected a currency such as 'CNY', found {value!r}")


def _positive(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name}: expected a positive number, found {value!r}")


@attrs.frozen(kw_only=True)
class ExchangeRate:
    """How many units of ``quote`` one unit of ``base`` bought on ``as_of``."""

    base: str = attrs.field(validator=_currency)
    quote: str = attrs.field(validator=_currency)
    rate: float = attrs.field(validator=_positive)
    as_of: PartialDate = date_field(optional=False)
    source: str | None = None


@attrs.frozen(kw_only=True)
class Conversion:
    """A converted value, with the value it came from and the rate used."""

    original: Value
    value: Value
    rate: ExchangeRate


def convert(value: Value, currency: str, rate: ExchangeRate) -> Conversion:
    """Convert a money *value* into *currency* at *rate* (either direction of the rate)."""
    source, target = units.canonical_unit(value.unit), units.canonical_unit(currency)
    pair = (units.canonical_unit(rate.base), units.canonical_unit(rate.quote))
    if (source, target) == pair[::-1]:
        factor = 1 / rate.rate
    elif (source, target) == pair:
        factor = rate.rate
    else:
        raise UnitError(
            f"the rate converts between {rate.base} and {rate.quote}, "
            f"not from {value.unit} to {currency}"
        )
    magnitudes = [m * factor for m in value.magnitudes()]
    # A product keeps no more significant digits than the less precise of its factors.
    digits = min(value._digits_of(), significant_digits(float(rate.rate)))
    converted = value.with_magnitudes(*magnitudes, unit=target, digits=digits)
    return Conversion(original=value, value=converted, rate=rate)
