from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cartlandscape
from cartlandscape.cli._output import Output, dumps
from cartlandscape.kinds import BASE_KINDS, collection_of
from cartlandscape.tables import Column, display_width, render_table, visible

from .builders import run_cli as _call
from .strategies import ids, phrases

given = pytest.importorskip("hypothesis").given
example = pytest.importorskip("hypothesis").example
st = pytest.importorskip("hypothesis.strategies")

#: The installed console script beside the interpreter running the tests.
SCRIPT = Path(sys.executable).parent / "cartlandscape"

#: A user's data file: a source, an indication, a therapy against the bundled CD19, an outcome.
USER_DATA = textwrap.dedent(
    """
    [[source]]
    id = "testa-trial-report"
    title = "Testa-cel pivotal trial report"
    type = "journal-article"
    published = "2024-06"

    [[indication]]
    id = "testoma"
    name = "Testoma"
    category = "hematologic-malignancy"
    citations = [{ source = "testa-trial-report", locator = "introduction" }]

    [[therapy]]
    id = "testacabtagene-autoleucel"
    name = "Testacabtagene autoleucel"
    codes = ["TST-01"]
    aliases = ["testa-cel"]
    targets = ["cd19"]
    citations = [{ source = "testa-trial-report", locator = "abstract" }]

    [[therapy.milestones]]
    agency = "FDA"
    type = "approval"
    date = "2024-05-01"
    indication = "testoma"
    citations = [{ source = "testa-trial-report", locator = "discussion, paragraph 2" }]

    [[outcome]]
    id = "testa-cel-orr"
    therapy = "testacabtagene-autoleucel"
    indication = "testoma"
    endpoint = "orr"
    value = "81.5 percent"
    n = 54
    citations = [{ source = "testa-trial-report", locator = "table 2" }]
    """
)

#: A data file with three problems in two records.
BAD_DATA = textwrap.dedent(
    """
    [[therapy]]
    id = "broken-cel"
    name = "Broken-cel"
    colour = "red"
    citations = [{ source = "nowhere", locator = "p. 1" }]

    [[outcome]]
    id = "broken-orr"
    therapy = "broken-cel"
    endpoint = "orr"
    value = "81.5"
    n = 7.5
    citations = [{ source = "nowhere", locator = "p. 1" }]
    """
)

#: Two therapies against a target of their own, with response outcomes giving their counts.
TRIALS = textwrap.dedent(
    """
    [[source]]
    id = "alpha-beta-trials"
    title = "Alpha-cel and beta-cel trials"
    type = "journal-article"

    [[target]]
    id = "test-antigen"
    name = "Test antigen"
    citations = [{ source = "alpha-beta-trials", locator = "introduction" }]

    [[indication]]
    id = "testoma-a"
    name = "Testoma A"
    category = "hematologic-malignancy"
    citations = [{ source = "alpha-beta-trials", locator = "introduction" }]

    [[indication]]
    id = "testoma-b"
    name = "Testoma B"
    category = "hematologic-malignancy"
    citations = [{ source = "alpha-beta-trials", locator = "introduction" }]

    [[therapy]]
    id = "alpha-cel"
    name = "Alpha-cel"
    targets = ["test-antigen"]
    citations = [{ source = "alpha-beta-trials", locator = "methods" }]

    [[therapy]]
    id = "beta-cel"
    name = "Beta-cel"
    targets = ["test-antigen"]
    citations = [{ source = "alpha-beta-trials", locator = "methods" }]

    [[outcome]]
    id = "alpha-orr"
    therapy = "alpha-cel"
    indication = "testoma-a"
    endpoint = "orr"
    value = "80 percent"
    n = 40
    responders = 32
    citations = [{ source = "alpha-beta-trials", locator = "table 2" }]

    [[outcome]]
    id = "beta-orr"
    therapy = "beta-cel"
    indication = "testoma-a"
    endpoint = "orr"
    value = "60 percent"
    n = 50
    responders = 30
    citations = [{ source = "alpha-beta-trials", locator = "table 3" }]

    [[outcome]]
    id = "beta-orr-b"
    therapy = "beta-cel"
    indication = "testoma-b"
    endpoint = "orr"
    value = "50 to 70 percent"
    citations = [{ source = "alpha-beta-trials", locator = "table 4" }]
    """
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"the cartlandscape command is not installed at {SCRIPT}"
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(USER_DATA, encoding="utf-8")
    return path


@pytest.fixture
def trials(tmp_path: Path) -> Path:
    path = tmp_path / "trials.toml"
    path.write_text(TRIALS, encoding="utf-8")
    return path


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "records.toml").write_text(BAD_DATA, encoding="utf-8")
    (folder / "syntax.toml").write_text("[[therapy]\nid = 1\n", encoding="utf-8")
    return folder


# -- the installed command ------------------------------------------------------------------


def test_summary_lists_approved_products() -> None:
    """`cartlandscape summary` prints the data version and approved products."""
    done = _run("summary")
    assert done.returncode == 0, done.stderr
    assert "Inaticabtagene autoleucel" in done.stdout
    assert "as of" in done.stdout
    assert "\x1b[" not in done.stdout


def test_bad_arguments_exit_2_without_traceback() -> None:
    """An unknown command is a usage error."""
    done = _run("no-such-command")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_installed_show_of_unknown_name_exits_1_with_close_matches() -> None:
    """The installed command reports an unknown name in one line with close matches."""
    done = _run("show", "CNCT91")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "cartlandscape: no record is known as 'CNCT91'; close matches: CNCT19"
    )
    assert done.stdout == ""


def test_installed_validate_lists_every_problem_of_a_bad_folder(bad_folder: Path) -> None:
    """validate on a folder with several broken files prints each problem and exits 1."""
    done = _run("validate", str(bad_folder))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert any("syntax.toml" in line and "TOML syntax" in line for line in lines)
    assert any("'broken-cel'" in line and "colour" in line for line in lines)
    assert any("'broken-orr'" in line and "'value'" in line for line in lines)
    assert any("'broken-orr'" in line and "'n'" in line for line in lines)


def test_installed_export_round_trips_through_load(tmp_path: Path) -> None:
    """export --format json writes a complete dataset that load() reads back unchanged."""
    target = tmp_path / "landscape.json"
    done = _run("export", "--format", "json", "-o", str(target))
    assert done.returncode == 0, done.stderr
    again = cartlandscape.load(target, bundled=False)
    bundled = cartlandscape.registry()
    assert sorted(again.records(), key=repr) == sorted(bundled.records(), key=repr)
    assert again.version == bundled.version


def test_help_imports_no_pint() -> None:
    """`cartlandscape --help` runs without importing pint or reading the data."""
    code = (
        "import sys\n"
        "from cartlandscape.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
        "print('pint' in sys.modules, 'cartlandscape.loading' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "False False"
    assert "examples:" in done.stdout


def test_parser_names_handlers_that_import_their_command_on_call() -> None:
    """Each command's handler is a function; building the parser imports no command module."""
    code = (
        "import sys\n"
        "from cartlandscape.cli._parser import build_parser\n"
        "parser = build_parser()\n"
        "args = parser.parse_args(['search', 'x'])\n"
        "assert callable(args.handler), args.handler\n"
        "print(sorted(m for m in sys.modules if m.startswith('cartlandscape.cli.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(
        ["cartlandscape.cli._common", "cartlandscape.cli._handlers", "cartlandscape.cli._parser"]
    )


# -- help and version -------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the program name and version and exits 0."""
    status, out, _ = _call(capsys, "--version")
    assert status == 0
    assert out.strip() == f"cartlandscape {cartlandscape.__version__}"


@pytest.mark.parametrize(
    "command", ["summary", "show", "search", "export", "validate", "compare", "pool", "plot"]
)
def test_every_command_help_has_examples(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """Each command's --help ends with examples and offers --data."""
    status, out, _ = _call(capsys, command, "--help")
    assert status == 0
    assert "examples:" in out
    assert f"cartlandscape {command}" in out.split("examples:")[1]
    assert "--data PATH" in out


def test_every_help_example_parses() -> None:
    """Each example in the help texts is a valid command line."""
    import shlex

    from cartlandscape.cli._parser import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    examples = [
        line.split("#")[0]
        for sub in [parser, *commands.choices.values()]
        for line in (sub.epilog or "").splitlines()
        if line.strip().startswith("cartlandscape ")
    ]
    assert len(examples) > 30
    for example in examples:
        args = parser.parse_args(shlex.split(example)[1:])
        assert args.handler


@pytest.mark.parametrize(
    "argv",
    [
        ["show"],
        ["summary", "--format", "xml"],
        ["search", "x", "--kind", "gadget"],
        ["validate"],
        ["export", "--format", "table"],
    ],
)
def test_wrong_arguments_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Missing or invalid arguments are usage errors with status 2."""
    status, out, err = _call(capsys, *argv)
    assert status == 2
    assert "usage:" in err
    assert out == ""


# -- summary ----------------------------------------------------------------------------------


def test_summary_json_holds_version_counts_and_approvals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """summary --format json gives the version, the counts and the approved products."""
    status, out, _ = _call(capsys, "summary", "--format", "json")
    assert status == 0
    data = json.loads(out)
    reg = cartlandscape.registry()
    assert data["version"] == {"release": reg.version.release, "as_of": str(reg.version.as_of)}
    assert data["counts"]["therapies"] == len(reg.therapies)
    assert "Inaticabtagene autoleucel" in {row["name"] for row in data["approvals"]}


def test_summary_with_user_data_counts_the_user_records(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """--data adds the user's approved therapy to the summary's tables."""
    status, out, _ = _call(capsys, "summary", "--data", str(user_file))
    assert status == 0
    line = next(line for line in out.splitlines() if "Testacabtagene autoleucel" in line)
    assert line.split()[:2] == ["FDA", "2024-05-01"]
    assert "Testoma" in line


def test_summary_lists_key_outcomes_and_all_adds_the_timeline(
    capsys: pytest.CaptureFixture[str], user_file: Path, trials: Path
) -> None:
    """Approved products' response rates are key outcomes; --all adds timeline and institutions."""
    status, out, _ = _call(capsys, "summary", "--data", str(user_file), "--data", str(trials))
    assert status == 0
    key = out.split("\nKey outcomes of approved products (percent, as reported)\n")[1]
    row = next(line for line in key.splitlines() if "Testacabtagene autoleucel" in line)
    assert row.split()[2:4] == ["Testoma", "81.5"]
    assert "Alpha-cel" not in key  # not approved
    assert "Approval timeline" not in out
    status, out, _ = _call(capsys, "summary", "--all", "--data", str(user_file))
    assert status == 0
    timeline = out.split("\nApproval timeline\n")[1].split("\n\n")[0]
    row = next(line for line in timeline.splitlines() if "Testacabtagene" in line)
    assert row.split() == [
        "2024-05-01",
        "FDA",
        "approval",
        "Testacabtagene",
        "autoleucel",
        "Testoma",
    ]
    assert "\nInstitutions\n" in out


def test_summary_json_gives_key_outcomes_with_their_outcome_ids(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """summary --format json lists each key outcome's span of values and outcome ids."""
    status, out, _ = _call(capsys, "summary", "--format", "json", "--data", str(user_file))
    assert status == 0
    found = [
        k for k in json.loads(out)["key_outcomes"] if k["therapy"] == "testacabtagene-autoleucel"
    ]
    assert found == [
        {
            "therapy": "testacabtagene-autoleucel",
            "indication": "testoma",
            "endpoint": "orr",
            "low": 81.5,
            "high": 81.5,
            "outcomes": ["testa-cel-orr"],
            "unit": "percent",
        }
    ]


# -- show -------------------------------------------------------------------------------------


def test_show_finds_a_therapy_by_alias_with_targets_and_citations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """show inati-cel prints the therapy, its target by name and the titles it cites."""
    status, out, _ = _call(capsys, "show", "inati-cel")
    assert status == 0
    assert out.startswith("Therapy: Inaticabtagene autoleucel\n")
    assert "CD19 (cd19)" in out
    therapy = cartlandscape.registry().lookup("inati-cel")
    title = cartlandscape.registry().sources[therapy.citations[0].source].title
    citations = out.split("\nCitations\n")[1]
    assert f"[1] {title}" in citations
    assert therapy.citations[0].locator in citations


def test_show_a_user_therapy_lists_milestones_outcomes_and_numbered_citations(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """A user's therapy shows its milestone and outcome, each row pointing to its citation."""
    status, out, _ = _call(capsys, "show", "TST-01", "--data", str(user_file))
    assert status == 0
    milestones = out.split("\nMilestones\n")[1].split("\n\n")[0]
    assert "2024-05-01" in milestones
    assert "[2]" in milestones
    outcomes = out.split("\nEfficacy\n")[1].split("\n\n")[0]
    assert "81.5 percent" in outcomes
    assert "54" in outcomes
    assert "[3]" in outcomes
    citations = out.split("\nCitations\n")[1]
    assert "[1] Testa-cel pivotal trial report (2024-06) — abstract" in citations
    assert "[3] Testa-cel pivotal trial report (2024-06) — table 2" in citations


def test_show_a_target_lists_outcomes_of_its_therapies(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """show CD19 lists the user's therapy against it and that therapy's outcome."""
    status, out, _ = _call(capsys, "show", "CD19", "--data", str(user_file))
    assert status == 0
    assert "81.5 percent" in out.split("\nEfficacy\n")[1]
    assert "testacabtagene-autoleucel" in out.split("\nReferred to by\n")[1]


def test_show_a_source_lists_the_records_citing_it_with_locators(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """show of a source lists each citing record with the locators it cites."""
    status, out, _ = _call(capsys, "show", "testa-trial-report", "--data", str(user_file))
    assert status == 0
    cited_by = out.split("\nCited by\n")[1]
    row = next(line for line in cited_by.splitlines() if "testacabtagene" in line)
    assert "abstract; discussion, paragraph 2" in row
    assert "table 2" in next(line for line in cited_by.splitlines() if "testa-cel-orr" in line)


def test_show_json_lists_references_and_citations(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """show --format json gives the record in data-file form, its links and citations."""
    status, out, _ = _call(
        capsys, "show", "testa-cel", "--format", "json", "--data", str(user_file)
    )
    assert status == 0
    data = json.loads(out)
    assert data["kind"] == "therapy"
    assert data["record"]["codes"] == ["TST-01"]
    assert data["file"] == str(user_file)
    assert {"kind": "target", "id": "cd19", "label": "CD19", "field": "targets"} in data[
        "references"
    ]
    assert {
        "kind": "outcome",
        "id": "testa-cel-orr",
        "label": "ORR 81.5 percent",
        "field": "therapy",
    } in data["referenced_by"]
    assert [c["locator"] for c in data["citations"]] == [
        "abstract",
        "discussion, paragraph 2",
        "table 2",
    ]
    assert data["citations"][0]["title"] == "Testa-cel pivotal trial report"


PRICE_DATA = """
[[source]]
id = "test-price-notice"
title = "A price notice"
type = "press-release"
published = "2017-10-18"

[[price]]
id = "test-price"
therapy = "axicabtagene-ciloleucel"
country = "US"
amount = "373000 USD"
date = "2017-10-18"
type = "list"
citations = [{ source = "test-price-notice", locator = "paragraph 3" }]
"""


@pytest.mark.parametrize("kind", list(BASE_KINDS))
def test_show_works_for_a_record_of_every_kind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    """show prints a record of each kind under a heading naming its kind and label."""
    extra = tmp_path / "prices.toml"  # a kind the bundled seeds may not hold yet
    extra.write_text(PRICE_DATA, encoding="utf-8")
    reg = cartlandscape.load(extra)
    record = next(iter(getattr(reg, collection_of(kind))))
    status, out, _ = _call(capsys, "show", record.id, "--kind", kind, "--data", str(extra))
    assert status == 0
    assert out.startswith(f"{kind.capitalize()}: {record.label}\n")
    assert "  id " in out


def test_show_kind_restricts_the_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    """show CD19 --kind therapy fails: CD19 names a target."""
    status, _, err = _call(capsys, "show", "CD19", "--kind", "therapy")
    assert status == 1
    assert err.startswith("cartlandscape: no therapy is known as 'CD19'")


# -- search -----------------------------------------------------------------------------------


def test_search_finds_records_of_several_kinds(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """search testa finds the user's source, therapy and outcome, in kind order."""
    status, out, _ = _call(capsys, "search", "testa", "--format", "json", "--data", str(user_file))
    assert status == 0
    found = json.loads(out)
    assert [(r["kind"], r["id"]) for r in found] == [
        ("source", "testa-trial-report"),
        ("therapy", "testacabtagene-autoleucel"),
        ("outcome", "testa-cel-orr"),
    ]


def test_search_table_and_csv_agree(capsys: pytest.CaptureFixture[str], user_file: Path) -> None:
    """The table and CSV forms of a search list the same records."""
    _, table, _ = _call(capsys, "search", "testa", "--kind", "therapy", "--data", str(user_file))
    _, text, _ = _call(
        capsys, "search", "testa", "--kind", "therapy", "--format", "csv", "--data", str(user_file)
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [
        {"kind": "therapy", "id": "testacabtagene-autoleucel", "label": "Testacabtagene autoleucel"}
    ]
    assert table.splitlines()[0].split() == ["Kind", "Id", "Name"]
    assert "testacabtagene-autoleucel" in table.splitlines()[2]


def test_search_without_match_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A search that matches nothing says so and exits 1; its JSON form is an empty list."""
    status, out, err = _call(capsys, "search", "zzzqqq")
    assert (status, out) == (1, "")
    assert "no record has a name containing 'zzzqqq'" in err
    status, out, _ = _call(capsys, "search", "zzzqqq", "--format", "json")
    assert (status, json.loads(out)) == (1, [])


# -- compare and pool ------------------------------------------------------------------------


def test_compare_two_therapies_shows_values_and_their_difference(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """compare alpha-cel beta-cel in one indication gives both ORRs and a +20 point difference."""
    status, out, err = _call(
        capsys,
        "compare",
        "alpha-cel",
        "beta-cel",
        "--endpoint",
        "ORR",
        "--indication",
        "Testoma A",
        "--data",
        str(trials),
    )
    assert status == 0, err
    assert out.startswith("ORR in Testoma A (values in percent), compared\n")
    table = out.split("\n\n")[0]
    assert "80 percent" in table
    assert "60 percent" in table
    differences = out.split("\nDifferences between therapies\n")[1].split("\n\n")[0]
    assert differences == "  Alpha-cel − Beta-cel: +20 percentage points  (alpha-orr − beta-orr)"
    assert "Alpha-cel and beta-cel trials — table 2" in out.split("\nCitations\n")[1]


def test_compare_refuses_a_mismatch_unless_allowed(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """Outcomes of different indications exit 1 naming --allow-mismatch, which compares anyway."""
    argv = ["compare", "alpha-cel", "beta-cel", "--endpoint", "orr", "--data", str(trials)]
    status, out, err = _call(capsys, *argv)
    assert (status, out) == (1, "")
    assert "indications differ" in err
    assert "--allow-mismatch" in err
    assert "allow_mismatch" not in err
    status, out, _ = _call(capsys, *argv, "--allow-mismatch")
    assert status == 0
    assert "indications differ" in out.split("\nMismatches (compared anyway)\n")[1]
    row = next(line for line in out.splitlines() if "beta-orr-b" in line)
    assert "indication" in row.split("beta-orr-b")[1]


def test_compare_json_and_csv_hold_rows_and_differences(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """compare --format json lists rows with their outcome records and the differences."""
    argv = ["compare", "alpha-cel", "beta-cel", "--endpoint", "ORR", "--indication", "testoma-a"]
    status, out, _ = _call(capsys, *argv, "--format", "json", "--data", str(trials))
    assert status == 0
    data = json.loads(out)
    assert [row["outcome"]["id"] for row in data["rows"]] == ["alpha-orr", "beta-orr"]
    assert data["rows"][0]["outcome"]["citations"] == [
        {"locator": "table 2", "source": "alpha-beta-trials"}
    ]
    assert data["rows"][0]["name"] == "Alpha-cel"
    (difference,) = data["differences"]
    assert (difference["low"], difference["high"], difference["form"]) == (20.0, 20.0, "exact")
    status, out, _ = _call(capsys, *argv, "--format", "csv", "--data", str(trials))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["value_magnitude"], r["n"]) for r in rows] == [
        ("alpha-orr", "80.0", "40"),
        ("beta-orr", "60.0", "50"),
    ]


def test_compare_without_therapies_ranks_every_outcome(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """compare --endpoint ORR alone ranks the indication's outcomes, highest first."""
    status, out, _ = _call(
        capsys, "compare", "--endpoint", "ORR", "--indication", "testoma-a", "--data", str(trials)
    )
    assert status == 0
    assert ", ranked" in out.splitlines()[0]
    rows = [line.split() for line in out.splitlines()[3:5]]
    assert [row[0] for row in rows] == ["1", "2"]
    assert [row[1] for row in rows] == ["Alpha-cel", "Beta-cel"]


def test_compare_timepoint_matches_in_any_time_unit(
    capsys: pytest.CaptureFixture[str], trials: Path, tmp_path: Path
) -> None:
    """--timepoint '1 year' selects the 12-month rates and leaves out the 24-month one."""
    rates = tmp_path / "rates.toml"
    rates.write_text(
        "\n".join(
            f"""
            [[outcome]]
            id = "{ident}"
            therapy = "{therapy}"
            indication = "testoma-a"
            endpoint = "pfs-rate"
            value = "{value} percent"
            timepoint = "{months} month"
            citations = [{{ source = "alpha-beta-trials", locator = "figure 2" }}]
            """
            for ident, therapy, value, months in [
                ("alpha-pfs-12", "alpha-cel", 60, 12),
                ("alpha-pfs-24", "alpha-cel", 45, 24),
                ("beta-pfs-12", "beta-cel", 50, 12),
            ]
        ).replace("            ", ""),
        encoding="utf-8",
    )
    argv = [
        "compare",
        "--endpoint",
        "PFS rate",
        "--timepoint",
        "1 year",
        "--indication",
        "testoma-a",
    ]
    argv += ["--format", "json"]
    status, out, err = _call(capsys, *argv, "--data", str(trials), "--data", str(rates))
    assert status == 0, err
    data = json.loads(out)
    assert [row["outcome"]["id"] for row in data["rows"]] == ["alpha-pfs-12", "beta-pfs-12"]
    assert data["positions"] == [1, 2]


def test_compare_arguments_that_do_not_fit_exit_2(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """One therapy, a missing or unknown endpoint, or a time point without time unit exit 2."""
    for argv in (
        ["compare", "alpha-cel", "--endpoint", "orr"],
        ["compare", "alpha-cel", "beta-cel"],
        ["compare", "alpha-cel", "beta-cel", "--endpoint", "happiness"],
        ["compare", "--endpoint", "orr", "--timepoint", "12"],
        ["compare", "--endpoint", "orr", "--timepoint", "12 percent"],
    ):
        status, out, err = _call(capsys, *argv, "--data", str(trials))
        assert (status, out) == (2, ""), argv
        assert "error:" in err


def test_pool_gives_the_random_effects_estimate_and_leaves_out_outcomes_without_n(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """pool --target pools the two ORRs with counts and lists the one without n as left out."""
    argv = ["pool", "--endpoint", "ORR", "--target", "Test antigen", "--data", str(trials)]
    status, out, _ = _call(capsys, *argv)
    assert status == 0
    assert out.startswith(
        "ORR pooled: 70.2 percent (95% CI 47.5–86; 95% prediction interval 34.1–91.5 percent)\n"
    )
    assert "k=2" in out.splitlines()[1]
    assert "'beta-orr-b' gives no n" in out.split("\nLeft out\n")[1]
    status, out, _ = _call(capsys, *argv, "--format", "json")
    data = json.loads(out)
    assert data["pooled"]["studies"] == ["alpha-orr", "beta-orr"]
    assert round(data["pooled"]["estimate"], 1) == 70.2
    assert len(data["left_out"]) == 1


def test_pool_without_usable_outcomes_exits_1(
    capsys: pytest.CaptureFixture[str], trials: Path
) -> None:
    """An endpoint no outcome in scope reports with n cannot be pooled: exit 1, one message."""
    status, out, err = _call(
        capsys, "pool", "--endpoint", "CR", "--target", "test-antigen", "--data", str(trials)
    )
    assert (status, out) == (1, "")
    assert err == "cartlandscape: no CR outcome in scope gives the counts to pool\n"


def test_plot_forest_and_timeline_write_image_files(
    capsys: pytest.CaptureFixture[str], trials: Path, tmp_path: Path
) -> None:
    """plot forest and plot timeline write the PNG and SVG files named by -o."""
    pytest.importorskip("matplotlib")
    forest = tmp_path / "orr.png"
    status, _, err = _call(
        capsys,
        "plot",
        "forest",
        "alpha-cel",
        "beta-cel",
        "--endpoint",
        "ORR",
        "--indication",
        "testoma-a",
        "--data",
        str(trials),
        "-o",
        str(forest),
    )
    assert status == 0, err
    assert forest.read_bytes().startswith(b"\x89PNG")
    timeline = tmp_path / "approvals.svg"
    status, _, err = _call(capsys, "plot", "timeline", "-o", str(timeline))
    assert status == 0, err
    assert "<svg" in timeline.read_text(encoding="utf-8")


def test_plot_without_matplotlib_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without matplotlib, plot prints one line naming the extra to install and exits 1."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name.startswith("matplotlib") else real(name, *a),
    )
    status, out, err = _call(capsys, "plot", "timeline", "-o", str(tmp_path / "t.png"))
    assert (status, out) == (1, "")
    assert err == 'cartlandscape: plots need matplotlib: pip install "cartlandscape[plot]"\n'


def test_plot_arguments_that_do_not_fit_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A forest plot without --endpoint, or an image of an unknown type, is a usage error."""
    pytest.importorskip("matplotlib")
    for argv in (
        ["plot", "forest", "-o", str(tmp_path / "a.png")],
        ["plot", "timeline", "-o", str(tmp_path / "a.pdf")],
        ["plot", "timeline"],
    ):
        status, _, err = _call(capsys, *argv)
        assert status == 2, argv
        assert "error:" in err


def test_plot_into_a_place_that_cannot_hold_a_file_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An image path below a file, not a folder, is reported in one line with status 1."""
    pytest.importorskip("matplotlib")
    (tmp_path / "plain").write_text("not a folder", encoding="utf-8")
    status, out, err = _call(capsys, "plot", "timeline", "-o", str(tmp_path / "plain" / "t.png"))
    assert (status, out) == (1, "")
    assert err.startswith("cartlandscape: cannot write ")
    assert "Traceback" not in err


#: A second, larger report of the alpha-cel study, and a name for the study of the first one.
ALPHA_FINAL = textwrap.dedent(
    """
    [[outcome]]
    id = "alpha-orr-final"
    therapy = "alpha-cel"
    indication = "testoma-a"
    endpoint = "orr"
    value = "77.8 percent"
    n = 45
    responders = 35
    study = { name = "ALPHA-1" }
    citations = [{ source = "alpha-beta-trials", locator = "table 5" }]

    [[outcome]]
    id = "alpha-orr"
    therapy = "alpha-cel"
    indication = "testoma-a"
    endpoint = "orr"
    value = "80 percent"
    n = 40
    responders = 32
    study = { name = "ALPHA-1" }
    citations = [{ source = "alpha-beta-trials", locator = "table 2" }]
    override = true
    """
)


def test_pool_refuses_two_reports_of_a_study_unless_one_per_study(
    capsys: pytest.CaptureFixture[str], trials: Path, tmp_path: Path
) -> None:
    """Two reports of one study exit 1 naming --one-per-study, which keeps the larger report."""
    final = tmp_path / "final.toml"
    final.write_text(ALPHA_FINAL, encoding="utf-8")
    argv = ["pool", "--endpoint", "ORR", "--therapy", "alpha-cel"]
    argv += ["--data", str(trials), "--data", str(final)]
    status, out, err = _call(capsys, *argv)
    assert (status, out) == (1, "")
    assert "same study" in err
    assert "--one-per-study" in err
    status, out, _ = _call(capsys, *argv, "--one-per-study", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["pooled"]["studies"] == ["alpha-orr-final"]
    assert data["left_out"] == [
        "outcome 'alpha-orr' reports the same study as 'alpha-orr-final' (alpha1); "
        "kept 'alpha-orr-final' for its larger n (n = 45 against n = 40)"
    ]


def test_pool_of_named_outcomes(capsys: pytest.CaptureFixture[str], trials: Path) -> None:
    """--outcome pools exactly the outcomes named; one without n is an error, not left out."""
    argv = ["pool", "--outcome", "alpha-orr", "--outcome", "beta-orr", "--data", str(trials)]
    status, out, _ = _call(capsys, *argv, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["row"] for r in rows] == ["study", "study", "pooled"]
    status, out, err = _call(capsys, *argv, "--outcome", "beta-orr-b")
    assert (status, out) == (1, "")
    assert "'beta-orr-b' gives no n" in err
    status, _, err = _call(capsys, *argv, "--target", "test-antigen")
    assert status == 2
    assert "leave out the filters" in err
    status, _, err = _call(capsys, "pool", "--data", str(trials))
    assert status == 2


# -- export -----------------------------------------------------------------------------------


def test_export_json_of_user_data_round_trips(
    capsys: pytest.CaptureFixture[str], user_file: Path, tmp_path: Path
) -> None:
    """The JSON export of bundled plus user data loads back to equal records."""
    target = tmp_path / "all.json"
    status, _, err = _call(capsys, "export", "--data", str(user_file), "-o", str(target))
    assert status == 0
    assert err.startswith("wrote ")
    merged = cartlandscape.load(user_file)
    again = cartlandscape.load(target, bundled=False)
    for kind in ("therapy", "outcome", "source", "indication"):
        collection = collection_of(kind)
        assert sorted(getattr(again, collection), key=repr) == sorted(
            getattr(merged, collection), key=repr
        )
    assert again.lookup("TST-01") == merged.lookup("TST-01")


def test_export_json_is_sorted_and_stable(capsys: pytest.CaptureFixture[str]) -> None:
    """Two exports are identical, keys are sorted and records are in id order."""
    _, first, _ = _call(capsys, "export", "--kind", "indication", "--kind", "target")
    _, second, _ = _call(capsys, "export", "--kind", "indication", "--kind", "target")
    assert first == second
    data = json.loads(first)
    assert list(data) == sorted(data) == ["indication", "meta", "target"]
    ids = [r["id"] for r in data["indication"]]
    assert ids == sorted(ids)
    assert first == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_export_csv_has_one_row_per_record(capsys: pytest.CaptureFixture[str]) -> None:
    """export --kind therapy --format csv writes a header and one row per therapy."""
    status, out, _ = _call(capsys, "export", "--kind", "therapy", "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["id"] for r in rows) == sorted(cartlandscape.registry().therapies.ids)
    assert "CNCT19" in {r["codes"] for r in rows}


def test_export_csv_of_two_kinds_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """CSV holds one kind of record, so two --kind options with --format csv exit 2."""
    status, out, err = _call(
        capsys, "export", "--format", "csv", "--kind", "therapy", "--kind", "target"
    )
    assert (status, out) == (2, "")
    assert "exactly one --kind" in err


def test_export_to_a_missing_folder_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file that cannot be written is reported in one line, status 1."""
    status, _, err = _call(capsys, "export", "-o", str(tmp_path / "no" / "such" / "x.json"))
    assert status == 1
    assert err.startswith("cartlandscape: cannot write ")
    assert "Traceback" not in err


# -- validate ---------------------------------------------------------------------------------


def test_validate_good_file_prints_one_ok_line_with_counts(
    capsys: pytest.CaptureFixture[str], user_file: Path
) -> None:
    """validate of a valid file exits 0 with one OK line counting its records by kind."""
    status, out, _ = _call(capsys, "validate", str(user_file))
    assert status == 0
    assert out == (
        "OK: 1 file valid with the bundled data: "
        "1 sources, 1 indications, 1 therapies, 1 outcomes\n"
    )


def test_validate_lists_all_problems_with_file_record_and_field(
    capsys: pytest.CaptureFixture[str], bad_folder: Path
) -> None:
    """Every problem of every file is listed on its own line, naming file, record and field."""
    missing = bad_folder / "missing.toml"
    status, out, err = _call(capsys, "validate", str(bad_folder), str(missing))
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 5
    assert f"{missing}: no such file or folder" in lines
    records = str(bad_folder / "records.toml")
    assert f"{records}: therapy 'broken-cel': field 'colour': unknown key 'colour'" in out
    assert any(line.startswith(f"{records}: outcome 'broken-orr': field 'n': ") for line in lines)
    assert any(line.startswith(str(bad_folder / "syntax.toml") + ":1:") for line in lines)
    assert err == "cartlandscape: 5 problems found\n"


def test_validate_json_lists_problems_as_objects(
    capsys: pytest.CaptureFixture[str], bad_folder: Path
) -> None:
    """validate --format json reports ok false and each problem's file, record and field."""
    status, out, _ = _call(capsys, "validate", str(bad_folder), "--format", "json")
    assert status == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert {(p["record"], p["field"]) for p in data["problems"]} >= {
        ("broken-orr", "n"),
        ("broken-orr", "value"),
    }


def test_validate_reports_dangling_references(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A well-formed record naming an unknown source fails validation, naming the field."""
    path = tmp_path / "dangling.toml"
    path.write_text(BAD_DATA.split("[[outcome]]")[0].replace('colour = "red"\n', ""))
    status, out, _ = _call(capsys, "validate", str(path))
    assert status == 1
    assert out.strip() == (
        f"{path}: therapy 'broken-cel': field 'citations[0].source': no source has the id 'nowhere'"
    )


def test_validate_no_bundled_checks_a_complete_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A full export is valid on its own, and a duplicate of the bundled data otherwise."""
    target = tmp_path / "all.json"
    assert _call(capsys, "export", "-o", str(target))[0] == 0
    status, out, _ = _call(capsys, "validate", str(target), "--no-bundled")
    assert status == 0
    assert out.startswith("OK: 1 file valid without the bundled data: ")
    status, out, _ = _call(capsys, "validate", str(target))
    assert status == 1
    assert "duplicate id" in out


def test_validate_empty_folder_and_missing_path_fail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A folder without data files, or a path that does not exist, is a problem."""
    status, out, _ = _call(capsys, "validate", str(tmp_path))
    assert status == 1
    assert out == f"{tmp_path}: expected .toml or .json data files in the folder, found none\n"
    status, out, _ = _call(capsys, "validate", str(tmp_path / "missing.toml"))
    assert status == 1
    assert "no such file or folder" in out


def test_bad_data_file_on_any_command_exits_1_without_traceback(
    capsys: pytest.CaptureFixture[str], bad_folder: Path
) -> None:
    """--data with a broken file makes summary exit 1 with every problem on stderr."""
    status, out, err = _call(capsys, "summary", "--data", str(bad_folder))
    assert (status, out) == (1, "")
    assert err.startswith("cartlandscape: 4 problems in the data:")
    assert "Traceback" not in err


# -- output -----------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_headings_are_bold_on_a_terminal_unless_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A terminal gets bold headings; NO_COLOR or a pipe gets plain text."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = Output.to(_Terminal())
    terminal.heading("Outcomes")
    assert terminal.stream.getvalue() == "\x1b[1mOutcomes\x1b[0m\n"  # type: ignore[attr-defined]
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Output.to(_Terminal())
    plain.heading("Outcomes")
    assert plain.stream.getvalue() == "Outcomes\n"  # type: ignore[attr-defined]
    piped = Output.to(io.StringIO())
    assert (piped.color, piped.width) == (False, None)


def test_table_headers_are_bold_on_a_terminal_not_escaped() -> None:
    """A table's bold header reaches a terminal as bold, not as written-out escape codes."""
    terminal = Output(io.StringIO(), color=True)
    terminal.table([Column("name", "Name")], [{"name": "evil\x1b[2J"}])
    lines = terminal.stream.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "\x1b[1mName\x1b[0m"
    assert lines[2].startswith("evil\\x1b[2J")  # data is still shown, never obeyed


def test_wide_characters_stay_aligned() -> None:
    """Columns after a Chinese name line up with the header, counted in terminal cells."""
    columns = [Column("name", "Name"), Column("n", "N", align="right")]
    text = render_table(columns, [{"name": "细胞治疗", "n": 1}, {"name": "CAR-T", "n": 22}])
    lines = text.splitlines()
    assert {display_width(line) for line in lines} == {display_width(lines[0])}


def test_wrapped_table_fits_the_width() -> None:
    """Given a width, every line of a table with long cells fits it."""
    columns = [Column("a", "Name"), Column("b", "Description")]
    rows = [{"a": "Inaticabtagene autoleucel", "b": "word " * 40}]
    text = render_table(columns, rows, width=50)
    assert max(display_width(line) for line in text.splitlines()) <= 50
    assert " ".join(text.split()).count("word") == 40


@given(
    rows=st.lists(st.tuples(phrases, phrases, ids), min_size=1, max_size=5),
    width=st.integers(min_value=40, max_value=120),
)
@example(rows=[("0", "\u061c", "0")], width=40)
def test_tables_fit_the_width_and_keep_every_character(
    rows: list[tuple[str, str, str]], width: int
) -> None:
    """A table wrapped to a width fits it and holds every character of its cells.

    Characters a terminal would obey rather than show (such as U+061C, a bidirectional mark)
    are held as their visible escapes.
    """
    columns = [Column("a", "Name"), Column("b", "Description"), Column("c", "Id")]
    cells = [{"a": a, "b": b, "c": c} for a, b, c in rows]
    text = render_table(columns, cells, width=width)
    assert max(display_width(line) for line in text.splitlines()) <= width
    body = "".join(text.splitlines()[2:])
    assert sorted(body.replace(" ", "")) == sorted(
        visible("".join(a + b + c for a, b, c in rows)).replace(" ", "")
    )


def test_json_dumps_values_dates_and_enums_as_text() -> None:
    """dumps writes values and dates in their text form with sorted keys."""
    therapy = cartlandscape.registry().lookup("inati-cel")
    outcome = cartlandscape.Outcome(
        id="x",
        therapy=therapy.id,
        endpoint="orr",
        value="79 to 89 percent",
        citations=therapy.citations,
    )
    data = json.loads(dumps({"b": outcome, "a": cartlandscape.PartialDate(2023, 11)}))
    assert list(data) == ["a", "b"]
    assert data["a"] == "2023-11"
    assert data["b"]["value"] == "79 to 89 percent"
    assert data["b"]["endpoint"] == "orr"


def test_parser_kinds_are_the_registry_kinds() -> None:
    """The kinds --kind accepts (kept in the parser so --help loads no model) are the models'."""
    from cartlandscape.cli._parser import KINDS

    assert tuple(BASE_KINDS) == KINDS
