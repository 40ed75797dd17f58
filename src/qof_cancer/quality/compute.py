"""Run the data-quality checks on the open connection and build `data_quality` and its summary.

All patient-level work is SQL on DuckDB (no per-patient Python). The working tables are TEMP tables
prefixed `dq_`; the connection's own tables are only read.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from qof_cancer.engine.context import RunContext
from qof_cancer.engine.facts import counting_episode, registered_on_sql, select_diagnosis
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.quality.catalogue import CHECKS, REJECT_CHECKS
from qof_cancer.quality.checks import BUILDERS, FINDING_COLUMNS
from qof_cancer.quality.codes import code_tables
from qof_cancer.quality.impact import compute_impacts
from qof_cancer.quality.plan import Plan, QualitySettings, in_list, make_plan, s

__all__ = [
    "DATA_QUALITY_COLUMNS",
    "SUMMARY_COLUMNS",
    "compute_data_quality",
    "prepare_tables",
]

DATA_QUALITY_SCHEMA = pa.schema(
    [
        ("practice_code", pa.string()),
        ("patient_id", pa.string()),
        ("check", pa.string()),
        ("code", pa.string()),
        ("term", pa.string()),
        ("date", pa.date32()),
        ("detail", pa.string()),
        ("suggested_fix", pa.string()),
        ("impact", pa.string()),
        ("changes_outcome", pa.bool_()),
        ("impact_basis", pa.string()),
    ]
)
SUMMARY_SCHEMA = pa.schema(
    [
        ("practice_code", pa.string()),
        ("check", pa.string()),
        ("title", pa.string()),
        ("findings", pa.int64()),
        ("patients", pa.int64()),
        ("patients_outcome_changed", pa.int64()),
    ]
)
DATA_QUALITY_COLUMNS = tuple(DATA_QUALITY_SCHEMA.names)
SUMMARY_COLUMNS = tuple(SUMMARY_SCHEMA.names)
_REJECT_REASONS = {
    "rejected_date_in_future": ("date is in the future",),
    "rejected_date_before_birth": (
        "date is before the date of birth",
        "date is before the patient's date of birth",
    ),
}


def _arrow(con: duckdb.DuckDBPyConnection, query: str, schema: pa.Schema) -> pa.Table:
    return DuckDBBackend(con).arrow(query).cast(schema)


def _local_table(context: RunContext) -> pa.Table:
    """Practice-local codes of the indicators' clusters that have a national list, with an example code."""
    rows: dict[str, list] = {"code": [], "cluster_id": [], "example": []}
    for cid in context.ruleset.clusters():
        cluster = context.clusters.clusters.get(cid)
        if cluster is None or cluster.is_example or not cluster.local_codes:
            continue
        national = sorted(cluster.codes - cluster.local_codes)
        for code in sorted(cluster.local_codes):
            rows["code"].append(code)
            rows["cluster_id"].append(cid)
            rows["example"].append(national[0] if 0 < len(national) <= 5 else None)
    return pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})


def prepare_tables(context: RunContext, plan: Plan) -> None:
    """The code tables and the patient tables every check reads (see checks.py)."""
    con = context.con
    register = context.ruleset.register
    tables = {**code_tables(context.clusters), "dq_local": _local_table(context)}
    for name, table in tables.items():
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dq_label(c, t) AS "
        "CASE WHEN t IS NULL OR t = '' THEN c ELSE t || ' [' || c || ']' END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dq_days(n) AS "
        "CAST(n AS VARCHAR) || CASE WHEN n = 1 THEN ' day' ELSE ' days' END"
    )
    ach = f"DATE '{plan.ach.isoformat()}'"
    # The population and CAN_DAT are the engine's own (engine.facts), not a second reading of the rules.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_pop AS SELECT patient_id, practice_code, registration_start, "
        f"registration_end, date_of_death FROM patients WHERE {registered_on_sql(plan.ach)}"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_ev AS SELECT e.rowid AS event_id, e.patient_id, e.code, e.date, "
        "e.episode, c.cluster_id FROM events e JOIN cluster_codes c ON c.code = e.code "
        f"JOIN dq_pop p ON p.patient_id = e.patient_id WHERE e.date <= {ach}"
    )
    counts = counting_episode(register, "x").sql("duckdb")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_dx AS SELECT x.*, COALESCE(st.site, 'unspecified') AS site, "
        "CASE WHEN COALESCE(st.site, 'unspecified') IN ('unspecified', 'other', 'secondary') "
        "THEN 'code:' || x.code ELSE st.site END AS site_key, COALESCE(st.history = '1', FALSE) AS history, "
        f"{counts} AS counts FROM dq_ev x LEFT JOIN dq_sites st ON st.code = x.code "
        "WHERE x.cluster_id = 'CAN_COD'"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE dq_cd AS {select_diagnosis(register, 'dq_ev').sql('duckdb')}")


def _run_checks(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE dq_findings ({', '.join(FINDING_COLUMNS)})")
    for info in CHECKS:
        sql = BUILDERS[info.name](plan)
        if sql:
            con.execute(f"INSERT INTO dq_findings {sql}")


def _order() -> str:
    rows = ", ".join(f"({s(c.name)}, {n}, {s(c.title)})" for n, c in enumerate(CHECKS + REJECT_CHECKS))
    return f"(VALUES {rows}) AS k(check_name, ord, title)"


def _summary_sql() -> str:
    rejects = " UNION ALL ".join(
        f"SELECT NULL AS practice_code, {s(name)} AS check_name, "
        f"COUNT(DISTINCT file || ':' || \"row\") AS findings, NULL AS patients, NULL AS changed "
        f"FROM rejects WHERE reason IN {in_list(reasons)}"
        for name, reasons in _REJECT_REASONS.items()
    )
    return (
        "WITH practices AS (SELECT DISTINCT practice_code FROM patients), "
        'counts AS (SELECT practice_code, "check" AS check_name, COUNT(*) AS findings, '
        "COUNT(DISTINCT patient_id) AS patients, "
        "COUNT(DISTINCT patient_id) FILTER (WHERE changes_outcome) AS changed "
        "FROM dq_result GROUP BY ALL), "
        "grid AS (SELECT p.practice_code, k.check_name, COALESCE(c.findings, 0) AS findings, "
        "COALESCE(c.patients, 0) AS patients, COALESCE(c.changed, 0) AS changed FROM practices p "
        f"CROSS JOIN (SELECT check_name FROM {_order()} WHERE check_name NOT LIKE 'rejected_%') k "
        "LEFT JOIN counts c ON c.practice_code = p.practice_code AND c.check_name = k.check_name "
        f"UNION ALL {rejects}) "
        'SELECT g.practice_code, g.check_name AS "check", k.title, g.findings, g.patients, '
        "g.changed AS patients_outcome_changed "
        f"FROM grid g JOIN {_order()} ON k.check_name = g.check_name "
        "ORDER BY g.practice_code NULLS LAST, k.ord"
    )


def compute_data_quality(context: RunContext, settings: QualitySettings | None = None) -> dict[str, pa.Table]:
    """The `data_quality` and `data_quality_summary` tables for this run."""
    con = context.con
    plan = make_plan(context.ruleset, context.period, settings or QualitySettings())
    prepare_tables(context, plan)
    _run_checks(con, plan)
    compute_impacts(con, context.ruleset, context.period)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_result AS "
        'SELECT p.practice_code, f.patient_id, f.check_name AS "check", f.code, t.term, f.date, f.detail, '
        "f.suggested_fix, COALESCE(f.rule_impact, i.impact) AS impact, "
        "CASE WHEN f.rule_impact IS NULL THEN i.changed END AS changes_outcome, "
        "CASE WHEN f.rule_impact IS NULL AND i.impact IS NOT NULL THEN 'computed' ELSE 'rule' END "
        "AS impact_basis, k.ord "
        "FROM dq_findings f JOIN patients p ON p.patient_id = f.patient_id "
        "LEFT JOIN dq_terms t ON t.code = f.code "
        "LEFT JOIN dq_impact i ON i.check_name = f.check_name AND i.patient_id = f.patient_id "
        f"JOIN {_order()} ON k.check_name = f.check_name"
    )
    columns = ", ".join('"' + c + '"' for c in DATA_QUALITY_COLUMNS)
    return {
        "data_quality": _arrow(
            con,
            # Findings that change an indicator outcome first: those are the ones that cost money.
            f"SELECT {columns} FROM dq_result "
            "ORDER BY changes_outcome DESC NULLS LAST, practice_code, ord, patient_id, date, code",
            DATA_QUALITY_SCHEMA,
        ),
        "data_quality_summary": _arrow(con, _summary_sql(), SUMMARY_SCHEMA),
    }
