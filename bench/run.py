"""Benchmarks: the full `qof-cancer run` against the least any engine must do, from 10k to 1M patients.

    python bench/run.py [--sizes 10000,100000,1000000] [--spark-sizes 100000,1000000] [--repeat 3]

For each size it generates a synthetic PCN (about 100 events a patient, Parquet; cached in bench/out),
then measures in one process each, in the same run so ratios compare like with like on a noisy machine:
- `run`: the full command line (load and check both files, both years' rules, every output file);
- `scan`: one DuckDB scan-and-aggregate of the same events file (count and latest date per code);
- `full`: every column of the events read and joined to its patient (the floor for a checked read);
- `spark`: the run with `--engine spark` (local, 2 cores) at the Spark sizes, with its phase table, and
  its output files compared with DuckDB's;
- `features`: at the features size, the run without features, with the worklist alone, with data
  quality alone, with every feature, and with every feature and a reconcile of two readings in the same
  run.
It writes docs/performance.md (machine, commands, tables, ratios) and docs/images/performance.png.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from render import render

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
PER_PRACTICE = 10_000
SCAN_SQL = "SELECT code, count(*), max(date) FROM read_parquet('{events}') GROUP BY code"
# A fairer floor for a run that must check every row: read every column and join each row to its patient.
FULL_SQL = (
    "SELECT count(*), count(DISTINCT e.code), count(e.episode), count(e.value), count(e.unit) "
    "FROM read_parquet('{events}') e JOIN read_parquet('{patients}') p USING (patient_id) "
    "WHERE e.date >= p.date_of_birth"
)
# The files both engines write: they must be identical, row for row.
COMPARED = ("outcomes.csv", "summary.csv", "indicator_values.csv", "rejects.csv")
# Spark's settings are measured apart (`--spark-settings-size`), so that the main bench need not repeat them.
SETTINGS = OUT / "spark_settings.json"


def _generate(size: int) -> Path:
    folder = OUT / f"pcn-{size}"
    if not (folder / "events.parquet").exists():
        practices = max(1, size // PER_PRACTICE)
        cmd = [str(BIN / "qof-cancer"), "synth", "--practices", str(practices)]
        cmd += ["--patients-per-practice", str(size // practices), "--seed", "7", "--format", "parquet"]
        cmd += ["--background-events", "100", "--no-planted", "--out", str(folder)]
        print(f"generating {size:,} patients: {' '.join(cmd[1:])}", flush=True)
        subprocess.run(cmd, check=True)
    return folder


def _measure(cmd: list[str], stdout: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (GiB, the whole process tree) of `cmd` in a fresh process."""
    env = {**os.environ, **(env or {}), **({"BENCH_STDOUT": str(stdout)} if stdout else {})}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "measure.py"), *cmd], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    seconds, kib = done.stdout.split()[-2:]
    return float(seconds), int(kib) / 1024 / 1024


def _commands(folder: Path) -> dict[str, list[str]]:
    events, patients = folder / "events.parquet", folder / "patients.parquet"
    duckdb_sql = 'import duckdb; duckdb.sql("{}").fetchall()'
    return {
        "run": [str(BIN / "qof-cancer"), "run", "--patients", str(patients), "--events", str(events)]
        + ["--year", "2024-25", "--out", str(folder / "result-duckdb")],
        "scan": [sys.executable, "-c", duckdb_sql.format(SCAN_SQL.format(events=events))],
        "full": [sys.executable, "-c", duckdb_sql.format(FULL_SQL.format(events=events, patients=patients))],
    }


def _phases(folder: Path, engine: str, env: dict | None = None) -> tuple[float, float, list[list]]:
    """One run through bench/phases.py: seconds, peak GiB and the phase table."""
    target = folder / f"phases-{engine}.json"
    seconds, gib = _measure(
        [sys.executable, str(ROOT / "bench" / "phases.py"), str(folder), engine], target, env
    )
    return seconds, gib, json.loads(target.read_text().strip().splitlines()[-1])


def _same_results(folder: Path, engine: str) -> list[str]:
    """The compared files whose rows differ between the DuckDB run and this engine's run."""

    def rows(path: Path) -> list[str] | None:
        return sorted(path.read_text().splitlines()) if path.exists() else None

    return [
        name
        for name in COMPARED
        if rows(folder / "result-duckdb" / name) != rows(folder / f"result-phases-{engine}" / name)
    ]


def _events(folder: Path) -> int:
    import duckdb

    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder / 'events.parquet'}')").fetchall()[0][0]


def _median(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


def _spark_settings(folder: Path):
    """The Spark settings that a local run exposes, one at a time from the defaults (4 shuffle partitions,
    a 2 GB driver; the default run is the Spark row of the main table): each run's seconds, peak memory
    and phases."""
    grid = [("200", "2g"), ("16", "2g"), ("4", "1g")]
    for partitions, memory in grid:
        env = {"QOF_SPARK_PARTITIONS": partitions, "QOF_SPARK_DRIVER_MEMORY": memory}
        seconds, gib, phases = _phases(folder, "spark", env)
        run = {"partitions": partitions, "driver_memory": memory, "seconds": seconds, "gib": gib}
        print(run, flush=True)
        yield {**run, "phases": phases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--spark-sizes", default="100000,1000000", help="empty to skip Spark")
    parser.add_argument("--features-size", type=int, default=None, help="default: the largest size; 0 skips")
    parser.add_argument("--spark-settings-size", type=int, default=0, help="measure Spark's settings here")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--keep", type=Path, default=OUT / "results.json", help="measurements, as JSON")
    parser.add_argument("--render-only", action="store_true", help="rewrite the page from --keep's results")
    args = parser.parse_args()
    if args.render_only:
        kept = json.loads(args.keep.read_text())
        _plot(kept["rows"], args.doc.parent / "images" / "performance.png")
        page = render(
            kept["rows"],
            args,
            kept["phases"],
            kept["rows"][-1]["patients"],
            kept["features"],
            json.loads(SETTINGS.read_text()) if SETTINGS.exists() else None,
        )
        args.doc.write_text(page, encoding="utf-8")
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    spark_sizes = [int(s) for s in args.spark_sizes.split(",") if s]
    features_size = sizes[-1] if args.features_size is None else args.features_size
    results = {"rows": [], "phases": [], "features": None}

    def save() -> None:
        # After every step, so that a bench stopped part way (Spark at 1M is long) keeps what it measured;
        # `--render-only` writes the page from it.
        args.keep.parent.mkdir(parents=True, exist_ok=True)
        args.keep.write_text(json.dumps(results))

    rows = results["rows"]
    for size in sizes:
        folder = _generate(size)
        row: dict = {"patients": size, "events": _events(folder)}
        cmds = _commands(folder)
        for name in ("run", "scan", "full"):
            row[f"{name}_s"], row[f"{name}_gib"] = _median([_measure(cmds[name]) for _ in range(args.repeat)])
        print(row, flush=True)
        rows.append(row)
        save()
    largest = _generate(sizes[-1])
    _, _, results["phases"] = _phases(largest, "duckdb")
    save()
    if features_size:
        folder = _generate(features_size)
        features = {"patients": features_size}
        for mode in ("bare", "worklist", "quality", "features", "reconcile"):
            cmd = [sys.executable, str(ROOT / "bench" / "features.py"), str(folder), mode]
            features[mode] = _median([_measure(cmd) for _ in range(args.repeat)])
        print(features, flush=True)
        results["features"] = features
        save()
    if args.spark_settings_size:
        folder = _generate(args.spark_settings_size)
        settings = {"patients": args.spark_settings_size, "runs": []}
        for run in _spark_settings(folder):
            settings["runs"].append(run)
            SETTINGS.write_text(json.dumps(settings))
    for row in rows:
        if row["patients"] not in spark_sizes:
            continue
        # Spark runs are long: measured once a size, each run also giving its phase table.
        folder = _generate(row["patients"])
        try:
            row["spark_s"], row["spark_gib"], row["spark_phases"] = _phases(folder, "spark")
            row["spark_differs"] = _same_results(folder, "spark")
        except SystemExit as failed:  # reported on the page, not lost with the rest of the bench
            row["spark_failed"] = str(failed).strip().splitlines()[-1][:300]
        print({k: v for k, v in row.items() if k != "spark_phases"}, flush=True)
        save()
    phases, features = results["phases"], results["features"]
    settings = json.loads(SETTINGS.read_text()) if SETTINGS.exists() else None
    _plot(rows, args.doc.parent / "images" / "performance.png")
    args.doc.write_text(render(rows, args, phases, sizes[-1], features, settings), encoding="utf-8")
    print(f"wrote {args.doc}")
    return 0


def _plot(rows: list[dict], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["patients"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(sizes, [r["run_s"] for r in rows], "o-", color="#005eb8", label="qof-cancer run (DuckDB)")
    ax.plot(sizes, [r["full_s"] for r in rows], "d:", color="#41b6e6", label="full floor (read and join)")
    ax.plot(sizes, [r["scan_s"] for r in rows], "s--", color="#768692", label="scan floor")
    spark = [r for r in rows if r.get("spark_s")]
    if spark:
        ax.plot(
            [r["patients"] for r in spark],
            [r["spark_s"] for r in spark],
            "^-",
            color="#da291c",
            label="qof-cancer run (Spark local)",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("patients (about 100 events each)")
    ax.set_ylabel("wall time, seconds")
    ax.set_title("Time against size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)


if __name__ == "__main__":
    sys.exit(main())
