from __future__ import annotations

import csv
import importlib
import io
import json
from typing import Any

import attrs
import pytest

import cartlandscape
from cartlandscape import Registry
from cartlandscape._registry import DataVersion
from cartlandscape.compare import compare, rank
from cartlandscape.dates import PartialDate
from cartlandscape.export import PANDAS_HINT, registry_to_json, rows, to_csv, to_dataframe, to_json
from cartlandscape.kinds import BASE_KINDS
from cartlandscape.loading import build
from cartlandscape.models import Citation, Therapy
from cartlandscape.pooling import pool
from cartlandscape.stats import wilson
from cartlandscape.summary import profile, summarize

from .builders import approvals_landscape, landscape, outcome


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _same(a: Registry, b: Registry) -> bool:
    return list(a.records()) == list(b.records()) and a.version == b.version


def test_registry_json_loads_back_to_an_equal_registry() -> None:
    """registry_to_json of the bundled data, read by build(), gives the same records and version."""
    reg = cartlandscape.registry()
    text = registry_to_json(reg)
    document = json.loads(text)
    assert document["meta"]["release"] == reg.version.release  # type: ignore[union-attr]
    assert set(document) <= {"meta", *BASE_KINDS}
    again, _ = build([("x.json", text.encode())])
    assert _same(again, reg)
    assert to_json(reg) == text


def test_small_registry_with_version_round_trips() -> None:
    """A registry built in memory, with a version, round-trips through its JSON too."""
    records = list(approvals_landscape().records())
    reg = Registry(records, version=DataVersion("test-1", PartialDate(2025, 1)))
    again, _ = build([("x.json", registry_to_json(reg, indent=None).encode())])
    assert _same(again, reg)
    assert str(again.version) == "test-1 (as of 2025-01)"


def test_value_forms_are_split_into_columns() -> None:
    """Exact, range and bound values give magnitude, low/high and relation columns with unit."""
    found = _csv(
        to_csv(
            [
                outcome("e", value="87.5 percent", n=40),
                outcome("r", value="79 to 89 percent"),
                outcome("b", value=">=30 percent"),
            ]
        )
    )
    by_id = {r["id"]: r for r in found}
    assert by_id["e"]["value_form"] == "exact"
    assert (by_id["e"]["value_magnitude"], by_id["e"]["value_unit"]) == ("87.5", "percent")
    assert (by_id["r"]["value_low"], by_id["r"]["value_high"]) == ("79.0", "89.0")
    assert by_id["r"]["value_magnitude"] == ""
    assert (by_id["b"]["value_relation"], by_id["b"]["value_magnitude"]) == (">=", "30.0")
    assert by_id["e"]["citations"] == "src:table 2"
    assert by_id["e"]["n"] == "40"
    assert by_id["e"]["timepoint_form"] == ""  # the columns are there even when empty
    assert "study.name" in by_id["e"]


def test_every_collection_of_the_bundled_registry_writes_csv_and_json() -> None:
    """Each collection gives one CSV row per record and a JSON list of data-file records."""
    reg = cartlandscape.registry()
    for collection in (reg.therapies, reg.outcomes, reg.policies, reg.statements, reg.sources):
        assert len(_csv(to_csv(collection))) == len(collection)
        assert len(json.loads(to_json(collection))) == len(collection)
    with pytest.raises(TypeError, match="registry_to_json"):
        to_csv(reg)


def _results() -> dict[str, Any]:
    reg = landscape(
        outcome("a", "a-cel", value="80 percent", n=50, responders=40),
        outcome("b", "b-cel", value="62 to 70 percent"),
        outcome("c", "c-cel", value=">50 percent", n=20, responders=11),
    )
    comparison = compare(reg, ["a-cel", "b-cel", "c-cel"], endpoint="orr")
    return {
        "comparison": comparison,
        "differences": comparison.differences(),
        "table": rank(reg, endpoint="orr"),
        "pooled": pool([reg.outcomes["a"], reg.outcomes["c"]]),
        "ci": wilson(3, 4),
        "summary": summarize(approvals_landscape()),
        "timeline": summarize(approvals_landscape()).timeline,
        "profile": profile(approvals_landscape(), "fahzu"),
    }


@pytest.mark.parametrize("name", list(_results()))
def test_every_result_writes_csv_and_json(name: str) -> None:
    """Every helper result gives a CSV table with a header and JSON that parses."""
    result = _results()[name]
    table = _csv(to_csv(result))
    assert table
    assert json.loads(to_json(result))


def test_comparison_rows_keep_citations_flags_and_converted_values() -> None:
    """A comparison's CSV has the outcome's columns, its converted value, flags and citations."""
    table = _csv(to_csv(_results()["comparison"]))
    assert [r["id"] for r in table] == ["a", "b", "c"]
    assert table[1]["converted_low"] == "62.0"
    assert all(r["citations"] == "src:table 2" for r in table)
    assert table[0]["flags"] == ""
    ranked = _csv(to_csv(_results()["table"]))
    assert [r["position"] for r in ranked] == ["1", "2", "3"]


def test_differences_keep_bounds_as_bounds_and_json_has_no_infinity() -> None:
    """Open ends are written as null in JSON and inf in CSV; form and relation are given."""
    reg = landscape(
        outcome("a", "a-cel", endpoint="median-os", value=">24 month"),
        outcome("b", "b-cel", endpoint="median-os", value="12 month"),
    )
    differences = compare(reg, ["a-cel", "b-cel"], endpoint="median-os").differences()
    (data,) = json.loads(to_json(differences))
    assert (data["form"], data["relation"], data["low"], data["high"]) == ("bound", ">", 12.0, None)
    assert "Infinity" not in to_json(differences)
    (row,) = _csv(to_csv(differences))
    assert (row["form"], row["high"], row["citations"]) == ("bound", "inf", "src:table 2")


def test_pooled_estimate_gives_a_row_per_study_and_a_pooled_row() -> None:
    """The pooled CSV lists each study with its weight, then the pooled estimate."""
    table = _csv(to_csv(_results()["pooled"]))
    assert [(r["row"], r["outcome"]) for r in table] == [
        ("study", "a"),
        ("study", "c"),
        ("pooled", ""),
    ]
    assert table[-1]["method"].startswith("DerSimonian")
    assert float(table[0]["weight"]) + float(table[1]["weight"]) == pytest.approx(1)
    data = json.loads(to_json(_results()["pooled"]))
    assert data["studies"] == ["a", "c"]


def test_dataframe_has_the_csv_columns() -> None:
    """to_dataframe gives the same columns and rows as the CSV."""
    result = _results()["comparison"]
    frame = to_dataframe(result)
    assert list(frame.columns) == list(_csv(to_csv(result))[0])
    assert frame["value_form"].tolist() == ["exact", "range", "bound"]
    assert len(frame) == len(rows(result))


def test_missing_pandas_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas, to_dataframe raises ImportError naming the extra to install."""
    real = importlib.import_module

    def without_pandas(name: str, *args: Any) -> Any:
        if name == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_pandas)
    with pytest.raises(ImportError, match=r"cartlandscape\[pandas\]") as info:
        to_dataframe([wilson(1, 2)])
    assert str(info.value) == PANDAS_HINT


def test_unknown_objects_are_refused() -> None:
    """Objects that are not records or results raise TypeError."""
    with pytest.raises(TypeError, match="as a table"):
        rows(object())
    with pytest.raises(TypeError, match="as JSON"):
        to_json(object())


def test_issue_dates_are_one_text_cell() -> None:
    """A date is one 'YYYY-MM-DD' cell (not year/month/day numbers), empty when unknown."""
    from cartlandscape.export import rows
    from cartlandscape.summary import summarize

    table = rows(summarize(cartlandscape.registry()).approvals)
    assert all("date.year" not in row for row in table)
    assert {"2017-08-30", None} <= {row["date"] for row in table}


def test_dataframe_has_nullable_dtypes_and_only_pd_na_for_missing() -> None:
    """Counts are Int64, numbers Float64, texts string; every missing cell is pd.NA."""
    pd = pytest.importorskip("pandas")
    reg = cartlandscape.registry()
    frame = to_dataframe(reg.outcomes)
    for column in ("n", "responders", "comparator_n"):
        assert str(frame[column].dtype) == "Int64"
    assert str(frame["value_magnitude"].dtype) == "Float64"
    assert str(frame["therapy"].dtype) == "string"
    assert frame["n"].isna().any()
    for column in frame.columns:
        for cell in frame[column]:
            assert cell is pd.NA or not pd.isna(cell), (column, cell)
            assert cell is not None, column
            assert cell is pd.NA or cell != "", column


def test_dataframe_of_milestones_gives_one_row_per_milestone_with_its_therapy() -> None:
    pytest.importorskip("pandas")
    reg = cartlandscape.registry()
    pairs = reg.milestones_for(type="approval")
    frame = to_dataframe(pairs)
    assert len(frame) == len(pairs)
    assert frame["therapy"].tolist() == [t.id for t, _ in pairs]
    assert frame["therapy_name"].tolist() == [t.name for t, _ in pairs]
    assert frame["agency"].tolist() == [m.agency for _, m in pairs]
    assert not frame[["therapy", "agency", "type", "citations"]].isna().to_numpy().any()


def test_citation_source_ids_are_a_column() -> None:
    pytest.importorskip("pandas")
    reg = cartlandscape.registry()
    outcomes = list(reg.outcomes)
    frame = to_dataframe(outcomes)
    assert list(frame.columns).index("sources") == list(frame.columns).index("citations") + 1
    for record, cell in zip(outcomes, frame["sources"], strict=True):
        assert cell.split("; ") == list(dict.fromkeys(c.source for c in record.citations))
    table = _csv(to_csv(reg.milestones_for(therapy="Kymriah")))
    assert all(row["sources"] for row in table)


@attrs.frozen(kw_only=True)
class _Batch:
    code: str


@attrs.frozen(kw_only=True)
class _BatchedTherapy(Therapy):
    batch: _Batch | None = None


def test_a_part_of_a_downstream_record_is_record_data_wherever_it_is_defined() -> None:
    """A nested class a registered kind declares counts as record data, not as a result."""
    from cartlandscape import export
    from cartlandscape.kinds import register_kind, unregister_kind

    assert export._is_record(Citation(source="s", locator="p. 1"))
    assert not export._is_record(_Batch(code="B-1"))
    register_kind("batched-therapy-export", _BatchedTherapy)
    try:
        assert export._is_record(_Batch(code="B-1"))
    finally:
        unregister_kind("batched-therapy-export")
