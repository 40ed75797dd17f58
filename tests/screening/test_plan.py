"""The action plan: reading the file (YAML or CSV), measuring baseline and now, and judging progress."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from qof_cancer.cli import main
from qof_cancer.errors import UserError
from qof_cancer.screening.plan import Action, judge, load_plan
from qof_cancer.screening.run import run_screening
from tests.screening.helpers import P, write_screening_inputs

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 11, 15)


def _action(**kw) -> Action:
    base = dict(
        id="A",
        title="t",
        owner="",
        programme="cervical_25_49",
        practice=None,
        group=None,
        measure="coverage",
        cluster=None,
        baseline_date=date(2025, 1, 1),
        baseline_start=date(2024, 1, 1),
        baseline_end=date(2024, 12, 31),
        baseline_value=None,
        target=70.0,
        start=date(2025, 1, 1),
        end=date(2026, 1, 1),
    )
    return Action(**{**base, **kw})


@pytest.mark.parametrize(
    ("title", "kw", "baseline", "now", "as_of", "expected"),
    [
        ("before the start", {}, 50, 50, date(2024, 12, 31), (None, "not started")),
        ("half way, ahead of the line", {}, 50, 61, date(2025, 7, 2), (60.0, "on track")),
        ("half way, behind the line", {}, 50, 59, date(2025, 7, 2), (60.0, "behind")),
        ("target reached early", {}, 50, 71, date(2025, 3, 1), (None, "met")),
        ("ended short of target", {}, 50, 65, date(2026, 1, 1), (70.0, "ended, target not met")),
        (
            "a measure that should fall",
            {"measure": "results_pending", "target": 0.0},
            10,
            4,
            date(2025, 7, 2),
            (5.0, "on track"),
        ),
        ("no baseline", {}, None, 60, date(2025, 7, 2), (None, "no baseline: give baseline_value")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_judge(title, kw, baseline, now, as_of, expected):
    got = judge(_action(**kw), baseline, now, as_of)
    if expected[1] == "met":
        assert got[1] == "met"
    else:
        assert got == expected


def test_example_plan_loads():
    actions = load_plan(ROOT / "docs/examples/screening-plan.yaml")
    assert [a.measure for a in actions] == [
        "coverage",
        "coverage",
        "contacts_per_month",
        "usable_mobile_pct",
        "results_pending",
    ]
    assert actions[0].group == ("learning_disability", "Yes")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "actions:\n  - {id: A, title: t, measure: speed, target: 1, start: 2025-01-01, end: 2025-12-31}\n",
            "action 1: measure: expected one of",
        ),
        (
            "actions:\n  - {id: A, title: t, measure: coverage, programme: bowel, target: 1, start: 2025-01-01, end: 2024-12-31}\n",
            "action 1: end: must be after start",
        ),
        (
            "actions:\n  - {id: A, title: t, measure: coverage, programme: bowel, target: x, start: 2025-01-01, end: 2025-12-31}\n",
            "action 1: target: expected a number",
        ),
        (
            "actions:\n  - {id: A, title: t, measure: coverage, programme: bowel, group: shoe_size=9, target: 1, start: 2025-01-01, end: 2025-12-31}\n",
            "action 1: group: dimension must be one of",
        ),
        (
            "actions:\n  - {id: A, title: t, measure: usable_mobile_pct, programme: bowel, target: 1, start: 2025-01-01, end: 2025-12-31}\n",
            "action 1: baseline_value: required",
        ),
        (
            "actions:\n  - {id: A, title: t, measure: coverage, programme: bowel, target: 1, start: 2025-01-01, end: 2025-12-31, colour: red}\n",
            "action 1: unknown field 'colour'",
        ),
        ("- just a list\n", "expected 'actions:'"),
    ],
)
def test_bad_plan_files_name_the_action_and_field(tmp_path, body, message):
    path = tmp_path / "plan.yaml"
    path.write_text(body)
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        load_plan(path)


def test_bad_plan_row_in_csv_is_named_by_row_and_exits_2(tmp_path, capsys):
    patients, events = write_screening_inputs(tmp_path, [P("x", date(1990, 1, 1))])
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "id,title,programme,measure,target,start,end\n"
        "A,ok,bowel,coverage,60,2025-01-01,2025-12-31\n"
        "B,bad,bowel,coverage,60,2025-13-01,2025-12-31\n"
    )
    code = main(
        [
            "screening",
            "--patients",
            str(patients),
            "--events",
            str(events),
            "--plan",
            str(plan),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "plan.csv: row 3: start: expected a date YYYY-MM-DD" in err
    assert len(err.strip().splitlines()) == 1


def test_progress_measured_from_the_data(tmp_path):
    """Coverage of a group at the baseline date and now; contacts per month; results pending; mobiles."""
    people = []
    for i in range(10):  # LD women: 2 tested before the baseline date, 4 more since
        events = [("LD_COD", date(2010, 1, 1))]
        if i < 2:
            events.append(("888091000000108", date(2024, 6, 1)))  # an HPV result: adequate, nothing pending
        elif i < 6:
            events.append(("888091000000108", date(2025, 6, 1)))
        if i >= 6:  # contacts: 2 per month over Apr-Nov 2025 would be 15 in 7.5 months; here 4 in the period
            events.append(("1104621000000103", date(2025, 5, 1)))
        people.append(P(f"ld{i}", date(1990, 1, 1), events=events, mobile="07911 123456" if i < 5 else None))
    people.append(P("pend", date(1990, 1, 1), events=[("417036008", AS_OF - timedelta(days=50))]))
    patients, events = write_screening_inputs(tmp_path, people)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        """actions:
  - {id: cov, title: LD coverage, programme: cervical_25_49, group: learning_disability=Yes, measure: coverage,
     baseline_date: 2025-04-01, target: 80, start: 2025-04-01, end: 2026-03-31}
  - {id: con, title: contacts, programme: cervical_25_49, group: learning_disability=Yes,
     measure: contacts_per_month, baseline_start: 2024-04-01, baseline_end: 2025-03-31, target: 1,
     start: 2025-04-01, end: 2026-03-31}
  - {id: mob, title: mobiles, programme: cervical_25_49, measure: usable_mobile_pct, baseline_value: 40,
     target: 90, start: 2025-04-01, end: 2026-03-31}
  - {id: res, title: results, measure: results_pending, target: 0, start: 2025-04-01, end: 2026-03-31,
     baseline_date: 2025-04-01}
"""
    )
    result = run_screening(patients, events, as_of=AS_OF, plan=plan, today=AS_OF)
    rows = {r["id"]: r for r in result.tables["plan_progress"].to_pylist()}
    fraction = (AS_OF - date(2025, 4, 1)).days / (date(2026, 3, 31) - date(2025, 4, 1)).days
    assert (rows["cov"]["baseline"], rows["cov"]["now"]) == (20.0, 60.0)
    assert rows["cov"]["expected_now"] == round(20 + (80 - 20) * fraction, 1)
    assert rows["cov"]["status"] == ("on track" if 20 + 60 * fraction <= 60 else "behind")
    months = ((AS_OF - date(2025, 4, 1)).days + 1) / (365.25 / 12)
    assert rows["con"]["baseline"] == 0.0
    assert rows["con"]["now"] == round(4 / months, 1)
    assert (rows["mob"]["baseline"], rows["mob"]["now"]) == (
        40.0,
        round(100 * 6 / 11, 1),
    )  # 5 LD women and "pend" have one
    assert (rows["res"]["baseline"], rows["res"]["now"]) == (0.0, 1.0)
    assert rows["res"]["status"] == "behind"
