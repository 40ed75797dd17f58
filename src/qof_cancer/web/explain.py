"""One patient's explanation: the rule trace in plain English and what would change the outcome.

The trace comes from the reference evaluator run on that one patient's records (the events table of the
run holds every record of the run's clusters), so it is the oracle's reading, not a second implementation.
"What would change" is found the same way: the record that meets the indicator is added on the last day
it still counts and the patient is evaluated again at the year end. What that record is called (a
Cancer Care Review, a support contact) is the indicator's own data (`worklist.record` in its rule file).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from qof_cancer.engine.reference import Event, Patient, evaluate_reference, trace_reference
from qof_cancer.model.dates import add_months
from qof_cancer.model.nodes import (
    SETTLED_OUTCOMES,
    Always,
    DiagnosisAfter,
    DiagnosisBefore,
    DiagnosisOnOrAfter,
    DiagnosisOnOrBefore,
    Indicator,
    LatestRecordOnOrBefore,
    NoDiagnosis,
    RecordAfterDiagnosis,
    RecordInYear,
    RegisteredAfter,
    TwoRecordsInYear,
)
from qof_cancer.model.years import Period
from qof_cancer.web.labels import OUTCOME_LABELS

__all__ = [
    "OUTCOME_LABELS",
    "cluster_codes",
    "explain_patient",
    "condition_words",
    "headline",
    "record_names",
]

Names = Mapping[str, str]


def _d(day: date | None) -> str:
    return "–" if day is None else day.isoformat()


def _lists(clusters: tuple[str, ...]) -> str:
    return " or ".join(clusters)


def _diag(f: Any) -> str:
    return f"diagnosed {_d(f.can_dat)}" if f.can_dat else "no diagnosis date"


def _on_or_before(node: DiagnosisOnOrBefore, f: Any, p: Period) -> str:
    cut = add_months(p.anchor(node.anchor), -node.months_before)
    return f"Diagnosis on or before {_d(cut)} ({node.anchor} − {node.months_before} months): {_diag(f)}"


def _after(node: DiagnosisAfter, f: Any, p: Period) -> str:
    cut = add_months(p.anchor(node.anchor), -node.months_before)
    return f"Diagnosis after {_d(cut)} ({node.anchor} − {node.months_before} months): {_diag(f)}"


def _record_after(node: RecordAfterDiagnosis, f: Any, p: Period) -> str:
    if f.can_dat is None:
        return f"A {_lists(node.clusters)} record within {node.within} of the diagnosis"
    end = min(node.within.after(f.can_dat), p.ach)
    found = sorted(d for c in node.clusters for d in f.records.get(c, []))
    words = [_d(d) if f.can_dat <= d <= end else f"{_d(d)} (outside the window)" for d in found]
    return f"A {_lists(node.clusters)} record from {_d(f.can_dat)} to {_d(end)}: found {', '.join(words) or 'none'}"


def _in_year(node: RecordInYear, f: Any, p: Period) -> str:
    found = sorted(d for c in node.clusters for d in f.records.get(c, []) if d >= p.ppsd)
    seen = ", ".join(_d(d) for d in found) or "none"
    return f"A {_lists(node.clusters)} record from {_d(p.ppsd)} to {_d(p.ach)}: found {seen}"


def _two_in_year(node: TwoRecordsInYear, f: Any, p: Period) -> str:
    found = sorted(d for c in node.clusters for d in f.records.get(c, []) if d >= p.ppsd)
    seen = ", ".join(_d(d) for d in found) or "none"
    return (
        f"Two {_lists(node.clusters)} records from {_d(p.ppsd)} to {_d(p.ach)}, at least "
        f"{node.min_gap_days} days apart: found {seen}"
    )


def _registered_after(node: RegisteredAfter, f: Any, p: Period) -> str:
    cut = add_months(p.anchor(node.anchor), -node.months_before)
    return f"Registered after {_d(cut)} ({node.anchor} − {node.months_before} months): registered {_d(f.reg_dat)}"


def _latest_on_or_before(node: LatestRecordOnOrBefore, f: Any, p: Period, names: Names) -> str:
    what = _record_name(node.clusters[0], names)
    if node.since == "off":
        return f"Earlier-year exclusion for a {what}: switched off in this run's settings"
    cut = add_months(p.anchor(node.anchor), -node.months_before)
    found = sorted(d for c in node.clusters for d in f.records.get(c, []))
    if node.since == "since_diagnosis" and f.can_dat is not None:
        found = [d for d in found if d >= f.can_dat]
        scope = "since the diagnosis"
    else:
        scope = "of any date"
    latest = _d(found[-1]) if found else "none"
    return (
        f"The latest {what} ({_lists(node.clusters)}) {scope} is dated on or before {_d(cut)}, before this "
        f"QOF year, so it counted in the year it was recorded: latest found {latest}"
    )


def _no_diagnosis(f: Any, p: Period, register: str | None) -> str:
    listed = f" ({register})" if register else ""
    return f"No diagnosis on the register's list{listed} on or before {_d(p.ach)}: {_diag(f)}"


# One handler per condition type, as in the engines; an unknown type fails loudly. Most read only the
# node, the patient's facts and the period; the record names are for the one that names a record.
_WORDS: dict[type, Callable[[Any, Any, Period], str]] = {
    NoDiagnosis: lambda n, f, p: _no_diagnosis(f, p, None),
    Always: lambda n, f, p: "Otherwise (no earlier rule held)",
    DiagnosisOnOrAfter: lambda n, f, p: f"Diagnosis on or after {_d(n.date)}: {_diag(f)}",
    DiagnosisBefore: lambda n, f, p: f"Diagnosis before {_d(n.date)}: {_diag(f)}",
    DiagnosisOnOrBefore: _on_or_before,
    DiagnosisAfter: _after,
    RecordAfterDiagnosis: _record_after,
    RecordInYear: _in_year,
    TwoRecordsInYear: _two_in_year,
    RegisteredAfter: _registered_after,
    LatestRecordOnOrBefore: lambda n, f, p: _latest_on_or_before(n, f, p, {}),
}


def condition_words(
    node: object, facts: Any, period: Period, names: Names | None = None, register: str | None = None
) -> str:
    """The condition with this patient's dates filled in, e.g. 'Diagnosis after 2025-03-31 (...)'.
    `names`: cluster -> the record it is in words (`record_names`), for the conditions that name one;
    `register`: the register's diagnosis cluster (`RuleSet.register_cluster`), named where no diagnosis is."""
    if isinstance(node, NoDiagnosis):
        return _no_diagnosis(facts, period, register)
    if isinstance(node, LatestRecordOnOrBefore):
        return _latest_on_or_before(node, facts, period, names or {})
    try:
        return _WORDS[type(node)](node, facts, period)
    except KeyError:
        raise TypeError(f"no plain-English wording for condition {type(node).__name__}") from None


def record_names(ruleset: Any) -> Names:
    """cluster -> the record it is, in the words of the indicator it completes (its `worklist.record`)."""
    names: dict[str, str] = {}
    for ind in ruleset.indicators:
        if ind.worklist is not None and ind.completing_cluster is not None:
            names.setdefault(ind.completing_cluster, ind.worklist.record)
    return names


def headline(outcome: str, says: str) -> str:
    """'Counted because ...' / 'Not counted because ...' for an outcome and the deciding rule's wording."""
    if outcome == "met":
        return f"Counted as met (numerator and denominator) because: {says}"
    if outcome == "not_met":
        return f"In the denominator but not met, because: {says}"
    if outcome == "register":
        return f"On the register because: {says}"
    if outcome == "not_on_register":
        return f"Not on the register because: {says}"
    return f"Not counted ({OUTCOME_LABELS.get(outcome, outcome)}) because: {says}"


def cluster_codes(result: Any) -> dict[str, frozenset[str]]:
    """cluster id -> codes, for the reference evaluator."""
    return {cid: c.codes for cid, c in result.clusters.clusters.items()}


def _what_would_change(
    result: Any, ind: Indicator, patient: Patient, outcome: str, facts: Any, names: Names
) -> list[str]:
    """Evaluate the patient again at the year end, as things are and with the meeting record added."""
    if ind.kind != "ratio" or facts.can_dat is None or outcome == "out_of_scope":
        return []
    period, clusters = result.period, cluster_codes(result)
    year_end = Period(period.year, period.pped)

    def outcome_with(extra: tuple[Event, ...]) -> str | None:
        p = replace(patient, events=patient.events + extra)
        rows = evaluate_reference(result.ruleset, year_end, clusters, [p])
        return next((r["outcome"] for r in rows if r["indicator"] == ind.id), None)

    out = []
    as_is = outcome_with(())
    if period.in_year and as_is is not None and as_is != outcome:
        out.append(
            f"If nothing more is recorded, at the year end ({_d(period.pped)}) this becomes: "
            f"{OUTCOME_LABELS.get(as_is, as_is)}."
        )
    if outcome == "met":
        return out
    if outcome in SETTLED_OUTCOMES:
        out.append(
            "Nothing to do this year: it counted in the QOF year it was recorded, and neither counts for "
            "nor against the practice now."
        )
        return out
    meeting = ind.completing
    if meeting is None:
        return out
    cid = meeting.clusters[0]
    window_end = meeting.within.after(facts.can_dat)
    last = min(window_end, period.pped)
    codes = sorted(clusters.get(cid, ()))
    if last < period.ach or not codes:
        out.append(
            f"The window for a {cid} record closed on {_d(window_end)}: nothing recorded now changes "
            f"this year's outcome."
        )
        return out
    if outcome_with((Event(codes[0], last),)) == "met":
        out.append(
            f"A {cid} record ({_record_name(cid, names)}) dated on or before {_d(last)} would make this met."
        )
    return out


def _record_name(cid: str, names: Names) -> str:
    return names.get(cid, f"{cid} record")


def explain_patient(result: Any, patient: Patient, outcomes: Mapping[str, Mapping[str, Any]]) -> dict:
    """Per indicator: the deciding rule, a headline, every rule with whether it held, and what would change.

    `outcomes` maps indicator id to the engine's outcome row for this patient (empty if not on the register).
    """
    period = result.period
    trace = trace_reference(result.ruleset, period, cluster_codes(result), patient)
    names = record_names(result.ruleset)
    indicators = []
    for ind in result.ruleset.indicators:
        row = outcomes.get(ind.id)
        held = trace.held[ind.id]
        decided = next((i for i, h in enumerate(held) if h), None)
        rules = [
            {
                "rule": ind.rule_label(rule),
                "outcome": rule.outcome,
                "outcome_label": OUTCOME_LABELS.get(rule.outcome, rule.outcome),
                "says": rule.says,
                "condition": condition_words(
                    rule.when, trace, period, names, result.ruleset.register_cluster
                ),
                "held": h,
                "decided": i == decided,
                "after_decision": decided is not None and i > decided,
            }
            for i, (rule, h) in enumerate(zip(ind.rules, held, strict=True))
        ]
        outcome = row["outcome"] if row else (ind.rules[decided].outcome if decided is not None else None)
        says = row["reason"] if row else (ind.rules[decided].says if decided is not None else "")
        on_register = bool(outcomes)
        indicators.append(
            {
                "id": ind.id,
                "title": ind.title,
                "outcome": outcome if (on_register or ind.kind == "register") else None,
                "outcome_label": OUTCOME_LABELS.get(outcome, outcome) if outcome else None,
                "rule": row["rule"] if row else None,
                "headline": headline(outcome, says)
                if outcome and (on_register or ind.kind == "register")
                else "Not on the cancer register, so this indicator does not apply.",
                "due_date": row.get("due_date") if row else None,
                "agrees_with_engine": (row is None and not on_register)
                or (
                    row is not None
                    and decided is not None
                    and ind.rule_label(ind.rules[decided]) == row["rule"]
                ),
                "rules": rules,
                "changes": _what_would_change(result, ind, patient, outcome, trace, names) if row else [],
            }
        )
    return {
        "registered_on_ach": trace.registered,
        "can_dat": trace.can_dat,
        "reg_dat": trace.reg_dat,
        "indicators": indicators,
    }
