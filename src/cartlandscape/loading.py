"""Reading data files (TOML or JSON) into records and registries.

A data file holds arrays of tables named by kind tag, e.g. in TOML::

    [[therapy]]
    id = "inaticabtagene-autoleucel"
    ...

and in JSON ``{"therapy": [{"id": ...}, ...]}``.  A record marked ``override = true`` replaces
the record with the same kind and id from the files loaded before it; without the mark, a second
record with the same id is an error.  Every problem in every file is reported at once, in one
:class:`~cartlandscape.errors.DataError`; nothing is loaded unless everything is.
"""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Iterable, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from cartlandscape._registry import DataVersion, Override, Registry
from cartlandscape.dates import PartialDate
from cartlandscape.errors import DataError, FieldError, Problem
from cartlandscape.kinds import class_for, tags
from cartlandscape.models import Record
from cartlandscape.serialization import converter, error_messages

__all__ = ["MAX_FILE_BYTES", "build", "load", "read_records", "registry"]

#: Files larger than this are refused (bytes).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The keys of a data file that are not kind tags.
META_KEY = "meta"
OVERRIDE_KEY = "override"
_SUFFIXES = (".toml", ".json")
_MAX_DEPTH = 64


@attrs.frozen
class _Entry:
    record: Record
    file: str
    override: bool


def _bundled_root() -> Traversable:
    packaged = files("cartlandscape") / "seeds"
    if packaged.is_dir():
        return packaged
    # A source checkout (an editable install): the seeds folder at the top of the repository.
    return Path(__file__).resolve().parents[2] / "seeds"


def _walk(root: Traversable | Path) -> Iterator[Traversable | Path]:
    if root.is_file():
        yield root
        return
    for child in sorted(root.iterdir(), key=lambda p: p.name):
        if child.is_dir():
            yield from _walk(child)
        elif child.name.endswith(_SUFFIXES):
            yield child


def _depth(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _parse(name: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(f"the file is larger than {MAX_FILE_BYTES} bytes", file=name)]
    if b"\x00" in data:
        return None, [Problem("expected a text file, found binary data", file=name)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                f"expected UTF-8 text, found byte 0x{data[exc.start]:02x} at offset {exc.start}",
                file=name,
            )
        ]
    if not text.strip():
        return None, [Problem("the file is empty", file=name)]
    if name.endswith(".json"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, [
                Problem(f"JSON syntax: {exc.msg}", file=name, line=exc.lineno, column=exc.colno)
            ]
        except RecursionError:
            return None, [Problem(f"the JSON is nested deeper than {_MAX_DEPTH} levels", file=name)]
    else:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            line = column = None
            if "(at line " in message:
                head, _, tail = message.rpartition(" (at line ")
                numbers = tail.rstrip(")").split(", column ")
                if len(numbers) == 2 and all(n.isdigit() for n in numbers):
                    message, line, column = head, int(numbers[0]), int(numbers[1])
            return None, [Problem(f"TOML syntax: {message}", file=name, line=line, column=column)]
        except RecursionError:
            return None, [Problem(f"the TOML is nested deeper than {_MAX_DEPTH} levels", file=name)]
    if not isinstance(document, dict):
        return None, [
            Problem(
                f"expected a table of kinds at the top, found {type(document).__name__}", file=name
            )
        ]
    if not _depth(document, _MAX_DEPTH):
        return None, [Problem(f"the data is nested deeper than {_MAX_DEPTH} levels", file=name)]
    return document, []


def _records(name: str, document: dict[str, Any]) -> tuple[list[_Entry], list[Problem]]:
    entries: list[_Entry] = []
    problems: list[Problem] = []
    conv = converter()
    for tag, items in document.items():
        if tag == META_KEY:
            continue
        cls = class_for(tag)
        if cls is None:
            problems.append(
                Problem(f"unknown kind {tag!r}; expected one of {', '.join(tags())}", file=name)
            )
            continue
        if not isinstance(items, list):
            problems.append(
                Problem(
                    f"expected a list of {tag} records, found {type(items).__name__}",
                    file=name,
                    kind=tag,
                )
            )
            continue
        for index, item in enumerate(items):
            ident = item.get("id") if isinstance(item, dict) else None
            label = ident if isinstance(ident, str) else f"#{index + 1}"
            if not isinstance(item, dict):
                problems.append(
                    Problem(
                        f"expected a table, found {type(item).__name__}",
                        file=name,
                        kind=tag,
                        record=label,
                    )
                )
                continue
            data = dict(item)
            override = data.pop(OVERRIDE_KEY, False)
            if not isinstance(override, bool):
                problems.append(
                    Problem(
                        f"expected true or false, found {override!r}",
                        file=name,
                        kind=tag,
                        record=label,
                        field=OVERRIDE_KEY,
                    )
                )
                continue
            try:
                record = conv.structure(data, cls)
            except Exception as exc:  # cattrs groups every error of the record
                for field, message in error_messages(exc):
                    problems.append(
                        Problem(message, file=name, kind=tag, record=label, field=field or None)
                    )
                continue
            entries.append(_Entry(record, name, override))
    return entries, problems


def _version(name: str, document: dict[str, Any]) -> tuple[DataVersion | None, list[Problem]]:
    meta = document.get(META_KEY)
    if meta is None:
        return None, []
    try:
        release, as_of = meta["release"], meta["as_of"]
        if not isinstance(release, str):
            raise FieldError("release", "a text", release)
        return DataVersion(release, PartialDate.parse(as_of)), []
    except (KeyError, TypeError):
        return None, [
            Problem("expected a [meta] table with release and as_of", file=name, kind=META_KEY)
        ]
    except FieldError as exc:
        return None, [
            Problem(
                f"expected {exc.expected}, found {exc.found!r}",
                file=name,
                kind=META_KEY,
                field=exc.field,
            )
        ]


def read_records(
    sources: Iterable[tuple[str, bytes]],
) -> tuple[list[_Entry], DataVersion | None, list[Problem]]:
    """Parse ``(name, bytes)`` data files into entries, collecting every problem."""
    entries: list[_Entry] = []
    problems: list[Problem] = []
    version = None
    for name, data in sources:
        document, found = _parse(name, data)
        problems.extend(found)
        if document is None:
            continue
        file_version, found = _version(name, document)
        problems.extend(found)
        version = file_version or version
        file_entries, found = _records(name, document)
        entries.extend(file_entries)
        problems.extend(found)
    return entries, version, problems


def _merge(entries: list[_Entry]) -> tuple[list[_Entry], list[Override], list[Problem]]:
    kept: dict[tuple[str, str], int] = {}
    merged: list[_Entry | None] = []
    overrides: list[Override] = []
    problems: list[Problem] = []
    for entry in entries:
        key = (entry.record.kind, entry.record.id)
        if entry.override:
            if key not in kept:
                problems.append(
                    Problem(
                        "marked as an override, but no earlier record has this id",
                        file=entry.file,
                        kind=key[0],
                        record=key[1],
                        field=OVERRIDE_KEY,
                    )
                )
                continue
            previous = merged[kept[key]]
            assert previous is not None
            overrides.append(Override(key[0], key[1], entry.file, previous.file))
            merged[kept[key]] = entry
        else:
            kept.setdefault(key, len(merged))
            merged.append(entry)
    return [e for e in merged if e is not None], overrides, problems


def _bundled_files() -> list[tuple[str, bytes]]:
    root = _bundled_root()
    return [
        (f"seeds/{path.name}" if root.is_dir() else path.name, path.read_bytes())
        for path in _walk(root)
    ]


def _user_files(paths: Iterable[str | Path]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    found: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Problem("no such file or folder", file=str(path)))
            continue
        for item in _walk(path):
            assert isinstance(item, Path)
            try:
                size = item.stat().st_size
                if size > MAX_FILE_BYTES:
                    problems.append(
                        Problem(
                            f"the file is {size} bytes; the most a data file may have is "
                            f"{MAX_FILE_BYTES}",
                            file=str(item),
                        )
                    )
                    continue
                found.append((str(item), item.read_bytes()))
            except OSError as exc:
                problems.append(Problem(f"cannot read: {exc.strerror}", file=str(item)))
    return found, problems


def build(
    files_: Iterable[tuple[str, bytes]], *, version: DataVersion | None = None
) -> tuple[Registry, list[Override]]:
    """Build a registry from ``(name, bytes)`` files; raise DataError listing every problem."""
    entries, found_version, problems = read_records(files_)
    merged, overrides, merge_problems = _merge(entries)
    problems.extend(merge_problems)
    if problems:
        raise DataError(problems)
    registry = Registry(
        (e.record for e in merged),
        version=version or found_version,
        origins=[e.file for e in merged],
        overrides=overrides,
    )
    return registry, overrides


def load(*paths: str | Path, bundled: bool = True) -> Registry:
    """A registry of the data files or folders in *paths*, merged with the bundled seeds.

    ``bundled=False`` leaves the bundled seeds out.
    Raises :class:`~cartlandscape.errors.DataError` listing every problem in every file; the
    overrides applied are on the registry's ``overrides``.
    """
    user, problems = _user_files(paths)
    if problems:
        raise DataError(problems)
    sources = [*(_bundled_files() if bundled else []), *user]
    return build(sources)[0]


_lock = threading.Lock()
_default: Registry | None = None


def registry() -> Registry:
    """The registry of the bundled seeds, loaded on first call and shared afterwards."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = build(_bundled_files())[0]
    return _default
