"""Every script in examples/ runs, in a fresh working folder, and does what it says."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "examples").glob("*.py"))

#: Files a script writes in its working folder, and texts its output must contain.
WRITES: dict[str, tuple[str, ...]] = {
    "evidence_notebook.py": (
        "mm-orr-forest.svg",
        "approvals-timeline.svg",
        "kymriah.html",
        "landscape.html",
    ),
    "load_own_data.py": ("my-data/hospital.toml",),
    "plot_forest_and_timeline.py": (
        "bcma-orr-forest.png",
        "approvals-timeline.png",
        "bcma-approvals-timeline.png",
    ),
    "summary_dataframe.py": ("approvals.csv",),
}
PRINTS: dict[str, tuple[str, ...]] = {
    "evidence_notebook.py": ("Int64", "<Therapy 'tisagenlecleucel': Tisagenlecleucel>"),
    "compare_bcma.py": ("BCMA-directed products approved", "ORR in multiple myeloma", "sCR/CR"),
    "load_own_data.py": ("(exit status 0)", "(exit status 1)", "expected a whole number"),
    "summary_dataframe.py": ("Approved products by target", "First approvals by year"),
}
PNG = b"\x89PNG\r\n\x1a\n"


def _run(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_there_are_examples() -> None:
    """The examples folder holds example scripts."""
    assert SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    """The script exits 0 without warnings, writing and printing what it should."""
    done = _run(script, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "Warning" not in done.stderr, done.stderr
    for name in WRITES.get(script.name, ()):
        assert (tmp_path / name).is_file(), f"{script.name} did not write {name}"
        if name.endswith(".png"):
            assert (tmp_path / name).read_bytes().startswith(PNG), f"{name} is not a PNG"
    for text in PRINTS.get(script.name, ()):
        assert text in done.stdout, f"{script.name} did not print {text!r}:\n{done.stdout}"
    assert not list((ROOT / "examples").glob("*.png")), "an example wrote into examples/"


def test_every_example_has_a_docstring() -> None:
    """Each script opens with a docstring saying what it shows (the examples page uses it)."""
    for script in SCRIPTS:
        assert ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))), script.name
