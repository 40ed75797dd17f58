"""One run with a chosen set of features, for the features series of bench/run.py.

    python bench/features.py FOLDER bare|features|reconcile

- bare: read and check the inputs, both years' rules, every output file; no worklist, data quality or
  benchmarks (the run's feature list emptied for this process only);
- features: the run as `qof-cancer run` does it (worklist, data quality, benchmarks);
- reconcile: the features run, then the rules under two readings of the national rules, as
  `qof-cancer reconcile` evaluates them (`api.run_readings`).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    from qof_cancer import api
    from qof_cancer.model import load_ruleset
    from qof_cancer.reconcile import READINGS, reading_settings

    features = () if mode == "bare" else api.FEATURES
    patients, events = folder / "patients.parquet", folder / "events.parquet"
    api.run(patients, events, year="2024-25", out=folder / f"result-{mode}", features=features)
    if mode == "reconcile":
        ruleset = load_ruleset()
        two = list(READINGS.items())[:2]
        api.run_readings(
            patients,
            events,
            {name: reading_settings(ruleset, values) for name, values in two},
            year="2024-25",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
