"""The cattrs converter for cartlandscape records: strict, and precise about errors.

:func:`make_converter` builds a converter with every hook registered up front (cattrs captures
hooks when it first generates a class's function, so nothing is added afterwards).  It never
coerces silently: ``7.9`` is not an ``int``, ``123`` is not a ``str``, a bare number is not a
value, and unknown keys are refused.

>>> from cartlandscape.values import Exact
>>> c = converter()
>>> c.unstructure(Exact(87.5, "percent"))
'87.5 percent'
>>> from cartlandscape.models import Study
>>> c.structure({"name": "ELIANA", "registry_id": "NCT02435849"}, Study)
Study(name='ELIANA', registry_id='NCT02435849', phase=None)
>>> try:
...     c.structure({"name": "ELIANA", "phase": 2}, Study)
... except Exception as exc:
...     print(error_messages(exc))
[('phase', 'expected a text, found 2 (int)')]
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import math
import types
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from cartlandscape.dates import PartialDate
from cartlandscape.errors import FieldError
from cartlandscape.fields import enum_parser
from cartlandscape.models import Ref
from cartlandscape.values import Value, parse_value

__all__ = ["converter", "error_messages", "make_converter", "structure", "structurer"]

T = TypeVar("T")


def _found(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def _strict(kind: type, what: str) -> Callable[[Any, type], Any]:
    def hook(value: Any, _: type) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {what}, found {_found(value)}")
        return value

    return hook


def _float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, found {_found(value)}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, found {value!r}")
    return float(value)


def _reraise(exc: FieldError) -> ValueError:
    return ValueError(f"expected {exc.expected}, found {exc.found!r}")


def _date(value: Any, _: type) -> PartialDate:
    if not isinstance(value, str | _dt.date):
        raise TypeError(
            f"expected a date written YYYY, YYYY-MM or YYYY-MM-DD, found {_found(value)}"
        )
    try:
        return PartialDate.parse(value)
    except FieldError as exc:
        raise _reraise(exc) from None


def _value(value: Any, cls: type) -> Value:
    if not isinstance(value, str):
        expected = "a text such as '87.5 percent' (a number with its unit)"
        raise TypeError(f"expected {expected}, found {_found(value)}")
    try:
        parsed = parse_value(value)
    except FieldError as exc:
        raise _reraise(exc) from None
    if not isinstance(parsed, cls):
        raise ValueError(f"expected {cls.__name__.lower()} value, found {value!r}")
    return parsed


def _ref(value: Any, _: type) -> Ref:
    if not isinstance(value, str):
        raise TypeError(f"expected a reference written kind:id, found {_found(value)}")
    try:
        return Ref.parse(value)
    except FieldError as exc:
        raise _reraise(exc) from None


def _text(value: Any, cls: type) -> Any:
    """Structure a text; text enumerations (subclasses of str) land here too."""
    if cls is str:
        if type(value) is str:
            return value
        raise TypeError(f"expected a text, found {_found(value)}")
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
        parse = enum_parser(cls)
        if parse is not None:
            try:
                return parse(value)
            except ValueError:
                pass
    choices = ", ".join(repr(m.value) for m in cls)  # type: ignore[attr-defined]
    raise ValueError(f"expected one of {choices}, found {_found(value)}")


def _plain_text(value: str) -> str:
    return value.value if isinstance(value, enum.Enum) else value


def _is_tuple(cls: Any) -> bool:
    return get_origin(cls) is tuple and len(get_args(cls)) == 2 and get_args(cls)[1] is ...


def _tuple_factory(cls: Any, conv: cattrs.Converter) -> Callable[[Any, type], Any]:
    item_hook = conv.get_structure_hook(get_args(cls)[0])
    item_type = get_args(cls)[0]

    def hook(value: Any, _: type) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, found {_found(value)}")
        items, errors = [], []
        for i, item in enumerate(value):
            try:
                items.append(item_hook(item, item_type))
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring {cls} @ index {i}", i, item_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
        return tuple(items)

    return hook


def _is_optional(cls: Any) -> bool:
    args = get_args(cls)
    return get_origin(cls) in (Union, types.UnionType) and len(args) == 2 and type(None) in args


def _optional_factory(cls: Any, conv: cattrs.Converter) -> Callable[[Any, type], Any]:
    """Structure ``X | None`` with the hook of ``X``, looked up once rather than on every call."""
    (inner,) = (arg for arg in get_args(cls) if arg is not type(None))
    inner_hook = conv.get_structure_hook(inner)

    def hook(value: Any, _: type) -> Any:
        return None if value is None else inner_hook(value, inner)

    return hook


def _table_factory(cls: type, conv: cattrs.Converter) -> Callable[[Any, type], Any]:
    """Structure a record from a table (a dict) only, saying so when given anything else."""
    generated: Callable[[Any, type], Any] = make_dict_structure_fn(cls, conv)

    def hook(value: Any, target: type) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected a table of {cls.__name__} fields, found {_found(value)}")
        return generated(value, target)

    return hook


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """Build a new strict converter for cartlandscape's records.

    With ``detailed_validation=False`` the converter is faster but its errors do not say where
    they are; :func:`structure` uses such a converter first and repeats a failed call with the
    detailed one.
    """
    conv = cattrs.Converter(
        forbid_extra_keys=True, omit_if_default=True, detailed_validation=detailed_validation
    )
    # First, so that the more specific hooks registered below take precedence.
    conv.register_structure_hook_factory(attrs.has, _table_factory)
    conv.register_structure_hook(str, _text)
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(float, _float)
    conv.register_unstructure_hook(str, _plain_text)
    conv.register_structure_hook(PartialDate, _date)
    conv.register_unstructure_hook(PartialDate, str)
    conv.register_structure_hook(Ref, _ref)
    conv.register_unstructure_hook(Ref, str)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Value), _value
    )
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Value), Value.written
    )
    conv.register_structure_hook_factory(_is_tuple, _tuple_factory)
    conv.register_structure_hook_factory(_is_optional, _optional_factory)
    return conv


@functools.cache
def converter() -> cattrs.Converter:
    """Return the library's shared converter (built on first call)."""
    return make_converter()


@functools.cache
def _fast_converter() -> cattrs.Converter:
    return make_converter(detailed_validation=False)


def structurer(cls: type[T]) -> Callable[[Any], T]:
    """A function that structures valid data as *cls* fast; its errors do not say where.

    For many records of one class; a record it refuses is described by :func:`structure`.
    """
    hook = _fast_converter().get_structure_hook(cls)
    return lambda data: hook(data, cls)


def structure(data: Any, cls: type[T]) -> T:
    """Structure *data* as *cls*: fast for valid data, and with located errors otherwise.

    A failure is repeated with the detailed converter, whose error says where each problem is
    (see :func:`error_messages`).
    """
    try:
        return _fast_converter().structure(data, cls)
    except Exception:  # the detailed converter below says where the problem is
        pass
    return converter().structure(data, cls)


def _join(path: str, part: str) -> str:
    if not path:
        return part
    return path + part if part.startswith("[") else f"{path}.{part}"


def error_messages(exc: BaseException, path: str = "") -> list[tuple[str, str]]:
    """Flatten a structuring error into ``(field path, message)`` pairs, one per problem."""
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(a.name for a in getattr(exc.cl, "__attrs_attrs__", ()))
        return [
            (_join(path, name or repr(name)), f"unknown key {name!r}; the keys allowed: {allowed}")
            for name in sorted(exc.extra_fields)
        ]
    if isinstance(exc, ClassValidationError | IterableValidationError):
        found: list[tuple[str, str]] = []
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            part = f"[{note.index}]" if isinstance(note, IterableValidationNote) else note.name
            found.extend(error_messages(inner, _join(path, part)))
        for inner in without:
            found.extend(error_messages(inner, path))
        return found
    if isinstance(exc, FieldError):
        return [(_join(path, exc.field), f"expected {exc.expected}, found {exc.found!r}")]
    if isinstance(exc, KeyError):
        return [(path, "this required field is missing")]
    return [(path, str(exc))]
