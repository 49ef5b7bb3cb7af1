"""Small registries and records the tests build, shared by several test modules."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cartlandscape import (
    Citation,
    Event,
    Indication,
    Institution,
    Milestone,
    Outcome,
    Period,
    Policy,
    Registry,
    Source,
    Statement,
    Target,
    Therapy,
)

CITE = (Citation(source="src", locator="table 2"),)
#: The bundled data files of the repository.
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def outcome(ident: str, therapy: str | None = "a-cel", **fields: Any) -> Outcome:
    """An outcome citing the test source; ``value`` defaults to 50 percent ORR."""
    fields.setdefault("endpoint", "orr")
    fields.setdefault("value", "50 percent")
    return Outcome(id=ident, therapy=therapy, citations=CITE, **fields)


def landscape(*records: Any) -> Registry:
    """A small registry: a source, two targets, an indication tree, three therapies, *records*."""
    base = [
        Source(id="src", title="A test source", type="review"),
        Target(id="cd19", name="CD19", citations=CITE),
        Target(id="bcma", name="BCMA", aliases=("TNFRSF17",), citations=CITE),
        Indication(id="all", name="ALL", category="hematologic-malignancy", citations=CITE),
        Indication(
            id="b-all",
            name="B-ALL",
            parent="all",
            category="hematologic-malignancy",
            citations=CITE,
        ),
        Indication(id="mm", name="Myeloma", category="hematologic-malignancy", citations=CITE),
        Therapy(id="a-cel", name="Alpha-cel", codes=("AC01",), targets=("bcma",), citations=CITE),
        Therapy(id="b-cel", name="Beta-cel", targets=("bcma",), citations=CITE),
        Therapy(id="c-cel", name="Gamma-cel", targets=("cd19",), citations=CITE),
    ]
    return Registry([*base, *records])


def approval(agency: str, date: str | None, indication: str = "mm", **fields: Any) -> Milestone:
    fields.setdefault("type", "approval")
    return Milestone(agency=agency, date=date, indication=indication, citations=CITE, **fields)


def product(ident: str, targets: tuple[str, ...], *milestones: Milestone, **fields: Any) -> Therapy:
    return Therapy(
        id=ident,
        name=ident.title(),
        targets=targets,
        milestones=milestones,
        citations=CITE,
        **fields,
    )


def approvals_landscape() -> Registry:
    return landscape(
        product("cilta", ("bcma",), approval("FDA", "2022-02-28"), approval("NMPA", "2024-08")),
        product("eque", ("bcma",), approval("NMPA", "2023-06-30")),
        product(
            "tisa",
            ("cd19",),
            approval("FDA", "2017-08-30", "b-all"),
            approval("FDA", "2018-05", "mm", type="label-expansion"),
        ),
        product("nk-x", ("cd19",), approval("NMPA", None, "b-all"), modality="car-nk"),
        product("candidate", ("bcma",), approval("FDA", "2020", type="ind-clearance")),
        Institution(
            id="fahzu",
            name="Zhejiang Hospital",
            type="hospital",
            city="Hangzhou",
            aliases=("FAHZU",),
            citations=CITE,
        ),
        Institution(id="maker", name="Maker Bio", type="company", citations=CITE),
        outcome("h-cr", None, institution="fahzu", endpoint="cr", value="92 percent", n=25),
        outcome("h-orr", "a-cel", institution="fahzu", value="80 percent"),
        Statement(
            id="h-beds",
            subject="institution:fahzu",
            metric="CAR-T beds",
            value="40 patient",
            citations=CITE,
        ),
        Policy(
            id="pay",
            name="Payment pilot",
            type="payment",
            country="CN",
            region="Zhejiang",
            period=Period(start="2024", end="2025"),
            citations=CITE,
        ),
        Statement(
            id="pay-cap", subject="policy:pay", metric="cap", value="500000 CNY", citations=CITE
        ),
        Event(
            id="meet",
            name="Cell therapy meeting",
            type="workshop",
            hosts=("fahzu",),
            citations=CITE,
        ),
    )


def study(ident: str, responders: int, n: int, **fields: Any) -> Outcome:
    fields.setdefault("value", f"{100 * responders / n} percent")
    return outcome(ident, n=n, responders=responders, **fields)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line's main() in this process; return its status, stdout and stderr."""
    from cartlandscape.cli import main

    try:
        status = main(list(args))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


@functools.cache
def _seed_outcome_ids(name: str) -> tuple[str, ...]:
    """The ids of the outcomes written in the seed file *name* (a path under ``seeds/``)."""
    with (SEEDS / name).open("rb") as handle:
        return tuple(str(record["id"]) for record in tomllib.load(handle).get("outcome", []))


def seed_outcomes(reg: Registry, *names: str) -> list[Outcome]:
    """The outcomes of *reg* written in the seed files *names*, in file order.

    The files are read when first asked for (at collection or in a test), never at import.
    """
    return [reg.outcomes[ident] for name in names for ident in _seed_outcome_ids(name)]
