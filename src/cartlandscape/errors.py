"""The exceptions cartlandscape raises; each subclasses the matching builtin."""

from __future__ import annotations

from collections.abc import Iterable

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


@attrs.frozen
class Problem:
    """One problem found in a data file: where it is and what is wrong."""

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
