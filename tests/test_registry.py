from __future__ import annotations

import re
import threading
import unicodedata

import pytest

import cartlandscape
from cartlandscape._registry import Registry, normalize
from cartlandscape.errors import DataError, UnknownNameError
from cartlandscape.models import Citation, Indication, Target, Therapy

given = pytest.importorskip("hypothesis").given
settings = pytest.importorskip("hypothesis").settings
st = pytest.importorskip("hypothesis.strategies")

CITE = (Citation(source="src", locator="p. 1"),)


def _source() -> cartlandscape.Source:
    return cartlandscape.Source(id="src", title="A source", type="report")


def test_lookup_ignores_case_spaces_and_punctuation() -> None:
    """CNCT19, inati-cel and the INN in any case give the same therapy."""
    reg = cartlandscape.registry()
    found = {
        reg.lookup(n).id
        for n in ["CNCT19", "inati-cel", "Inaticabtagene Autoleucel", "INATI CEL", "cnct-19"]
    }
    assert found == {"inaticabtagene-autoleucel"}


def test_lookup_miss_raises_lookup_error_with_close_matches() -> None:
    """A miss raises LookupError naming close matches."""
    with pytest.raises(LookupError) as info:
        cartlandscape.registry().lookup("CNCT91")
    assert isinstance(info.value, UnknownNameError)
    assert "CNCT19" in info.value.suggestions


def test_lookup_by_kind_refuses_other_kinds() -> None:
    """lookup(kind=...) does not return a record of another kind."""
    reg = cartlandscape.registry()
    with pytest.raises(LookupError):
        reg.lookup("CD19", kind="therapy")
    assert reg.lookup("CD19", kind="target").id == "cd19"


def test_get_returns_none_on_miss() -> None:
    """get() is the non-raising contract."""
    reg = cartlandscape.registry()
    assert reg.get("therapy", "nope") is None
    assert reg.get("therapy", "inaticabtagene-autoleucel") is reg.lookup("CNCT19")


def test_collections_are_read_only() -> None:
    """Collections cannot be changed by callers."""
    reg = cartlandscape.registry()
    with pytest.raises(TypeError):
        reg.therapies._by_id["x"] = None  # type: ignore[index]
    assert not hasattr(reg.therapies, "append")


def test_registry_is_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent first calls share one registry."""
    from cartlandscape import loading

    monkeypatch.setattr(loading, "_default", None)
    results: list[Registry] = []
    barrier = threading.Barrier(8)

    def call() -> None:
        barrier.wait()
        results.append(cartlandscape.registry())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in results}) == 1


def test_duplicate_id_names_both_records() -> None:
    """A duplicate id is a load error."""
    a = Target(id="cd19", name="CD19", citations=CITE)
    b = Target(id="cd19", name="Other", citations=CITE)
    with pytest.raises(DataError) as info:
        Registry([_source(), a, b], origins=["s.toml", "a.toml", "b.toml"])
    (problem,) = info.value.problems
    assert problem.record == "cd19"
    assert "a.toml" in problem.message
    assert problem.file == "b.toml"


def test_alias_collision_names_both_records() -> None:
    """One name claimed by two records is a load error naming both."""
    a = Target(id="cd19", name="CD19", citations=CITE)
    b = Target(id="bcma", name="BCMA", aliases=("cd-19",), citations=CITE)
    with pytest.raises(DataError) as info:
        Registry([_source(), a, b])
    (problem,) = info.value.problems
    assert problem.record == "bcma"
    assert "'cd19'" in problem.message


def test_dangling_reference_is_reported_with_its_field() -> None:
    """A reference to a missing record names the field path."""
    t = Therapy(id="x", name="X", targets=("cd19",), citations=CITE)
    with pytest.raises(DataError) as info:
        Registry([_source(), t])
    (problem,) = info.value.problems
    assert problem.field == "targets[0]"
    assert "cd19" in problem.message


def test_all_integrity_problems_are_reported_together() -> None:
    """Every problem is listed, not only the first."""
    t = Therapy(id="x", name="X", targets=("a", "b"), developers=("c",), citations=CITE)
    with pytest.raises(DataError) as info:
        Registry([t])
    assert len(info.value.problems) == 4  # a, b, c and the citation's source


def test_indication_queries_include_sub_indications() -> None:
    """A query on a parent indication finds therapies approved for a child."""
    reg = cartlandscape.registry()
    all_ = reg.lookup("acute lymphoblastic leukemia", kind="indication")
    assert reg.lookup("CNCT19") in reg.therapies_for(indication=all_)


def test_queries_accept_records_or_aliases() -> None:
    """A record and any of its names give the same query result."""
    reg = cartlandscape.registry()
    cd19 = reg.lookup("CD19", kind="target")
    assert reg.therapies_for(target=cd19) == reg.therapies_for(target="cd19")


def test_normalize_removes_punctuation_and_case() -> None:
    """normalize keeps letters and digits only, folded."""
    assert normalize("Axi-Cel ®") == normalize("axicel") == "axicel"


def test_indication_parent_must_exist() -> None:
    """An indication's parent is a checked reference."""
    child = Indication(id="c", name="C", category="solid-tumor", parent="p", citations=CITE)
    with pytest.raises(DataError):
        Registry([_source(), child])


def test_of_kind_gives_the_collection_of_a_kind() -> None:
    """of_kind("therapy") is the therapies collection; an unknown kind is a ValueError."""
    reg = cartlandscape.registry()
    assert reg.of_kind("therapy") is reg.therapies
    with pytest.raises(ValueError, match="unknown kind"):
        reg.of_kind("gadget")


def test_every_built_in_kind_has_its_typed_collection(bundled: Registry) -> None:
    """The registry's collection attributes are exactly the collections kinds.BASE_KINDS names."""
    from cartlandscape.kinds import BASE_KINDS

    for kind, (cls, collection) in BASE_KINDS.items():
        assert getattr(bundled, collection) is bundled.of_kind(kind)
        assert all(isinstance(record, cls) for record in getattr(bundled, collection))


def test_label_of_names_a_record_by_id_or_gives_the_id_back(bundled: Registry) -> None:
    """label_of gives the record's label, the id itself when no record has it, None for None."""
    therapy = bundled.therapies["tisagenlecleucel"]
    assert bundled.label_of("therapy", therapy.id) == therapy.label
    assert bundled.label_of("indication", "no-such-indication") == "no-such-indication"
    assert bundled.label_of("target", None) is None


def test_referrers_list_the_records_that_refer_to_a_record() -> None:
    """referrers(target) names each therapy pointing at it, with the field holding the id."""
    reg = cartlandscape.registry()
    cd19 = reg.lookup("CD19", kind="target")
    found = {(r.id, path) for r, path in reg.referrers(cd19)}
    assert ("inaticabtagene-autoleucel", "targets[0]") in found
    assert all(path.startswith("targets") for r, path in reg.referrers(cd19) if r.kind == "therapy")


@given(st.text())
def test_normalize_folds_like_nfkc_casefold(text: str) -> None:
    """normalize is NFKC, then casefold, then letters and digits only, for any text."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert normalize(text) == "".join(re.findall(r"[^\W_]+", folded))


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_every_dangling_reference_is_reported(data: st.DataObject) -> None:
    """Leaving records out reports each reference to them, with its field, and nothing else."""
    every = list(cartlandscape.registry().records())
    kept = data.draw(st.lists(st.sampled_from(every), unique_by=lambda r: (r.kind, r.id)))
    present = {(r.kind, r.id) for r in kept}
    expected = {
        (record.id, field, f"no {kind} has the id {ident!r}")
        for record in kept
        for field, kind, ident in Registry.references(record)
        if (kind, ident) not in present
    }
    try:
        Registry(kept)
    except DataError as error:
        found = {(p.record, p.field, p.message) for p in error.problems}
    else:
        found = set()
    assert found == expected


def test_reference_to_an_unknown_kind_is_reported() -> None:
    """A statement about a kind of record that does not exist names its subject field."""
    statement = cartlandscape.Statement(
        id="s", subject="gadget:x", metric="count", value="3 patient", citations=CITE
    )
    with pytest.raises(DataError) as info:
        Registry([_source(), statement])
    (problem,) = info.value.problems
    assert problem.field == "subject"
    assert "'gadget' is not a kind of record" in problem.message
