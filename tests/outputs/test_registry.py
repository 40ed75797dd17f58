"""The run folder's renderers: outcomes.csv written by DuckDB itself has the same bytes as the Python
writer's, formula-looking cells and all; every registered renderer's file is in a run folder."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from qof_cancer import api
from qof_cancer.outputs.files import write_arrow_csv, write_rows_csv, write_table_csv
from qof_cancer.outputs.registry import RENDERERS
from tests.helpers import diagnosed_patients, write_inputs

# Text a spreadsheet would run, text that looks like it but is a number, and text CSV must quote.
AWKWARD = ['=HYPERLINK("x")', "@me", "-3.5", "+44 7700 900123", "a,b", 'q"x', " lead", "tail ", "it's", "é"]


def test_engine_written_csv_is_byte_for_byte_the_python_writer(tmp_path):
    con = duckdb.connect()
    values = [*AWKWARD, "", None, "\tx", "two\nlines", "-x"]
    con.execute("CREATE TABLE t (n INTEGER, a VARCHAR, d DATE)")
    for n, v in enumerate(values):
        con.execute("INSERT INTO t VALUES (?, ?, ?)", [n, v, dt.date(2024, 1, n + 1)])
    rows = [{"n": n, "a": v, "d": dt.date(2024, 1, n + 1)} for n, v in enumerate(values)]
    write_table_csv(con, "t", ("n", "a", "d"), ("n",), tmp_path / "engine.csv")
    write_rows_csv(tmp_path / "python.csv", ("n", "a", "d"), rows)
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()
    assert b"'=HYPERLINK" in (tmp_path / "engine.csv").read_bytes()  # made safe, not dropped

    # A carriage return inside a cell: DuckDB would quote it and Python does not, so Python writes it.
    con.execute("INSERT INTO t VALUES (99, 'carriage' || chr(13) || 'return', NULL)")
    rows.append({"n": 99, "a": "carriage\rreturn", "d": None})
    write_table_csv(con, "t", ("n", "a", "d"), ("n",), tmp_path / "engine.csv")
    write_rows_csv(tmp_path / "python.csv", ("n", "a", "d"), rows)
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()


def test_a_run_folder_has_outcomes_from_the_engine_and_every_renderer_file(tmp_path):
    patients = diagnosed_patients(AWKWARD)
    ppath, epath = write_inputs(tmp_path / "in", patients)
    result = api.run(ppath, epath, year="2023-24", today=dt.date(2024, 6, 1), out=tmp_path / "out")
    assert result.outcomes.num_rows == 3 * len(AWKWARD)
    write_arrow_csv(result.outcomes, tmp_path / "python.csv")
    assert (tmp_path / "out" / "outcomes.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()

    names = {p.name for p in result.files}
    for renderer in RENDERERS:
        if renderer.file == "<table>.csv":
            assert {f"{t}.csv" for t in result.tables} <= names
        elif renderer.file != "rejects.csv":  # only when an input row had a problem
            assert renderer.file in names, renderer.file
    assert "rejects.csv" not in names and result.rejects.num_rows == 0


def test_a_file_built_on_the_second_thread_that_fails_fails_the_run_and_keeps_the_last_folder(
    tmp_path, monkeypatch
):
    from qof_cancer.outputs import registry

    ppath, epath = write_inputs(tmp_path / "in", diagnosed_patients(["a", "b"]))
    first = api.run(ppath, epath, year="2023-24", today=dt.date(2024, 6, 1), out=tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert [r.file for r in RENDERERS if r.lane == "python"] == ["worklist.xlsx", "report.html"]
    assert [p.name for p in first.files][:3] == ["outcomes.csv", "summary.csv", "indicator_values.csv"]

    def broken(rendering, out):
        raise RuntimeError("report could not be built")

    lanes = tuple(
        registry.Renderer(r.file, broken, lane="python") if r.file == "report.html" else r for r in RENDERERS
    )
    monkeypatch.setattr(registry, "RENDERERS", lanes)
    with pytest.raises(RuntimeError, match="report could not be built"):
        api.run(ppath, epath, year="2023-24", today=dt.date(2024, 6, 1), out=tmp_path / "out")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
