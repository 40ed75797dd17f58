"""Year-end scenarios: the real engine, re-run at ACH = PPED in the run's store (`Run.scenario`).

Nothing here knows a rule. Each scenario gives the store its own `patients` and `events` (as views over
the run's tables) and the store evaluates the compiled rules over them, on whatever engine the run uses:

- `as_is`: the data as known on ACH (records up to ACH; registrations and deaths after ACH unknown), run
  at PPED: the year end if nothing more is recorded. At the year end itself (ACH = PPED) that is the
  run's own evaluation, and the store shares it rather than computing it again.
- `done`: the same, plus one completing record (a Cancer Care Review, a support contact) per
  patient and indicator not yet met (and not settled in an earlier year, rule R1c), dated on the last day it can count this year, min(due date, PPED),
  when that is not before ACH: the year end if the worklist is completed. The engine then says who
  becomes `met`: that set *is* the worklist, so the worklist and the rules cannot disagree. In a
  closed year nothing can be added, so `done` reads `as_is`'s own data and is shared with it.
- `previous`: last QOF year at its PPED over the run's full data, for the PCA comparison (the same
  evaluation as the income-protected year's when that is last year, and then shared with it).
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa

from qof_cancer.engine.facts import date_literal
from qof_cancer.engine.run import Evaluation, Run
from qof_cancer.model.nodes import SETTLED_OUTCOMES
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period, QofYear

__all__ = ["Scenario", "run_scenarios", "previous_year", "evaluate_previous"]

AS_IS = "worklist_as_is"
DONE = "worklist_done"
PREVIOUS = "worklist_previous"
PROBE_CODES = "worklist_probe_codes"

# A worklist scenario is one evaluation in the run's store.
Scenario = Evaluation


def _d(day: date) -> str:
    return date_literal(day).sql("duckdb")


def _with_probes(
    run: Run, as_is: Evaluation, codes: dict[str, str], period: Period, start: date | None
) -> str:
    """AS_IS's events plus one completing record per not-yet-met patient and indicator; AS_IS's events
    themselves in a closed year (`start` None), when nothing can be recorded in time any more."""
    if start is None:
        return as_is.events
    run.backend.register(
        PROBE_CODES,
        pa.table(
            {"indicator": list(codes), "code": list(codes.values())},
            schema=pa.schema([("indicator", pa.string()), ("code", pa.string())]),
        ),
    )
    last_day = f"least(o.due_date, {_d(period.pped)})"
    window = f"{last_day} >= {_d(start)}"
    # A patient whose review or support contact was counted in an earlier year is on no list.
    settled = ", ".join(f"'{o}'" for o in SETTLED_OUTCOMES)
    columns = "patient_id, code, date, episode, value, unit"
    return (
        f"SELECT {columns} FROM {as_is.events} UNION ALL "
        f"SELECT o.patient_id, c.code, {last_day} AS date, CAST(NULL AS VARCHAR) AS episode, "
        "CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit "
        f"FROM {as_is.table} o JOIN {PROBE_CODES} c ON c.indicator = o.indicator "
        f"WHERE o.outcome <> 'met' AND o.outcome NOT IN ({settled}) "
        f"AND o.due_date IS NOT NULL AND {window}"
    )


def run_scenarios(
    run: Run,
    ruleset: RuleSet,
    period: Period,
    codes: dict[str, str],
    start: date | None,
) -> tuple[Scenario, Scenario]:
    """(as_is, done) at PPED. `codes`: indicator -> a code of its completing cluster. `start`: the first
    day an action can be recorded (ACH), or None when the year is closed."""
    year_end = Period(period.year, period.pped)
    as_is = run.scenario(AS_IS, ruleset=ruleset, period=year_end, known_on=period.ach)
    done = run.scenario(
        DONE,
        ruleset=ruleset,
        period=year_end,
        patients=as_is.patients,
        events=_with_probes(run, as_is, codes, period, start),
    )
    return as_is, done


def previous_year(ruleset: RuleSet, year: QofYear) -> QofYear | None:
    """The QOF year that ends the day before `year` starts (from the rule files, or following by rule),
    or None before the first year the rule files know."""
    day = year.ppsd - timedelta(days=1)
    if day < min(y.ppsd for y in ruleset.years.values()):
        return None
    last = ruleset.year_for(day)
    return last if (year.ppsd - last.pped).days == 1 else None


def evaluate_previous(run: Run, ruleset: RuleSet, year: QofYear) -> Scenario:
    """Last year at its PPED, over the run's full data (not the ACH snapshot)."""
    return run.scenario(PREVIOUS, ruleset=ruleset, period=Period(year, year.pped))
