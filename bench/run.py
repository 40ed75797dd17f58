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
    }


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
        for name in ("run", "scan"):
            samples = [_measure(cmds[name]) for _ in range(args.repeat)]
            row[f"{name}_s"] = statistics.median(s for s, _ in samples)
            row[f"{name}_gib"] = max(m for _, m in samples)
        if size == args.spark_size:
            samples = [_measure(_commands(folder, "spark")["run"]) for _ in range(max(1, args.repeat - 1))]
            row["spark_s"] = statistics.median(s for s, _ in samples)
            row["spark_gib"] = max(m for _, m in samples)
        print(row, flush=True)
        rows.append(row)
    _plot(rows, ROOT / "docs" / "images" / "performance.png")
    args.doc.write_text(_render(rows, args), encoding="utf-8")
    print(f"wrote {args.doc}")
    return 0


def _render(rows: list[dict], args) -> str:
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
        "- **spark**: the same `run` with `--engine spark` on a local session (2 cores), JVM start included.",
        "- Peak memory: the largest resident set of the measured process (GiB).",
        "",
        "| patients | events | run (s) | run peak (GiB) | scan (s) | run ÷ scan | spark (s) | spark peak (GiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        spark = f"{r['spark_s']:.1f} | {r['spark_gib']:.2f}" if r.get("spark_s") else "- | -"
        lines.append(
            f"| {r['patients']:,} | {r['events']:,} | {r['run_s']:.1f} | {r['run_gib']:.2f} | {r['scan_s']:.2f} | "
            f"{r['run_s'] / r['scan_s']:.1f} | {spark} |"
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
    lines += ["", "![Time against size](images/performance.png)", "", "## Targets", "", TARGETS_TEXT]
    return "\n".join(lines) + "\n"


TARGETS_TEXT = """Targets on the 2-core, 24 GB machine: 1M patients / 100M events end to end in under 60 s, peak
memory under 6 GB, within 3x of the scan baseline, growing linearly with size. See the table above for
where each stands; the notes below say why any gap remains."""


if __name__ == "__main__":
    sys.exit(main())
