"""Confidence intervals for a proportion: Wilson score and Clopper-Pearson exact.

Both intervals are computed with :mod:`math` alone (no numpy or scipy): the exact interval
takes quantiles of the beta distribution by bisection on the regularized incomplete beta
function, which is evaluated by its continued fraction.

>>> print(wilson(22, 25))
88 percent (95% CI 70–95.8 percent, Wilson; 22/25)
>>> print(clopper_pearson(22, 25))
88 percent (95% CI 68.8–97.5 percent, Clopper-Pearson exact; 22/25)

An outcome that gives a percentage and ``n`` but no responder count has its responders derived
(rounded half up), and the result says so:

>>> from cartlandscape.models import Citation, Outcome
>>> o = Outcome(id="o", therapy="t", endpoint="cr", value="92 percent", n=25,
...             citations=(Citation(source="s", locator="table 2"),))
>>> ci = proportion_ci(o)
>>> ci.responders, ci.derived, ci.note
(23, True, 'responders derived from 92 percent of n=25: 23')
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final, Literal, TypeAlias

import attrs

from cartlandscape import units
from cartlandscape.errors import InsufficientDataError
from cartlandscape.models import Citation, Outcome
from cartlandscape.values import Approximate, Exact

__all__ = [
    "METHODS",
    "Counts",
    "InsufficientDataError",
    "Method",
    "ProportionCI",
    "beta_quantile",
    "clopper_pearson",
    "counts",
    "normal_quantile",
    "proportion_ci",
    "regularized_beta",
    "wilson",
]

Method: TypeAlias = Literal["wilson", "clopper-pearson"]
#: The interval methods :func:`proportion_ci` knows, with the name a result gives them.
METHODS: Final[dict[str, str]] = {"wilson": "Wilson", "clopper-pearson": "Clopper-Pearson exact"}

_EPS: Final = 1e-15
_TINY: Final = 1e-300


def _number(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.4g}"


@attrs.frozen(kw_only=True)
class Counts:
    """Responders out of ``n``, and whether the responders were derived from a percentage."""

    responders: int
    n: int
    derived: bool = False
    note: str | None = None


@attrs.frozen(kw_only=True)
class ProportionCI:
    """A proportion with its confidence interval, in percent, and the method that gave it.

    ``estimate`` is ``responders / n``; ``derived`` tells whether the responders were derived
    from a reported percentage (``note`` says how).
    """

    responders: int
    n: int
    estimate: float
    low: float
    high: float
    level: float
    method: str
    unit: str = "percent"
    derived: bool = False
    note: str | None = None
    outcome: str | None = None
    citations: tuple[Citation, ...] = ()

    def __str__(self) -> str:
        level = f"{self.level * 100:g}%"
        return (
            f"{_number(self.estimate)} {self.unit} ({level} CI {_number(self.low)}–"
            f"{_number(self.high)} {self.unit}, {self.method}; {self.responders}/{self.n})"
        )


def _check_counts(responders: int, n: int) -> None:
    for name, count in (("responders", responders), ("n", n)):
        if type(count) is not int or count < 0:
            raise ValueError(f"{name} must be a whole number that is not negative, not {count!r}")
    if n == 0:
        raise InsufficientDataError("n is 0: a proportion needs at least one patient")
    if responders > n:
        raise ValueError(f"responders ({responders}) cannot exceed n ({n})")


#: The highest confidence level offered: beyond it the tail probability is lost in rounding.
MAX_LEVEL = 0.999999


def check_level(level: object) -> float:
    """Check a confidence level: a number above 0 and at most :data:`MAX_LEVEL`.

    >>> check_level(0.9999999999999999)
    Traceback (most recent call last):
    ...
    ValueError: level must be a number above 0 and at most 0.999999 (0.95 for 95%), not 0.9999999999999999
    """  # noqa: E501
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level <= MAX_LEVEL:
        raise ValueError(
            f"level must be a number above 0 and at most {MAX_LEVEL:g} (0.95 for 95%), "
            f"not {level!r}"
        )
    return float(level)


def normal_quantile(p: float) -> float:
    """The quantile of the standard normal distribution at probability *p* (bisection on erfc).

    >>> round(normal_quantile(0.975), 6)
    1.959964
    """
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, not {p!r}")
    if p > 0.5:
        # The lower tail is where erfc is accurate: use the symmetry of the distribution.
        return -normal_quantile(1 - p)
    low, high = -40.0, 0.0
    for _ in range(200):
        mid = (low + high) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-15:
            break
    return (low + high) / 2


def _beta_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def regularized_beta(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function :math:`I_x(a, b)` for ``a, b > 0``.

    >>> round(regularized_beta(0.5, 2, 2), 12)
    0.5
    """
    if a <= 0 or b <= 0:
        raise ValueError(f"a and b must be positive, not {a!r} and {b!r}")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(x, a, b) / a
    return 1.0 - front * _beta_fraction(1.0 - x, b, a) / b


def beta_quantile(p: float, a: float, b: float) -> float:
    """The quantile of the beta distribution with shapes *a*, *b* at probability *p*.

    Found by bisection on :func:`regularized_beta`, to about 1e-15.

    >>> round(beta_quantile(0.5, 3, 3), 12)
    0.5
    """
    if not 0 <= p <= 1:
        raise ValueError(f"p must lie between 0 and 1, not {p!r}")
    if p == 0:
        return 0.0
    if p == 1:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if regularized_beta(mid, a, b) < p:
            low = mid
        else:
            high = mid
        if high - low < _EPS:
            break
    return (low + high) / 2


def _result(
    responders: int, n: int, low: float, high: float, level: float, method: str
) -> ProportionCI:
    estimate = responders / n
    # Rounding can put an end a hair beyond the estimate when the interval touches it.
    low, high = min(low, estimate), max(high, estimate)
    return ProportionCI(
        responders=responders,
        n=n,
        estimate=100 * estimate,
        low=100 * max(low, 0.0),
        high=100 * min(high, 1.0),
        level=level,
        method=method,
    )


def wilson(responders: int, n: int, *, level: float = 0.95) -> ProportionCI:
    """The Wilson score interval for *responders* out of *n*.

    >>> ci = wilson(0, 10)
    >>> ci.low, round(ci.high, 2)
    (0.0, 27.75)
    """
    _check_counts(responders, n)
    level = check_level(level)
    z = normal_quantile(1 - (1 - level) / 2)
    p = responders / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return _result(responders, n, centre - half, centre + half, level, METHODS["wilson"])


def clopper_pearson(responders: int, n: int, *, level: float = 0.95) -> ProportionCI:
    """The Clopper-Pearson exact interval for *responders* out of *n*.

    >>> ci = clopper_pearson(10, 10)
    >>> round(ci.low, 2), ci.high
    (69.15, 100.0)
    """
    _check_counts(responders, n)
    level = check_level(level)
    alpha = 1 - level
    low = 0.0 if responders == 0 else beta_quantile(alpha / 2, responders, n - responders + 1)
    high = 1.0 if responders == n else beta_quantile(1 - alpha / 2, responders + 1, n - responders)
    return _result(responders, n, low, high, level, METHODS["clopper-pearson"])


def counts(outcome: Outcome) -> Counts:
    """The responders and ``n`` of a proportion *outcome*.

    Where the outcome gives a percentage (exact or approximate) and ``n`` but no responder
    count, the responders are ``percentage × n`` rounded half up, and ``note`` says so.

    >>> from cartlandscape.models import Citation, Outcome
    >>> o = Outcome(id="o", therapy="t", endpoint="orr", value="87.5 percent", n=25,
    ...             citations=(Citation(source="s", locator="p. 2"),))
    >>> counts(o).note
    'responders derived from 87.5 percent of n=25: 21.875, rounded to 22'
    """
    if outcome.endpoint.dimension != "proportion":
        raise InsufficientDataError(
            f"outcome {outcome.id!r} reports {outcome.endpoint.label}, which is not a proportion"
        )
    if outcome.n is None:
        raise InsufficientDataError(f"outcome {outcome.id!r} gives no n (number of patients)")
    if outcome.n == 0:
        raise InsufficientDataError(f"outcome {outcome.id!r} has n = 0")
    if outcome.responders is not None:
        return Counts(responders=outcome.responders, n=outcome.n)
    value = outcome.value
    if not isinstance(value, Exact | Approximate):
        raise InsufficientDataError(
            f"outcome {outcome.id!r} gives {value.describe()} and no responder count: a "
            f"{value.form} does not give one"
        )
    factor = units.to_fraction(value.unit)
    assert factor is not None  # a proportion endpoint's unit is dimensionless
    # Worked out in fractions of the decimals as written, so that 58 percent of 25 is 14.5
    # exactly and rounds half up to 15 (in floating point it is 14.499999999999998).
    exact_fraction = Fraction(repr(value.magnitude)) * Fraction(repr(factor)) * outcome.n
    responders = min(math.floor(exact_fraction + Fraction(1, 2)), outcome.n)
    exact = float(exact_fraction)
    said = value.describe()
    if math.isclose(exact, responders, rel_tol=0, abs_tol=1e-9):
        note = f"responders derived from {said} of n={outcome.n}: {responders}"
    else:
        note = (
            f"responders derived from {said} of n={outcome.n}: {exact:.6g}, rounded to {responders}"
        )
    return Counts(responders=responders, n=outcome.n, derived=True, note=note)


def proportion_ci(
    outcome: Outcome, *, method: Method = "wilson", level: float = 0.95
) -> ProportionCI:
    """The confidence interval of a proportion *outcome* (``"wilson"`` or ``"clopper-pearson"``).

    The result names the method, keeps the outcome's id and citations, and says whether the
    responders were derived from a percentage (see :func:`counts`).

    >>> from cartlandscape.models import Citation, Outcome
    >>> o = Outcome(id="o", therapy="t", endpoint="cr", value="40 percent", n=10, responders=4,
    ...             citations=(Citation(source="s", locator="p. 2"),))
    >>> print(proportion_ci(o, method="clopper-pearson"))
    40 percent (95% CI 12.2–73.8 percent, Clopper-Pearson exact; 4/10)
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    found = counts(outcome)
    compute = wilson if method == "wilson" else clopper_pearson
    ci = compute(found.responders, found.n, level=level)
    return attrs.evolve(
        ci,
        derived=found.derived,
        note=found.note,
        outcome=outcome.id,
        citations=outcome.citations,
    )
