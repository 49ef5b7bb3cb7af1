"""Extend cartlandscape's models with a field of your own, and load your own data with it.

A lab keeps its therapies under internal codes.  It subclasses ``Therapy`` with an
``internal_code`` field, registers the subclass under the kind tag ``internal-therapy``, and
loads its files (examples/own_data/) together with the bundled data.  Records of the new kind
are therapies like any other: queries find them, lookups find them (by their internal code too),
and they convert to plain data and back.

Run it from anywhere: ``python examples/extend_models.py``.  All data in examples/own_data/
are made up.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import attrs

import cartlandscape

OWN_DATA = Path(__file__).resolve().parent / "own_data"


@attrs.frozen(kw_only=True)
class InternalTherapy(cartlandscape.Therapy):
    """A therapy with the code the lab tracks it under (``LAB-`` and three digits)."""

    # The internal code is a name the record can be looked up by, besides the usual ones.
    name_fields: ClassVar[tuple[str, ...]] = (*cartlandscape.Therapy.name_fields, "internal_code")

    internal_code: str = attrs.field(validator=attrs.validators.matches_re(r"^LAB-\d{3}$"))


def _short(file: str | None) -> str:
    """A file's name below examples/ (the bundled ones as they are)."""
    path = Path(file or "")
    return str(path.relative_to(OWN_DATA.parent)) if path.is_relative_to(OWN_DATA) else str(path)


def main() -> None:
    cartlandscape.register_kind("internal-therapy", InternalTherapy)
    reg = cartlandscape.load(OWN_DATA / "trials", OWN_DATA / "extended")
    print(f"Loaded {len(reg)} records: the bundled data {reg.version} and examples/own_data/.")

    therapy = reg.lookup("LAB-002", kind="therapy")
    print(f"\nLAB-002 is {therapy.name} ({type(therapy).__name__}, id {therapy.id!r})")
    print(f"  from {_short(reg.origin(therapy))}")

    print("\nTherapies directed against CD19, bundled and our own:")
    for found in reg.therapies_for(target="CD19"):
        mine = " (ours)" if _short(reg.origin(found)).startswith("own_data") else ""
        code = getattr(found, "internal_code", None)
        print(f"  {found.name}{mine}" + (f", internal code {code}" if code else ""))

    print("\nOur candidate's results (made-up figures):")
    for outcome in reg.outcomes_for(therapy="EXH-19"):
        print(f"  {outcome.label} (n={outcome.n}, responders={outcome.responders})")

    print("\nBundled records our files replace:")
    for override in reg.overrides:
        by = _short(override.file)
        print(f"  {override.kind} {override.id!r} of {override.replaced_file}, by {by}")

    converter = cartlandscape.converter()
    data = converter.unstructure(therapy)
    same = converter.structure(data, InternalTherapy) == therapy
    print(f"\nAs plain data, internal_code={data['internal_code']!r}; read back equal: {same}")


if __name__ == "__main__":
    main()
