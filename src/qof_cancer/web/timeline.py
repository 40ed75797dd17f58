"""A patient's timeline: the records that matter, dated relative to CAN_DAT, and the windows the rules read.

Plain data for a table and the coordinates of an inline SVG (computed here, as the report does), so the
template draws no arithmetic of its own.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from qof_cancer.model.dates import add_months
from qof_cancer.model.nodes import LatestRecordOnOrBefore

__all__ = ["relative_words", "timeline_data"]

VIEW_WIDTH, LABEL_WIDTH, ROW_HEIGHT, RIGHT_PAD = 960, 190, 30, 20
# Draw at most this far back: a diagnosis from 2005 would squash the year into a sliver.
MAX_YEARS_BACK = 4


def relative_words(day: date, can_dat: date | None) -> str:
    """'on the diagnosis date', '45 days after diagnosis', '2 years 10 days before diagnosis'."""
    if can_dat is None:
        return "no diagnosis date"
    days = (day - can_dat).days
    if days == 0:
        return "on the diagnosis date"
    side = "after" if days > 0 else "before"
    n = abs(days)
    years, rest = divmod(n, 365)
    parts = ([f"{years} year{'s' if years != 1 else ''}"] if years else []) + (
        [f"{rest} day{'s' if rest != 1 else ''}"] if rest or not years else []
    )
    return f"{' '.join(parts)} {side} diagnosis"


def _windows(result: Any, can_dat: date | None) -> list[dict]:
    period = result.period
    out = [{"label": f"QOF year {period.year.id}", "start": period.ppsd, "end": period.pped, "kind": "year"}]
    if can_dat is None:
        return out
    for ind in result.ruleset.ratio_indicators:
        meeting = ind.completing
        if meeting is not None:
            end = meeting.within.after(can_dat)
            label = f"{ind.id} window ({'/'.join(meeting.clusters)}, {meeting.within})"
            out.append({"label": label, "start": can_dat, "end": end, "kind": "window"})
        for rule in ind.rules:
            node = rule.when
            if isinstance(node, LatestRecordOnOrBefore) and node.since != "off":
                cut = add_months(period.anchor(node.anchor), -node.months_before)
                start = can_dat if node.since == "since_diagnosis" else min(can_dat, cut)
                if cut >= start:
                    label = (
                        f"{ind.id}: a {'/'.join(node.clusters)} record last made here counted in an "
                        f"earlier year ({ind.rule_label(rule)})"
                    )
                    out.append({"label": label, "start": start, "end": cut, "kind": "earlier"})
    return out


def timeline_data(result: Any, events: list[dict], can_dat: date | None) -> dict:
    """Rows for the table (every record of the run's clusters) and SVG geometry for the drawing.

    `events` are dicts with code, date and episode (the run's events table for one patient).
    """
    period = result.period
    clusters = result.clusters.clusters
    rows = []
    for e in sorted(events, key=lambda e: (e["date"], e["code"])):
        member = [cid for cid, c in clusters.items() if e["code"] in c.codes]
        term = next(
            (clusters[cid].terms.get(e["code"]) for cid in member if clusters[cid].terms.get(e["code"])), ""
        )
        rows.append(
            {
                "date": e["date"],
                "code": e["code"],
                "term": term or "",
                "episode": e.get("episode"),
                "clusters": member,
                "relative": relative_words(e["date"], can_dat),
                "after_ach": e["date"] > period.ach,
                "is_diagnosis": can_dat is not None
                and e["date"] == can_dat
                and result.ruleset.register_cluster in member,
            }
        )
    windows = _windows(result, can_dat)
    return {"rows": rows, "windows": windows, "svg": _geometry(period, windows, rows, can_dat)}


def _geometry(period: Any, windows: list[dict], rows: list[dict], can_dat: date | None) -> dict:
    earliest = min([w["start"] for w in windows] + [r["date"] for r in rows])
    start = max(earliest, add_months(period.ppsd, -12 * MAX_YEARS_BACK)) - timedelta(days=20)
    end = max([w["end"] for w in windows] + [period.pped]) + timedelta(days=20)
    span = (end - start).days
    plot = VIEW_WIDTH - LABEL_WIDTH - RIGHT_PAD

    def x(day: date) -> float:
        return round(LABEL_WIDTH + plot * min(max((day - start).days, 0), span) / span, 1)

    lanes = [
        {
            "label": w["label"],
            "kind": w["kind"],
            "x1": x(w["start"]),
            "x2": x(w["end"]),
            "y": 30 + i * ROW_HEIGHT,
        }
        for i, w in enumerate(windows)
    ]
    records_y = 30 + len(windows) * ROW_HEIGHT
    cluster_ids = sorted({c for r in rows for c in r["clusters"]})
    marks = []
    for r in rows:
        if r["date"] < start:
            continue
        lane = cluster_ids.index(r["clusters"][0]) if r["clusters"] else 0
        marks.append(
            {
                "x": x(r["date"]),
                "y": records_y + lane * ROW_HEIGHT,
                "label": f"{r['date'].isoformat()} {', '.join(r['clusters'])}",
                "after_ach": r["after_ach"],
            }
        )
    record_lanes = [{"label": cid, "y": records_y + i * ROW_HEIGHT} for i, cid in enumerate(cluster_ids)]
    height = records_y + max(len(cluster_ids), 1) * ROW_HEIGHT + 10
    ticks = []
    year = start.year + 1
    while date(year, 1, 1) <= end:
        ticks.append({"x": x(date(year, 1, 1)), "label": str(year)})
        year += 1
    return {
        "width": VIEW_WIDTH,
        "height": height,
        "label_width": LABEL_WIDTH,
        "lanes": lanes,
        "record_lanes": record_lanes,
        "marks": marks,
        "hidden": sum(1 for r in rows if r["date"] < start),
        "ach_x": x(period.ach),
        "can_x": x(can_dat) if can_dat and can_dat >= start else None,
        "ticks": ticks,
        "start": start,
        "end": end,
    }
