"""Random-effects meta-analysis of proportions: the numbers, apart from the records.

:func:`fit` pools ``events`` out of ``n`` per study.  It offers what published meta-analyses of
CAR-T response and toxicity rates use, with the conventions of R's metafor package (``rma`` and
``rma.glmm``), against whose results it is tested:

- the **measure** (the scale the studies are pooled on): ``"logit"`` (``log(x / (n − x))``,
  metafor's ``PLO``) or ``"freeman-tukey"`` (the double arcsine transformation, metafor's
  ``PFT``, transformed back with the harmonic mean of the study sizes as in Miller 1978 and
  metafor's ``transf.ipft.hm``);
- the **τ² estimator** (the between-study variance): ``"dl"`` (DerSimonian–Laird, the method of
  moments), ``"pm"`` (Paule–Mandel), ``"reml"`` (restricted maximum likelihood) or ``"ml"``
  (maximum likelihood);
- the **interval**: ``"normal"`` (a Wald interval on the normal quantile) or ``"hartung-knapp"``
  (the Hartung–Knapp(–Sidik–Jonkman) variance with the t quantile on ``k − 1`` degrees of
  freedom);
- or, instead of the two-stage model, the **binomial-normal GLMM** (``model="glmm"``): a logistic
  random-intercept model fitted by maximum likelihood, with adaptive Gauss–Hermite quadrature of
  7 points per study (the setting metafor passes to lme4).

Every fit reports the prediction interval: where the true proportion of a new study would lie,
``coef ± crit · √(se² + τ²)`` on the pooled scale.

On the logit scale a study with 0 or ``n`` events has no finite effect: ``correction`` (0.5 by
default, metafor's ``add = 1/2, to = "only0"``) is added to its events and non-events, and to no
other study.  The Freeman–Tukey transformation needs no correction; the GLMM uses the counts as
they are.

Paule–Mandel (root finding), Hartung–Knapp (the t distribution), the GLMM (quadrature nodes and
the optimizer) and the p-value of Q (the χ² distribution) use scipy: install the ``stats`` extra
(``pip install 'cartlandscape[stats]'``).  Without it ``q_p`` is None and the rest works.

>>> result = fit([32, 30, 5], [40, 50, 30])
>>> round(result.estimate, 4), round(result.tau2, 4), result.k
(0.523, 1.5347, 3)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypeAlias

import attrs

from cartlandscape.errors import MissingDependencyError
from cartlandscape.stats import check_level, normal_quantile

__all__ = [
    "CI_METHODS",
    "CONTINUITY_CORRECTION",
    "MEASURES",
    "MODELS",
    "TAU2_METHODS",
    "Fit",
    "Interval",
    "Measure",
    "Model",
    "Tau2Method",
    "describe",
    "fit",
    "q_p",
]

Measure: TypeAlias = Literal["logit", "freeman-tukey"]
Tau2Method: TypeAlias = Literal["dl", "pm", "reml", "ml"]
Interval: TypeAlias = Literal["normal", "hartung-knapp"]
Model: TypeAlias = Literal["two-stage", "glmm"]

#: The measures, with the name a result gives each.
MEASURES: Final[dict[str, str]] = {
    "logit": "logit",
    "freeman-tukey": "Freeman–Tukey double arcsine",
}
#: The τ² estimators, with their names.
TAU2_METHODS: Final[dict[str, str]] = {
    "dl": "DerSimonian–Laird",
    "pm": "Paule–Mandel",
    "reml": "REML",
    "ml": "maximum likelihood",
}
#: The intervals, with their names.
CI_METHODS: Final[dict[str, str]] = {"normal": "normal", "hartung-knapp": "Hartung–Knapp"}
#: The models, with their names.
MODELS: Final[dict[str, str]] = {
    "two-stage": "random effects",
    "glmm": "binomial-normal GLMM (maximum likelihood)",
}
#: Added to the events and non-events of a study with 0 or n events (logit scale only).
CONTINUITY_CORRECTION: Final = 0.5
#: Fisher scoring for REML and ML stops once τ² changes by less than this (metafor's default).
SCORING_THRESHOLD: Final = 1e-5
#: The Paule–Mandel root is looked for in [0, PM_UPPER], to PM_TOLERANCE (metafor's defaults).
PM_UPPER: Final = 100.0
PM_TOLERANCE: Final = (2.0**-52) ** 0.25
#: Quadrature points per study in the GLMM.
GLMM_POINTS: Final = 7


def _scipy(what: str) -> Any:
    """scipy, with the submodules used here loaded; a clear error where it is not installed."""
    try:
        import scipy.optimize  # type: ignore[import-untyped, unused-ignore]
        import scipy.special  # type: ignore[import-untyped, unused-ignore]
        import scipy.stats  # type: ignore[import-untyped, unused-ignore]
    except ImportError:  # pragma: no cover - exercised with scipy hidden in the tests
        raise MissingDependencyError(
            f"{what} needs scipy: install it with pip install 'cartlandscape[stats]'"
        ) from None
    return scipy


def _choice(name: str, value: str, choices: dict[str, str]) -> str:
    key = value.casefold() if isinstance(value, str) else value
    if key not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(choices)}")
    return str(key)


@attrs.frozen(kw_only=True)
class Fit:
    """A pooled proportion: the estimate, its intervals, heterogeneity, and each study's part.

    ``estimate``, ``ci`` and ``pi`` (the prediction interval) are proportions from 0 to 1;
    ``coef`` and ``se`` are on the scale of the measure (``yi`` and ``vi`` are the studies'
    effects and variances there); ``tau2`` is the between-study variance on that scale,
    ``i2`` the share of the total variance due to heterogeneity (0 to 1), ``h2`` the ratio of
    the total to the sampling variance, ``q`` Cochran's Q on ``k − 1`` degrees of freedom with
    its p-value ``q_p`` (None without scipy).  ``weights`` are the studies' shares of the
    total weight (0 to 1); ``corrected`` tells which studies got the continuity correction.
    """

    measure: str
    tau2_method: str
    interval: str
    model: str
    level: float
    k: int
    coef: float
    se: float
    estimate: float
    ci: tuple[float, float]
    pi: tuple[float, float]
    tau2: float
    i2: float
    h2: float
    q: float
    q_p: float | None
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    corrected: tuple[bool, ...]
    study_estimates: tuple[tuple[float, float, float], ...]
    correction: float = CONTINUITY_CORRECTION

    @property
    def method(self) -> str:
        """The method in words, e.g. ``'DerSimonian–Laird random effects on the logit scale'``."""
        return describe(self.measure, self.tau2_method, self.interval, self.model)


def describe(measure: str, tau2: str, interval: str, model: str = "two-stage") -> str:
    """Name a method in words.

    >>> describe("freeman-tukey", "reml", "hartung-knapp")
    'REML random effects on the Freeman–Tukey double arcsine scale, Hartung–Knapp interval'
    """
    if model == "glmm":
        return MODELS["glmm"]
    text = f"{TAU2_METHODS[tau2]} random effects on the {MEASURES[measure]} scale"
    return text if interval == "normal" else f"{text}, {CI_METHODS[interval]} interval"


# -- the measures ---------------------------------------------------------------------------


def _expit(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def _pft(p: float, n: float) -> float:
    """The Freeman–Tukey transform of the proportion *p* of *n*."""
    x = p * n
    return 0.5 * (math.asin(math.sqrt(x / (n + 1))) + math.asin(math.sqrt((x + 1) / (n + 1))))


def _ipft(y: float, n: float) -> float:
    """Back from the Freeman–Tukey scale to a proportion, for a study size *n* (Miller 1978)."""
    if y > _pft(1.0, n):
        return 1.0
    if y < _pft(0.0, n):
        return 0.0
    s = math.sin(2 * y)
    inner = 1 - (s + (s - 1 / s) / n) ** 2
    return 0.5 * (1 - math.copysign(1.0, math.cos(2 * y)) * math.sqrt(max(inner, 0.0)))


def _effects(
    events: Sequence[int], n: Sequence[int], measure: str, correction: float
) -> tuple[list[float], list[float], list[bool]]:
    y: list[float] = []
    v: list[float] = []
    corrected: list[bool] = []
    for x, size in zip(events, n, strict=True):
        if measure == "logit":
            fix = x in (0, size)
            add = correction if fix else 0.0
            a, b = x + add, size - x + add
            if a <= 0 or b <= 0:
                raise ValueError(
                    f"a study with {x} events of {size} has no logit without a continuity "
                    "correction; give a correction above 0"
                )
            y.append(math.log(a / b))
            v.append(1 / a + 1 / b)
            corrected.append(fix and add > 0)
        else:
            y.append(
                0.5
                * (
                    math.asin(math.sqrt(x / (size + 1)))
                    + math.asin(math.sqrt((x + 1) / (size + 1)))
                )
            )
            v.append(1 / (4 * size + 2))
            corrected.append(False)
    return y, v, corrected


# -- τ² -----------------------------------------------------------------------------------


def _weighted_mean(y: Sequence[float], w: Sequence[float]) -> float:
    return sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)


def _q(y: Sequence[float], v: Sequence[float], tau2: float) -> float:
    """The generalized Q statistic at *tau2* (Cochran's Q at 0)."""
    w = [1 / (vi + tau2) for vi in v]
    mu = _weighted_mean(y, w)
    return sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))


def _tau2_dl(y: Sequence[float], v: Sequence[float]) -> float:
    k = len(y)
    w = [1 / vi for vi in v]
    total = sum(w)
    c = total - sum(wi * wi for wi in w) / total
    return max(0.0, (_q(y, v, 0.0) - (k - 1)) / c)


def _tau2_he(y: Sequence[float], v: Sequence[float]) -> float:
    """The Hedges estimator: the spread of the effects less their mean sampling variance."""
    k = len(y)
    mean = sum(y) / k
    return max(0.0, sum((yi - mean) ** 2 for yi in y) / (k - 1) - sum(v) / k)


def _fisher_step(y: Sequence[float], v: Sequence[float], tau2: float, restricted: bool) -> float:
    """One Fisher scoring step for the (restricted) maximum likelihood τ²."""
    w = [1 / (vi + tau2) for vi in v]
    total = sum(w)
    w2 = sum(wi * wi for wi in w)
    mu = _weighted_mean(y, w)
    rpr = sum(wi * wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))
    if not restricted:
        return (rpr - total) / w2
    trace_p = total - w2 / total
    trace_pp = w2 - 2 * sum(wi**3 for wi in w) / total + (w2 / total) ** 2
    return (rpr - trace_p) / trace_pp


def _tau2_scoring(y: Sequence[float], v: Sequence[float], restricted: bool) -> float:
    """τ² by Fisher scoring from the Hedges estimate, as metafor's ``rma`` finds it.

    The steps stop once τ² changes by less than 1e-5 (metafor's ``threshold``), a step that
    would make τ² negative being halved until it does not, so that the numbers are those of
    the analyses published with metafor.
    """
    tau2 = _tau2_he(y, v)
    for _ in range(1000):
        step = _fisher_step(y, v, tau2, restricted)
        while tau2 + step < 0:
            step /= 2
        tau2, previous = tau2 + step, tau2
        if abs(tau2 - previous) <= SCORING_THRESHOLD:
            return tau2
    raise ValueError("the τ² estimate did not converge in 1,000 Fisher scoring steps")


def _tau2_pm(y: Sequence[float], v: Sequence[float]) -> float:
    """The Paule–Mandel τ²: where the generalized Q equals its degrees of freedom.

    Found by Brent's method on [0, 100] to metafor's tolerance (``.Machine$double.eps^0.25``).
    """
    df = len(y) - 1
    if _q(y, v, 0.0) < df:
        return 0.0
    if _q(y, v, PM_UPPER) > df:
        raise ValueError(
            "the Paule–Mandel τ² is above 100 on this scale; the studies are too far apart"
        )
    optimize = _scipy("the Paule–Mandel estimator").optimize
    return float(
        optimize.brentq(
            lambda t: _q(y, v, t) - df, 0.0, PM_UPPER, xtol=PM_TOLERANCE, rtol=4 * 2.0**-52
        )
    )


def _tau2(y: Sequence[float], v: Sequence[float], method: str) -> float:
    if len(y) < 2:
        return 0.0
    if method == "dl":
        return _tau2_dl(y, v)
    if method == "pm":
        return _tau2_pm(y, v)
    return _tau2_scoring(y, v, restricted=method == "reml")


def _typical_variance(v: Sequence[float]) -> float:
    """The 'typical' within-study variance of Higgins and Thompson (2002)."""
    w = [1 / vi for vi in v]
    total = sum(w)
    return (len(v) - 1) * total / (total * total - sum(wi * wi for wi in w))


def _heterogeneity(v: Sequence[float], tau2: float) -> tuple[float, float]:
    if len(v) < 2:
        return 0.0, 1.0
    s2 = _typical_variance(v)
    return tau2 / (tau2 + s2), (tau2 + s2) / s2


def q_p(q: float, df: int) -> float | None:
    """The p-value of a Q statistic on *df* degrees of freedom (None without scipy)."""
    if df < 1:
        return None
    try:
        stats = _scipy("the p-value of Q").stats
    except MissingDependencyError:
        return None
    return float(stats.chi2.sf(q, df))


# -- the fits ----------------------------------------------------------------------------------


def _crit(level: float, interval: str, k: int) -> float:
    p = 1 - (1 - level) / 2
    if interval == "normal":
        return normal_quantile(p)
    if k < 2:
        raise ValueError("the Hartung–Knapp interval needs at least two studies")
    return float(_scipy("the Hartung–Knapp interval").stats.t.ppf(p, k - 1))


def fit(
    events: Sequence[int],
    n: Sequence[int],
    *,
    measure: Measure = "logit",
    tau2: Tau2Method | None = None,
    ci: Interval = "normal",
    model: Model = "two-stage",
    level: float = 0.95,
    correction: float = CONTINUITY_CORRECTION,
) -> Fit:
    """Pool *events* out of *n* per study; see the module's description of the choices.

    ``tau2`` defaults to ``"dl"`` for the two-stage model and is ``"ml"`` for the GLMM (the
    only estimator it offers); the GLMM pools on the logit scale with a normal interval.
    """
    measure = _choice("measure", measure, MEASURES)  # type: ignore[assignment]
    ci = _choice("interval", ci, CI_METHODS)  # type: ignore[assignment]
    model = _choice("model", model, MODELS)  # type: ignore[assignment]
    method = _choice("τ² estimator", tau2 or ("ml" if model == "glmm" else "dl"), TAU2_METHODS)
    level = check_level(level)
    if not (isinstance(correction, int | float) and math.isfinite(correction) and correction >= 0):
        raise ValueError(f"the continuity correction must be a number ≥ 0, not {correction!r}")
    if len(events) != len(n) or not events:
        raise ValueError("give events and n for at least one study, as many of each")
    for x, size in zip(events, n, strict=True):
        if not (isinstance(x, int) and isinstance(size, int) and 0 <= x <= size and size > 0):
            raise ValueError(f"expected 0 ≤ events ≤ n and n > 0, found {x} of {size}")
    if model == "glmm":
        if measure != "logit" or method != "ml" or ci != "normal":
            raise ValueError(
                "the GLMM pools on the logit scale by maximum likelihood with a normal interval"
            )
        return _fit_glmm(events, n, level, correction)
    y, v, corrected = _effects(events, n, measure, correction)
    k = len(y)
    t2 = _tau2(y, v, method)
    w = [1 / (vi + t2) for vi in v]
    total = sum(w)
    coef = _weighted_mean(y, w)
    if ci == "hartung-knapp" and k > 1:
        se = math.sqrt(
            sum(wi * (yi - coef) ** 2 for wi, yi in zip(w, y, strict=True)) / ((k - 1) * total)
        )
    else:
        se = math.sqrt(1 / total)
    q = _q(y, v, 0.0) if k > 1 else 0.0
    return _assemble(
        (measure, method, ci, model),
        level,
        n,
        (y, v, corrected),
        (coef, se, _crit(level, ci, k), t2, q),
        correction,
    )


def _assemble(
    method: tuple[str, str, str, str],
    level: float,
    n: Sequence[int],
    effects: tuple[list[float], list[float], list[bool]],
    pooled: tuple[float, float, float, float, float],
    correction: float,
) -> Fit:
    """A :class:`Fit`, its intervals, heterogeneity, weights and study estimates worked out.

    *pooled* is the pooled coefficient, its standard error, the critical value, τ² and Q.
    """
    measure, tau2_method, interval, model = method
    y, v, corrected = effects
    coef, se, crit, tau2, q = pooled
    back = _back(measure, n)
    spread = math.sqrt(se * se + tau2)
    z = normal_quantile(1 - (1 - level) / 2)
    w = [1 / (vi + tau2) for vi in v]
    total = sum(w)
    i2, h2 = _heterogeneity(v, tau2)
    return Fit(
        measure=measure,
        tau2_method=tau2_method,
        interval=interval,
        model=model,
        level=level,
        k=len(y),
        coef=coef,
        se=se,
        estimate=back(coef),
        ci=(back(coef - crit * se), back(coef + crit * se)),
        pi=(back(coef - crit * spread), back(coef + crit * spread)),
        tau2=tau2,
        i2=i2,
        h2=h2,
        q=q,
        q_p=q_p(q, len(y) - 1),
        yi=tuple(y),
        vi=tuple(v),
        weights=tuple(wi / total for wi in w),
        corrected=tuple(corrected),
        study_estimates=tuple(
            (
                _back(measure, [size])(yi),
                _back(measure, [size])(yi - z * math.sqrt(vi)),
                _back(measure, [size])(yi + z * math.sqrt(vi)),
            )
            for yi, vi, size in zip(y, v, n, strict=True)
        ),
        correction=correction,
    )


def _back(measure: str, n: Sequence[int]) -> Callable[[float], float]:
    if measure == "logit":
        return _expit
    harmonic = len(n) / sum(1 / size for size in n)
    return lambda y: _ipft(y, harmonic)


# -- the binomial-normal GLMM ---------------------------------------------------------------------


def _log_binomial(x: int, size: int, eta: float) -> float:
    """Log-probability P(x | size, expit(eta)) without the binomial coefficient."""
    # log expit(eta) = -log1p(exp(-eta)); log(1 - expit(eta)) = -log1p(exp(eta)).
    log_p = -math.log1p(math.exp(-eta)) if eta > -30 else eta
    log_q = -math.log1p(math.exp(eta)) if eta < 30 else -eta
    return x * log_p + (size - x) * log_q


def _study_log_likelihood(
    x: int, size: int, mu: float, tau: float, nodes: Sequence[float], weights: Sequence[float]
) -> float:
    """The log of ∫ Binomial(x | size, expit(mu + tau·u)) φ(u) du, by adaptive quadrature."""
    if tau <= 0:
        return _log_binomial(x, size, mu)

    def h(u: float) -> float:
        return _log_binomial(x, size, mu + tau * u) - 0.5 * u * u

    # The mode of h by Newton's method, then its curvature there.
    u = 0.0
    for _ in range(100):
        p = _expit(mu + tau * u)
        grad = tau * (x - size * p) - u
        hess = -tau * tau * size * p * (1 - p) - 1
        step = grad / hess
        u -= step
        if abs(step) < 1e-12:
            break
    p = _expit(mu + tau * u)
    sigma = 1 / math.sqrt(tau * tau * size * p * (1 - p) + 1)
    terms = [
        math.log(wj) + tj * tj + h(u + math.sqrt(2) * sigma * tj)
        for tj, wj in zip(nodes, weights, strict=True)
    ]
    top = max(terms)
    total = sum(math.exp(t - top) for t in terms)
    return top + math.log(total) + math.log(math.sqrt(2) * sigma) - 0.5 * math.log(2 * math.pi)


def _fit_glmm(events: Sequence[int], n: Sequence[int], level: float, correction: float) -> Fit:
    scipy = _scipy("the binomial-normal GLMM")
    nodes, weights = scipy.special.roots_hermite(GLMM_POINTS)
    nodes, weights = [float(t) for t in nodes], [float(w) for w in weights]

    def loglik(mu: float, tau: float) -> float:
        return sum(
            _study_log_likelihood(x, size, mu, tau, nodes, weights)
            for x, size in zip(events, n, strict=True)
        )

    def objective(params: Any) -> float:
        return -loglik(float(params[0]), abs(float(params[1])))

    # Start from the two-stage DerSimonian–Laird fit on the logit scale.
    y, v, corrected = _effects(events, n, "logit", correction)
    start_tau2 = _tau2_dl(y, v) if len(y) > 1 else 0.0
    start = [_weighted_mean(y, [1 / (vi + start_tau2) for vi in v]), math.sqrt(start_tau2) + 0.1]
    best = scipy.optimize.minimize(
        objective, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}
    )
    mu, tau = float(best.x[0]), abs(float(best.x[1]))
    # The boundary τ = 0 (all heterogeneity explained by chance) is a model of its own.
    pooled = sum(events) / sum(n)
    if 0 < pooled < 1:
        mu0 = math.log(sum(events) / (sum(n) - sum(events)))
        if loglik(mu0, 0.0) >= loglik(mu, tau) - 1e-9:
            mu, tau = mu0, 0.0
    se = _glmm_se(loglik, mu, tau)
    # Heterogeneity as metafor reports it for rma.glmm: I² and H² from the typical variance of
    # the logit effects, and the Wald-type Q of the studies with neither 0 nor n events.
    inner = [(yi, vi) for yi, vi, c in zip(y, v, corrected, strict=True) if not c]
    q = _q([a for a, _ in inner], [b for _, b in inner], 0.0) if len(inner) > 1 else 0.0
    z = normal_quantile(1 - (1 - level) / 2)
    return _assemble(
        ("logit", "ml", "normal", "glmm"),
        level,
        n,
        (y, v, corrected),
        (mu, se, z, tau * tau, q),
        correction,
    )


def _glmm_se(loglik: Callable[[float, float], float], mu: float, tau: float) -> float:
    """The standard error of the pooled logit from the observed information.

    At an inner optimum the information of (μ, τ) is inverted together; on the boundary τ = 0
    only μ's information counts.
    """
    h = 1e-4

    def second(f: Callable[[float], float], x: float) -> float:
        return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)

    i_mm = -second(lambda m: loglik(m, tau), mu)
    if tau <= 1e-6:
        return 1 / math.sqrt(i_mm)
    i_tt = -second(lambda t: loglik(mu, t), tau)
    i_mt = -(
        loglik(mu + h, tau + h)
        - loglik(mu + h, tau - h)
        - loglik(mu - h, tau + h)
        + loglik(mu - h, tau - h)
    ) / (4 * h * h)
    det = i_mm * i_tt - i_mt * i_mt
    return math.sqrt(i_tt / det)
