"""Where the time of one `run` goes, phase by phase: `python bench/phases.py FOLDER` prints JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> int:
    folder = Path(sys.argv[1])
    started = time.perf_counter()
    from qof_cancer import api

    phases: list[list] = [["import the package", time.perf_counter() - started]]
    last = [time.perf_counter(), "set up (rules, code lists)"]

    def say(message: str) -> None:
        now = time.perf_counter()
        phases.append([last[1], now - last[0]])
        last[:] = [now, message]

    api.run(
        folder / "patients.parquet",
        folder / "events.parquet",
        year="2024-25",
        out=folder / "result-phases",
        progress=say,
    )
    say("done")
    print(json.dumps(phases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
