from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: The installed console script beside the interpreter running the tests.
SCRIPT = Path(sys.executable).parent / "cartlandscape"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"the cartlandscape command is not installed at {SCRIPT}"
    command = [str(SCRIPT)]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def test_summary_lists_approved_products() -> None:
    """`cartlandscape summary` prints the data version and approved products."""
    done = _run("summary")
    assert done.returncode == 0, done.stderr
    assert "Inaticabtagene autoleucel" in done.stdout
    assert "as of" in done.stdout


def test_bad_arguments_exit_2_without_traceback() -> None:
    """An unknown command is a usage error."""
    done = _run("no-such-command")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
