"""``python -m archiveren`` runs the command line."""

import sys

from archiveren.cli import main

sys.exit(main())
