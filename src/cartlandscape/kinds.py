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
"""

from __future__ import annotations

import re
import threading
from types import MappingProxyType
from typing import Final

import attrs

from cartlandscape.models import (
    Event,
    Indication,
    Institution,
    Outcome,
    Policy,
    Record,
    Source,
    Statement,
    Target,
    Therapy,
)

__all__ = ["BASE_KINDS", "class_for", "collection_of", "register_kind", "tags", "unregister_kind"]

#: The built-in kinds, in the order a registry lists them, with their collection names.
BASE_KINDS: Final = MappingProxyType(
    {
        "source": (Source, "sources"),
        "target": (Target, "targets"),
        "indication": (Indication, "indications"),
        "institution": (Institution, "institutions"),
        "therapy": (Therapy, "therapies"),
        "outcome": (Outcome, "outcomes"),
        "policy": (Policy, "policies"),
        "statement": (Statement, "statements"),
        "event": (Event, "events"),
    }
)
_TAG = re.compile(r"^[a-z][a-z0-9-]*$")
_lock = threading.Lock()
_classes: dict[str, type[Record]] = {tag: cls for tag, (cls, _) in BASE_KINDS.items()}


def register_kind(tag: str, cls: type[Record]) -> None:
    """Let data files hold records of *cls* under the table name *tag*.

    *cls* must be an attrs subclass of one of the built-in record classes; its records are
    listed with that class's kind (a ``Therapy`` subclass among ``therapies``).
    """
    if not _TAG.match(tag):
        raise ValueError(f"a kind tag is lowercase letters, digits and '-', not {tag!r}")
    if not (isinstance(cls, type) and attrs.has(cls) and issubclass(cls, Record)):
        raise TypeError(f"expected an attrs subclass of a cartlandscape record, found {cls!r}")
    if cls.kind not in BASE_KINDS:
        raise TypeError(f"{cls.__name__} does not extend a built-in record class")
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
    return tuple(_classes)


def collection_of(kind: str) -> str:
    """The registry collection name of a built-in *kind* (``'therapy'`` gives ``'therapies'``)."""
    return BASE_KINDS[kind][1]
