"""Downstream subclasses of the record classes: registered, loaded, converted and queried."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import attrs
import pytest

import cartlandscape
from cartlandscape.errors import DataError
from cartlandscape.kinds import class_for, register_kind, tags, unregister_kind
from cartlandscape.loading import build

from .strategies import therapies

given = pytest.importorskip("hypothesis").given
st = pytest.importorskip("hypothesis.strategies")

if TYPE_CHECKING:
    from decimal import Decimal

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "extend_models.py"


@attrs.frozen(kw_only=True)
class MyTherapy(cartlandscape.Therapy):
    internal_code: str


@attrs.frozen(kw_only=True)
class CodedTherapy(cartlandscape.Therapy):
    name_fields: ClassVar[tuple[str, ...]] = (*cartlandscape.Therapy.name_fields, "internal_code")

    internal_code: str = attrs.field(validator=attrs.validators.matches_re(r"^LAB-\d{3}$"))


@pytest.fixture
def my_kind() -> Iterator[None]:
    register_kind("my-therapy", MyTherapy)
    yield
    unregister_kind("my-therapy")


DATA = textwrap.dedent(
    """
    [[source]]
    id = "lab-notes"
    title = "Lab notes"
    type = "report"

    [[my-therapy]]
    id = "lab-cel"
    name = "Lab-cel"
    internal_code = "LAB-001"
    targets = ["cd19"]
    developers = ["novartis"]
    citations = [{ source = "lab-notes", locator = "page 3" }]
    """
)


def _load(tmp_path: Path, text: str = DATA, name: str = "lab.toml") -> cartlandscape.Registry:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return cartlandscape.load(path)


@pytest.mark.usefixtures("my_kind")
def test_registered_kind_is_loaded_by_its_tag(tmp_path: Path) -> None:
    """[[my-therapy]] tables give MyTherapy records, listed among the therapies."""
    reg = _load(tmp_path)
    therapy = reg.therapies["lab-cel"]
    assert type(therapy) is MyTherapy
    assert therapy.internal_code == "LAB-001"
    assert therapy.kind == "therapy"
    assert reg.get("therapy", "lab-cel") is therapy


@pytest.mark.usefixtures("my_kind")
def test_registered_kind_is_returned_by_queries_and_lookups(tmp_path: Path) -> None:
    """therapies_for and lookup return the subclass's records with the bundled therapies."""
    reg = _load(tmp_path)
    therapy = reg.lookup("Lab-cel")
    assert isinstance(therapy, MyTherapy)
    assert reg.lookup("lab cel", kind="therapy") is therapy
    found = reg.therapies_for(target="CD19", developer="Novartis")
    assert therapy in found
    assert reg.lookup("Kymriah") in found


@pytest.mark.usefixtures("my_kind")
def test_registered_kind_reads_json_too(tmp_path: Path) -> None:
    """A JSON file selects the subclass by the same tag."""
    text = (
        '{"source": [{"id": "lab-notes", "title": "Lab notes", "type": "report"}],'
        ' "my-therapy": [{"id": "lab-cel", "name": "Lab-cel", "internal_code": "LAB-001",'
        ' "citations": [{"source": "lab-notes", "locator": "page 3"}]}]}'
    )
    reg = _load(tmp_path, text, "lab.json")
    assert type(reg.therapies["lab-cel"]) is MyTherapy


@pytest.mark.usefixtures("my_kind")
def test_subclass_record_can_override_a_bundled_therapy(tmp_path: Path) -> None:
    """A MyTherapy marked override = true replaces the bundled therapy of the same id."""
    bundled = cartlandscape.registry().lookup("CNCT19")
    text = textwrap.dedent(
        f"""
        [[my-therapy]]
        id = "{bundled.id}"
        override = true
        name = "{bundled.name}"
        codes = ["CNCT19"]
        internal_code = "LAB-019"
        citations = [{{ source = "{bundled.citations[0].source}", locator = "keynote" }}]
        """
    )
    reg = _load(tmp_path, text)
    assert isinstance(reg.lookup("CNCT19"), MyTherapy)
    assert [(o.kind, o.id) for o in reg.overrides] == [("therapy", bundled.id)]
    assert type(cartlandscape.registry().lookup("CNCT19")) is cartlandscape.Therapy


@pytest.mark.usefixtures("my_kind")
def test_subclass_field_problems_name_the_field(tmp_path: Path) -> None:
    """A missing or mistyped subclass field is a DataError naming it, like any other field."""
    with pytest.raises(DataError) as info:
        _load(tmp_path, DATA.replace('internal_code = "LAB-001"', "internal_code = 1"))
    (problem,) = info.value.problems
    assert (problem.kind, problem.record, problem.field) == (
        "my-therapy",
        "lab-cel",
        "internal_code",
    )
    assert "expected a text, found 1" in problem.message


def test_unregistered_tag_is_an_unknown_kind(tmp_path: Path) -> None:
    """Without registration, [[my-therapy]] is refused with the kinds that are known."""
    with pytest.raises(DataError) as info:
        _load(tmp_path)
    (problem,) = info.value.problems
    assert "found 'my-therapy'" in problem.message
    assert "therapy" in problem.message


@given(therapies, st.from_regex(r"\ALAB-[0-9]{3}\Z"))
def test_subclass_round_trips_through_the_converter(
    therapy: cartlandscape.Therapy, code: str
) -> None:
    """structure(unstructure(x)) == x for subclass records, the extra field included."""
    fields = {f.name: getattr(therapy, f.name) for f in attrs.fields(cartlandscape.Therapy)}
    record = CodedTherapy(**fields, internal_code=code)
    converter = cartlandscape.converter()
    data = converter.unstructure(record)
    assert data["internal_code"] == code
    assert converter.structure(data, CodedTherapy) == record


def test_build_keeps_registered_kinds_out_of_the_default_registry() -> None:
    """Registering a kind changes what files may hold, not the cached bundled registry."""
    before = cartlandscape.registry()
    register_kind("coded-therapy", CodedTherapy)
    try:
        reg, _ = build(
            [
                ("lab.json", b'{"source": [{"id": "n", "title": "N", "type": "report"}]}'),
                (
                    "coded.toml",
                    b'[[coded-therapy]]\nid = "c"\nname = "C"\ninternal_code = "LAB-007"\n'
                    b'citations = [{ source = "n", locator = "p" }]\n',
                ),
            ]
        )
        assert reg.lookup("LAB-007").id == "c"
        assert "coded-therapy" in tags()
    finally:
        unregister_kind("coded-therapy")
    assert class_for("coded-therapy") is None
    assert cartlandscape.registry() is before
    assert before.get("therapy", "c") is None


@attrs.frozen(kw_only=True)
class Overriding(cartlandscape.Therapy):
    override: bool = False


@attrs.frozen(kw_only=True)
class Unresolved(cartlandscape.Therapy):
    amount: Decimal


@pytest.mark.parametrize(
    ("tag", "cls", "error", "says"),
    [
        ("meta", MyTherapy, ValueError, "reserved key"),
        ("override", MyTherapy, ValueError, "reserved key"),
        ("therapy", MyTherapy, ValueError, "taken by Therapy"),
        ("My Therapy", MyTherapy, ValueError, "lowercase"),
        ("plain", dict, TypeError, "attrs subclass"),
        ("record", cartlandscape.Record, TypeError, "does not extend"),
        ("overriding", Overriding, TypeError, "'override'"),
        ("unresolved", Unresolved, TypeError, "Decimal"),
    ],
)
def test_register_kind_refuses_what_the_loader_cannot_use(
    tag: str, cls: type, error: type[Exception], says: str
) -> None:
    """register_kind refuses reserved or taken tags and classes the loader could not build."""
    with pytest.raises(error, match=says):
        register_kind(tag, cls)
    assert class_for(tag) in (None, cartlandscape.Therapy)


def test_example_script_shows_the_extension_at_work() -> None:
    """examples/extend_models.py runs and prints the subclass found by lookup and by query."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, cwd="/"
    )
    out = done.stdout
    assert "LAB-002 is Example-cel dual (InternalTherapy, id 'example-cel-dual')" in out
    assert "Example-cel dual (ours), internal code LAB-002" in out
    assert "Tisagenlecleucel" in out
    assert "ORR 85 percent (n=20, responders=17)" in out
    assert "target 'cd19' of seeds/targets.toml, by own_data/trials/overrides.toml" in out
    assert "read back equal: True" in out


@attrs.frozen(kw_only=True)
class Arm:
    """A nested record of a downstream kind whose arms nest arms (a cycle of types)."""

    label: str
    source: str = cartlandscape.fields.ref_field("source", optional=False)
    arms: tuple[Arm, ...] = ()


@attrs.frozen(kw_only=True)
class ArmedTherapy(cartlandscape.Therapy):
    arms: tuple[Arm, ...] = ()


def test_references_inside_self_nesting_records_are_checked() -> None:
    """A kind whose nested records nest their own type has every reference checked, at depth."""
    inner = Arm(label="inner", source="nowhere")
    outer = Arm(label="outer", source="src", arms=(inner,))
    therapy = ArmedTherapy(
        id="armed",
        name="Armed",
        arms=(outer,),
        citations=(cartlandscape.Citation(source="src", locator="p. 1"),),
    )
    source = cartlandscape.Source(id="src", title="A source", type="report")
    with pytest.raises(DataError) as info:
        cartlandscape.Registry([source, therapy])
    (problem,) = info.value.problems
    assert problem.field == "arms[0].arms[0].source"
    assert "no source has the id 'nowhere'" in problem.message
