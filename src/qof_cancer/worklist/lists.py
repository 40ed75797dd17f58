"""The worklist rows: who to contact, for what, by when, worth how much, and the code to record after.

Membership is not decided here: `scenarios` re-runs the engine with each action recorded, and a patient
is on a list exactly when the engine turns them `met`. This module adds what a practice needs to act:
the next step (questionnaire and invitation, second invitation, review; or the support contact), the
dates, contact details and whether the mobile can take a text, and the code to record.

What each indicator's list is called, the shape of its steps and the messages they send are the
indicator's own data (its rule file's `worklist:` section, `model/actions.py`); nothing here names one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa
from sqlglot import exp

from qof_cancer.codes import ClusterSet
from qof_cancer.inputs.backends import Backend
from qof_cancer.inputs.phones import classify_uk_phone, format_uk_mobile
from qof_cancer.model.actions import GENERIC_LISTS, WorklistSpec
from qof_cancer.model.nodes import PCA_OUTCOMES, Indicator, RecordInYear, TwoRecordsInYear
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period
from qof_cancer.worklist.scenarios import Scenario

__all__ = [
    "GENERIC_LISTS",
    "WORKLIST_SCHEMA",
    "IndicatorActions",
    "indicator_actions",
    "worklist_lists",
    "list_order",
    "list_key",
    "record_code",
    "collect_candidates",
    "build_worklist",
]

# How far ahead of the due date each invitation step is planned, so there is time to book the review:
# the first invitation eight weeks before (as the usual "diagnosed ten months ago" search does), the
# second four weeks before.
FIRST_INVITATION_LEAD_DAYS = 56
SECOND_INVITATION_LEAD_DAYS = 28
# A message is ready to send when its step can be taken today and is due within this many days, so a
# practice that runs the tool monthly sends each message once, in time.
SEND_HORIZON_DAYS = 28

WORKLIST_SCHEMA = pa.schema(
    [
        ("list", pa.string()),
        ("practice_code", pa.string()),
        ("pcn_code", pa.string()),
        ("patient_id", pa.string()),
        ("nhs_number", pa.string()),
        ("indicator", pa.string()),
        ("action", pa.string()),
        ("step_from", pa.date32()),
        ("step_by", pa.date32()),
        ("due_date", pa.date32()),
        ("days_left", pa.int32()),
        ("window_end", pa.date32()),
        ("diagnosis_date", pa.date32()),
        ("months_since_diagnosis", pa.int32()),
        ("outcome_if_nothing_recorded", pa.string()),
        ("outcome_if_done", pa.string()),
        ("value_gbp", pa.float64()),
        ("invitations_this_year", pa.int32()),
        ("last_invitation", pa.date32()),
        ("pca_this_year", pa.string()),
        ("record_cluster", pa.string()),
        ("record_code", pa.string()),
        ("record_term", pa.string()),
        ("record_code_note", pa.string()),
        ("message", pa.string()),
        ("send_now", pa.bool_()),
        ("mobile_phone", pa.string()),
        ("mobile_status", pa.string()),
        ("mobile_usable", pa.bool_()),
        ("email", pa.string()),
        ("note", pa.string()),
    ]
)
_PCA_WORDS = {
    "pca_unsuitable": "unsuitable",
    "pca_dissent": "informed dissent",
    "pca_no_response": "invitation",
}


def _shown_order(specs: Iterable[WorklistSpec]) -> list[WorklistSpec]:
    """Lists whose step is due at once (a contact) first, then those with invitations; each group in
    the rule set's indicator order."""
    return sorted(specs, key=lambda spec: spec.steps != "contact")


def worklist_lists(ruleset: RuleSet) -> tuple[WorklistSpec, ...]:
    """The indicators' own lists, in the order they are shown (the generic lists follow them)."""
    return tuple(_shown_order(i.worklist for i in ruleset.ratio_indicators if i.worklist is not None))


def list_order(ruleset: RuleSet) -> tuple[str, ...]:
    """Every list's key in the order shown: the indicators' lists, then missed and PCA housekeeping."""
    return (*(spec.list for spec in worklist_lists(ruleset)), *GENERIC_LISTS)


def list_key(ruleset: RuleSet, indicator_id: str) -> str | None:
    """The key of the list an indicator's actions go on (None for an indicator with no worklist)."""
    spec = ruleset.indicator(indicator_id).worklist
    return spec.list if spec is not None else None


@dataclass(frozen=True)
class IndicatorActions:
    """What the rules say about acting on one indicator: the record that meets it, the PCA records, and
    the indicator's worklist words (list, steps, messages)."""

    indicator: str
    completing: str  # cluster id
    window: str  # "12 months"
    in_year_pcas: tuple[tuple[str, str], ...]  # (outcome, cluster) for PCAs that count only in-year
    invitation: str | None  # the cluster of the two-invitations PCA
    invite_gap_days: int
    spec: WorklistSpec


def indicator_actions(indicator: Indicator) -> IndicatorActions | None:
    completing = indicator.completing_cluster
    if completing is None or indicator.due is None or indicator.worklist is None:
        return None
    pcas, invitation, gap = [], None, 7
    for rule in indicator.rules:
        if rule.outcome in PCA_OUTCOMES and isinstance(rule.when, RecordInYear):
            pcas += [(rule.outcome, c) for c in rule.when.clusters]
        elif rule.outcome in PCA_OUTCOMES and isinstance(rule.when, TwoRecordsInYear):
            invitation, gap = rule.when.clusters[0], rule.when.min_gap_days
    return IndicatorActions(
        indicator.id, completing, str(indicator.due), tuple(pcas), invitation, gap, indicator.worklist
    )


def record_code(clusters: ClusterSet, cluster_id: str) -> tuple[str | None, str | None, str]:
    """(code, term, note) to record for `cluster_id`: one code of the loaded list, and what it is."""
    cluster = clusters.clusters.get(cluster_id)
    if cluster is None or not cluster.codes:
        return None, None, f"{cluster_id} is not loaded"
    code = sorted(cluster.codes)[0]
    others = f"; any of its {len(cluster.codes)} codes counts" if len(cluster.codes) > 1 else ""
    if cluster.is_example:
        note = (
            f"local example code, not the national {cluster_id} list: record the code your clinical "
            "system uses for this and import the national list"
        )
    elif cluster.status == "proxy":
        note = f"from a proxy list for {cluster_id}{others}"
    else:
        note = f"{cluster_id} ({cluster.status} list){others}"
    return code, cluster.terms.get(code) or None, note


def collect_candidates(backend: Backend, ruleset: RuleSet, as_is: Scenario, done: Scenario) -> list[dict]:
    """Patients and indicators not met at the year end as they stand, that the worklist turns `met` or
    that count as not met: with diagnosis, due date and contact details."""
    ratio = ", ".join(f"'{i.id}'" for i in ruleset.ratio_indicators)
    rows = backend.rows(
        "SELECT a.practice_code, a.pcn_code, a.patient_id, a.indicator, a.outcome AS outcome_as_is, "
        "d.outcome AS outcome_done, a.can_dat, a.due_date AS window_end, "
        "p.nhs_number, p.mobile_phone, p.email "
        f"FROM {as_is.table} a JOIN {done.table} d ON d.patient_id = a.patient_id AND d.indicator = a.indicator "
        "JOIN patients p ON p.patient_id = a.patient_id "
        f"WHERE a.indicator IN ({ratio}) AND a.outcome <> 'met' "
        "AND (d.outcome = 'met' OR a.outcome = 'not_met') "
        "ORDER BY a.practice_code, a.patient_id, a.indicator"
    )
    names = (
        "practice_code",
        "pcn_code",
        "patient_id",
        "indicator",
        "outcome_as_is",
        "outcome_done",
        "can_dat",
        "window_end",
        "nhs_number",
        "mobile_phone",
        "email",
    )
    return [dict(zip(names, r, strict=True)) for r in rows]


def collect_records(
    backend: Backend, as_is: Scenario, clusters: Iterable[str], patient_ids: Iterable[str]
) -> dict[str, list[tuple[str, date]]]:
    """patient_id -> [(cluster, date)] of the given clusters' records on or before ACH."""
    ids = sorted(set(patient_ids))
    wanted = sorted(set(clusters))
    if not ids or not wanted:
        return {}
    backend.register("worklist_ids", pa.table({"patient_id": pa.array(ids, pa.string())}))
    in_clusters = exp.column("cluster_id", "c").isin(*(exp.Literal.string(c) for c in wanted)).sql("duckdb")
    rows = backend.rows(
        f"SELECT e.patient_id, c.cluster_id, e.date FROM {as_is.events} e "
        "JOIN cluster_codes c ON c.code = e.code "
        "JOIN worklist_ids i ON i.patient_id = e.patient_id "
        f"WHERE {in_clusters} ORDER BY e.date"
    )
    out: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for pid, cluster, day in rows:
        out[pid].append((cluster, day))
    return out


def _missed_why(acts: IndicatorActions, window_end: date, period: Period, start: date | None) -> str:
    if window_end < period.ach or start is not None:
        return f"the window ({acts.window} from diagnosis) closed on {_say(window_end)}"
    return f"{period.year.id} is over"


def _missed_note(acts: IndicatorActions, window_end: date, period: Period, start: date | None) -> str:
    why = _missed_why(acts, window_end, period, start)
    return f"{why}: counts as not met this year. Still worth offering, for the patient's sake."


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def _fmt(day: date) -> str:
    """A date in a data column (pca_this_year): ISO, as in every other date column."""
    return day.isoformat()


def _say(day: date) -> str:
    """A date in a note a person reads: 18 Jul 2026."""
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class _Step:
    action: str
    step_from: date
    step_by: date
    cluster: str
    message: str | None
    note: str = ""


def _invitation_step(acts: IndicatorActions, start: date, due: date, invites: list[date]) -> _Step:
    """The first invitation (with the indicator's note: the questionnaire for a review), a second
    invitation at least the gap later, then the action itself (the review) by the due date."""
    spec = acts.spec
    if acts.invitation is None:
        return _Step(spec.action, start, due, acts.completing, spec.message)
    if not invites:
        by = max(start, due - timedelta(days=FIRST_INVITATION_LEAD_DAYS))
        return _Step(spec.invitation, start, by, acts.invitation, spec.message, spec.invitation_note)
    gap_ok = (invites[-1] - invites[0]).days >= acts.invite_gap_days
    second_from = max(start, invites[0] + timedelta(days=acts.invite_gap_days))
    if not gap_ok and second_from <= due:
        by = max(second_from, due - timedelta(days=SECOND_INVITATION_LEAD_DAYS))
        return _Step(
            "second invitation",
            second_from,
            by,
            acts.invitation,
            spec.reminder,
            f"first invitation {_say(invites[0])}; the second must be at least {acts.invite_gap_days} days later",
        )
    note = (
        ""
        if gap_ok
        else f"too late for a second invitation before the due date: book the {spec.action} directly"
    )
    return _Step(spec.action, start, due, acts.completing, None, note)


def build_worklist(
    candidates: list[dict],
    records: Mapping[str, list[tuple[str, date]]],
    actions: Mapping[str, IndicatorActions],
    clusters: ClusterSet,
    period: Period,
    start: date | None,
    values: Mapping[tuple[str, str, str], float | None],
) -> list[dict]:
    """All four lists as rows of WORKLIST_SCHEMA, ordered by list, due date and value.

    `values`: (list, practice, indicator) -> pounds per patient on that list.
    """
    ach, ppsd = period.ach, period.ppsd
    rows: list[dict] = []
    for c in candidates:
        acts = actions.get(c["indicator"])
        if acts is None:
            continue
        dx, window_end = c["can_dat"], c["window_end"]
        dated = records.get(c["patient_id"], [])
        invites = sorted(d for cl, d in dated if cl == acts.invitation and d >= max(dx, ppsd))
        pca_now = [(o, cl, d) for o, cl in acts.in_year_pcas for cl2, d in dated if cl2 == cl and d >= ppsd]
        pca_words = "; ".join(f"{_PCA_WORDS[o]} {_fmt(d)}" for o, _, d in sorted(pca_now, key=lambda x: x[2]))
        mobile_status = classify_uk_phone(c["mobile_phone"])
        base = {
            "practice_code": c["practice_code"],
            "pcn_code": c["pcn_code"],
            "patient_id": c["patient_id"],
            "nhs_number": c["nhs_number"],
            "indicator": c["indicator"],
            "window_end": window_end,
            "diagnosis_date": dx,
            "months_since_diagnosis": _months_between(dx, ach),
            "outcome_if_nothing_recorded": c["outcome_as_is"],
            "invitations_this_year": len(invites),
            "last_invitation": invites[-1] if invites else None,
            "pca_this_year": pca_words or None,
            "mobile_phone": format_uk_mobile(c["mobile_phone"]) or c["mobile_phone"],
            "mobile_status": mobile_status,
            "mobile_usable": mobile_status == "mobile",
            "email": c["email"],
        }
        # One row, so one instruction, per patient and indicator: the action when the worklist can still
        # meet it; else re-recording a PCA that lapsed with the QOF year, when there is one; else missed.
        earlier_pcas = sorted(
            ((d, o, cl) for o, cl in acts.in_year_pcas for cl2, d in dated if cl2 == cl and dx <= d < ppsd),
            reverse=True,
        )
        if c["outcome_done"] == "met" and start is not None:
            row = _action_row(base, acts, clusters, period, start, invites, pca_words, values)
            if earlier_pcas:
                d, o, _ = earlier_pcas[0]
                lapsed = f"{_PCA_WORDS[o]} recorded {_say(d)}, before {_say(ppsd)}, does not count this year"
                row["note"] = "; ".join(n for n in (row["note"], lapsed) if n)
            rows.append(row)
        elif earlier_pcas:
            d, o, cl = earlier_pcas[0]
            row = _housekeeping_row(base, o, cl, d, clusters, period)
            if c["outcome_as_is"] == "not_met":
                why = _missed_why(acts, window_end, period, start)
                row["note"] += f"; if it no longer applies, the patient counts as not met ({why})"
            rows.append(row)
        elif c["outcome_as_is"] == "not_met":
            rows.append(_missed_row(base, acts, clusters, period, start, values))
    shown = _shown_order(a.spec for a in actions.values())
    order = {name: i for i, name in enumerate((*(spec.list for spec in shown), *GENERIC_LISTS))}
    rows.sort(
        key=lambda r: (
            order[r["list"]],
            r["due_date"],
            -(r["value_gbp"] or 0.0),
            r["practice_code"],
            r["patient_id"],
            r["indicator"],
        )
    )
    return [{f.name: r.get(f.name) for f in WORKLIST_SCHEMA} for r in rows]


def _missed_row(
    base: dict,
    acts: IndicatorActions,
    clusters: ClusterSet,
    period: Period,
    start: date | None,
    values: Mapping[tuple[str, str, str], float | None],
) -> dict:
    window_end = base["window_end"]
    code, term, code_note = record_code(clusters, acts.completing)
    return {
        **base,
        "list": "missed",
        "action": "none this year: window closed",
        "step_from": None,
        "step_by": None,
        "due_date": window_end,
        "days_left": (window_end - period.ach).days,
        "outcome_if_done": "not_met",
        "value_gbp": values.get(("missed", base["practice_code"], acts.indicator)),
        "record_cluster": acts.completing,
        "record_code": code,
        "record_term": term,
        "record_code_note": code_note,
        "message": None,
        "send_now": False,
        "note": _missed_note(acts, window_end, period, start),
    }


def _action_row(
    base: dict,
    acts: IndicatorActions,
    clusters: ClusterSet,
    period: Period,
    start: date,
    invites: list[date],
    pca_words: str,
    values: Mapping[tuple[str, str, str], float | None],
) -> dict:
    window_end = base["window_end"]
    due = min(window_end, period.pped)
    spec = acts.spec
    name, contact = spec.list, spec.steps == "contact"
    if contact or pca_words:
        # A contact is due as soon as possible after the diagnosis, by the due date at the latest. With a
        # PCA this year no invitation is sent: only the action itself, if the patient now wishes.
        step = _Step(
            spec.action,
            start,
            start if contact else due,
            acts.completing,
            None if pca_words else spec.message,
        )
    else:
        step = _invitation_step(acts, start, due, invites)
    notes = [step.note] if step.note else []
    if pca_words:
        notes.append(
            f"PCA recorded this year ({pca_words}): no message is prepared; act only if the patient now wishes"
        )
    if window_end > period.pped:
        notes.append(
            f"the window runs to {_say(window_end)}, past the year end: done by {_say(period.pped)} it "
            f"counts as met this year; otherwise the patient is excluded this year and counts in the next"
        )
    code, term, code_note = record_code(clusters, step.cluster)
    return {
        **base,
        "list": name,
        "action": step.action,
        "step_from": step.step_from,
        "step_by": step.step_by,
        "due_date": due,
        "days_left": (due - period.ach).days,
        "outcome_if_done": "met",
        "value_gbp": values.get((name, base["practice_code"], acts.indicator)),
        "record_cluster": step.cluster,
        "record_code": code,
        "record_term": term,
        "record_code_note": code_note,
        "message": step.message,
        "send_now": step.message is not None
        and step.step_from <= period.ach
        and step.step_by <= period.ach + timedelta(days=SEND_HORIZON_DAYS),
        "note": "; ".join(notes) or None,
    }


def _housekeeping_row(
    base: dict, outcome: str, cluster: str, recorded: date, clusters: ClusterSet, period: Period
) -> dict:
    code, term, code_note = record_code(clusters, cluster)
    what = _PCA_WORDS[outcome]
    action = f"re-record {what} if it still applies"
    note = (
        f"{what} recorded {_say(recorded)}, before {_say(period.ppsd)}: it counts only in the QOF year "
        f"it is recorded in, so it does not count in {period.year.id}"
    )
    return {
        **base,
        "list": "pca_housekeeping",
        "action": action,
        "step_from": period.ach,
        "step_by": period.pped,
        "due_date": period.pped,
        "days_left": (period.pped - period.ach).days,
        "outcome_if_done": outcome,
        "value_gbp": None,
        "record_cluster": cluster,
        "record_code": code,
        "record_term": term,
        "record_code_note": code_note,
        "message": None,
        "send_now": False,
        "note": note,
    }
