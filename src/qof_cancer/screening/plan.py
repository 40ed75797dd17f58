"""The PCN's action plan: read the plan file (YAML or CSV), and measure each action's progress from the data.

Each action names a measure (see MEASURES), a programme, optionally a practice and a group, a target and
the period it runs over. A run reports the baseline, the value now, the value a straight line from
baseline at `start` to target at `end` would have reached by now, and whether the action is on track.
The format is documented in docs/screening.md, with an example in docs/examples/screening-plan.yaml.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qof_cancer.errors import UserError
from qof_cancer.model.dates import add_months
from qof_cancer.rules import load_yaml
from qof_cancer.screening.cohort import GROUP_DIMENSIONS
from qof_cancer.screening.settings import PROGRAMME_IDS

__all__ = ["Action", "load_plan", "MEASURES", "PLAN_FIELDS", "judge", "describe_group"]

# measure -> (direction, what it is)
MEASURES = {
    "coverage": ("up", "coverage % of the cohort (or group) on the date"),
    "contacts_per_month": ("up", "screening contacts recorded per month with the cohort (or group)"),
    "usable_mobile_pct": (
        "up",
        "% of the cohort (or group) with a usable mobile (now only: give baseline_value)",
    ),
    "results_pending": ("down", "cervical samples with no result after 6 weeks, on the date"),
}
PLAN_FIELDS = (
    "id",
    "title",
    "owner",
    "programme",
    "practice",
    "group",
    "measure",
    "cluster",
    "baseline_date",
    "baseline_start",
    "baseline_end",
    "baseline_value",
    "target",
    "start",
    "end",
)


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    owner: str
    programme: str
    practice: str | None
    group: tuple[str, str] | None  # (dimension, value)
    measure: str
    cluster: str | None
    baseline_date: date
    baseline_start: date
    baseline_end: date
    baseline_value: float | None
    target: float
    start: date
    end: date


def _rows(path: Path) -> list[tuple[str, dict]]:
    """(where, raw fields) per action: 'row 3' in a CSV, 'action 2' in YAML."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                return [(f"row {i}", row) for i, row in enumerate(csv.DictReader(fh), start=2)]
        data = load_yaml(path, "--plan") or {}
    except OSError as exc:
        raise UserError(f"--plan {path}: cannot be read: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"--plan {path}: cannot be parsed: {exc}") from None
    actions = data.get("actions") if isinstance(data, dict) else None
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        raise UserError(f"--plan {path}: expected 'actions:' with a list of actions (see docs/screening.md)")
    return [(f"action {i}", a) for i, a in enumerate(actions, start=1)]


def _parse(where: str, raw: dict) -> Action:
    def fail(field: str, problem: str) -> UserError:
        return UserError(f"{where}: {field}: {problem} (value {raw.get(field)!r})")

    def text(field: str, required: bool = False) -> str | None:
        value = raw.get(field)
        value = None if value is None or str(value).strip() == "" else str(value).strip()
        if required and value is None:
            raise fail(field, "required")
        return value

    def day(field: str, default: date | None = None) -> date:
        value = raw.get(field)
        if isinstance(value, date):
            return value
        if value is None or str(value).strip() == "":
            if default is None:
                raise fail(field, "required, a date YYYY-MM-DD")
            return default
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise fail(field, "expected a date YYYY-MM-DD") from None

    def number(field: str, required: bool) -> float | None:
        value = text(field, required)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise fail(field, "expected a number") from None
        if not math.isfinite(number):
            raise fail(field, "expected a finite number")
        return number

    measure = text("measure", True)
    if measure not in MEASURES:
        raise fail("measure", f"expected one of {', '.join(MEASURES)}")
    programme = text("programme", measure != "results_pending") or "cervical_25_49"
    if programme not in PROGRAMME_IDS:
        raise fail("programme", f"expected one of {', '.join(PROGRAMME_IDS)}")
    group = raw.get("group")
    parsed_group = None
    if isinstance(group, dict):
        parsed_group = (str(group.get("dimension", "")), str(group.get("value", "")))
    elif group is not None and str(group).strip():
        dimension, sep, value = str(group).partition("=")
        if not sep:
            raise fail("group", "expected DIMENSION=VALUE, e.g. learning_disability=Yes")
        parsed_group = (dimension.strip(), value.strip())
    if parsed_group and parsed_group[0] not in GROUP_DIMENSIONS:
        raise fail("group", f"dimension must be one of {', '.join(GROUP_DIMENSIONS)}")
    start, end = day("start"), day("end")
    if end <= start:
        raise fail("end", f"must be after start {start.isoformat()}")
    baseline_end = day("baseline_end", start)
    return Action(
        id=text("id", True) or "",
        title=text("title", True) or "",
        owner=text("owner") or "",
        programme=programme,
        practice=text("practice"),
        group=parsed_group,
        measure=measure,
        cluster=text("cluster"),
        baseline_date=day("baseline_date", start),
        baseline_start=day("baseline_start", add_months(baseline_end, -12)),
        baseline_end=baseline_end,
        baseline_value=number("baseline_value", measure == "usable_mobile_pct"),
        target=number("target", True) or 0.0,
        start=start,
        end=end,
    )


def load_plan(path: str | Path) -> list[Action]:
    """Read and check a plan file; a bad value stops the run naming the file, action or row, and field."""
    path = Path(path)
    actions = []
    for where, raw in _rows(path):
        unknown = sorted(set(raw) - set(PLAN_FIELDS))
        if unknown:
            raise UserError(
                f"{path}: {where}: unknown field {unknown[0]!r} (known: {', '.join(PLAN_FIELDS)})"
            )
        actions.append(_parse(f"{path}: {where}", raw))
    ids = [a.id for a in actions]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise UserError(f"{path}: id: {duplicated[0]!r} is used by more than one action")
    return actions


def judge(action: Action, baseline: float | None, now: float | None, as_of: date) -> tuple[float | None, str]:
    """(value expected by now on a straight line from baseline to target, status in words)."""
    up = MEASURES[action.measure][0] == "up"

    def reached(value: float, goal: float) -> bool:
        return value >= goal if up else value <= goal

    if as_of < action.start:
        return None, "not started"
    if now is None:
        return None, "no data for this measure"
    met = reached(now, action.target)
    if as_of >= action.end:
        return action.target, "met" if met else "ended, target not met"
    if baseline is None:
        return None, "met" if met else "no baseline: give baseline_value"
    fraction = (as_of - action.start).days / (action.end - action.start).days
    expected = round(baseline + (action.target - baseline) * fraction, 1)
    if met:
        return expected, "met"
    return expected, "on track" if reached(now, expected) else "behind"


def describe_group(action: Action) -> str:
    return f"{action.group[0]}={action.group[1]}" if action.group else "all"
