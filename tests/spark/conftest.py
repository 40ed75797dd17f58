"""Spark tests need PySpark and Java. `make test` installs both and sets QOF_REQUIRE_SPARK=1, so there a
missing piece fails the run instead of skipping it."""

from __future__ import annotations

import os
import shutil

import pytest


def pytest_collection_modifyitems(config, items):
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("PySpark (pip install 'qof-cancer[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("Java")
    if not missing:
        return
    if os.environ.get("QOF_REQUIRE_SPARK") == "1":
        raise pytest.UsageError(f"Spark tests required but missing: {', '.join(missing)}")
    skip = pytest.mark.skip(reason=f"needs {', '.join(missing)}")
    for item in items:
        if "tests/spark" in str(item.fspath):
            item.add_marker(skip)
