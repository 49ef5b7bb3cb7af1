"""The integrity checks: one reference walker, whose quick form agrees with the full one."""

from __future__ import annotations

import attrs
import pytest

import cartlandscape
from cartlandscape import integrity
from cartlandscape.kinds import BASE_KINDS


def _grouped(registry: cartlandscape.Registry) -> dict[str, dict[str, cartlandscape.Record]]:
    return {kind: {r.id: r for r in registry.of_kind(kind)} for kind in BASE_KINDS}


def test_the_quick_check_agrees_with_the_walker_on_every_bundled_record() -> None:
    reg = cartlandscape.registry()
    grouped = _grouped(reg)
    for record in reg.records():
        assert integrity.resolves(record, grouped)
        assert all(ident in grouped[kind] for _, kind, ident in integrity.references(record))


def test_a_missing_record_fails_the_quick_check_and_is_named_with_its_path() -> None:
    reg = cartlandscape.registry()
    grouped = _grouped(reg)
    therapy = reg.lookup("CNCT19", "therapy")
    grouped["target"] = {k: v for k, v in grouped["target"].items() if k not in therapy.targets}
    assert not integrity.resolves(therapy, grouped)
    findings = list(integrity.reference_findings(therapy, grouped))
    assert findings
    assert findings[0][0] is therapy
    assert findings[0][1] == "targets[0]"
    assert findings[0][2] == f"no target has the id {therapy.targets[0]!r}"


def test_a_clean_registry_has_no_findings() -> None:
    reg = cartlandscape.registry()
    as_of = reg.version.as_of if reg.version else None
    assert list(integrity.check(_grouped(reg), as_of)) == []


def test_a_parent_loop_is_reported_once() -> None:
    reg = cartlandscape.registry()
    grouped = _grouped(reg)
    first, second = sorted(grouped["indication"])[:2]
    grouped["indication"][first] = attrs.evolve(grouped["indication"][first], parent=second)
    grouped["indication"][second] = attrs.evolve(grouped["indication"][second], parent=first)
    loops = list(integrity.parent_loops(grouped))
    assert len(loops) == 1
    assert loops[0][0].id == first
    assert loops[0][1] == "parent"


@pytest.mark.parametrize("path", ["", "outer"])
def test_paths_start_where_asked(path: str) -> None:
    therapy = cartlandscape.registry().lookup("CNCT19", "therapy")
    paths = [p for p, _, _ in integrity.references(therapy, path)]
    assert ("targets[0]" in paths) == (path == "")
    assert ("outer.targets[0]" in paths) == (path == "outer")
