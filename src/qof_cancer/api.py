"""The Python API: `run(...)` computes the indicators and returns the same tables the command line writes.

>>> import qof_cancer
>>> result = qof_cancer.run("patients.csv", "events.csv", year="2023-24")
>>> result.summary.to_pylist()[0]["achievement_pct"]

`run_readings(...)` evaluates the rules under several readings of their settings on one load of the
inputs (what `qof-cancer reconcile` compares); `run(..., readings=...)` evaluates them inside a run, on
the run's own load (`result.readings`). Both are the pipeline's (`qof_cancer.pipeline`); a run's
features are its `features=` argument, by default `FEATURES` (worklist, data quality, benchmarks).
"""

from __future__ import annotations

from qof_cancer.outputs.registry import workbook_facts
from qof_cancer.pipeline import FEATURES, REJECT_COLUMNS, Reading, RunResult, run, run_readings

__all__ = ["RunResult", "Reading", "run", "run_readings", "FEATURES", "REJECT_COLUMNS", "workbook_facts"]
