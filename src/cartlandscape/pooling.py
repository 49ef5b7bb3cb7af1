"""Pooling proportions across studies: random-effects meta-analysis of outcome records.

Each study gives ``x`` responders out of ``n`` (derived from a percentage where only that and
``n`` are reported, see :func:`cartlandscape.stats.counts`).  :func:`pool` checks that the
outcomes can be pooled at all (one endpoint, time point, grading; one report per study: the
rules of :mod:`cartlandscape.matching`) and then fits the model chosen with :func:`cartlandscape.metaanalysis.fit`: by default
DerSimonian–Laird random effects on the logit scale with a normal (Wald) interval, the method
of most published CAR-T meta-analyses; the measure (logit or Freeman–Tukey), the τ² estimator
(DL, REML, Paule–Mandel, ML), the interval (normal or Hartung–Knapp) and the binomial-normal
GLMM can be chosen.  Every result has the 95 % prediction interval.

On the logit scale a study with 0 or ``n`` events has no finite logit: 0.5 (``correction``) is
then added to both the events and the non-events of that study only; the result lists the
studies so corrected.

:func:`leave_one_out` refits with each study left out in turn; :func:`subgroups` pools each
subgroup on its own and tests whether they differ.

>>> from cartlandscape.models import Citation, Outcome
>>> cite = (Citation(source="s", locator="table 3"),)
>>> studies = [
...     Outcome(id="s1", therapy="t", endpoint="orr", value="80 percent", n=40, responders=32,
...             citations=cite),
...     Outcome(id="s2", therapy="t", endpoint="orr", value="60 percent", n=50, responders=30,
...             citations=cite),
... ]
>>> print(pool(studies))
ORR 70.2 percent (95% CI 47.5–86 percent; 95% PI 34.1–91.5 percent; DerSimonian–Laird random effects on the logit scale, k=2, τ²=0.361, I²=75.1%)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final, TypedDict

import attrs

from cartlandscape import metaanalysis
from cartlandscape.errors import InsufficientDataError
from cartlandscape.matching import check_poolable
from cartlandscape.metaanalysis import Fit, Interval, Measure, Model, Tau2Method
from cartlandscape.models import Citation, Outcome
from cartlandscape.stats import Counts, check_level, counts
from cartlandscape.studies import one_per_study, study_key
from cartlandscape.vocabulary import Endpoint

__all__ = [
    "CONTINUITY_CORRECTION",
    "METHOD",
    "PooledEstimate",
    "StudyEstimate",
    "SubgroupAnalysis",
    "leave_one_out",
    "one_per_study",
    "pool",
    "study_key",
    "subgroups",
]

#: Added to the events and non-events of a study with 0 or n events (logit scale).
CONTINUITY_CORRECTION: Final = metaanalysis.CONTINUITY_CORRECTION
#: The name the default method goes by.
METHOD: Final = metaanalysis.describe("logit", "dl", "normal")


@attrs.frozen(kw_only=True)
class StudyEstimate:
    """One study's part in a pooled estimate: its counts, effect, variance and weight.

    ``effect`` and ``variance`` are on the scale of the measure (the logit, or the
    Freeman–Tukey double arcsine); ``estimate``, ``low`` and ``high`` are the study's
    proportion and Wald interval in percent, from that effect (the corrected one, where
    ``corrected``); ``weight`` is its share of the total weight (0 to 1).
    """

    outcome: str
    responders: int
    n: int
    derived: bool
    corrected: bool
    effect: float
    variance: float
    weight: float
    estimate: float
    low: float
    high: float
    note: str | None = None
    citations: tuple[Citation, ...] = ()

    @property
    def logit(self) -> float:
        """The study's effect (the name it had when only the logit scale was offered)."""
        return self.effect


@attrs.frozen(kw_only=True)
class PooledEstimate:
    """A pooled proportion with its intervals, heterogeneity and the studies it used.

    ``estimate``, ``low`` and ``high`` (the confidence interval) and ``pi_low`` and
    ``pi_high`` (the prediction interval: where a new study's true proportion would lie) are
    in percent; ``coef`` and ``se`` are on the scale of the ``measure``; ``tau2`` is the
    between-study variance on that scale, ``i2`` the share of variation due to heterogeneity
    (0 to 1), ``h2`` the ratio of total to sampling variance, ``q`` Cochran's Q on ``k − 1``
    degrees of freedom and ``q_p`` its p-value (None without scipy).  ``studies`` holds the
    outcome ids in the order given; ``corrected`` those that needed the continuity correction.
    """

    endpoint: Endpoint
    estimate: float
    low: float
    high: float
    pi_low: float
    pi_high: float
    coef: float
    se: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_p: float | None
    k: int
    level: float
    studies: tuple[str, ...]
    corrected: tuple[str, ...]
    derived: tuple[str, ...]
    weights: tuple[StudyEstimate, ...]
    measure: str = "logit"
    tau2_method: str = "dl"
    interval: str = "normal"
    model: str = "two-stage"
    correction: float = CONTINUITY_CORRECTION
    method: str = METHOD
    unit: str = "percent"
    citations: tuple[Citation, ...] = ()

    @property
    def logit(self) -> float:
        """The pooled logit (only for a fit on the logit scale)."""
        if self.measure != "logit":
            raise AttributeError(f"a fit on the {self.measure} scale has no logit; see coef")
        return self.coef

    def __repr__(self) -> str:
        return f"<PooledEstimate of {self.endpoint.label}: {_percent(self.estimate)}, k={self.k}>"

    def _repr_html_(self) -> str:
        from cartlandscape.display import pooled_html

        return pooled_html(self)

    def __str__(self) -> str:
        level = f"{self.level * 100:g}%"
        return (
            f"{self.endpoint.label} {_percent(self.estimate)} {self.unit} ({level} CI "
            f"{_percent(self.low)}–{_percent(self.high)} {self.unit}; {level} PI "
            f"{_percent(self.pi_low)}–{_percent(self.pi_high)} {self.unit}; {self.method}, "
            f"k={self.k}, τ²={self.tau2:.3g}, I²={self.i2 * 100:.1f}%)"
        )


def _percent(value: float) -> str:
    """A percentage to three significant digits, with the ends of the scale kept apart.

    >>> _percent(3.98e-9), _percent(0.0), _percent(47.54), _percent(99.97), _percent(100.0)
    ('<0.1', '0', '47.5', '>99.9', '100')
    """
    if 0 < value < 0.1:
        return "<0.1"
    if 99.9 < value < 100:
        return ">99.9"
    return f"{value:.3g}"


class _Percent(TypedDict):
    estimate: float
    low: float
    high: float


def _in_percent(estimate: float, low: float, high: float) -> _Percent:
    """A proportion and the ends of its interval (0 to 1), as the percentages results hold."""
    return {"estimate": 100 * estimate, "low": 100 * low, "high": 100 * high}


#: The fields a pooled estimate takes from its fit as they are (the scale's own numbers, the
#: heterogeneity and the method).
_AS_FITTED: Final = (
    *("coef", "se", "tau2", "i2", "h2", "q", "q_p", "k"),
    *("measure", "tau2_method", "interval", "model", "correction", "method"),
)


def _study_estimates(
    found: list[Outcome], tallies: list[Counts], result: Fit
) -> tuple[StudyEstimate, ...]:
    """Each outcome's counts, own estimate and weight in the fit, in the order given."""
    per_study = zip(
        result.yi, result.vi, result.weights, result.corrected, result.study_estimates, strict=True
    )
    return tuple(
        StudyEstimate(
            outcome=outcome.id,
            **attrs.asdict(tally),
            corrected=corrected,
            effect=y,
            variance=v,
            weight=w,
            **_in_percent(*own),
            citations=outcome.citations,
        )
        for outcome, tally, (y, v, w, corrected, own) in zip(found, tallies, per_study, strict=True)
    )


# Long for its docstring: 26 lines with the doctests; the code is under 80 lines.
def pool(
    outcomes: Iterable[Outcome],
    *,
    endpoint: Endpoint | str | None = None,
    level: float = 0.95,
    same_indication: bool = False,
    measure: Measure = "logit",
    tau2: Tau2Method | None = None,
    ci: Interval = "normal",
    model: Model = "two-stage",
    correction: float = CONTINUITY_CORRECTION,
) -> PooledEstimate:
    """Pool proportion *outcomes* by random effects (DerSimonian–Laird on the logit scale).

    Every outcome needs ``n`` and a responder count or a point percentage (see
    :func:`cartlandscape.stats.counts`).  Given *endpoint*, every outcome must report it: an
    outcome of another endpoint is refused, never pooled under the name asked for.  Raises
    :class:`~cartlandscape.compare.ComparisonError` when the outcomes differ in endpoint, time
    point, grading scale, grade or unit — or in indication, with ``same_indication=True`` — or
    when two of them report the same study of one therapy (its patients would count twice), and
    :class:`~cartlandscape.stats.InsufficientDataError` when one lacks the counts.

    *measure*, *tau2*, *ci*, *model* and *correction* choose the method, as
    :func:`cartlandscape.metaanalysis.fit` describes; Paule–Mandel, Hartung–Knapp and the GLMM
    need scipy (the ``stats`` extra).  A single study gives its own interval, with ``τ² = 0``.

    >>> from cartlandscape.models import Citation, Outcome
    >>> cite = (Citation(source="s", locator="table 3"),)
    >>> a = Outcome(id="a", therapy="t", endpoint="cr", value="0 percent", n=9, responders=0,
    ...             citations=cite)
    >>> b = Outcome(id="b", therapy="t", endpoint="orr", value="50 percent", n=8, citations=cite)
    >>> pool([a, b])
    Traceback (most recent call last):
    ...
    cartlandscape.errors.ComparisonError: cannot pool these outcomes: endpoints differ: CR (a), ORR (b)
    >>> pool([a]).corrected
    ('a',)
    """  # noqa: E501
    found = list(outcomes)
    if not found:
        raise InsufficientDataError("pool needs at least one outcome")
    check_poolable(found, endpoint, same_indication=same_indication)
    level = check_level(level)
    tallies = [counts(outcome) for outcome in found]
    result = metaanalysis.fit(
        [t.responders for t in tallies],
        [t.n for t in tallies],
        measure=measure,
        tau2=tau2,
        ci=ci,
        model=model,
        level=level,
        correction=correction,
    )
    weights = _study_estimates(found, tallies, result)
    return PooledEstimate(
        endpoint=found[0].endpoint,
        **_in_percent(result.estimate, *result.ci),
        pi_low=100 * result.pi[0],
        pi_high=100 * result.pi[1],
        **{name: getattr(result, name) for name in _AS_FITTED},
        level=level,
        studies=tuple(o.id for o in found),
        corrected=tuple(s.outcome for s in weights if s.corrected),
        derived=tuple(s.outcome for s in weights if s.derived),
        weights=weights,
        citations=tuple(dict.fromkeys(c for o in found for c in o.citations)),
    )


def leave_one_out(outcomes: Iterable[Outcome], **options: Any) -> tuple[PooledEstimate, ...]:
    """Pool the outcomes again with each one left out in turn (a sensitivity analysis).

    Returns one estimate per outcome, in the order given; the one at position ``i`` leaves out
    the ``i``-th outcome (its ``studies`` say which are in).  *options* are those of
    :func:`pool`.  Needs at least three outcomes, so that every refit pools two or more.
    """
    found = list(outcomes)
    if len(found) < 3:
        raise InsufficientDataError("leaving one out needs at least three outcomes")
    return tuple(pool(found[:i] + found[i + 1 :], **options) for i in range(len(found)))


@attrs.frozen(kw_only=True)
class SubgroupAnalysis:
    """Each subgroup pooled on its own, and the test of whether the subgroups differ.

    ``q_between`` is the Wald-type Q of the subgroup estimates around their fixed-effect mean
    (on the scale of the measure, each weighted by ``1 / se²``), on ``df`` = subgroups − 1
    degrees of freedom, with its p-value ``p`` (None without scipy).  This is the test
    published subgroup analyses report when each subgroup has its own τ² (the ``meta``
    package's default; metafor fits it as a meta-regression on the subgroup estimates).
    """

    by: str
    groups: tuple[tuple[str, PooledEstimate], ...]
    q_between: float
    df: int
    p: float | None

    def __str__(self) -> str:
        lines = [f"{label}: {estimate}" for label, estimate in self.groups]
        p = "" if self.p is None else f", p={self.p:.3g}"
        lines.append(f"Test for subgroup differences: Q={self.q_between:.3g}, df={self.df}{p}")
        return "\n".join(lines)


def subgroups(
    outcomes: Iterable[Outcome],
    key: Callable[[Outcome], str],
    *,
    by: str = "subgroup",
    **options: Any,
) -> SubgroupAnalysis:
    """Pool the outcomes of each subgroup (``key(outcome)`` names it) and test the difference.

    *options* are those of :func:`pool`; every subgroup is pooled with the same choices.
    Subgroups come in the order their first outcome does.
    """
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(key(outcome), []).append(outcome)
    if len(grouped) < 2:
        raise InsufficientDataError(
            f"a subgroup analysis needs two or more subgroups; the outcomes have {len(grouped)}"
        )
    fits = tuple((label, pool(found, **options)) for label, found in grouped.items())
    w = [1 / (f.se * f.se) for _, f in fits]
    mean = sum(wi * f.coef for wi, (_, f) in zip(w, fits, strict=True)) / sum(w)
    q = sum(wi * (f.coef - mean) ** 2 for wi, (_, f) in zip(w, fits, strict=True))
    df = len(fits) - 1
    return SubgroupAnalysis(by=by, groups=fits, q_between=q, df=df, p=metaanalysis.q_p(q, df))
