from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.mark.slow
def test_benchmark_runs_at_a_tiny_size() -> None:
    """The benchmark script runs end to end and prints a ratio for every measurement."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--size", "300", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    for name in ("cold start", "import cartlandscape", "alias lookup", "load 300 outcomes"):
        assert name in done.stdout
    assert done.stdout.count("ratio") >= 5
    assert "the summary read the trial snapshot: no" in done.stdout
