"""The coverage table of seeds/README.md: generated, up to date, and every gap explained."""

from __future__ import annotations

from pathlib import Path

import pytest

import cartlandscape
from cartlandscape.models import Price
from cartlandscape.tools.coverage import (
    END,
    GAPS_END,
    GAPS_START,
    START,
    cells,
    check,
    main,
    markdown,
    read_gaps,
    splice,
)

from .builders import CITE, approval, landscape, outcome, product

README = Path(__file__).resolve().parents[1] / "seeds" / "README.md"


def _gaps_of(text: str) -> str:
    return text.split(GAPS_START, 1)[1].split(GAPS_END, 1)[0]


def test_the_readme_coverage_table_is_up_to_date() -> None:
    """The generated table in seeds/README.md is what the tool writes from the bundled data."""
    text = README.read_text(encoding="utf-8")
    assert splice(text, cartlandscape.registry()) == text, (
        "run: python -m cartlandscape.tools coverage --write"
    )


def test_every_gap_of_the_bundled_data_has_a_reason() -> None:
    """No empty cell without a reason, no reason without an empty cell, no malformed line."""
    gaps, problems = read_gaps(_gaps_of(README.read_text(encoding="utf-8")))
    assert problems == []
    assert check(cartlandscape.registry(), gaps) == []


def _registry() -> cartlandscape.Registry:
    return landscape(
        product("x-cel", ("bcma",), approval("FDA", "2022-02-28"), approval("NMPA", "2024-08")),
        product("y-cel", ("bcma",), approval("NMPA", "2023-06-30")),
        product("z-cel", ("cd19",)),  # not approved: no row
        outcome("a-orr", "x-cel"),
        outcome(
            "a-crs", "x-cel", endpoint="crs", value="5 percent", grading_scale="penn", grade=">=3"
        ),
        outcome("b-pfs", "y-cel", endpoint="median-pfs", value="not reached month"),
        Price(
            id="a-us",
            therapy="x-cel",
            country="US",
            amount="465000 USD",
            date="2022-03",
            type="list",
            citations=CITE,
        ),
    )


def test_cells_count_evidence_and_date_first_approvals() -> None:
    """Outcomes are counted by kind, prices by country, approvals dated; gaps are None."""
    table = cells(_registry())
    assert list(table) == ["x-cel", "y-cel"]
    a, b = table["x-cel"], table["y-cel"]
    assert (a["efficacy"], a["safety"], a["durability"], a["price"]) == ("1", "1", None, "US")
    assert (a["FDA"], a["NMPA"], a["EC"]) == ("2022-02-28", "2024-08", None)
    assert (b["efficacy"], b["durability"], b["FDA"]) == (None, "1", None)


def test_a_gap_without_a_reason_fails_and_names_the_cell() -> None:
    """Each unexplained gap is reported by product and column."""
    gaps, _ = read_gaps("1. `*` price: none yet.\n2. `x-cel` durability: not read.")
    problems = check(_registry(), gaps)
    assert "y-cel has no efficacy and no reason says why" in problems
    assert "x-cel has no EC and no reason says why" in problems
    assert not any("price" in p for p in problems)
    assert not any("x-cel has no durability" in p for p in problems)


def test_a_named_product_wins_over_a_wildcard() -> None:
    """The table points to the product's own reason; a wildcard covers the rest."""
    gaps, _ = read_gaps("1. `*` EC: none recorded.\n2. `y-cel` EC: never filed in the EU.")
    text = markdown(_registry(), gaps)
    (a_row,) = [line for line in text.splitlines() if line.startswith("| X-Cel |")]
    (b_row,) = [line for line in text.splitlines() if line.startswith("| Y-Cel |")]
    assert "— (1)" in a_row
    assert "— (2)" in b_row
    assert "| — |" in b_row  # the efficacy gap has no reason


def test_stale_and_unknown_reasons_are_reported() -> None:
    """A reason must name an approved therapy, a column, and a cell that is still empty."""
    gaps, _ = read_gaps(
        "1. `x-cel` efficacy: not read.\n"
        "2. `z-cel` price: none.\n"
        "3. `*` PMDA: none.\n"
        "4. `*` safety: not read."
    )
    problems = check(_registry(), gaps)
    assert "reason 1 (x-cel efficacy): it explains no gap (the data now cover it)" in problems
    assert "reason 2 (z-cel price): expected the id of an approved therapy" in problems
    assert any(p.startswith("reason 3 (* PMDA): expected a column") for p in problems)
    assert "reason 4 (* safety): it explains no gap (the data now cover it)" not in problems


def test_malformed_and_misnumbered_lines_are_reported() -> None:
    """Every line is a numbered reason; the numbers run 1, 2, 3 in order."""
    gaps, problems = read_gaps("1. `x-cel` price: none.\n3. `*` EC: none.\n- `y-cel` FDA none")
    assert [g.number for g in gaps] == [1, 2]
    assert problems[0] == "expected reason number 2, found 3 ('3. `*` EC: none.')"
    assert problems[1].startswith('expected a line such as "1. `therapy-id` price: the reason"')
    assert read_gaps("1. `x-cel` Price: none.")[0][0].column == "price"
    assert read_gaps("1. `x-cel` hc: none.")[0][0].column == "HC"


def _readme(tmp_path: Path, reasons: str) -> Path:
    path = tmp_path / "README.md"
    path.write_text(
        f"# Data\n\n{START}\nold\n{END}\n\n{GAPS_START}\n{reasons}\n{GAPS_END}\n", encoding="utf-8"
    )
    return path


def test_write_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--write brings the table up to date; --check then passes if every gap has a reason."""
    reg = _registry()
    every = "\n".join(
        f"{i}. `*` {c}: none."
        for i, c in enumerate(
            (
                *("efficacy", "safety", "durability", "price", "FDA", "EC", "MHLW", "HC"),
                *("MHRA", "TGA", "SWISSMEDIC", "CDSCO"),
            ),
            1,
        )
    )
    path = _readme(tmp_path, every)
    assert main(["--check", str(path)], registry=reg) == 1
    assert "the coverage table is out of date" in capsys.readouterr().err
    assert main(["--write", str(path)], registry=reg) == 0
    assert "| X-Cel | 1 | 1 | — (3) | US | 2022-02-28 |" in path.read_text(encoding="utf-8")
    assert main(["--check", str(path)], registry=reg) == 0
    path = _readme(tmp_path, "1. `*` price: none.")
    assert main(["--write", str(path)], registry=reg) == 1
    err = capsys.readouterr().err
    assert "y-cel has no efficacy and no reason says why" in err


def test_a_readme_without_markers_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tool says which markers are missing rather than failing with a traceback."""
    path = tmp_path / "README.md"
    path.write_text("# Data\n", encoding="utf-8")
    assert main(["--check", str(path)], registry=_registry()) == 1
    assert "coverage-gaps:start" in capsys.readouterr().err


def test_the_loader_does_not_read_the_gap_list() -> None:
    """The reasons live in a README, which the loader never reads as records."""
    files = {name for name, _ in cartlandscape.loading._bundled_files()}
    assert "seeds/README.md" not in files


def test_without_check_or_write_nothing_is_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tool needs --check or --write; without either it says so and leaves the file."""
    path = _readme(tmp_path, "1. `*` price: none.")
    before = path.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main([str(path)], registry=_registry())
    assert exc.value.code == 2
    assert "one of the arguments --check --write is required" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == before
