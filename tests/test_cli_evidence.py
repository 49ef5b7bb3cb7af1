"""The command line on the evidence fields: graded toxicities, medians not reached, prices."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from .builders import run_cli as _call

SAFETY = """
[[source]]
id = "safety-paper"
title = "Two products' safety report"
type = "journal-article"
published = "2024-06"

[[indication]]
id = "safety-test-lymphoma"
name = "Safety test lymphoma"
category = "hematologic-malignancy"
citations = [{ source = "safety-paper", locator = "introduction" }]

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
indication = "safety-test-lymphoma"
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
indication = "safety-test-lymphoma"
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
indication = "safety-test-lymphoma"
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
indication = "safety-test-lymphoma"
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
indication = "safety-test-lymphoma"
endpoint = "median-efs"
value = "not reached month"
n = 100
citations = [{ source = "safety-paper", locator = "Figure 2" }]

[[outcome]]
id = "beta-efs"
therapy = "beta-safety-cel"
indication = "safety-test-lymphoma"
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
        capsys,
        "compare",
        "--endpoint",
        "median EFS",
        "--indication",
        "safety-test-lymphoma",
        "--data",
        str(safety),
        "--format",
        "json",
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
        "--indication",
        "safety-test-lymphoma",
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
        capsys,
        "pool",
        "--endpoint",
        "CRS",
        "--indication",
        "safety-test-lymphoma",
        "--grade",
        ">=3",
        "--data",
        str(safety),
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
        "--indication",
        "safety-test-lymphoma",
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
        capsys,
        "plot",
        "forest",
        "--endpoint",
        "median EFS",
        "--indication",
        "safety-test-lymphoma",
        "--data",
        str(safety),
        "-o",
        str(efs),
    )
    assert status == 0, err
    assert "not reached" in efs.read_text(encoding="utf-8")


PRODUCT = """[[source]]
id = "p-notice"
title = "A notice"
type = "regulator-notice"
published = "2024-06"

[[source]]
id = "p-blog"
title = "A blog"
type = "website"
tier = "weak"
published = "2024-06"

[[therapy]]
id = "zeta-cel"
name = "Zeta-cel"
citations = [{ source = "p-notice", locator = "p1" }]

[[therapy.milestones]]
agency = "FDA"
type = "approval"
date = "2024-05-01"
citations = [{ source = "p-notice", locator = "p1" }]

[[therapy.milestones.disagreements]]
field = "date"
value = "2024-05-02"
reason = "The blog gives the day after the notice."
citations = [{ source = "p-blog", locator = "p2" }]

[[outcome]]
id = "zeta-crs-3"
therapy = "zeta-cel"
endpoint = "crs"
value = "13 percent"
n = 101
responders = 13
grading_scale = "lee-2014"
grade = ">=3"
analysis_set = "infused"
citations = [{ source = "p-notice", locator = "t3" }]

[[outcome]]
id = "zeta-orr"
therapy = "zeta-cel"
endpoint = "orr"
value = "80 percent"
n = 101
citations = [{ source = "p-notice", locator = "t2" }]

[[outcome]]
id = "zeta-efs"
therapy = "zeta-cel"
endpoint = "median-efs"
value = "not reached month"
comparator = "standard of care"
comparator_value = "2 month"
comparator_n = 179
hazard_ratio = { estimate = 0.398, low = 0.308, high = 0.514, p = "<0.001" }
citations = [{ source = "p-notice", locator = "f2" }]

[[outcome.disagreements]]
field = "value"
value = "41.5 month"
reason = "A later data cut."
citations = [{ source = "p-blog", locator = "p3" }]

[[price]]
id = "zeta-us"
therapy = "zeta-cel"
country = "US"
amount = "373000 USD"
date = "2024-05"
type = "list"
launch = true
citations = [{ source = "p-notice", locator = "p4" }]

[[outcome]]
id = "zeta-crs-any"
therapy = "zeta-cel"
endpoint = "crs"
value = "93 percent"
n = 101
grading_scale = "lee-2014"
grade = "any"
citations = [{ source = "p-notice", locator = "t3" }]

[[outcome]]
id = "zeta-icans-3"
therapy = "zeta-cel"
endpoint = "icans"
value = "28 percent"
n = 97
grading_scale = "astct-2019"
grade = ">=3"
citations = [{ source = "p-notice", locator = "t3" }]
"""


@pytest.fixture
def product(tmp_path: Path) -> Path:
    path = tmp_path / "product.toml"
    path.write_text(PRODUCT, encoding="utf-8")
    return path


def _section(out: str, title: str) -> str:
    return out.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0]


def test_show_a_therapy_lists_safety_durability_prices_and_disagreements(
    capsys: pytest.CaptureFixture[str], product: Path
) -> None:
    """Each kind of evidence has its section; a milestone shows one date; others are explained."""
    status, out, _ = _call(capsys, "show", "zeta-cel", "--data", str(product))
    assert status == 0
    milestones = _section(out, "Milestones")
    assert "2024-05-01" in milestones
    assert "2024-05-02" not in milestones
    assert "80 percent" in _section(out, "Efficacy")
    safety = _section(out, "Safety")
    assert "grade ≥3, Lee 2014" in safety
    assert "any grade, Lee 2014" in safety
    assert "grade ≥3, ASTCT 2019" in safety
    assert "infused" in safety
    assert "101" in safety
    durability = _section(out, "Durability")
    assert "not reached" in durability
    assert "HR 0.398 (95% CI 0.308–0.514), p<0.001" in durability
    assert "2 month, n=179" in durability
    assert "standard of care" in durability
    prices = _section(out, "Prices (as stated, never converted)")
    assert "373000 USD" in prices
    assert "list" in prices
    disagreements = _section(
        out, "Disagreements (other values sources give, and why they are not kept)"
    )
    assert "FDA approval" in disagreements
    assert "2024-05-02" in disagreements
    assert "The blog gives the day after the notice." in disagreements
    assert "41.5 month" in disagreements
    assert "A later data cut." in disagreements
    citations = out.split("\nCitations\n")[1]
    assert "A blog (2024-06) — p2" in citations


def test_show_a_source_states_its_tier(capsys: pytest.CaptureFixture[str], product: Path) -> None:
    """A source's own tier is shown; without one, the tier of its type, saying so."""
    _, out, _ = _call(capsys, "show", "p-notice", "--data", str(product))
    assert "tier       regulator (from its type)" in out
    _, out, _ = _call(capsys, "show", "p-blog", "--data", str(product))
    assert "tier       weak\n" in out


def test_summary_has_key_safety_and_one_date_per_approval(
    capsys: pytest.CaptureFixture[str], product: Path
) -> None:
    """The key safety table gives grades with their scale and n; approvals have one date."""
    status, out, _ = _call(capsys, "summary", "--data", str(product))
    assert status == 0
    safety = _section(out, "Key safety of approved products (percent of patients, as reported)")
    assert "any 93, ≥3 13 (Lee 2014, n=101)" in safety
    assert "≥3 28 (ASTCT 2019, n=97)" in safety
    approvals = _section(out, "Approved products (first approval per agency)")
    (line,) = [row for row in approvals.splitlines() if "Zeta-cel" in row]
    assert "2024-05-01" in line
    assert "2024-05-02" not in out
    status, out, _ = _call(capsys, "summary", "--data", str(product), "--format", "json")
    document = json.loads(out)
    rows = [r for r in document["key_safety"] if r["therapy"] == "zeta-cel"]
    assert [(r["endpoint"], r["grade"], r["grading_scale"], r["n"]) for r in rows] == [
        ("crs", "any", "lee-2014", 101),
        ("crs", ">=3", "lee-2014", 101),
        ("icans", ">=3", "astct-2019", 97),
    ]
