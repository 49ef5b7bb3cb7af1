"""The pint unit registry cartlandscape uses, built lazily, and unit checks on it.

cartlandscape keeps magnitudes and unit names in its records and only turns them into
:class:`pint.Quantity` objects on request, so ``import cartlandscape`` does not import pint.
On first use a small registry is built from ``units.txt`` (about a tenth of the cost of pint's
full default registry).  A program that already has a pint registry makes cartlandscape use it
with :func:`use_registry`, after which quantities from both can be combined:

>>> import pint
>>> from cartlandscape import units
>>> mine = pint.UnitRegistry()
>>> units.use_registry(mine)
>>> q = units.quantity(3, "month") + mine.Quantity(2, "week")
>>> print(f"{q.to('day'):.1f~P}")
105.3 d
>>> units.use_registry(None)  # back to cartlandscape's own registry

Checking a unit name (its canonical spelling, dimensionality and fraction factor) needs no
registry when the name is one the bundled seeds use: what cartlandscape's own registry says of
each of those names ships with the package in ``unitfacts.json``, read on the first unit check.
So loading the bundled data never imports pint.  The shipped facts stand in for cartlandscape's
own registry only, and only for the ``units.txt`` they were written from; while a program's own
registry is in use, that registry is asked about every name.  After changing the seeds or
``units.txt``, rewrite the file with ``python -m cartlandscape.tools unitfacts --write`` (see
:mod:`cartlandscape.tools.unitfacts`; the test suite checks it is up to date).
"""

from __future__ import annotations

import re
import threading
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from cartlandscape.errors import UnitError

if TYPE_CHECKING:
    import pint

__all__ = [
    "DIMENSIONS",
    "PROPORTION_UNITS",
    "UnitFacts",
    "canonical_unit",
    "dimension_of",
    "get_registry",
    "matches",
    "quantity",
    "to_fraction",
    "use_registry",
]

#: Named dimensionalities that record fields expect, as pint writes them.
DIMENSIONS: Final = {
    "proportion": "dimensionless",
    "time": "[time]",
    "count": "[count]",
    "dose": "[count] / [mass]",
    "money": "[currency_*]",
}

#: The units a proportion may be written in: other dimensionless units (``day / week``,
#: ``percent ** 2``, ``percentage_point``) are ratios or differences, not proportions.
PROPORTION_UNITS: Final = frozenset({"percent", "fraction"})

_lock = threading.Lock()
_registry: pint.UnitRegistry[Any] | None = None


def _definitions_text() -> bytes:
    return (files("cartlandscape") / "units.txt").read_bytes()


def _definitions() -> list[str]:
    text = _definitions_text().decode("utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def _definitions_digest() -> str:
    """The SHA-256 of ``units.txt``: the shipped unit facts hold for these definitions only."""
    import hashlib

    return hashlib.sha256(_definitions_text()).hexdigest()


def _new_registry() -> pint.UnitRegistry[Any]:
    """A new registry of cartlandscape's own, from the definitions in ``units.txt``."""
    import pint

    registry: pint.UnitRegistry[Any] = pint.UnitRegistry(None)
    for definition in _definitions():
        registry.define(definition)
    return registry


_own: pint.UnitRegistry[Any] | None = None


def get_registry() -> pint.UnitRegistry[Any]:
    """Return the registry in use, building cartlandscape's own one on first call."""
    global _registry, _own
    if _registry is None:
        with _lock:
            if _registry is None:
                _own = _registry = _new_registry()
    return _registry


def use_registry(registry: pint.UnitRegistry[Any] | None) -> None:
    """Make cartlandscape build its quantities in *registry* (``None``: its own registry again).

    The units cartlandscape needs (counted things such as ``patient`` and ``cell``, and the
    currencies) are added to *registry* where it does not define them yet; units it already
    defines are left as they are.
    """
    global _registry
    with _lock:
        if registry is not None:
            for definition in _definitions():
                name = definition.split("=", 1)[0].strip()
                if name.endswith("-"):
                    if name[:-1] not in registry._prefixes:
                        registry.define(definition)
                elif name not in registry:
                    registry.define(definition)
        _registry = registry
        _facts.clear()


#: Unit expressions cartlandscape accepts: names joined by '*' or '/', with small whole powers.
_EXPRESSION = re.compile(
    r"^\s*(%|[^\W\d]\w*)(\s*\*\*\s*-?[1-4])?(\s*[*/]\s*[^\W\d]\w*(\s*\*\*\s*-?[1-4])?)*\s*$"
)


#: What is known of a unit name: canonical name, dimensionality, fraction factor (or None).
UnitFacts: TypeAlias = tuple[str, str, float | None]
_facts: dict[str, UnitFacts] = {}
#: The facts shipped for the bundled seeds' unit names, read on first need (None: not yet).
_shipped: dict[str, UnitFacts] | None = None
_SHIPPED_FILE: Final = "unitfacts.json"


def _shipped_facts() -> dict[str, UnitFacts]:
    """The facts in ``unitfacts.json``, or none if it is missing, unreadable or out of date.

    Out of date means written for another ``units.txt``: such facts are never used.
    """
    global _shipped
    if _shipped is None:
        import json

        facts: dict[str, UnitFacts] = {}
        try:
            shipped = json.loads((files("cartlandscape") / _SHIPPED_FILE).read_bytes())
            if shipped["units.txt"] == _definitions_digest():
                facts = {
                    str(unit): (str(name), str(dimensionality), None if f is None else float(f))
                    for unit, (name, dimensionality, f) in shipped["units"].items()
                }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            facts = {}
        _shipped = facts
    return _shipped


def _work_out(registry: pint.UnitRegistry[Any], unit: str) -> UnitFacts:
    """Ask *registry* for the canonical name, dimensionality and fraction factor of *unit*."""
    if len(unit) > 100 or not _EXPRESSION.fullmatch(unit):
        raise UnitError(f"expected a unit such as 'percent' or 'cell / kilogram', found {unit!r}")
    text = "percent" if unit.strip() == "%" else unit
    try:
        parsed = registry.parse_units(text)
    except Exception as exc:  # pint raises several unrelated types here
        raise UnitError(f"unknown unit {unit!r}") from exc
    dimensionality = str(registry.get_dimensionality(parsed))
    factor = (
        float(registry.Quantity(1, parsed).to("dimensionless").magnitude)
        if (dimensionality == "dimensionless")
        else None
    )
    return str(parsed), dimensionality, factor


def _parse(unit: str) -> UnitFacts:
    """Return the canonical name, dimensionality and fraction factor of *unit* (cached).

    With cartlandscape's own registry, a name the bundled seeds use is answered from the
    shipped facts without building the registry; a program's own registry
    (:func:`use_registry`) is asked about every name.
    """
    known = _facts.get(unit)
    if known is not None:
        return known
    if _registry is None or _registry is _own:
        known = _shipped_facts().get(unit)
    facts = known if known is not None else _work_out(get_registry(), unit)
    if len(_facts) < 4096:
        _facts[unit] = facts
    return facts


def canonical_unit(unit: str) -> str:
    """Return pint's canonical spelling of *unit* (``"months"`` gives ``"month"``).

    >>> canonical_unit("cells/kg")
    'cell / kilogram'

    Raises :class:`~cartlandscape.errors.UnitError` for a unit pint does not know.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise UnitError(f"a unit must be a non-empty string, not {unit!r}")
    return _parse(unit)[0]


def dimension_of(unit: str) -> str:
    """Return the dimensionality of *unit* as pint writes it, e.g. ``'[time]'``."""
    return _parse(unit)[1]


def to_fraction(unit: str) -> float | None:
    """Return the factor that turns a magnitude in *unit* into a fraction (None if not one).

    >>> to_fraction("percent")
    0.01
    """
    return _parse(unit)[2]


def matches(unit: str, dimension: str) -> bool:
    """Tell whether *unit* has the named *dimension* (a key of :data:`DIMENSIONS`).

    A proportion is written in one of :data:`PROPORTION_UNITS`, not in any dimensionless unit:

    >>> matches("percent", "proportion"), matches("day / week", "proportion")
    (True, False)
    """
    if dimension == "proportion":
        return canonical_unit(unit) in PROPORTION_UNITS
    found = dimension_of(unit)
    expected = DIMENSIONS[dimension]
    if dimension == "money":
        return found.startswith("[currency_") and "/" not in found and "*" not in found
    return found == expected


def quantity(magnitude: float, unit: str) -> pint.Quantity[Any]:
    """Return a :class:`pint.Quantity` in the registry in use."""
    return get_registry().Quantity(magnitude, canonical_unit(unit))
