"""Spark's settings, measured: whole `qof-cancer run --engine spark` runs, one setting changed at a time.

    python bench/spark_grid.py FOLDER [--settings 'spark.sql.shuffle.partitions=2' ...] [--before SRC]

FOLDER holds patients.parquet and events.parquet (bench/run.py makes them in bench/out/pcn-SIZE). Each
setting is given to the run through `QOF_SPARK_CONF` (pairs separated by `;`). The machine is noisy, so
the run with the defaults is repeated between the settings (default, `--between` settings, default, ...) and
each setting's ratio is to the mean of the default runs around it. `--before SRC` adds a run of another
copy of the package (its `src` folder, e.g. the tree before a change) to compare with the defaults.
Every run's compared files must equal the DuckDB run's (made first), or the script says which differ.
Prints a Markdown table (command, seconds, ratio to the default).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPARED = ("outcomes.csv", "summary.csv", "indicator_values.csv", "rejects.csv")
GRID = (
    "spark.sql.shuffle.partitions=2",
    "spark.sql.shuffle.partitions=200",
    "spark.sql.adaptive.enabled=false",
    "spark.sql.autoBroadcastJoinThreshold=-1",
)


def _command(folder: Path, engine: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "qof_cancer", "run", "--patients", str(folder / "patients.parquet")] + [
        "--events",
        str(folder / "events.parquet"),
        "--year",
        "2024-25",
        "--engine",
        engine,
        "--out",
        str(out),
    ]


def _timed(cmd: list[str], conf: str = "", src: Path | None = None) -> float:
    """Wall seconds of `cmd` in a fresh process (bench/measure.py), with `QOF_SPARK_CONF=conf`."""
    env = {**os.environ, "QOF_SPARK_CONF": conf, "PYTHONPATH": str(src or ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "measure.py"), *cmd], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return float(done.stdout.split()[-2])


def _differs(a: Path, b: Path) -> list[str]:
    def rows(path: Path) -> list[str] | None:
        return sorted(path.read_text().splitlines()) if path.exists() else None

    return [name for name in COMPARED if rows(a / name) != rows(b / name)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--settings", nargs="*", default=list(GRID), help="key=value[;key=value]")
    parser.add_argument("--before", type=Path, default=None, help="a src folder to compare with")
    parser.add_argument("--out", type=Path, default=Path("/tmp/qof-spark-grid"))
    parser.add_argument("--between", type=int, default=2, help="settings run between two default runs")
    args = parser.parse_args()
    duckdb_out = args.out / "duckdb"
    _timed(_command(args.folder, "duckdb", duckdb_out))
    runs: list[tuple[str, float, list[str]]] = []

    def spark(label: str, conf: str = "", src: Path | None = None) -> float:
        out = args.out / f"spark-{len(runs)}"
        seconds = _timed(_command(args.folder, "spark", out), conf, src)
        runs.append((label, seconds, _differs(duckdb_out, out)))
        print(runs[-1], flush=True)
        return seconds

    trials = [(s, s, None) for s in args.settings]
    if args.before:
        trials.insert(0, (f"before (PYTHONPATH={args.before})", "", args.before))
    defaults = [spark("defaults")]
    ratios = []
    for i in range(0, len(trials), args.between):
        pair = [(label, spark(label, conf, src)) for label, conf, src in trials[i : i + args.between]]
        defaults.append(spark("defaults"))
        base = (defaults[-2] + defaults[-1]) / 2
        ratios += [(label, seconds, seconds / base) for label, seconds in pair]
    print(f"\nFolder {args.folder}; `QOF_SPARK_CONF=<setting> python -m qof_cancer run ... --engine spark`\n")
    print("| setting | seconds | ratio to the defaults |\n|---|---:|---:|")
    print(f"| defaults ({len(defaults)} runs) | {' / '.join(f'{s:.0f}' for s in defaults)} | 1.00 |")
    for label, seconds, ratio in ratios:
        print(f"| `{label}` | {seconds:.0f} | {ratio:.2f} |")
    differing = [(label, d) for label, _, d in runs if d]
    print("\nFiles differing from DuckDB's:", differing or "none")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
