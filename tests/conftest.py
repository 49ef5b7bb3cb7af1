"""Test configuration: hypothesis profiles, and the bundled registry loaded once.

``HYPOTHESIS_PROFILE=ci`` (set by .ci/run) runs more examples; the default ``dev`` profile is
fast for local runs.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

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


@pytest.fixture(scope="session")
def bundled() -> Registry:
    """The bundled registry, loaded once for the whole run; it is shared, so only read it."""
    import cartlandscape  # after the cache folder above is set

    return cartlandscape.registry()
