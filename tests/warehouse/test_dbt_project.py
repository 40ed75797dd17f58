"""`qof-cancer dbt`: the generated project built for real with dbt-postgres on the throwaway PostgreSQL;
`dbt build` passes (models, seed and every schema test), and its outcomes and summary counts equal the
engine's on the spec cases' patients."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from qof_cancer.cli import main
from qof_cancer.engine.summary import summarise
from qof_cancer.inputs.backends import DuckDBBackend
from tests.warehouse.test_sql_script import CODES, PATIENTS, PERIOD, RULESET, _as_text

DBT = Path(sys.executable).parent / "dbt"
COUNTS = ("list_size", "register", "numerator", "denominator", "pcas", "exclusions", "out_of_scope")


def _profile(dsn: str, schema: str) -> dict:
    parts = dict(item.split("=", 1) for item in dsn.split())
    target = {
        "type": "postgres",
        "host": parts["host"],
        "port": int(parts.get("port", 5432)),
        "user": parts["user"],
        "password": "",
        "dbname": parts["dbname"],
        "schema": schema,
        "threads": 1,
    }
    return {"qof_cancer": {"target": "test", "outputs": {"test": target}}}


@pytest.fixture(scope="module")
def engine_result():
    backend = DuckDBBackend(duckdb.connect())
    try:
        from tests.engines.runner import load_patients, store_over

        load_patients(backend, PATIENTS, CODES)
        main = store_over(backend).evaluate(RULESET, PERIOD)
        outcomes = backend.arrow("SELECT * FROM outcomes").to_pylist()
        summary = summarise(RULESET, PERIOD, main.counts, main.sizes)
    finally:
        backend.close()
    return sorted(_as_text(outcomes)), summary


def test_dbt_build_passes_and_gives_the_engines_outcomes(tmp_path, postgres_dsn, engine_result):
    if not DBT.exists():
        from tests.conftest import require

        require("postgres")  # dbt-postgres comes with the dev extra, beside psycopg
        pytest.skip("needs dbt-postgres")
    import psycopg

    from qof_cancer.inputs.postgres import PostgresBackend

    project = tmp_path / "project"
    assert main(["dbt", "--year", "2023-24", "--out", str(project)]) == 0
    (project / "profiles.yml").write_text(yaml.safe_dump(_profile(postgres_dsn, "qof_dbt")))
    inputs = PostgresBackend.connect(postgres_dsn)  # the source tables, in a schema of their own
    try:
        from tests.engines.runner import load_patients

        load_patients(inputs, PATIENTS, {})
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
        done = subprocess.run(
            [str(DBT), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
            + ["--vars", json.dumps({"qof_source_schema": inputs.schema})],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout[-3000:]
        results = json.loads((project / "target" / "run_results.json").read_text())["results"]
        tests = [r for r in results if r["unique_id"].startswith("test.")]
        assert len(tests) >= 15 and all(r["status"] == "pass" for r in tests)
        with psycopg.connect(postgres_dsn) as con:
            columns = "practice_code, pcn_code, patient_id, indicator, outcome, rule, national_rule, reason, "
            rows = con.execute(f"SELECT {columns} can_dat, reg_dat, due_date FROM qof_dbt.qof_outcomes")
            names = [d.name for d in rows.description]
            outcomes = [dict(zip(names, r, strict=True)) for r in rows.fetchall()]
            summary = con.execute(
                f"SELECT practice_code, indicator, {', '.join(COUNTS)}, achievement_pct FROM qof_dbt.qof_summary"
            ).fetchall()
            con.execute("DROP SCHEMA qof_dbt CASCADE")
    finally:
        inputs.close()
    expected_outcomes, expected_summary = engine_result
    assert sorted(_as_text(outcomes)) == expected_outcomes
    got = {(r[0], r[1]): r[2:] for r in summary}
    practice_rows = [r for r in expected_summary if r["level"] == "practice"]  # PCN totals are the tool's
    for row in practice_rows:
        counts = got[(row["practice_code"], row["indicator"])]
        assert counts[:-1] == tuple(row.get(c) for c in COUNTS), row["indicator"]
        if row["achievement_pct"] is not None:
            assert float(counts[-1]) == pytest.approx(row["achievement_pct"], abs=0.01)
    assert len(got) == len(practice_rows)


def test_the_tsql_models_hold_no_boolean_value_and_every_reference_is_jinja():
    from qof_cancer.warehouse.dbt import render_dbt_project
    from tests.warehouse.test_sql_script import CLUSTERS, boolean_values

    files = render_dbt_project(RULESET, PERIOD, CLUSTERS, "tsql")
    models = {path: text for path, text in files.items() if path.endswith(".sql")}
    assert "models/qof_rule_facts.sql" in models
    for path, text in models.items():
        assert "__qof_ref_" not in text, path  # the bracketed placeholders became ref() / source()
        assert "{{ ref(" in text or "{{ source(" in text, path
        plain = re.sub(r"\{\{ (?:ref|source)\(([^}]*)\) \}\}", lambda m: m.group(1).split("'")[-2], text)
        assert boolean_values(plain, "tsql") == [], path
