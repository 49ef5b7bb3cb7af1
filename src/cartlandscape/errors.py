"""The exceptions cartlandscape raises; each subclasses the matching builtin.

Every one of them is a :class:`CartlandscapeError`, so ``except cartlandscape.CartlandscapeError``
catches whatever the library refuses, and each also subclasses the builtin it stands for.

A user's mistake in data is a :class:`ValueError`: :class:`DataError` for files that cannot be
loaded (its ``problems`` list every mistake found, each a :class:`Problem` saying where it is),
:class:`FieldError` for a record built in code with a bad field, :class:`UnitError` for a unit.
A name that matches nothing is a :class:`LookupError`, :class:`UnknownNameError`; a query
option whose value is not one it knows (``type="aproval"``) is a :class:`ValueError`,
:class:`UnknownValueError`, with close matches.  A question the data cannot answer as asked is
a :class:`ComparisonError` (outcomes that must not be compared or pooled together) or an
:class:`InsufficientDataError` (an outcome that lacks what a calculation needs); both are
:class:`ValueError` and carry :class:`Remedy` fields that say how to narrow or widen the
question, so a caller (the command line) can word them in its own terms.
Fetching from ClinicalTrials.gov fails with a :class:`FetchError` (an :class:`OSError`, like
the network errors it reports), or with a :class:`ResumeError` (a :class:`ValueError`) when an
earlier fetch cannot be resumed.

>>> problem = Problem(
...     "expected a count that is not negative, found -3",
...     file="trials.toml", kind="outcome", record="orr", field="n", line=7,
... )
>>> print(DataError([problem]))
1 problem in the data:
  trials.toml:7: outcome 'orr': field 'n': expected a count that is not negative, found -3

The exceptions survive copying and pickling (as when raised in a worker process):

>>> import copy
>>> copy.deepcopy(DataError([problem])).problems == (problem,)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "CartlandscapeError",
    "ComparisonError",
    "DataError",
    "FetchError",
    "FieldError",
    "InsufficientDataError",
    "MissingDependencyError",
    "Problem",
    "RefusalError",
    "Remedy",
    "ResumeError",
    "UnitError",
    "UnknownNameError",
    "UnknownValueError",
]


class CartlandscapeError(Exception):
    """The base of every exception cartlandscape raises for a mistake or an unanswerable question.

    >>> issubclass(ComparisonError, CartlandscapeError) and issubclass(ComparisonError, ValueError)
    True
    """


@attrs.frozen
class Remedy:
    """A way to change a question that an error suggests: a keyword of the call, and its value.

    ``option`` is the keyword (``"allow_mismatch"``, ``"indication"``); ``value`` the value to
    give it (None where the caller chooses one); ``effect`` what it does, in words.  ``call``,
    where given, is what to do in Python when the remedy is a function rather than a keyword
    of the call refused (the command line still words it as the option ``option``).

    >>> print(Remedy("allow_mismatch", True, "to compare anyway with each mismatch flagged"))
    allow_mismatch=True to compare anyway with each mismatch flagged
    >>> print(Remedy("indication", "multiple-myeloma"))
    indication='multiple-myeloma'
    """

    option: str
    value: object = None
    effect: str = ""
    call: str = ""

    def __str__(self) -> str:
        given = "=" if self.value is None else f"={self.value!r}"
        return " ".join(filter(None, [self.call or f"{self.option}{given}", self.effect]))


def _with_remedies(reason: str, remedies: tuple[Remedy, ...]) -> str:
    if not remedies:
        return reason
    return f"{reason}. Pass " + ", or ".join(str(r) for r in remedies)


class RefusalError(CartlandscapeError):
    """A refusal with a reason and the remedies that change the question (see :class:`Remedy`).

    ``reason`` is the message without the remedies; ``str()`` adds them in Python's words.
    """

    def __init__(self, reason: str, remedies: Iterable[Remedy] = ()) -> None:
        self.reason = reason
        self.remedies = tuple(remedies)
        super().__init__(_with_remedies(reason, self.remedies))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.remedies))


class ComparisonError(RefusalError, ValueError):
    """Outcomes that cannot be compared or pooled as asked; the message says what differs."""


class InsufficientDataError(RefusalError, ValueError):
    """An outcome that does not give what a calculation needs (``n``, a responder count, ...)."""


class UnitError(CartlandscapeError, ValueError):
    """A unit that is unknown, or of the wrong dimensionality for its field."""


class FieldError(CartlandscapeError, ValueError):
    """A record field holds a value it cannot take.

    Raised by the record validators; the loader turns it into a :class:`Problem` that also
    names the file and the record.
    """

    def __init__(self, field: str, expected: str, found: object) -> None:
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(f"{field}: expected {expected}, found {found!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.expected, self.found))


@attrs.frozen
class Problem:
    """One problem found in data: where it is and what is wrong.

    ``message`` says what was expected and what was found; the other fields locate it: the
    file, the kind and id of the record (``#3`` for a record without a usable id), the field
    path inside the record (``milestones[0].date``), and a line and column where the parser
    knows them.
    """

    message: str
    file: str | None = None
    kind: str | None = None
    record: str | None = None
    field: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<data>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.record is not None:
            parts.append(f"{self.kind or 'record'} {self.record!r}")
        elif self.kind is not None:
            parts.append(self.kind)
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join([*parts, self.message])


class DataError(CartlandscapeError, ValueError):
    """Data that cannot be loaded; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class UnknownValueError(CartlandscapeError, ValueError):
    """A value a query option does not know (``type="aproval"``), with close matches.

    >>> print(UnknownValueError("type", "aproval", ["approval", "conditional-approval"]))
    unknown type 'aproval'; close matches: approval; expected one of approval, conditional-approval
    """

    def __init__(
        self, option: str, value: object, known: Iterable[str], suggestions: Iterable[str] = ()
    ) -> None:
        import difflib

        self.option = option
        self.value = value
        self.known = tuple(known)
        found = tuple(suggestions) or tuple(
            difflib.get_close_matches(str(value), self.known, n=3, cutoff=0.6)
            or [k for k in self.known if str(value).casefold() == k.casefold()]
        )
        self.suggestions = found
        message = f"unknown {option} {value!r}"
        if found:
            message += "; close matches: " + ", ".join(found)
        super().__init__(f"{message}; expected one of {', '.join(self.known)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.option, self.value, self.known, self.suggestions))


class UnknownNameError(CartlandscapeError, LookupError):
    """A name that matches no record; ``suggestions`` holds close matches."""

    def __init__(self, name: str, kind: str | None, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.kind = kind
        self.suggestions = tuple(suggestions)
        what = kind or "record"
        message = f"no {what} is known as {name!r}"
        if self.suggestions:
            message += "; close matches: " + ", ".join(self.suggestions)
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.kind, self.suggestions))


class FetchError(CartlandscapeError, OSError):
    """Studies that could not be fetched: a refused query, no network, a page that is not JSON.

    The message says what failed, with the server's own message where it gave one.
    """


class ResumeError(CartlandscapeError, ValueError):
    """A fetch that cannot go on from its pages folder: another query, or changed pages."""


class MissingDependencyError(CartlandscapeError, ImportError):
    """An optional dependency a feature needs is not installed; the message names the extra."""
