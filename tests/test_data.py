"""Checks of the bundled data: every record, parametrized by id so a failure names it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import cartlandscape
from cartlandscape import Registry
from cartlandscape.models import Citation, Record
from cartlandscape.tools.canonical import canonical_text
from cartlandscape.vocabulary import Endpoint

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _kind_and_id(record: Record) -> str:
    return f"{record.kind}:{record.id}"


#: Every bundled record, one case each named ``kind:id``.
each_record = pytest.mark.bundled("record", Registry.records, ids=_kind_and_id)


def _citations(value: object) -> Iterator[Citation]:
    if isinstance(value, Citation):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _citations(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _citations(item)


def test_bundled_data_loads_with_a_version(bundled: Registry) -> None:
    """The bundled registry loads, and says its release and as-of date."""
    assert bundled.version is not None
    assert len(bundled) > 0


@each_record
def test_every_record_cites_an_existing_source(record: Record, bundled: Registry) -> None:
    """Every record except a source cites at least one source that exists."""
    cited = list(_citations(record))
    if record.kind != "source":
        assert cited, "no citation"
    for citation in cited:
        assert citation.source in bundled.sources.ids


@each_record
def test_every_record_round_trips_through_the_converter(record: Record) -> None:
    """Each record structures back to itself from its unstructured form."""
    conv = cartlandscape.converter()
    assert conv.structure(conv.unstructure(record, type(record)), type(record)) == record


@each_record
def test_no_date_is_later_than_the_data_version(record: Record, bundled: Registry) -> None:
    """No milestone, publication or statement is dated after the data's as-of date."""
    assert bundled.version is not None
    limit = bundled.version.as_of
    dates = [getattr(record, "published", None), getattr(record, "as_of", None)]
    dates += [m.date for m in getattr(record, "milestones", ())]
    for date in dates:
        assert date is None or date <= limit


@pytest.mark.bundled("outcome", lambda reg: reg.outcomes)
def test_outcome_counts_agree_with_the_rate(outcome: cartlandscape.Outcome) -> None:
    """Where n, responders and an exact percentage are all given, they agree to rounding."""
    from cartlandscape.values import Exact

    value = outcome.value
    known = outcome.n and outcome.responders is not None
    if known and isinstance(value, Exact) and value.unit == "percent":
        assert outcome.n is not None
        assert outcome.responders is not None
        assert abs(100 * outcome.responders / outcome.n - value.magnitude) <= 0.55


@pytest.mark.bundled("outcome", lambda reg: reg.outcomes)
def test_outcome_rates_are_proportions_and_medians_are_times(
    outcome: cartlandscape.Outcome,
) -> None:
    """Each outcome's value has the dimension its endpoint expects."""
    expected = "[time]" if outcome.endpoint.dimension == "time" else "dimensionless"
    assert outcome.value.dimensionality == expected
    assert isinstance(outcome.endpoint, Endpoint)


@pytest.mark.bundled("therapy", lambda reg: reg.therapies)
def test_every_name_of_a_therapy_resolves_to_it(
    therapy: cartlandscape.Therapy, bundled: Registry
) -> None:
    """lookup() finds each therapy by its id, name, INN, brands, codes and aliases."""
    for name in therapy.names():
        assert bundled.lookup(name) is therapy


@pytest.mark.bundled("therapy", lambda reg: [t for t in reg.therapies if t.is_approved])
def test_approved_products_have_targets_and_a_first_approval(
    therapy: cartlandscape.Therapy,
) -> None:
    """An approved product names its target and has a first approval with an agency."""
    assert therapy.targets
    assert therapy.first_approval() is not None


def _patterns() -> dict[str, tuple[str, str]]:
    bioregistry = pytest.importorskip("bioregistry")
    return {
        prefix: (bioregistry.get_pattern(prefix), bioregistry.get_name(prefix))
        for prefix in ("hgnc", "uniprot", "mondo", "icd10", "ror", "doi", "clinicaltrials")
    }


def _identifiers(reg: Registry) -> Iterator[tuple[str, str, str]]:
    for target in reg.targets:
        if target.hgnc:
            yield target.id, "hgnc", target.hgnc.removeprefix("HGNC:")
        if target.uniprot:
            yield target.id, "uniprot", target.uniprot
    for indication in reg.indications:
        if indication.mondo:
            yield indication.id, "mondo", indication.mondo.removeprefix("MONDO:")
        for code in indication.icd10:
            yield indication.id, "icd10", code
    yield from _reference_identifiers(reg)


def _reference_identifiers(reg: Registry) -> Iterator[tuple[str, str, str]]:
    for institution in reg.institutions:
        if institution.ror:
            yield institution.id, "ror", institution.ror
    for source in reg.sources:
        if source.doi:
            yield source.id, "doi", source.doi
    for outcome in reg.outcomes:
        registry_id = outcome.study.registry_id if outcome.study else None
        if registry_id and registry_id.startswith("NCT"):
            yield outcome.id, "clinicaltrials", registry_id


@pytest.mark.bundled(("record", "prefix", "identifier"), _identifiers, ids=":".join)
def test_identifiers_match_their_registry_pattern(
    record: str, prefix: str, identifier: str
) -> None:
    """HGNC, UniProt, MONDO, ICD-10, ROR, DOI and NCT ids match bioregistry's patterns."""
    pattern, name = _patterns()[prefix]
    assert re.match(pattern, identifier), f"{identifier!r} is not a valid {name} id"


SEED_FILES = sorted(p for p in SEEDS.rglob("*") if p.suffix in (".toml", ".json"))


@pytest.mark.parametrize("path", SEED_FILES, ids=[str(p.relative_to(SEEDS)) for p in SEED_FILES])
def test_seed_files_are_in_canonical_form(path: Path) -> None:
    """Each seed file is exactly what the canonical writer produces."""
    data = path.read_bytes()
    assert canonical_text(str(path), data) == data.decode("utf-8"), (
        f"{path.name} is not in canonical form; "
        "run: python -m cartlandscape.tools canonical --write"
    )


def test_seeds_readme_documents_every_file() -> None:
    """seeds/README.md names every seed file."""
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    missing = [
        str(p.relative_to(SEEDS)) for p in SEED_FILES if str(p.relative_to(SEEDS)) not in readme
    ]
    assert not missing, f"seeds/README.md does not describe {missing}"


def test_seeds_readme_data_dictionary_is_current() -> None:
    """The data dictionary in seeds/README.md matches the record classes."""
    from cartlandscape.tools.datadict import splice

    text = (SEEDS / "README.md").read_text(encoding="utf-8")
    assert splice(text) == text, "run: python -m cartlandscape.tools datadict --write"
