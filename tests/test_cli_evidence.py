"""The command line on the evidence fields: graded toxicities, medians not reached, prices."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from .test_cli import _call

SAFETY = """
[[source]]
id = "safety-paper"
title = "Two products' safety report"
type = "journal-article"
published = "2024-06"

[[therapy]]
id = "alpha-safety-cel"
name = "Alpha-safety-cel"
citations = [{ source = "safety-paper", locator = "introduction" }]

[[therapy]]
id = "beta-safety-cel"
name = "Beta-safety-cel"
citations = [{ source = "safety-paper", locator = "introduction" }]

[[outcome]]
id = "alpha-crs-3-astct"
therapy = "alpha-safety-cel"
endpoint = "crs"
value = "12 percent"
n = 100
responders = 12
grading_scale = "astct-2019"
grade = ">=3"
citations = [{ source = "safety-paper", locator = "Table 3" }]

[[outcome]]
id = "alpha-crs-any-astct"
therapy = "alpha-safety-cel"
endpoint = "crs"
value = "80 percent"
n = 100
responders = 80
grading_scale = "astct-2019"
grade = "any"
citations = [{ source = "safety-paper", locator = "Table 3" }]

[[outcome]]
id = "beta-crs-3-astct"
therapy = "beta-safety-cel"
endpoint = "crs"
value = "5 percent"
n = 60
responders = 3
grading_scale = "astct-2019"
grade = ">=3"
citations = [{ source = "safety-paper", locator = "Table 4" }]

[[outcome]]
id = "beta-crs-3-lee"
therapy = "beta-safety-cel"
endpoint = "crs"
value = "10 percent"
n = 60
responders = 6
grading_scale = "lee-2014"
grade = ">=3"
citations = [{ source = "safety-paper", locator = "Table 5" }]

[[outcome]]
id = "alpha-efs"
therapy = "alpha-safety-cel"
endpoint = "median-efs"
value = "not reached month"
n = 100
citations = [{ source = "safety-paper", locator = "Figure 2" }]

[[outcome]]
id = "beta-efs"
therapy = "beta-safety-cel"
endpoint = "median-efs"
value = "8.3 month"
n = 60
citations = [{ source = "safety-paper", locator = "Figure 2" }]
"""


@pytest.fixture
def safety(tmp_path: Path) -> Path:
    path = tmp_path / "safety.toml"
    path.write_text(SAFETY, encoding="utf-8")
    return path


def test_compare_crs_by_grade_and_scale(capsys: pytest.CaptureFixture[str], safety: Path) -> None:
    """--grade and --grading-scale choose one outcome per therapy; the heading says which."""
    status, out, err = _call(
        capsys,
        "compare",
        "alpha-safety-cel",
        "beta-safety-cel",
        "--endpoint",
        "CRS",
        "--grade",
        ">=3",
        "--grading-scale",
        "ASTCT 2019",
        "--data",
        str(safety),
    )
    assert (status, err) == (0, "")
    assert out.startswith("CRS grade ≥3 (ASTCT 2019) (values in percent), compared")
    assert "alpha-crs-3-astct" in out
    assert "beta-crs-3-astct" in out
    assert "beta-crs-3-lee" not in out
    assert "Alpha-safety-cel − Beta-safety-cel: +7 percentage points" in out


def test_compare_crs_on_two_scales_is_refused(
    capsys: pytest.CaptureFixture[str], safety: Path
) -> None:
    """Without a scale, grade >=3 by Lee meets grade >=3 by ASTCT: refused, naming both."""
    status, _, err = _call(
        capsys,
        "compare",
        "alpha-safety-cel",
        "beta-safety-cel",
        "--endpoint",
        "CRS",
        "--grade",
        "≥3",
        "--data",
        str(safety),
    )
    assert status == 1
    assert "grading scales differ" in err
    assert "ASTCT 2019 (alpha-crs-3-astct)" in err
    assert "Lee 2014 (beta-crs-3-lee)" in err
    assert "--allow-mismatch" in err


def test_grade_options_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    """A grade or scale the vocabulary does not know is a usage error."""
    status, _, err = _call(capsys, "compare", "--endpoint", "CRS", "--grade", "severe")
    assert status == 2
    assert "unknown grade 'severe'" in err
    status, _, err = _call(capsys, "compare", "--endpoint", "CRS", "--grading-scale", "Lee")
    assert status == 2
    assert "unknown grading scale 'Lee'" in err


def test_rank_a_median_not_reached(capsys: pytest.CaptureFixture[str], safety: Path) -> None:
    """A median not reached is ranked after the numbers, shown as such, never subtracted."""
    status, out, _ = _call(
        capsys, "compare", "--endpoint", "median EFS", "--data", str(safety), "--format", "json"
    )
    assert status == 0
    rows = json.loads(out)["rows"]
    assert [r["outcome"]["id"] for r in rows] == ["beta-efs", "alpha-efs"]
    status, out, _ = _call(
        capsys,
        "compare",
        "alpha-safety-cel",
        "beta-safety-cel",
        "--endpoint",
        "median EFS",
        "--data",
        str(safety),
    )
    assert status == 0
    assert "not reached" in out
    assert "Differences" not in out


def test_pool_a_graded_toxicity(capsys: pytest.CaptureFixture[str], safety: Path) -> None:
    """Pooling grade >=3 CRS on one scale works; across scales it is refused."""
    status, out, err = _call(
        capsys,
        "pool",
        "--endpoint",
        "CRS",
        "--grade",
        ">=3",
        "--grading-scale",
        "astct-2019",
        "--data",
        str(safety),
        "--format",
        "json",
    )
    assert (status, err) == (0, "")
    pooled = json.loads(out)["pooled"]
    assert sorted(w["outcome"] for w in pooled["weights"]) == [
        "alpha-crs-3-astct",
        "beta-crs-3-astct",
    ]
    status, _, err = _call(
        capsys, "pool", "--endpoint", "CRS", "--grade", ">=3", "--data", str(safety)
    )
    assert status == 1
    assert "grading scales differ" in err


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="needs matplotlib")
def test_forest_plots_of_the_new_endpoints(
    capsys: pytest.CaptureFixture[str], safety: Path, tmp_path: Path
) -> None:
    """plot forest draws graded CRS and a median EFS with a row not reached."""
    crs = tmp_path / "crs.svg"
    status, _, err = _call(
        capsys,
        "plot",
        "forest",
        "--endpoint",
        "CRS",
        "--grade",
        ">=3",
        "--grading-scale",
        "astct-2019",
        "--data",
        str(safety),
        "-o",
        str(crs),
    )
    assert status == 0, err
    assert crs.read_text(encoding="utf-8").startswith("<?xml")
    efs = tmp_path / "efs.svg"
    status, _, err = _call(
        capsys, "plot", "forest", "--endpoint", "median EFS", "--data", str(safety), "-o", str(efs)
    )
    assert status == 0, err
    assert "not reached" in efs.read_text(encoding="utf-8")
