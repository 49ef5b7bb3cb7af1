"""Test configuration: hypothesis profiles, and the bundled registry built once per run.

``HYPOTHESIS_PROFILE=ci`` (set by .ci/run) runs more examples; the default ``dev`` profile is
fast for local runs.

No test module builds a registry or reads the bundled data when it is imported.  A test that
reads the bundled registry takes the session fixture ``bundled``; a test parametrized by
bundled records is marked ``@pytest.mark.bundled(argnames, select, ids=...)``, and
:func:`pytest_generate_tests` calls ``select`` with the registry at collection.  Both go through
:func:`bundled_registry`, so a run builds the bundled registry at most once, and only if a
collected test needs it.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from cartlandscape import Registry

# The parse cache of the bundled seeds goes to a folder of the test run, not the user's cache.
os.environ.setdefault("CARTLANDSCAPE_CACHE", tempfile.mkdtemp(prefix="cartlandscape-cache-"))

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # without the test extra, the modules that need it are skipped
    pass
else:
    settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
    settings.register_profile(
        "dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@functools.cache
def bundled_registry() -> Registry:
    """The bundled registry, built on the first call (at collection or setup) and then shared."""
    import cartlandscape  # after the cache folder above is set

    return cartlandscape.registry()


def _holdings(registry: Registry) -> tuple[object, tuple[int, ...]]:
    """What *registry* holds: its version and the very record objects, in data order."""
    return registry.version, tuple(map(id, registry.records()))


@pytest.fixture(scope="session")
def bundled() -> Iterator[Registry]:
    """The bundled registry, one for the whole run and the very one collection parametrized from.

    Every test that takes it shares it, so it is only read: a registry offers no way to change
    it and its records are frozen (``tests/test_suite_rules.py`` checks that), and a test that
    needs other data builds its own registry (``tests/builders.py``).  At the end of the run
    the fixture checks that the registry still holds the same version and records.
    """
    registry = bundled_registry()
    held = _holdings(registry)
    yield registry
    assert _holdings(registry) == held, "a test changed the shared bundled registry"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "bundled(argnames, select, ids=None): parametrize a test with select(bundled registry), "
        "each case named ids(value), by default the record's id",
    )


def _record_id(value: Any) -> str:
    """A case's name: the id of a record, else the text of the value."""
    return str(getattr(value, "id", value))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize each test marked ``bundled`` with the values its ``select`` draws.

    ``@pytest.mark.bundled("outcome", lambda reg: reg.outcomes)`` runs the test once per
    bundled outcome, named by the outcome's id; ``ids`` (a function of one value) names the
    cases otherwise.  The registry is built here only for such a test, once per run.
    """
    for mark in metafunc.definition.iter_markers("bundled"):
        argnames, select = mark.args
        select_: Callable[[Registry], Iterable[Any]] = select
        label: Callable[[Any], str] = mark.kwargs.get("ids", _record_id)
        values = list(select_(bundled_registry()))
        metafunc.parametrize(argnames, values, ids=[label(v) for v in values])
