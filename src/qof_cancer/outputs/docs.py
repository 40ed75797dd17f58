"""docs/indicators.md, generated from the rule files (and the spec cases), checked in CI for staleness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from qof_cancer.model.actions import WorklistSpec
from qof_cancer.model.nodes import (
    EXCLUSION_OUTCOMES,
    PCA_OUTCOMES,
    Always,
    DiagnosisAfter,
    DiagnosisBefore,
    DiagnosisOnOrAfter,
    DiagnosisOnOrBefore,
    LatestRecordOnOrBefore,
    NoDiagnosis,
    RecordAfterDiagnosis,
    RecordInYear,
    RegisteredAfter,
    TwoRecordsInYear,
)
from qof_cancer.model.ruleset import RuleSet

__all__ = ["render_indicators_md", "describe_condition"]


def _clusters(node) -> str:
    return " or ".join(f"`{c}`" for c in node.clusters)


_WORDS: dict[type, Callable] = {
    NoDiagnosis: lambda n: "`CAN_DAT` is empty",
    Always: lambda n: "otherwise",
    DiagnosisOnOrAfter: lambda n: f"`CAN_DAT >= {n.date}`",
    DiagnosisBefore: lambda n: f"`CAN_DAT < {n.date}`",
    DiagnosisOnOrBefore: lambda n: f"`CAN_DAT <= {n.anchor} − {n.months_before} months`",
    DiagnosisAfter: lambda n: f"`CAN_DAT > {n.anchor} − {n.months_before} months`",
    RegisteredAfter: lambda n: f"`REG_DAT > {n.anchor} − {n.months_before} months`",
    RecordAfterDiagnosis: lambda n: (
        f"a {_clusters(n)} record with `CAN_DAT <= date <= CAN_DAT + {n.within}` (and `<= ACH`)"
    ),
    RecordInYear: lambda n: f"a {_clusters(n)} record in `[PPSD, ACH]`",
    LatestRecordOnOrBefore: lambda n: (
        "never (switched off)"
        if n.since == "off"
        else f"the latest {_clusters(n)} record"
        + (" dated on or after `CAN_DAT`" if n.since == "since_diagnosis" else " of any date")
        + f" (and `<= ACH`) is dated `<= {n.anchor} − {n.months_before} months`"
    ),
    TwoRecordsInYear: lambda n: (
        f"two {_clusters(n)} records in `[PPSD, ACH]`, at least {n.min_gap_days} days apart"
    ),
}


def describe_condition(node: object) -> str:
    return _WORDS[type(node)](node)


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|")


def _years_table(ruleset: RuleSet) -> list[str]:
    ids = [i.id for i in ruleset.indicators]
    lines = [
        "| year | rules | PPSD | PPED | £ per point | national average list | national prevalence | "
        + " | ".join(ids)
        + " |",
        "|---" * (7 + len(ids)) + "|",
    ]
    # Only the years written in the rule files: later years follow by rule (said below the table), so the
    # page does not change with the date it is generated on.
    for y in (y for y in ruleset.years.values() if y.carried_from is None):
        cells = []
        for i in ids:
            yi = y.indicators[i]
            thresholds = f", {yi.lower:g}-{yi.upper:g}%" if yi.lower is not None else ""
            status = yi.status.replace("_", " ") + (f" ({yi.protected_year})" if yi.protected_year else "")
            cells.append(f"{yi.points:g} pts{thresholds}; {status}")
        lines.append(
            f"| {y.id} | {y.rules_version} | {y.ppsd} | {y.pped} | {y.pounds_per_point:.2f} | "
            f"{y.national_average_list_size:,.0f} ({_cell(y.national_average_list_size_source)}) | "
            f"{y.national_prevalence:.2%} ({_cell(y.national_prevalence_source)}) | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def _cases(path: Path) -> list[str]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = [
        "## Spec cases",
        "",
        "Each case is one patient, run through every engine by the test suite. Unless a case says",
        "otherwise: QOF year 2023-24 at the year end (ACH = PPED = 2024-03-31), registered 2000-01-01.",
        "",
        "| case | records | expected |",
        "|---|---|---|",
    ]
    for case in cases:
        when = []
        for key in ("year", "as_of", "registered", "registration_end", "date_of_death"):
            if key in case:
                when.append(f"{key.replace('_', ' ')} {case[key]}")
        for ind_id, values in (case.get("settings") or {}).items():
            when += [f"setting {ind_id}.{k} = {v}" for k, v in values.items()]
        records = "; ".join(
            f"{e[0]} {e[1].isoformat() if isinstance(e[1], date) else e[1]}"
            + (f" ({e[2]})" if len(e) > 2 else "")
            for e in case["events"]
        )
        expected = "; ".join(f"{k}: {v}" for k, v in case["expect"].items())
        lines.append(
            f"| {_cell(case['title'])} | {_cell(', '.join(when) + ('; ' if when else '') + records)} | {_cell(expected)} |"
        )
    return lines


def _worklist_line(spec: WorklistSpec) -> str:
    """The indicator's worklist section in a sentence (docs/local-indicators.md explains the fields)."""
    if spec.steps == "contact":
        steps = f"{spec.action}, as soon as possible (message `{spec.message}`)"
    else:
        steps = (
            f"{spec.invitation} (message `{spec.message}`), second invitation (message `{spec.reminder}`), "
            f"{spec.action} by the due date"
        )
    return (
        f'Worklist: list `{spec.list}` ({_cell(spec.name)}), sheet "{_cell(spec.sheet)}": {_cell(steps)}. '
        "See [local indicators](local-indicators.md) for the `worklist:` fields."
    )


def render_indicators_md(ruleset: RuleSet, cases: Path | None = None) -> str:
    """The indicator reference: wording, settings, rule chains, the years table and the spec cases."""
    out = [
        "<!-- Generated by `qof-cancer docs` from src/qof_cancer/rules/. Do not edit: CI checks it. -->",
        "# The cancer indicators",
        "",
        "Dates: **PPSD** and **PPED** are the first and last day of the QOF year; **ACH** is the achievement",
        "date the data are read up to (PPED at the year end, the `--as-of` date in-year). Month arithmetic is",
        "calendar months clamped to the month's end (2023-11-30 + 3 months = 2024-02-29).",
        "`CAN_DAT` is the date of the latest `CAN_COD` record on or before ACH; `REG_DAT` the start of the",
        "current registration. The first rule that holds decides the outcome.",
        "",
    ]
    for ind in ruleset.indicators:
        out += [f"## {ind.id}: {ind.title}", "", f"> {ind.wording}", ""]
        if ind.notes:
            out += [ind.notes, ""]
        out += ["| setting | default |", "|---|---|"]
        out += [
            f"| `{k}` | {_cell(v if not isinstance(v, list) else ', '.join(map(str, v)))} |"
            for k, v in ind.settings.items()
        ]
        out += [
            "",
            "| rule | when | outcome | national name, type | in plain words |",
            "|---|---|---|---|---|",
        ]
        for rule in ind.rules:
            national = (
                f"{rule.national.name or '(none)'}, {rule.national.type}" if rule.national else "(none)"
            )
            out.append(
                f"| {ind.rule_label(rule)} | {describe_condition(rule.when)} | `{rule.outcome}` | "
                f"{_cell(national)} | {_cell(rule.says)} |"
            )
        if ind.due:
            out += ["", f"Due date on each outcome row: `CAN_DAT + {ind.due}`."]
        if ind.worklist:
            out += ["", _worklist_line(ind.worklist)]
        out.append("")
    out += ["## Years, points and payment", ""] + _years_table(ruleset)
    out += [
        "",
        "Points: 0 at or below the lower threshold, the maximum at or above the upper, linear between.",
        "Payment (£) = points paid × £ per point × register / (national prevalence × national average list size).",
        "",
        "Years after the last one in the table follow by rule: 1 April to 31 March, with the last year's points,",
        "thresholds and national figures and no national payment (status retired). `run` with no `--year` runs",
        "the year that contains today (2026-27 from 1 April 2026) as a good-practice or local-scheme year.",
        "",
        "## PCAs and exclusions",
        "",
        "Two kinds of rule take a register patient out of a denominator, and the national data keep them",
        "apart (NHS Digital's `PCA_REFERENCE`, type PCA or Exclusion):",
        "",
        "- **Personalised care adjustments (PCAs)**: "
        + ", ".join(f"`{o}`" for o in PCA_OUTCOMES)
        + ". They are the published PCA rate, PCAs / (denominator + PCAs): the denominator already leaves",
        "  them out.",
        "- **Automatic exclusions**: "
        + ", ".join(f"`{o}`" for o in EXCLUSION_OUTCOMES)
        + ", and `out_of_scope` (outside the look-back or",
        "  before the date floor). They are outside the practice's control and are not PCAs: a practice's",
        '  "exception rate" should not count them.',
        "",
        "`excluded_earlier_year` (rule R1c, national MDRV_DAT and CANSUP12M) makes a review or support contact",
        "count in exactly one QOF year: a patient whose latest one since the diagnosis was recorded before this",
        "year was counted in that year, and neither counts for nor against the practice now.",
        "",
    ]
    if cases is not None:
        out += _cases(cases) + [""]
    return "\n".join(out)
