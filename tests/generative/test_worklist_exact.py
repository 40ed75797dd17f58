"""The worklist is exactly the patients whose year-end outcome the action would change.

Hypothesis generates an in-year run and patients around every date that matters (diagnoses whose
windows end near the achievement date, near PPED, near the look-back edges; reviews, support contacts,
invitations and PCAs before and after ACH; registrations ending and deaths after ACH). The oracle is the
reference evaluator, applied to the data as they stood on ACH and run at PPED:

- every patient on the support-contact or care-review list is not met at the year end as things stand,
  and becomes `met` when the completing record is added on any day from ACH to the row's due date
  (which is never after PPED);
- no patient off those lists becomes `met` by such a record on any day from ACH to PPED.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qof_cancer import api
from qof_cancer.codes import load_clusters
from qof_cancer.engine.reference import Event, Patient, evaluate_reference
from qof_cancer.model import Period, add_months, load_ruleset
from qof_cancer.model.nodes import SETTLED_OUTCOMES
from tests.helpers import cluster_code, write_inputs

RULESET = load_ruleset(today=date(2026, 12, 2))  # 2021-22 to today's year, 2026-27
CLUSTERS = {c.id: c.codes for c in load_clusters().clusters.values()}
TODAY = date(2027, 6, 1)
COMPLETING = {"CAN004": "MDRV_COD", "CAN005": "CANPCSUPP_COD"}
OTHER_CLUSTERS = (
    "MDRV_COD",
    "CANPCSUPP_COD",
    "CANINVITE_COD",
    "CANINVITE_COD",
    "CANPCADEC_COD",
    "CANPCAPU_COD",
)
ACTION_LISTS = ("support_contact", "care_review")


@st.composite
def in_year_run(draw):
    year = RULESET.years[draw(st.sampled_from(sorted(RULESET.years)))]
    ach = year.ppsd + timedelta(days=draw(st.integers(0, (year.pped - year.ppsd).days - 1)))
    marks = [year.ppsd, year.pped, ach, date(2021, 1, 1), date(2021, 4, 1)]
    marks += [add_months(ach, -m) for m in (1, 3, 11, 12)]
    marks += [add_months(year.pped, -m) for m in (3, 12, 15, 24)]

    def near(base: date) -> date:
        # Exactly on the landmark half the time: the boundaries are where a worklist goes wrong.
        return base + timedelta(days=draw(st.sampled_from((-2, -1, 0, 0, 0, 0, 1, 2))))

    # Diagnoses whose window ends on ACH are drawn most often: that is where "due today" lives.
    dx_marks = marks + [add_months(ach, -3), add_months(ach, -12)] * 4
    patients = []
    for i in range(draw(st.integers(1, 12))):
        dx = near(draw(st.sampled_from(dx_marks)))
        events = [Event(cluster_code("CAN_COD"), dx)]
        for _ in range(draw(st.integers(0, 4))):
            cluster = draw(st.sampled_from(OTHER_CLUSTERS))
            when = near(
                draw(
                    st.sampled_from(
                        [
                            ach,
                            year.ppsd,
                            add_months(year.pped, -12),  # the earlier-year cut (R1c)
                            add_months(dx, 1),
                            add_months(dx, 3),
                            dx + timedelta(days=93),
                            add_months(dx, 12),
                        ]
                    )
                )
            )
            events.append(Event(cluster_code(cluster), when))
        if draw(st.integers(0, 5)) == 0:
            events.append(Event(cluster_code("CAN_COD"), near(ach)))  # a later diagnosis, maybe after ACH
        reg = draw(
            st.sampled_from([date(2000, 1, 1), date(2000, 1, 1), near(add_months(year.pped, -3)), near(ach)])
        )
        end = draw(st.sampled_from([None, None, None, near(ach)]))
        death = draw(st.sampled_from([None, None, None, near(ach)]))
        if end is not None and end < reg:
            end = None
        patients.append(Patient(f"p{i}", "A00001", reg, end, death, "U00001", tuple(events)))
    return year.id, ach, patients


def as_known_on(p: Patient, ach: date) -> Patient | None:
    """The patient as the records stood on ACH: later records, leavings and deaths not yet known."""
    if p.registration_start > ach:
        return None
    return replace(
        p,
        registration_end=p.registration_end if p.registration_end and p.registration_end <= ach else None,
        date_of_death=p.date_of_death if p.date_of_death and p.date_of_death <= ach else None,
        events=tuple(e for e in p.events if e.date <= ach),
    )


def year_end_outcome(p: Patient, period: Period, indicator: str, extra: Event | None = None) -> str | None:
    if extra is not None:
        p = replace(p, events=(*p.events, extra))
    rows = evaluate_reference(RULESET, period, CLUSTERS, [p])
    return next((r["outcome"] for r in rows if r["indicator"] == indicator), None)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(run=in_year_run(), data=st.data())
def test_worklist_is_exactly_the_winnable_patients(run, data) -> None:
    year_id, ach, patients = run
    with TemporaryDirectory() as tmp:
        ppath, epath = write_inputs(Path(tmp), patients, dob=date(1900, 1, 1))
        result = api.run(ppath, epath, year=year_id, as_of=ach, today=TODAY)
    listed = {
        (r["patient_id"], r["indicator"]): r
        for r in result.tables["worklist"].to_pylist()
        if r["list"] in ACTION_LISTS
    }
    event(f"{len(listed) if len(listed) < 3 else ' 3 or more'} patient-indicators on the action lists")
    year = RULESET.years[year_id]
    year_end = Period(year, year.pped)
    for original in patients:
        p = as_known_on(original, ach)
        if p is None:
            continue
        for indicator, cluster in COMPLETING.items():
            before = year_end_outcome(p, year_end, indicator)
            row = listed.get((p.patient_id, indicator))
            if row is not None:
                assert before not in (None, "met")
                assert ach <= row["due_date"] <= year.pped
                assert row["days_left"] == (row["due_date"] - ach).days
                day = ach + timedelta(days=data.draw(st.integers(0, (row["due_date"] - ach).days)))
                for when in {ach, row["due_date"], day}:
                    after = year_end_outcome(p, year_end, indicator, Event(cluster_code(cluster), when))
                    assert after == "met", (p, indicator, when)
            elif before in SETTLED_OUTCOMES:
                # Counted in an earlier year (R1c): on no list by design, whatever a new record would do.
                continue
            elif before not in (None, "met"):
                # A record meets the indicator on an interval of days, so its ends settle it: ACH, PPED,
                # the ends of every window a diagnosis opens, and one day drawn at random.
                days = (year.pped - ach).days
                tried = {ach, year.pped, ach + timedelta(days=data.draw(st.integers(0, days)))}
                due = RULESET.indicator(indicator).due
                for e in p.events:
                    if e.code in CLUSTERS["CAN_COD"]:
                        tried |= {due.after(e.date), due.after(e.date) + timedelta(days=1)}
                for when in sorted(d for d in tried if ach <= d <= year.pped):
                    after = year_end_outcome(p, year_end, indicator, Event(cluster_code(cluster), when))
                    assert after != "met", (p, indicator, when)
