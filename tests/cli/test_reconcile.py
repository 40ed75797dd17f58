"""`qof-cancer reconcile` names the reading of the rules that produced a set of published figures.

The "published" figures are made by this tool itself under one reading, in NHS Digital's layouts; the
extract is synthetic practices plus a few patients on whom the readings differ. Reconcile must name the
reading used, and only it.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from qof_cancer import api
from qof_cancer.cli import main
from qof_cancer.model import load_ruleset
from qof_cancer.reconcile import DEFAULT_READING, READINGS, reading_settings
from qof_cancer.synth.generate import DEFAULT_AS_OF, write_synthetic
from qof_cancer.synth.params import SynthParams
from tests.helpers import cluster_code

TODAY = date(2026, 12, 2)
YEAR = "2023-24"
# Patients on whom the readings differ, added to the synthetic practice.
SEPARATING = [
    # last year's review: excluded since the diagnosis and with any; met with it off
    [("CAN_COD", "2022-06-01"), ("MDRV_COD", "2022-09-01")],
    # a review before the diagnosis: excluded only with any
    [("CAN_COD", "2022-06-01"), ("MDRV_COD", "2022-05-01")],
    [("CAN_COD", "2022-07-01"), ("MDRV_COD", "2022-06-01")],
    # support on day 93: met in 93 days, not met in calendar months
    [("CAN_COD", "2023-06-10"), ("CANPCSUPP_COD", "2023-09-11")],
]


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("extract")
    write_synthetic(folder, "csv", 2, 1500, 21, DEFAULT_AS_OF, SynthParams(), planted=False)
    patients, events = folder / "patients.csv", folder / "events.csv"
    with patients.open() as fh:
        first = next(csv.DictReader(fh))
    with patients.open("a") as pf, events.open("a") as ef:
        for i, records in enumerate(SEPARATING):
            pid = f"sep{i}"
            pf.write(_patient_line(patients, pid, first["practice_code"]))
            for cluster, day in records:
                ef.write(_event_line(events, pid, cluster_code(cluster), day))
    return patients, events


def _header(path: Path) -> list[str]:
    with path.open(newline="") as fh:
        return next(csv.reader(fh))


def _patient_line(path: Path, pid: str, practice: str) -> str:
    header = _header(path)
    values = {
        "patient_id": pid,
        "practice_code": practice,
        "date_of_birth": "1950-01-01",
        "sex": "F",
        "registration_start": "2000-01-01",
    }
    return ",".join(values.get(h, "") for h in header) + "\n"


def _event_line(path: Path, pid: str, code: str, day: str) -> str:
    header = _header(path)
    values = {"patient_id": pid, "code": code, "date": day}
    return ",".join(values.get(h, "") for h in header) + "\n"


def _publish_achievement(result, target: Path) -> Path:
    """The run's figures in NHS Digital's long ACHIEVEMENT layout."""
    with target.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ACH_DATE", "PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"])
        for row in result.summary_rows():
            if row["level"] != "practice":
                continue
            key = ["20240331", row["practice_code"], row["indicator"]]
            w.writerow([*key, "REGISTER", row["register"]])
            w.writerow([*key, "ACHIEVED_POINTS", row["points"]])
            if row["numerator"] is not None:
                w.writerow([*key, "NUMERATOR", row["numerator"]])
                w.writerow([*key, "DENOMINATOR", row["denominator"]])
                w.writerow([*key, "PCAS", row["pcas"]])
        w.writerow(["20240331", "A99999", "DM001", "REGISTER", 12])  # another domain: left out
    return target


def _readings(out: Path) -> list[dict]:
    with (out / "reconcile_readings.csv").open() as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    "reading",
    [
        "earlier-year exclusion since_diagnosis; support window 93 days",
        "earlier-year exclusion any; support window 3 months",
        "earlier-year exclusion off; support window 93 days",
    ],
)
def test_reconcile_names_the_reading_behind_achievement_figures(extract, tmp_path, reading):
    patients, events = extract
    settings = reading_settings(load_ruleset(), READINGS[reading])
    published = api.run(patients, events, year=YEAR, settings=settings, today=TODAY)
    source = _publish_achievement(published, tmp_path / "ACHIEVEMENT.csv")
    out = tmp_path / "rec"
    args = ["reconcile", "--patients", str(patients), "--events", str(events), "--published", str(source)]
    assert main([*args, "--out", str(out)]) == 0  # the year is read from ACH_DATE
    rows = _readings(out)
    assert [r["reading"] for r in rows if r["verdict"]] == [reading]
    best = next(r for r in rows if r["verdict"])
    assert best["verdict"] == "reproduces the published figures" and best["total_abs_difference"] == "0.0"
    assert all(float(r["total_abs_difference"]) > 0 for r in rows if not r["verdict"])
    with (out / "reconcile.csv").open() as fh:
        figures = list(csv.DictReader(fh))
    assert {r["measure"] for r in figures} >= {"REGISTER", "NUMERATOR", "DENOMINATOR", "PCAS"}
    assert all(float(r["best_reading_value"]) == float(r["published"]) for r in figures)
    assert not any(r["practice_code"] == "A99999" for r in figures)


def test_reconcile_reads_indicator_values_files(extract, tmp_path):
    """This tool's own indicator_values.csv, as from another run, is a published layout too."""
    patients, events = extract
    reading = "earlier-year exclusion any; support window 93 days"
    settings = reading_settings(load_ruleset(), READINGS[reading])
    first = tmp_path / "first"
    api.run(patients, events, year=YEAR, settings=settings, today=TODAY, out=first)
    values = first / "indicator_values.csv"
    header = values.read_text().splitlines()[0]
    assert header == "practice_code,achievement_date,indicator,field_name,value"
    out = tmp_path / "rec"
    args = ["reconcile", "--patients", str(patients), "--events", str(events), "--published", str(values)]
    assert main([*args, "--year", YEAR, "--out", str(out)]) == 0
    assert [r["reading"] for r in _readings(out) if r["verdict"]] == [reading]


def test_indicator_values_layout_and_sums(extract, tmp_path):
    patients, events = extract
    result = api.run(patients, events, year=YEAR, today=TODAY)
    rows = result.tables["indicator_values"].to_pylist()
    practice = rows[0]["practice_code"]
    can004 = {
        r["field_name"]: r["value"]
        for r in rows
        if r["practice_code"] == practice and r["indicator"] == "CAN004"
    }
    assert list(can004) == [
        "Cancer Register",
        "CAN_DAT24M",
        "MDRV_DAT",
        "CANPCAPU",
        "CANPCADEC",
        "DIAGCRV12M",
        "CANINVITE",
        "REG1_DAT3",
        "Numerator",
        "Denominator",
    ]
    summary = next(
        r for r in result.summary_rows() if r["practice_code"] == practice and r["indicator"] == "CAN004"
    )
    assert can004["MDRV_DAT"] == summary["excluded_earlier_year"] > 0
    assert can004["REG1_DAT3"] == summary["pca_recent_registration"]
    assert (can004["Numerator"], can004["Denominator"]) == (summary["numerator"], summary["denominator"])
    # Every register patient is decided by exactly one rule (the date floor has no national name).
    named = sum(v for k, v in can004.items() if k not in ("Cancer Register", "Numerator", "Denominator"))
    floor = summary["out_of_scope"] - can004["CAN_DAT24M"]
    assert named + can004["Denominator"] + floor == can004["Cancer Register"]
    can005 = [r["field_name"] for r in rows if r["practice_code"] == practice and r["indicator"] == "CAN005"]
    assert "CANSUP12M" in can005 and "DIAGCSUP3M" in can005 and "CANDAT15M" in can005


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b,c\n1,2,3\n", "not a published QOF file"),
        ("", "the file is empty"),
        (
            "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\nA1,CAN004,NUMERATOR,lots\n",
            "row 2, column VALUE: value 'lots' is not a number",
        ),
        (
            "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\nA1,DM001,REGISTER,4\n",
            "no rows for CAN001, CAN004, CAN005",
        ),
        (
            "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\nA1,CAN004,NUMERATOR,4\nA1,CAN004,NUMERATOR,5\n",
            "row 3: A1 CAN004 NUMERATOR is given twice",
        ),
        ("PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\nA1,CAN004,NUMERATOR,4\n", "give --year"),
    ],
)
def test_a_bad_or_foreign_file_gets_a_clear_message(extract, tmp_path, capsys, content, message):
    patients, events = extract
    source = tmp_path / "published.csv"
    source.write_text(content)
    args = ["reconcile", "--patients", str(patients), "--events", str(events), "--published", str(source)]
    assert main([*args, "--out", str(tmp_path / "rec")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_run_evaluates_the_readings_in_its_own_store(extract, monkeypatch):
    """`run(readings=)` reads and checks the inputs once, for the run and every reading, and gives each
    reading the figures `run_readings` gives; the reading with the run's own settings is the run's."""
    from qof_cancer import pipeline

    patients, events = extract
    ruleset = load_ruleset(today=TODAY)
    readings = {name: reading_settings(ruleset, values) for name, values in READINGS.items()}
    opened = []
    real_open = pipeline.Run.open
    monkeypatch.setattr(pipeline.Run, "open", lambda *a, **k: opened.append(1) or real_open(*a, **k))
    result = api.run(patients, events, year=YEAR, today=TODAY, features=(), readings=readings)
    assert len(opened) == 1
    _, alone = api.run_readings(patients, events, readings, year=YEAR, today=TODAY)
    assert [r.name for r in result.readings] == list(READINGS)
    for ours, theirs in zip(result.readings, alone, strict=True):
        assert (ours.summary, ours.indicator_values) == (theirs.summary, theirs.indicator_values)
    figures = {
        name: {(r["practice_code"], r["indicator"]): (r["numerator"], r["denominator"]) for r in rd.summary}
        for name, rd in zip(READINGS, result.readings, strict=True)
    }
    assert any(f != figures[DEFAULT_READING] for f in figures.values())  # the readings do differ here
    run_figures = {
        (r["practice_code"], r["indicator"]): (r["numerator"], r["denominator"])
        for r in result.summary_rows()
    }
    assert figures[DEFAULT_READING] == run_figures


def test_the_year_to_reconcile_is_the_published_files_own(tmp_path):
    from qof_cancer.errors import UserError
    from qof_cancer.reconcile import read_published, year_to_run

    ruleset = load_ruleset(today=TODAY)
    source = tmp_path / "ACHIEVEMENT.csv"
    source.write_text(
        "ACH_DATE,PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n20240331,A1,CAN001,REGISTER,4\n",
        encoding="utf-8",
    )
    figures = read_published(source, ("CAN001",))
    assert year_to_run(figures, ruleset, None, None) == "2023-24"
    assert year_to_run(figures, ruleset, "2022-23", None) == "2022-23"  # --year wins
    assert year_to_run(figures, ruleset, None, date(2024, 1, 5)) is None  # the run's year of --as-of
    source.write_text(
        "ACH_DATE,PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n20240331,A1,CAN001,REGISTER,4\n"
        "20230331,B1,CAN001,REGISTER,3\n",
        encoding="utf-8",
    )
    with pytest.raises(
        UserError, match=r"give --year: the file names no single achievement date \(2 found\)"
    ):
        year_to_run(read_published(source, ("CAN001",)), ruleset, None, None)
