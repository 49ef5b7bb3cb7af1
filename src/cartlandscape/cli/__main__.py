"""``python -m cartlandscape.cli`` runs the command line."""

import sys

from cartlandscape.cli import main

if __name__ == "__main__":
    sys.exit(main())
