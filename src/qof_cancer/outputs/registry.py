"""The run folder's files, as a registry of renderers over one run: each registered once with its file.

`render_run_folder` writes every file of a run (`qof-cancer run`, and `qof-cancer serve`, which runs the
same pipeline) into a staging folder. Large tables are written by the engine where it can (DuckDB's
`COPY ... TO`), so outcomes never pass through Python rows; the bytes are the same either way.
The dashboard's worklist download uses `workbook_facts` from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qof_cancer.engine.compiler import OUTCOME_COLUMNS
from qof_cancer.outputs.files import write_arrow_csv, write_json, write_rows_csv, write_table_csv
from qof_cancer.outputs.report import _tool_version, write_report
from qof_cancer.outputs.worklist_excel import write_worklist_workbook

__all__ = ["Renderer", "Rendering", "RENDERERS", "render_run_folder", "workbook_facts", "run_metadata"]

OUTCOMES_ORDER = ("practice_code", "indicator", "patient_id")


@dataclass(frozen=True)
class Rendering:
    """What renderers read: the run's result (an `api.RunResult`), its store's backend while the run is
    open (None after), and the summary's columns."""

    result: Any
    backend: Any
    summary_columns: tuple[str, ...]


@dataclass(frozen=True)
class Renderer:
    """One output: the file (or `<table>.csv` pattern) it writes, and how; it returns the paths written."""

    file: str
    render: Callable[[Rendering, Path], Iterable[Path]]


def _outcomes(r: Rendering, out: Path) -> list[Path]:
    con = getattr(r.backend, "con", None)
    target = out / "outcomes.csv"
    if con is not None:  # the engine writes it (DuckDB); other engines' rows are already on the result
        return [write_table_csv(con, "outcomes", OUTCOME_COLUMNS, OUTCOMES_ORDER, target)]
    return [write_arrow_csv(r.result.outcomes, target)]


def _summary(r: Rendering, out: Path) -> list[Path]:
    return [write_rows_csv(out / "summary.csv", r.summary_columns, r.result.summary_rows())]


def _rejects(r: Rendering, out: Path) -> list[Path]:
    # Only when there were rejects; the staging folder removes an earlier run's rejects.csv otherwise.
    return [write_arrow_csv(r.result.rejects, out / "rejects.csv")] if r.result.rejects.num_rows else []


def _tables(r: Rendering, out: Path) -> list[Path]:
    return [write_arrow_csv(table, out / f"{name}.csv") for name, table in r.result.tables.items()]


def _workbook(r: Rendering, out: Path) -> list[Path]:
    return write_worklist_workbook(
        r.result.tables, out / "worklist.xlsx", workbook_facts(r.result), ruleset=r.result.ruleset
    )


def _run_json(r: Rendering, out: Path) -> list[Path]:
    return [write_json(out / "run.json", run_metadata(r.result))]


def _report(r: Rendering, out: Path) -> list[Path]:
    return [write_report(r.result, out / "report.html")]


RENDERERS: tuple[Renderer, ...] = (
    Renderer("outcomes.csv", _outcomes),
    Renderer("summary.csv", _summary),
    Renderer("rejects.csv", _rejects),
    Renderer("<table>.csv", _tables),  # indicator_values and every feature table
    Renderer("worklist.xlsx", _workbook),
    Renderer("run.json", _run_json),
    Renderer("report.html", _report),
)


def render_run_folder(rendering: Rendering, out: Path) -> list[Path]:
    """Every registered output of the run into `out` (a staging folder), in registry order."""
    written: list[Path] = []
    for renderer in RENDERERS:
        written += renderer.render(rendering, out)
    return written


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
