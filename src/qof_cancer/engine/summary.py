"""From outcome counts to the summary: achievement, points, payment status and pounds, per practice and PCN.

Plain Python over counts (a few rows per practice), shared by every engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from qof_cancer.model.nodes import EXCLUSION_OUTCOMES, PCA_OUTCOMES
from qof_cancer.model.payment import achievement_pct, payment_gbp, points_for
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["SUMMARY_COLUMNS", "summarise", "achieved_points"]

SUMMARY_COLUMNS = (
    "level",
    "practice_code",
    "pcn_code",
    "year",
    "achievement_date",
    "indicator",
    "list_size",
    "register",
    "prevalence_pct",
    "numerator",
    "denominator",
    *PCA_OUTCOMES,
    *EXCLUSION_OUTCOMES,
    "out_of_scope",
    "pcas",
    "exclusions",
    "pca_rate_pct",
    "achievement_pct",
    "lower_threshold",
    "upper_threshold",
    "points",
    "max_points",
    "payment_status",
    "points_paid",
    "payment_gbp",
    "payment_note",
)
_COUNTED = ("met", "not_met", *PCA_OUTCOMES, *EXCLUSION_OUTCOMES, "out_of_scope")


def _r(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _pca_rate(pcas: int, denominator: int) -> float | None:
    """The published PCA rate: PCAs / (denominator + PCAs); the denominator already leaves PCAs out."""
    return _r(100.0 * pcas / (denominator + pcas) if denominator + pcas else None)


def _practice_rows(
    ruleset: RuleSet,
    period: Period,
    counts: Mapping[tuple[str, str], Mapping[str, int]],
    list_sizes: Mapping[str, tuple[str | None, int]],
    protected: Mapping[tuple[str, str], float] | None,
) -> list[dict]:
    year = period.year
    rows = []
    for practice, (pcn, list_size) in sorted(list_sizes.items()):
        register = counts.get((practice, ruleset.register.id), {}).get("register", 0)
        for ind in ruleset.indicators:
            yi = year.indicators[ind.id]
            c = counts.get((practice, ind.id), {})
            row: dict = {
                "level": "practice",
                "practice_code": practice,
                "pcn_code": pcn,
                "year": year.id,
                "achievement_date": period.ach.isoformat(),
                "indicator": ind.id,
                "list_size": list_size,
                "register": register,
                "prevalence_pct": _r(100.0 * register / list_size if list_size else None, 3),
                "max_points": yi.points,
                "lower_threshold": yi.lower,
                "upper_threshold": yi.upper,
                "payment_status": yi.status,
            }
            if ind.kind == "register":
                points = float(yi.points) if register > 0 else 0.0
                row.update(
                    {k: None for k in _COUNTED},
                    numerator=None,
                    denominator=None,
                    pcas=None,
                    exclusions=None,
                    pca_rate_pct=None,
                    achievement_pct=None,
                )
                row.pop("met", None), row.pop("not_met", None)
            else:
                num, den = c.get("met", 0), c.get("met", 0) + c.get("not_met", 0)
                pcas = sum(c.get(o, 0) for o in PCA_OUTCOMES)
                ach = achievement_pct(num, den)
                points = points_for(ach, yi.points, yi.lower, yi.upper)
                row.update(
                    numerator=num,
                    denominator=den,
                    **{o: c.get(o, 0) for o in (*PCA_OUTCOMES, *EXCLUSION_OUTCOMES, "out_of_scope")},
                    pcas=pcas,
                    exclusions=sum(c.get(o, 0) for o in EXCLUSION_OUTCOMES),
                    pca_rate_pct=_pca_rate(pcas, den),
                    achievement_pct=_r(ach),
                )
            row["points"] = _r(points)
            row.update(_paid(ruleset, period, ind.id, practice, points, register, list_size, c, protected))
            rows.append(row)
    return rows


def _paid(
    ruleset: RuleSet,
    period: Period,
    indicator: str,
    practice: str,
    points: float,
    register: int,
    list_size: int,
    counts: Mapping[str, int],
    protected: Mapping[tuple[str, str], float] | None,
) -> dict:
    year = period.year
    yi = year.indicators[indicator]
    note = year.status_words(indicator)
    if yi.status in ("unpaid", "retired"):
        paid = 0.0
    elif yi.status == "income_protected":
        if protected is not None and (practice, indicator) in protected:
            paid = protected[(practice, indicator)]
            note += f" ({paid:.2f} points achieved in {yi.protected_year}, computed from this extract)"
        else:
            paid = points
            note += f"; {yi.protected_year} could not be computed, so this year's points are shown"
    else:
        paid = points
    if yi.pounds_per_patient is not None:
        patients = register if indicator == ruleset.register.id else counts.get("met", 0)
        pounds = patients * yi.pounds_per_patient if paid > 0 or yi.status == "local_scheme" else 0.0
        note += f"; £{yi.pounds_per_patient:.2f} per patient"
    else:
        pounds = payment_gbp(
            paid,
            year.pounds_per_point,
            register,
            list_size,
            year.national_prevalence,
            year.national_average_list_size,
        )
    if period.in_year:
        note += f"; in-year position at {period.ach.isoformat()}, not the year-end result"
    return {"points_paid": _r(paid), "payment_gbp": _r(pounds), "payment_note": note}


def _pcn_rows(practice_rows: list[dict]) -> list[dict]:
    """PCN rows: counts, points and pounds added up over the PCN's practices; achievement pooled."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in practice_rows:
        if row["pcn_code"]:
            groups[(row["pcn_code"], row["indicator"])].append(row)
    out = []
    for (pcn, indicator), rows in sorted(groups.items()):
        first = rows[0]
        total = {k: sum(r[k] or 0 for r in rows) for k in ("list_size", "register", "max_points")}
        row = {
            **{k: None for k in SUMMARY_COLUMNS},
            "level": "pcn",
            "practice_code": None,
            "pcn_code": pcn,
            "year": first["year"],
            "achievement_date": first["achievement_date"],
            "indicator": indicator,
            "lower_threshold": first["lower_threshold"],
            "upper_threshold": first["upper_threshold"],
            "payment_status": first["payment_status"],
            **total,
            "prevalence_pct": _r(
                100.0 * total["register"] / total["list_size"] if total["list_size"] else None, 3
            ),
            "points": _r(sum(r["points"] or 0 for r in rows)),
            "points_paid": _r(sum(r["points_paid"] or 0 for r in rows)),
            "payment_gbp": _r(sum(r["payment_gbp"] or 0 for r in rows)),
            "payment_note": f"sum over {len(rows)} practice(s)",
        }
        if first["numerator"] is not None:
            for k in (
                "numerator",
                "denominator",
                *PCA_OUTCOMES,
                *EXCLUSION_OUTCOMES,
                "out_of_scope",
                "pcas",
                "exclusions",
            ):
                row[k] = sum(r[k] for r in rows)
            row["achievement_pct"] = _r(achievement_pct(row["numerator"], row["denominator"]))
            row["pca_rate_pct"] = _pca_rate(row["pcas"], row["denominator"])
        out.append(row)
    return out


def _group_counts(counts: Iterable[tuple[str, str, str, int]]) -> dict[tuple[str, str], dict[str, int]]:
    grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for practice, indicator, outcome, n in counts:
        grouped[(practice, indicator)][outcome] = int(n)
    return grouped


def summarise(
    ruleset: RuleSet,
    period: Period,
    counts: Iterable[tuple[str, str, str, int]],
    list_sizes: Mapping[str, tuple[str | None, int]],
    protected: Mapping[tuple[str, str], float] | None = None,
) -> list[dict]:
    """Summary rows (SUMMARY_COLUMNS) per practice and indicator, then per PCN and indicator."""
    rows = _practice_rows(ruleset, period, _group_counts(counts), list_sizes, protected)
    rows = [{k: r.get(k) for k in SUMMARY_COLUMNS} for r in rows]
    return rows + _pcn_rows(rows)


def achieved_points(
    ruleset: RuleSet,
    period: Period,
    counts: Iterable[tuple[str, str, str, int]],
    list_sizes: Mapping[str, tuple[str | None, int]],
) -> dict[tuple[str, str], float]:
    """Points achieved per (practice, indicator): what income protection pays in a later year."""
    rows = _practice_rows(ruleset, period, _group_counts(counts), list_sizes, None)
    return {(r["practice_code"], r["indicator"]): r["points"] for r in rows}
