"""The maintainer tools: one command, --check and --write, files replaced whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cartlandscape.tools import TOOLS, canonical, datadict
from cartlandscape.tools._common import dispatch, seeds_folder, seeds_readme

ROOT = Path(__file__).resolve().parents[1]

MESSY = '[[target]]\nname = "CD19"\nid = "cd19"\ncitations = [{locator = "p. 1", source = "s"}]\n'
TIDY = '[[target]]\nid = "cd19"\nname = "CD19"\ncitations = [{ source = "s", locator = "p. 1" }]\n'


def test_the_defaults_are_the_bundled_seeds() -> None:
    """Without paths, the tools work on the repository's seeds folder and its README."""
    assert seeds_folder() == ROOT / "seeds"
    assert seeds_readme() == ROOT / "seeds" / "README.md"


def test_every_tool_passes_its_check_on_the_bundled_data() -> None:
    """`python -m cartlandscape.tools all --check` finds nothing out of date."""
    done = subprocess.run(
        [sys.executable, "-m", "cartlandscape.tools", "all", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_check_reports_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check names the file, says what is wrong, gives the command, and leaves it."""
    path = tmp_path / "targets.toml"
    path.write_text(MESSY, encoding="utf-8")
    assert canonical.main(["--check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"{path}: not in canonical form; run: python -m cartlandscape.tools canonical "
        f"--write {tmp_path}\n"
    )
    assert path.read_text(encoding="utf-8") == MESSY


def test_write_replaces_the_file_then_check_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--write rewrites what is out of date, leaves no temporary file, and is then clean."""
    path = tmp_path / "targets.toml"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    assert dispatch(["canonical", "--write", str(path)]) == 0
    assert capsys.readouterr().out == f"rewrote {path}\n"
    assert path.read_text(encoding="utf-8") == TIDY
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["targets.toml"]
    assert dispatch(["canonical", "--check", str(path)]) == 0
    assert dispatch(["canonical", "--write", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_a_file_that_does_not_load_is_reported_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data error is reported with the file's name; the file is not rewritten."""
    path = tmp_path / "bad.toml"
    path.write_text('[[target]]\nid = "Bad Id"\nname = "X"\n', encoding="utf-8")
    assert canonical.main(["--write", str(path)]) == 1
    assert "bad.toml" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8").startswith('[[target]]\nid = "Bad Id"')


def test_missing_files_and_markers_are_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file, or a README without markers, is one line on stderr and status 1."""
    assert canonical.main(["--check", str(tmp_path / "none.toml")]) == 1
    assert "none.toml: cannot be read" in capsys.readouterr().err
    readme = tmp_path / "README.md"
    readme.write_text("# Data\n", encoding="utf-8")
    assert datadict.main(["--write", str(readme)]) == 1
    assert "has no <!-- datadict:start -->" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "# Data\n"


def test_the_data_dictionary_is_written_between_its_markers(tmp_path: Path) -> None:
    """datadict --write fills the markers; --check then passes; the rest is kept."""
    readme = tmp_path / "README.md"
    readme.write_text(f"# Data\n\n{datadict.START}\nold\n{datadict.END}\nend\n", encoding="utf-8")
    assert datadict.main(["--check", str(readme)]) == 1
    assert datadict.main(["--write", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Data\n\n")
    assert text.endswith(f"{datadict.END}\nend\n")
    assert "| `inn` |" in text
    assert datadict.main(["--check", str(readme)]) == 0


@pytest.mark.parametrize(
    "argv",
    [[], ["nonesuch", "--check"], ["all", "--check", "seeds/"], ["all"]],
)
def test_wrong_arguments_are_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown tool, or paths given to every tool at once, is status 2 with the usage."""
    assert dispatch(argv) == 2
    assert "usage: python -m cartlandscape.tools" in capsys.readouterr().err


def test_help_lists_the_tools(capsys: pytest.CaptureFixture[str]) -> None:
    """--help names every tool."""
    assert dispatch(["--help"]) == 0
    out = capsys.readouterr().out
    for tool in TOOLS:
        assert f"cartlandscape.tools {tool} " in out
