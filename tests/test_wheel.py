from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_the_seeds(tmp_path: Path) -> None:
    """A wheel built from the tree, installed alone, loads the bundled registry.

    The unit facts of the seeds ship in the wheel too: with the parse cache off, loading the
    bundled registry imports no pint.
    """
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site), "CARTLANDSCAPE_CACHE": "0"}
    code = (
        "import cartlandscape as c, pathlib, sys\n"
        f"assert pathlib.Path(c.__file__).is_relative_to({str(site)!r}), c.__file__\n"
        "r = c.registry()\n"
        "print(len(list(r.therapies)) > 0, r.lookup('CNCT19').id, r.version is not None)\n"
        "print('pint' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["True", "inaticabtagene-autoleucel", "True", "False"]
