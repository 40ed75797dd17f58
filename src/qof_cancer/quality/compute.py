"""Run the data-quality checks on the run's backend and build `data_quality` and its summary.

All patient-level work is SQL on the run's engine (DuckDB or Spark; no per-patient Python), written once
in DuckDB's dialect and rendered for the engine by the backend. The working tables are prefixed `dq_`
and dropped at the end; the run's own tables are only read. The checks (quality/checks/) read:
- `dq_events`: every record of `events` with an `event_id`, its row in the events file (the same on every
  engine; where two records tie on date, the one earlier in the file is the one reported);
- `dq_pop`: patients registered and alive on the achievement date (the indicators' population);
- `dq_ev`: their coded records up to the achievement date, one row per record and cluster;
- `dq_dx`: their CAN_COD records with the cancer `site`, `site_key` (the site, or the code itself for the
  sites that name no tumour), `history` ("History of" code) and `counts` (sets CAN_DAT, by episode);
- `dq_cd`: each patient's CAN_DAT (the latest counting CAN_COD record);
- `outcomes` (the indicators' results), `dq_terms`, `dq_sites`, `dq_cancer_like`, `dq_placeholders`,
  `dq_local` (code tables), and `dq_can_dat_moved` (patients whose CAN_DAT is itself a fault).
"""

from __future__ import annotations

import pyarrow as pa

from qof_cancer.engine.context import FeatureTables, RunContext, StoreTable
from qof_cancer.engine.facts import counting_episode, registered_on, select_diagnosis
from qof_cancer.engine.run import feature_table
from qof_cancer.quality.catalogue import CHECKS, REJECT_CHECKS, REJECT_REASONS
from qof_cancer.quality.checks import FINDING_COLUMNS
from qof_cancer.quality.codes import code_tables
from qof_cancer.quality.impact import compute_impacts
from qof_cancer.quality.reading import QualitySettings, RuleReading, read_rules
from qof_cancer.quality.sql_text import date_literal, in_list, quoted
from qof_cancer.quality.work_tables import WorkTables

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


def prepare_tables(context: RunContext, reading: RuleReading, tables: WorkTables) -> None:
    """The code tables and the patient tables every check reads (see the module docstring)."""
    register = context.ruleset.register
    for name, table in {
        **code_tables(context.clusters, context.ruleset.register_cluster),
        "dq_local": _local_table(context),
    }.items():
        tables.register(name, table)
    tables.materialize(
        "dq_events",
        "SELECT CAST(_row AS BIGINT) AS event_id, patient_id, code, date, episode FROM events",
    )
    # The population and CAN_DAT are the engine's own (engine.facts), not a second reading of the rules.
    tables.materialize(
        "dq_pop",
        "SELECT patient_id, practice_code, registration_start, registration_end, date_of_death "
        f"FROM patients WHERE {registered_on(reading.ach).sql('duckdb')}",
    )
    tables.materialize(
        "dq_ev",
        "SELECT e.event_id, e.patient_id, e.code, e.date, e.episode, c.cluster_id FROM dq_events e "
        "JOIN cluster_codes c ON c.code = e.code JOIN dq_pop p ON p.patient_id = e.patient_id "
        f"WHERE e.date <= {date_literal(reading.ach)}",
    )
    counts = counting_episode(register, "x").sql("duckdb")
    tables.materialize(
        "dq_dx",
        "SELECT x.*, COALESCE(st.site, 'unspecified') AS site, "
        "CASE WHEN COALESCE(st.site, 'unspecified') IN ('unspecified', 'other', 'secondary') "
        "THEN 'code:' || x.code ELSE st.site END AS site_key, COALESCE(st.history = '1', FALSE) AS history, "
        f"{counts} AS counts FROM dq_ev x LEFT JOIN dq_sites st ON st.code = x.code "
        f"WHERE x.cluster_id = {quoted(context.ruleset.register_cluster)}",
    )
    tables.materialize("dq_cd", select_diagnosis(register, "dq_ev").sql("duckdb"))


def _typed(select: str) -> str:
    """`select`'s finding columns cast to their types, so that every check's rows union alike."""
    columns = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in FINDING_COLUMNS)
    return f"SELECT {columns} FROM ({select}) AS f"


# No rows, typed as findings (a run whose rule set gives no check anything to look at).
_NO_FINDINGS = (
    _typed("SELECT " + ", ".join(f"NULL AS {name}" for name, _ in FINDING_COLUMNS)) + " WHERE FALSE"
)


def _run_checks(tables: WorkTables, reading: RuleReading) -> None:
    """`dq_findings`: the rows of every check. The checks that move CAN_DAT run first, since
    care_before_diagnosis leaves their patients to them (`dq_can_dat_moved`)."""

    def found(moving: bool) -> dict[str, str]:
        return {
            f"dq_found_{check.name}": _typed(sql)
            for check in CHECKS
            if check.moves_can_dat == moving and (sql := check.build(reading))
        }

    moves = tables.union("dq_found_moving", found(True))
    tables.materialize(
        "dq_can_dat_moved",
        f"SELECT DISTINCT f.patient_id FROM ({moves or _NO_FINDINGS}) f "
        "JOIN dq_cd c ON c.patient_id = f.patient_id AND f.date = c.can_dat",
    )
    rest = tables.union("dq_found_rest", found(False))
    tables.materialize("dq_findings", " UNION ALL ".join(s for s in (moves, rest) if s) or _NO_FINDINGS)


def _catalogue() -> str:
    """The checks in catalogue order with their titles, as an inline table `k`."""
    rows = ", ".join(
        f"({quoted(c.name)}, {n}, {quoted(c.title)})" for n, c in enumerate(CHECKS + REJECT_CHECKS)
    )
    return f"(VALUES {rows}) AS k(check_name, ord, title)"


def _summary_sql() -> str:
    rejects = " UNION ALL ".join(
        f"SELECT CAST(NULL AS VARCHAR) AS practice_code, {quoted(name)} AS check_name, "
        f"COUNT(DISTINCT file || ':' || CAST(\"row\" AS VARCHAR)) AS findings, CAST(NULL AS BIGINT) AS patients, "
        f"CAST(NULL AS BIGINT) AS changed FROM rejects WHERE reason IN {in_list(reasons)}"
        for name, reasons in REJECT_REASONS.items()
    )
    return (
        "WITH practices AS (SELECT DISTINCT practice_code FROM patients), "
        'counts AS (SELECT practice_code, "check" AS check_name, COUNT(*) AS findings, '
        "COUNT(DISTINCT patient_id) AS patients, "
        "COUNT(DISTINCT CASE WHEN changes_outcome THEN patient_id END) AS changed "
        'FROM dq_result GROUP BY practice_code, "check"), '
        "grid AS (SELECT p.practice_code, k.check_name, COALESCE(c.findings, 0) AS findings, "
        "COALESCE(c.patients, 0) AS patients, COALESCE(c.changed, 0) AS changed FROM practices p "
        f"CROSS JOIN (SELECT check_name FROM {_catalogue()} WHERE check_name NOT LIKE 'rejected_%') k "
        "LEFT JOIN counts c ON c.practice_code = p.practice_code AND c.check_name = k.check_name "
        f"UNION ALL {rejects}) "
        'SELECT g.practice_code, g.check_name AS "check", k.title, g.findings, g.patients, '
        "g.changed AS patients_outcome_changed "
        f"FROM grid g JOIN {_catalogue()} ON k.check_name = g.check_name "
        "ORDER BY g.practice_code NULLS LAST, k.ord"
    )


def _catalogue_order(column: str) -> str:
    """A check's place in the catalogue, from its name in `column`, as SQL."""
    places = " ".join(f"WHEN {quoted(c.name)} THEN {n}" for n, c in enumerate(CHECKS + REJECT_CHECKS))
    return f"CASE {column} {places} END"


# Findings that change an indicator outcome first: those are the ones that cost money.
DATA_QUALITY_ORDER = (
    "changes_outcome DESC NULLS LAST",
    "practice_code",
    _catalogue_order('"check"'),
    "patient_id",
    "date",
    "code",
)
SUMMARY_ORDER = ("practice_code NULLS LAST", _catalogue_order('"check"'))


def compute_data_quality(context: RunContext, settings: QualitySettings | None = None) -> FeatureTables:
    """The `data_quality` and `data_quality_summary` tables for this run, on the run's engine: kept in
    the run's store as `feature_data_quality` and `feature_data_quality_summary` (`StoreTable`s)."""
    backend = context.backend
    reading = read_rules(context.ruleset, context.period, settings or QualitySettings())
    tables = WorkTables(backend)
    try:
        prepare_tables(context, reading, tables)
        _run_checks(tables, reading)
        compute_impacts(tables, context.store)
        tables.materialize(
            "dq_result",
            'SELECT p.practice_code, f.patient_id, f.check_name AS "check", f.code, t.term, f.date, f.detail, '
            "f.suggested_fix, COALESCE(f.rule_impact, i.impact) AS impact, "
            "CASE WHEN f.rule_impact IS NULL THEN i.changed END AS changes_outcome, "
            "CASE WHEN f.rule_impact IS NULL AND i.impact IS NOT NULL THEN 'computed' ELSE 'rule' END "
            "AS impact_basis, k.ord "
            "FROM dq_findings f JOIN patients p ON p.patient_id = f.patient_id "
            "LEFT JOIN dq_terms t ON t.code = f.code "
            "LEFT JOIN dq_impact i ON i.check_name = f.check_name AND i.patient_id = f.patient_id "
            f"JOIN {_catalogue()} ON k.check_name = f.check_name",
        )
        columns = ", ".join('"' + c + '"' for c in DATA_QUALITY_COLUMNS)
        found = StoreTable(
            feature_table("data_quality"), DATA_QUALITY_COLUMNS, DATA_QUALITY_ORDER, DATA_QUALITY_SCHEMA
        )
        backend.materialize(
            found.name,
            f"SELECT {columns} FROM dq_result "
            "ORDER BY changes_outcome DESC NULLS LAST, practice_code, ord, patient_id, date, code",
        )
        summary = StoreTable(
            feature_table("data_quality_summary"), SUMMARY_COLUMNS, SUMMARY_ORDER, SUMMARY_SCHEMA
        )
        backend.materialize(summary.name, _summary_sql())
        return {"data_quality": found, "data_quality_summary": summary}
    finally:
        tables.drop()
