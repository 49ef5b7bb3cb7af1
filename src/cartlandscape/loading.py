"""Reading data files (TOML or JSON) into records and registries.

A data file holds arrays of tables named by kind tag, e.g. in TOML::

    [[therapy]]
    id = "inaticabtagene-autoleucel"
    ...

and in JSON ``{"therapy": [{"id": ...}, ...]}``; an optional ``[meta]`` table gives the
release of the data (``release`` and ``as_of``).  :func:`load` reads files and folders (every
``.toml`` and ``.json`` file inside, hidden ones excepted) and merges them with the bundled
seeds; :func:`build` reads ``(name, bytes)`` pairs.

A record marked ``override = true`` replaces the record with the same kind and id from the
files read before it (the bundled seeds come first); the registry lists each replacement in
``overrides``.  Without the mark, a second record with the same id is an error.

Every problem is reported at once, in one :class:`~cartlandscape.errors.DataError`: first every
problem inside the files (syntax, with its line and column; types, unknown keys, values, each
with the file, the record and the field: every bad field of a record, not only the first),
then every problem between the records that did load (references, duplicate ids and names,
dates after their sources); a reference to a record that failed to load is not reported again.
A file that cannot be parsed does not hide the problems of the others.  Nothing is
loaded unless everything is: a failed load returns no registry and changes no state.

The data are parsed with :mod:`tomllib` and :mod:`json` only; a file larger than ``max_bytes``
(:data:`MAX_FILE_BYTES` unless given) or nested deeper than :data:`MAX_DEPTH` is refused.

>>> reg, overrides = build([("mine.toml", b'''
... [[source]]
... id = "my-report"
... title = "Internal report"
... type = "report"
... ''')])
>>> reg.sources.ids, overrides
(('my-report',), [])
>>> build([("mine.json", b'{"source": [{"id": "my-report", "title": 7}]}')])
Traceback (most recent call last):
...
cartlandscape.errors.DataError: 2 problems in the data:
  mine.json: source 'my-report': field 'title': expected a text, found 7 (int)
  mine.json: source 'my-report': field 'type': this required field is missing
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import re
import stat
import sys
import threading
import tomllib
import typing
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import attrs

from cartlandscape import seedcache
from cartlandscape._registry import DataVersion, Override, Registry
from cartlandscape.dates import PartialDate
from cartlandscape.errors import DataError, FieldError, Problem

# The reserved keys are the kinds module's; loading.META_KEY is kept for those who read it here.
from cartlandscape.kinds import META_KEY as META_KEY
from cartlandscape.kinds import OVERRIDE_KEY, class_for, tags
from cartlandscape.models import Record, Study
from cartlandscape.serialization import converter, error_messages, structure, structurer
from cartlandscape.values import Value

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Entry",
    "build",
    "data_files",
    "load",
    "read_records",
    "registry",
]

#: The largest data file read, in bytes, unless ``max_bytes`` says otherwise.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The deepest nesting of tables and lists a data file may have.
MAX_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SUFFIXES = (".toml", ".json")
_META_FIELDS = frozenset({"release", "as_of"})


class Entry(NamedTuple):
    """A record read from a data file, with the file's name and whether it is an override."""

    record: Record
    file: str
    override: bool


# -- finding and reading files --------------------------------------------------------------


def _bundled_root() -> Traversable:
    packaged = files("cartlandscape") / "seeds"
    if packaged.is_dir():
        return packaged
    # A source checkout (an editable install): the seeds folder at the top of the repository.
    return Path(__file__).resolve().parents[2] / "seeds"


def _is_data_file(name: str) -> bool:
    return name.lower().endswith(_SUFFIXES) and not name.startswith(".")


def _leads_out(top: str | None, child: Traversable | Path, outside: list[Path] | None) -> bool:
    """Whether *child* is a symbolic link out of the folder *top*; if so, add it to *outside*."""
    if top is None or not isinstance(child, Path) or not child.is_symlink():
        return False
    target = os.path.realpath(child)
    if os.path.commonpath([top, target]) == top:
        return False
    if outside is not None:
        outside.append(child)
    return True


def _is_folder(item: Traversable | Path) -> bool:
    try:
        return item.is_dir()
    except OSError:  # reading it will say what is wrong
        return False


def _scan(
    root: Traversable | Path, outside: list[Path] | None = None
) -> Iterator[tuple[tuple[str, ...], Traversable | Path]]:
    """Yield ``(path parts below root, item)`` for each data file *root* stands for.

    That is *root* itself unless it is a folder, else every data file in it and its
    subfolders, in name order, each folder visited once.  A symbolic link that leads out of
    the folder is not followed (nothing outside the folder given is read); it is added to
    *outside*, if given, so that the caller can say so.
    """
    seen: set[str] = set()
    top = os.path.realpath(root) if isinstance(root, Path) else None

    def visit(folder: Traversable | Path, parts: tuple[str, ...]) -> Iterator[Any]:
        if isinstance(folder, Path):
            real = os.path.realpath(folder)  # unlike Path.resolve, never raises on a link loop
            if real in seen:  # a link back to a folder already read
                return
            seen.add(real)
        try:
            children = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError:
            return  # unreadable: the caller finds no files and says so
        for child in children:
            if child.name.startswith(".") or _leads_out(top, child, outside):
                continue
            if _is_folder(child):
                yield from visit(child, (*parts, child.name))
            elif _is_data_file(child.name):
                yield (*parts, child.name), child

    if root.is_dir():
        yield from visit(root, ())
    else:
        yield (), root


def data_files(root: Traversable | Path) -> Iterator[Traversable | Path]:
    """Every data file :func:`load` reads for *root* (a file, or a folder searched through)."""
    for _, item in _scan(root):
        yield item


def _too_large(name: str, size: int, max_bytes: int) -> Problem:
    return Problem(
        f"expected a data file of at most {max_bytes} bytes, found {size} bytes "
        "(a larger limit can be given as max_bytes)",
        file=name,
    )


def _read(path: Path, max_bytes: int) -> tuple[bytes | None, Problem | None]:
    """The bytes of the file at *path*, or the problem that stops it being read."""
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(
                "expected a data file or a folder, found a special file", file=name
            )
        if info.st_size > max_bytes:
            return None, _too_large(name, info.st_size, max_bytes)
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        return None, Problem(f"cannot read the file: {exc.strerror or exc}", file=name)
    if len(data) > max_bytes:  # it grew after stat()
        return None, _too_large(name, len(data), max_bytes)
    return data, None


def _files_at(path: Path) -> tuple[list[Path], Problem | None]:
    """The data files *path* stands for, or the problem that leaves it none."""
    if not path.exists():
        if path.is_symlink():
            return [], Problem(
                "a symbolic link that leads nowhere (to a missing file, or in a loop)",
                file=str(path),
            )
        return [], Problem("no such file or folder", file=str(path))
    if path.is_dir():
        outside: list[Path] = []
        items = [item for _, item in _scan(path, outside) if isinstance(item, Path)]
        if outside:
            links = ", ".join(str(link) for link in outside)
            return items, Problem(
                f"expected data inside the folder, found symbolic links that lead out of it "
                f"(not followed): {links}; give what they lead to as a path of its own",
                file=str(path),
            )
        if items:
            return items, None
        return [], Problem(
            "expected .toml or .json data files in the folder, found none", file=str(path)
        )
    if path.name.lower().endswith(_SUFFIXES):
        return [path], None
    suffix = repr(path.suffix) if path.suffix else "no suffix"
    return [], Problem(f"expected a .toml or .json file, found {suffix}", file=str(path))


def _user_files(
    paths: Iterable[str | Path], max_bytes: int
) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    found: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    read: set[str] = set()
    for given in paths:
        if not str(given).strip():
            problems.append(
                Problem("expected a file or folder, found an empty path", file=repr(given))
            )
            continue
        path = Path(given)
        try:
            items, problem = _files_at(path)
        except OSError as exc:  # a name too long, a folder that may not be listed, ...
            items, problem = [], Problem(f"cannot read: {exc.strerror or exc}", file=str(path))
        if problem is not None:
            problems.append(problem)
        for item in items:
            real = os.path.realpath(item)  # unlike Path.resolve, never raises on a link loop
            if real in read:  # given twice, or inside a folder also given
                continue
            read.add(real)
            data, problem = _read(item, max_bytes)
            if problem is not None:
                problems.append(problem)
            elif data is not None:
                found.append((str(item), data))
    return found, problems


def _bundled_files() -> list[tuple[str, bytes]]:
    return [
        ("/".join(("seeds", *parts)), item.read_bytes()) for parts, item in _scan(_bundled_root())
    ]


# -- parsing ----------------------------------------------------------------------------------


class _RefusedError(ValueError):
    """Raised by the JSON hooks for what is valid Python but not valid data."""


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        (key, _), *_ = (item for item in Counter(k for k, _ in pairs).items() if item[1] > 1)
        raise _RefusedError(f"expected each key once in an object, found {key!r} more than once")
    return document


def _json_constant(name: str) -> NoReturn:
    raise _RefusedError(f"expected a number, found {name} (not part of JSON)")


def _end(text: str) -> tuple[int, int]:
    """The line and column just after the last character of *text*."""
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


_TOML_AT = re.compile(
    r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$", re.S
)


def _toml_problem(name: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    match = _TOML_AT.match(message)
    if match is not None:
        message = match["message"]
        if line is None:
            line, column = (
                (int(match["line"]), int(match["column"])) if match["line"] else _end(text)
            )
    return Problem(f"TOML syntax: {message}", file=name, line=line, column=column)


def _long_number(name: str, syntax: str, text: str) -> Problem:
    limit = sys.get_int_max_str_digits()
    runs = (m for m in re.finditer(r"[0-9_]+", text) if m.end() - m.start() > limit)
    match = next(runs, None)
    line = column = None
    if match is not None:
        line, column = _end(text[: match.start() + 1])
        column -= 1
    return Problem(
        f"{syntax}: expected a number of at most {limit} digits, found a longer one",
        file=name,
        line=line,
        column=column,
    )


def _too_deep(document: Any) -> bool:
    """Whether *document* nests tables and lists deeper than :data:`MAX_DEPTH`."""
    level: list[Any] = [document]
    for _ in range(MAX_DEPTH + 1):
        below: list[Any] = []
        for item in level:
            values = item.values() if isinstance(item, dict) else item
            below.extend(v for v in values if isinstance(v, dict | list))
        if not below:
            return False
        level = below
    return True


def _unpaired_surrogate(item: Any, path: str = "") -> tuple[str, str] | None:
    r"""The path and text of the first text in *item* that is not Unicode, or None.

    JSON escapes can write half of a surrogate pair (``"\ud800"``), which no file can hold.
    """
    if isinstance(item, str):
        return (path, item) if _has_surrogate(item) else None
    if isinstance(item, dict):
        for key, value in item.items():
            here = f"{path}.{key}" if path else str(key)
            found = (path, key) if _has_surrogate(key) else _unpaired_surrogate(value, here)
            if found is not None:
                return found
    elif isinstance(item, list):
        for i, value in enumerate(item):
            found = _unpaired_surrogate(value, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse(name: str, data: bytes, max_bytes: int) -> tuple[dict[str, Any] | None, Problem | None]:
    """The document in one file, or the problem that stops it being read."""
    text, problem = _text(name, data, max_bytes)
    if text is None:
        return None, problem
    document, problem = _syntax(name, text)
    if problem is not None:
        return None, problem
    if not isinstance(document, dict):
        return None, Problem(
            f"expected an object of kinds at the top, found {_describe(document)}", file=name
        )
    if not document:
        return None, Problem("expected records (tables named by kind), found none", file=name)
    return document, None


def _text(name: str, data: bytes, max_bytes: int) -> tuple[str | None, Problem | None]:
    """The text of one file, or the problem that stops it being read as UTF-8 data."""
    if len(data) > max_bytes:
        return None, _too_large(name, len(data), max_bytes)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(
            "expected UTF-8 text, found UTF-16 (it starts with a UTF-16 byte-order mark); "
            "save the file as UTF-8",
            file=name,
        )
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return None, Problem(
            f"expected a text file, found binary data (a zero byte at offset {offset})", file=name
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            f"expected UTF-8 text, found the byte 0x{data[exc.start]:02x}",
            file=name,
            line=line,
            column=column,
        )
    if not text.strip():
        return None, Problem("expected data, found an empty file", file=name)
    return text, None


def _syntax(name: str, text: str) -> tuple[Any, Problem | None]:
    """The JSON or TOML document *text* holds, or the syntax problem that stops it."""
    syntax = "JSON" if name.lower().endswith(".json") else "TOML"
    try:
        if syntax == "JSON":
            return json.loads(
                text, object_pairs_hook=_json_object, parse_constant=_json_constant
            ), None
        return tomllib.loads(text), None
    except json.JSONDecodeError as exc:
        return None, Problem(
            f"JSON syntax: {exc.msg}", file=name, line=exc.lineno, column=exc.colno
        )
    except tomllib.TOMLDecodeError as exc:
        return None, _toml_problem(name, text, exc)
    except _RefusedError as exc:
        return None, Problem(f"JSON: {exc}", file=name)
    except RecursionError:
        return None, _too_deep_problem(name)
    except ValueError:  # a whole number with more digits than int() takes
        return None, _long_number(name, syntax, text)


def _too_deep_problem(name: str) -> Problem:
    return Problem(f"expected data nested at most {MAX_DEPTH} levels deep, found deeper", file=name)


# -- records ----------------------------------------------------------------------------------


def _describe(value: object) -> str:
    """How a value parsed from a data file is named in messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _records(
    name: str, document: dict[str, Any], *, surrogates: bool = True
) -> tuple[list[Entry], list[Problem]]:
    entries: list[Entry] = []
    problems: list[Problem] = []
    for tag, items in document.items():
        if tag == META_KEY:
            continue
        cls = class_for(tag)
        if cls is None:
            problems.append(
                Problem(
                    f"expected a kind of record ({', '.join(tags())}) or {META_KEY!r}, "
                    f"found {tag!r}",
                    file=name,
                )
            )
            continue
        if not isinstance(items, list):
            hint = f" (write [[{tag}]] in TOML)" if isinstance(items, dict) else ""
            problems.append(
                Problem(
                    f"expected a list of {tag} records{hint}, found {_describe(items)}",
                    file=name,
                    kind=tag,
                )
            )
            continue
        structure_one = structurer(cls)
        for index, item in enumerate(items):
            fast_failed = False
            if type(item) is dict and not surrogates and OVERRIDE_KEY not in item:
                try:  # the common case: a valid record, structured with no other work
                    entries.append(Entry(structure_one(item), name, False))
                    continue
                except Exception:  # described below, with where it is
                    fast_failed = True
            ident = item.get("id") if isinstance(item, dict) else None
            label = ident if isinstance(ident, str) and ident else f"#{index + 1}"
            where: dict[str, Any] = {"file": name, "kind": tag, "record": label}
            if not isinstance(item, dict):
                problems.append(
                    Problem(f"expected a table of {tag} fields, found {_describe(item)}", **where)
                )
                continue
            unpaired = _unpaired_surrogate(item) if surrogates else None
            if unpaired is not None:
                problems.append(
                    Problem(
                        f"expected Unicode text, found an unpaired surrogate in {unpaired[1]!r}",
                        field=unpaired[0] or None,
                        **where,
                    )
                )
                continue
            data = dict(item)
            override = data.pop(OVERRIDE_KEY, False)
            if not isinstance(override, bool):
                problems.append(
                    Problem(
                        f"expected true or false, found {_describe(override)}",
                        field=OVERRIDE_KEY,
                        **where,
                    )
                )
                continue
            try:
                # Once the fast converter has refused a record, only the detailed one runs.
                record = converter().structure(data, cls) if fast_failed else structure(data, cls)
            except Exception as exc:  # cattrs groups every error of the record
                problems.extend(
                    Problem(message, field=field or None, **where)
                    for field, message in _field_problems(data, cls, exc)
                )
                continue
            entries.append(Entry(record, name, override))
    return entries, problems


def _top_field(path: str) -> str:
    """The field a problem's path starts at (``construct`` of ``construct.delivery``)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def _field_problems(data: dict[str, Any], cls: type, exc: BaseException) -> list[tuple[str, str]]:
    """Every field problem of a record, not only those its first failed check found.

    A record's checks stop at the first bad value they meet (or a check across fields); the
    fields found at fault are set aside and the rest checked again, until no new problem turns
    up.  Problems that only the setting aside causes (a field now missing) are not reported.
    """
    found = error_messages(exc)
    trial = dict(data)
    aside: set[str] = set()
    for _ in range(len(data) + 1):
        at_fault = {_top_field(path) for path, _ in found if path} - aside
        at_fault &= set(trial)
        if not at_fault:
            break
        aside |= at_fault
        for name in at_fault:
            del trial[name]
        try:
            converter().structure(trial, cls)
        except Exception as again:  # the next problems of the record
            more = [
                (path, message)
                for path, message in error_messages(again)
                if (path, message) not in found and _top_field(path) not in aside
            ]
            if not more:
                break
            found.extend(more)
        else:
            break
    return found


def _version(name: str, document: dict[str, Any]) -> tuple[DataVersion | None, list[Problem]]:
    meta = document.get(META_KEY)
    if meta is None:
        return None, []
    where: dict[str, Any] = {"file": name, "kind": META_KEY}
    if not isinstance(meta, dict) or "release" not in meta or "as_of" not in meta:
        return None, [
            Problem(
                f"expected a [meta] table with release and as_of, found {_describe(meta)}",
                **where,
            )
        ]
    unknown = sorted(str(key) for key in meta if key not in _META_FIELDS)
    if unknown:
        return None, [
            Problem(
                f"expected only release and as_of in [meta], found {', '.join(map(repr, unknown))}",
                field=unknown[0],
                **where,
            )
        ]
    release, as_of = meta["release"], meta["as_of"]
    try:
        if not isinstance(release, str) or not release.strip():
            raise FieldError("release", "a text", release)
        return DataVersion(release, PartialDate.parse(as_of)), []
    except FieldError as exc:
        field = "as_of" if exc.field != "release" else "release"
        return None, [
            Problem(f"expected {exc.expected}, found {exc.found!r}", field=field, **where)
        ]


def read_records(
    sources: Iterable[tuple[str, bytes]],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    parsed: Mapping[str, dict[str, Any]] | None = None,
    release_from: frozenset[str] | None = None,
) -> tuple[list[Entry], DataVersion | None, list[Problem]]:
    """Parse ``(name, bytes)`` data files into entries, collecting every problem.

    The version is that of the last file with a ``[meta]`` table.  *parsed* may hold the
    documents of some files already parsed (by name); those files are not parsed again.
    *release_from*, if given, names the only files whose ``[meta]`` table sets the release
    (the bundled seeds, when a user's files are merged with them): another file's ``[meta]``
    must repeat it (as a complete export does) or is a problem.
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    version = None
    for name, data in sources:
        known = None if parsed is None else parsed.get(name)
        document, problem = (known, None) if known is not None else _parse(name, data, max_bytes)
        if document is None:
            assert problem is not None
            problems.append(problem)
            continue
        # Only a JSON escape can write half of a surrogate pair; skip the search otherwise.
        surrogates = _SURROGATE_ESCAPE.search(data) is not None
        # Valid records nest only as deep as their fields do, so the depth is measured only
        # before the (recursive) search for surrogates, or once a file turns out to have problems.
        deep = surrogates and _too_deep(document)
        if not deep:
            file_version, found = _version(name, document)
            relabels = file_version is not None and file_version != version
            if relabels and release_from is not None and name not in release_from:
                found.append(
                    Problem(
                        f"expected no [meta] table, or the bundled data's own ({version}), "
                        f"found {file_version}: a file merged with them cannot relabel their "
                        "release",
                        file=name,
                        kind=META_KEY,
                    )
                )
                file_version = None
            file_entries, more = _records(name, document, surrogates=surrogates)
            found.extend(more)
            deep = bool(found) and _too_deep(document)
        if deep:
            problems.append(_too_deep_problem(name))
            continue
        version = file_version or version
        entries.extend(file_entries)
        problems.extend(found)
    return entries, version, problems


def _merge(entries: list[Entry]) -> tuple[list[Entry], list[Override], list[Problem]]:
    kept: dict[tuple[str, str], int] = {}
    merged: list[Entry] = []
    overrides: list[Override] = []
    problems: list[Problem] = []
    for entry in entries:
        key = (entry.record.kind, entry.record.id)
        if entry.override:
            if key not in kept:
                problems.append(
                    Problem(
                        "expected an earlier record with this id for the override to replace, "
                        "found none",
                        file=entry.file,
                        kind=key[0],
                        record=key[1],
                        field=OVERRIDE_KEY,
                    )
                )
                continue
            previous = merged[kept[key]]
            overrides.append(Override(key[0], key[1], entry.file, previous.file))
            merged[kept[key]] = entry
        else:
            kept.setdefault(key, len(merged))
            merged.append(entry)
    return merged, overrides, problems


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while records are built, if it is running.

    Building a registry allocates many objects that all stay alive, so the collections the
    allocations trigger free nothing; with 100,000 records they cost a tenth of the load or more.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@functools.cache
def _share_plan(cls: type) -> tuple[tuple[str, str], ...]:
    """The fields of *cls* whose values :class:`_Shared` keeps once, with how to key them.

    ``"text"`` is a reference (an id), ``"same"`` a value made only of text (citations, a
    study), ``"value"`` a value form, keyed by its type and repr so that 1 and 1.0, or 0.0
    and -0.0, are never taken for one another.
    """
    plan: list[tuple[str, str]] = []
    for field in attrs.fields(attrs.resolve_types(cls)):
        if "ref" in field.metadata:
            plan.append((field.name, "text"))
        elif field.name == "citations" or _names(field.type, Study):
            plan.append((field.name, "same"))
        elif _names(field.type, Value):
            plan.append((field.name, "value"))
    return tuple(plan)


def _names(tp: Any, cls: type) -> bool:
    """Whether the annotation *tp* names *cls* or a subclass, alone or in a union."""
    todo = [tp]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, cls):
            return True
        todo.extend(typing.get_args(item))
    return False


class _Shared:
    """Equal immutable values read at load, kept once.

    A registry of many records holds few distinct citations, ids and values; every record
    would otherwise hold its own equal copies (most of the memory of a large registry).
    Records are frozen, so a field is swapped for an equal, identical value the way attrs sets
    fields in ``__init__``; nothing that compares or prints them can tell.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, Any], Any] = {}

    def share(self, record: Record) -> None:
        """Swap each shareable field of *record* for the equal value seen first."""
        seen = self._seen
        for name, how in _share_plan(typing.cast(Any, type(record))):
            value = getattr(record, name)
            if value is None:
                continue
            if how == "value":
                key: tuple[str, Any] = ("value", (type(value), repr(value)))
            elif how == "same":
                key = ("same", value)
            elif type(value) is str:
                key = ("text", value)
            else:
                continue  # a Ref or a tuple of ids: kept as read
            shared = seen.setdefault(key, value)
            if shared is not value:
                object.__setattr__(record, name, shared)


def _build(
    sources: Sequence[tuple[str, bytes]],
    problems: list[Problem],
    version: DataVersion | None,
    max_bytes: int,
    parsed: Mapping[str, dict[str, Any]] | None = None,
    release_from: frozenset[str] | None = None,
) -> tuple[Registry, list[Override]]:
    with _without_cycle_collection():
        entries, found_version, found = read_records(
            sources, max_bytes=max_bytes, parsed=parsed, release_from=release_from
        )
        merged, overrides, merge_problems = _merge(entries)
        problems = [*problems, *found, *merge_problems]
        if problems:
            # The records that did load are checked against each other too, so that problems
            # between records come with the problems in the files; references to a record that
            # failed to load are not reported again.
            failed = {(p.kind, p.record) for p in problems if p.kind and p.record}
            try:
                Registry(
                    (e.record for e in merged),
                    origins=[e.file for e in merged],
                    absent=failed,
                )
            except DataError as exc:
                problems.extend(exc.problems)
            raise DataError(problems)
        shared = _Shared()
        for entry in merged:
            shared.share(entry.record)
        registry = Registry(
            (e.record for e in merged),
            version=version or found_version,
            origins=[e.file for e in merged],
            overrides=overrides,
        )
    return registry, overrides


def build(
    files_: Iterable[tuple[str, bytes]],
    *,
    version: DataVersion | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> tuple[Registry, list[Override]]:
    """Build a registry from ``(name, bytes)`` files; raise DataError listing every problem.

    A name ending in ``.json`` is read as JSON, any other as TOML.  Returns the registry and
    the overrides applied (also on ``registry.overrides``).
    """
    return _build(list(files_), [], version, max_bytes)


def load(*paths: str | Path, bundled: bool = True, max_bytes: int = MAX_FILE_BYTES) -> Registry:
    """A registry of the data files or folders in *paths*, merged with the bundled seeds.

    Folders are searched through for ``.toml`` and ``.json`` files (hidden ones are skipped);
    a file given twice is read once.  ``bundled=False`` leaves the bundled seeds out;
    ``max_bytes`` is the largest file read.  Raises :class:`~cartlandscape.errors.DataError`
    listing every problem in every file; the overrides applied are on the registry's
    ``overrides``.
    """
    user, problems = _user_files(paths, max_bytes)
    if not bundled:
        return _build(user, problems, None, max_bytes)[0]
    return _with_seeds(user, problems, max_bytes)


def _with_seeds(user: list[tuple[str, bytes]], problems: list[Problem], max_bytes: int) -> Registry:
    """Build a registry of the bundled seeds and *user*'s files, the seeds read from the cache.

    The cache stands in for parsing the seeds only: when its documents do not make a registry
    (a cache altered after it was written), the seeds are parsed again and the cache rewritten,
    so a bad cache can never change, hide or blame anything.
    """
    seeds = _bundled_files()
    release_from = frozenset(name for name, _ in seeds)
    files = [*seeds, *user]
    # A seed file larger than max_bytes is reported as too large, so it is parsed (and refused).
    if all(len(data) <= max_bytes for _, data in seeds):
        cached = seedcache.read(seeds)
        if cached is not None:
            try:
                return _build(files, problems, None, max_bytes, cached, release_from)[0]
            except DataError:
                pass  # parsed afresh below; any problem is then the data's own
    parsed: dict[str, dict[str, Any]] = {}
    for name, data in seeds:
        document, _ = _parse(name, data, max_bytes)
        if document is not None:
            parsed[name] = document
    registry = _build(files, problems, None, max_bytes, parsed, release_from)[0]
    seedcache.write(seeds, parsed)
    return registry


_lock = threading.Lock()
_default: Registry | None = None


def registry() -> Registry:
    """The registry of the bundled seeds, loaded on first call and shared afterwards."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = _bundled_registry()
    return _default


def _bundled_registry() -> Registry:
    """Build the registry of the bundled seeds, parsing them or reading the parse cache."""
    return _with_seeds([], [], MAX_FILE_BYTES)
