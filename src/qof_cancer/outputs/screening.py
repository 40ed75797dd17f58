"""Write the screening tables into the practice's output folder, and print the short terminal summary.

Every file is written atomically. Patient-level lists (non_responders, contacts_to_correct,
results_pending, rejects) stay in this folder; pcn_summary.csv is the only file meant to be shared.
The terminal shows counts only.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from qof_cancer.outputs.files import write_arrow_csv, write_json
from qof_cancer.screening.run import SHARED_TABLES, ScreeningResult

__all__ = ["write_screening_outputs", "print_screening_summary", "SCREENING_FILES"]

SCREENING_FILES = (
    "coverage",
    "non_responders",
    "groups",
    "contacts",
    "contacts_to_correct",
    "results_pending",
    "plan_progress",
    "pcn_summary",
    "rejects",
)


def _metadata(result: ScreeningResult, tool: str) -> dict:
    return {
        "tool": tool,
        "as_of": result.as_of,
        "settings": result.settings.source,
        "programmes": {
            p.id: {
                "ages": [{"from": a.start, "min": a.min, "max": a.max} for a in p.ages],
                "ages_in_force": f"{p.ages_on(result.as_of).min}-{p.ages_on(result.as_of).max}",
                "window_months": p.window_months,
                "standard_pct": p.standard_pct,
                "standard_source": p.standard_source,
            }
            for p in result.settings.programmes
        },
        "clusters": result.clusters.as_dict(),
        "warnings": result.warnings,
        "shared_files": [f"{name}.csv" for name in SHARED_TABLES],
        "input": result.load.as_dict(),
    }


def write_screening_outputs(
    result: ScreeningResult, out: Path, tool: str = "qof-cancer screening"
) -> list[Path]:
    """Write `<name>.csv` for every table and `screening.json` (naming `tool`); remove stale optional files."""
    out = Path(out)
    written = []
    for name in SCREENING_FILES:
        target = out / f"{name}.csv"
        if name in result.tables:
            written.append(write_arrow_csv(result.tables[name], target))
        elif name in ("plan_progress", "rejects"):
            target.unlink(missing_ok=True)  # from an earlier run, it would mislead
    written.append(write_json(out / "screening.json", _metadata(result, tool)))
    return written


def print_screening_summary(result: ScreeningResult, console: Console) -> None:
    """Per practice and PCN, per programme: eligible, covered, %, standard; counts only."""
    table = Table(title=f"Cancer screening coverage at {result.as_of.isoformat()}", title_justify="left")
    for name, justify in (("Practice", "left"), ("Programme", "left"), ("Eligible", "right")):
        table.add_column(name, justify=justify)
    for name in ("Covered", "Coverage", "Standard", "Not covered", "Groups below"):
        table.add_column(name, justify="right")
    below: dict[tuple, int] = {}
    for g in result.tables["groups"].to_pylist():
        if g["flag"] == "clearly below":
            k = (g["level"], g["practice_code"], g["programme"])
            below[k] = below.get(k, 0) + 1
    rows = result.tables["coverage"].to_pylist()
    for i, r in enumerate(rows):
        who = r["practice_code"] or f"PCN {r['pcn_code'] or ''}".strip()
        pct = "" if r["coverage_pct"] is None else f"{r['coverage_pct']:.1f}%"
        std = "" if r["standard_pct"] is None else f"{float(r['standard_pct']):g}%"
        last = i + 1 == len(rows) or rows[i + 1]["practice_code"] != r["practice_code"]
        table.add_row(
            who,
            r["programme"],
            f"{r['eligible']:,}",
            f"{r['covered']:,}",
            pct,
            std,
            f"{r['not_covered']:,}",
            str(below.get((r["level"], r["practice_code"], r["programme"]), 0)),
            end_section=last,
        )
    console.print(table)
    counts = {
        name: result.tables[name].num_rows
        for name in ("non_responders", "contacts_to_correct", "results_pending")
    }
    console.print(
        f"Follow-up list: {counts['non_responders']:,} patient-programme rows; numbers to correct: "
        f"{counts['contacts_to_correct']:,}; cervical results not back after "
        f"{result.settings.pending_after_days} days: {counts['results_pending']:,}."
    )
    if "plan_progress" in result.tables:
        statuses: dict[str, int] = {}
        for row in result.tables["plan_progress"].to_pylist():
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        console.print("Action plan: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + ".")
    load = result.load
    console.print(
        f"Read {load.patients_read:,} patients and {load.events_read:,} events; "
        f"{load.rows_rejected:,} row(s) rejected."
    )
    for line in result.warnings:
        console.print(f"Warning: {line}", markup=False, highlight=False)
