"""Refresh docs/images/dashboard-*.png: run the browser tests with screenshots kept in docs/images.

    PYTHONPATH=src python docs/screenshots.py

The pages are those of the demo PCN's seed (two practices of 2,000 synthetic patients, 2025-26 in-year under
the example local scheme, so the pounds are real). docs/images/report.png is the demo's 2023-24 in-year report
(`qof-cancer demo`, then a 1,400 px screenshot of the top of `demo-output/2023-24-in-year/report.html`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    os.environ["QOF_SCREENSHOTS"] = "docs"
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "tests/web/test_browser.py"]))
