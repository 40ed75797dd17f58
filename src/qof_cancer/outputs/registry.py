"""The run folder's files, as a registry of renderers over one run: each registered once with its file.

`render_run_folder` writes every file of a run (`qof-cancer run`, and `qof-cancer serve`, which runs the
same pipeline) into a staging folder. On DuckDB every table's CSV is written by the engine (`COPY ...
TO`): the outcomes, the rejects and the feature tables kept in the store are read from it, never passing
through Python rows, and the small tables built in Python (Arrow) are scanned in place; on Spark and
PostgreSQL the rows come to Python as Arrow and Python writes them. The bytes are the same either way.
A table of more than `PARQUET_ROWS` rows also gets `<name>.parquet` beside its CSV (the typed values,
for tools that read Parquet; docs/worklists.md). The dashboard's worklist download uses
`workbook_facts` from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from qof_cancer.engine.compiler import OUTCOME_COLUMNS
from qof_cancer.engine.run import REJECT_COLUMNS, REJECTS_ORDER
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.outputs.files import (
    write_arrow_csv,
    write_arrow_csv_by_engine,
    write_arrow_parquet,
    write_json,
    write_rows_csv,
    write_table_csv,
    write_table_parquet,
)
from qof_cancer.outputs.report import _tool_version, compile_templates, write_report
from qof_cancer.outputs.worklist_excel import write_worklist_workbook

__all__ = [
    "Renderer",
    "Rendering",
    "RENDERERS",
    "PARQUET_ROWS",
    "render_run_folder",
    "workbook_facts",
    "run_metadata",
]

OUTCOMES_ORDER = ("practice_code", "indicator", "patient_id")
# A table of more rows than this gets <name>.parquet beside <name>.csv (docs/worklists.md, "Output files").
PARQUET_ROWS = 100_000


@dataclass(frozen=True)
class Rendering:
    """What renderers read: the run's result (an `api.RunResult`), its store's backend while the run is
    open (None after), and the summary's columns."""

    result: Any
    backend: Any
    summary_columns: tuple[str, ...]


@dataclass(frozen=True)
class Renderer:
    """One output: the file (or `<table>.csv` pattern) it writes, and how; it returns the paths written.

    `lane`: where the file is written on DuckDB (`render_run_folder`). The files of one lane are written
    one after another; lane "main" on the calling thread, each other lane on a thread and a cursor of its
    own, beside the others. The files built in Python from the run's Arrow tables (the workbook, the
    report) share the lane "python", since they take turns on the interpreter anyway; the largest file
    the engine writes (outcomes) has a lane of its own.

    `prepare`: work the file needs that takes nothing from the run (compiling the report's templates),
    done on a thread beside the rules (as `Feature.prepare`)."""

    file: str
    render: Callable[[Rendering, Path], Iterable[Path]]
    lane: str = "main"
    prepare: Callable[[], object] | None = None


def _store_table(
    r: Rendering,
    name: str,
    table: str,
    columns: tuple[str, ...],
    order: tuple[str, ...],
    rows: int,
    out: Path,
) -> list[Path]:
    """A table of the run's store (DuckDB) as `<name>.csv`, and `<name>.parquet` when it is large."""
    written = [write_table_csv(r.backend.con, table, columns, order, out / f"{name}.csv")]
    if rows > PARQUET_ROWS:
        written.append(write_table_parquet(r.backend.con, table, columns, order, out / f"{name}.parquet"))
    return written


def _arrow_table(r: Rendering, name: str, table: pa.Table, out: Path) -> list[Path]:
    """An Arrow table as `<name>.csv` (written by DuckDB where the run is on it), and `<name>.parquet`
    when it is large."""
    con = getattr(r.backend, "con", None)
    target = out / f"{name}.csv"
    written = [
        write_arrow_csv(table, target) if con is None else write_arrow_csv_by_engine(con, table, target)
    ]
    if table.num_rows > PARQUET_ROWS:
        written.append(write_arrow_parquet(table, out / f"{name}.parquet"))
    return written


def _on_duckdb(r: Rendering) -> bool:
    return getattr(r.backend, "con", None) is not None


def _outcomes(r: Rendering, out: Path) -> list[Path]:
    rows = r.result.outcomes.num_rows
    if _on_duckdb(r):  # the engine writes it; other engines' rows are already on the result
        return _store_table(r, "outcomes", "outcomes", OUTCOME_COLUMNS, OUTCOMES_ORDER, rows, out)
    return _arrow_table(r, "outcomes", r.result.outcomes, out)


def _summary(r: Rendering, out: Path) -> list[Path]:
    return [write_rows_csv(out / "summary.csv", r.summary_columns, r.result.summary_rows())]


def _rejects(r: Rendering, out: Path) -> list[Path]:
    # Only when there were rejects; the staging folder removes an earlier run's rejects.csv otherwise.
    rows = r.result.rejects.num_rows
    if not rows:
        return []
    if _on_duckdb(r):
        return _store_table(r, "rejects", "rejects", REJECT_COLUMNS, REJECTS_ORDER, rows, out)
    return _arrow_table(r, "rejects", r.result.rejects, out)


def _tables(r: Rendering, out: Path) -> list[Path]:
    tables, written = r.result.tables, []
    for name in tables:
        stored = tables.stored(name) if hasattr(tables, "stored") else None
        if stored is not None and _on_duckdb(r):  # kept in the store: written from it, not fetched
            rows = tables.num_rows(name, r.backend)
            written += _store_table(r, name, stored.name, stored.columns, stored.order, rows, out)
        else:
            written += _arrow_table(r, name, tables[name], out)
    return written


def _workbook(r: Rendering, out: Path) -> list[Path]:
    return write_worklist_workbook(
        r.result.tables, out / "worklist.xlsx", workbook_facts(r.result), ruleset=r.result.ruleset
    )


def _run_json(r: Rendering, out: Path) -> list[Path]:
    return [write_json(out / "run.json", run_metadata(r.result))]


def _report(r: Rendering, out: Path) -> list[Path]:
    return [write_report(r.result, out / "report.html")]


RENDERERS: tuple[Renderer, ...] = (
    Renderer("outcomes.csv", _outcomes, lane="outcomes"),
    Renderer("summary.csv", _summary),
    Renderer("rejects.csv", _rejects),
    Renderer("<table>.csv", _tables),  # indicator_values and every feature table
    Renderer("worklist.xlsx", _workbook, lane="python"),
    Renderer("run.json", _run_json),
    Renderer("report.html", _report, lane="python", prepare=compile_templates),
)


def render_run_folder(rendering: Rendering, out: Path) -> list[Path]:
    """Every registered output of the run into `out` (a staging folder); the paths in registry order.

    On DuckDB the lanes (`Renderer.lane`) are written side by side: a COPY leaves Python free, so the
    workbook and the report are built while the engine writes outcomes.csv and the other tables, and the
    phase costs about its longest lane. A DuckDB connection refuses a call while it is busy with another,
    so each lane but "main" works through a cursor of its own, and the tables the files read from the
    store are fetched through one more (under the tables' lock). Elsewhere the files are written one by one. An error
    in any lane is raised once every lane has stopped, and the caller drops the staging folder.
    """
    if not _on_duckdb(rendering):
        return [path for renderer in RENDERERS for path in renderer.render(rendering, out)]
    lanes: dict[str, list[Renderer]] = {}
    for renderer in RENDERERS:
        lanes.setdefault(renderer.lane, []).append(renderer)
    main = lanes.pop("main", [])
    con, result = rendering.backend.con, rendering.result
    with ExitStack() as stack:

        def cursor() -> DuckDBBackend:  # every cursor is made before the pool, so closed after it
            own = con.cursor()
            stack.callback(own.close)
            return DuckDBBackend(own)

        beside = [
            (renderers, Rendering(result, cursor(), rendering.summary_columns))
            for renderers in lanes.values()
        ]
        stack.enter_context(result.tables.fetching_through(cursor().arrow))  # one fetch at a time
        pool = stack.enter_context(
            ThreadPoolExecutor(max_workers=max(len(beside), 1), thread_name_prefix="qof-cancer-render")
        )
        futures = [pool.submit(_render_lane, renderers, lane, out) for renderers, lane in beside]
        written = dict(_render_lane(main, rendering, out))
        for future in futures:
            written |= future.result()
    return [path for renderer in RENDERERS for path in written[renderer.file]]


def _render_lane(renderers: list[Renderer], rendering: Rendering, out: Path) -> list[tuple[str, list[Path]]]:
    """The files of one lane, one after another: (renderer's file, paths written) each."""
    return [(renderer.file, list(renderer.render(rendering, out))) for renderer in renderers]


def workbook_facts(result: Any) -> dict[str, str]:
    """The run, in words, for the About sheet of worklist.xlsx."""
    period = result.period
    return {
        "QOF year": period.year.id + (f" (local scheme: {period.year.scheme})" if period.year.scheme else ""),
        "Achievement date": f"{period.ach.day} {period.ach:%B %Y}"
        + (" (in-year: where things stand on that day)" if period.in_year else ""),
        "Practices": ", ".join(
            sorted({r["practice_code"] for r in result.summary_rows() if r["practice_code"]})
        ),
    }


def run_metadata(result: Any) -> dict:
    """run.json: the tool, year, dates, settings, code lists, warnings (lists and engine) and input counts."""
    year = result.period.year
    return {
        "tool": f"qof-cancer {_tool_version()}",
        "year": year.id,
        "rules_version": year.rules_version,
        "ppsd": year.ppsd,
        "pped": year.pped,
        "achievement_date": result.period.ach,
        "in_year": result.period.in_year,
        "year_note": year.derived_note,
        "scheme": result.ruleset.scheme,
        "settings": {i.id: {k: str(v) for k, v in i.settings.items()} for i in result.ruleset.indicators},
        "clusters": result.clusters.as_dict(),
        "warnings": result.clusters.warnings() + list(getattr(result, "warnings", [])),
        "input": result.load.as_dict(),
    }
