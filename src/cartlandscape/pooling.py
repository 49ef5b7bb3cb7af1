"""Pooling proportions across studies: DerSimonian–Laird random effects on the logit scale.

Each study gives ``x`` responders out of ``n`` (derived from a percentage where only that and
``n`` are reported, see :func:`cartlandscape.stats.counts`).  On the logit scale a study's
effect is ``y = log(x / (n − x))`` with variance ``v = 1/x + 1/(n − x)``.  A study with 0 or
``n`` events has no finite logit: 0.5 is then added to both the events and the non-events of
that study only (``y = log((x + 0.5) / (n − x + 0.5))``, ``v = 1/(x + 0.5) + 1/(n − x + 0.5)``);
the result lists the studies so corrected.

With fixed-effect weights ``w = 1/v``, Cochran's ``Q = Σ w (y − ȳ)²`` on ``k − 1`` degrees of
freedom gives the between-study variance ``τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw))`` and
``I² = max(0, (Q − (k − 1)) / Q)``.  The pooled logit is the mean weighted by
``1 / (v + τ²)``, its interval the normal (Wald) interval on the logit scale; both are
transformed back to percent.

>>> from cartlandscape.models import Citation, Outcome
>>> cite = (Citation(source="s", locator="table 3"),)
>>> studies = [
...     Outcome(id="s1", therapy="t", endpoint="orr", value="80 percent", n=40, responders=32,
...             citations=cite),
...     Outcome(id="s2", therapy="t", endpoint="orr", value="60 percent", n=50, responders=30,
...             citations=cite),
... ]
>>> print(pool(studies))
ORR 70.2 percent (95% CI 47.5–86 percent; DerSimonian–Laird random effects on the logit scale, k=2, τ²=0.361, I²=75.1%)
"""  # noqa: E501

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

import attrs

from cartlandscape._registry import normalize
from cartlandscape.compare import FIELDS, mismatches
from cartlandscape.errors import ComparisonError, InsufficientDataError, Remedy
from cartlandscape.models import Citation, Outcome
from cartlandscape.stats import counts, normal_quantile
from cartlandscape.vocabulary import Endpoint

__all__ = [
    "CONTINUITY_CORRECTION",
    "METHOD",
    "PooledEstimate",
    "StudyEstimate",
    "one_per_study",
    "pool",
    "study_key",
]

#: Added to the events and non-events of a study with 0 or n events.
CONTINUITY_CORRECTION: Final = 0.5
#: The name a pooled estimate gives its method.
METHOD: Final = "DerSimonian–Laird random effects on the logit scale"


def _expit(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


@attrs.frozen(kw_only=True)
class StudyEstimate:
    """One study's part in a pooled estimate: its counts, logit, variance and weight.

    ``estimate``, ``low`` and ``high`` are the study's proportion and Wald interval in
    percent, from the (corrected, where ``corrected``) logit; ``weight`` is its random-effects
    weight as a share of the total (0 to 1).
    """

    outcome: str
    responders: int
    n: int
    derived: bool
    corrected: bool
    logit: float
    variance: float
    weight: float
    estimate: float
    low: float
    high: float
    note: str | None = None
    citations: tuple[Citation, ...] = ()


@attrs.frozen(kw_only=True)
class PooledEstimate:
    """A pooled proportion with its interval, heterogeneity and the studies it used.

    ``estimate``, ``low`` and ``high`` are in percent; ``logit`` and ``se`` are on the logit
    scale; ``tau2`` is the between-study variance (logit scale), ``i2`` the share of variation
    due to heterogeneity (0 to 1), ``q`` Cochran's Q on ``k − 1`` degrees of freedom.
    ``studies`` holds the outcome ids in the order given; ``corrected`` those that needed the
    continuity correction.
    """

    endpoint: Endpoint
    estimate: float
    low: float
    high: float
    logit: float
    se: float
    tau2: float
    i2: float
    q: float
    k: int
    level: float
    studies: tuple[str, ...]
    corrected: tuple[str, ...]
    derived: tuple[str, ...]
    weights: tuple[StudyEstimate, ...]
    method: str = METHOD
    unit: str = "percent"
    citations: tuple[Citation, ...] = ()

    def __str__(self) -> str:
        return (
            f"{self.endpoint.label} {self.estimate:.3g} {self.unit} ({self.level * 100:g}% CI "
            f"{self.low:.3g}–{self.high:.3g} {self.unit}; {self.method}, k={self.k}, "
            f"τ²={self.tau2:.3g}, I²={self.i2 * 100:.1f}%)"
        )


def _logit(responders: int, n: int) -> tuple[float, float, bool]:
    corrected = responders in (0, n)
    extra = CONTINUITY_CORRECTION if corrected else 0.0
    events, others = responders + extra, n - responders + extra
    return math.log(events / others), 1 / events + 1 / others, corrected


def study_key(outcome: Outcome) -> tuple[str, str] | None:
    """The study *outcome* reports, as pooling tells studies apart (None if no study is named).

    Two outcomes of the same therapy (or institution) with the same registry id, or the same
    study name when there is no id, report one study.
    """
    study = outcome.study
    if study is None or not (study.registry_id or study.name):
        return None
    who = outcome.therapy or outcome.institution or ""
    return who, study.registry_id or normalize(study.name or "")


def one_per_study(outcomes: Iterable[Outcome]) -> tuple[list[Outcome], list[str]]:
    """Keep one outcome per study: the one with the largest n (then the last id).

    Returns the outcomes kept, in their order, and a note for each one left out.
    """
    outcomes = list(outcomes)
    best: dict[tuple[str, str], Outcome] = {}
    for outcome in outcomes:
        key = study_key(outcome)
        if key is not None and (
            key not in best or (outcome.n or 0, outcome.id) > (best[key].n or 0, best[key].id)
        ):
            best[key] = outcome
    kept = [o for o in outcomes if (key := study_key(o)) is None or best[key] is o]
    dropped = [
        f"outcome {o.id!r} reports the same study as {best[key].id!r}, kept for its larger n"
        for o in outcomes
        if (key := study_key(o)) is not None and best[key] is not o
    ]
    return kept, dropped


def _check_distinct_studies(outcomes: Iterable[Outcome]) -> None:
    """Refuse two outcomes of one study (same therapy or institution, same study).

    Several reports of one trial (an interim and a final analysis, a paper and a label) would
    count its patients more than once.  Outcomes without a named study are not checked.
    """
    by_study: dict[tuple[str, str], list[str]] = defaultdict(list)
    for outcome in outcomes:
        key = study_key(outcome)
        if key is not None:
            by_study[key].append(outcome.id)
    repeated = [ids for ids in by_study.values() if len(ids) > 1]
    if repeated:
        groups = "; ".join(", ".join(ids) for ids in repeated)
        raise ComparisonError(
            f"outcomes that report the same study would count its patients twice: {groups}",
            (Remedy("one_per_study", True, "to keep one report of each study"),),
        )


def pool(
    outcomes: Iterable[Outcome],
    *,
    level: float = 0.95,
    same_indication: bool = False,
) -> PooledEstimate:
    """Pool proportion *outcomes* by DerSimonian–Laird random effects on the logit scale.

    Every outcome needs ``n`` and a responder count or a point percentage (see
    :func:`cartlandscape.stats.counts`).  Raises
    :class:`~cartlandscape.compare.ComparisonError` when the outcomes differ in endpoint, time
    point, grading scale, grade or unit — or in indication, with ``same_indication=True`` — or
    when two of them report the same study of one therapy (its patients would count twice), and
    :class:`~cartlandscape.stats.InsufficientDataError` when one lacks the counts.

    A single study gives its own logit interval, with ``τ² = 0``.

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
    ids = [o.id for o in found]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ComparisonError(f"outcome(s) given more than once: {', '.join(repeated)}")
    _check_distinct_studies(found)
    fields = FIELDS if same_indication else tuple(f for f in FIELDS if f != "indication")
    differ = mismatches(found, fields=fields)
    if differ:
        raise ComparisonError("cannot pool these outcomes: " + "; ".join(str(m) for m in differ))
    if not 0 < level < 1:
        raise ValueError(f"level must be a number between 0 and 1 (0.95 for 95%), not {level!r}")
    z = normal_quantile(1 - (1 - level) / 2)
    studies = []
    for outcome in found:
        tally = counts(outcome)
        y, v, corrected = _logit(tally.responders, tally.n)
        studies.append((outcome, tally, y, v, corrected))
    k = len(studies)
    w = [1 / s[3] for s in studies]
    total = sum(w)
    fixed = sum(wi * s[2] for wi, s in zip(w, studies, strict=True)) / total
    # With one study there is no heterogeneity: Q is 0 (not the rounding noise of y − ȳ).
    q = sum(wi * (s[2] - fixed) ** 2 for wi, s in zip(w, studies, strict=True)) if k > 1 else 0.0
    c = total - sum(wi * wi for wi in w) / total
    tau2 = max(0.0, (q - (k - 1)) / c) if k > 1 else 0.0
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    w_random = [1 / (s[3] + tau2) for s in studies]
    total_random = sum(w_random)
    mean = sum(wi * s[2] for wi, s in zip(w_random, studies, strict=True)) / total_random
    se = math.sqrt(1 / total_random)
    weights = tuple(
        StudyEstimate(
            outcome=outcome.id,
            responders=tally.responders,
            n=tally.n,
            derived=tally.derived,
            corrected=corrected,
            logit=y,
            variance=v,
            weight=wi / total_random,
            estimate=100 * _expit(y),
            low=100 * _expit(y - z * math.sqrt(v)),
            high=100 * _expit(y + z * math.sqrt(v)),
            note=tally.note,
            citations=outcome.citations,
        )
        for (outcome, tally, y, v, corrected), wi in zip(studies, w_random, strict=True)
    )
    return PooledEstimate(
        endpoint=found[0].endpoint,
        estimate=100 * _expit(mean),
        low=100 * _expit(mean - z * se),
        high=100 * _expit(mean + z * se),
        logit=mean,
        se=se,
        tau2=tau2,
        i2=i2,
        q=q,
        k=k,
        level=level,
        studies=tuple(ids),
        corrected=tuple(s.outcome for s in weights if s.corrected),
        derived=tuple(s.outcome for s in weights if s.derived),
        weights=weights,
        citations=tuple(dict.fromkeys(c for o in found for c in o.citations)),
    )
