"""Pooling answers the question asked: the endpoint named, responders rounded half up."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cartlandscape.cli import main
from cartlandscape.errors import ComparisonError
from cartlandscape.pooling import pool
from cartlandscape.stats import counts

from .builders import outcome

TWO_CR = textwrap.dedent(
    """
    [[source]]
    id = "cr-report"
    title = "Two CR results"
    type = "journal-article"

    [[outcome]]
    id = "first-cr"
    therapy = "tisagenlecleucel"
    endpoint = "cr"
    value = "60 percent"
    n = 50
    responders = 30
    study = { name = "FIRST" }
    citations = [{ source = "cr-report", locator = "table 1" }]

    [[outcome]]
    id = "second-cr"
    therapy = "axicabtagene-ciloleucel"
    endpoint = "cr"
    value = "40 percent"
    n = 40
    responders = 16
    study = { name = "SECOND" }
    citations = [{ source = "cr-report", locator = "table 2" }]
    """
)


def test_pool_refuses_outcomes_of_another_endpoint_than_the_one_asked() -> None:
    """pool(endpoint="ORR") of CR outcomes is refused, naming the outcomes and endpoints."""
    found = [
        outcome("a", endpoint="cr", n=50, responders=30, value="60 percent"),
        outcome("b", therapy="b-cel", endpoint="cr", n=40, responders=16, value="40 percent"),
    ]
    with pytest.raises(ComparisonError, match=r"ORR.*a \(CR\), b \(CR\)"):
        pool(found, endpoint="ORR")
    assert pool(found, endpoint="CR").endpoint.label == "CR"


def test_pool_command_refuses_named_outcomes_of_another_endpoint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``pool --endpoint ORR --outcome <CR> --outcome <CR>`` exits 1 instead of "ORR pooled"."""
    data = tmp_path / "cr.toml"
    data.write_text(TWO_CR, encoding="utf-8")
    argv = ["pool", "--outcome", "first-cr", "--outcome", "second-cr", "--data", str(data)]
    status = main([*argv, "--endpoint", "ORR"])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert "ORR" in err
    assert "first-cr (CR)" in err
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("CR pooled")


@pytest.mark.parametrize(
    ("value", "n", "responders"),
    [("58 percent", 25, 15), ("50 percent", 25, 13), ("10 percent", 5, 1), ("30 percent", 5, 2)],
)
def test_derived_responders_are_rounded_half_up(value: str, n: int, responders: int) -> None:
    """58 % of 25 is 14.5, rounded half up to 15, as documented (not 14 by float error)."""
    found = counts(outcome("o", value=value, n=n))
    assert found.responders == responders
    assert found.derived
