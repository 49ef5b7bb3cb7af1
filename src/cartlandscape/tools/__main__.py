"""``python -m cartlandscape.tools TOOL --check|--write [PATH...]`` runs a maintainer tool."""

import sys

from cartlandscape.tools._common import dispatch

sys.exit(dispatch(sys.argv[1:]))
