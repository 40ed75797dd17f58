"""Coverage per practice and PCN, and by group, with 95% Wilson intervals. SQL over the cohort table.

Wilson score interval for c covered of n eligible, z = 1.96:
centre = (p + z²/2n) / (1 + z²/n), half width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n), p = c/n.
A group is *clearly below* its practice (or PCN) when the whole interval lies below the practice's
coverage, and *clearly above* when it lies above.
"""

from __future__ import annotations

import duckdb

from qof_cancer.screening.cohort import GROUP_DIMENSIONS
from qof_cancer.screening.settings import ScreeningSettings

__all__ = ["define_wilson", "coverage_sql", "groups_sql", "COVERAGE_COLUMNS", "GROUP_COLUMNS"]

COVERAGE_COLUMNS = (
    "level",
    "pcn_code",
    "practice_code",
    "programme",
    "eligible",
    "covered",
    "not_covered",
    "excluded",
    "coverage_pct",
    "ci_low_pct",
    "ci_high_pct",
    "standard_pct",
    "achievable_pct",
    "meets_standard",
    "window_months",
    "ages",
    "code_lists",
)
GROUP_COLUMNS = (
    "level",
    "pcn_code",
    "practice_code",
    "programme",
    "dimension",
    "group",
    "eligible",
    "covered",
    "coverage_pct",
    "ci_low_pct",
    "ci_high_pct",
    "unit_coverage_pct",
    "difference_pct",
    "flag",
)


def define_wilson(con: duckdb.DuckDBPyConnection, z: float) -> None:
    """Macros wilson_low(c, n) and wilson_high(c, n), as percentages (NULL when n = 0)."""
    for name, sign in (("wilson_low", "-"), ("wilson_high", "+")):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP MACRO {name}(c, n) AS CASE WHEN n > 0 THEN 100.0 * (
                (c / n + {z}^2 / (2 * n)) {sign} {z} * sqrt((c / n) * (1 - c / n) / n + {z}^2 / (4 * n * n))
            ) / (1 + {z}^2 / n) END
            """
        )


def _units(inner: str) -> str:
    """Practice rows and PCN rows (where a PCN code is given) of an aggregate over `inner`."""
    practice = inner.format(level="'practice'", practice="practice_code", where="TRUE")
    pcn = inner.format(level="'pcn'", practice="CAST(NULL AS VARCHAR)", where="pcn_code IS NOT NULL")
    return f"{practice} UNION ALL {pcn}"


def coverage_sql(cohort: str, settings: ScreeningSettings, code_lists: dict[str, str]) -> str:
    """One row per practice (and PCN) per programme: eligible, covered, %, interval, standard."""
    meta = " UNION ALL ".join(
        "SELECT '{id}' AS programme, {std} AS standard_pct, {ach} AS achievable_pct, {w} AS window_months, "
        "'{ages}' AS ages, '{lists}' AS code_lists".format(
            id=p.id,
            std="NULL" if p.standard_pct is None else p.standard_pct,
            ach="NULL" if p.achievable_pct is None else p.achievable_pct,
            w=p.window_months,
            ages="; ".join(f"{a.min}-{a.max} from {a.start.isoformat()}" for a in p.ages),
            lists=code_lists.get(p.id, "").replace("'", "''"),
        )
        for p in settings.programmes
    )
    inner = f"""
        SELECT {{level}} AS level, pcn_code, {{practice}} AS practice_code, programme,
               count(*) FILTER (WHERE eligible) AS eligible,
               count(*) FILTER (WHERE eligible AND covered) AS covered,
               count(*) FILTER (WHERE NOT eligible) AS excluded
        FROM {cohort} WHERE {{where}} GROUP BY ALL
    """
    return f"""
        SELECT u.level, u.pcn_code, u.practice_code, u.programme, u.eligible, u.covered,
               u.eligible - u.covered AS not_covered, u.excluded,
               round(100.0 * u.covered / nullif(u.eligible, 0), 1) AS coverage_pct,
               round(wilson_low(u.covered, u.eligible), 1) AS ci_low_pct,
               round(wilson_high(u.covered, u.eligible), 1) AS ci_high_pct,
               m.standard_pct, m.achievable_pct,
               CASE WHEN u.eligible = 0 OR m.standard_pct IS NULL THEN NULL
                    ELSE 100.0 * u.covered / u.eligible >= m.standard_pct END AS meets_standard,
               m.window_months, m.ages, m.code_lists
        FROM ({_units(inner)}) u JOIN ({meta}) m USING (programme)
        ORDER BY u.level DESC, u.pcn_code, u.practice_code, u.programme
    """


def groups_sql(cohort: str, min_eligible: int) -> str:
    """Coverage by each group dimension, with the unit's own coverage and a flag where it clearly differs."""
    long = " UNION ALL ".join(
        f"SELECT practice_code, pcn_code, programme, covered, '{d}' AS dimension, {d} AS \"group\" "
        f"FROM {cohort} WHERE eligible"
        for d in GROUP_DIMENSIONS
    )
    inner = """
        SELECT {level} AS level, pcn_code, {practice} AS practice_code, programme, dimension, "group",
               count(*) AS eligible, count(*) FILTER (WHERE covered) AS covered
        FROM long WHERE {where} GROUP BY ALL
    """
    unit = f"""
        SELECT {{level}} AS level, pcn_code, {{practice}} AS practice_code, programme,
               100.0 * count(*) FILTER (WHERE covered) / count(*) AS unit_pct
        FROM {cohort} WHERE eligible AND {{where}} GROUP BY ALL
    """
    order = ", ".join(f"'{d}'" for d in GROUP_DIMENSIONS)
    return f"""
        WITH long AS ({long}),
        g AS ({_units(inner)}),
        u AS ({_units(unit)})
        SELECT g.level, g.pcn_code, g.practice_code, g.programme, g.dimension, g."group", g.eligible, g.covered,
               round(100.0 * g.covered / g.eligible, 1) AS coverage_pct,
               round(wilson_low(g.covered, g.eligible), 1) AS ci_low_pct,
               round(wilson_high(g.covered, g.eligible), 1) AS ci_high_pct,
               round(u.unit_pct, 1) AS unit_coverage_pct,
               round(100.0 * g.covered / g.eligible - u.unit_pct, 1) AS difference_pct,
               CASE WHEN g.eligible < {int(min_eligible)} THEN ''
                    WHEN wilson_high(g.covered, g.eligible) < u.unit_pct THEN 'clearly below'
                    WHEN wilson_low(g.covered, g.eligible) > u.unit_pct THEN 'clearly above'
                    ELSE '' END AS flag
        FROM g JOIN u ON u.level = g.level AND u.pcn_code IS NOT DISTINCT FROM g.pcn_code
             AND u.practice_code IS NOT DISTINCT FROM g.practice_code AND u.programme = g.programme
        ORDER BY g.level DESC, g.pcn_code, g.practice_code, g.programme,
                 list_position([{order}], g.dimension), g."group"
    """
