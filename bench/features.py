"""One run with a chosen set of features, for the features series of bench/run.py.

    python bench/features.py FOLDER bare|worklist|quality|features|reconcile [OUT]

- bare: read and check the inputs, both years' rules, every output file; no worklist, data quality or
  benchmarks (the run's `features=` empty);
- worklist: the bare run and the worklist;
- quality: the bare run and data quality;
- features: the run as `qof-cancer run` does it (worklist, data quality, benchmarks);
- reconcile: the features run, with the rules under two readings of the national rules evaluated in
  the same run (`api.run(readings=...)`), as `qof-cancer reconcile` evaluates them.

The run folder is written to OUT (default FOLDER/result-MODE).
"""

from __future__ import annotations

import sys
from pathlib import Path

MODES = ("bare", "worklist", "quality", "features", "reconcile")


def main() -> int:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else folder / f"result-{mode}"
    if mode not in MODES:
        print(f"mode {mode!r}: choose one of {', '.join(MODES)}", file=sys.stderr)
        return 2
    from qof_cancer import api
    from qof_cancer.model import load_ruleset
    from qof_cancer.quality import FEATURE as DATA_QUALITY
    from qof_cancer.reconcile import READINGS, reading_settings
    from qof_cancer.worklist import FEATURE as WORKLIST

    features = {"bare": (), "worklist": (WORKLIST,), "quality": (DATA_QUALITY,)}.get(mode, api.FEATURES)
    readings = None
    if mode == "reconcile":
        ruleset = load_ruleset()
        two = list(READINGS.items())[:2]
        readings = {name: reading_settings(ruleset, values) for name, values in two}
    patients, events = folder / "patients.parquet", folder / "events.parquet"
    api.run(patients, events, year="2024-25", out=out, features=features, readings=readings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
