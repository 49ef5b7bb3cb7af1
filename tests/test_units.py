"""The unit facts shipped for the bundled seeds (unitfacts.json) and when they are used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import attrs
import pint
import pytest

from cartlandscape import loading, units
from cartlandscape.tools import unitfacts
from cartlandscape.values import _TEXT, Value

SHIPPED = json.loads((files("cartlandscape") / "unitfacts.json").read_bytes())


def _run(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_shipped_facts_are_what_pint_says_now() -> None:
    """Each shipped fact is what a new registry of cartlandscape's own says of the unit."""
    assert SHIPPED["units.txt"] == units._definitions_digest()
    registry = units._new_registry()
    assert SHIPPED["units"]
    for unit, (canonical, dimensionality, factor) in SHIPPED["units"].items():
        parsed = registry.parse_units("percent" if unit.strip() == "%" else unit)
        assert str(parsed) == canonical, unit
        assert str(registry.get_dimensionality(parsed)) == dimensionality, unit
        if dimensionality == "dimensionless":
            assert registry.Quantity(1, parsed).to("dimensionless").magnitude == factor, unit
        else:
            assert factor is None, unit


def test_shipped_file_is_up_to_date() -> None:
    """The file is exactly what `python -m cartlandscape.tools unitfacts --write` writes now."""
    done = subprocess.run(
        [sys.executable, "-m", "cartlandscape.tools", "unitfacts", "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _values(item: object) -> list[Value]:
    """Every value in a record, nested records and tuples included."""
    if isinstance(item, Value):
        return [item]
    if attrs.has(type(item)):
        return [v for f in attrs.fields(type(item)) for v in _values(getattr(item, f.name))]
    if isinstance(item, tuple):
        return [v for element in item for v in _values(element)]
    return []


def test_every_unit_of_the_bundled_seeds_is_shipped() -> None:
    """Every unit name of a value text in the seeds, and its canonical name, is in the file."""
    shipped = SHIPPED["units"]
    texts = [
        string
        for name, data in loading._bundled_files()
        for string in unitfacts._strings(loading._parse(name, data, loading.MAX_FILE_BYTES)[0])
    ]
    found = [m["unit"] for text in texts if (m := _TEXT.match(text))]
    assert "percent" in found
    registry = units._new_registry()
    for unit in found:
        if unit in shipped:
            assert shipped[unit][0] in shipped
        else:  # a text that only looks like a value: a locator such as "26 August"
            with pytest.raises(units.UnitError):
                units._work_out(registry, unit)
    values = [v for record in loading.registry().records() for v in _values(record)]
    assert len(values) > 100
    assert {v.unit for v in values} <= set(shipped)


def test_bundled_registry_and_summary_import_no_pint_without_a_cache() -> None:
    """With the parse cache off, loading the seeds and `cartlandscape summary` need no pint."""
    code = (
        "import contextlib, io, sys\n"
        "import cartlandscape as c\n"
        "from cartlandscape.cli import main\n"
        "assert len(c.registry()) > 0\n"
        "with contextlib.redirect_stdout(io.StringIO()) as shown:\n"
        "    main(['summary'])\n"
        "print(bool(shown.getvalue()), 'pint' in sys.modules)"
    )
    assert _run(code, CARTLANDSCAPE_CACHE="0").split() == ["True", "False"]


def test_shipped_facts_are_read_on_the_first_unit_check_only() -> None:
    """Importing the units module reads no data file; checking a unit reads the facts."""
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open' and opened.append(str(args[0])))\n"
        "from cartlandscape import units\n"
        "before = [p for p in opened if p.endswith('unitfacts.json')]\n"
        "units.dimension_of('month')\n"
        "after = [p for p in opened if p.endswith('unitfacts.json')]\n"
        "print(len(before), len(after), 'pint' in sys.modules)"
    )
    assert _run(code).split() == ["0", "1", "False"]


def test_a_unit_the_seeds_do_not_use_is_asked_of_pint() -> None:
    """A unit name the file does not hold is worked out by the registry, as always."""
    code = (
        "import sys\n"
        "from cartlandscape import units\n"
        "print(units.canonical_unit('cells/kg'), 'pint' in sys.modules)"
    )
    assert _run(code).split() == ["cell", "/", "kilogram", "True"]


def test_shipped_facts_are_ignored_with_a_users_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A program's own registry is asked about every unit, never the shipped facts."""
    monkeypatch.setattr(units, "_shipped", {"zorkmid": ("zorkmid", "[time]", None)})
    monkeypatch.setattr(units, "_facts", {})
    assert units.dimension_of("zorkmid") == "[time]"  # the stand-in facts are in use
    mine = pint.UnitRegistry()
    mine.define("patient = [subject]")
    try:
        units.use_registry(mine)
        with pytest.raises(units.UnitError):
            units.canonical_unit("zorkmid")
        assert units.dimension_of("patient") == "[subject]"
        assert units.to_fraction("percent") == pytest.approx(0.01)
    finally:
        units.use_registry(None)
    assert units.dimension_of("patient") == "[count]"


def test_shipped_facts_for_other_unit_definitions_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts written for another units.txt, or an unreadable file, are ignored."""
    package = files("cartlandscape")
    (tmp_path / "units.txt").write_bytes((package / "units.txt").read_bytes())
    monkeypatch.setattr(units, "files", lambda _package: tmp_path)
    stale = {**SHIPPED, "units.txt": "0" * 64}
    for text, usable in [
        (json.dumps(SHIPPED), True),
        (json.dumps(stale), False),
        ("{not json", False),
        ("[]", False),
        ('{"units.txt": null}', False),
    ]:
        (tmp_path / "unitfacts.json").write_text(text, encoding="utf-8")
        monkeypatch.setattr(units, "_shipped", None)
        assert bool(units._shipped_facts()) is usable, text
    (tmp_path / "unitfacts.json").unlink()
    monkeypatch.setattr(units, "_shipped", None)
    assert units._shipped_facts() == {}
