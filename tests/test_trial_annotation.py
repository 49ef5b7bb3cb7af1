"""The annotator against hand labels: precision and recall of CAR-ness, modality and targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cartlandscape.trials.annotate import Annotator, Scores, evaluate
from cartlandscape.trials.model import Intervention, Scope

LABELS = Path(__file__).parent / "fixtures" / "trials" / "labelled_sample.json"
HELD_OUT = Path(__file__).parent / "fixtures" / "trials" / "labelled_heldout.json"
GUIDE = Path(__file__).parents[1] / "docs" / "guide" / "trials.md"


@pytest.fixture(scope="module")
def scores() -> Scores:
    return evaluate(json.loads(LABELS.read_text(encoding="utf-8"))["trials"])


def test_the_sample_is_large_and_stratified() -> None:
    trials = json.loads(LABELS.read_text(encoding="utf-8"))["trials"]
    assert len(trials) >= 150
    assert len({t["registry_id"] for t in trials}) == len(trials)
    strata = {t["stratum"] for t in trials}
    assert {"pipeline-cd19", "pipeline-bcma", "flagged", "dropped"} <= strata
    assert {t["car_based"] for t in trials} == {"yes", "no", "unclear"}


def test_target_annotation_reaches_its_bar(scores: Scores) -> None:
    assert scores.target_precision >= 0.95, scores.misses
    assert scores.target_recall >= 0.95, scores.misses


def test_car_based_and_modality_annotation(scores: Scores) -> None:
    assert scores.car_precision >= 0.95, scores.misses
    assert scores.car_recall >= 0.95, scores.misses
    assert scores.modality_accuracy >= 0.95


def _rows(scores: Scores) -> tuple[str, str]:
    """The guide's table cells for the target and CAR-based figures of *scores*."""
    found, _, missed = scores.target_counts
    right, wrong, car_missed = scores.car_counts
    targets = (
        f"| {scores.target_precision:.3f} | {scores.target_recall:.3f} | "
        f"{found} of {found + missed} labelled targets found"
    )
    car = (
        f"| {scores.car_precision:.3f} | {scores.car_recall:.3f} | {right} right, {wrong} wrong, "
        + (f"{car_missed} missed" if car_missed else "none missed")
    )
    return targets, car


@pytest.mark.parametrize("labels", [LABELS, HELD_OUT], ids=["development", "held-out"])
def test_the_published_figures_are_these(labels: Path) -> None:
    """The trial pipeline guide prints these figures; a change of the annotator updates both."""
    scores = evaluate(json.loads(labels.read_text(encoding="utf-8"))["trials"])
    guide = GUIDE.read_text(encoding="utf-8")
    for row in _rows(scores):
        assert row in guide, row
    assert f"{scores.unclear} unclear studies left out" in guide


def test_the_held_out_sample_was_not_used_for_the_rules() -> None:
    """The held-out studies are not in the development sample."""
    development = {t["registry_id"] for t in json.loads(LABELS.read_text())["trials"]}
    held_out = json.loads(HELD_OUT.read_text())["trials"]
    assert len(held_out) >= 50
    assert development.isdisjoint(t["registry_id"] for t in held_out)


def _annotate(title: str, *names: str) -> object:
    return Annotator.default().annotate_text(
        title=title, interventions=tuple(Intervention(name=n) for n in names)
    )


@pytest.mark.parametrize(
    ("title", "names", "targets"),
    [
        ("CD22 CAR-T Cells After CD19 CAR-T Failure", ("CD22 CAR-T",), ["cd22"]),
        ("IL13Rα2 CAR-T Cells Secreting Anti-PD-L1 Antibody", ("IL13Rα2 CAR-T",), ["il13ra2"]),
        ("CD123 CAR T", ("CD123CAR-CD28-CD3zeta-EGFRt-expressing T cells",), ["il3ra"]),
        ("ThisCART19 in B-ALL", ("ThisCART19 cells",), ["cd19"]),
        ("Study of LCAR-B38M in Myeloma", ("LCAR-B38M",), ["bcma"]),
        ("Claudin 18.2 CAR-T (CT041) in Gastric Cancer", ("CT041",), ["cldn18-2"]),
        ("Dual CD19/CD22 CAR-T", ("CAR-T",), ["cd19", "cd22"]),
        ("GPC3 and Mesothelin CAR-T", ("CAR-T",), ["gpc3", "msln"]),
        ("B7-H3 CAR-T in Glioma", ("B7-H3 CAR-T",), ["cd276"]),
        ("CD19-negative relapse after CD19 CAR-T: CD22 CAR-T", ("CD22 CAR-T",), ["cd22"]),
        ("Anti-CEA CAR-T Cells to Treat Colorectal Liver Metastases", ("CAR-T",), ["cea"]),
        ("EpCAM CAR-T for Advanced Solid Tumors", ("EpCAM CAR-T cells",), ["epcam"]),
        ("CS1-Targeted CAR-T Cells for Myeloma", ("UCARTCS1A",), ["slamf7"]),
        ("Autologous T Cells Expressing MET scFv CAR", ("RNA CART-cMET",), ["met"]),
        ("CART in GCC-positive Tumors", ("CAR-T targeting GCC",), ["gucy2c"]),
        ("TROP2 CAR-NK Cells in Breast Cancer", ("TROP2.CAR NK cells",), ["trop2"]),
        ("Anti-CD56-CAR-T in NK/T Cell Lymphoma", ("Anti-CD56 CAR T",), ["cd56"]),
        ("Study of ATLCAR.CD138 Cells", ("CAR138 T Cells",), ["cd138"]),
        ("Anti-Lewis Y CAR-T in Myeloma", ("LeY CAR T cells",), ["lewis-y"]),
    ],
)
def test_targets_of_typical_titles(title: str, names: tuple[str, ...], targets: list[str]) -> None:
    assert [t.target for t in _annotate(title, *names).targets] == targets  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("title", "names", "scope"),
    [
        (
            "Tocilizumab to Prevent CRS After CAR-T Cell Therapy",
            ("Tocilizumab",),
            Scope.SUPPORTIVE_CARE,
        ),
        (
            "Talquetamab in Myeloma After BCMA CAR T-cell Therapy",
            ("Talquetamab",),
            Scope.BISPECIFIC_ANTIBODY,
        ),
        ("PET Imaging of CAR-T Cells", ("18F tracer",), Scope.IMAGING),
        ("Long-term Follow-up of CAR-T Recipients", ("No intervention",), Scope.OBSERVATIONAL),
        ("Lenalidomide Maintenance After CAR-T", ("Lenalidomide",), Scope.OTHER_TREATMENT),
        (
            "Cilta-cel Versus Daratumumab and Dexamethasone",
            ("Ciltacabtagene autoleucel", "Dexamethasone"),
            Scope.PIPELINE,
        ),
        ("Anti-CD19 CAR-T Cells for Lupus", ("ICG318",), Scope.PIPELINE),
    ],
)
def test_scope_of_typical_titles(title: str, names: tuple[str, ...], scope: Scope) -> None:
    found = _annotate(title, *names)
    assert found.scope.scope is scope  # type: ignore[attr-defined]


def test_every_annotation_carries_its_evidence() -> None:
    found = _annotate("KTE-X19 in Mantle Cell Lymphoma", "KTE-X19")
    (product,) = found.products  # type: ignore[attr-defined]
    assert product.therapy == "brexucabtagene-autoleucel"
    assert {(e.field, e.text) for e in product.evidence} == {
        ("title", "KTE-X19"),
        ("interventions[0].name", "KTE-X19"),
    }
    assert product.confidence.value == "high"
    (indication,) = found.indications  # type: ignore[attr-defined]
    assert indication.indication == "mantle-cell-lymphoma"
    assert indication.confidence.value == "medium"


def test_a_tcr_t_study_is_not_car_based() -> None:
    found = _annotate("E7 TCR-T Cell Immunotherapy for HPV Cancers", "E7 TCR-T cells")
    assert found.modality.modality.value == "tcr-t"
    assert found.scope is None
    assert not found.car_based  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("title", "names", "targets"),
    [
        # an upper-case title: "METASTATIC" is not the MET receptor
        ("CEA CAR-T FOR METASTATIC COLORECTAL CANCER", ("CAR-T",), ["cea"]),
        ("Mesothelin CAR-T in Metastatic Mesothelioma", ("CAR-T",), ["msln"]),
        # CM-CS1 is an NKG2D CAR product, not a CS1 (SLAMF7) CAR
        ("CAR T Cells Targeting NKG2D-Ligands", ("CM-CS1 T-cell infusion",), ["nkg2d-ligands"]),
        # CD56 as a marker of the NK cells that carry the CAR, not its antigen
        ("CD19 CAR-NK Cells", ("CD19 CAR-transduced CD56+ NK cells",), ["cd19"]),
        ("CD19 CAR-NK Cells", ("CD3-CD56bright NK cells with a CD19 CAR",), ["cd19"]),
        # "ocean", "cease", "placebo": no CEA, no ALPP inside longer words
        ("CD19 CAR-T Given at Sea (OCEAN-1)", ("CD19 CAR-T", "Placebo"), ["cd19"]),
        # "CD10+" or "CD100" is not the CD10 antigen; "CD6" is not inside "CD60" or "CD61"
        ("CD19 CAR-T in CD10+ B-ALL", ("CD19 CAR-T",), ["cd19"]),
        ("CD19 CAR-T With CD61 Monitoring", ("CD19 CAR-T",), ["cd19"]),
        # VEGFR2 is not EGFR; a truncated CD19 (CD19t) is a marker of the cells, not a target
        ("CAR T Cells Targeting VEGFR2", ("Anti-VEGFR2 CAR CD8 plus PBL",), []),
        ("PSCA-CAR T Cells", ("Anti-PSCA-CAR-4-1BB/TCRzeta-CD19t-expressing T cells",), ["psca"]),
    ],
)
def test_new_aliases_do_not_match_other_words(
    title: str, names: tuple[str, ...], targets: list[str]
) -> None:
    assert [t.target for t in _annotate(title, *names).targets] == targets  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("title", "names", "targets"),
    [
        ("BAFF CAR-T Cells (LMY-920) for Lymphoma", ("BAFF CAR-T",), ["baff-receptors"]),
        ("LMY-920 for Myeloma", ("CAR-T cells expressing the BAFF-ligand",), ["baff-receptors"]),
        ("BAFFR-targeting CAR T Cells for B-NHL", ("BAFFR-CAR T cells",), ["baff-r"]),
        ("BAFF-R CAR-T for B-Cell Lymphoma", ("BAFF-R CAR-T cells",), ["baff-r"]),
        ("B-Cell Activating Factor Receptor (BAFFR)-Based CAR T-Cells", ("CAR T",), ["baff-r"]),
        ("CD19/BAFF-R CAR-T", ("CD19/BAFF-R CAR-T",), ["cd19", "baff-r"]),
    ],
)
def test_a_baff_ligand_car_is_told_from_a_baff_r_car(
    title: str, names: tuple[str, ...], targets: list[str]
) -> None:
    """A CAR built on the BAFF ligand binds its receptors; an anti-BAFF-R CAR binds one."""
    assert [t.target for t in _annotate(title, *names).targets] == targets  # type: ignore[attr-defined]


def test_an_other_label_counts_as_the_target_now_recorded() -> None:
    """Labels written before a target record existed are resolved by name, not rewritten."""
    trial = {
        "registry_id": "NCT00000001",
        "title": "Anti-MUC1 CAR-T Cells",
        "interventions": [{"name": "anti-MUC1 CAR-T cells", "type": "BIOLOGICAL"}],
        "car_based": "yes",
        "modality": "car-t",
    }
    found = evaluate([{**trial, "targets": ["other:muc1"]}])
    assert found.target_counts == (1, 0, 0)
    unknown = evaluate([{**trial, "targets": ["muc1", "other:no-such-antigen"]}])
    assert unknown.target_counts == (1, 0, 1)
    assert "NCT00000001: target other:no-such-antigen missed" in unknown.misses
