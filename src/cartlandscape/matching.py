"""When outcome records answer the same question: the rules comparisons and pooling share.

:func:`cartlandscape.compare.compare`, :func:`~cartlandscape.compare.rank` and
:func:`cartlandscape.pooling.pool` set outcomes side by side, or pool them, only where they
answer one question.  The rules are these, and this module is their one home:

- **Endpoint.**  The same member of :class:`~cartlandscape.vocabulary.Endpoint`; CR, CR/CRi,
  sCR and sCR/CR all measure complete response under different criteria, and are *related*
  (:func:`related`): a comparison may offer one for another, flagged, but never silently.
- **Indication.**  The same indication.  A question about an indication covers its
  sub-indications (:func:`in_scope`), but two sub-indications still differ from each other.
  Pooling asks for one indication only when told to (``same_indication=True``).
- **Setting and analysis set.**  The same line of therapy and the same set of patients; an
  outcome whose setting or analysis set is not stated matches any.
- **Time point.**  The same time point after conversion to months (``12 month`` and
  ``1 year`` agree); no time point matches only no time point.
- **Grading.**  The same grading scale and the same grades.  A grade on one scale is not the
  same grade on another, and a scale that is not stated matches no scale, itself included.
- **Unit.**  Units of the same dimension (a proportion is never set against a time).
- **Follow-up and data cut** never refuse, but are *cautions* (:func:`cautions`): median
  follow-ups at least :data:`FOLLOW_UP_RATIO` times apart, and data cuts at least
  :data:`DATA_CUT_DAYS` days apart.
- **One report per study.**  Two outcomes of one therapy (or institution), one study and one
  indication (:func:`cartlandscape.studies.study_key`) report the same patients: pooling
  refuses them (:func:`check_poolable`), and a comparison gives no difference between them
  (:func:`same_study`).  :func:`cartlandscape.studies.one_per_study` keeps one of each.

:func:`mismatches` says in which of :data:`FIELDS` outcomes differ, each as a
:class:`Mismatch` that names every outcome and what it says.

>>> from cartlandscape.models import Citation, Outcome
>>> cite = (Citation(source="s", locator="p. 1"),)
>>> a = Outcome(id="a", therapy="t", endpoint="crs", grade=">=3", grading_scale="lee-2014",
...             value="13 percent", citations=cite)
>>> b = Outcome(id="b", therapy="u", endpoint="crs", grade=">=3", grading_scale="astct-2019",
...             value="9 percent", citations=cite)
>>> print(mismatches([a, b])[0])
grading scales differ (a grade on one scale is not the same grade on another, and a scale not stated matches none): Lee 2014 (a), ASTCT 2019 (b)
"""  # noqa: E501

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Final

import attrs

from cartlandscape._registry import Registry
from cartlandscape.errors import ComparisonError, Remedy
from cartlandscape.models import Outcome
from cartlandscape.studies import study_key
from cartlandscape.values import Bound, Value
from cartlandscape.vocabulary import (
    AnalysisSet,
    Endpoint,
    Grade,
    GradingScale,
    Setting,
    parse_endpoint,
)

__all__ = [
    "CAUTION_FIELDS",
    "DATA_CUT_DAYS",
    "FIELDS",
    "FOLLOW_UP_RATIO",
    "KEYS",
    "Mismatch",
    "against_question",
    "cautions",
    "check_one_report_per_study",
    "check_poolable",
    "departures",
    "in_scope",
    "mismatches",
    "related",
    "same_study",
    "shown",
    "time_key",
]

#: The fields outcomes must agree on to be compared, in the order mismatches are listed.
FIELDS: Final = (
    "endpoint",
    "indication",
    "setting",
    "analysis_set",
    "timepoint",
    "grading_scale",
    "grade",
    "unit",
)
#: The fields a comparison flags when they differ, without refusing: how long patients were
#: followed, and when the data were cut (see :func:`cautions`).
CAUTION_FIELDS: Final = ("follow_up", "data_cut")
#: A median follow-up this many times another one is flagged.
FOLLOW_UP_RATIO: Final = 1.5
#: Data cuts this many days apart or more are flagged.
DATA_CUT_DAYS: Final = 183
#: A mismatch over more outcomes than this is told as counts per value.
_LISTED: Final = 6
_WHAT: Final = {
    "endpoint": "endpoints",
    "indication": "indications",
    "setting": "settings",
    "analysis_set": "analysis sets",
    "timepoint": "time points",
    "grading_scale": "grading scales",
    "grade": "grades",
    "unit": "units",
    "follow_up": "median follow-ups",
    "data_cut": "data cuts",
}
#: Values that say nothing: an outcome whose setting or analysis set is not stated matches any.
_UNKNOWN: Final[dict[str, frozenset[object]]] = {
    "setting": frozenset({Setting.NOT_STATED}),
    "analysis_set": frozenset({None, AnalysisSet.NOT_STATED}),
}
#: Why a mismatch in a field matters, where it is not plain.
_WHY: Final = {
    "grading_scale": (
        " (a grade on one scale is not the same grade on another, and a scale not stated "
        "matches none)"
    ),
}
#: Endpoints that all measure complete response, under different disease criteria.
_FAMILIES: Final = (frozenset({Endpoint.CR, Endpoint.CR_CRI, Endpoint.SCR, Endpoint.SCR_CR}),)
_NOT_STATED: Final = "not stated"
#: The remedy of a pooling refused for two reports of one study.
_ONE_PER_STUDY: Final = Remedy(
    "one_per_study",
    True,
    "to keep one report of each study",
    call="cartlandscape.studies.one_per_study(outcomes, registry)",
)


def time_key(value: Value | None) -> Hashable:
    """What two time points must share to agree: form, relation and magnitudes in months.

    >>> from cartlandscape.values import parse_value
    >>> time_key(parse_value("12 month")) == time_key(parse_value("1 year"))
    True
    """
    if value is None:
        return None
    in_months = value.to("month")
    relation = in_months.relation if isinstance(in_months, Bound) else None
    return (in_months.form, relation, tuple(round(m, 9) for m in in_months.magnitudes()))


def _scale_key(outcome: Outcome) -> Hashable:
    """The grading scale, as outcomes must share it; a scale not stated matches no other."""
    scale = outcome.grading_scale
    if scale is GradingScale.NOT_STATED:
        return (scale, outcome.id)
    return scale


def shown(value: object) -> str:
    """How a mismatch shows what an outcome says: labels, values as given, ``not stated``.

    >>> shown(None), shown(GradingScale.ASTCT_2019)
    ('not stated', 'ASTCT 2019')
    """
    if value is None:
        return _NOT_STATED
    if isinstance(value, Value):
        return str(value)
    if isinstance(value, Endpoint | GradingScale | Grade):
        return value.label
    return str(value)


#: Per field of :data:`FIELDS`: what outcomes must share in it, and how an outcome's is shown.
KEYS: Final[dict[str, tuple[Callable[[Outcome], Hashable], Callable[[Outcome], str]]]] = {
    "endpoint": (lambda o: o.endpoint, lambda o: o.endpoint.label),
    "indication": (lambda o: o.indication, lambda o: shown(o.indication)),
    "setting": (lambda o: o.setting, lambda o: str(o.setting)),
    "analysis_set": (lambda o: o.analysis_set, lambda o: shown(o.analysis_set)),
    "timepoint": (lambda o: time_key(o.timepoint), lambda o: shown(o.timepoint)),
    "grading_scale": (_scale_key, lambda o: shown(o.grading_scale)),
    "grade": (lambda o: o.grade, lambda o: shown(o.grade)),
    "unit": (lambda o: o.value.dimensionality, lambda o: o.value.unit),
}


@attrs.frozen
class Mismatch:
    """A field in which outcomes differ: ``found`` pairs each outcome id with what it says."""

    field: str
    found: tuple[tuple[str, str], ...]

    def counts(self) -> list[tuple[str, int]]:
        """Each value found with the number of outcomes giving it, the most common first."""
        return Counter(shown for _, shown in self.found).most_common()

    def __str__(self) -> str:
        what = _WHAT.get(self.field, self.field)
        why = _WHY.get(self.field, "")
        if len(self.found) <= _LISTED:
            said = ", ".join(f"{shown} ({ident})" for ident, shown in self.found)
            return f"{what} differ{why}: {said}"
        tally = self.counts()
        said = ", ".join(f"{shown} {count}" for shown, count in tally[:_LISTED])
        more = len(tally) - _LISTED
        if more > 0:
            said += f" and {more} more"
        return f"{what} differ{why} across {len(self.found)} outcomes: {said}"


def mismatches(
    outcomes: Iterable[Outcome], *, fields: Iterable[str] = FIELDS
) -> tuple[Mismatch, ...]:
    """The fields (of :data:`FIELDS`) in which *outcomes* do not all agree.

    Time points are compared after conversion to months (``12 month`` and ``1 year`` agree);
    grading scales and grades must be the same members of
    :class:`~cartlandscape.vocabulary.GradingScale` and :class:`~cartlandscape.vocabulary.Grade`,
    and a scale that is ``not-stated`` matches no scale, itself included; units must have the
    same dimension.

    >>> from cartlandscape.models import Citation, Outcome
    >>> from cartlandscape.values import parse_value
    >>> cite = (Citation(source="s", locator="p. 1"),)
    >>> a = Outcome(id="a", therapy="t", endpoint="pfs-rate", value="60 percent",
    ...             timepoint="12 month", citations=cite)
    >>> b = Outcome(id="b", therapy="u", endpoint="pfs-rate", value="50 percent",
    ...             timepoint="24 month", citations=cite)
    >>> print(mismatches([a, b])[0])
    time points differ: 12 month (a), 24 month (b)
    >>> mismatches([a, attrs.evolve(b, timepoint=parse_value("1 year"))])
    ()
    """
    found = sorted(outcomes, key=lambda o: o.id)
    wanted = set(fields)
    unknown = wanted - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; expected some of {FIELDS}")
    result = []
    for field in FIELDS:
        if field not in wanted:
            continue
        key, show = KEYS[field]
        vague = _UNKNOWN.get(field, frozenset())
        if len({k for o in found if (k := key(o)) not in vague}) > 1:
            result.append(Mismatch(field, tuple((o.id, show(o)) for o in found)))
    return tuple(result)


def _months(value: Value | None) -> float | None:
    return None if value is None else value.to("month").interval()[0]


def cautions(outcomes: Iterable[Outcome]) -> tuple[Mismatch, ...]:
    """The differences a comparison flags without refusing: follow-up and data cut.

    Median follow-ups are flagged when the longest is at least :data:`FOLLOW_UP_RATIO` times
    the shortest; data cuts when they lie :data:`DATA_CUT_DAYS` days apart or more.  A result
    after 63 months is not a result after 8 months: read such a difference with care.

    >>> from cartlandscape.models import Citation, Outcome
    >>> from cartlandscape.values import parse_value
    >>> cite = (Citation(source="s", locator="p. 1"),)
    >>> a = Outcome(id="a", therapy="t", endpoint="orr", value="72 percent",
    ...             follow_up="7.9 month", citations=cite)
    >>> b = attrs.evolve(a, id="b", follow_up=parse_value("63.1 month"))
    >>> print(cautions([a, b])[0])
    median follow-ups differ: 7.9 month (a), 63.1 month (b)
    """
    found = sorted(outcomes, key=lambda o: o.id)
    result = []
    months = [m for o in found if (m := _months(o.follow_up)) is not None]
    if months and min(months) > 0 and max(months) >= FOLLOW_UP_RATIO * min(months):
        said = tuple((o.id, shown(o.follow_up)) for o in found)
        result.append(Mismatch("follow_up", said))
    cuts = [o.data_cut.earliest for o in found if o.data_cut is not None]
    if cuts and (max(cuts) - min(cuts)).days >= DATA_CUT_DAYS:
        result.append(Mismatch("data_cut", tuple((o.id, shown(o.data_cut)) for o in found)))
    return tuple(result)


def departures(
    outcomes: Sequence[Outcome], found: Sequence[Mismatch]
) -> dict[str, tuple[str, ...]]:
    """Per outcome id, the mismatched fields in which it departs from the most common value.

    When no value is the most common one alone, every outcome is flagged.
    """
    flags: dict[str, list[str]] = {o.id: [] for o in outcomes}
    for mismatch in found:
        key = KEYS[mismatch.field][0]
        tally = Counter(key(o) for o in outcomes).most_common()
        common = tally[0][0] if len(tally) == 1 or tally[0][1] > tally[1][1] else object()
        for outcome in outcomes:
            if key(outcome) != common:
                flags[outcome.id].append(mismatch.field)
    return {ident: tuple(fields) for ident, fields in flags.items()}


def against_question(
    outcomes: Sequence[Outcome],
    endpoint: Endpoint,
    timepoint: Value | None,
    grade: Grade | None = None,
    grading_scale: GradingScale | None = None,
) -> list[Mismatch]:
    """Where outcomes depart from the question itself: another endpoint, time point or grading.

    Each mismatch starts with ``("asked", ...)``, then names the outcomes that depart.
    """
    found = []
    for field, wanted_value in (("grade", grade), ("grading_scale", grading_scale)):
        if wanted_value is None:
            continue
        off = [o for o in outcomes if getattr(o, field) is not wanted_value]
        if off:
            said = (("asked", str(wanted_value)), *((o.id, KEYS[field][1](o)) for o in off))
            found.append(Mismatch(field, said))
    off = [o for o in outcomes if o.endpoint is not endpoint]
    if off:
        said = (("asked", endpoint.label), *((o.id, o.endpoint.label) for o in off))
        found.append(Mismatch("endpoint", said))
    if timepoint is not None:
        wanted = time_key(timepoint)
        off = [o for o in outcomes if time_key(o.timepoint) != wanted]
        if off:
            said = (("asked", str(timepoint)), *((o.id, shown(o.timepoint)) for o in off))
            found.append(Mismatch("timepoint", said))
    return found


def in_scope(
    registry: Registry,
    outcomes: Iterable[Outcome],
    indication: str | None,
    timepoint: Value | None,
) -> list[Outcome]:
    """The *outcomes* in *indication* (or one under it) at *timepoint* (None: any)."""
    scope = None if indication is None else registry.indication_ids(indication)
    wanted = time_key(timepoint)
    return [
        o
        for o in outcomes
        if (scope is None or o.indication in scope)
        and (timepoint is None or time_key(o.timepoint) == wanted)
    ]


def related(endpoint: Endpoint) -> frozenset[Endpoint]:
    """The endpoints that measure what *endpoint* does under other criteria (itself included).

    >>> sorted(e.label for e in related(Endpoint.CR))
    ['CR', 'CR/CRi', 'sCR', 'sCR/CR']
    """
    for family in _FAMILIES:
        if endpoint in family:
            return family
    return frozenset({endpoint})


def same_study(a: Outcome, b: Outcome) -> bool:
    """Whether *a* and *b* report one study (see :func:`cartlandscape.studies.study_key`)."""
    key = study_key(a)
    return key is not None and key == study_key(b)


def check_one_report_per_study(outcomes: Iterable[Outcome]) -> None:
    """Refuse two outcomes of one study (same therapy or institution, same study).

    Several reports of one trial (an interim and a final analysis, a paper and a label) would
    count its patients more than once.  Outcomes without a named study are not checked.
    """
    by_study: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for outcome in outcomes:
        key = study_key(outcome)
        if key is not None:
            by_study[key].append(outcome.id)
    repeated = [ids for ids in by_study.values() if len(ids) > 1]
    if repeated:
        groups = "; ".join(", ".join(ids) for ids in repeated)
        raise ComparisonError(
            f"outcomes that report the same study would count its patients twice: {groups}",
            (_ONE_PER_STUDY,),
        )


def check_poolable(
    found: Sequence[Outcome], endpoint: Endpoint | str | None, *, same_indication: bool
) -> None:
    """Raise ComparisonError unless the outcomes are distinct, of one endpoint and alike.

    Given *endpoint*, every outcome must report it; the outcomes must be of different studies
    (:func:`check_one_report_per_study`) and agree in every field of :data:`FIELDS` but the
    indication, unless *same_indication*.
    """
    ids = [o.id for o in found]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ComparisonError(f"outcome(s) given more than once: {', '.join(repeated)}")
    if endpoint is not None:
        wanted = parse_endpoint(endpoint)
        other = [o for o in found if o.endpoint is not wanted]
        if other:
            raise ComparisonError(
                f"asked to pool {wanted.label}, but these outcomes report another endpoint: "
                + ", ".join(f"{o.id} ({o.endpoint.label})" for o in other)
            )
    check_one_report_per_study(found)
    fields = FIELDS if same_indication else tuple(f for f in FIELDS if f != "indication")
    differ = mismatches(found, fields=fields)
    if differ:
        raise ComparisonError("cannot pool these outcomes: " + "; ".join(str(m) for m in differ))
