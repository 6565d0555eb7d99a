"""``python -m teapot``: the teapot command line (teapot/cli.py)."""

import sys

from teapot.cli import main

sys.exit(main())
