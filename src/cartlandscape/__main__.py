"""``python -m cartlandscape`` runs the command line."""

import sys

from cartlandscape.cli import main

sys.exit(main())
