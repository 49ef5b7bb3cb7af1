"""Every figure of the five documents the data started from is found by a query on its entity.

Each case names the document, a snippet of its text that states the figure, the query on the
entity the figure is about, the value text expected and the record holding it.  Where the
documents are at hand (``../shared/seeds`` beside the repository), the snippet is checked too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cartlandscape import Registry

SHARED = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def outcome(reg: Registry, **kw: Any) -> list[tuple[Any, ...]]:
    return [(o.id, o.value, o.comparator_value, o.timepoint) for o in reg.outcomes_for(**kw)]


def stmt(reg: Registry, subject: str, **kw: Any) -> list[tuple[Any, ...]]:
    return [(s.id, s.value) for s in reg.statements_for(subject, **kw)]


# (document, text stating the figure, query, expected value text, record id)
CHECKS: list[tuple[str, str, Callable[[Registry], list[tuple[Any, ...]]], str, str]] = [
    (
        "000",
        "92%",
        lambda reg: outcome(
            reg, institution="fahzu", indication="acute-lymphoblastic-leukemia", endpoint="cr"
        ),
        "92 percent",
        "fahzu-all-cr",
    ),
    (
        "000",
        "87.5%",
        lambda reg: outcome(
            reg, institution="fahzu", indication="non-hodgkin-lymphoma", endpoint="cr"
        ),
        "87.5 percent",
        "fahzu-nhl-cr",
    ),
    (
        "000",
        "70.3%",
        lambda reg: outcome(reg, institution="fahzu", indication="multiple-myeloma", endpoint="cr"),
        "70.3 percent",
        "fahzu-mm-cr",
    ),
    (
        "001",
        "79–89%",
        lambda reg: outcome(
            reg, indication="b-cell-malignancy", endpoint="orr", therapy="china-domestic-car-t"
        ),
        "79 to 89 percent",
        "china-car-t-b-cell-orr",
    ),
    (
        "001",
        "64% 12-month",
        lambda reg: outcome(reg, indication="multiple-myeloma", endpoint="pfs-rate"),
        "64 percent",
        "china-car-t-mm-pfs-12m",
    ),
    (
        "001",
        "from 40 to 65%",
        lambda reg: outcome(reg, indication="lung-cancer", endpoint="tumor-regression"),
        "65 percent",
        "huangqin-car-t-lung-tumor-regression",
    ),
    (
        "001",
        "from 40 to 65%",
        lambda reg: [(i, c) for i, _, c, _ in outcome(reg, therapy="car-t-with-huangqin")],
        "40 percent",
        "huangqin-car-t-lung-tumor-regression",
    ),
    (
        "001",
        "by 50%",
        lambda reg: stmt(reg, "china-1-3-n-payment-system", type="effect"),
        "50 percent",
        "china-1-3-n-payment-patient-cost-reduction",
    ),
    (
        "001",
        "by 50%",
        lambda reg: stmt(reg, "china-regional-car-t-insurance-pilots", type="effect"),
        "50 percent",
        "china-insurance-pilots-patient-cost-reduction",
    ),
    (
        "002",
        "October 28",
        lambda reg: [
            (t.id, m.description)
            for t, m in reg.milestones_for(
                indication="systemic-lupus-erythematosus", type="ind-clearance"
            )
            if "imunopharm" in t.developers
        ],
        "October 28",
        "imunopharm-sle-car-t",
    ),
    (
        "002",
        "October 12",
        lambda reg: [
            (t.id, m.description)
            for t, m in reg.milestones_for(
                indication="metastatic-colorectal-cancer", type="ind-clearance"
            )
            if "imunopharm" in t.developers
        ],
        "October 12",
        "imunopharm-mcrc-car-t",
    ),
    (
        "002",
        "Approximately 1 million",
        lambda reg: stmt(reg, "systemic-lupus-erythematosus"),
        "~1000000 person",
        "sle-patients-china",
    ),
    (
        "002",
        "seventh",
        lambda reg: stmt(reg, "imunopharm"),
        "7 approval",
        "imunopharm-car-t-clinical-approvals",
    ),
    (
        "002",
        "first approval to use",
        lambda reg: stmt(reg, "imunopharm"),
        "1 approval",
        "imunopharm-autoimmune-car-t-clinical-approvals",
    ),
    (
        "002",
        "third approval",
        lambda reg: stmt(reg, "imunopharm"),
        "3 approval",
        "imunopharm-solid-tumor-car-t-clinical-approvals",
    ),
    (
        "002",
        "more than 300 patients",
        lambda reg: stmt(reg, "imunopharm"),
        ">300 patient",
        "imunopharm-patients-treated",
    ),
    (
        "002",
        "8 Investigational New Drug",
        lambda reg: stmt(reg, "cygenta"),
        "8 application",
        "cygenta-ind-applications-supported",
    ),
    (
        "002",
        "more than 80 analytical",
        lambda reg: stmt(reg, "cygenta"),
        ">80 method",
        "cygenta-analytical-methods",
    ),
    (
        "002",
        "2025-01-14",
        lambda reg: [
            (s.id, str(s.published)) for s in [reg.sources["beijing-gene-technologies-2025"]]
        ],
        "2025-01-14",
        "beijing-gene-technologies-2025",
    ),
    (
        "003",
        "August 15 to 29, 2025",
        lambda reg: [
            (e.id, str(e.period)) for e in [reg.events["ihcams-cell-therapy-workshop-2025"]]
        ],
        "2025-08-15 to 2025-08-29",
        "ihcams-cell-therapy-workshop-2025",
    ),
    (
        "003",
        "recruited 20",
        lambda reg: stmt(reg, "ihcams-cell-therapy-workshop-2025"),
        "20 person",
        "ihcams-workshop-2025-trainees",
    ),
    (
        "003",
        "Indonesia, and Egypt",
        lambda reg: stmt(reg, "ihcams-cell-therapy-workshop-2025"),
        "6 country",
        "ihcams-workshop-2025-trainee-countries",
    ),
    (
        "003",
        "two-week",
        lambda reg: stmt(reg, "ihcams-cell-therapy-workshop-2025"),
        "2 week",
        "ihcams-workshop-2025-duration",
    ),
    (
        "003",
        "on August 29",
        lambda reg: [
            (e.id, str(e.period))
            for e in [reg.events["ihcams-international-medical-center-inauguration-2025"]]
        ],
        "2025-08-29 to 2025-08-29",
        "ihcams-international-medical-center-inauguration-2025",
    ),
    (
        "003",
        "first AAV-based gene therapy",
        lambda reg: stmt(reg, "ihcams"),
        "1 product",
        "ihcams-first-aav-hemophilia-gene-therapy",
    ),
    (
        "003",
        "CD19+BCMA",
        lambda reg: [
            (t.id, ",".join(t.targets)) for t in reg.therapies_for(target="bcma", developer="upenn")
        ],
        "cd19,bcma",
        "upenn-cd19-bcma-car-t",
    ),
    (
        "003",
        "CD19 CAR-T",
        lambda reg: [
            (t.id, ",".join(t.targets))
            for t in reg.therapies_for(target="cd19")
            if "hemolytic" in t.name
        ],
        "cd19",
        "cd19-car-t-autoimmune-hemolytic-anemia",
    ),
    (
        "004",
        "133 clinical approvals",
        lambda reg: stmt(reg, "shanghai-municipality"),
        "133 approval",
        "shanghai-class1-innovative-drug-clinical-approvals-2023",
    ),
    (
        "004",
        "20 clinical trial approvals",
        lambda reg: stmt(reg, "shanghai-municipality"),
        "20 approval",
        "shanghai-cgt-clinical-approvals-2023",
    ),
    (
        "004",
        "3/5",
        lambda reg: stmt(reg, "zhangjiang"),
        "0.6 fraction",
        "zhangjiang-share-shanghai-cgt-trials",
    ),
    (
        "004",
        "1/4",
        lambda reg: stmt(reg, "zhangjiang"),
        "0.25 fraction",
        "zhangjiang-share-china-cgt-trials",
    ),
    (
        "004",
        "first and second CAR-T cell drugs",
        lambda reg: stmt(reg, "zhangjiang"),
        "2 product",
        "zhangjiang-first-car-t-launches",
    ),
    (
        "004",
        "first and second global CAR-T",
        lambda reg: stmt(reg, "zhangjiang"),
        "2 approval",
        "zhangjiang-gprc5d-car-t-clinical-approvals-2023",
    ),
    (
        "004",
        "universal NK",
        lambda reg: [(t.id, t.modality.value) for t in reg.therapies_for(target="gprc5d")],
        "nk",
        "zhangjiang-universal-gprc5d-nk",
    ),
    (
        "004",
        "more than five years",
        lambda reg: stmt(reg, "ruijin-hospital"),
        ">5 year",
        "ruijin-car-t-patient-follow-up",
    ),
    (
        "004",
        "more than 5 clinical",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="target"),
        ">5 center",
        "shanghai-gene-therapy-plan-research-centers",
    ),
    (
        "004",
        "more than 15 leading",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="target"),
        ">15 enterprise",
        "shanghai-gene-therapy-plan-leading-enterprises",
    ),
    (
        "004",
        "1-2 innovative",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="target"),
        "1 to 2 product",
        "shanghai-gene-therapy-plan-listing-applications",
    ),
    (
        "004",
        "4 aspects",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="structure"),
        "4 aspect",
        "shanghai-gene-therapy-plan-aspects",
    ),
    (
        "004",
        "12 major tasks",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="structure"),
        "12 task",
        "shanghai-gene-therapy-plan-major-tasks",
    ),
    (
        "004",
        "8 safeguard",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="structure"),
        "8 measure",
        "shanghai-gene-therapy-plan-safeguard-measures",
    ),
    (
        "004",
        "next three years",
        lambda reg: stmt(reg, "shanghai-gene-therapy-action-plan-2023", type="structure"),
        "3 year",
        "shanghai-gene-therapy-plan-duration",
    ),
    (
        "004",
        "(2023-2025)",
        lambda reg: [
            (p.id, str(p.period)) for p in [reg.policies["shanghai-gene-therapy-action-plan-2023"]]
        ],
        "2023 to 2025",
        "shanghai-gene-therapy-action-plan-2023",
    ),
    (
        "004",
        "(2022-2024)",
        lambda reg: [
            (p.id, str(p.period)) for p in [reg.policies["shanghai-cell-therapy-action-plan-2022"]]
        ],
        "2022 to 2024",
        "shanghai-cell-therapy-action-plan-2022",
    ),
    (
        "004",
        "over 100 upstream",
        lambda reg: stmt(reg, "zhangjiang-cell-gene-park"),
        ">100 enterprise",
        "zhangjiang-cell-gene-park-enterprises",
    ),
    (
        "004",
        "fourth Zhangjiang",
        lambda reg: [(e.id, str(e.period)) for e in [reg.events["zhangjiang-cgt-summit-2023"]]],
        "2023-11 to 2023-11",
        "zhangjiang-cgt-summit-2023",
    ),
    (
        "004",
        "After three years",
        lambda reg: stmt(reg, "zhangjiang-cgt-summit-2023"),
        "3 year",
        "zhangjiang-cgt-summit-years",
    ),
    (
        "004",
        "2023-10-20",
        lambda reg: [(s.id, str(s.published)) for s in [reg.sources["pudong-cell-therapy-2023"]]],
        "2023-10-20",
        "pudong-cell-therapy-2023",
    ),
]


def _document(prefix: str) -> str | None:
    found = sorted(SHARED.glob(f"{prefix}_*.txt")) if SHARED.is_dir() else []
    return found[0].read_text(encoding="utf-8") if found else None


@pytest.mark.parametrize(
    ("doc", "text", "query", "expected", "record"),
    CHECKS,
    ids=[f"{c[0]}:{c[4]}:{c[3]}" for c in CHECKS],
)
def test_figure_is_found_on_its_entity(
    doc: str,
    text: str,
    query: Callable[[Registry], list[tuple[Any, ...]]],
    expected: str,
    record: str,
    bundled: Registry,
) -> None:
    """The query on the figure's entity returns the record holding the figure as stated."""
    document = _document(doc)
    if document is not None:
        assert text in document, f"the document {doc} does not say {text!r}"
    rows = query(bundled)
    assert any(
        r[0] == record and any(str(x) == expected or expected in str(x) for x in r[1:])
        for r in rows
    ), f"{record} with {expected!r} not among {rows}"
