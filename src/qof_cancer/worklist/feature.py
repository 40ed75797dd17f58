"""The worklist feature: worklist, forecast and PCA monitoring tables from one run's store (any engine)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pyarrow as pa

from qof_cancer.engine.context import Feature, RunContext
from qof_cancer.engine.summary import summarise
from qof_cancer.worklist.forecast import FORECAST_SCHEMA, forecast_rows, practice_pounds, with_converted
from qof_cancer.worklist.lists import (
    WORKLIST_SCHEMA,
    build_worklist,
    collect_candidates,
    collect_records,
    indicator_actions,
    list_key,
    record_code,
)
from qof_cancer.worklist.pca import PCA_SCHEMA, pca_monitoring_rows
from qof_cancer.worklist.scenarios import Scenario, evaluate_previous, previous_year, run_scenarios

__all__ = ["FEATURE", "compute"]


def _per_patient(
    gain: Mapping[tuple[str, str], float], n: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], float]:
    return {key: round(gain.get(key, 0.0) / count, 2) for key, count in n.items() if count}


def _money_per_patient(
    ctx: RunContext,
    as_is: Scenario,
    summaries: Mapping[str, list[dict]],
    on_list: Mapping[tuple[str, str], int],
    missed: Mapping[tuple[str, str], int],
) -> dict[tuple[str, str, str], float]:
    """(list, practice, indicator) -> pounds per patient: for an action list, what completing it adds,
    shared out; for the missed list, what the missed patients would have added had they been met."""
    before = practice_pounds(summaries["year_end_as_is"])
    after = practice_pounds(summaries.get("year_end_worklist_done", summaries["year_end_as_is"]))
    lost = practice_pounds(
        summarise(
            ctx.ruleset, as_is.period, with_converted(as_is.counts, missed), as_is.sizes, ctx.protected_points
        )
    )
    values: dict[tuple[str, str, str], float] = {}
    gains = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in on_list}
    for (practice, indicator), v in _per_patient(gains, on_list).items():
        values[(list_key(ctx.ruleset, indicator), practice, indicator)] = v
    losses = {k: lost.get(k, 0.0) - before.get(k, 0.0) for k in missed}
    for (practice, indicator), v in _per_patient(losses, missed).items():
        values[("missed", practice, indicator)] = v
    return values


def _pca_rows(ctx: RunContext) -> list[dict]:
    last = previous_year(ctx.ruleset, ctx.period.year)
    previous = evaluate_previous(ctx.store, ctx.ruleset, last) if last is not None else None
    return pca_monitoring_rows(
        ctx.ruleset,
        ctx.period.year.id,
        ctx.period.in_year,
        ctx.store.main.counts,
        {r["practice_code"]: r["pcn_code"] for r in ctx.summary_rows if r["level"] == "practice"},
        last.id if last else None,
        previous.counts if previous else None,
    )


def compute(ctx: RunContext) -> dict[str, pa.Table]:
    """{"worklist", "forecast", "pca_monitoring"} for the run in `ctx` (see docs/worklists.md)."""
    run, ruleset, period = ctx.store, ctx.ruleset, ctx.period
    # Actions start on the achievement date. A year-end run made after the year is over can act on
    # nothing: every patient not met is missed. (An in-year --as-of date in the past is a deliberate
    # look at that day, so its worklist is kept.)
    closed = not period.in_year and ctx.today > period.pped
    start = None if closed else period.ach
    actions = {ind.id: a for ind in ruleset.ratio_indicators if (a := indicator_actions(ind)) is not None}
    probe_codes = {}
    for indicator, acts in actions.items():
        code = record_code(ctx.clusters, acts.completing)[0]
        if code is not None:
            probe_codes[indicator] = code
    as_is, done = run_scenarios(run, ruleset, period, probe_codes, start)
    candidates = collect_candidates(run.backend, ruleset, as_is, done)
    listed = [c["outcome_done"] == "met" and start is not None for c in candidates]
    on_list = Counter(
        (c["practice_code"], c["indicator"]) for c, on in zip(candidates, listed, strict=True) if on
    )
    missed = Counter(
        (c["practice_code"], c["indicator"])
        for c, on in zip(candidates, listed, strict=True)
        if c["outcome_as_is"] == "not_met" and not on
    )
    scenarios = {"year_end_as_is": (as_is.counts, as_is.sizes)}
    if start is not None:
        scenarios["year_end_worklist_done"] = (done.counts, done.sizes)
    forecast, summaries = forecast_rows(
        ruleset, period, ctx.summary_rows, scenarios, ctx.protected_points, on_list, missed
    )
    values = _money_per_patient(ctx, as_is, summaries, on_list, missed)
    wanted = {c for a in actions.values() for _, c in a.in_year_pcas}
    wanted |= {a.invitation for a in actions.values() if a.invitation}
    records = collect_records(run.backend, as_is, wanted, (c["patient_id"] for c in candidates))
    worklist = build_worklist(candidates, records, actions, ctx.clusters, period, start, values)
    pca = _pca_rows(ctx)
    return {
        "worklist": pa.Table.from_pylist(worklist, schema=WORKLIST_SCHEMA),
        "forecast": pa.Table.from_pylist(forecast, schema=FORECAST_SCHEMA),
        "pca_monitoring": pa.Table.from_pylist(pca, schema=PCA_SCHEMA),
    }


FEATURE = Feature("worklist", compute)
