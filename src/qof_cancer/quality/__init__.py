"""Data quality: the coding that costs achievement, and how to fix it.

`FEATURE` plugs into `api.run` (see engine/context.py): after the indicators it writes
`data_quality.csv` (one row per fault found, with the fix and what it changes) and
`data_quality_summary.csv` (a count of each check per practice). `make_feature(settings)` builds the
same feature with other check settings (the duplicate interval, ...). It runs on the run's backend
(DuckDB or Spark). Each check is a module of `quality.checks`; docs/data-quality.md describes every
check.
"""

from __future__ import annotations

from functools import partial

from qof_cancer.engine.context import Feature
from qof_cancer.quality.catalogue import CHECKS, REJECT_CHECKS, CheckInfo
from qof_cancer.quality.codes import extra_clusters
from qof_cancer.quality.compute import DATA_QUALITY_COLUMNS, SUMMARY_COLUMNS, compute_data_quality
from qof_cancer.quality.reading import QualitySettings

__all__ = [
    "CHECKS",
    "REJECT_CHECKS",
    "CheckInfo",
    "DATA_QUALITY_COLUMNS",
    "SUMMARY_COLUMNS",
    "FEATURE",
    "QualitySettings",
    "make_feature",
]


def make_feature(settings: QualitySettings | None = None) -> Feature:
    """The data-quality feature with these settings (defaults: QualitySettings())."""
    return Feature("data quality", partial(compute_data_quality, settings=settings), extra_clusters)


FEATURE = make_feature()
