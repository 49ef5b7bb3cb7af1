"""The exceptions cartlandscape raises; each subclasses the matching builtin.

A user's mistake in data is a :class:`ValueError`: :class:`DataError` for files that cannot be
loaded (its ``problems`` list every mistake found, each a :class:`Problem` saying where it is),
:class:`FieldError` for a record built in code with a bad field, :class:`UnitError` for a unit.
A name that matches nothing is a :class:`LookupError`, :class:`UnknownNameError`.

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

__all__ = ["DataError", "FieldError", "Problem", "UnitError", "UnknownNameError"]


class UnitError(ValueError):
    """A unit that is unknown, or of the wrong dimensionality for its field."""


class FieldError(ValueError):
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


class DataError(ValueError):
    """Data that cannot be loaded; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class UnknownNameError(LookupError):
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
