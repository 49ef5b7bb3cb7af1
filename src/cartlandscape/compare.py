"""Outcomes side by side: matched by endpoint, indication, time point and grading.

:func:`compare` puts the outcomes of two or more therapies next to each other; :func:`rank`
orders every outcome of an endpoint.  Neither ever compares unlike with unlike in silence:
different endpoints (CR and ORR), indications, time points, toxicity grading scales or grades,
or units of different dimensions raise :class:`ComparisonError`, which says what differs.
``allow_mismatch=True`` compares anyway; the result then lists each mismatch, and each row is
flagged with the fields in which it departs from the others.  The rules of what may be set side
by side are those of :mod:`cartlandscape.matching`, which pooling follows too; this module
re-exports its :class:`Mismatch`, :func:`mismatches` and :func:`cautions`.

Values keep the form the source gave them.  A difference between two values is computed by
interval arithmetic on :meth:`~cartlandscape.values.Value.interval` (``a − b`` lies between
``a.low − b.high`` and ``a.high − b.low``), so a range stays a range and a bound stays a bound;
no point value is ever invented.  Differences between proportions are in percentage points
(the unit ``percentage_point``, 0.01, kept apart from the relative ``percent``), differences
between times in months.

>>> from cartlandscape import Citation, Outcome, Registry, Source, Therapy
>>> cite = (Citation(source="s", locator="table 2"),)
>>> reg = Registry([
...     Source(id="s", title="A trial report", type="journal-article"),
...     Therapy(id="alpha-cel", name="Alpha-cel", citations=cite),
...     Therapy(id="beta-cel", name="Beta-cel", citations=cite),
...     Outcome(id="a-orr", therapy="alpha-cel", endpoint="orr", value="80 percent", n=50,
...             citations=cite),
...     Outcome(id="b-orr", therapy="beta-cel", endpoint="orr", value="62 to 70 percent",
...             citations=cite),
...     Outcome(id="b-cr", therapy="beta-cel", endpoint="cr", value="40 percent", citations=cite),
... ])
>>> c = compare(reg, ["Alpha-cel", "beta-cel"], endpoint="ORR")
>>> [str(row.value) for row in c.rows]
['80 percent', '62 to 70 percent']
>>> print(c.differences()[0])
a-orr − b-orr: +10 to +18 percentage points
>>> rank(reg, endpoint="orr").rows[0].name
'Alpha-cel'
"""

from __future__ import annotations

import importlib
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

from cartlandscape import matching, units
from cartlandscape._registry import Registry
from cartlandscape.errors import ComparisonError, Remedy
from cartlandscape.fields import check_value
from cartlandscape.formatting import format_comparison, format_table, grading_words
from cartlandscape.matching import (
    CAUTION_FIELDS,
    DATA_CUT_DAYS,
    FIELDS,
    FOLLOW_UP_RATIO,
    Mismatch,
    cautions,
    mismatches,
)
from cartlandscape.models import Citation, Outcome, Therapy
from cartlandscape.studies import one_per_study as _one_per_study
from cartlandscape.text import normalize
from cartlandscape.values import Approximate, Bound, NotReached, Value, parse_value
from cartlandscape.vocabulary import (
    Endpoint,
    Grade,
    GradingScale,
    parse_endpoint,
    parse_grade,
    parse_grading_scale,
)

if TYPE_CHECKING:
    import pint

__all__ = [
    "CAUTION_FIELDS",
    "DATA_CUT_DAYS",
    "FIELDS",
    "FOLLOW_UP_RATIO",
    "PERCENTAGE_POINT",
    "Comparison",
    "ComparisonError",
    "Difference",
    "Mismatch",
    "Row",
    "Table",
    "cautions",
    "compare",
    "format_comparison",
    "format_table",
    "grading_words",
    "mismatches",
    "rank",
]

#: The unit of a difference between two proportions.
PERCENTAGE_POINT: Final = "percentage_point"
#: The most narrower questions a refusal offers.
_NARROWER: Final = 12
#: Per dimension, the unit values are converted to, and the unit of a difference.
_UNITS: Final = {"dimensionless": ("percent", PERCENTAGE_POINT), "[time]": ("month", "month")}
#: The remedies a refused comparison offers.
_ANYWAY: Final = Remedy("allow_mismatch", True, "to compare anyway with each mismatch flagged")
_ANYWAY_RELATED: Final = Remedy("allow_mismatch", True, "to compare a related endpoint, flagged")
#: The remedies of a mismatch in grading: choose one scale, or one set of grades.
_GRADING: Final = {
    "grading_scale": Remedy("grading_scale", None, "to keep the rates of one grading scale"),
    "grade": Remedy("grade", None, "to keep the rates of one set of grades"),
}
_NARROW: Final = (
    Remedy("indication", None, "to narrow the question"),
    Remedy("timepoint", None, "to narrow the question"),
)


# -- rows and differences ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Row:
    """One outcome in a comparison or ranking: the record, a display name, the converted value.

    ``converted`` is the outcome's value in the comparison's unit (percent for proportions,
    months for times), in the same form; ``flags`` names the fields in which the row departs
    from the others (only with ``allow_mismatch=True``).  ``value``, ``n`` and ``citations``
    are the outcome's own.
    """

    outcome: Outcome
    name: str
    converted: Value
    flags: tuple[str, ...] = ()
    #: Every name of the row's therapy (or institution): its id, INN, brands, codes, aliases.
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, registry: Registry, outcome: Outcome, flags: tuple[str, ...] = ()) -> Row:
        """The row of *outcome*, named after its therapy (or else its institution).

        >>> import cartlandscape
        >>> reg = cartlandscape.registry()
        >>> row = Row.of(reg, next(iter(reg.outcomes)))
        >>> row.converted.unit
        'percent'
        """
        names: tuple[str, ...] = ()
        if outcome.therapy is not None and outcome.therapy in registry.therapies:
            name = registry.therapies[outcome.therapy].name
            names = registry.therapies[outcome.therapy].names()
        elif outcome.institution is not None and outcome.institution in registry.institutions:
            name = registry.institutions[outcome.institution].name
            names = registry.institutions[outcome.institution].names()
        else:
            name = outcome.therapy or outcome.institution or outcome.id
        target = _UNITS.get(outcome.value.dimensionality)
        converted = outcome.value if target is None else outcome.value.to(target[0])
        return cls(outcome=outcome, name=name, converted=converted, flags=flags, names=names)

    @property
    def id(self) -> str:
        """The outcome's id."""
        return self.outcome.id

    @property
    def value(self) -> Value:
        """The value as the source gave it."""
        return self.outcome.value

    @property
    def n(self) -> int | None:
        """The number of patients, if given."""
        return self.outcome.n

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The outcome's citations."""
        return self.outcome.citations


def _signed(x: float) -> str:
    if math.isinf(x):
        return "+∞" if x > 0 else "−∞"
    text = f"{x:+.6g}"
    return text.replace("-", "−")


@attrs.frozen(kw_only=True)
class Difference:
    """The difference ``first − second`` between two rows' values, as an interval.

    ``low`` and ``high`` may be infinite when a value is a bound; ``low_open``/``high_open``
    tell whether an end is excluded.  ``unit`` is ``percentage_point`` for proportions and
    ``month`` for times.  The citations of both rows are kept.
    """

    first: str
    second: str
    low: float
    high: float
    unit: str
    low_open: bool = False
    high_open: bool = False
    approximate: bool = False
    citations: tuple[Citation, ...] = ()

    @property
    def form(self) -> str:
        """``exact`` or ``approximate`` for a point, ``bound``, ``range``, or ``unbounded``."""
        if math.isinf(self.low) and math.isinf(self.high):
            return "unbounded"
        if math.isinf(self.low) or math.isinf(self.high):
            return "bound"
        if self.low == self.high:
            return "approximate" if self.approximate else "exact"
        return "range"

    @property
    def relation(self) -> str | None:
        """For a bound, ``>``, ``>=``, ``<`` or ``<=``; otherwise None."""
        if self.form != "bound":
            return None
        if math.isinf(self.high):
            return ">" if self.low_open else ">="
        return "<" if self.high_open else "<="

    def _quantity(self, magnitude: float) -> pint.Quantity[Any]:
        return units.quantity(magnitude, self.unit)

    @property
    def quantity(self) -> pint.Quantity[Any]:
        """The difference as a pint quantity; only a point difference has one.

        Raises :class:`ComparisonError` for a range or a bound (use :attr:`low_quantity` and
        :attr:`high_quantity`), since no point value is known.
        """
        if self.form not in ("exact", "approximate"):
            raise ComparisonError(
                f"the difference {self.first} − {self.second} is a {self.form}, not a point "
                "value; use low_quantity and high_quantity"
            )
        return self._quantity(self.low)

    @property
    def low_quantity(self) -> pint.Quantity[Any]:
        """The low end as a pint quantity (may be −inf)."""
        return self._quantity(self.low)

    @property
    def high_quantity(self) -> pint.Quantity[Any]:
        """The high end as a pint quantity (may be +inf)."""
        return self._quantity(self.high)

    def reversed(self) -> Difference:
        """The difference ``second − first``.

        >>> d = Difference(first="a", second="b", low=5, high=float("inf"), unit="month",
        ...                high_open=True)
        >>> print(d.reversed())
        b − a: at most −5 month
        """
        return attrs.evolve(
            self,
            first=self.second,
            second=self.first,
            low=-self.high,
            high=-self.low,
            low_open=self.high_open,
            high_open=self.low_open,
        )

    def describe(self) -> str:
        """Say the difference in words.

        >>> Difference(first="a", second="b", low=-2.5, high=7.5, unit=PERCENTAGE_POINT).describe()
        '−2.5 to +7.5 percentage points'
        """
        unit = "percentage points" if self.unit == PERCENTAGE_POINT else self.unit
        form = self.form
        if form == "unbounded":
            return f"not determined (any difference in {unit} is possible)"
        if form in ("exact", "approximate"):
            about = "about " if self.approximate else ""
            return f"{about}{_signed(self.low)} {unit}"
        if form == "bound":
            words = {">": "more than", ">=": "at least", "<": "less than", "<=": "at most"}
            relation = self.relation
            assert relation is not None
            end = self.low if relation.startswith(">") else self.high
            return f"{words[relation]} {_signed(end)} {unit}"
        about = "about " if self.approximate else ""
        return f"{about}{_signed(self.low)} to {_signed(self.high)} {unit}"

    def __str__(self) -> str:
        return f"{self.first} − {self.second}: {self.describe()}"


def _ends(value: Value) -> tuple[float, float, bool, bool]:
    """The interval of *value*, and whether each end is open; a proportion ends at 100 %."""
    low, high = value.interval()
    low_open = isinstance(value, Bound) and value.relation == ">"
    high_open = isinstance(value, Bound) and value.relation == "<"
    factor = units.to_fraction(value.unit)
    if factor is not None and high > 1 / factor:
        high, high_open = 1 / factor, False
    return low, high, low_open or math.isinf(low), high_open or math.isinf(high)


def _difference(first: Row, second: Row) -> Difference | None:
    a, b = first.converted, second.converted
    if a.unit != b.unit or a.dimensionality not in _UNITS:
        return None
    if isinstance(a, NotReached) or isinstance(b, NotReached):
        return None  # no number to subtract: nothing is made up
    a_low, a_high, a_low_open, a_high_open = _ends(a)
    b_low, b_high, b_low_open, b_high_open = _ends(b)
    citations = tuple(dict.fromkeys((*first.citations, *second.citations)))
    return Difference(
        first=first.id,
        second=second.id,
        low=a_low - b_high,
        high=a_high - b_low,
        unit=_UNITS[a.dimensionality][1],
        low_open=a_low_open or b_high_open,
        high_open=a_high_open or b_low_open,
        approximate=isinstance(a, Approximate) or isinstance(b, Approximate),
        citations=citations,
    )


# -- results -----------------------------------------------------------------------------------


def _lookup_row(rows: Sequence[Row], name: str) -> Row:
    by_outcome = [r for r in rows if r.id == name]
    if by_outcome:
        return by_outcome[0]
    key = normalize(name)
    found = [
        r
        for r in rows
        if key in {normalize(r.name), normalize(r.outcome.therapy or ""), *map(normalize, r.names)}
    ]
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(r.id for r in found)
        raise ComparisonError(f"{name!r} has several rows ({ids}); name an outcome id")
    raise ComparisonError(f"no row is {name!r}; the rows are {', '.join(r.id for r in rows)}")


@attrs.frozen(kw_only=True)
class _Result:
    """What a comparison and a ranking share: the question asked, the rows, and what differs."""

    endpoint: Endpoint = attrs.field(converter=parse_endpoint)
    indication: str | None
    timepoint: Value | None
    unit: str
    rows: tuple[Row, ...]
    mismatches: tuple[Mismatch, ...] = ()
    #: The indication's display name (``indication`` is its id).
    indication_name: str | None = None
    #: The toxicity grades and the grading scale the rows were chosen by, if any.
    grade: Grade | None = None
    grading_scale: GradingScale | None = None
    #: Differences in follow-up or data cut between the rows (see :func:`cautions`).
    cautions: tuple[Mismatch, ...] = ()
    #: Why outcomes were left out (with ``one_per_study=True``: other reports of a study).
    left_out: tuple[str, ...] = ()
    #: The function of :mod:`cartlandscape.display` that shows the result in a notebook.
    _html: ClassVar[str]

    def format(
        self, registry: Registry | None = None, *, width: int | None = None, bold: bool = False
    ) -> str:
        """The result as text: the full table given the *registry* its outcomes come from."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.endpoint.label}: {len(self.rows)} rows>"

    def __str__(self) -> str:
        return self.format()

    def _repr_html_(self) -> str:
        display = importlib.import_module("cartlandscape.display")
        return str(getattr(display, self._html)(self))

    def heading(self, *, grading: bool = True) -> str:
        """The question in words: endpoint, grades counted, indication and time point.

        For example ``'CRS grade ≥3 (ASTCT 2019) in Multiple myeloma at 12 month'``; without
        *grading*, the grades and scale are left out.
        """
        head = self.endpoint.label
        if grading:
            head += grading_words(self.grade, self.grading_scale)
        if self.indication:
            head += f" in {self.indication_name or self.indication}"
        if self.timepoint is not None:
            head += f" at {self.timepoint}"
        return head


@attrs.frozen(kw_only=True, repr=False)
class Comparison(_Result):
    """Outcomes of therapies side by side; see :func:`compare`.

    ``mismatches`` is empty unless the comparison was made with ``allow_mismatch=True``.
    """

    _html: ClassVar[str] = "comparison_html"

    def format(
        self, registry: Registry | None = None, *, width: int | None = None, bold: bool = False
    ) -> str:
        """The comparison as text; see :func:`~cartlandscape.formatting.format_comparison`."""
        return format_comparison(self, registry, width=width, bold=bold)

    @property
    def matched(self) -> bool:
        """Whether every row agrees in endpoint, indication, time point, grading and unit."""
        return not self.mismatches

    def differences(self) -> tuple[Difference, ...]:
        """The difference of every pair of rows, ``rows[i] − rows[j]`` for ``i < j``.

        Pairs whose values cannot be subtracted are left out: a proportion and a time (the
        comparison lists them as a unit mismatch), and a median that was not reached (it has no
        number to subtract).  So are two reports of one study (a label and a five-year update
        of one trial): they differ in data cut, not in therapy.

        >>> from cartlandscape.models import Citation, Outcome
        >>> cite = (Citation(source="s", locator="p. 4"),)
        >>> rows = tuple(
        ...     Row(outcome=Outcome(id=i, therapy=i, endpoint="cr", value=v, citations=cite),
        ...         name=i, converted=parse_value(v))
        ...     for i, v in [("a", "50 percent"), ("b", "40 percent"), ("c", "~45 percent")])
        >>> c = Comparison(endpoint="cr", indication=None, timepoint=None, unit="percent",
        ...                rows=rows)
        >>> [d.describe() for d in c.differences()]
        ['+10 percentage points', 'about +5 percentage points', 'about −5 percentage points']
        """
        found = []
        for i, first in enumerate(self.rows):
            for second in self.rows[i + 1 :]:
                if matching.same_study(first.outcome, second.outcome):
                    continue
                difference = _difference(first, second)
                if difference is not None:
                    found.append(difference)
        return tuple(found)

    def difference(self, first: str, second: str) -> Difference:
        """The difference ``first − second``; each is an outcome id, or a therapy's name or id.

        >>> from cartlandscape.models import Citation, Outcome
        >>> cite = (Citation(source="s", locator="p. 4"),)
        >>> r = [Row(outcome=Outcome(id=i, therapy=i, endpoint="cr", value=v, citations=cite),
        ...          name=i.upper(), converted=parse_value(v))
        ...      for i, v in [("a", "50 percent"), ("b", "42.5 percent")]]
        >>> c = Comparison(endpoint="cr", indication=None, timepoint=None, unit="percent", rows=r)
        >>> print(f"{c.difference('b', 'A').quantity:~P}")
        -7.5 percentage_point
        """
        a, b = _lookup_row(self.rows, first), _lookup_row(self.rows, second)
        difference = _difference(a, b)
        unreached = [r.id for r in (a, b) if isinstance(r.value, NotReached)]
        if difference is None and unreached:
            raise ComparisonError(
                f"{' and '.join(unreached)} not reached: no difference is computed from a "
                "median that was not reached"
            )
        if difference is None:
            raise ComparisonError(
                f"{a.id} ({a.value.unit}) and {b.id} ({b.value.unit}) have units of "
                "different dimensions"
            )
        return difference


@attrs.frozen(kw_only=True, repr=False)
class Table(_Result):
    """Outcomes of one endpoint in order; see :func:`rank`.

    ``positions`` gives each row's place; rows with the same interval share a place.
    """

    descending: bool
    positions: tuple[int, ...]
    _html: ClassVar[str] = "table_html"

    def format(
        self, registry: Registry | None = None, *, width: int | None = None, bold: bool = False
    ) -> str:
        """The ranking as text; see :func:`~cartlandscape.formatting.format_table`."""
        return format_table(self, registry, width=width, bold=bold)


# -- compare and rank --------------------------------------------------------------------------


def _timepoint(value: Value | str | None) -> Value | None:
    if value is None:
        return None
    parsed = parse_value(value) if isinstance(value, str) else value
    check_value("timepoint", parsed, "time")
    return parsed


def _grading(
    endpoint: Endpoint, grade: Grade | str | None, grading_scale: GradingScale | str | None
) -> tuple[Grade | None, GradingScale | None]:
    """Read the *grade* and *grading_scale* asked for; only a graded endpoint takes them."""
    if (grade is not None or grading_scale is not None) and not endpoint.needs_grading:
        graded = ", ".join(e.label for e in Endpoint if e.needs_grading)
        raise ComparisonError(
            f"{endpoint.label} is not graded: a grade or grading scale applies to {graded}"
        )
    return (
        None if grade is None else parse_grade(grade),
        None if grading_scale is None else parse_grading_scale(grading_scale),
    )


def _graded(
    outcomes: Iterable[Outcome], grade: Grade | None, grading_scale: GradingScale | None
) -> list[Outcome]:
    """The *outcomes* that count *grade* on *grading_scale* (None: any)."""
    return [
        o
        for o in outcomes
        if (grade is None or o.grade is grade)
        and (grading_scale is None or o.grading_scale is grading_scale)
    ]


@attrs.frozen
class _Question:
    """A question as :func:`compare` and :func:`rank` read it: endpoint, scope and grading."""

    endpoint: Endpoint
    indication: str | None
    timepoint: Value | None
    grade: Grade | None
    grading_scale: GradingScale | None

    @classmethod
    def read(
        cls,
        registry: Registry,
        endpoint: Endpoint | str,
        indication: str | None,
        timepoint: Value | str | None,
        grade: Grade | str | None,
        grading_scale: GradingScale | str | None,
    ) -> _Question:
        """The question asked: names looked up, values parsed, grading checked."""
        wanted = parse_endpoint(endpoint)
        scope = None if indication is None else registry.lookup(indication, "indication").id
        return cls(wanted, scope, _timepoint(timepoint), *_grading(wanted, grade, grading_scale))

    def shared(
        self, registry: Registry, outcomes: Sequence[Outcome], left_out: Sequence[str]
    ) -> dict[str, Any]:
        """The fields a comparison or ranking of *outcomes* takes from the question."""
        scope = self.indication
        return {
            "endpoint": self.endpoint,
            "indication": scope,
            "timepoint": self.timepoint,
            "unit": _unit_of(self.endpoint),
            "indication_name": None if scope is None else registry.indications[scope].name,
            "grade": self.grade,
            "grading_scale": self.grading_scale,
            "cautions": cautions(outcomes),
            "left_out": tuple(left_out),
        }


def _therapy_outcomes(
    registry: Registry,
    therapy: Therapy,
    endpoint: Endpoint,
    indication: str | None,
    timepoint: Value | None,
    allow_mismatch: bool,
) -> list[Outcome]:
    every = registry.outcomes_for(therapy=therapy)
    found = matching.in_scope(
        registry, [o for o in every if o.endpoint is endpoint], indication, timepoint
    )
    if found:
        return found
    related = matching.related(endpoint) - {endpoint}
    if allow_mismatch and related:
        found = matching.in_scope(
            registry, [o for o in every if o.endpoint in related], indication, None
        )
        found = [o for o in found if timepoint is None or o.timepoint is None] or found
        if found:
            return found
    scope = "".join(
        [
            f" in {registry.indications[indication].name}" if indication else "",
            f" at {timepoint}" if timepoint is not None else "",
        ]
    )
    others = sorted(
        {o.endpoint.label for o in matching.in_scope(registry, every, indication, None)}
        - {endpoint.label}
    )
    hint = f"; its outcomes report {', '.join(others)}" if others else ""
    remedies = []
    if related and others and set(others) & {e.label for e in related}:
        remedies.append(_ANYWAY_RELATED)
    raise ComparisonError(f"no {endpoint.label} outcome for {therapy.name}{scope}{hint}", remedies)


def _unit_of(endpoint: Endpoint) -> str:
    return "percent" if endpoint.dimension == "proportion" else "month"


def _narrowing(outcomes: Sequence[Outcome], found: Sequence[Mismatch]) -> list[Remedy]:
    """The questions that narrow a refused comparison: each indication or time point found.

    Indications come first; time points are offered only where the indications agree.
    """
    remedies = []
    fields = {m.field for m in found}
    narrowing = ["indication"] if "indication" in fields else ["timepoint"]
    for mismatch in found:
        if mismatch.field not in narrowing:
            continue
        key = matching.KEYS[mismatch.field][0]
        tally: Counter[Hashable] = Counter(key(o) for o in outcomes)
        example = {key(o): o for o in outcomes}
        for value, count in tally.most_common(_NARROWER):
            if value is None:
                continue
            outcome = example[value]
            given = outcome.indication if mismatch.field == "indication" else outcome.timepoint
            noun = "outcome" if count == 1 else "outcomes"
            remedies.append(Remedy(mismatch.field, str(given), f"({count} {noun})"))
    return remedies or list(_NARROW)


def _checked(
    registry: Registry,
    outcomes: list[Outcome],
    fields: tuple[str, ...],
    allow_mismatch: bool,
    asked: Sequence[Mismatch] = (),
) -> tuple[tuple[Row, ...], tuple[Mismatch, ...]]:
    """Rows of *outcomes* once they agree on *fields* and with the question (*asked*).

    Without ``allow_mismatch`` any mismatch raises :class:`ComparisonError`, whose remedies
    name each indication and time point found (the narrower questions) and ``allow_mismatch``.
    """
    between = mismatches(outcomes, fields=fields)
    # A departure from the question is told once: the rows' own mismatch tells it already.
    found = (*(m for m in asked if m.field not in {b.field for b in between}), *between)
    if found and not allow_mismatch:
        details = "; ".join(str(m) for m in found)
        grading = [_GRADING[m.field] for m in found if m.field in _GRADING]
        narrow = (
            _narrowing(outcomes, between) if any(m.field not in _GRADING for m in found) else []
        )
        raise ComparisonError(
            f"these outcomes are not comparable: {details}", (*narrow, *grading, _ANYWAY)
        )
    flags = {
        ident: list(fields) for ident, fields in matching.departures(outcomes, between).items()
    }
    for mismatch in asked:
        for ident, _ in mismatch.found:
            if ident in flags and mismatch.field not in flags[ident]:
                flags[ident].append(mismatch.field)
    rows = tuple(Row.of(registry, o, tuple(flags[o.id])) for o in outcomes)
    return rows, found


# Long for its docstring: 43 lines with the doctests; the code is under 80 lines.
def compare(
    registry: Registry,
    therapies: Sequence[Therapy | Outcome | str],
    *,
    endpoint: Endpoint | str,
    indication: str | None = None,
    timepoint: Value | str | None = None,
    allow_mismatch: bool = False,
    grade: Grade | str | None = None,
    grading_scale: GradingScale | str | None = None,
    one_per_study: bool = False,
) -> Comparison:
    """Put the *endpoint* outcomes of two or more therapies side by side.

    *therapies* holds therapies (records, or any of their names) and/or outcome records (used
    as they are).  A therapy contributes every outcome of the endpoint in *indication* (with
    its sub-indications) at *timepoint*; rows keep their citations and the form of their value.

    Raises :class:`ComparisonError` when a therapy has no such outcome, when an outcome
    record given reports another endpoint or time point than the ones asked for, or when the
    rows differ in any of :data:`FIELDS`: endpoint, indication (sub-indications of the
    *indication* asked for differ too), setting, analysis set, time point, grading scale,
    grade or the dimension of their unit.  With ``allow_mismatch=True`` the comparison is made
    anyway and lists each mismatch; a therapy without the endpoint then contributes a related
    one (CR, CR/CRi and sCR/CR are related), flagged.  Differences in median follow-up or data
    cut never refuse, but are listed in ``cautions``.  ``one_per_study=True`` keeps one report
    of each study (see :func:`cartlandscape.studies.one_per_study`); ``left_out`` says why
    each other report was left out.  Two reports of one study are never given as a
    difference.

    For a graded endpoint (CRS, ICANS, neurotoxicity), *grade* (``">=3"``) and *grading_scale*
    (``"astct-2019"``) choose each therapy's outcomes; outcomes graded on different scales are
    never compared without ``allow_mismatch`` (a Lee grade 3 is not an ASTCT grade 3), and a
    scale that is not stated matches none.

    >>> from cartlandscape import Citation, Outcome, Registry, Source, Therapy
    >>> cite = (Citation(source="s", locator="fig. 1"),)
    >>> reg = Registry([
    ...     Source(id="s", title="A review", type="review"),
    ...     Therapy(id="a-cel", name="A-cel", citations=cite),
    ...     Therapy(id="b-cel", name="B-cel", citations=cite),
    ...     Outcome(id="a-cr", therapy="a-cel", endpoint="cr", value="50 percent", citations=cite),
    ...     Outcome(id="b-cr", therapy="b-cel", endpoint="cr-cri", value="70 percent",
    ...             citations=cite),
    ... ])
    >>> compare(reg, ["a-cel", "b-cel"], endpoint="cr")
    Traceback (most recent call last):
    ...
    cartlandscape.errors.ComparisonError: no CR outcome for B-cel; its outcomes report CR/CRi. Pass allow_mismatch=True to compare a related endpoint, flagged
    >>> c = compare(reg, ["a-cel", "b-cel"], endpoint="cr", allow_mismatch=True)
    >>> print(c.mismatches[0])
    endpoints differ: CR (a-cr), CR/CRi (b-cr)
    >>> [row.flags for row in c.rows]
    [('endpoint',), ('endpoint',)]
    """  # noqa: E501
    question = _Question.read(registry, endpoint, indication, timepoint, grade, grading_scale)
    wanted, scope, when = question.endpoint, question.indication, question.timepoint
    wanted_grade, wanted_scale = question.grade, question.grading_scale
    if isinstance(therapies, str) or len(therapies) < 2:
        raise ComparisonError("compare needs two or more therapies (or outcomes)")
    outcomes: list[Outcome] = []
    seen: set[tuple[str, str]] = set()
    for item in therapies:
        if isinstance(item, Outcome):
            key = ("outcome", item.id)
            found = [item]
        else:
            therapy = item if isinstance(item, Therapy) else registry.lookup(item, "therapy")
            key = ("therapy", therapy.id)
            found = _therapy_outcomes(registry, therapy, wanted, scope, when, allow_mismatch)
            graded = _graded(found, wanted_grade, wanted_scale)
            if not graded:
                counted = sorted({grading_words(o.grade, o.grading_scale) for o in found})
                raise ComparisonError(
                    f"no {wanted.label}{grading_words(wanted_grade, wanted_scale)} outcome "
                    f"for {therapy.name}; its {wanted.label} outcomes count" + ",".join(counted)
                )
            found = graded
        if key in seen:
            raise ComparisonError(f"{key[0]} {key[1]!r} is given twice")
        seen.add(key)
        for outcome in found:
            if outcome not in outcomes:
                outcomes.append(outcome)
    if scope is not None:
        # The scope covers sub-indications; an outcome given directly must lie within it.
        outside = [o for o in outcomes if o.indication not in registry.indication_ids(scope)]
        if outside and not allow_mismatch:
            raise ComparisonError(
                "outside the indication "
                f"{registry.indications[scope].name}: "
                + ", ".join(f"{o.id} ({matching.shown(o.indication)})" for o in outside),
                (_ANYWAY,),
            )
    left_out: list[str] = []
    if one_per_study:
        outcomes, left_out = _one_per_study(outcomes, registry)
    asked = matching.against_question(outcomes, wanted, when, wanted_grade, wanted_scale)
    rows, found_mismatches = _checked(registry, outcomes, FIELDS, allow_mismatch, asked)
    shared = question.shared(registry, outcomes, left_out)
    return Comparison(rows=rows, mismatches=found_mismatches, **shared)


def rank(
    registry: Registry,
    *,
    endpoint: Endpoint | str,
    indication: str | None = None,
    timepoint: Value | str | None = None,
    descending: bool = True,
    allow_mismatch: bool = False,
    grade: Grade | str | None = None,
    grading_scale: GradingScale | str | None = None,
    one_per_study: bool = False,
) -> Table:
    """Every *endpoint* outcome (in *indication*, at *timepoint*) in order of value.

    Values are ordered by the low end of their interval, then the high end (so a bound
    ">80 percent" comes after "85 percent": only 80 is certain); *descending* puts the largest
    first.  Rows keep ``n`` and citations.  Rows must agree as in :func:`compare`; outcomes of
    different indications are a mismatch (with or without *indication*: its sub-indications
    differ), and the error names each indication found, with its number of outcomes, as a
    narrower question.  *grade* and *grading_scale* choose the outcomes of a graded endpoint;
    ``one_per_study`` and ``cautions`` are as in :func:`compare`.

    A median that was not reached has no number to order by: such rows come after every row
    with a number, whichever the direction, and share one place.

    >>> from cartlandscape import Citation, Outcome, Registry, Source, Therapy
    >>> cite = (Citation(source="s", locator="table 1"),)
    >>> reg = Registry([
    ...     Source(id="s", title="A review", type="review"),
    ...     Therapy(id="a-cel", name="A-cel", citations=cite),
    ...     Therapy(id="b-cel", name="B-cel", citations=cite),
    ...     Outcome(id="a", therapy="a-cel", endpoint="orr", value=">80 percent", n=30,
    ...             citations=cite),
    ...     Outcome(id="b", therapy="b-cel", endpoint="orr", value="85 percent", n=12,
    ...             citations=cite),
    ... ])
    >>> t = rank(reg, endpoint="orr")
    >>> [(p, r.name, str(r.value), r.n) for p, r in zip(t.positions, t.rows)]
    [(1, 'B-cel', '85 percent', 12), (2, 'A-cel', '>80 percent', 30)]
    """
    question = _Question.read(registry, endpoint, indication, timepoint, grade, grading_scale)
    wanted, scope, when = question.endpoint, question.indication, question.timepoint
    wanted_grade, wanted_scale = question.grade, question.grading_scale
    outcomes = matching.in_scope(registry, registry.outcomes_for(endpoint=wanted), scope, when)
    outcomes = _graded(outcomes, wanted_grade, wanted_scale)
    left_out: list[str] = []
    if one_per_study:
        outcomes, left_out = _one_per_study(outcomes, registry)
    sign = -1.0 if descending else 1.0

    def order(outcome: Outcome) -> tuple[bool, float, float, str]:
        if isinstance(outcome.value, NotReached):
            return (True, 0.0, 0.0, outcome.id)
        target = _UNITS.get(outcome.value.dimensionality)
        value = outcome.value if target is None else outcome.value.to(target[0])
        low, high = value.interval()
        return (False, sign * low, sign * high, outcome.id)

    outcomes.sort(key=order)
    rows, found = _checked(registry, outcomes, FIELDS, allow_mismatch)
    positions: list[int] = []
    for i, outcome in enumerate(outcomes):
        same = i > 0 and order(outcome)[:3] == order(outcomes[i - 1])[:3]
        positions.append(positions[-1] if same else i + 1)
    shared = question.shared(registry, outcomes, left_out)
    return Table(
        descending=descending, rows=rows, positions=tuple(positions), mismatches=found, **shared
    )
