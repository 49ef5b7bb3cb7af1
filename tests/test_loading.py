"""Loading users' files: merging with the bundled data, overrides, atomic failure, immutability."""

from __future__ import annotations

import gc
import os
import pickle
import textwrap
from pathlib import Path

import attrs
import pytest

import cartlandscape
from cartlandscape import loading
from cartlandscape._registry import Override, Registry
from cartlandscape.errors import DataError, FieldError, Problem, UnknownNameError
from cartlandscape.models import Citation, Source, Statement, Therapy
from cartlandscape.values import Exact, parse_value

OWN_DATA = Path(__file__).resolve().parents[1] / "examples" / "own_data"

REPORT = """
[[source]]
id = "my-report"
title = "My internal report"
type = "report"
published = "2026-03"
"""

THERAPY = """
[[therapy]]
id = "my-cel"
name = "My-cel"
codes = ["MY-19"]
targets = ["cd19"]
citations = [{ source = "my-report", locator = "section 1" }]
"""

CD19_OVERRIDE = """
[[target]]
id = "cd19"
override = true
name = "CD19"
aliases = ["PAN-B"]
citations = [{ source = "my-report", locator = "glossary" }]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_records_are_added_to_the_bundled_ones(tmp_path: Path) -> None:
    """A user's file adds its records; the bundled ones stay and references to them resolve."""
    path = _write(tmp_path, "mine.toml", REPORT + THERAPY)
    reg = cartlandscape.load(path)
    bundled = cartlandscape.registry()
    assert len(reg) == len(bundled) + 2
    mine = reg.lookup("MY-19")
    assert mine.id == "my-cel"
    assert reg.origin(mine) == str(path)
    assert mine in reg.therapies_for(target="CD19")
    assert reg.lookup("CNCT19") == bundled.lookup("CNCT19")
    assert reg.overrides == ()


def test_folders_are_read_through_in_toml_and_json(tmp_path: Path) -> None:
    """A folder gives every .toml and .json file inside it, subfolders included, others skipped."""
    _write(tmp_path, "a/report.toml", REPORT)
    _write(
        tmp_path,
        "b/deeper/therapy.JSON",
        '{"therapy": [{"id": "my-cel", "name": "My-cel", "citations": '
        '[{"source": "my-report", "locator": "section 1"}]}]}',
    )
    _write(tmp_path, "notes.md", "# not data")
    _write(tmp_path, ".hidden.toml", "this is not even TOML")
    reg = cartlandscape.load(tmp_path, bundled=False)
    assert {reg.origin(r) for r in reg.records()} == {
        str(tmp_path / "a" / "report.toml"),
        str(tmp_path / "b" / "deeper" / "therapy.JSON"),
    }


def test_example_own_data_loads_with_the_bundled_data() -> None:
    """examples/own_data/trials loads, adds its candidate and overrides the CD19 target."""
    reg = cartlandscape.load(OWN_DATA / "trials")
    assert reg.lookup("EXH-19").id == "example-cel"
    assert len(reg.outcomes_for(therapy="example-cel")) == 2
    assert [(o.kind, o.id, o.replaced_file) for o in reg.overrides] == [
        ("target", "cd19", "seeds/targets.toml")
    ]
    assert reg.lookup("PAN-B") is reg.targets["cd19"]


def test_duplicate_of_a_bundled_id_without_override_names_both_files(tmp_path: Path) -> None:
    """A record reusing a bundled id is an error naming both files, unless marked override."""
    path = _write(tmp_path, "mine.toml", REPORT + CD19_OVERRIDE.replace("override = true", ""))
    with pytest.raises(DataError) as info:
        cartlandscape.load(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.kind, problem.record, problem.field) == (
        str(path),
        "target",
        "cd19",
        "id",
    )
    assert "seeds/targets.toml" in problem.message


def test_override_replaces_the_bundled_record_and_is_reported(tmp_path: Path) -> None:
    """override = true replaces the bundled record; registry.overrides says which and from where."""
    path = _write(tmp_path, "mine.toml", REPORT + CD19_OVERRIDE)
    reg = cartlandscape.load(path)
    assert reg.overrides == (Override("target", "cd19", str(path), "seeds/targets.toml"),)
    assert reg.targets["cd19"].aliases == ("PAN-B",)
    assert reg.lookup("PAN-B") is reg.targets["cd19"]
    assert reg.origin(reg.targets["cd19"]) == str(path)
    assert len(reg) == len(cartlandscape.registry()) + 1
    assert cartlandscape.registry().targets["cd19"].aliases != ("PAN-B",)


def test_a_later_user_file_overrides_an_earlier_one(tmp_path: Path) -> None:
    """Files are merged in the order given: a later override replaces an earlier user record."""
    first = _write(tmp_path, "first.toml", REPORT + THERAPY)
    second = _write(
        tmp_path,
        "second.toml",
        THERAPY.replace('name = "My-cel"', 'name = "My-cel v2"\noverride = true'),
    )
    reg = cartlandscape.load(first, second)
    assert reg.lookup("MY-19").name == "My-cel v2"
    assert reg.overrides == (Override("therapy", "my-cel", str(second), str(first)),)


def test_override_before_its_original_is_an_error(tmp_path: Path) -> None:
    """An override must come after the record it replaces; otherwise it is reported."""
    first = _write(tmp_path, "first.toml", REPORT + THERAPY)
    second = _write(tmp_path, "second.toml", THERAPY.replace("]\n", "]\noverride = true\n", 1))
    with pytest.raises(DataError) as info:
        cartlandscape.load(second, first, bundled=False)
    problem, *others = info.value.problems
    assert (problem.file, problem.record, problem.field) == (str(second), "my-cel", "override")
    # Without the bundled data the therapy's target is missing too, and is reported with it.
    assert [p.message for p in others] == ["no target has the id 'cd19'"]


def test_file_given_twice_is_read_once(tmp_path: Path) -> None:
    """The same file given twice (or inside a folder also given) is not a duplicate of itself."""
    path = _write(tmp_path, "mine.toml", REPORT + THERAPY)
    reg = cartlandscape.load(path, tmp_path, path)
    assert len(reg) == len(cartlandscape.registry()) + 2


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    """Problems in several records of several files come out together in one DataError."""
    a = _write(tmp_path, "a.toml", REPORT + THERAPY.replace('codes = ["MY-19"]', "codes = 7"))
    b = _write(tmp_path, "b.json", '{"target": [{"id": "x", "name": 5}, {"id": "Bad Id"}]}')
    c = _write(tmp_path, "c.toml", "[[target]\n")
    with pytest.raises(DataError) as info:
        cartlandscape.load(a, b, c)
    found = {(Path(p.file or "").name, p.record, p.field) for p in info.value.problems}
    assert found == {
        ("a.toml", "my-cel", "codes"),
        ("b.json", "x", "name"),
        ("b.json", "x", "citations"),
        ("b.json", "Bad Id", "name"),
        ("b.json", "Bad Id", "citations"),
        ("c.toml", None, None),
    }
    syntax = next(p for p in info.value.problems if p.file == str(c))
    assert (syntax.line, syntax.column) == (1, 9)


def test_failed_load_leaves_the_default_registry_untouched(tmp_path: Path) -> None:
    """A failed load returns nothing and changes neither the cached registry nor its contents."""
    before = cartlandscape.registry()
    count, cd19 = len(before), before.targets["cd19"]
    good = _write(tmp_path, "good.toml", REPORT + CD19_OVERRIDE)
    bad = _write(tmp_path, "bad.toml", THERAPY.replace('"cd19"', '"no-such-target"'))
    with pytest.raises(DataError):
        cartlandscape.load(good, bad)
    assert cartlandscape.registry() is before
    assert len(before) == count
    assert before.targets["cd19"] is cd19
    assert before.overrides == ()
    with pytest.raises(UnknownNameError):
        before.lookup("PAN-B")


def test_failed_load_does_not_build_the_default_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed load leaves no half-built registry behind for registry() to return."""
    monkeypatch.setattr(loading, "_default", None)
    bad = _write(tmp_path, "bad.toml", THERAPY)
    with pytest.raises(DataError):
        cartlandscape.load(bad)
    assert loading._default is None


def test_registry_attributes_cannot_be_reassigned() -> None:
    """version and overrides of the shared registry are read-only, so no caller changes them."""
    reg = cartlandscape.registry()
    version = reg.version
    with pytest.raises(AttributeError):
        reg.version = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        reg.overrides = (Override("target", "cd19", None, None),)  # type: ignore[misc]
    assert cartlandscape.registry().version == version
    assert cartlandscape.registry().overrides == ()


def test_records_and_collections_are_immutable() -> None:
    """Records are frozen and collections offer no way to add, remove or replace a record."""
    reg = cartlandscape.registry()
    therapy = reg.lookup("CNCT19")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        therapy.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        reg.therapies["x"] = therapy  # type: ignore[index]
    assert isinstance(therapy.milestones, tuple)
    assert isinstance(reg.overrides, tuple)


def test_bundled_files_are_named_with_their_folders() -> None:
    """Bundled records name their seed file with its folder (two files are called documents)."""
    reg = cartlandscape.registry()
    origins = {reg.origin(r) for r in reg.records()}
    assert "seeds/targets.toml" in origins
    assert {"seeds/sources/documents.toml", "seeds/outcomes/documents.toml"} <= origins


def test_fact_dated_after_its_source_is_an_error() -> None:
    """A statement observed after its cited source was published cannot be loaded."""
    source = Source(id="s", title="S", type="report", published="2024-03-10")
    late = Statement(
        id="late",
        subject="institution:x",
        metric="patients treated",
        value="10 patient",
        as_of="2024-04",
        citations=(Citation(source="s", locator="p. 1"),),
    )
    with pytest.raises(DataError) as info:
        Registry([source, late])
    (problem,) = [p for p in info.value.problems if p.field == "as_of"]
    assert problem.record == "late"
    assert "no later than 2024-03-10" in problem.message


@pytest.mark.parametrize(
    ("published", "dated"),
    [
        ("2024-03-10", "2024-03"),
        ("2024", "2024-12-31"),
        ("2024-03-10", "2024-03-10"),
        (None, "2030"),
    ],
)
def test_fact_dated_within_its_source_precision_is_accepted(
    published: str | None, dated: str
) -> None:
    """A date that may be on or before publication, given both precisions, is accepted."""
    source = Source(id="s", title="S", type="report", published=published)
    therapy = Therapy(
        id="t",
        name="T",
        milestones=(
            cartlandscape.Milestone(
                agency="FDA",
                type="approval",
                date=dated,
                citations=(Citation(source="s", locator="p. 1"),),
            ),
        ),
        citations=(Citation(source="s", locator="p. 1"),),
    )
    assert Registry([source, therapy]).therapies["t"] == therapy


def test_goal_may_be_dated_after_its_source() -> None:
    """A statement of type 'target' is a goal: its date is when it is due, after the source."""
    source = Source(id="s", title="S", type="report", published="2023-10-20")
    goal = Statement(
        id="goal",
        subject="institution:x",
        metric="centres to open",
        value=">5 center",
        type="target",
        as_of="2025",
        citations=(Citation(source="s", locator="p. 1"),),
    )
    institution = cartlandscape.Institution(
        id="x", name="X", type="hospital", citations=(Citation(source="s", locator="p. 1"),)
    )
    assert Registry([source, goal, institution]).statements["goal"] == goal


def test_issue_pickled_errors() -> None:
    """The errors survive pickling with their message and details (they failed to unpickle)."""
    problem = Problem("expected x, found y", file="f.toml", kind="target", record="cd19")
    for error in (
        DataError([problem]),
        FieldError("n", "a whole number", "x"),
        UnknownNameError("CNCT91", "therapy", ["CNCT19"]),
    ):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error)
    assert pickle.loads(pickle.dumps(DataError([problem]))).problems == (problem,)


def test_issue_special_file(tmp_path: Path) -> None:
    """A path that is neither a file nor a folder is a problem, not NotADirectoryError or a hang."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(DataError) as info:
        cartlandscape.load(fifo, "/dev/null", bundled=False)
    messages = [(p.file, p.message) for p in info.value.problems]
    assert messages == [
        (str(fifo), "expected a data file or a folder, found a special file"),
        ("/dev/null", "expected a .toml or .json file, found no suffix"),
    ]


def test_issue_symlink_loop(tmp_path: Path) -> None:
    """A folder linking back to itself is read once instead of forever."""
    _write(tmp_path, "data/report.toml", REPORT)
    (tmp_path / "data" / "again").symlink_to(tmp_path / "data")
    reg = cartlandscape.load(tmp_path / "data", bundled=False)
    assert reg.sources.ids == ("my-report",)


def test_issue_file_link_loop(tmp_path: Path) -> None:
    """Two links pointing at each other were a RuntimeError from Path.resolve; now a problem."""
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    with pytest.raises(DataError) as info:
        cartlandscape.load(tmp_path, bundled=False)
    assert [Path(p.file or "").name for p in info.value.problems] == ["a.toml", "b.toml"]
    assert all("cannot read the file" in p.message for p in info.value.problems)


def test_issue_name_too_long(tmp_path: Path) -> None:
    """A path the system refuses (a name too long) was an OSError; now it is a problem."""
    path = tmp_path / ("x" * 5000 + ".toml")
    with pytest.raises(DataError) as info:
        cartlandscape.load(path, bundled=False)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert problem.message.startswith("cannot read")


@pytest.mark.parametrize("running", [True, False])
@pytest.mark.parametrize("valid", [True, False])
def test_loading_leaves_the_cycle_collector_as_it_was(running: bool, valid: bool) -> None:
    """The collector is paused while records are built, and left as found, on error too."""
    data = b'[[source]]\nid = "s"\ntitle = "S"\ntype = "report"\n' if valid else b"x = 1"
    was = gc.isenabled()
    try:
        (gc.enable if running else gc.disable)()
        try:
            registry, _ = loading.build([("data.toml", data)])
        except DataError:
            assert not valid
        else:
            assert valid
            assert len(registry.sources) == 1
        assert gc.isenabled() is running
    finally:
        (gc.enable if was else gc.disable)()


def test_a_record_the_fast_converter_refuses_is_structured_once_more_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An invalid record goes to the detailed converter directly, not through the fast one again."""
    from cartlandscape import loading

    calls: list[object] = []
    real = loading.structure
    monkeypatch.setattr(
        loading, "structure", lambda data, cls: calls.append(data) or real(data, cls)
    )
    document = b'[[source]]\nid = "s"\ntitle = "S"\ntype = "report"\nno_such_key = 1\n'
    with pytest.raises(DataError, match="no_such_key"):
        loading.build([("bad.toml", document)])
    assert calls == []


_SHARING = """
[[source]]
id = "s"
title = "S"
type = "report"

[[target]]
id = "t"
name = "T"
citations = [{ source = "s", locator = "table 1" }]

[[indication]]
id = "i"
name = "I"
category = "hematologic-malignancy"
citations = [{ source = "s", locator = "table 1" }]

[[therapy]]
id = "p"
name = "P"
targets = ["t"]
citations = [{ source = "s", locator = "table 1" }]

[[outcome]]
id = "o1"
therapy = "p"
indication = "i"
endpoint = "orr"
value = "50 percent"
follow_up = "12 month"
citations = [{ source = "s", locator = "table 1" }]

[[outcome]]
id = "o2"
therapy = "p"
indication = "i"
endpoint = "orr"
value = "50.0 percent"
follow_up = "12 month"
citations = [{ source = "s", locator = "table 1" }]
"""


def test_equal_values_read_at_load_are_held_once() -> None:
    """Equal citations, ids and values are shared; values that print differently are not."""
    reg = loading.build([("shared.toml", _SHARING.encode())])[0]
    first, second = reg.outcomes["o1"], reg.outcomes["o2"]
    assert first.citations is second.citations
    assert first.citations is reg.targets["t"].citations
    assert first.therapy is second.therapy
    assert first.follow_up is second.follow_up
    assert repr(first.value) == repr(parse_value("50 percent"))
    assert repr(second.value) == repr(parse_value("50.0 percent"))


def test_values_that_are_equal_but_print_differently_are_not_shared() -> None:
    """1 and 1.0, or 0.0 and -0.0, compare equal but are kept as read."""
    shared = loading._Shared()
    some_outcome = next(iter(cartlandscape.registry().outcomes))
    records = [
        attrs.evolve(some_outcome, value=v)
        for v in (
            Exact(1, "percent"),
            Exact(1.0, "percent"),
            Exact(0.0, "percent"),
            Exact(-0.0, "percent"),
        )
    ]
    for record in records:
        shared.share(record)
    assert [repr(r.value) for r in records] == [
        repr(Exact(1, "percent")),
        repr(Exact(1.0, "percent")),
        repr(Exact(0.0, "percent")),
        repr(Exact(-0.0, "percent")),
    ]
