"""worklist.xlsx and the message files, written by a run; the CLI options and the templates command."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from qof_cancer import api
from qof_cancer.cli import main
from qof_cancer.cli import run as run_command
from qof_cancer.folders import MANIFEST
from qof_cancer.model import load_ruleset
from qof_cancer.outputs.worklist_excel import worklist_sheets, write_worklist_workbook
from qof_cancer.worklist.lists import worklist_lists
from tests.helpers import write_inputs
from tests.worklist.conftest import patient

CONTACT_HEADER = ("nhs_number", "mobile_phone", "email")


def _with_contacts(ppath, contacts: dict[str, tuple[str, str, str]]) -> None:
    """Add nhs_number, mobile_phone and email columns to a written patients.csv."""
    with ppath.open(newline="") as fh:
        data = list(csv.reader(fh))
    data[0] += CONTACT_HEADER
    for row in data[1:]:
        row += contacts.get(row[0], ("", "", ""))
    with ppath.open("w", newline="") as fh:
        csv.writer(fh).writerows(data)


def _inputs(folder):
    patients = [
        patient([["CAN_COD", "2023-10-15"]], patient_id="texted"),
        patient([["CAN_COD", "2023-11-01"]], patient_id="landline"),
        patient([["CAN_COD", "2023-05-01"]], patient_id="missed"),
    ]
    ppath, epath = write_inputs(folder, patients)
    _with_contacts(
        ppath,
        {
            "texted": ("9990000018", "+44 7700 900123", "a@example.org"),
            "landline": ("9990000026", "01632 960123", ""),
            "missed": ("9990000034", "07700 900456", ""),
        },
    )
    return ppath, epath


def test_the_workbook_has_a_formatted_sheet_per_list(tmp_path):
    ppath, epath = _inputs(tmp_path / "in")
    result = api.run(
        ppath, epath, year="2023-24", as_of=date(2023, 12, 1), today=date(2023, 12, 1), out=tmp_path / "out"
    )
    target = tmp_path / "out" / "worklist.xlsx"
    assert target in result.files
    leftovers = [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".") and p.name != MANIFEST]
    assert not leftovers  # no temporary left
    wb = load_workbook(target)
    sheets = worklist_sheets(worklist_lists(result.ruleset))
    assert wb.sheetnames == ["About"] + [s[0] for s in sheets]
    assert wb.sheetnames[1:3] == ["CAN005 support", "CAN004 review"]  # the rule files name them
    about = "\n".join(" ".join(str(c) for c in row if c) for row in wb["About"].iter_rows(values_only=True))
    assert "This workbook names patients" in about and "Achievement date 1 December 2023" in about
    assert "record_code The code to record" in about and "docs/" not in about  # needs nothing else
    ws = wb["CAN005 support"]
    header = [c.value for c in ws[1]]
    for column in (
        "practice_code",
        "patient_id",
        "indicator",
        "action",
        "due_date",
        "days_left",
        "nhs_number",
        "mobile_phone",
        "mobile_usable",
        "email",
        "record_code",
    ):
        assert column in header
    assert "list" not in header
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    assert ws["A1"].font.bold
    assert ws.max_row == 3  # two support contacts
    due = ws.cell(2, header.index("due_date") + 1)
    assert isinstance(due.value, datetime) and due.value.date() == date(2024, 1, 16)  # 93 days
    assert due.number_format == "dd-mmm-yyyy"
    assert ws.column_dimensions["A"].width >= len("practice_code")
    assert ws.cell(2, header.index("value_gbp") + 1).number_format.startswith("£")
    assert wb["Missed"].max_row == 2
    forecast = wb["Forecast"]
    assert [c.value for c in forecast[1]][:2] == ["scenario", "level"]


def test_the_workbook_is_skipped_without_worklist_tables(tmp_path):
    assert write_worklist_workbook({}, tmp_path / "worklist.xlsx", ruleset=load_ruleset()) == []
    assert not (tmp_path / "worklist.xlsx").exists()


def _run_args(ppath, epath, out, *extra):
    return [
        "run",
        "--patients",
        str(ppath),
        "--events",
        str(epath),
        "--year",
        "2023-24",
        "--as-of",
        "2023-12-01",
        "--out",
        str(out),
        *extra,
    ]


@pytest.fixture
def on_1_december_2023(monkeypatch):
    monkeypatch.setattr(run_command, "_today", lambda: date(2023, 12, 1))


def test_run_command_writes_worklist_and_messages(tmp_path, capsys, on_1_december_2023):
    ppath, epath = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    details = tmp_path / "practices.csv"
    details.write_text("practice_code,name,phone\nA00001,Riverside Surgery,01632 960111\n")
    code = main(_run_args(ppath, epath, out, "--practice-details", str(details)))
    assert code == 0, capsys.readouterr().err
    for name in ("worklist.csv", "forecast.csv", "pca_monitoring.csv", "worklist.xlsx"):
        assert (out / name).exists()
    with (out / "worklist.csv").open() as fh:
        worklist = list(csv.DictReader(fh))
    assert {"practice_code", "patient_id", "indicator", "action", "due_date", "days_left"} <= set(worklist[0])
    with (out / "messages" / "A00001-sms.csv").open() as fh:
        sms = list(csv.DictReader(fh))
    assert list(sms[0]) == ["nhs_number", "mobile", "message"]
    # The texted patient gets the support SMS now; the CAN004 invitations wait for their eight weeks.
    assert [(r["nhs_number"], r["mobile"]) for r in sms] == [("9990000018", "07700900123")]
    assert sms[0]["message"].startswith("Riverside Surgery: ")
    with (out / "messages" / "A00001-letters.csv").open() as fh:
        letters = list(csv.DictReader(fh))
    assert [(r["patient_id"], r["why_letter"]) for r in letters] == [
        ("landline", "no usable mobile (landline)")
    ]
    assert "Riverside Surgery" in letters[0]["letter"] and letters[0]["record_cluster"] == "CANPCSUPP_COD"
    assert "Telephone: 01632 960111" in letters[0]["letter"] and "\n1 December 2023\n" in letters[0]["letter"]
    # A second run for another practice leaves no stale files behind.
    (out / "messages" / "Z99999-sms.csv").write_text("nhs_number,mobile,message\n")
    assert main(_run_args(ppath, epath, out, "--practice-details", str(details))) == 0
    assert sorted(p.name for p in (out / "messages").iterdir()) == ["A00001-letters.csv", "A00001-sms.csv"]


def test_run_without_practice_details_writes_no_messages_and_says_how(tmp_path, capsys, on_1_december_2023):
    ppath, epath = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    (out / "messages").mkdir(parents=True)
    (out / "messages" / "A00001-sms.csv").write_text("nhs_number,mobile,message\n")  # an earlier run's
    assert main(_run_args(ppath, epath, out)) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "no texts or letters written for A00001: no practice name and phone number" in said
    assert "--practice-details FILE" in said
    assert list((out / "messages").iterdir()) == []  # and nothing of an earlier run is left to send
    assert (out / "worklist.csv").exists()  # the lists themselves are still written


def test_run_for_a_past_achievement_date_writes_no_messages_and_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_command, "_today", lambda: date(2024, 1, 10))
    ppath, epath = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    assert (
        main(_run_args(ppath, epath, out, "--practice-name", "Riverside", "--practice-phone", "01632 960111"))
        == 0
    )
    said = " ".join(capsys.readouterr().out.split())
    assert "the run's achievement date, 1 December 2023, has passed" in said
    assert not (out / "messages").exists() or list((out / "messages").iterdir()) == []


def test_a_bad_template_stops_the_run_before_it_starts(tmp_path, capsys):
    ppath, epath = _inputs(tmp_path / "in")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "support_sms.j2").write_text("x" * 400)
    code = main(
        [
            "run",
            "--patients",
            str(ppath),
            "--events",
            str(epath),
            "--out",
            str(tmp_path / "out"),
            "--templates",
            str(tmp_path / "t"),
        ]
    )
    assert code == 2
    assert "support_sms.j2" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_templates_command_copies_the_bundled_templates(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["templates", "--out", str(folder)]) == 0
    assert len(list(folder.glob("*.j2"))) == 6
    assert main(["templates", "--out", str(folder)]) == 2  # will not overwrite without --force
    assert "already exists" in capsys.readouterr().err
    assert main(["templates", "--out", str(folder), "--force"]) == 0
