"""Every kind of mistake in a data file is rejected with a message that says where and what.

The corpus in tests/bad_input/ holds one file per mistake; ``EXPECTED`` says what the one problem
reported for each file must be.  Files too big to keep in the repository are generated.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import cartlandscape
from cartlandscape import loading
from cartlandscape.errors import DataError, Problem

CORPUS = Path(__file__).parent / "bad_input"


@attrs.frozen(kw_only=True)
class Expected:
    """The one problem a corpus file must give."""

    says: tuple[str, ...]
    kind: str | None = None
    record: str | None = None
    field: str | None = None
    line: int | None = None
    column: int | None = None


EXPECTED = {
    "syntax-error.toml": Expected(says=("TOML syntax",), line=5, column=24),
    "syntax-error.json": Expected(says=("JSON syntax", "property name"), line=3, column=72),
    "wrong-type.toml": Expected(
        kind="outcome", record="trial-orr", field="n", says=("expected a whole number", "'twenty'")
    ),
    "unknown-key.toml": Expected(
        kind="target",
        record="cd19",
        field="descripton",
        says=("unknown key", "descripton", "description"),
    ),
    "missing-field.toml": Expected(
        kind="outcome", record="trial-orr", field="endpoint", says=("required field is missing",)
    ),
    "negative-count.toml": Expected(
        kind="outcome", record="trial-orr", field="n", says=("not negative", "-20")
    ),
    "percentage-over-100.json": Expected(
        kind="outcome", record="trial-cr", field="value", says=("at most 100 percent", "104")
    ),
    "responders-over-n.toml": Expected(
        kind="outcome", record="trial-orr", field="responders", says=("at most n (20)", "24")
    ),
    "date-after-source.toml": Expected(
        kind="therapy",
        record="trial-cel",
        field="milestones[0].date",
        says=("no later than 2025-03-15", "'trial-report'", "found 2025-06"),
    ),
    "unknown-unit.toml": Expected(
        kind="outcome",
        record="trial-median-pfs",
        field="value",
        says=("expected a unit", "'fortnights-ish'"),
    ),
    "wrong-dimension.toml": Expected(
        kind="outcome",
        record="trial-median-os",
        field="value",
        says=("expected a time", "45 percent", "dimensionless"),
    ),
    "dangling-reference.toml": Expected(
        kind="therapy", record="trial-cel", field="targets[0]", says=("no target", "no-such-target")
    ),
    "duplicate-id.toml": Expected(
        kind="target", record="cd19", field="id", says=("duplicate id", "duplicate-id.toml")
    ),
    "conflicting-alias.toml": Expected(
        kind="target", record="cd22", field="aliases[0]", says=("'b-4'", "target 'cd19'")
    ),
    "empty.toml": Expected(says=("empty file",)),
    "binary.json": Expected(says=("expected a text file", "binary data")),
    "non-utf8.toml": Expected(says=("expected UTF-8 text", "0xe9"), line=5, column=24),
    "unknown-kind.toml": Expected(says=("expected a kind of record", "'therapie'")),
    "single-table.toml": Expected(kind="source", says=("[[source]]", "found a table")),
    "override-without-original.toml": Expected(
        kind="source", record="trial-report", field="override", says=("earlier record", "none")
    ),
    "duplicate-key.json": Expected(says=("each key once", "'title'")),
    "not-a-number.json": Expected(says=("expected a number", "NaN")),
    "unpaired-surrogate.json": Expected(
        kind="source", record="trial-report", field="title", says=("unpaired surrogate",)
    ),
    "top-level-list.json": Expected(says=("expected an object of kinds", "a list")),
    "impossible-date.toml": Expected(
        kind="source", record="trial-report", field="published", says=("calendar date", "02-30")
    ),
    "huge-number.json": Expected(says=("at most 4300 digits",), line=3, column=81),
    # Faults found by probing with hostile input: each of these loaded before.
    "agency-with-line-break.json": Expected(
        kind="therapy", record="trial-cel", field="milestones[0].agency", says=("'NMPA\\n'",)
    ),
    "ratio-as-proportion.toml": Expected(
        kind="outcome", record="trial-orr", field="value", says=("proportion", "1 day / week")
    ),
    "percentage-points-as-proportion.toml": Expected(
        kind="outcome", record="trial-cr", field="value", says=("proportion", "percentage_point")
    ),
    "huge-count.json": Expected(
        kind="outcome", record="trial-orr", field="n", says=("at most 1e+15",)
    ),
    "huge-time.toml": Expected(
        kind="outcome", record="trial-median-os", field="value", says=("at most 1e+15", "1e+308")
    ),
    "parent-loop.toml": Expected(
        kind="indication",
        record="lymphoma-a",
        field="parent",
        says=("loop", "lymphoma-a → lymphoma-b → lymphoma-a"),
    ),
    "date-before-1900.toml": Expected(
        kind="source", record="trial-report", field="published", says=("1900 or later", "1850")
    ),
    "approval-after-as-of.toml": Expected(
        kind="therapy",
        record="trial-cel",
        field="milestones[0].date",
        says=("no later than 2025-01-01", "current to", "2025-06-01"),
    ),
    "meta-unknown-key.toml": Expected(
        kind="meta", field="label", says=("only release and as_of", "'label'")
    ),
    "utf-16.toml": Expected(says=("UTF-16", "save the file as UTF-8")),
}


def _problem(*paths: Path, **options: int) -> Problem:
    with pytest.raises(DataError) as info:
        cartlandscape.load(*paths, bundled=False, **options)
    (problem,) = info.value.problems
    assert str(problem) in str(info.value)
    return problem


def test_every_corpus_file_has_an_expectation() -> None:
    """The corpus and the table of expected problems list the same files."""
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_rejected_with_the_right_problem(name: str) -> None:
    """Each mistake gives one problem naming the file, the record, the field and what is wrong."""
    path = CORPUS / name
    expected = EXPECTED[name]
    problem = _problem(path)
    assert problem.file == str(path)
    assert (problem.kind, problem.record, problem.field) == (
        expected.kind,
        expected.record,
        expected.field,
    )
    assert (problem.line, problem.column) == (expected.line, expected.column)
    for text in expected.says:
        assert text in problem.message


def test_all_corpus_problems_are_reported_together() -> None:
    """Loading the whole corpus reports every problem at once, between records too."""
    with pytest.raises(DataError) as info:
        cartlandscape.load(CORPUS, bundled=False)
    files = {Path(p.file or "").name for p in info.value.problems}
    # Problems between records (references, names, dates) come with the problems in the files;
    # only the override has a record to replace here: the same source in an earlier corpus file.
    assert files == set(EXPECTED) - {"override-without-original.toml"}


def test_large_file_is_refused_with_the_limit_in_the_message(tmp_path: Path) -> None:
    """A file over max_bytes is refused before it is read, and the message gives both sizes."""
    path = tmp_path / "big.toml"
    path.write_text("# padding\n" * 500, encoding="utf-8")
    problem = _problem(path, max_bytes=1000)
    assert problem.file == str(path)
    assert "at most 1000 bytes" in problem.message
    assert "found 5000 bytes" in problem.message
    assert "max_bytes" in problem.message


def test_default_size_limit_refuses_a_larger_file(tmp_path: Path) -> None:
    """A (sparse) file one byte over MAX_FILE_BYTES is refused without being read."""
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(loading.MAX_FILE_BYTES + 1)
    problem = _problem(path)
    assert f"found {loading.MAX_FILE_BYTES + 1} bytes" in problem.message


def test_large_bytes_are_refused_by_build() -> None:
    """build() applies the same bound to data given as bytes."""
    with pytest.raises(DataError) as info:
        loading.build([("big.toml", b"#" * 2000)], max_bytes=1999)
    (problem,) = info.value.problems
    assert problem.file == "big.toml"
    assert "at most 1999 bytes" in problem.message


@pytest.mark.parametrize("depth", [loading.MAX_DEPTH + 5, 100_000])
def test_deeply_nested_json_is_refused(tmp_path: Path, depth: int) -> None:
    """JSON nested past MAX_DEPTH (or past Python's recursion limit) is refused plainly."""
    path = tmp_path / "deep.json"
    path.write_text('{"source": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    problem = _problem(path)
    assert problem.file == str(path)
    assert f"at most {loading.MAX_DEPTH} levels" in problem.message


def test_deeply_nested_toml_is_refused(tmp_path: Path) -> None:
    """TOML nested past MAX_DEPTH is refused plainly too."""
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    problem = _problem(path)
    assert f"at most {loading.MAX_DEPTH} levels" in problem.message


@pytest.mark.parametrize("escape", ["", "\\u00e9"])
def test_deep_value_inside_a_record_is_refused(tmp_path: Path, escape: str) -> None:
    """A record whose field nests past MAX_DEPTH gives the file's one depth problem."""
    deep = "[" * (loading.MAX_DEPTH + 5) + "]" * (loading.MAX_DEPTH + 5)
    path = tmp_path / "deep.json"
    path.write_text(
        f'{{"source": [{{"id": "s{escape}", "title": {deep}, "type": "report"}}]}}',
        encoding="utf-8",
    )
    problem = _problem(path)
    assert (problem.file, problem.record) == (str(path), None)
    assert f"at most {loading.MAX_DEPTH} levels" in problem.message


def test_deep_toml_value_inside_a_record_is_refused(tmp_path: Path) -> None:
    """The same holds for TOML nested past MAX_DEPTH but within the parser's reach."""
    deep = "[" * (loading.MAX_DEPTH + 5) + "]" * (loading.MAX_DEPTH + 5)
    path = tmp_path / "deep.toml"
    path.write_text(f'[[source]]\nid = "s"\ntitle = {deep}\ntype = "report"\n', encoding="utf-8")
    problem = _problem(path)
    assert f"at most {loading.MAX_DEPTH} levels" in problem.message


def test_folder_without_data_files_is_a_problem(tmp_path: Path) -> None:
    """A folder that holds no .toml or .json file is reported, not silently skipped."""
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    problem = _problem(tmp_path)
    assert problem.file == str(tmp_path)
    assert "found none" in problem.message


def test_file_of_another_format_is_a_problem(tmp_path: Path) -> None:
    """A file given by name must be .toml or .json; the message says what it found."""
    path = tmp_path / "trials.yaml"
    path.write_text("source: []\n", encoding="utf-8")
    problem = _problem(path)
    assert "expected a .toml or .json file, found '.yaml'" in problem.message


def test_missing_path_is_reported_with_the_problems_of_other_files(tmp_path: Path) -> None:
    """A path that does not exist is listed together with the problems of the files that do."""
    missing = tmp_path / "missing.toml"
    with pytest.raises(DataError) as info:
        cartlandscape.load(missing, CORPUS / "wrong-type.toml", bundled=False)
    problems = info.value.problems
    assert [(Path(p.file or "").name, p.field) for p in problems] == [
        ("missing.toml", None),
        ("wrong-type.toml", "n"),
    ]
    assert problems[0].message == "no such file or folder"
