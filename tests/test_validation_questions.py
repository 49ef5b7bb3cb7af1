"""Data that contradict themselves are refused, and every problem is reported at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import cartlandscape
from cartlandscape.errors import DataError, FieldError
from cartlandscape.loading import build

from .builders import outcome

SOURCE = """
[[source]]
id = "v-report"
title = "A report"
type = "journal-article"
"""


def _problems(*files: tuple[str, str]) -> list[str]:
    with pytest.raises(DataError) as caught:
        build([(name, textwrap.dedent(text).encode()) for name, text in files])
    return [str(p) for p in caught.value.problems]


def test_a_value_that_contradicts_its_counts_is_refused_naming_both_numbers() -> None:
    """50 percent with 7 of 10 responders is refused; 72 percent of 73/101 is rounding."""
    with pytest.raises(FieldError, match=r"7 of n=10.*70 percent.*50 percent"):
        outcome("o", value="50 percent", n=10, responders=7)
    assert outcome("o", value="72 percent", n=101, responders=73).responders == 73
    assert outcome("o", value="51.7 percent", n=58, responders=30).n == 58
    assert outcome("o", value="~70 percent", n=10, responders=7).n == 10
    assert outcome("o", value="81 percent", n=82, responders=66).n == 82  # rounded up
    with pytest.raises(FieldError, match=r"2 of n=3"):
        outcome("o", value="67.5 percent", n=3, responders=2)


def test_n_zero_with_a_percentage_is_refused() -> None:
    """A percentage of no patients cannot be."""
    with pytest.raises(FieldError, match="n"):
        outcome("o", value="40 percent", n=0)


def test_the_bundled_seeds_still_load() -> None:
    """The checks hold for every bundled record."""
    assert len(cartlandscape.registry().outcomes) > 0


def test_every_field_problem_of_a_record_is_reported() -> None:
    """A record with three bad fields gives three problems, not the first one only."""
    found = _problems(
        (
            "bad.toml",
            SOURCE
            + """
            [[therapy]]
            id = "x-cel"
            name = "X-cel"
            modality = "car-tt"
            inn = ""
            construct = { delivery = "by-post" }
            citations = [{ source = "v-report", locator = "p. 1" }]
            """,
        )
    )
    joined = "\n".join(found)
    assert "'modality'" in joined
    assert "'inn'" in joined
    assert "delivery" in joined


def test_reference_problems_come_with_field_problems_and_other_files() -> None:
    """A syntax error, a bad field and a dangling reference are all reported together."""
    found = _problems(
        ("broken.toml", "[[therapy]\nid = 1\n"),
        (
            "fields.toml",
            SOURCE
            + """
            [[therapy]]
            id = "y-cel"
            name = "Y-cel"
            modality = "car-tt"
            citations = [{ source = "v-report", locator = "p. 1" }]
            """,
        ),
        (
            "refs.toml",
            """
            [[outcome]]
            id = "z-orr"
            therapy = "no-such-cel"
            endpoint = "orr"
            value = "50 percent"
            citations = [{ source = "v-report", locator = "p. 2" }]
            """,
        ),
    )
    joined = "\n".join(found)
    assert "broken.toml" in joined
    assert "'modality'" in joined
    assert "no therapy has the id 'no-such-cel'" in joined


def test_a_reference_by_name_says_whose_name_it_is() -> None:
    """Referring to tisagenlecleucel as 'tisa-cel' says that it is its name, not its id."""
    with pytest.raises(DataError) as caught:
        build(
            [
                (
                    "mine.toml",
                    textwrap.dedent(
                        SOURCE
                        + """
                        [[therapy]]
                        id = "tisagenlecleucel"
                        name = "Tisagenlecleucel"
                        aliases = ["tisa-cel"]
                        citations = [{ source = "v-report", locator = "p. 1" }]

                        [[outcome]]
                        id = "t-orr"
                        therapy = "tisa-cel"
                        endpoint = "orr"
                        value = "50 percent"
                        citations = [{ source = "v-report", locator = "p. 2" }]
                        """
                    ).encode(),
                )
            ]
        )
    message = str(caught.value)
    assert "no therapy has the id 'tisa-cel'; 'tisa-cel' is a name of tisagenlecleucel" in message


@pytest.mark.parametrize("label", ["ORR", "sCR/CR", "CR/CRi", "median PFS"])
def test_endpoint_labels_are_accepted_in_data_files(label: str) -> None:
    """A data file may name an endpoint by its label, as queries do."""
    value = "5 month" if label.startswith("median") else "50 percent"
    reg, _ = build(
        [
            (
                "mine.toml",
                textwrap.dedent(
                    SOURCE
                    + f"""
                    [[outcome]]
                    id = "o"
                    institution = "i"
                    endpoint = "{label}"
                    value = "{value}"
                    citations = [{{ source = "v-report", locator = "p. 2" }}]

                    [[institution]]
                    id = "i"
                    name = "An institution"
                    type = "hospital"
                    citations = [{{ source = "v-report", locator = "p. 1" }}]
                    """
                ).encode(),
            )
        ]
    )
    assert reg.outcomes["o"].endpoint is cartlandscape.vocabulary.parse_endpoint(label)


def test_a_negative_value_says_negative_values_are_not_allowed(tmp_path: Path) -> None:
    """'-5 percent' is refused for being negative, not for its form."""
    with pytest.raises(FieldError, match="negative"):
        outcome("o", value="-5 percent")
    with pytest.raises(FieldError) as caught:
        outcome("o", value="-5 percent")
    assert "followed by a unit" not in str(caught.value)
