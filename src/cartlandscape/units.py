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
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from cartlandscape.errors import UnitError

if TYPE_CHECKING:
    import pint

__all__ = [
    "DIMENSIONS",
    "UnitFacts",
    "canonical_unit",
    "dimension_of",
    "get_registry",
    "known_units",
    "matches",
    "quantity",
    "remember_units",
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

_lock = threading.Lock()
_registry: pint.UnitRegistry[Any] | None = None


def _definitions() -> list[str]:
    text = (files("cartlandscape") / "units.txt").read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


_own: pint.UnitRegistry[Any] | None = None


def _own_registry(registry: pint.UnitRegistry[Any]) -> pint.UnitRegistry[Any]:
    global _own
    _own = registry
    return registry


def get_registry() -> pint.UnitRegistry[Any]:
    """Return the registry in use, building cartlandscape's own one on first call."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                import pint

                registry: pint.UnitRegistry[Any] = pint.UnitRegistry(None)
                for definition in _definitions():
                    registry.define(definition)
                _registry = _own_registry(registry)
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


#: What is known of each unit name seen: canonical name, dimensionality, fraction factor.
UnitFacts: TypeAlias = tuple[str, str, float | None]
_facts: dict[str, UnitFacts] = {}


def _parse(unit: str) -> UnitFacts:
    """Return the canonical name, dimensionality and fraction factor of *unit* (cached)."""
    known = _facts.get(unit)
    if known is not None:
        return known
    if len(unit) > 100 or not _EXPRESSION.match(unit):
        raise UnitError(f"expected a unit such as 'percent' or 'cell / kilogram', found {unit!r}")
    registry = get_registry()
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
    facts = (str(parsed), dimensionality, factor)
    if len(_facts) < 4096:
        _facts[unit] = facts
    return facts


def known_units() -> dict[str, UnitFacts]:
    """What cartlandscape's own registry has told about each unit name so far.

    Empty while a program's own registry is in use (:func:`use_registry`).
    """
    return dict(_facts) if _registry is None or _registry is _own else {}


def remember_units(facts: Mapping[str, UnitFacts]) -> None:
    """Take *facts* about unit names worked out earlier with cartlandscape's own registry.

    They spare building the unit registry (and importing pint) when only unit names need
    checking, as when the bundled data load from the parse cache.  Ignored while a program's
    own registry is in use (:func:`use_registry`).
    """
    if _registry is None or _registry is _own:
        for unit, (canonical, dimensionality, factor) in facts.items():
            _facts.setdefault(unit, (canonical, dimensionality, factor))


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
    """Tell whether *unit* has the named *dimension* (a key of :data:`DIMENSIONS`)."""
    found = dimension_of(unit)
    expected = DIMENSIONS[dimension]
    if dimension == "money":
        return found.startswith("[currency_") and "/" not in found and "*" not in found
    return found == expected


def quantity(magnitude: float, unit: str) -> pint.Quantity[Any]:
    """Return a :class:`pint.Quantity` in the registry in use."""
    return get_registry().Quantity(magnitude, canonical_unit(unit))
