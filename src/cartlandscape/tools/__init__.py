"""Maintainer tools: the files generated from the code and the data, kept up to date.

Each tool rewrites generated files (``--write``) or only checks them (``--check``: it says
what is out of date, changes nothing and exits 1)::

    python -m cartlandscape.tools canonical --write    # the seed files in canonical form
    python -m cartlandscape.tools unitfacts --write    # unitfacts.json, after seeds or units.txt
    python -m cartlandscape.tools datadict --write     # the data dictionary of seeds/README.md
    python -m cartlandscape.tools coverage --write     # the coverage table of seeds/README.md
    python -m cartlandscape.tools all --check          # every tool, as a test run would

Without paths a tool works on the bundled data: the seeds folder, its ``README.md`` and the
package's ``unitfacts.json``.  Paths may be given to work on other files or folders
(``canonical --check seeds/therapies.toml``).  A file is replaced whole or not at all
(:mod:`cartlandscape.atomic`).  Each tool is a module of this package with a ``main`` taking
the arguments after the tool's name.
"""

from __future__ import annotations

from typing import Final

__all__ = ["TOOLS"]

#: The tools, by the name given on the command line (each is a module of this package).
TOOLS: Final = ("canonical", "unitfacts", "datadict", "coverage")
