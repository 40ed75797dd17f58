"""Benchmarks: the full `qof-cancer run` against the least any engine must do, from 10k to 1M patients.

    python bench/run.py [--sizes 10000,100000,1000000] [--spark-size 100000] [--repeat 3]

For each size it generates a synthetic PCN (about 100 events a patient, Parquet; cached in bench/out),
then measures in one process each, in the same run so ratios compare like with like on a noisy machine:
- `run`: the full command line (load and check both files, both years' rules, every output file);
- `scan`: one DuckDB scan-and-aggregate of the same events file (count and latest date per code);
- `spark`: the full run with `--engine spark` (local, 2 cores), at the Spark size only.
It writes docs/performance.md (machine, commands, table, ratios) and docs/images/performance.png.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

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


def _generate(size: int) -> Path:
    folder = OUT / f"pcn-{size}"
    if not (folder / "events.parquet").exists():
        practices = max(1, size // PER_PRACTICE)
        cmd = [
            str(BIN / "qof-cancer"),
            "synth",
            "--practices",
            str(practices),
            "--patients-per-practice",
            str(size // practices),
            "--seed",
            "7",
            "--format",
            "parquet",
            "--background-events",
            "100",
            "--no-planted",
            "--out",
            str(folder),
        ]
        print(f"generating {size:,} patients: {' '.join(cmd[1:])}", flush=True)
        subprocess.run(cmd, check=True)
    return folder


def _measure(cmd: list[str]) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "measure.py"), *cmd], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    seconds, kib = done.stdout.split()[-2:]
    return float(seconds), int(kib) / 1024 / 1024  # seconds, GiB


def _commands(folder: Path, engine: str = "duckdb") -> dict[str, list[str]]:
    events = folder / "events.parquet"
    return {
        "run": [
            str(BIN / "qof-cancer"),
            "run",
            "--patients",
            str(folder / "patients.parquet"),
            "--events",
            str(events),
            "--year",
            "2024-25",
            "--engine",
            engine,
            "--out",
            str(folder / f"result-{engine}"),
        ],
        "scan": [
            sys.executable,
            "-c",
            f'import duckdb; duckdb.sql("{SCAN_SQL.format(events=events)}").fetchall()',
        ],
        "full": [
            sys.executable,
            "-c",
            f'import duckdb; duckdb.sql("{FULL_SQL.format(events=events, patients=folder / "patients.parquet")}").fetchall()',
        ],
    }


def _phases(folder: Path) -> list[list]:
    import json

    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "phases.py"), str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _events(folder: Path) -> int:
    import duckdb

    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder / 'events.parquet'}')").fetchall()[0][0]


def _plot(rows: list[dict], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["patients"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(sizes, [r["run_s"] for r in rows], "o-", color="#005eb8", label="qof-cancer run (DuckDB)")
    ax.plot(sizes, [r["scan_s"] for r in rows], "s--", color="#768692", label="scan baseline")
    spark = [r for r in rows if r.get("spark_s")]
    if spark:
        ax.plot(
            [r["patients"] for r in spark],
            [r["spark_s"] for r in spark],
            "^",
            color="#da291c",
            label="qof-cancer run (Spark local)",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("patients (about 100 events each)")
    ax.set_ylabel("wall time, seconds (median)")
    ax.set_title("Time against size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--spark-size", type=int, default=100_000, help="0 to skip Spark")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        folder = _generate(size)
        row: dict = {"patients": size, "events": _events(folder)}
        cmds = _commands(folder)
        for name in ("run", "scan", "full"):
            samples = [_measure(cmds[name]) for _ in range(args.repeat)]
            row[f"{name}_s"] = statistics.median(s for s, _ in samples)
            row[f"{name}_gib"] = max(m for _, m in samples)
        if size == args.spark_size:
            samples = [_measure(_commands(folder, "spark")["run"]) for _ in range(max(1, args.repeat - 1))]
            row["spark_s"] = statistics.median(s for s, _ in samples)
            row["spark_gib"] = max(m for _, m in samples)
        print(row, flush=True)
        rows.append(row)
    phases = _phases(_generate(sizes[-1]))
    _plot(rows, ROOT / "docs" / "images" / "performance.png")
    args.doc.write_text(_render(rows, args, phases, sizes[-1]), encoding="utf-8")
    print(f"wrote {args.doc}")
    return 0


def _render(rows: list[dict], args, phases: list[list], phase_size: int) -> str:
    lines = [
        "# Performance",
        "",
        "<!-- Written by `make bench` (bench/run.py). Edit the text in bench/run.py, not here. -->",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        "The machine is shared and noisy: each figure is the median of "
        f"{args.repeat} runs, and the ratios (run ÷ scan, measured in the same run) matter more than the seconds.",
        "",
        "Reproduce: `make bench` (or `.venv/bin/python bench/run.py --sizes "
        f"{args.sizes} --spark-size {args.spark_size} --repeat {args.repeat}`).",
        "",
        "- **run**: `qof-cancer run --patients patients.parquet --events events.parquet --year 2024-25 --out ...`: "
        "reads and checks both files, computes 2023-24 (income protection) and 2024-25, writes every output.",
        f"- **scan**: the least any engine must do, one DuckDB pass over the events: `{SCAN_SQL}`.",
        "- **full**: a fairer floor for a run that checks every row: every column read and each event joined to "
        f"its patient, `{FULL_SQL}`.",
        "- **spark**: the same `run` with `--engine spark` on a local session (2 cores), JVM start included.",
        "- Peak memory: the largest resident set of the measured process (GiB).",
        "",
        "| patients | events | run (s) | run peak (GiB) | scan (s) | run ÷ scan | full (s) | run ÷ full | spark (s) "
        "| spark peak (GiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        spark = f"{r['spark_s']:.1f} | {r['spark_gib']:.2f}" if r.get("spark_s") else "- | -"
        lines.append(
            f"| {r['patients']:,} | {r['events']:,} | {r['run_s']:.1f} | {r['run_gib']:.2f} | {r['scan_s']:.2f} | "
            f"{r['run_s'] / r['scan_s']:.1f} | {r['full_s']:.2f} | {r['run_s'] / r['full_s']:.1f} | {spark} |"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["run_s"] / first["run_s"]) / (last["patients"] / first["patients"])
        lines += [
            "",
            f"From {first['patients']:,} to {last['patients']:,} patients the run time grew "
            f"{last['run_s'] / first['run_s']:.1f}-fold for a {last['patients'] / first['patients']:.0f}-fold "
            f"larger input ({growth:.2f} of linear; below 1 means fixed start-up costs dominate small runs).",
        ]
    lines += [
        "",
        "![Time against size](images/performance.png)",
        "",
        f"## Where the time goes ({phase_size:,} patients, one run)",
        "",
        "| phase | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in phases]
    lines += ["", "## Targets", "", TARGETS_TEXT]
    return "\n".join(lines) + "\n"


TARGETS_TEXT = """Targets on the 2-core, 24 GB machine: 1M patients / 100M events end to end in under 60 s, peak
memory under 6 GB, within 3x of the scan baseline, growing linearly with size.

- **Time and memory** (1M patients under 60 s, under 6 GB): met, with a wide margin; see the last row of
  the table.
- **Growth**: at most linear. Fixed costs (Python start-up, loading the code lists, the HTML report)
  dominate small runs, so time grows much less than size between 10k and 1M patients.
- **Within 3x of the scan baseline**: not met. The scan reads two columns of the events, both dictionary
  encoded, and aggregates them. A run must read every column of every event (patient id, code, date,
  episode, value, unit), check each row against its patient (a hash join to every patient, for unknown
  patients and records before birth) and against the code checks, and keep every flagged row with its row
  number for `rejects.csv`; the **full** column measures just the reads and the join, and is itself two to
  three times the scan. The phase table shows where the rest goes: the input checks take most of the run, the
  rules themselves (both years) well under a second even at 1M patients, and the worklist and data-quality
  features a second or two. The checks are not optional (bad input must be reported, never dropped), so the
  remaining gap is the price of checking every row; what could still be shaved is one pass (the distinct-code
  pass for the SNOMED checks could fold into the main scan).
- **Spark** (local, 2 cores): slower than DuckDB at every size measured here, by JVM start-up and per-stage
  scheduling that only pay back on a cluster. Its peak memory counts the Python driver only: the JVM is not a
  waited-for child of the measured process, so its memory is not in the figure."""


if __name__ == "__main__":
    sys.exit(main())
