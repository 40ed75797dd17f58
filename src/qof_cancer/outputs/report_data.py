"""The report's data: plain dicts built from a run's summary, load report and code lists.

Aggregate only. Nothing here reads the outcomes table or the rejected rows' values, so no patient
identifier or value can reach the report. The same dicts could be served as JSON.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from qof_cancer.inputs.checks import EVENT_CHECKS, PATIENT_CHECKS
from qof_cancer.model.nodes import EXCLUSION_OUTCOMES, PCA_OUTCOMES

__all__ = [
    "OUTCOME_WORDS",
    "PCA_EXCLUSION_NOTE",
    "payment_arithmetic",
    "payment_arithmetic_parts",
    "bar_geometry",
    "header_data",
    "practice_data",
    "pcn_data",
    "provenance_data",
    "input_quality_data",
]

# The one mapping from outcome names to words, keyed by the model's outcome names (report and dashboard).
# The entries for rules revision 2's names are here ahead of it; an unused entry is harmless.
OUTCOME_WORDS = {
    "pca_unsuitable": "PCA: care unsuitable",
    "pca_dissent": "PCA: informed dissent",
    "pca_no_response": "PCA: no response to two invitations",
    "pca_recent_registration": "PCA: newly registered",
    "excluded_earlier_year": "Excluded: reviewed or supported in an earlier year",
    "excluded_recent_diagnosis": "Excluded: newly diagnosed, not yet due",
    "out_of_scope": "Out of scope: diagnosed before the look-back",
}
# One line under the counts, for the question inspectors ask about "exception rates".
PCA_EXCLUSION_NOTE = (
    "Only PCAs count in the published PCA (exception) rate. Automatic exclusions are set by the rules, "
    "not by the practice: a review or support contact already counted in an earlier year, a diagnosis "
    "too recent to be due, or a diagnosis before the look-back."
)
PAYING_STATUSES = ("paid", "income_protected", "local_scheme")
# Bar chart geometry (SVG user units): the 0-100% axis runs from X0 to X0 + WIDTH.
X0, WIDTH, VIEW_WIDTH = 36.0, 888.0, 960


def _money(value: float) -> str:
    return f"£{value:,.2f}"


def payment_arithmetic_parts(row: dict, year: Any) -> list[str]:
    """The payment sum in pieces that read well on their own line (the report keeps each piece whole)."""
    yi = year.indicators[row["indicator"]]
    paid = row["points_paid"] or 0.0
    pounds = row["payment_gbp"] or 0.0
    if yi.pounds_per_patient is not None:
        patients = row["register"] if row["numerator"] is None else row["numerator"]
        return [f"{patients:,} patients × {_money(yi.pounds_per_patient)}", f"= {_money(pounds)}"]
    if not row["list_size"]:
        return ["no registered list, so no payment"]
    return [
        f"{paid:.2f} points × {_money(year.pounds_per_point)}",
        f"× register {row['register']:,}",
        f"÷ ({year.national_prevalence * 100:.2f}% × {year.national_average_list_size:,.0f})",
        f"= {_money(pounds)}",
    ]


def payment_arithmetic(row: dict, year: Any) -> str:
    """The payment sum in words and numbers, with the year's values, e.g.

    "6.00 points × £213.43 × register 340 ÷ (3.40% × 9,639) = £1,328.54"
    """
    return " ".join(payment_arithmetic_parts(row, year))


def bar_geometry(achievement: float | None, lower: float, upper: float) -> dict:
    """Coordinates for the achievement bar: the threshold band, the filled bar and the marker."""

    def x(pct: float) -> float:
        return round(X0 + WIDTH * max(0.0, min(pct, 100.0)) / 100.0, 1)

    if achievement is None:
        band = "none"
    elif achievement >= upper:
        band = "full"
    elif achievement > lower:
        band = "partial"
    else:
        band = "none"
    ach_x = None if achievement is None else x(achievement)
    anchor = "middle"
    if ach_x is not None and ach_x < X0 + 30:
        anchor = "start"
    elif ach_x is not None and ach_x > X0 + WIDTH - 30:
        anchor = "end"
    return {
        "view_width": VIEW_WIDTH,
        "x0": X0,
        "width": WIDTH,
        "lower_x": x(lower),
        "upper_x": x(upper),
        "ach_x": ach_x,
        "label_anchor": anchor,
        "ticks": [{"pct": p, "x": x(p)} for p in (0, 25, 50, 75, 100)],
        "band": band,
    }


def records_words(ruleset: Any) -> str:
    """The records that meet the run's indicators, in their own words: "Cancer Care Review or support
    contact" (each indicator's `worklist.record`)."""
    records = dict.fromkeys(i.worklist.record for i in ruleset.ratio_indicators if i.worklist is not None)
    return " or ".join(records) or "record that meets an indicator"


def header_data(result: Any, generated: str, version: str) -> dict:
    """Year, rules version, dates, in-year flag and the year's payment status per indicator."""
    period, year = result.period, result.period.year
    return {
        "year": year.id,
        "rules_version": year.rules_version,
        "ppsd": year.ppsd.isoformat(),
        "pped": year.pped.isoformat(),
        "ach": period.ach.isoformat(),
        "in_year": period.in_year,
        "scheme": result.ruleset.scheme,
        "records": records_words(result.ruleset),
        "year_note": year.derived_note,
        "national_average_list_size_source": year.national_average_list_size_source,
        "generated": generated,
        "version": version,
        "pounds_per_point": year.pounds_per_point,
        "national_prevalence_pct": year.national_prevalence * 100,
        "national_prevalence_source": year.national_prevalence_source,
        "national_average_list_size": year.national_average_list_size,
        "statuses": [
            {"indicator": ind.id, "title": ind.title, "words": year.status_words(ind.id)}
            for ind in result.ruleset.indicators
        ],
    }


def _indicator_block(row: dict, result: Any) -> dict:
    ind = result.ruleset.indicator(row["indicator"])
    who = re.sub(r"[^A-Za-z0-9_-]", "-", str(row["practice_code"] or row["pcn_code"]))
    year = result.period.year
    yi = year.indicators[ind.id]
    block = {
        "id": ind.id,
        "uid": f"bar-{who}-{ind.id}",
        "title": ind.title,
        "wording": ind.wording,
        "row": row,
        "pays": yi.status in PAYING_STATUSES,
        "arithmetic": payment_arithmetic(row, year),
        "arithmetic_parts": payment_arithmetic_parts(row, year),
        "note": row["payment_note"],
        "code_lists": row.get("code_lists"),
    }
    if row["numerator"] is not None:
        block["bar"] = bar_geometry(row["achievement_pct"], row["lower_threshold"], row["upper_threshold"])
        block["pcas"] = [{"words": OUTCOME_WORDS[o], "n": row[o]} for o in PCA_OUTCOMES]
        block["exclusions"] = [
            {"words": OUTCOME_WORDS[o], "n": row[o]} for o in (*EXCLUSION_OUTCOMES, "out_of_scope")
        ]
        block["pca_note"] = PCA_EXCLUSION_NOTE
    return block


def practice_data(result: Any) -> list[dict]:
    """One entry per practice: the register, then one block per indicator, and the practice totals."""
    by_practice: dict[str, list[dict]] = defaultdict(list)
    for row in result.summary_rows():
        if row["level"] == "practice":
            by_practice[row["practice_code"]].append(row)
    register_id = result.ruleset.register.id
    out = []
    for code, rows in sorted(by_practice.items()):
        blocks = [_indicator_block(r, result) for r in rows]
        out.append(
            {
                "code": code,
                "pcn_code": rows[0]["pcn_code"],
                "list_size": rows[0]["list_size"],
                "register": rows[0]["register"],
                "prevalence_pct": rows[0]["prevalence_pct"],
                "register_block": next(b for b in blocks if b["id"] == register_id),
                "ratio_blocks": [b for b in blocks if b["id"] != register_id],
                "points": sum(r["points"] or 0 for r in rows),
                "points_paid": sum(r["points_paid"] or 0 for r in rows),
                "max_points": sum(r["max_points"] or 0 for r in rows),
                "payment_gbp": sum(r["payment_gbp"] or 0 for r in rows),
            }
        )
    return out


def _table_row(label: str, rows: list[dict], ratio_ids: list[str], total: bool = False) -> dict:
    by_ind = {r["indicator"]: r for r in rows}
    first = rows[0]
    return {
        "label": label,
        "is_total": total,
        "list_size": first["list_size"],
        "register": first["register"],
        "prevalence_pct": first["prevalence_pct"],
        "achievement": [by_ind[i]["achievement_pct"] if i in by_ind else None for i in ratio_ids],
        "fraction": [
            (by_ind[i]["numerator"], by_ind[i]["denominator"]) if i in by_ind else None for i in ratio_ids
        ],
        "points": sum(r["points"] or 0 for r in rows),
        "points_paid": sum(r["points_paid"] or 0 for r in rows),
        "max_points": sum(r["max_points"] or 0 for r in rows),
        "payment_gbp": sum(r["payment_gbp"] or 0 for r in rows),
    }


def pcn_data(result: Any) -> list[dict]:
    """Per PCN: a row per member practice and the PCN total row (pooled achievement, summed money)."""
    rows = result.summary_rows()
    ratio_ids = [i.id for i in result.ruleset.ratio_indicators]
    pcns: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    totals: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["level"] == "pcn":
            totals[row["pcn_code"]].append(row)
        elif row["pcn_code"]:
            pcns[row["pcn_code"]][row["practice_code"]].append(row)
    return [
        {
            "code": pcn,
            "indicators": ratio_ids,
            "practices": [_table_row(p, prs, ratio_ids) for p, prs in sorted(pcns[pcn].items())],
            "total": _table_row(f"PCN {pcn} total", totals[pcn], ratio_ids, total=True),
        }
        for pcn in sorted(totals)
    ]


def provenance_data(result: Any) -> dict:
    """The list behind each cluster, and warnings when any list is not the national one."""
    clusters = result.clusters
    lines_fn = getattr(clusters, "provenance_lines", None)
    if callable(lines_fn):
        lines = list(lines_fn())
    else:
        lines = [f"{c.id}: {c.status} list ({c.source})" for c in clusters.clusters.values()]
    examples = any(c.status == "example" for c in clusters.clusters.values())
    proxies = any(c.status == "proxy" for c in clusters.clusters.values())
    return {
        "lines": lines,
        "warnings": list(clusters.warnings()),
        "demonstration": examples,
        "proxy": proxies,
    }


_ACTIONS = {(c.column, c.reason): c.action for c in (*PATIENT_CHECKS, *EVENT_CHECKS)}


def input_quality_data(result: Any) -> dict:
    """Rows read, kept and rejected, and the problems by file, column and reason (counts only)."""
    load = result.load
    problems = []
    for (file, column, reason), n in sorted(load.rejects.items(), key=lambda kv: (-kv[1], kv[0])):
        action = _ACTIONS.get((column, reason), "reject")
        problems.append(
            {
                # Only the file's name: a full path can name a person's folder.
                "file": str(file).replace("\\", "/").rsplit("/", 1)[-1],
                "column": column,
                "reason": reason,
                "action": "row rejected" if action == "reject" else "value ignored, row kept",
                "n": n,
            }
        )
    return {
        "patients_read": load.patients_read,
        "patients_kept": load.patients_kept,
        "events_read": load.events_read,
        "events_kept": load.events_kept,
        "rows_rejected": load.rows_rejected,
        "problems": problems,
    }


def data_quality_data(result: Any) -> dict | None:
    """Per check, findings per practice and how many of them change an indicator outcome (counts only).

    None when the run computed no data-quality table (e.g. on Spark).
    """
    table = getattr(result, "tables", {}).get("data_quality_summary")
    if table is None:
        return None
    rows = [r for r in table.to_pylist() if r["practice_code"]]
    practices = sorted({r["practice_code"] for r in rows})
    checks: dict[str, dict] = {}
    for r in rows:
        entry = checks.setdefault(
            r["check"], {"check": r["check"], "title": r["title"], "cells": {}, "changed": 0}
        )
        entry["cells"][r["practice_code"]] = (r["findings"], r["patients_outcome_changed"])
        entry["changed"] += r["patients_outcome_changed"] or 0
    ordered = sorted(checks.values(), key=lambda c: (-c["changed"], c["check"]))
    found = [c for c in ordered if any(f for f, _ in c["cells"].values())]
    return {"practices": practices, "checks": found, "clean": [c["title"] for c in ordered if c not in found]}


_SCENARIOS = (
    ("now", "Now"),
    ("year_end_as_is", "Year end if nothing more is recorded"),
    ("year_end_worklist_done", "Year end if the worklist is done"),
)


def forecast_data(result: Any) -> dict | None:
    """Per practice and ratio indicator: the three scenarios side by side (aggregates only).

    None when the run has no forecast table (e.g. on Spark).
    """
    table = getattr(result, "tables", {}).get("forecast")
    if table is None:
        return None
    rows = [r for r in table.to_pylist() if r["level"] == "practice" and r["numerator"] is not None]
    by_key: dict[tuple[str, str], dict] = {}
    for r in rows:
        entry = by_key.setdefault(
            (r["practice_code"], r["indicator"]),
            {"practice": r["practice_code"], "indicator": r["indicator"]},
        )
        entry[r["scenario"]] = r
    # A year already over has no "worklist done" scenario: show the scenarios the run has.
    present = tuple((key, label) for key, label in _SCENARIOS if any(key in b for b in by_key.values()))
    blocks = [b for _, b in sorted(by_key.items()) if all(key in b for key, _ in present)]
    if not blocks:
        return None
    return {"scenarios": present, "blocks": blocks, "records": records_words(result.ruleset)}
