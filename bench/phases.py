"""Where the time of one `run` goes, phase by phase: `python bench/phases.py FOLDER [ENGINE]` prints JSON.

The phases are the run's own progress messages (starting the engine, reading and checking, each year's
rules, each feature, writing), plus two that the messages do not separate: the time spent bringing
results from the engine into Python ("collect", taken out of the phase it happened in) and stopping the
engine's session.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> int:
    folder = Path(sys.argv[1])
    engine = sys.argv[2] if len(sys.argv) > 2 else "duckdb"
    started = time.perf_counter()
    from qof_cancer import api
    from qof_cancer.inputs import backends

    phases: list[list] = [["import the package", time.perf_counter() - started]]
    last = [time.perf_counter(), "set up (rules, code lists)"]
    collected = [0.0]
    stopping = [0.0]

    def say(message: str) -> None:
        now = time.perf_counter()
        phases.append([last[1], now - last[0] - collected[0] - stopping[0]])
        if collected[0]:
            phases.append(["collect results into Python", collected[0]])
        if stopping[0]:
            phases.append(["stop the engine", stopping[0]])
        collected[0] = stopping[0] = 0.0
        last[:] = [now, message]

    def timed(method, into):
        def wrapper(self, *args):
            begun = time.perf_counter()
            try:
                return method(self, *args)
            finally:
                into[0] += time.perf_counter() - begun

        return wrapper

    for cls in (backends.DuckDBBackend, backends.SparkBackend):
        cls.arrow = timed(cls.arrow, collected)
        cls.close = timed(cls.close, stopping)

    api.run(
        folder / "patients.parquet",
        folder / "events.parquet",
        year="2024-25",
        out=folder / f"result-phases-{engine}",
        progress=say,
        engine=engine,
    )
    say("done")
    print(json.dumps(phases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
