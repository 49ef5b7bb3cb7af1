"""One renderer per result: the command line prints the library's text, nothing of its own."""

from __future__ import annotations

import pytest

from cartlandscape import Outcome, Registry
from cartlandscape.compare import compare, rank
from cartlandscape.formatting import format_comparison, format_pooled, format_subgroups
from cartlandscape.pooling import leave_one_out, pool, subgroups
from cartlandscape.studies import one_per_study
from cartlandscape.summary import format_summary, summarize

from .builders import run_cli


def _myeloma_orr(reg: Registry) -> list[Outcome]:
    found = [o for o in reg.outcomes_for(endpoint="orr", indication="multiple myeloma") if o.n]
    return list(one_per_study(found, reg)[0])


def test_compare_prints_the_comparisons_own_text(
    capsys: pytest.CaptureFixture[str], bundled: Registry
) -> None:
    status, out, _ = run_cli(capsys, "compare", "cilta-cel", "ide-cel", "--endpoint", "ORR")
    assert status == 0
    result = compare(bundled, ["cilta-cel", "ide-cel"], endpoint="ORR")
    assert out == result.format(bundled) + "\n"
    assert out == format_comparison(result, bundled) + "\n"
    assert out.startswith("ORR (values in percent), compared\n")
    assert "\nCitations\n  [1] " in out  # sources by title, from the registry


def test_rank_prints_the_rankings_own_text(
    capsys: pytest.CaptureFixture[str], bundled: Registry
) -> None:
    argv = ["compare", "--endpoint", "ORR", "--indication", "multiple myeloma", "--allow-mismatch"]
    status, out, _ = run_cli(capsys, *argv)
    assert status == 0
    result = rank(bundled, endpoint="ORR", indication="multiple myeloma", allow_mismatch=True)
    assert out == result.format(bundled) + "\n"
    assert out.startswith("ORR in Multiple myeloma (values in percent), ranked\n")


def test_without_a_registry_a_comparison_is_one_line_per_row(bundled: Registry) -> None:
    result = compare(bundled, ["cilta-cel", "ide-cel"], endpoint="ORR")
    text = str(result)
    assert text == result.format() == format_comparison(result)
    assert len(text.splitlines()[1:]) >= len(result.rows)
    assert "Citations" not in text


def test_pool_prints_the_pooled_estimates_own_text(
    capsys: pytest.CaptureFixture[str], bundled: Registry
) -> None:
    argv = ["pool", "--endpoint", "ORR", "--indication", "multiple myeloma", "--one-per-study"]
    status, out, _ = run_cli(capsys, *argv, "--leave-one-out")
    assert status == 0
    assert out.startswith("ORR pooled: ")
    found = _myeloma_orr(bundled)
    result = pool(found, endpoint="ORR")
    text = format_pooled(result, bundled, sensitivity=leave_one_out(found, endpoint="ORR"))
    # The command line adds only the notes on the outcomes it left out.
    assert out.startswith(text.split("\nLeaving one out")[0].split("\n\nCitations")[0])
    assert "\nLeaving one out\n" in out
    assert "\nLeaving one out\n" in text


def test_pool_by_prints_the_subgroup_analysis_text(
    capsys: pytest.CaptureFixture[str], bundled: Registry
) -> None:
    argv = ["pool", "--endpoint", "ORR", "--indication", "multiple myeloma", "--one-per-study"]
    status, out, _ = run_cli(capsys, *argv, "--by", "therapy")
    assert status == 0
    found = _myeloma_orr(bundled)
    names = {t.id: t.name for t in bundled.therapies}
    analysis = subgroups(found, lambda o: names[o.therapy or ""], by="therapy", endpoint="ORR")
    assert out.startswith(format_subgroups(analysis))


def test_summary_prints_the_summarys_own_tables(
    capsys: pytest.CaptureFixture[str], bundled: Registry
) -> None:
    status, out, _ = run_cli(capsys, "summary")
    assert status == 0
    assert out == format_summary(summarize(bundled), bundled, everything=False) + "\n"
    assert "Key safety of approved products" in out
