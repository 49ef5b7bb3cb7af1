"""The registry: every record of a dataset, indexed by id and by name, with typed queries.

>>> import cartlandscape
>>> reg = cartlandscape.registry()
>>> reg.lookup("inati-cel") is reg.lookup("CNCT19") is reg.lookup("Inaticabtagene Autoleucel")
True
>>> reg.get("therapy", "no-such-id") is None
True
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar, overload

import attrs

from cartlandscape import integrity
from cartlandscape.dates import PartialDate, undated_last
from cartlandscape.errors import DataError, Problem, UnknownNameError, UnknownValueError
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.models import (
    Event,
    Indication,
    Institution,
    Milestone,
    Outcome,
    Policy,
    Price,
    Record,
    Source,
    Statement,
    Target,
    Therapy,
)
from cartlandscape.text import normalize
from cartlandscape.vocabulary import (
    APPROVAL_KINDS,
    Endpoint,
    Grade,
    GradingScale,
    MilestoneKind,
    Modality,
    StatementKind,
    parse_endpoint,
    parse_grade,
    parse_grading_scale,
)

if typing.TYPE_CHECKING:
    import enum

    from cartlandscape.decisions import Decision
    from cartlandscape.display import Shown
    from cartlandscape.trials.model import Trial

__all__ = ["AGENCIES", "DataVersion", "Override", "RecordSet", "Registry", "normalize"]

R = TypeVar("R", bound=Record)
E = TypeVar("E", bound="enum.Enum")

#: Agency codes a query may name even where no milestone of the data has them (the codes the
#: milestones use are known too).
AGENCIES: typing.Final = frozenset(
    {
        "FDA", "NMPA", "EC", "EMA", "MHLW", "PMDA", "HC", "MHRA", "TGA", "SWISSMEDIC", "CDSCO",
        "AEMPS", "NHSA",
    }
)  # fmt: skip
#: The values ``therapies_for(status=...)`` takes.
_STATUSES: typing.Final = ("approved", "investigational")


def _choice(option: str, value: E | str, enum: type[E]) -> E:
    """The member of *enum* whose value is *value*; an unknown value raises with close matches."""
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        known = [str(member.value) for member in enum]
        raise UnknownValueError(option, value, known) from None


@attrs.frozen
class Override:
    """A record that replaced an earlier one with the same kind and id when data were merged."""

    kind: str
    id: str
    file: str | None
    replaced_file: str | None


@attrs.frozen
class DataVersion:
    """The release of a dataset and the date its data are current to."""

    release: str
    as_of: PartialDate

    def __str__(self) -> str:
        return f"{self.release} (as of {self.as_of})"


class RecordSet(Generic[R]):
    """A read-only collection of records of one kind: iterate it, or index it by id."""

    __slots__ = ("_by_id",)

    def __init__(self, records: Iterable[R]) -> None:
        self._by_id: MappingProxyType[str, R] = MappingProxyType({r.id: r for r in records})

    def __iter__(self) -> Iterator[R]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Record):
            return self._by_id.get(item.id) == item
        return item in self._by_id

    def __getitem__(self, ident: str) -> R:
        return self._by_id[ident]

    def get(self, ident: str) -> R | None:
        """The record with id *ident*, or None."""
        return self._by_id.get(ident)

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids, in data order."""
        return tuple(self._by_id)

    def __repr__(self) -> str:
        return f"<RecordSet of {len(self)}>"

    def __str__(self) -> str:
        from cartlandscape.display import records_text

        return records_text(self)

    def _repr_html_(self) -> str:
        from cartlandscape.display import records_html

        return records_html(self)


def _name_field(record: Record, name: str) -> str:
    """The field of *record* that holds *name* (``aliases[1]``)."""
    for field in record.name_fields:
        value = getattr(record, field)
        if value == name:
            return field
        if isinstance(value, tuple) and name in value:
            return f"{field}[{value.index(name)}]"
    return "id"


class Registry:
    """Records of every kind, checked for integrity, with lookups and typed queries.

    Build one from records (``Registry(records)``), or with :func:`cartlandscape.load`.
    Construction raises :class:`~cartlandscape.errors.DataError` listing every duplicate id,
    name claimed by two records, reference that does not resolve, and fact dated after the
    publication of a source it cites; a reference that names a record by one of its names
    rather than its id says whose name it is.  A registry cannot be changed once built.
    ``absent`` lists ``(kind, id)`` of records known to be missing (they failed to load):
    references to them are not reported again.
    """

    def __init__(
        self,
        records: Iterable[Record],
        *,
        version: DataVersion | None = None,
        origins: Sequence[str | None] | None = None,
        overrides: Iterable[Override] = (),
        absent: Iterable[tuple[str | None, str | None]] = (),
    ) -> None:
        records = list(records)
        where: list[str | None] = list(origins) if origins is not None else [None] * len(records)
        self._version = version
        self._overrides = tuple(overrides)
        grouped, origin_of, problems = self._group(records, where)
        self._sets: dict[str, RecordSet[Any]] = {
            k: RecordSet(v.values()) for k, v in grouped.items()
        }
        clashes = self._index_names(grouped, origin_of)
        as_of = None if version is None else version.as_of
        checks = integrity.check(
            grouped, as_of, clashes, absent=frozenset(absent), owner=self._names_owner
        )
        for record, field, message in checks:
            problems.append(
                Problem(
                    message,
                    file=origin_of[(record.kind, record.id)],
                    kind=record.kind,
                    record=record.id,
                    field=field,
                )
            )
        if problems:
            raise DataError(problems)
        # The file of each record, by kind then id (no (kind, id) tuple per record).
        self._origins: dict[str, dict[str, str | None]] = {kind: {} for kind in grouped}
        for (kind, ident), origin in origin_of.items():
            self._origins[kind][ident] = origin
        self._referrers: dict[tuple[str, str], tuple[tuple[Record, str], ...]] | None = None
        self._children: dict[str, list[str]] = defaultdict(list)
        for indication in self.indications:
            if indication.parent is not None:
                self._children[indication.parent].append(indication.id)

    def _names_owner(self, text: str) -> tuple[str, str] | None:
        """The ``(kind, id)`` of the record *text* is a name of, if any."""
        record = self._names.get(normalize(text))
        return None if record is None else (record.kind, record.id)

    @staticmethod
    def _group(
        records: list[Record], where: list[str | None]
    ) -> tuple[dict[str, dict[str, Record]], dict[tuple[str, str], str | None], list[Problem]]:
        """The records by kind and id, the file of each, and a problem per duplicate id."""
        problems: list[Problem] = []
        grouped: dict[str, dict[str, Record]] = {kind: {} for kind in BASE_KINDS}
        origin_of: dict[tuple[str, str], str | None] = {}
        for record, origin in zip(records, where, strict=True):
            if record.kind not in grouped:
                raise TypeError(f"{type(record).__name__} is not a cartlandscape record kind")
            seen = grouped[record.kind]
            if record.id in seen:
                first = origin_of[(record.kind, record.id)] or "<data>"
                problems.append(
                    Problem(
                        f"duplicate id: already used by the {record.kind} in {first}",
                        file=origin,
                        kind=record.kind,
                        record=record.id,
                        field="id",
                    )
                )
                continue
            seen[record.id] = record
            origin_of[(record.kind, record.id)] = origin
        return grouped, origin_of, problems

    def _index_names(
        self,
        grouped: dict[str, dict[str, Record]],
        origin_of: dict[tuple[str, str], str | None],
    ) -> dict[tuple[str, str], list[integrity.Finding]]:
        """Index every name; return each name two records claim, by the record indexed then.

        The record read later (a user's file, not the bundled seeds) is blamed.
        """
        order_of = {key: i for i, key in enumerate(origin_of)}
        # The record of each normalized name (the record itself: no tuple per name).
        self._names: dict[str, Record] = {}
        self._display: dict[str, str] = {}
        # Names exactly as written resolve with one dict look-up; other spellings are
        # normalized first (see lookup).
        self._exact: dict[str, Record] = {}
        clashes: dict[tuple[str, str], list[integrity.Finding]] = {}
        for kind, by_id in grouped.items():
            for record in by_id.values():
                for name in record.names():
                    self._exact.setdefault(name, record)
                    key = normalize(name)
                    if not key:
                        continue
                    claimed = self._names.setdefault(key, record)
                    if claimed is not record:
                        later, earlier = (
                            (record, claimed)
                            if order_of[(claimed.kind, claimed.id)] < order_of[(kind, record.id)]
                            else (claimed, record)
                        )
                        message = (
                            f"the name {name!r} is also a name of {earlier.kind} {earlier.id!r} "
                            f"({origin_of[(earlier.kind, earlier.id)] or '<data>'})"
                        )
                        clashes.setdefault((kind, record.id), []).append(
                            (later, _name_field(later, name), message)
                        )
                    self._display.setdefault(key, name)
        return clashes

    # -- what the registry holds --------------------------------------------------------------

    @property
    def version(self) -> DataVersion | None:
        """The release of the data and the date they are current to, if the data say."""
        return self._version

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The records that replaced earlier ones when the data were merged."""
        return self._overrides

    # -- collections -------------------------------------------------------------------------

    @property
    def sources(self) -> RecordSet[Source]:
        """Every source."""
        return self._sets["source"]

    @property
    def targets(self) -> RecordSet[Target]:
        """Every target."""
        return self._sets["target"]

    @property
    def indications(self) -> RecordSet[Indication]:
        """Every indication."""
        return self._sets["indication"]

    @property
    def institutions(self) -> RecordSet[Institution]:
        """Every institution."""
        return self._sets["institution"]

    @property
    def therapies(self) -> RecordSet[Therapy]:
        """Every therapy."""
        return self._sets["therapy"]

    @property
    def outcomes(self) -> RecordSet[Outcome]:
        """Every outcome."""
        return self._sets["outcome"]

    @property
    def prices(self) -> RecordSet[Price]:
        """Every price."""
        return self._sets["price"]

    @property
    def policies(self) -> RecordSet[Policy]:
        """Every policy."""
        return self._sets["policy"]

    @property
    def statements(self) -> RecordSet[Statement]:
        """Every quantified statement."""
        return self._sets["statement"]

    @property
    def events(self) -> RecordSet[Event]:
        """Every event."""
        return self._sets["event"]

    def of_kind(self, kind: str) -> RecordSet[Record]:
        """The collection of records of *kind* (``"therapy"`` gives :attr:`therapies`)."""
        if kind not in self._sets:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(self._sets)}")
        return self._sets[kind]

    def records(self) -> Iterator[Record]:
        """Every record, kind by kind."""
        for records in self._sets.values():
            yield from records

    def __len__(self) -> int:
        return sum(len(s) for s in self._sets.values())

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(s)} {BASE_KINDS[k][1]}" for k, s in self._sets.items() if s)
        return f"<Registry {self.version or ''}: {counts}>"

    def __str__(self) -> str:
        counts = "\n".join(f"  {BASE_KINDS[k][1]}: {len(s)}" for k, s in self._sets.items() if s)
        return f"cartlandscape registry {self.version or '(unversioned)'}\n{counts}"

    def _repr_html_(self) -> str:
        from cartlandscape.display import registry_html

        return registry_html(self)

    def display(self, item: Any) -> Shown:
        """*item* (a record or a result) to show in a notebook, its citations linked to sources.

        A record alone shows its citations' source ids; shown through the registry, each
        links to the source's address.
        """
        from cartlandscape.display import Shown

        return Shown(item, self.sources.get)

    @staticmethod
    def references(record: Record) -> Iterator[tuple[str, str, str]]:
        """``(field path, kind, id)`` for every reference *record* holds, nested ones included.

        >>> import cartlandscape
        >>> reg = cartlandscape.registry()
        >>> ("targets[0]", "target", "cd19") in set(reg.references(reg.lookup("CNCT19")))
        True
        """
        return integrity.references(record)

    def referrers(self, record: Record) -> tuple[tuple[Record, str], ...]:
        """``(record, field path)`` for every record that refers to *record*."""
        if self._referrers is None:
            index: dict[tuple[str, str], list[tuple[Record, str]]] = defaultdict(list)
            for other in self.records():
                for path, kind, ident in integrity.references(other):
                    index[(kind, ident)].append((other, path))
            self._referrers = {key: tuple(value) for key, value in index.items()}
        return self._referrers.get((record.kind, record.id), ())

    def origin(self, record: Record) -> str | None:
        """The file *record* was loaded from, if known."""
        return self._origins.get(record.kind, {}).get(record.id)

    # -- lookups -----------------------------------------------------------------------------

    def get(self, kind: str, ident: str) -> Record | None:
        """The record of *kind* with id *ident*, or None."""
        records = self._sets.get(kind)
        return None if records is None else records.get(ident)

    @overload
    def label_of(self, kind: str, ident: str) -> str: ...
    @overload
    def label_of(self, kind: str, ident: str | None) -> str | None: ...

    def label_of(self, kind: str, ident: str | None) -> str | None:
        """The label of the record of *kind* with id *ident*; *ident* itself if there is none.

        >>> import cartlandscape
        >>> reg = cartlandscape.registry()
        >>> [reg.label_of("target", ident) for ident in ("cd19", "no-such-id", None)]
        ['CD19', 'no-such-id', None]
        """
        record = self.get(kind, ident) if ident else None
        return ident if record is None else record.label

    @overload
    def lookup(self, text: str, kind: Literal["therapy"]) -> Therapy: ...
    @overload
    def lookup(self, text: str, kind: Literal["target"]) -> Target: ...
    @overload
    def lookup(self, text: str, kind: Literal["indication"]) -> Indication: ...
    @overload
    def lookup(self, text: str, kind: Literal["institution"]) -> Institution: ...
    @overload
    def lookup(self, text: str, kind: str | None = None) -> Record: ...

    def lookup(self, text: str, kind: str | None = None) -> Record:
        """The record with this id, name, INN, brand, code name or alias.

        Case, spaces and punctuation are ignored.  Raises
        :class:`~cartlandscape.errors.UnknownNameError` (a :class:`LookupError`) with close
        matches when nothing matches.
        """
        record: Record | None = self._exact.get(text)
        if record is not None and (kind is None or record.kind == kind):
            return record
        if kind is not None and kind not in self._sets:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(self._sets)}")
        found = self._names.get(normalize(text)) if isinstance(text, str) else None
        if found is not None and (kind is None or found.kind == kind):
            return found
        raise UnknownNameError(text, kind, self.suggest(str(text), kind))

    def suggest(self, text: str, kind: str | None = None, limit: int = 5) -> list[str]:
        """Names close to *text* (for "did you mean" messages)."""
        import difflib

        keys = [k for k, owner in self._names.items() if kind is None or owner.kind == kind]
        close = difflib.get_close_matches(normalize(text), keys, n=limit, cutoff=0.6)
        return [self._display[k] for k in close]

    def search(self, text: str, kind: str | None = None) -> list[Record]:
        """Records with a name that contains *text* (case and punctuation ignored)."""
        key = normalize(text)
        found: dict[tuple[str, str], Record] = {}
        for name, owner in self._names.items():
            if key and key in name and (kind is None or owner.kind == kind):
                found.setdefault((owner.kind, owner.id), owner)
        return list(found.values())

    @overload
    def _resolve(self, item: Record | str, kind: str) -> str: ...
    @overload
    def _resolve(self, item: Record | str | None, kind: str) -> str | None: ...

    def _resolve(self, item: Record | str | None, kind: str) -> str | None:
        """The id of *item*, a record of *kind* or one of its names (None: no criterion)."""
        if item is None:
            return None
        if isinstance(item, Record):
            if item.kind != kind:
                raise TypeError(f"expected a {kind}, found a {item.kind} ({item.id!r})")
            return item.id
        return self.lookup(item, kind).id

    def _under(self, indication: Indication | str | None) -> frozenset[str] | None:
        """The :meth:`indication_ids` of *indication*; None (no criterion) for None."""
        return None if indication is None else self.indication_ids(indication)

    def indication_ids(self, indication: Indication | str) -> frozenset[str]:
        """The id of *indication* and of every indication under it."""
        start = self._resolve(indication, "indication")
        found, todo = {start}, [start]
        while todo:
            for child in self._children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return frozenset(found)

    # -- typed queries -----------------------------------------------------------------------

    def therapies_for(
        self,
        *,
        target: Target | str | None = None,
        indication: Indication | str | None = None,
        agency: str | None = None,
        status: Literal["approved", "investigational"] | None = None,
        modality: Modality | str | None = None,
        developer: Institution | str | None = None,
    ) -> tuple[Therapy, ...]:
        """Therapies matching every criterion given; an indication includes its sub-indications.

        ``agency`` with ``status="approved"`` asks for approval by that agency; ``agency`` alone
        asks for any milestone with it.  An approval is any milestone of an approval kind
        (approval, conditional approval, label expansion; see :data:`APPROVAL_KINDS`), as in
        every query.  A value no criterion knows (``status="aproved"``, an agency code that is
        neither a known agency nor in the data) raises
        :class:`~cartlandscape.errors.UnknownValueError` with close matches.
        """
        target_id = self._resolve(target, "target")
        indications = self._under(indication)
        developer_id = self._resolve(developer, "institution")
        wanted_modality = None if modality is None else _choice("modality", modality, Modality)
        if status is not None and status not in _STATUSES:
            raise UnknownValueError("status", status, _STATUSES)
        code = self._agency(agency)
        found = []
        for therapy in self.therapies:
            if target_id is not None and target_id not in therapy.targets:
                continue
            if developer_id is not None and developer_id not in therapy.developers:
                continue
            if wanted_modality is not None and therapy.modality is not wanted_modality:
                continue
            milestones = [m for m in therapy.milestones if code is None or m.agency == code]
            if status == "approved":
                milestones = [m for m in milestones if m.is_approval]
            if indications is not None:
                milestones = [m for m in milestones if m.indication in indications]
            if (code is not None or indications is not None or status == "approved") and (
                not milestones
            ):
                continue
            if status == "investigational" and therapy.approvals(agency):
                continue
            found.append(therapy)
        return tuple(found)

    def outcomes_for(
        self,
        *,
        therapy: Therapy | str | None = None,
        indication: Indication | str | None = None,
        endpoint: Endpoint | str | None = None,
        institution: Institution | str | None = None,
        target: Target | str | None = None,
        grade: Grade | str | None = None,
        grading_scale: GradingScale | str | None = None,
    ) -> tuple[Outcome, ...]:
        """Outcomes matching every criterion given; an indication includes its sub-indications.

        *grade* (``">=3"``, ``"≥3"``) and *grading_scale* (``"astct-2019"``, ``"ASTCT 2019"``)
        keep toxicity outcomes that count those grades on that scale.
        """
        wanted_grade = None if grade is None else parse_grade(grade)
        wanted_scale = None if grading_scale is None else parse_grading_scale(grading_scale)
        therapy_id = self._resolve(therapy, "therapy")
        indications = self._under(indication)
        wanted = None if endpoint is None else parse_endpoint(endpoint)
        institution_id = self._resolve(institution, "institution")
        target_id = self._resolve(target, "target")
        found = []
        for outcome in self.outcomes:
            if therapy_id is not None and outcome.therapy != therapy_id:
                continue
            if indications is not None and outcome.indication not in indications:
                continue
            if wanted is not None and outcome.endpoint is not wanted:
                continue
            if institution_id is not None and outcome.institution != institution_id:
                continue
            if target_id is not None and (
                outcome.therapy is None or target_id not in self.therapies[outcome.therapy].targets
            ):
                continue
            if wanted_grade is not None and outcome.grade is not wanted_grade:
                continue
            if wanted_scale is not None and outcome.grading_scale is not wanted_scale:
                continue
            found.append(outcome)
        return tuple(found)

    def _agency(self, agency: str | None) -> str | None:
        """The agency code *agency* stands for; an unknown code raises with close matches."""
        if agency is None:
            return None
        code = agency.upper() if isinstance(agency, str) else agency
        known = AGENCIES | {m.agency for t in self.therapies for m in t.milestones}
        if code not in known:
            raise UnknownValueError("agency", agency, sorted(known))
        return code

    def _candidates(
        self,
        therapy: Therapy | str | None,
        agency: str | None,
        type: MilestoneKind | str | None,
        indication: Indication | str | None,
        exact: bool,
    ) -> list[tuple[Therapy, Milestone]]:
        """The ``(therapy, milestone)`` pairs the criteria of :meth:`milestones_for` admit."""
        therapy_id = self._resolve(therapy, "therapy")
        indications = self._under(indication)
        code = self._agency(agency)
        kinds: frozenset[MilestoneKind] | None = None
        if type is not None:
            kind = _choice("type", type, MilestoneKind)
            exact_kind = exact or kind is not MilestoneKind.APPROVAL
            kinds = frozenset({kind}) if exact_kind else APPROVAL_KINDS
        return [
            (t, m)
            for t in self.therapies
            if therapy_id is None or t.id == therapy_id
            for m in t.milestones
            if (code is None or m.agency == code)
            and (kinds is None or m.type in kinds)
            and (indications is None or m.indication in indications)
        ]

    def _decisions(self, pairs: list[tuple[Therapy, Milestone]]) -> tuple[Decision, ...]:
        from cartlandscape.decisions import decisions, tier_rank

        sources = self.sources

        def rank(milestone: Milestone) -> int:
            return min(tier_rank(sources.get(c.source)) for c in milestone.citations)

        return decisions(pairs, rank)

    def approval_decisions(
        self,
        *,
        therapy: Therapy | str | None = None,
        agency: str | None = None,
        type: MilestoneKind | str = MilestoneKind.APPROVAL,
        indication: Indication | str | None = None,
        year: int | None = None,
        exact: bool = False,
    ) -> tuple[Decision, ...]:
        """The regulatory decisions matching every criterion, oldest first, each once.

        Milestones that record the same decision (see :mod:`cartlandscape.decisions`) make one
        :class:`~cartlandscape.decisions.Decision`, whose date is that of the milestone cited by
        the highest tier of source.  ``type`` defaults to every approval kind; criteria are as
        in :meth:`milestones_for`, and ``year`` is the year of the decision's date.
        """
        pairs = self._candidates(therapy, agency, type, indication, exact)
        found = [
            d
            for d in self._decisions(pairs)
            if year is None or (d.date is not None and d.date.year == year)
        ]
        found.sort(key=lambda d: undated_last(d.date))
        return tuple(found)

    def approvals_per_year(
        self,
        *,
        therapy: Therapy | str | None = None,
        agency: str | None = None,
        type: MilestoneKind | str = MilestoneKind.APPROVAL,
        indication: Indication | str | None = None,
        exact: bool = False,
    ) -> dict[int, int]:
        """The number of approval decisions per year, each decision counted once.

        Criteria are as in :meth:`approval_decisions`; undated decisions have no year and are
        not counted.
        """
        counts: dict[int, int] = {}
        for decision in self.approval_decisions(
            therapy=therapy, agency=agency, type=type, indication=indication, exact=exact
        ):
            if decision.date is not None:
                counts[decision.date.year] = counts.get(decision.date.year, 0) + 1
        return counts

    def milestones_for(
        self,
        *,
        therapy: Therapy | str | None = None,
        agency: str | None = None,
        type: MilestoneKind | str | None = None,
        indication: Indication | str | None = None,
        year: int | None = None,
        exact: bool = False,
        every_record: bool = False,
    ) -> tuple[tuple[Therapy, Milestone], ...]:
        """``(therapy, milestone)`` pairs matching every criterion given, oldest first.

        ``type="approval"`` asks for every approval kind (approval, conditional approval,
        label expansion), as :meth:`therapies_for` and :meth:`Therapy.approvals` count them;
        ``exact=True`` asks for that one kind only.  Any other kind is matched exactly.
        ``year`` keeps milestones dated in that year.

        Milestones that record one regulatory decision (two sources dating it a day apart)
        give one pair, with the milestone cited by the highest tier of source
        (:meth:`approval_decisions` lists the others); ``every_record=True`` gives every
        milestone record instead.  Unknown values of ``type`` or ``agency`` raise
        :class:`~cartlandscape.errors.UnknownValueError` with close matches.
        """
        pairs = self._candidates(therapy, agency, type, indication, exact)
        if not every_record:
            pairs = [(d.therapy, d.milestone) for d in self._decisions(pairs)]
        found = [
            (t, m) for t, m in pairs if year is None or (m.date is not None and m.date.year == year)
        ]
        found.sort(key=lambda pair: undated_last(pair[1].date))
        return tuple(found)

    def prices_for(
        self,
        *,
        therapy: Therapy | str | None = None,
        country: str | None = None,
        currency: str | None = None,
    ) -> tuple[Price, ...]:
        """Prices matching every criterion given, oldest first; amounts are never converted.

        *country* is an ISO 3166-1 alpha-2 code (any case); *currency* a unit name such as
        ``USD`` (or an alias of one, such as ``RMB``).
        """
        therapy_id = self._resolve(therapy, "therapy")
        code = None if country is None else country.upper()
        unit = None
        if currency is not None:
            from cartlandscape import units

            if not units.matches(currency, "money"):
                raise ValueError(f"{currency!r} is not a currency (see units.txt)")
            unit = units.canonical_unit(currency)
        found = [
            p
            for p in self.prices
            if (therapy_id is None or p.therapy == therapy_id)
            and (code is None or p.country == code)
            and (unit is None or p.amount.unit == unit)
        ]
        found.sort(key=lambda p: (p.date, p.id))
        return tuple(found)

    @property
    def trials(self) -> RecordSet[Trial]:
        """The trials of the bundled ClinicalTrials.gov snapshot, read on first use.

        Their references are checked against this registry (see :mod:`cartlandscape.trials`).
        """
        from cartlandscape.trials.store import trials_of

        return trials_of(self)

    def trials_for(self, **criteria: Any) -> tuple[Trial, ...]:
        """Trials of the bundled snapshot matching every criterion given.

        The criteria (``target``, ``indication``, ``phase``, ``status``, ``country``,
        ``sponsor_class``, ``started=(from, to)``, ``modality``, ``product``, ``in_pipeline``)
        are those of :func:`cartlandscape.trials.query.trials_for`.
        """
        from cartlandscape.trials.query import trials_for

        return trials_for(self, **criteria)

    def trial_of(self, item: Any) -> Trial | None:
        """The trial an outcome's study, a study or a registry id refers to, or None."""
        from cartlandscape.trials.query import trial_of

        return trial_of(self, item)

    def statements_for(
        self,
        subject: Record | str | None = None,
        *,
        type: StatementKind | str | None = None,
        metric: str | None = None,
    ) -> tuple[Statement, ...]:
        """Quantified statements about *subject* (a record, or any of its names)."""
        if subject is None:
            ref = None
        elif isinstance(subject, Record):
            ref = (subject.kind, subject.id)
        else:
            record = self.lookup(subject)
            ref = (record.kind, record.id)
        kind = None if type is None else _choice("type", type, StatementKind)
        return tuple(
            s
            for s in self.statements
            if (ref is None or (s.subject.kind, s.subject.id) == ref)
            and (kind is None or s.type is kind)
            and (metric is None or normalize(metric) in normalize(s.metric))
        )
