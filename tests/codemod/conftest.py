"""The codemod is imported as the pipeline imports it: ``<repo>/tools`` on sys.path, ``codemod.*``."""

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
