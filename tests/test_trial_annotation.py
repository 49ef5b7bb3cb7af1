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
