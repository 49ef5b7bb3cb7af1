"""Text helpers shared by lookups, queries and matching rules.

>>> normalize("Inati-cel"), normalize("KYMRIAH®"), normalize("TNFRSF17 / BCMA")
('inaticel', 'kymriah', 'tnfrsf17bcma')
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """The key names are compared by: case, spaces and punctuation ignored.

    >>> normalize("Ｃｄ１９")
    'cd19'
    """
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold is lower
        return _NOT_ALNUM.sub("", text.lower())
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())
