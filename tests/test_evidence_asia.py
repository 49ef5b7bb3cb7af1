"""The safety and durability gaps of the products approved only in China or India.

No cytokine release syndrome, neurotoxicity or survival figure of the pivotal trials of
inaticabtagene autoleucel, pCAR-19B, zevorcabtagene autoleucel, satricabtagene autoleucel,
actalycabtagene autoleucel (NexCAR19) or varnimcabtagene autoleucel (Qartemi) could be confirmed
in a source that could be read.  These checks keep what the data's README says about them true:
every such gap that the data still show carries a reason of its own that names the source
searched, the README section lists each product with the leads found, and the one naming
question left open (whether talicabtagene autoleucel is NexCAR19) is not settled silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cartlandscape import Registry
from cartlandscape.tools.coverage import GAPS_END, GAPS_START, cells, read_gaps

README = Path(__file__).resolve().parents[1] / "seeds" / "README.md"
SECTION = "### Safety and durability of the products approved in China and India"
NOT_TIED = "No published source read states that talicabtagene"

#: (therapy id, coverage column, text the gap's own reason must contain: the source searched).
GAPS = [
    ("inaticabtagene-autoleucel", "safety", "PubMed 39626300"),
    ("pcar-19b", "safety", "abstract 4205"),
    ("pcar-19b", "durability", "NCT05334823"),
    ("zevorcabtagene-autoleucel", "safety", "doi:10.1186/s40164-025-00710-y"),
    ("zevorcabtagene-autoleucel", "durability", "LUMMICAR STUDY 1"),
    ("satricabtagene-autoleucel", "safety", "PubMed 40460847"),
    ("actalycabtagene-autoleucel", "efficacy", "talicabtagene autoleucel"),
    ("actalycabtagene-autoleucel", "safety", "PubMed 40090352"),
    ("actalycabtagene-autoleucel", "durability", "talicabtagene autoleucel"),
    ("varnimcabtagene-autoleucel", "efficacy", "doi:10.1182/blood-2023-181120"),
    ("varnimcabtagene-autoleucel", "safety", "doi:10.1182/blood-2023-181585"),
    ("varnimcabtagene-autoleucel", "durability", "IMAGINE"),
]

#: Per product: its name as the section writes it, and the identifiers of the leads it lists.
LEADS = {
    "inaticabtagene-autoleucel": ("Inaticabtagene autoleucel", ("39626300", "NCT04684147")),
    "pcar-19b": ("pCAR-19B", ("4205", "NCT05334823", "NCT04888442")),
    "zevorcabtagene-autoleucel": (
        "Zevorcabtagene autoleucel",
        ("LUMMICAR STUDY 1", "10.1186/s40164-025-00710-y"),
    ),
    "satricabtagene-autoleucel": ("Satricabtagene autoleucel", ("CT041-ST-01", "40460847")),
    "actalycabtagene-autoleucel": (
        "Actalycabtagene autoleucel (NexCAR19)",
        ("40090352", "10.1016/S2352-3026(24)00377-6", "40274761"),
    ),
    "varnimcabtagene-autoleucel": (
        "Varnimcabtagene autoleucel (Qartemi)",
        ("IMAGINE", "10.1182/blood-2023-181120", "10.1182/blood-2023-181585"),
    ),
}


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _section() -> str:
    """The README's section on these products, up to the next heading."""
    text = _readme()
    assert SECTION in text, f"seeds/README.md has no section {SECTION!r}"
    body = text.split(SECTION, 1)[1]
    return body.split("\n#", 1)[0]


@pytest.mark.parametrize(("therapy", "column", "searched"), GAPS)
def test_each_remaining_gap_has_its_own_reason_naming_the_source_searched(
    bundled: Registry, therapy: str, column: str, searched: str
) -> None:
    """A gap the data still show is explained for that product, not by a general line."""
    row = cells(bundled)[therapy]
    gaps, problems = read_gaps(_readme().split(GAPS_START, 1)[1].split(GAPS_END, 1)[0])
    assert problems == []
    own = [g for g in gaps if g.product == therapy and g.column == column]
    if row[column] is not None:  # the data now cover the cell: no reason may remain for it
        assert own == [], f"{therapy} {column} is covered, but reason {own[0].number} remains"
        return
    assert len(own) == 1, f"{therapy} {column}: expected one reason of its own, found {len(own)}"
    assert searched in own[0].reason


def test_every_product_of_the_gaps_is_an_approved_therapy(bundled: Registry) -> None:
    """The ids the gaps and the README section speak of are approved therapies in the data."""
    approved = {t.id for t in bundled.therapies if t.is_approved}
    assert {therapy for therapy, _, _ in GAPS} == set(LEADS)
    assert set(LEADS) <= approved


@pytest.mark.parametrize("therapy", sorted(LEADS))
def test_the_readme_section_lists_each_product_with_its_leads(therapy: str) -> None:
    """Each product has a bullet naming the papers, abstracts and trials that were searched."""
    name, identifiers = LEADS[therapy]
    section = _section()
    assert f"- **{name}**" in section
    bullet = section.split(f"- **{name}**", 1)[1].split("\n- **", 1)[0]
    for identifier in identifiers:
        assert identifier in bullet, f"{name}: {identifier} missing from its README bullet"


def test_the_other_sections_point_to_this_one_for_the_indian_products() -> None:
    """The CD19 section no longer says that no figure of NexCAR19 or Qartemi was looked up."""
    text = _readme()
    assert "no CRS or survival figures were looked up" not in text
    assert "see *Safety and durability of the products approved in China and India*" in text


def test_talicabtagene_is_not_tied_to_nexcar19_while_the_readme_says_no_source_does(
    bundled: Registry,
) -> None:
    """The record of NexCAR19 takes the name talicabtagene only with the README updated."""
    therapy = bundled.therapies["actalycabtagene-autoleucel"]
    names = [therapy.name, therapy.inn or "", *therapy.aliases, *therapy.codes, *therapy.brands]
    tied = any("talicabtagene" in name.casefold() for name in names)
    assert not (tied and NOT_TIED in _section()), (
        "actalycabtagene-autoleucel is named talicabtagene autoleucel, but the README still "
        "says that no published source read ties the two names"
    )
    if not tied:
        outcomes = bundled.outcomes_for(therapy=therapy)
        assert not [o.id for o in outcomes if o.study and "talicabtagene" in o.study.name.lower()]
