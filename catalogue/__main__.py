"""``python -m catalogue build --out DIR`` / ``python -m catalogue serve``."""

import sys

from catalogue.cli import main

sys.exit(main())
