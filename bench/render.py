"""docs/performance.md from the measurements of bench/run.py: tables, ratios and the targets' verdicts."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

READ_PHASE = "Reading and checking the input files"


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
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[1]
    except OSError:
        return "unknown"


def _phase(phases: list[list], name: str) -> float:
    return sum(seconds for phase, seconds in phases if phase == name)


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def render(rows, args, phases, phase_size, features, settings) -> str:
    """The whole page."""
    from run import FULL_SQL, SCAN_SQL  # the one definition of each floor

    last = rows[-1]
    lines = [
        "# Performance",
        "",
        "<!-- Written by `make bench` (bench/run.py and bench/render.py). Edit the text there, not here. -->",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}; load average over the last five "
        f"minutes when the page was written: {_load()}.",
        "The machine is shared and noisy: the DuckDB figures are "
        + (f"the median of {args.repeat} runs" if args.repeat > 1 else "from one run")
        + ", Spark's from one run a size, and the ratios (run ÷ floor, measured in the same "
        "bench run) matter more than the seconds.",
        "",
        "Reproduce: `make bench` (or `.venv/bin/python bench/run.py --sizes "
        f"{args.sizes} --spark-sizes '{args.spark_sizes}'"
        + (f" --features-size {args.features_size}" if args.features_size is not None else "")
        + f" --repeat {args.repeat}`).",
        "",
        "- **run**: `qof-cancer run --patients patients.parquet --events events.parquet --year 2024-25 --out ...`: "
        "reads and checks both files, computes 2023-24 (income protection) and 2024-25, the worklist, data "
        "quality and benchmarks, and writes every output.",
        f"- **scan**: the least any engine must do, one DuckDB pass over the events: `{SCAN_SQL}`.",
        "- **full**: the floor for a run that checks every row: every column read and each event joined to "
        f"its patient, `{FULL_SQL}`.",
        "- **spark**: the run on a local Spark session (2 cores, `--engine spark`), JVM start included; its "
        "output files (" + ", ".join(f"`{c}`" for c in _compared()) + ") compared row for row with DuckDB's.",
        "- **peak**: the largest resident memory of the measured process tree (GiB), the Spark JVM included.",
        "",
        "| patients | events | run (s) | run peak (GiB) | scan (s) | run ÷ scan | full (s) | run ÷ full "
        "| spark (s) | spark ÷ run | spark peak (GiB) | spark = DuckDB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        spark = "- | - | - | -"
        if r.get("spark_failed"):
            spark = f"failed: {r['spark_failed']} | - | - | -"
        elif r.get("spark_s"):
            same = "yes" if not r["spark_differs"] else "no: " + ", ".join(r["spark_differs"])
            spark = f"{r['spark_s']:.1f} | {r['spark_s'] / r['run_s']:.1f} | {r['spark_gib']:.2f} | {same}"
        lines.append(
            f"| {r['patients']:,} | {r['events']:,} | {r['run_s']:.1f} | {r['run_gib']:.2f} | {r['scan_s']:.2f} | "
            f"{r['run_s'] / r['scan_s']:.1f} | {r['full_s']:.2f} | {r['run_s'] / r['full_s']:.1f} | {spark} |"
        )
    if len(rows) > 1:
        first = rows[0]
        growth = (last["run_s"] / first["run_s"]) / (last["patients"] / first["patients"])
        lines += [
            "",
            f"From {first['patients']:,} to {last['patients']:,} patients the run time grew "
            f"{last['run_s'] / first['run_s']:.1f}-fold for a {last['patients'] / first['patients']:.0f}-fold "
            f"larger input ({growth:.2f} of linear; below 1 means fixed start-up costs dominate small runs).",
        ]
    lines += ["", "![Time against size](images/performance.png)", ""]
    lines += _phase_table(phases, phase_size, last)
    lines += _spark_tables(rows)
    lines += _features_table(features)
    lines += _settings_table(settings)
    lines += _targets(rows, phases, features)
    return "\n".join(lines) + "\n"


def _compared() -> tuple[str, ...]:
    from run import COMPARED

    return COMPARED


def _phase_table(phases, size, last) -> list[str]:
    out = [
        f"## Where the time goes (DuckDB, {size:,} patients, one run)",
        "",
        "The run's own progress messages, timed (`bench/phases.py`); the ratio is to the full floor of the "
        "same size.",
        "",
        "| phase | seconds | ÷ full |",
        "|---|---:|---:|",
    ]
    out += [f"| {name} | {seconds:.2f} | {seconds / last['full_s']:.2f} |" for name, seconds in phases]
    return [*out, ""]


def _spark_tables(rows) -> list[str]:
    spark = [r for r in rows if r.get("spark_phases")]
    if not spark:
        return []
    names = list(dict.fromkeys(name for r in spark for name, _ in r["spark_phases"]))
    out = [
        "## Spark, phase by phase (local session, 2 cores)",
        "",
        "`Starting Spark` is the JVM start and the session; reading and checking includes building the "
        "cached staging tables; collect is the time spent bringing results from the JVM into Python.",
        "",
        "| phase | " + " | ".join(f"{r['patients']:,} patients (s)" for r in spark) + " |",
        "|---|" + "---:|" * len(spark),
    ]
    for name in names:
        out.append(
            f"| {name} | " + " | ".join(f"{_phase(r['spark_phases'], name):.2f}" for r in spark) + " |"
        )
    out.append("| **total** | " + " | ".join(f"{r['spark_s']:.2f}" for r in spark) + " |")
    return [*out, ""]


def _features_table(features) -> list[str]:
    if not features:
        return []
    bare = features["bare"][0]
    labels = {
        "bare": "bare run: inputs, both years' rules, the output files; no features",
        "worklist": "the bare run and the worklist",
        "quality": "the bare run and data quality",
        "features": "the run as `qof-cancer run` does it: worklist, data quality, benchmarks",
        "reconcile": "the same, with the rules under two readings in the same run (`run(readings=)`)",
    }
    out = [
        f"## Features switched on ({features['patients']:,} patients, `bench/features.py`)",
        "",
        "| run | seconds | ÷ bare | peak (GiB) |",
        "|---|---:|---:|---:|",
    ]
    for mode, label in labels.items():
        if mode not in features:  # a results file from before the mode was measured
            continue
        seconds, gib = features[mode]
        out.append(f"| {label} | {seconds:.1f} | {seconds / bare:.2f} | {gib:.2f} |")
    return [*out, ""]


def _settings_table(settings) -> list[str]:
    if not settings:
        return []
    runs = settings["runs"]
    out = [
        f"## Spark settings, measured ({settings['patients']:,} patients, one run each)",
        "",
        "Each row changes one setting from the defaults of a local run (`QOF_SPARK_PARTITIONS=4`, "
        "`QOF_SPARK_DRIVER_MEMORY=2g`; `spark.sql.shuffle.partitions` and `spark.driver.memory`). "
        "Reproduce: `.venv/bin/python bench/run.py --sizes "
        f"{settings['patients']} --spark-sizes '' --features-size 0 --spark-settings-size {settings['patients']}`.",
        "",
        "| shuffle partitions | driver memory | seconds | reading and checking (s) | peak (GiB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        out.append(
            f"| {r['partitions']} | {r['driver_memory']} | {r['seconds']:.1f} | "
            f"{_phase(r['phases'], READ_PHASE):.1f} | {r['gib']:.2f} |"
        )
    best = min(runs, key=lambda r: r["seconds"])
    out += [
        "",
        f"Fastest here: {best['partitions']} shuffle partitions with a {best['driver_memory']} driver. A "
        "shuffle partition is a task; on a cluster, set `spark.sql.shuffle.partitions` to a small multiple "
        "of the executor cores rather than Spark's default of 200, which the 200-partition row prices on "
        "two cores. The driver's memory only holds what is collected into Python (outcomes, worklist rows), "
        "not the events, so it needs to grow with the number of patients, not events.",
        "",
    ]
    return out


def _targets(rows, phases, features) -> list[str]:
    last = rows[-1]
    run_full = last["run_s"] / last["full_s"]
    read = _phase(phases, READ_PHASE)
    out = [
        f"## Targets (issue 18), at {last['patients']:,} patients",
        "",
        f"- End to end within 3x the full floor: {run_full:.1f}x, {_verdict(run_full <= 3)}.",
        f"- Reading and checking the inputs within 1.5x the full floor: {read / last['full_s']:.1f}x "
        f"({read:.2f} s against {last['full_s']:.2f} s), {_verdict(read <= 1.5 * last['full_s'])}.",
        f"- Peak memory under 2 GB: {last['run_gib']:.2f} GiB, {_verdict(last['run_gib'] < 2)}.",
    ]
    if features:
        ratio = features["reconcile"][0] / features["bare"][0]
        out.append(
            f"- Every feature on (worklist, data quality, reconcile of two readings) within 1.5x of the bare "
            f"run: {ratio:.2f}x, {_verdict(ratio <= 1.5)}."
        )
    spark = [r for r in rows if r.get("spark_s")]
    if spark:
        big = spark[-1]
        out.append(
            f"- Spark at {big['patients']:,} patients measured with its phase table; results identical to "
            f"DuckDB's: {'yes' if not big['spark_differs'] else 'no (' + ', '.join(big['spark_differs']) + ')'}."
        )
    out += ["", NOTES]
    return out


NOTES = """## What the checks cost, and where the rest goes

- **Reading and checking** (`src/qof_cancer/inputs/validate.py`) makes one pass over each file's rows,
  after one read of the events' code column alone for its distinct codes (Parquet stores that column
  dictionary encoded, so this read costs a few per cent of the full floor). Dates and numbers that the
  file already types stay typed: a DATE is tested as a DATE and becomes text only for the few rows
  written to `rejects.csv`. Each row's checks are one OR in the filter, which the engine stops at the
  first true term; which checks a row failed is worked out afterwards, for the flagged rows only. The
  SNOMED CT and local-code checks, the trimming of codes and the test against the run's code lists run
  once per distinct code, and each row is tested against the few codes that keep their rows (the run's
  own and bad ones), as a list of constants (a join for more than 1,000; decision 32). What remains above the
  full floor is the text normalisation of each row's patient id, episode and unit (surrounding spaces
  are trimmed), the patients file's checks, and keeping the rows the run uses.
- **Blank lines in a CSV** are found by a byte search of the file (at the speed of the disk); only a
  file that has one between records is read again, record by record, to count them.
- **The features** (worklist scenarios, data-quality impacts, benchmarks, the reconcile readings) are
  scenarios of the run's one store: the reconcile readings are evaluated in the same run, on the inputs
  read and checked once, and an evaluation identical to one the store holds (the worklist's year end as
  it stands at the year end, the worklist done in a closed year, last year for PCA monitoring, the
  reading with the run's own settings) shares its tables instead of being computed again (decision 26).
  What needs nothing of the practice's data (the published figures the benchmarks read and their
  model, the report's templates) is prepared on a thread of its own while the rules run (decision 30).
- **Writing the output files**: on DuckDB every CSV is written by the engine (`COPY`, from the store or
  from an Arrow table scanned in place) with the bytes Python's writer gives, and a table of more than
  100,000 rows gets a Parquet file beside it (decision 25). The files are written in lanes side by
  side (decisions 29 and 31): the worklist workbook (XlsxWriter, decision 28) and the report, built in
  Python, beside the engine's COPY of outcomes and beside its COPYs of the other tables, each lane
  through a cursor of its own. Python also builds the worklist and benchmark tables before they are
  written."""
