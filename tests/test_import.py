from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import cartlandscape


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_import_builds_no_unit_registry_and_reads_no_seed() -> None:
    """After import cartlandscape, pint is not imported and no data file has been opened."""
    out = _run(
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open' and opened.append(str(args[0])))\n"
        "import cartlandscape\n"
        "data = [p for p in opened if p.endswith(('.toml', '.json'))]\n"
        "print('pint' in sys.modules, 'cartlandscape.loading' in sys.modules, data)"
    )
    assert out == "False False []"


def test_import_registers_no_pint_registry_even_after_models() -> None:
    """Building a record without values needs no pint."""
    out = _run(
        "import sys, cartlandscape as c\n"
        "c.Target(id='x', name='X', citations=(c.Citation(source='s', locator='l'),))\n"
        "print('pint' in sys.modules)"
    )
    assert out == "False"


def test_public_names_resolve() -> None:
    """Every name in __all__ is importable."""
    for name in cartlandscape.__all__:
        assert getattr(cartlandscape, name) is not None


def _declared() -> list[tuple[str, str, str | None]]:
    """``(module, name, alias)`` of every import in the package's ``TYPE_CHECKING`` block."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(cartlandscape.__file__).read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                found.extend((statement.module or "", a.name, a.asname) for a in statement.names)
    return found


def test_public_names_are_written_once_and_exported_for_type_checkers() -> None:
    """Each name appears once, as ``X as X`` (an explicit re-export), and __all__ is that list."""
    declared = _declared()
    names = [name for _, name, _ in declared]
    assert len(names) == len(set(names))
    assert [n for _, n, alias in declared if alias != n] == []
    assert sorted([*names, "__version__"]) == sorted(cartlandscape.__all__)
    for module, name, _ in declared:
        value = getattr(cartlandscape, name)
        assert getattr(importlib.import_module(module), name) is value


def test_top_level_api_has_the_analysis_functions() -> None:
    from cartlandscape import compare, pool, rank, summarize, to_csv, to_dataframe, to_json

    assert compare.__module__ == "cartlandscape.compare"
    assert rank.__module__ == compare.__module__
    assert pool.__module__ == "cartlandscape.pooling"
    assert summarize.__module__ == "cartlandscape.summary"
    assert {f.__module__ for f in (to_csv, to_dataframe, to_json)} == {"cartlandscape.export"}


def test_every_public_name_is_typed_for_a_type_checker(tmp_path: Path) -> None:
    """mypy sees every name of __all__, imported from the top level, with its real type."""
    api = pytest.importorskip("mypy.api")
    names = [n for n in cartlandscape.__all__ if n != "__version__"]
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        f"from cartlandscape import {', '.join(names)}, __version__\n"
        + "".join(f"reveal_type({n})\n" for n in [*names, "__version__"]),
        encoding="utf-8",
    )
    out, err, _status = api.run(
        ["--strict", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary", str(snippet)]
    )
    revealed = [line for line in out.splitlines() if "Revealed type is" in line]
    problems = [line for line in out.splitlines() if ": error:" in line]
    assert problems == [], out + err
    assert len(revealed) == len(names) + 1
    untyped = [line for line in revealed if '"Any"' in line]
    assert untyped == []


def test_compare_stays_the_function_after_its_module_is_imported() -> None:
    """Importing the compare module (as pooling does) does not replace the public function."""
    out = _run(
        "import cartlandscape, cartlandscape.pooling, cartlandscape.compare as c\n"
        "from cartlandscape import compare\n"
        "import sys\n"
        "print(callable(compare), compare is c, compare.__module__,"
        " sys.modules['cartlandscape.compare'].Comparison.__name__)"
    )
    assert out == "True True cartlandscape.compare Comparison"
