"""Faults and hostile input: nothing lost, nothing injected, never a traceback.

Each test replays a finding of an adversarial probe of the command line and the loader (lost
files, tracebacks, silently wrong results, unsafe output); each failed before its fix.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import cartlandscape
from cartlandscape import atomic
from cartlandscape.errors import DataError
from cartlandscape.export import csv_cell, to_csv
from cartlandscape.stats import check_level
from cartlandscape.tables import visible

from .builders import run_cli as _call

SCRIPT = Path(sys.executable).parent / "cartlandscape"

HOSTILE = textwrap.dedent(
    """
    [[source]]
    id = "hostile-report"
    title = "Report \\u001b]0;pwned\\u0007\\u001b[2J with \\u202eevil"
    type = "report"

    [[target]]
    id = "hostile-target"
    name = "=HYPERLINK(\\"http://example.invalid\\",\\"click\\")"
    aliases = ["$\\\\alpha$ chain", "@SUM(1+1)"]
    citations = [{ source = "hostile-report", locator = "p. 1" }]
    """
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


# -- data loss --------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    """An error while writing (here: mid-write) keeps the earlier file whole, leaves no temp."""
    target = tmp_path / "landscape.json"
    target.write_text("the good file", encoding="utf-8")

    def fail_half_way() -> None:
        with atomic.replacing(target) as temporary:
            temporary.write_text("half of the new fi", encoding="utf-8")
            raise OSError(28, "disk full")

    with pytest.raises(OSError, match="disk full"):
        fail_half_way()
    assert target.read_text(encoding="utf-8") == "the good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landscape.json"]


@contextlib.contextmanager
def _small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, where the machine lets this process mount one (root on Linux)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("mount") is None,
    reason="needs Linux's mount",
)
def test_export_to_a_full_disk_keeps_the_previous_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _small_filesystem(tmp_path) as mount:
        target = mount / "landscape.json"
        target.write_text('{"an": "earlier export"}', encoding="utf-8")
        status, _, err = _call(capsys, "export", "-o", str(target))
        assert status == 1
        assert "cannot write" in err
        assert "No space left" in err
        assert target.read_text(encoding="utf-8") == '{"an": "earlier export"}'
        assert sorted(p.name for p in mount.iterdir()) == ["landscape.json"]


def test_plot_failure_leaves_no_empty_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "approvals.png"
    target.write_bytes(b"an earlier image")
    # A folder where the image should go makes the rename fail after drawing.
    blocked = tmp_path / "blocked.png"
    blocked.mkdir()
    status, _, err = _call(capsys, "plot", "timeline", "-o", str(blocked))
    assert status == 2
    assert "expected an output file name" in err
    status, _, err = _call(capsys, "plot", "timeline", "-o", str(target))
    assert status == 0
    assert "replacing the file that was there" in err
    assert target.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["approvals.png", "blocked.png"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    """A new output is readable as any file written in place (not private like a temp file);
    a replaced one keeps its mode."""
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "new.csv"
        atomic.write_text(fresh, "a")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.csv"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o640)
        atomic.write_text(kept, "new")
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_export_refuses_to_write_over_its_own_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine.json"
    _call(capsys, "export", "--kind", "target", "-o", str(mine))
    before = mine.read_bytes()
    status, _, err = _call(capsys, "export", "--data", str(tmp_path), "-o", str(mine))
    assert status == 2
    assert "one of the data files read" in err
    assert mine.read_bytes() == before


# -- the parse cache lives in test_seedcache.py; patterns, units and bounds in the corpus ---------


def test_meta_of_a_user_file_cannot_relabel_the_bundled_release(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[meta]\nrelease = "my-release"\nas_of = "2030-01-01"\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        cartlandscape.load(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert "cannot relabel" in problem.message
    # Without the bundled data, a file's [meta] is the release.
    (tmp_path / "more.toml").write_text(
        '[[source]]\nid = "r"\ntitle = "R"\ntype = "report"\n', encoding="utf-8"
    )
    assert (
        str(cartlandscape.load(tmp_path, bundled=False).version) == "my-release (as of 2030-01-01)"
    )


def test_a_name_clash_is_blamed_on_the_users_file(tmp_path: Path) -> None:
    """A user's target named like a bundled therapy: the user's record is named, not the seeds."""
    path = tmp_path / "mine.toml"
    path.write_text(
        textwrap.dedent(
            """
            [[source]]
            id = "my-report"
            title = "My report"
            type = "report"

            [[target]]
            id = "my-target"
            name = "Kymriah"
            citations = [{ source = "my-report", locator = "p. 1" }]
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        cartlandscape.load(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert (problem.kind, problem.record, problem.field) == ("target", "my-target", "name")
    assert "therapy 'tisagenlecleucel'" in problem.message


# -- tracebacks -------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_summary_to_a_full_device_is_one_message() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(SCRIPT), "summary"],
            stdout=full,
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.strip() == "cartlandscape: cannot write the output: No space left on device"


def test_summary_with_stdout_closed_is_one_message() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.close(1); from cartlandscape.cli import main;"
            " sys.exit(main(['summary']))",
        ],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot write the output" in done.stderr


def test_an_interrupt_at_any_moment_ends_with_status_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while the arguments are still being read, before any command runs."""
    import cartlandscape.cli as cli

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    status, _, err = _call(capsys, "summary")
    assert status == 130
    assert err == "cartlandscape: interrupted\n"


def test_file_names_that_are_not_text_are_printed_escaped(tmp_path: Path) -> None:
    """A file name in another encoding, validated under a strict ASCII stdout: no traceback."""
    folder = os.fsencode(tmp_path)
    name = os.path.join(folder, b"caf\xe9.toml")
    with open(name, "wb") as stream:
        stream.write(b'[[source]]\nid = "r"\ntitle = 7\ntype = "report"\n')
    env = {**os.environ, "PYTHONIOENCODING": "ascii:strict", "LC_ALL": "C"}
    done = subprocess.run(
        [str(SCRIPT), "validate", "--no-bundled", str(tmp_path)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr
    assert b"caf\\udce9.toml" in done.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("validate", ""), "empty path"),
        (("validate", "x" * 5000), "too long"),
    ],
)
def test_bad_paths_are_one_message(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
) -> None:
    status, out, err = _call(capsys, *args)
    assert status == 1
    assert says in out
    assert "Traceback" not in err


def test_a_link_loop_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    status, out, _ = _call(capsys, "validate", str(tmp_path / "a.toml"))
    assert status == 1
    assert "leads nowhere" in out


def test_plot_to_a_name_without_a_stem_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _call(capsys, "plot", "timeline", "-o", ".png")
    assert status == 2
    assert "save a plot as a .png or .svg file" in err


def test_a_level_too_close_to_1_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _call(
        capsys, "pool", "--endpoint", "ORR", "--one-per-study", "--level", "0.9999999999999999"
    )
    assert status == 2
    assert "expected a number above 0 and below 1" in err
    with pytest.raises(ValueError, match=r"at most 0\.999999"):
        check_level(0.9999999999999999)


def test_dollar_signs_in_names_are_drawn_as_text(tmp_path: Path) -> None:
    """Text between dollar signs is not matplotlib mathtext: '$\\frac{1}$' no longer crashes."""
    pytest.importorskip("matplotlib")
    from cartlandscape.plots import _figure, _save

    fig = _figure(4, 2)
    fig.text(0.1, 0.5, "Hostile-cel $\\frac{1}$ costs $5 and $10")
    written = _save(fig, tmp_path / "dollars.png")
    assert written.read_bytes().startswith(b"\x89PNG")


# -- unsafe output ------------------------------------------------------------------------------


def test_show_and_search_print_control_characters_visibly(
    hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (("show", "hostile-report"), ("search", "Report")):
        status, out, err = _call(capsys, *args, "--data", str(hostile))
        assert status == 0, err
        assert "\x1b" not in out
        assert "\x07" not in out
        assert "\u202e" not in out
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in out
    assert "\\u202eevil" in out


def test_json_output_escapes_what_a_terminal_would_obey(
    hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _call(
        capsys, "show", "hostile-report", "--data", str(hostile), "--format", "json"
    )
    assert status == 0
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert json.loads(out)["record"]["title"].endswith("with \u202eevil")  # data unchanged


def test_visible_keeps_text_and_line_breaks() -> None:
    assert visible("line one\nline\ttwo — 中文 ✓") == "line one\nline\ttwo — 中文 ✓"
    assert visible("\x9b31m") == "\\x9b31m"


def test_csv_cells_that_spreadsheets_run_are_defused(
    hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _call(
        capsys, "export", "--kind", "target", "--format", "csv", "--data", str(hostile)
    )
    assert status == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out))}
    row = rows["hostile-target"]
    assert row["name"].startswith("'=HYPERLINK(")
    assert "'@SUM(1+1)" in row["aliases"] or row["aliases"].startswith("$")
    for text in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell(-1) == -1
    assert to_csv([]) == "\n"


# -- symbolic links -----------------------------------------------------------------------------


def test_links_out_of_a_data_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "private.json").write_text('{"api_key_of_someone": 1}', encoding="utf-8")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ok.toml").write_text('[[source]]\nid = "r"\ntitle = "R"\ntype = "report"\n')
    (folder / "leak.json").symlink_to(secret / "private.json")
    (folder / "sub").symlink_to(secret)
    with pytest.raises(DataError) as info:
        cartlandscape.load(folder, bundled=False)
    (problem,) = info.value.problems
    assert "lead out of it (not followed)" in problem.message
    assert "api_key_of_someone" not in str(info.value)
    # Given by itself, the file is read (and what is wrong with it said).
    with pytest.raises(DataError, match="api_key_of_someone"):
        cartlandscape.load(secret / "private.json", bundled=False)
