"""Fuzzing the loader: whatever the bytes, only DataError comes out, never another exception.

The documents are random bytes and text, random JSON values, and seed records (bundled ones and
generated ones) with keys dropped or renamed and values swapped for random JSON values.  The
``test_issue_*`` tests below pin the crashes fuzzing found.
"""

from __future__ import annotations

import copy
import functools
import json
import tomllib
from typing import Any

import pytest

import cartlandscape
from cartlandscape import loading
from cartlandscape.errors import DataError, Problem
from cartlandscape.kinds import BASE_KINDS, tags

from .strategies import RECORDS

given = pytest.importorskip("hypothesis").given
settings = pytest.importorskip("hypothesis").settings
st = pytest.importorskip("hypothesis.strategies")


@functools.cache
def _bundled() -> list[tuple[str, bytes]]:
    """The bundled seed files, ``(name, bytes)``, read on first use (never at import)."""
    return loading._bundled_files()


@functools.cache
def _seed_records() -> list[tuple[str, dict[str, Any]]]:
    """Every record of the bundled seeds as its kind tag and table; shared, so only copied."""
    return [
        (tag, record)
        for _, data in _bundled()
        for tag, items in tomllib.loads(data.decode("utf-8")).items()
        if tag != loading.META_KEY
        for record in items
    ]


@functools.cache
def _field_names() -> list[str]:
    """Every key of the seed records, and the two keys a data file knows besides kind tags."""
    return sorted({key for _, record in _seed_records() for key in record} | {"override", "meta"})


TOP_LEVEL = {
    cls: strategy for cls, strategy in RECORDS.items() if getattr(cls, "kind", None) in BASE_KINDS
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
names = st.sampled_from(["data.toml", "data.json"])
#: Building next to the bundled data takes longer: those tests run a quarter of the examples.
with_bundled = settings(max_examples=max(10, settings.default.max_examples // 4))


def _places(item: Any) -> list[tuple[Any, Any]]:
    """Every ``(container, key or index)`` inside *item*, *item* itself excluded."""
    found: list[tuple[Any, Any]] = []
    todo = [item]
    while todo:
        container = todo.pop()
        keys = list(container) if isinstance(container, dict) else range(len(container))
        for key in keys:
            found.append((container, key))
            if isinstance(container[key], dict | list):
                todo.append(container[key])
    return found


@functools.cache
def _seed_values() -> list[str]:
    """Every value in the seed records, as JSON text: swapped in, they are often almost right."""
    return sorted(
        {json.dumps(c[k]) for _, record in _seed_records() for c, k in _places(record)}, key=len
    )


@st.composite
def mutated(draw: Any, record: dict[str, Any]) -> dict[str, Any]:
    """*record* with up to four keys dropped or renamed and values swapped or replaced."""
    record = copy.deepcopy(record)
    for _ in range(draw(st.integers(0, 4))):
        places = _places(record)
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["drop", "rename", "swap", "replace"]))
        if action == "drop":
            del container[key]
        elif action == "rename" and isinstance(container, dict):
            new = draw(st.sampled_from(_field_names()) | st.text(max_size=8))
            container[new] = container.pop(key)
        elif action == "swap":
            container[key] = json.loads(draw(st.sampled_from(_seed_values())))
        else:
            container[key] = draw(json_values)
    return record


@st.composite
def documents(
    draw: Any, records: st.SearchStrategy[tuple[str, dict[str, Any]]], overrides: bool = False
) -> bytes:
    """A JSON data file with a few mutated records, some under another kind tag.

    With *overrides*, most records are marked as overrides (of the bundled record they are a
    mutation of), so that some load and the registry is built from them.
    """
    document: dict[str, list[Any]] = {}
    for tag, record in draw(st.lists(records, min_size=1, max_size=3)):
        if draw(st.integers(0, 9)) == 0:
            tag = draw(st.sampled_from([*tags(), "meta"]) | st.text(max_size=8))
        record = draw(mutated(record))
        if overrides and draw(st.integers(0, 3)):
            record["override"] = True
        document.setdefault(tag, []).append(record)
    return json.dumps(document).encode("utf-8")


seed_records = st.deferred(lambda: st.sampled_from(_seed_records()))
generated_records = st.sampled_from(sorted(TOP_LEVEL, key=lambda c: c.kind)).flatmap(
    lambda cls: TOP_LEVEL[cls].map(lambda r: (cls.kind, cartlandscape.converter().unstructure(r)))
)


def _check(files: list[tuple[str, bytes]]) -> None:
    """Build *files*: a registry that answers queries, or a DataError, nothing else."""
    before = loading._default
    try:
        reg, _ = loading.build(files)
    except DataError as exc:
        error = exc
    else:
        error = None
    if error is not None:
        assert error.problems
        assert all(isinstance(p, Problem) and p.message for p in error.problems)
        assert str(error).count("\n") >= len(error.problems)
    else:
        for record in reg.records():
            for name in record.names():
                reg.lookup(name)
        for target in reg.targets:
            reg.therapies_for(target=target)
        for indication in reg.indications:
            reg.outcomes_for(indication=indication)
        reg.milestones_for()
    assert loading._default is before


@given(names, st.binary(max_size=2000))
def test_random_bytes_give_only_data_errors(name: str, data: bytes) -> None:
    """Random bytes, named TOML or JSON, load or raise DataError."""
    _check([(name, data)])


@given(names, st.text(max_size=500))
def test_random_text_gives_only_data_errors(name: str, text: str) -> None:
    """Random text (any code point the encoder takes) loads or raises DataError."""
    _check([(name, text.encode("utf-8", "surrogatepass"))])


@given(st.dictionaries(st.sampled_from([*tags(), "meta"]) | st.text(max_size=8), json_values))
def test_random_json_values_under_kind_tags_give_only_data_errors(document: Any) -> None:
    """Random JSON values under kind tags load or raise DataError."""
    _check([("data.json", json.dumps(document).encode("utf-8"))])


@given(documents(seed_records))
def test_mutated_seed_records_give_only_data_errors(data: bytes) -> None:
    """Bundled records with keys dropped, renamed or replaced, on their own, raise DataError."""
    _check([("data.json", data)])


@with_bundled
@given(documents(seed_records, overrides=True))
def test_mutated_seed_records_with_the_bundled_data_give_only_data_errors(data: bytes) -> None:
    """Mutated records next to the bundled data (so references resolve) load or raise DataError."""
    _check([*_bundled(), ("mine.json", data)])


@given(documents(generated_records))
def test_mutated_generated_records_give_only_data_errors(data: bytes) -> None:
    """Generated records of every kind, mutated, load or raise DataError."""
    _check([("data.json", data)])


@with_bundled
@given(
    st.deferred(
        lambda: st.sampled_from([item for item in _bundled() if item[0].endswith(".toml")])
    ),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 8), st.binary(max_size=8)), max_size=4
    ),
)
def test_mutated_seed_files_give_only_data_errors(
    seed: tuple[str, bytes], edits: list[tuple[int, int, bytes]]
) -> None:
    """A seed TOML file with byte ranges replaced by random bytes loads or raises DataError."""
    data = seed[1]
    for offset, length, insert in edits:
        at = offset % (len(data) + 1)
        data = data[:at] + insert + data[at + length :]
    _check([*_bundled(), ("mine.toml", data)])


# -- crashes found ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("n.json", b'{"source": [{"id": "s", "n": ' + b"9" * 5000 + b"}]}"),
        ("n.toml", b'[[source]]\nid = "s"\nn = ' + b"9" * 5000 + b"\n"),
    ],
)
def test_issue_huge_integer(name: str, data: bytes) -> None:
    """A number longer than int() takes was a ValueError; it is a located problem now."""
    with pytest.raises(DataError) as info:
        loading.build([(name, data)])
    (problem,) = info.value.problems
    assert "at most 4300 digits" in problem.message
    assert problem.line is not None


def test_issue_unpaired_surrogate() -> None:
    """A JSON escape for half a surrogate pair loaded, and crashed whoever wrote it out."""
    data = b'{"source": [{"id": "s", "title": "T \\udc80", "type": "report"}]}'
    with pytest.raises(DataError) as info:
        loading.build([("s.json", data)])
    (problem,) = info.value.problems
    assert (problem.kind, problem.record, problem.field) == ("source", "s", "title")
    assert "unpaired surrogate" in problem.message


def test_issue_duplicate_json_key() -> None:
    """A key written twice in a JSON object lost the first value silently; now it is an error."""
    data = b'{"source": [{"id": "s", "title": "A", "title": "B", "type": "report"}]}'
    with pytest.raises(DataError) as info:
        loading.build([("s.json", data)])
    (problem,) = info.value.problems
    assert "'title' more than once" in problem.message


def test_issue_json_nan() -> None:
    """NaN and Infinity are not JSON; they are refused where they are read."""
    with pytest.raises(DataError) as info:
        loading.build([("s.json", b'{"source": [{"id": "s", "n": Infinity}]}')])
    (problem,) = info.value.problems
    assert "found Infinity" in problem.message


def test_issue_empty_document() -> None:
    """A document with no tables at all ({} or only comments) is refused, not silently empty."""
    for name, data in [("a.json", b"{}"), ("b.toml", b"# nothing yet\n")]:
        with pytest.raises(DataError) as info:
            loading.build([(name, data)])
        (problem,) = info.value.problems
        assert problem.file == name
        assert "found none" in problem.message
