"""One report per study: identity by registry id or name, a documented choice, true notes."""

from __future__ import annotations

import attrs
import pytest

import cartlandscape
from cartlandscape import Source, Study
from cartlandscape.cli import main
from cartlandscape.compare import compare, rank
from cartlandscape.models import Citation
from cartlandscape.studies import one_per_study, study_key

from .builders import landscape, outcome

ZUMA = Study(name="ZUMA-1", registry_id="NCT02348216")


def _reports(*names: str) -> list[cartlandscape.Outcome]:
    """Four ZUMA-1 reports with equal n; only the follow-up tells them apart."""
    follow_ups = ["7.9 month", "15.1 month", "8.7 month", "63.1 month"]
    return [
        outcome(name, n=101, value=f"{70 + i} percent", follow_up=f, study=ZUMA, indication="mm")
        for i, (name, f) in enumerate(zip(names, follow_ups, strict=True))
    ]


def test_the_choice_does_not_depend_on_how_ids_are_spelt() -> None:
    """Renaming the reports never changes which one is kept."""
    first = _reports("label", "hcp", "paper", "five-year")
    second = _reports("z-label", "a-hcp", "m-paper", "b-five-year")
    kept_first, _ = one_per_study(first)
    kept_second, _ = one_per_study(second)
    assert [o.value for o in kept_first] == [o.value for o in kept_second]
    assert [o.id for o in kept_first] == ["five-year"]
    assert [o.id for o in one_per_study(reversed(first))[0]] == ["five-year"]


def test_notes_give_the_actual_reason_never_a_larger_n_that_is_equal() -> None:
    """With equal n the note names the later data cut, with both values."""
    _, notes = one_per_study(_reports("label", "hcp", "paper", "five-year"))
    assert len(notes) == 3
    assert all("larger n" not in note for note in notes)
    assert notes[0] == (
        "outcome 'label' reports the same study as 'five-year' (NCT02348216); kept 'five-year' "
        "for its later data cut (median follow-up 63.1 month against median follow-up 7.9 month)"
    )


def test_the_rule_in_order_data_cut_then_n_then_tier_then_first_given() -> None:
    """A recorded data cut decides first; then n; then the source tier; then the order given."""
    base = outcome("a", n=50, responders=25, study=ZUMA)
    cut = cartlandscape.PartialDate
    later = attrs.evolve(base, id="b", data_cut=cut(2020, 1), n=40, responders=20)
    earlier = attrs.evolve(base, id="c", data_cut=cut(2018, 1), n=60, responders=30)
    assert [o.id for o in one_per_study([earlier, later])[0]] == ["b"]
    bigger = attrs.evolve(base, id="d", n=60, responders=30)
    kept, notes = one_per_study([base, bigger])
    assert [o.id for o in kept] == ["d"]
    assert "for its larger n (n = 60 against n = 50)" in notes[0]
    label = (Citation(source="label", locator="section 14"),)
    reg = landscape(Source(id="label", title="A label", type="label"))
    regulator = attrs.evolve(base, id="e", citations=label)
    kept, notes = one_per_study([base, regulator], reg)
    assert [o.id for o in kept] == ["e"]
    assert "higher tier of its sources (regulator against secondary)" in notes[0]
    twin = attrs.evolve(base, id="aa")
    kept, notes = one_per_study([base, twin])
    assert [o.id for o in kept] == ["a"]
    assert "as the first given" in notes[0]


def test_a_study_is_its_registry_id_else_its_normalized_name() -> None:
    """Names differ but the registry id is one: one study; without ids the names decide."""
    a = outcome("a", n=10, responders=5, study=Study(name="ELIANA", registry_id="NCT02435849"))
    b = outcome(
        "b", n=10, responders=5, study=Study(name="ELIANA (B2202)", registry_id="NCT02435849")
    )
    assert study_key(a) == study_key(b)
    c = outcome("c", n=10, responders=5, study=Study(name="Reliance 1"))
    d = outcome("d", n=10, responders=5, study=Study(name="RELIANCE-1"))
    assert study_key(c) == study_key(d)
    other_cohort = attrs.evolve(a, id="e", indication="mm")
    assert study_key(other_cohort) != study_key(a)


def test_compare_and_rank_offer_one_report_per_study() -> None:
    """compare(one_per_study=True) compares therapies, not two cuts of one study."""
    reports = _reports("label", "hcp", "paper", "five-year")
    other = outcome(
        "b-orr",
        therapy="b-cel",
        n=50,
        responders=40,
        value="80 percent",
        indication="mm",
        study=Study(name="OTHER-1"),
    )
    reg = landscape(*reports, other)
    c = compare(reg, ["a-cel", "b-cel"], endpoint="orr", one_per_study=True)
    assert [r.id for r in c.rows] == ["five-year", "b-orr"]
    assert len(c.left_out) == 3
    t = rank(reg, endpoint="orr", one_per_study=True)
    assert {r.id for r in t.rows} == {"five-year", "b-orr"}


@pytest.mark.parametrize("command", [["compare"], ["plot", "forest"]])
def test_the_commands_take_one_per_study(command: list[str], tmp_path: object) -> None:
    """compare and plot forest accept --one-per-study."""
    from cartlandscape.cli._parser import build_parser

    args = build_parser().parse_args(
        [*command, "axi-cel", "liso-cel", "--endpoint", "ORR", "--one-per-study", "-o", "x.svg"]
        if command[0] == "plot"
        else [*command, "axi-cel", "liso-cel", "--endpoint", "ORR", "--one-per-study"]
    )
    assert args.one_per_study


def test_compare_command_keeps_one_report_per_study(capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled ZUMA-1 and TRANSCEND reports give one row each, with the reason listed."""
    status = main(
        [
            "compare",
            "axi-cel",
            "liso-cel",
            "--endpoint",
            "CR",
            "--indication",
            "LBCL",
            "--one-per-study",
            "--allow-mismatch",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    table = out.split("\n\n")[0]
    assert sum(line.startswith("  Axicabtagene ciloleucel") for line in table.splitlines()) == 1
    assert "Left out" in out
    assert "larger n (n = 101 against n = 101)" not in out
