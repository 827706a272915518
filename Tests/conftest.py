"""Makes the shared Python test helpers in Tests/pysupport importable by every test folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "pysupport"))
