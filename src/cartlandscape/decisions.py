"""Regulatory decisions: the milestones that record one decision of an agency, counted once.

Two sources may date one decision differently (a notice dated the day of the decision, a press
release the day after), and data may hold a milestone for each.  A *decision* is the group of
milestones of one therapy with the same agency, the same indication and the same kind of step
(an approval and a conditional approval are one kind of step here: the first authorisation),
whose dates lie within :data:`SAME_DECISION_DAYS` days of each other (an undated milestone
joins a dated one of the same kind).  The milestone kept for the decision is the one cited by
the highest tier of source (see :class:`~cartlandscape.vocabulary.SourceTier`), then the
earliest; the dates of the others,
and any date a milestone records as a disagreement, are the decision's ``other_dates``.

Every query that counts approvals counts decisions, so a decision recorded twice counts once.

>>> from cartlandscape.models import Citation, Milestone, Therapy
>>> cite = (Citation(source="s", locator="p. 1"),)
>>> t = Therapy(id="t", name="T", citations=cite, milestones=(
...     Milestone(agency="NMPA", type="approval", date="2023-11-08", citations=cite),
...     Milestone(agency="NMPA", type="approval", date="2023-11-07", citations=cite),
... ))
>>> [(str(d.date), [str(o) for o in d.other_dates]) for d in decisions([(t, m) for m in t.milestones])]
[('2023-11-07', ['2023-11-08'])]
"""  # noqa: E501

from __future__ import annotations

import calendar
import datetime as _dt
from collections.abc import Callable, Iterable
from typing import Final

import attrs

from cartlandscape.dates import PartialDate, undated_last
from cartlandscape.models import Milestone, Source, Therapy
from cartlandscape.vocabulary import MilestoneKind, SourceTier

__all__ = ["SAME_DECISION_DAYS", "Decision", "decisions", "same_decision", "tier_rank"]

#: Milestones of one therapy, agency, indication and kind dated at most this many days apart
#: record one decision.
SAME_DECISION_DAYS: Final = 31
#: Kinds of step that are one kind of decision (a first authorisation, conditional or not).
_STEP: Final = {MilestoneKind.CONDITIONAL_APPROVAL: MilestoneKind.APPROVAL}


def tier_rank(source: object) -> int:
    """How *source* ranks as support (0 for the strongest tier); a missing source ranks last.

    >>> from cartlandscape.models import Source
    >>> tier_rank(Source(id="s", title="Label", type="label"))
    0
    """
    if not isinstance(source, Source):
        return len(SourceTier)
    return len(SourceTier) - 1 - source.effective_tier.strength


def _span(date: PartialDate) -> tuple[_dt.date, _dt.date]:
    """The first and last calendar day *date* can be."""
    month = date.month or 12
    day = date.day or calendar.monthrange(date.year, month)[1]
    return date.earliest, _dt.date(date.year, month, day)


def _close(a: PartialDate | None, b: PartialDate | None) -> bool:
    if a is None or b is None:
        return True
    (a_low, a_high), (b_low, b_high) = _span(a), _span(b)
    slack = _dt.timedelta(days=SAME_DECISION_DAYS)
    return a_low - slack <= b_high and b_low - slack <= a_high


def same_decision(a: Milestone, b: Milestone) -> bool:
    """Whether milestones *a* and *b* (of one therapy) record the same decision."""
    return (
        a.agency == b.agency
        and a.indication == b.indication
        and _STEP.get(a.type, a.type) == _STEP.get(b.type, b.type)
        and _close(a.date, b.date)
    )


def _recorded_dates(milestone: Milestone) -> list[PartialDate]:
    """The other dates a milestone records for its decision, as disagreements."""
    return [PartialDate.parse(d.value) for d in milestone.disagreements if d.field == "date"]


@attrs.frozen
class Decision:
    """One decision of an agency about a therapy, and the milestones that record it.

    ``milestone`` is the record kept for the decision (see the module); ``others`` the other
    milestones recording it; ``other_dates`` every other date given for it, earliest first.
    """

    therapy: Therapy
    milestone: Milestone
    others: tuple[Milestone, ...] = ()

    @property
    def date(self) -> PartialDate | None:
        """The date of the decision, as the milestone kept gives it."""
        return self.milestone.date

    @property
    def other_dates(self) -> tuple[PartialDate, ...]:
        """The other dates sources give for the decision."""
        found = {d for m in self.others if (d := m.date) is not None}
        for m in (self.milestone, *self.others):
            found.update(_recorded_dates(m))
        if self.date is not None:
            found.discard(self.date)
        return tuple(sorted(found))

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        """Every milestone recording the decision, the one kept first."""
        return (self.milestone, *self.others)


def decisions(
    pairs: Iterable[tuple[Therapy, Milestone]],
    rank: Callable[[Milestone], int] | None = None,
) -> tuple[Decision, ...]:
    """Group ``(therapy, milestone)`` pairs into decisions, in the order of their first pair.

    *rank* gives a milestone's source rank (lower is better; see
    :meth:`cartlandscape.Registry.approval_decisions`, which ranks by the tier of the sources
    cited); without it the earliest milestone of a decision is kept.
    """
    groups: list[tuple[Therapy, list[Milestone]]] = []
    for therapy, milestone in pairs:
        for owner, members in groups:
            if owner.id == therapy.id and any(same_decision(milestone, m) for m in members):
                members.append(milestone)
                break
        else:
            groups.append((therapy, [milestone]))
    found = []
    for therapy, members in groups:
        ordered = sorted(
            members, key=lambda m: ((rank(m) if rank is not None else 0), *undated_last(m.date))
        )
        found.append(Decision(therapy, ordered[0], tuple(ordered[1:])))
    return tuple(found)
