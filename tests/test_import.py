from __future__ import annotations

import subprocess
import sys

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
