"""Trial queries (``Registry.trials_for``) and landscape tables of trials.

>>> import cartlandscape
>>> reg = cartlandscape.registry()
>>> bcma = reg.trials_for(target="BCMA", phase="3")
>>> all("bcma" in t.target_ids and "3" in t.phases for t in bcma)
True
>>> reg.trials_for(status="halfway")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cartlandscape.errors.UnknownValueError: unknown status 'halfway'; expected one of ...
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from cartlandscape.dates import PartialDate
from cartlandscape.errors import FieldError, UnknownValueError
from cartlandscape.trials.model import Phase, SponsorClass, Trial, TrialStatus
from cartlandscape.vocabulary import Modality

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.models import Indication, Outcome, Study, Target, Therapy

__all__ = [
    "CrossTable",
    "country_year",
    "parse_country",
    "parse_phase",
    "target_phase",
    "top_sponsors",
    "trial_of",
    "trials_for",
]

_PHASE_NAMES = {
    "early1": Phase.EARLY_1,
    "earlyphase1": Phase.EARLY_1,
    "0": Phase.EARLY_1,
    **{p.value: p for p in Phase},
    **{f"phase{p.value}": p for p in Phase},
}


def parse_phase(text: str | Phase) -> Phase:
    """A phase from ``"2"``, ``"Phase 2"``, ``"early-1"`` or ``"Early phase 1"``."""
    if isinstance(text, Phase):
        return text
    key = "".join(ch for ch in str(text).casefold() if ch.isalnum())
    found = _PHASE_NAMES.get(key)
    if found is None:
        raise UnknownValueError("phase", text, [p.value for p in Phase])
    return found


def _member(kind: type[Any], text: str | Any, what: str) -> Any:
    if isinstance(text, kind):
        return text
    key = str(text).strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return kind(key)
    except ValueError:
        raise UnknownValueError(what, text, [m.value for m in kind]) from None


def parse_country(text: str) -> str:
    """An ISO 3166-1 alpha-2 code from a code (``"CN"``) or a name (``"China"``)."""
    from cartlandscape.trials.convert import COUNTRY_CODES

    if len(text) == 2 and text.isalpha():
        code = text.upper()
        if code in COUNTRY_CODES.values():
            return code
    for name, code in COUNTRY_CODES.items():
        if name.casefold() == text.strip().casefold():
            return code
    raise ValueError(
        f"unknown country {text!r}; expected an ISO 3166-1 alpha-2 code such as 'CN' or 'US', "
        "or a country name as ClinicalTrials.gov writes it"
    )


def _date(value: object, end: bool) -> _dt.date:
    """The first (or, with *end*, the last) day of a year, a partial date or a date text."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, _dt.date):
        return value
    try:
        date = value if isinstance(value, PartialDate) else PartialDate.parse(str(value))
    except FieldError:
        raise ValueError(
            f"expected a year or a date YYYY[-MM[-DD]] in started=(from, to), found {value!r}"
        ) from None
    if not end:
        return date.earliest
    if date.month is None:
        return _dt.date(date.year, 12, 31)
    if date.day is None:
        following = _dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
        return following - _dt.timedelta(days=1)
    return date.earliest


def trials_for(
    reg: Registry,
    trials: Iterable[Trial] | None = None,
    *,
    target: Target | str | None = None,
    indication: Indication | str | None = None,
    phase: Phase | str | None = None,
    status: TrialStatus | str | None = None,
    country: str | None = None,
    sponsor_class: SponsorClass | str | None = None,
    started: tuple[object, object] | None = None,
    modality: Modality | str | None = None,
    product: Therapy | str | None = None,
    in_pipeline: bool | None = True,
) -> tuple[Trial, ...]:
    """Trials matching every criterion given (default: the bundled snapshot's trials).

    ``in_pipeline=True`` (the default) keeps the trials that give a CAR-based cell product;
    ``False`` those flagged as only mentioning one; ``None`` both.  ``started`` is an inclusive
    ``(from, to)`` of years or dates, either end None for open; a trial without a start date
    never matches it.  An indication includes its sub-indications.  Names are resolved as in
    :meth:`~cartlandscape.Registry.lookup`; an unknown name raises
    :class:`~cartlandscape.errors.UnknownNameError`, an unknown phase, status, country, sponsor
    class or modality a :class:`ValueError` listing the values allowed.
    """
    target_id = reg._resolve(target, "target")
    indications = reg._under(indication)
    product_id = reg._resolve(product, "therapy")
    wanted_phase = None if phase is None else parse_phase(phase)
    wanted_status = None if status is None else _member(TrialStatus, status, "status")
    wanted_class = (
        None if sponsor_class is None else _member(SponsorClass, sponsor_class, "sponsor class")
    )
    wanted_modality = None if modality is None else _member(Modality, modality, "modality")
    code = None if country is None else parse_country(country)
    checks: list[Callable[[Trial], bool]] = []
    if in_pipeline is not None:
        checks.append(lambda t: t.in_pipeline is in_pipeline)
    if target_id is not None:
        checks.append(lambda t: target_id in t.target_ids)
    if indications is not None:
        checks.append(lambda t: not indications.isdisjoint(t.indication_ids))
    if product_id is not None:
        checks.append(lambda t: product_id in t.product_ids)
    if wanted_phase is not None:
        checks.append(lambda t: wanted_phase in t.phases)
    if wanted_status is not None:
        checks.append(lambda t: t.status is wanted_status)
    if code is not None:
        checks.append(lambda t: code in t.countries)
    checks.extend(_kind_checks(wanted_class, wanted_modality))
    if started is not None:
        checks.append(_started_check(started))
    pool = reg.trials if trials is None else trials
    return tuple(trial for trial in pool if all(check(trial) for check in checks))


def _kind_checks(
    wanted_class: SponsorClass | None, wanted_modality: Modality | None
) -> list[Callable[[Trial], bool]]:
    """Tests of a trial's sponsor class and modality, those given (a trial lacking one fails)."""
    checks: list[Callable[[Trial], bool]] = []
    if wanted_class is not None:
        checks.append(lambda t: t.sponsor is not None and t.sponsor.type is wanted_class)
    if wanted_modality is not None:
        checks.append(lambda t: t.modality is not None and t.modality.modality is wanted_modality)
    return checks


def _started_check(started: tuple[object, object]) -> Callable[[Trial], bool]:
    """A test that a trial started within an inclusive ``(from, to)``; no start date fails."""
    if not isinstance(started, tuple | list) or len(started) != 2:
        raise ValueError(f"expected started=(from, to), found {started!r}")
    low = None if started[0] is None else _date(started[0], end=False)
    high = None if started[1] is None else _date(started[1], end=True)

    def check(trial: Trial) -> bool:
        if trial.start is None:
            return False
        day = trial.start.date.earliest
        return not ((low is not None and day < low) or (high is not None and day > high))

    return check


def trial_of(reg: Registry, item: Outcome | Study | str) -> Trial | None:
    """The trial an outcome's study (or a study, or a registry id) refers to, or None.

    >>> import cartlandscape
    >>> reg = cartlandscape.registry()
    >>> trial_of(reg, "NCT02348216").registry_id
    'NCT02348216'
    """
    from cartlandscape.text import normalize

    study = getattr(item, "study", item)
    ident = study if isinstance(study, str) else getattr(study, "registry_id", None)
    if not ident:
        return None
    key = normalize(ident)
    for trial in reg.trials:
        if any(normalize(r) == key for r in trial.registry_ids):
            return trial
    return None


@attrs.frozen
class CrossTable:
    """Counts of trials by two keys: ``counts[(row, column)]``, rows and columns in order."""

    title: str
    row_label: str
    column_label: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: dict[tuple[str, str], int]

    def count(self, row: str, column: str) -> int:
        """The number of trials in *row* and *column*."""
        return self.counts.get((row, column), 0)

    def records(self) -> list[dict[str, object]]:
        """One mapping per row: the row key, a count per column, and the row's total."""
        return [
            {
                self.row_label: row,
                **{column: self.count(row, column) for column in self.columns},
                "total": sum(self.count(row, column) for column in self.columns),
            }
            for row in self.rows
        ]


def _cross(
    title: str,
    labels: tuple[str, str],
    pairs: Iterable[tuple[str, str]],
    column_order: Sequence[str] | None = None,
    limit: int | None = None,
) -> CrossTable:
    counts = Counter(pairs)
    row_totals: Counter[str] = Counter()
    for (row, _), n in counts.items():
        row_totals[row] += n
    rows = tuple(r for r, _ in sorted(row_totals.items(), key=lambda kv: (-kv[1], kv[0])))[:limit]
    columns = sorted({c for _, c in counts})
    if column_order is not None:
        columns = [c for c in column_order if c in columns] + [
            c for c in columns if c not in column_order
        ]
    kept = {k: v for k, v in counts.items() if k[0] in rows}
    return CrossTable(title, labels[0], labels[1], rows, tuple(columns), kept)


def target_phase(
    trials: Iterable[Trial], reg: Registry | None = None, limit: int | None = None
) -> CrossTable:
    """Trials by target and phase (a trial counts once in each of its targets and phases).

    Trials without phases are counted under ``N/A``; targets are shown by name when *reg* is
    given.
    """
    pairs = [
        (target if reg is None else reg.label_of("target", target), _phase_key(phase))
        for trial in trials
        for target in trial.target_ids
        for phase in (trial.phases or (None,))
    ]
    order = ["early 1", "1", "2", "3", "4", "N/A"]
    return _cross("Trials by target and phase", ("target", "phase"), pairs, order, limit)


def _phase_key(phase: Phase | None) -> str:
    if phase is None:
        return "N/A"
    return "early 1" if phase is Phase.EARLY_1 else phase.value


def country_year(trials: Iterable[Trial], limit: int | None = None) -> CrossTable:
    """Trials by country (ISO code) and year of start; a trial counts once per country."""
    pairs = [
        (country, str(trial.start_year))
        for trial in trials
        if trial.start_year is not None
        for country in trial.countries
    ]
    table = _cross("Trials by country and start year", ("country", "year"), pairs, limit=limit)
    return attrs.evolve(table, columns=tuple(sorted(table.columns)))


def top_sponsors(trials: Iterable[Trial], limit: int = 10) -> list[dict[str, object]]:
    """The lead sponsors with the most trials: name, class, institution id and count."""
    counts: Counter[tuple[str, str | None, str | None]] = Counter(
        (t.sponsor.name, t.sponsor.type.value if t.sponsor.type else None, t.sponsor.institution)
        for t in trials
        if t.sponsor is not None
    )
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))[:limit]
    return [
        {"sponsor": name, "class": klass, "institution": institution, "trials": n}
        for (name, klass, institution), n in ranked
    ]
