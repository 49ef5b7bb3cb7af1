"""The kinds of record: the tag each has in data files, and the classes registered for it.

A downstream subclass is registered under a tag of its own and lands in the collection of the
kind it extends:

>>> import attrs
>>> from cartlandscape.models import Therapy
>>> @attrs.frozen(kw_only=True)
... class MyTherapy(Therapy):
...     internal_code: str
>>> register_kind("my-therapy", MyTherapy)
>>> class_for("my-therapy").kind
'therapy'
>>> unregister_kind("my-therapy")

Data files then hold ``[[my-therapy]]`` tables; the loader builds ``MyTherapy`` records from
them, and the registry lists them among ``therapies``.  The tags ``meta`` (a file's release
table) and the built-in tags cannot be taken.
"""

from __future__ import annotations

import re
import threading
import typing
from types import MappingProxyType
from typing import Any, Final

import attrs

from cartlandscape import models
from cartlandscape.models import Record

__all__ = [
    "BASE_KINDS",
    "META_KEY",
    "OVERRIDE_KEY",
    "RESERVED_KEYS",
    "class_for",
    "collection_of",
    "register_kind",
    "tags",
    "unregister_kind",
]

_BUILT_IN: Final[tuple[tuple[type[Record], str], ...]] = (
    (models.Source, "sources"),
    (models.Target, "targets"),
    (models.Indication, "indications"),
    (models.Institution, "institutions"),
    (models.Therapy, "therapies"),
    (models.Outcome, "outcomes"),
    (models.Price, "prices"),
    (models.Policy, "policies"),
    (models.Statement, "statements"),
    (models.Event, "events"),
)
#: The built-in kinds, in the order a registry lists them: each class's ``kind`` (its tag in
#: data files), the class and the name of its registry collection.
BASE_KINDS: Final[MappingProxyType[str, tuple[type[Any], str]]] = MappingProxyType(
    {cls.kind: (cls, name) for cls, name in _BUILT_IN}
)
#: The key of a data file's release table.
META_KEY: Final = "meta"
#: The key that marks a record as replacing an earlier one.
OVERRIDE_KEY: Final = "override"
#: Keys data files use for something other than a kind: ``meta`` at the top of a file (its
#: release), ``override`` inside a record (it replaces an earlier record with its id).
RESERVED_KEYS: Final = frozenset({META_KEY, OVERRIDE_KEY})
_TAG = re.compile(r"^[a-z][a-z0-9-]*$")
_lock = threading.Lock()
_classes: dict[str, type[Record]] = {tag: cls for tag, (cls, _) in BASE_KINDS.items()}


def register_kind(tag: str, cls: type[Record]) -> None:
    """Let data files hold records of *cls* under the table name *tag*.

    *cls* must be an attrs subclass of one of the built-in record classes; its records are
    listed with that class's kind (a ``Therapy`` subclass among ``therapies``).  Registering
    the same class under the same tag again does nothing.

    >>> register_kind("meta", models.Therapy)
    Traceback (most recent call last):
    ...
    ValueError: 'meta' is a reserved key of data files, not a kind tag
    """
    if not isinstance(tag, str) or not _TAG.fullmatch(tag):
        raise ValueError(f"a kind tag is lowercase letters, digits and '-', not {tag!r}")
    if tag in RESERVED_KEYS:
        raise ValueError(f"{tag!r} is a reserved key of data files, not a kind tag")
    if not (isinstance(cls, type) and attrs.has(cls) and issubclass(cls, Record)):
        raise TypeError(f"expected an attrs subclass of a cartlandscape record, found {cls!r}")
    base = BASE_KINDS.get(cls.kind)
    if base is None or not issubclass(cls, base[0]):
        raise TypeError(f"{cls.__name__} does not extend a built-in record class")
    try:
        typing.get_type_hints(cls)  # the converter and the registry need the field types
    except Exception as exc:  # NameError and others, from annotations that do not resolve
        raise TypeError(f"the annotations of {cls.__name__} do not resolve: {exc}") from None
    clashes = sorted(RESERVED_KEYS & {f.name for f in attrs.fields(cls)})
    if clashes:
        raise TypeError(f"{cls.__name__} has a field named {clashes[0]!r}, a reserved key")
    with _lock:
        current = _classes.get(tag)
        if current is not None and current is not cls:
            raise ValueError(f"the kind tag {tag!r} is taken by {current.__name__}")
        _classes[tag] = cls


def unregister_kind(tag: str) -> None:
    """Forget a kind registered with :func:`register_kind` (the built-in ones stay)."""
    if tag in BASE_KINDS:
        raise ValueError(f"{tag!r} is a built-in kind")
    with _lock:
        _classes.pop(tag, None)


def class_for(tag: str) -> type[Record] | None:
    """The class registered for *tag*, or None."""
    return _classes.get(tag)


def tags() -> tuple[str, ...]:
    """Every tag data files may use, built-in ones first."""
    with _lock:
        return tuple(_classes)


def collection_of(kind: str) -> str:
    """The registry collection name of a built-in *kind* (``'therapy'`` gives ``'therapies'``)."""
    return BASE_KINDS[kind][1]
