"""The reference evaluator: the rule model applied in plain Python, one patient at a time.

Deliberately simple and slow. It is the oracle the SQL engines must agree with, patient by patient, in
the generated tests; it shares only the rule model and the month arithmetic with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from qof_cancer.model.dates import add_months
from qof_cancer.model.nodes import (
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
    national_rule,
)
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["Event", "Patient", "RuleTrace", "evaluate_reference", "trace_reference"]


@dataclass(frozen=True)
class Event:
    code: str
    date: date
    episode: str | None = None


@dataclass(frozen=True)
class Patient:
    patient_id: str
    practice_code: str
    registration_start: date
    registration_end: date | None = None
    date_of_death: date | None = None
    pcn_code: str | None = None
    events: tuple[Event, ...] = field(default=())


@dataclass(frozen=True)
class _Facts:
    """What the rules read about one patient on ACH."""

    can_dat: date | None
    reg_dat: date
    records: Mapping[str, list[date]]  # cluster -> dates of its records on or before ACH


def _registered(p: Patient, ach: date) -> bool:
    return (
        p.registration_start <= ach
        and (p.registration_end is None or p.registration_end > ach)
        and (p.date_of_death is None or p.date_of_death > ach)
    )


def _facts(p: Patient, period: Period, clusters: Mapping[str, frozenset[str]], register: Indicator) -> _Facts:
    ignore, diagnosis = register.ignore_episodes, register.diagnosis_cluster
    records: dict[str, list[date]] = {cid: [] for cid in clusters}
    can_dates = []
    for e in p.events:
        if e.date > period.ach:
            continue
        for cid, codes in clusters.items():
            if e.code in codes:
                records[cid].append(e.date)
                if cid == diagnosis and (e.episode is None or e.episode.lower() not in ignore):
                    can_dates.append(e.date)
    return _Facts(max(can_dates) if can_dates else None, p.registration_start, records)


def _holds(node: object, f: _Facts, period: Period) -> bool:
    t = type(node)
    if t is NoDiagnosis:
        return f.can_dat is None
    if t is Always:
        return True
    if t is DiagnosisOnOrAfter:
        return f.can_dat >= node.date
    if t is DiagnosisBefore:
        return f.can_dat < node.date
    if t is DiagnosisOnOrBefore:
        return f.can_dat <= add_months(period.anchor(node.anchor), -node.months_before)
    if t is DiagnosisAfter:
        return f.can_dat > add_months(period.anchor(node.anchor), -node.months_before)
    if t is RegisteredAfter:
        return f.reg_dat > add_months(period.anchor(node.anchor), -node.months_before)
    if t is RecordAfterDiagnosis:
        end = node.within.after(f.can_dat)
        return any(f.can_dat <= d <= end for c in node.clusters for d in f.records.get(c, []))
    if t is RecordInYear:
        return any(period.ppsd <= d for c in node.clusters for d in f.records.get(c, []))
    if t is LatestRecordOnOrBefore:
        if node.since == "off":
            return False
        dates = [d for c in node.clusters for d in f.records.get(c, [])]
        if node.since == "since_diagnosis":
            dates = [d for d in dates if d >= f.can_dat]
        cut = add_months(period.anchor(node.anchor), -node.months_before)
        return bool(dates) and max(dates) <= cut
    if t is TwoRecordsInYear:
        dates = sorted(d for c in node.clusters for d in f.records.get(c, []) if d >= period.ppsd)
        return any(
            (later - earlier).days >= node.min_gap_days
            for i, earlier in enumerate(dates)
            for later in dates[i + 1 :]
        )
    raise TypeError(f"reference evaluator has no rule for {t.__name__}")


@dataclass(frozen=True)
class RuleTrace:
    """One patient's walk through every indicator's chain: what the rules read and which rules held.

    `held[indicator]` has one entry per rule, in order: True or False, or None where the rule could not be
    read (a diagnosis rule for a patient with no diagnosis). The first True decided the outcome.
    """

    registered: bool
    can_dat: date | None
    reg_dat: date
    records: Mapping[str, list[date]]
    held: Mapping[str, list[bool | None]]


def trace_reference(
    ruleset: RuleSet, period: Period, clusters: Mapping[str, frozenset[str]], patient: Patient
) -> RuleTrace:
    """Every rule of every indicator for one patient, held or not: the dashboard's "why" for a patient."""
    f = _facts(patient, period, clusters, ruleset.register)
    held: dict[str, list[bool | None]] = {}
    for ind in ruleset.indicators:
        held[ind.id] = [
            None
            if f.can_dat is None and type(rule.when) not in (NoDiagnosis, Always)
            else _holds(rule.when, f, period)
            for rule in ind.rules
        ]
    return RuleTrace(_registered(patient, period.ach), f.can_dat, f.reg_dat, f.records, held)


def _first(ind: Indicator, holds: Callable[[object], bool]):
    return next(rule for rule in ind.rules if holds(rule.when))


def evaluate_reference(
    ruleset: RuleSet, period: Period, clusters: Mapping[str, frozenset[str]], patients: Iterable[Patient]
) -> list[dict]:
    """Outcome rows (the same columns as the SQL engines) for every register patient."""
    rows = []
    register = ruleset.register
    for p in patients:
        if not _registered(p, period.ach):
            continue
        f = _facts(p, period, clusters, register)
        reg_rule = _first(register, lambda node, f=f: _holds(node, f, period))
        if reg_rule.outcome != "register":
            continue
        for ind in ruleset.indicators:
            rule = reg_rule if ind is register else _first(ind, lambda node, f=f: _holds(node, f, period))
            due = ind.due.after(f.can_dat) if ind.due else None
            rows.append(
                {
                    "practice_code": p.practice_code,
                    "pcn_code": p.pcn_code,
                    "patient_id": p.patient_id,
                    "indicator": ind.id,
                    "outcome": rule.outcome,
                    "rule": ind.rule_label(rule),
                    "national_rule": national_rule(rule),
                    "reason": rule.says,
                    "can_dat": f.can_dat,
                    "reg_dat": f.reg_dat,
                    "due_date": due,
                }
            )
    return rows
