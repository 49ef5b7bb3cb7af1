"""Which reports are of one study, and which one report of a study to use.

A study's identity is its registry id (``NCT02348216``) or, without one, its name with case,
spaces and punctuation ignored.  Outcomes of one therapy (or reporting institution) in one
indication with the same study identity report the same patients: a label, a paper and a
five-year update of ZUMA-1 are three reports of one study.  Pooling them would count the
patients more than once, and comparing them would present a later data cut as a difference.

:func:`one_per_study` keeps one report of each study, chosen by this rule, in order:

1. one that gives the counts a proportion needs (``n``, and responders or a point value);
2. the latest data cut: the ``data_cut`` date where recorded (a recorded cut comes before
   none), else the longer median follow-up, else the later publication of its sources;
3. the larger ``n``;
4. the higher tier of the sources cited (see :class:`~cartlandscape.vocabulary.SourceTier`);
5. the first given, when the reports are equal in all of these.

The spelling of record ids never decides.  The note for each report left out names the report
kept and the first step of the rule that told them apart, with both values.

>>> from cartlandscape.models import Citation, Outcome, Study
>>> cite = (Citation(source="s", locator="table 2"),)
>>> zuma = Study(name="ZUMA-1", registry_id="NCT02348216")
>>> early = Outcome(id="b-early", therapy="t", endpoint="orr", value="82 percent", n=101,
...                 follow_up="8.7 month", study=zuma, citations=cite)
>>> late = Outcome(id="a-late", therapy="t", endpoint="orr", value="83 percent", n=101,
...                follow_up="63.1 month", study=zuma, citations=cite)
>>> kept, notes = one_per_study([early, late])
>>> [o.id for o in kept]
['a-late']
>>> print(notes[0])
outcome 'b-early' reports the same study as 'a-late' (NCT02348216); kept 'a-late' for its later data cut (median follow-up 63.1 month against median follow-up 8.7 month)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from cartlandscape.dates import PartialDate
from cartlandscape.errors import InsufficientDataError
from cartlandscape.models import Outcome, Source
from cartlandscape.text import normalize
from cartlandscape.vocabulary import SourceTier

if TYPE_CHECKING:
    from cartlandscape._registry import Registry

__all__ = ["RULE", "one_per_study", "study_identity", "study_key"]

#: The rule :func:`one_per_study` follows, in words (for notes and help texts).
RULE: Final = (
    "the report that gives counts, then the latest data cut (data cut date, else longer median "
    "follow-up, else later publication), then the larger n, then the higher source tier"
)


def study_identity(outcome: Outcome) -> str | None:
    """The study *outcome* reports: its registry id, else its normalized name (None if unnamed).

    >>> from cartlandscape.models import Citation, Outcome, Study
    >>> cite = (Citation(source="s", locator="p. 1"),)
    >>> study_identity(Outcome(id="o", therapy="t", endpoint="orr", value="80 percent",
    ...                        study=Study(name="ELIANA (B2202)", registry_id="NCT02435849"),
    ...                        citations=cite))
    'NCT02435849'
    """
    study = outcome.study
    if study is None:
        return None
    if study.registry_id:
        return study.registry_id
    return (normalize(study.name) or None) if study.name else None


def study_key(outcome: Outcome) -> tuple[str, str, str] | None:
    """The patients *outcome* reports on: ``(therapy or institution, study, indication)``.

    Two outcomes with the same key are reports of one study in one indication (None when no
    study is named).
    """
    identity = study_identity(outcome)
    if identity is None:
        return None
    who = outcome.therapy or outcome.institution or ""
    return who, identity, outcome.indication or ""


def _gives_counts(outcome: Outcome) -> bool:
    from cartlandscape.stats import counts

    try:
        counts(outcome)
    except (InsufficientDataError, ValueError):
        return False
    return True


def _months(outcome: Outcome) -> float | None:
    if outcome.follow_up is None:
        return None
    return outcome.follow_up.to("month").interval()[0]


def _sources(outcome: Outcome, registry: Registry | None) -> list[Source]:
    if registry is None:
        return []
    found = (registry.sources.get(c.source) for c in outcome.citations)
    return [s for s in found if s is not None]


def _published(outcome: Outcome, registry: Registry | None) -> PartialDate | None:
    dates = [s.published for s in _sources(outcome, registry) if s.published is not None]
    return max(dates) if dates else None


def _tier(outcome: Outcome, registry: Registry | None) -> int | None:
    tiers = [s.effective_tier.strength for s in _sources(outcome, registry)]
    return max(tiers) if tiers else None


#: The steps of the rule: a name for the note, the key (larger is preferred, None least), and
#: how a value is shown.
_Step = tuple[str, Callable[[Outcome, Any], Any], Callable[[Any], str]]
_STEPS: Final[Sequence[_Step]] = (
    (
        "because it gives the counts",
        lambda o, r: _gives_counts(o),
        lambda v: "counts" if v else "no counts",
    ),
    ("for its later data cut", lambda o, r: o.data_cut, lambda v: f"data cut {v}"),
    (
        "for its later data cut",
        lambda o, r: None if o.data_cut is not None else _months(o),
        lambda v: f"median follow-up {v:g} month",
    ),
    (
        "for its later publication",
        lambda o, r: None if o.data_cut is not None or o.follow_up else _published(o, r),
        lambda v: f"published {v}",
    ),
    ("for its larger n", lambda o, r: o.n, lambda v: f"n = {v}"),
    (
        "for the higher tier of its sources",
        lambda o, r: _tier(o, r),
        lambda v: next(t.value for t in SourceTier if t.strength == v),
    ),
)


def _rank(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else 0)


def _reason(kept: Outcome, other: Outcome, registry: Registry | None) -> str:
    for name, key, show in _STEPS:
        mine, theirs = key(kept, registry), key(other, registry)
        if _rank(mine) != _rank(theirs):
            shown = "not recorded" if theirs is None else show(theirs)
            return f"{name} ({show(mine)} against {shown})"
    return "as the first given (the reports are equal in counts, data cut, n and source tier)"


def one_per_study(
    outcomes: Iterable[Outcome], registry: Registry | None = None
) -> tuple[list[Outcome], list[str]]:
    """Keep one outcome per study (see the module for the rule) and say why each other left.

    *registry* gives the sources' publication dates and tiers; without it those steps of the
    rule are skipped.  Returns the outcomes kept, in their order, and a note for each one left
    out.  Outcomes without a named study are all kept.
    """
    found = list(outcomes)

    def preference(outcome: Outcome) -> tuple[tuple[bool, Any], ...]:
        return tuple(_rank(key(outcome, registry)) for _, key, _ in _STEPS)

    best: dict[tuple[str, str, str], Outcome] = {}
    for outcome in found:
        key = study_key(outcome)
        if key is None:
            continue
        if key not in best or preference(outcome) > preference(best[key]):
            best[key] = outcome
    kept = [o for o in found if (key := study_key(o)) is None or best[key] is o]
    notes = []
    for outcome in found:
        key = study_key(outcome)
        if key is None or best[key] is outcome:
            continue
        chosen = best[key]
        notes.append(
            f"outcome {outcome.id!r} reports the same study as {chosen.id!r} ({key[1]}); "
            f"kept {chosen.id!r} {_reason(chosen, outcome, registry)}"
        )
    return kept, notes
