"""Compile the rule model to one SQL query, built as a sqlglot expression tree.

Three concerns, kept apart:
1. *Population and fields*: who is registered on the achievement date (ACH), and each patient's CAN_DAT.
2. *Conditions*: one handler per condition node type (the dispatch table `HANDLERS`), each returning a
   boolean expression. Conditions over events are aggregates over the patient's coded records, so the
   whole rule set is one grouped pass over the events, with no per-patient loop.
3. *Chains*: each indicator's first-match rule chain becomes a CASE giving the deciding rule, and from
   it the outcome, the plain-English reason and the due date.

The tree is dialect-free; `to_sql(tree, "duckdb")` or `"spark"` renders it. Constant dates (PPED - 24
months and so on) are computed here with the same month arithmetic as the reference evaluator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from qof_cancer.engine.facts import date_literal as _d
from qof_cancer.engine.facts import select_diagnosis, select_population
from qof_cancer.model.dates import Duration, add_months
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
    Rule,
    TwoRecordsInYear,
    national_rule,
)
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["CompiledRun", "compile_run", "UnsupportedCondition", "OUTCOME_COLUMNS"]

OUTCOME_COLUMNS = (
    "practice_code",
    "pcn_code",
    "patient_id",
    "indicator",
    "outcome",
    "rule",
    "national_rule",
    "reason",
    "can_dat",
    "reg_dat",
    "due_date",
)


class UnsupportedCondition(TypeError):
    """A condition node type with no handler: a programming error, never a user error."""


@dataclass(frozen=True)
class CompiledRun:
    """The queries one run needs: patient outcomes, and the list size of each practice on ACH."""

    outcomes: exp.Select
    list_sizes: exp.Select

    def sql(self, dialect: str) -> tuple[str, str]:
        return self.outcomes.sql(dialect), self.list_sizes.sql(dialect)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def _s(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _plus(day: exp.Expression, duration: Duration) -> exp.Expression:
    unit = "MONTH" if duration.unit == "months" else "DAY"
    added = exp.DateAdd(this=day, expression=exp.Literal.number(duration.amount), unit=exp.var(unit))
    return exp.cast(added, exp.DataType.build("DATE"))


def _in_clusters(clusters: tuple[str, ...]) -> exp.Expression:
    return _col("cluster_id", "ev").isin(*[_s(c) for c in clusters])


def _any(condition: exp.Expression) -> exp.Expression:
    """True when some event row of the patient satisfies `condition` (false when there are none)."""
    return exp.func("COALESCE", exp.LogicalOr(this=condition), exp.false())


@dataclass(frozen=True)
class _Ctx:
    period: Period


Handler = Callable[[object, _Ctx], exp.Expression]


def _no_diagnosis(node: NoDiagnosis, ctx: _Ctx) -> exp.Expression:
    return _col("can_dat").is_(exp.null())


def _always(node: Always, ctx: _Ctx) -> exp.Expression:
    return exp.true()


def _dx_on_or_after(node: DiagnosisOnOrAfter, ctx: _Ctx) -> exp.Expression:
    return _col("can_dat") >= _d(node.date)


def _dx_before(node: DiagnosisBefore, ctx: _Ctx) -> exp.Expression:
    return _col("can_dat") < _d(node.date)


def _dx_on_or_before(node: DiagnosisOnOrBefore, ctx: _Ctx) -> exp.Expression:
    return _col("can_dat") <= _d(add_months(ctx.period.anchor(node.anchor), -node.months_before))


def _dx_after(node: DiagnosisAfter, ctx: _Ctx) -> exp.Expression:
    return _col("can_dat") > _d(add_months(ctx.period.anchor(node.anchor), -node.months_before))


def _registered_after(node: RegisteredAfter, ctx: _Ctx) -> exp.Expression:
    return _col("reg_dat") > _d(add_months(ctx.period.anchor(node.anchor), -node.months_before))


def _record_after_dx(node: RecordAfterDiagnosis, ctx: _Ctx) -> exp.Expression:
    event_date = _col("date", "ev")
    cond = exp.and_(
        _in_clusters(node.clusters),
        event_date >= _col("can_dat", "reg"),
        event_date <= _plus(_col("can_dat", "reg"), node.within),
    )
    return _any(cond)


def _in_year(clusters: tuple[str, ...], ctx: _Ctx) -> exp.Expression:
    # Events are already limited to dates <= ACH.
    return exp.and_(_in_clusters(clusters), _col("date", "ev") >= _d(ctx.period.ppsd))


def _record_in_year(node: RecordInYear, ctx: _Ctx) -> exp.Expression:
    return _any(_in_year(node.clusters, ctx))


def _two_records_in_year(node: TwoRecordsInYear, ctx: _Ctx) -> exp.Expression:
    # Two records at least N days apart exist exactly when the earliest and the latest are N days apart.
    dated = exp.Case().when(_in_year(node.clusters, ctx), _col("date", "ev"))
    first, last = exp.Min(this=dated), exp.Max(this=dated.copy())
    count = exp.Count(this=dated.copy())
    gap = exp.DateDiff(this=last, expression=first, unit=exp.var("DAY"))
    return exp.and_(
        count >= exp.Literal.number(2),
        exp.func("COALESCE", gap, exp.Literal.number(-1)) >= exp.Literal.number(node.min_gap_days),
    )


def _latest_record_on_or_before(node: LatestRecordOnOrBefore, ctx: _Ctx) -> exp.Expression:
    if node.since == "off":
        return exp.false()
    cond = _in_clusters(node.clusters)
    if node.since == "since_diagnosis":
        cond = exp.and_(cond, _col("date", "ev") >= _col("can_dat", "reg"))
    latest = exp.Max(this=exp.Case().when(cond, _col("date", "ev")))
    cut = _d(add_months(ctx.period.anchor(node.anchor), -node.months_before))
    return exp.func("COALESCE", latest <= cut, exp.false())


HANDLERS: dict[type, Handler] = {
    NoDiagnosis: _no_diagnosis,
    Always: _always,
    DiagnosisOnOrAfter: _dx_on_or_after,
    DiagnosisBefore: _dx_before,
    DiagnosisOnOrBefore: _dx_on_or_before,
    DiagnosisAfter: _dx_after,
    RegisteredAfter: _registered_after,
    RecordAfterDiagnosis: _record_after_dx,
    RecordInYear: _record_in_year,
    TwoRecordsInYear: _two_records_in_year,
    LatestRecordOnOrBefore: _latest_record_on_or_before,
}
# Conditions that read only the patient's own row (usable before the events are grouped).
ROW_LEVEL = (
    NoDiagnosis,
    Always,
    DiagnosisOnOrAfter,
    DiagnosisBefore,
    DiagnosisOnOrBefore,
    DiagnosisAfter,
    RegisteredAfter,
)


def compile_condition(node: object, ctx: _Ctx) -> exp.Expression:
    try:
        handler = HANDLERS[type(node)]
    except KeyError:
        raise UnsupportedCondition(f"no SQL handler for condition {type(node).__name__}") from None
    return handler(node, ctx)


def _chain(indicator: Indicator, ctx: _Ctx, alias_of: Callable[[int], exp.Expression]) -> exp.Case:
    """CASE WHEN <rule 1> THEN 'CAN004-R1' ... : the first rule that holds."""
    case = exp.Case()
    for i, rule in enumerate(indicator.rules):
        case = case.when(alias_of(i), _s(indicator.rule_label(rule)))
    return case


def _map_rule(indicator: Indicator, value_of: Callable[[Rule], str | None]) -> exp.Case:
    """CASE rule WHEN 'CAN004-R1' THEN <value of R1> ...: a per-rule constant (outcome, wording...)."""
    case = exp.Case(this=_col("rule"))
    for rule in indicator.rules:
        value = value_of(rule)
        case = case.when(_s(indicator.rule_label(rule)), exp.null() if value is None else _s(value))
    return case


def compile_run(ruleset: RuleSet, period: Period) -> CompiledRun:
    """The outcome and list-size queries for `ruleset` at `period`, over tables patients, events and
    cluster_codes (see inputs.validate)."""
    ctx = _Ctx(period)
    ach = _d(period.ach)
    register = ruleset.register

    population = select_population(period.ach)
    # The builders below are given fresh nodes only, so they need not copy the tree at each step
    # (copy=False); a node used in two places is copied where it is used again.
    events = (
        exp.select(_col("patient_id", "e"), _col("cluster_id", "c"), _col("date", "e"), _col("episode", "e"))
        .from_(exp.alias_(exp.to_table("events"), "e"), copy=False)
        .join(
            exp.alias_(exp.to_table("cluster_codes"), "c"),
            on=_col("code", "e").eq(_col("code", "c")),
            copy=False,
        )
        .where(_col("date", "e") <= ach.copy(), copy=False)
    )
    diagnosis = select_diagnosis(register, "ev")
    for rule in register.rules:
        if not isinstance(rule.when, ROW_LEVEL):
            raise UnsupportedCondition(
                f"{register.id} {rule.rule}: a register rule must read the patient row only"
            )
    register_rule = _chain(register, ctx, lambda i: compile_condition(register.rules[i].when, ctx))
    on_register = [register.rule_label(r) for r in register.rules if r.outcome == "register"]
    base = (
        exp.select(
            _col("patient_id", "p"),
            _col("practice_code", "p"),
            _col("pcn_code", "p"),
            _col("reg_dat", "p"),
            _col("can_dat", "d"),
        )
        .from_(exp.alias_(exp.to_table("pop"), "p"), copy=False)
        .join(
            exp.alias_(exp.to_table("dx"), "d"),
            on=_col("patient_id", "p").eq(_col("patient_id", "d")),
            join_type="left",
            copy=False,
        )
    )
    ruled = exp.select("*", exp.alias_(register_rule, "register_rule")).from_("base", copy=False)
    reg = (
        exp.select("*")
        .from_(ruled.subquery("b", copy=False), copy=False)
        .where(_col("register_rule").isin(*[_s(x) for x in on_register]), copy=False)
    )

    # One boolean column per rule of every ratio indicator, computed in one grouped pass over events.
    feature_names: dict[tuple[str, int], str] = {}
    features: list[exp.Expression] = []
    for ind in ruleset.ratio_indicators:
        for i, rule in enumerate(ind.rules):
            name = f"{ind.id.lower()}_c{i}"
            feature_names[(ind.id, i)] = name
            features.append(exp.alias_(compile_condition(rule.when, ctx), name))
    keys = [
        _col(c, "reg")
        for c in ("patient_id", "practice_code", "pcn_code", "reg_dat", "can_dat", "register_rule")
    ]
    feat = (
        exp.select(*keys, *features)
        .from_(exp.alias_(exp.to_table("reg"), "reg"), copy=False)
        .join(
            exp.alias_(exp.to_table("ev"), "ev"),
            on=_col("patient_id", "reg").eq(_col("patient_id", "ev")),
            join_type="left",
            copy=False,
        )
        .group_by(*[k.copy() for k in keys], copy=False)
    )

    def rows_for(ind: Indicator) -> exp.Select:
        if ind.kind == "register":
            ruled = exp.select("*", exp.alias_(_col("register_rule"), "rule")).from_("feat", copy=False)
            due: exp.Expression = exp.cast(exp.null(), exp.DataType.build("DATE"))
        else:
            chain = _chain(ind, ctx, lambda i, ind=ind: _col(feature_names[(ind.id, i)]))
            ruled = exp.select("*", exp.alias_(chain, "rule")).from_("feat", copy=False)
            due = (
                _plus(_col("can_dat"), ind.due)
                if ind.due
                else exp.cast(exp.null(), exp.DataType.build("DATE"))
            )
        return exp.select(
            _col("practice_code"),
            _col("pcn_code"),
            _col("patient_id"),
            exp.alias_(_s(ind.id), "indicator"),
            exp.alias_(_map_rule(ind, lambda r: r.outcome), "outcome"),
            _col("rule"),
            exp.alias_(_map_rule(ind, national_rule), "national_rule"),
            exp.alias_(_map_rule(ind, lambda r: r.says), "reason"),
            _col("can_dat"),
            _col("reg_dat"),
            exp.alias_(due, "due_date"),
        ).from_(ruled.subquery("r", copy=False), copy=False)

    union: exp.Expression = rows_for(ruleset.indicators[0])
    for ind in ruleset.indicators[1:]:
        union = exp.union(union, rows_for(ind), distinct=False, copy=False)
    outcomes = (
        exp.select(*OUTCOME_COLUMNS)
        .from_(union.subquery("o", copy=False), copy=False)
        .with_("pop", population, copy=False)
        .with_("ev", events, copy=False)
        .with_("dx", diagnosis, copy=False)
        .with_("base", base, copy=False)
        .with_("reg", reg, copy=False)
        .with_("feat", feat, copy=False)
    )
    list_sizes = (
        exp.select(
            _col("practice_code"),
            exp.alias_(exp.func("MAX", _col("pcn_code")), "pcn_code"),
            exp.alias_(exp.Count(this=exp.Star()), "list_size"),
        )
        .from_(population.subquery("pop"))  # a copy: `population` is the outcomes' `pop` step too
        .group_by(_col("practice_code"), copy=False)
    )
    return CompiledRun(outcomes, list_sizes)
