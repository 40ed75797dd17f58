"""`qof-cancer run --engine postgres` against a throwaway PostgreSQL: the same files as DuckDB's, from the
same synthetic PCN and from every case of the bad-input gallery (exit code, message, rejects.csv)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from qof_cancer.cli import main

GALLERY = Path(__file__).parents[1] / "gallery" / "cases" / "run"
RUN_CASES = sorted(p.parent for p in GALLERY.glob("*/expect.yaml"))
# What both engines write: the indicators and the features that run on every engine (worklist, data
# quality, benchmarks).
COMPARED = (
    "benchmark.csv",
    "outcomes.csv",
    "summary.csv",
    "rejects.csv",
    "indicator_values.csv",
    "worklist.csv",
    "forecast.csv",
    "pca_monitoring.csv",
    "data_quality.csv",
    "data_quality_summary.csv",
)


def _files(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text() for name in COMPARED if (folder / name).exists()}


@pytest.fixture(scope="module")
def pcn(tmp_path_factory) -> Path:
    """A synthetic PCN of three practices (CSV, with the generator's planted faults)."""
    data = tmp_path_factory.mktemp("pcn")
    args = ["synth", "--practices", "3", "--patients-per-practice", "1500", "--seed", "7"]
    assert main([*args, "--out", str(data), "--as-of", "2024-03-20"]) == 0
    return data


@pytest.mark.parametrize("as_of", [None, "2023-12-01"])
def test_postgres_run_writes_the_files_duckdb_writes(pcn, tmp_path, postgres_dsn, capsys, as_of):
    base = ["run", "--patients", str(pcn / "patients.csv"), "--events", str(pcn / "events.csv")]
    base += ["--year", "2023-24"] + (["--as-of", as_of] if as_of else [])
    assert main([*base, "--out", str(tmp_path / "duckdb")]) == 0
    assert main([*base, "--out", str(tmp_path / "pg"), "--engine", "postgres", "--dsn", postgres_dsn]) == 0
    out = capsys.readouterr().out
    duck, pg = _files(tmp_path / "duckdb"), _files(tmp_path / "pg")
    assert set(duck) == set(pg) >= {"outcomes.csv", "summary.csv", "worklist.csv", "data_quality.csv"}
    assert len(duck["outcomes.csv"].splitlines()) > 50  # a register worth comparing
    for name in duck:
        assert pg[name] == duck[name], name
    assert "not computed" not in out  # every feature ran on Postgres


@pytest.mark.parametrize("case", RUN_CASES, ids=[c.name for c in RUN_CASES])
def test_postgres_gives_the_gallery_case_duckdb_gives(case, tmp_path, monkeypatch, capsys, postgres_dsn):
    expect = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    results = {}
    for engine in ("duckdb", "postgres"):
        work = tmp_path / engine
        shutil.copytree(case, work)
        monkeypatch.chdir(work)
        extra = ["--engine", "postgres", "--dsn", postgres_dsn] if engine == "postgres" else []
        code = main([*expect["args"], *extra])
        err = capsys.readouterr().err
        results[engine] = (code, err.strip().splitlines()[-1:] if code else [], _files(work / "out"))
    assert results["postgres"] == results["duckdb"]
    assert results["postgres"][0] == expect["exit"]


def test_postgres_reads_the_users_tables_and_leaves_them_as_they_were(pcn, tmp_path, postgres_dsn):
    import psycopg

    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS gp CASCADE")
        con.execute("CREATE SCHEMA gp")
        for name in ("patients", "events"):
            path = pcn / f"{name}.csv"
            header = path.read_text().splitlines()[0].split(",")
            con.execute(f"CREATE TABLE gp.{name} ({', '.join(f'{c} text' for c in header)})")
            with con.cursor().copy(f"COPY gp.{name} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                copy.write(path.read_bytes())
        before = con.execute(
            "SELECT (SELECT count(*) FROM gp.patients), (SELECT count(*) FROM gp.events), "
            "(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'gp')"
        ).fetchone()
        base = ["run", "--year", "2023-24"]
        files = ["--patients", str(pcn / "patients.csv"), "--events", str(pcn / "events.csv")]
        assert main([*base, *files, "--out", str(tmp_path / "duckdb")]) == 0
        tables = ["--patients", "postgres:gp.patients", "--events", "postgres:gp.events"]
        engine = ["--engine", "postgres", "--dsn", postgres_dsn]
        assert main([*base, *tables, *engine, "--out", str(tmp_path / "pg")]) == 0
        after = con.execute(
            "SELECT (SELECT count(*) FROM gp.patients), (SELECT count(*) FROM gp.events), "
            "(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'gp')"
        ).fetchone()
        leftover = con.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'qof_run_%'").fetchall()
        con.execute("DROP SCHEMA gp CASCADE")
    assert after == before and not leftover  # nothing written beside the user's tables, nothing left
    for name in ("outcomes.csv", "summary.csv"):
        assert (tmp_path / "pg" / name).read_text() == (tmp_path / "duckdb" / name).read_text(), name


def test_postgres_reads_typed_parquet_as_duckdb_does(pcn, tmp_path, postgres_dsn):
    """Parquet with DATE columns: the types travel into PostgreSQL (not text), and the run agrees."""
    import duckdb

    con = duckdb.connect()
    for name, dates in (("patients", ("date_of_birth", "registration_start")), ("events", ("date",))):
        src = pcn / f"{name}.csv"
        replace = ", ".join(f"CAST({c} AS DATE) AS {c}" for c in dates)
        con.execute(
            f"COPY (SELECT * REPLACE ({replace}) FROM read_csv('{src}', all_varchar = true)) "
            f"TO '{tmp_path / f'{name}.parquet'}' (FORMAT parquet)"
        )
    con.close()
    base = ["run", "--year", "2023-24", "--patients", str(tmp_path / "patients.parquet")]
    base += ["--events", str(tmp_path / "events.parquet")]
    assert main([*base, "--out", str(tmp_path / "duckdb")]) == 0
    assert main([*base, "--out", str(tmp_path / "pg"), "--engine", "postgres", "--dsn", postgres_dsn]) == 0
    duck, pg = _files(tmp_path / "duckdb"), _files(tmp_path / "pg")
    assert pg == duck and "outcomes.csv" in duck


@pytest.mark.parametrize(
    ("dsn", "message"),
    [
        (None, "--engine postgres needs --dsn"),
        ("host=/nonexistent-socket-folder dbname=x", "--dsn: cannot connect to PostgreSQL"),
    ],
)
def test_postgres_connection_problems_are_one_line_errors(pcn, tmp_path, capsys, dsn, message):
    pytest.importorskip("psycopg")
    args = ["run", "--patients", str(pcn / "patients.csv"), "--events", str(pcn / "events.csv")]
    args += ["--year", "2023-24", "--out", str(tmp_path / "out"), "--engine", "postgres"]
    assert main([*args, *(["--dsn", dsn] if dsn else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
