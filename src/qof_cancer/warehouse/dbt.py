"""The rules as a dbt project: one model per step of the engine's own query, for an analyst's repository.

The models are the common table expressions of `engine.compiler.compile_run`'s query, each made a model
of its own (population, events in the code lists, diagnosis date, register, per-rule facts, one model per
indicator's outcomes) with table names replaced by `ref()` and `source()`, plus the union of outcomes and
a summary of counts per practice. The code lists the rules were built with are a seed
(`qof_cluster_codes.csv`); the patients and events tables are sources the analyst points at their own.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

import sqlglot
import yaml
from sqlglot import exp

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.compiler import compile_run
from qof_cancer.model.nodes import EXCLUSION_OUTCOMES, PCA_OUTCOMES
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period
from qof_cancer.warehouse.script import INPUT_TABLES, render_query, tool_version

__all__ = ["render_dbt_project", "MODEL_OF_CTE"]

PROJECT = "qof_cancer"
# The compiled query's CTEs, and the model each becomes.
MODEL_OF_CTE = {
    "pop": "qof_population",
    "ev": "qof_events",
    "dx": "qof_diagnosis",
    "base": "qof_base",
    "reg": "qof_register",
    "feat": "qof_rule_facts",
}
_SEED = "qof_cluster_codes"
_REF = "__qof_ref_{}__"  # a placeholder identifier, replaced by a Jinja call once rendered


def _with_refs(tree: exp.Expression, names: Mapping[str, str]) -> exp.Expression:
    """Table references to `names` (table -> model, seed or source placeholder) replaced by placeholders."""

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.args.get("db") and node.name in names:
            alias = node.alias or node.name
            return exp.alias_(exp.to_table(_REF.format(names[node.name])), alias, table=True)
        return node

    return tree.copy().transform(swap)


def _jinja(sql: str) -> str:
    def call(match: re.Match) -> str:
        name = match.group(1)
        if name in INPUT_TABLES:
            return "{{ source('" + PROJECT + "', '" + name + "') }}"
        return "{{ ref('" + name + "') }}"

    # The placeholder, quoted ("..." or T-SQL's [...]) or not.
    return re.sub(r'["\[]?__qof_ref_(\w+?)__["\]]?', call, sql)


def _render(tree: exp.Expression, dialect: str) -> str:
    return _jinja(render_query(tree, dialect)) + "\n"


def _indicator_models(query: exp.Select) -> list[exp.Select]:
    """The per-indicator SELECTs of the outcomes UNION ALL, in the rule set's order."""
    union = query.args["from_" if "from_" in query.args else "from"].this.this
    out: list[exp.Select] = []

    def walk(node: exp.Expression) -> None:
        if isinstance(node, exp.Union):
            walk(node.this)
            walk(node.expression)
        else:
            out.append(node)

    walk(union)
    return out


def _summary_sql(ruleset: RuleSet, dialect: str) -> str:
    """Counts per practice and indicator, as the engine's summary has them (points and money are the
    tool's: they need the year's thresholds and the practice's list size and prevalence factors)."""
    pcas = ", ".join(f"'{o}'" for o in PCA_OUTCOMES)
    exclusions = ", ".join(f"'{o}'" for o in EXCLUSION_OUTCOMES)
    indicators = ", ".join(f"('{i.id}', '{i.kind}')" for i in ruleset.indicators)
    text = f"""
    WITH practices AS (
      SELECT practice_code, max(pcn_code) AS pcn_code, count(*) AS list_size
      FROM {_REF.format("qof_population")} GROUP BY practice_code
    ), indicators AS (
      SELECT * FROM (VALUES {indicators}) AS i(indicator, kind)
    ), counts AS (
      SELECT practice_code, indicator,
        count(*) FILTER (WHERE outcome = 'register') AS register,
        count(*) FILTER (WHERE outcome = 'met') AS numerator,
        count(*) FILTER (WHERE outcome IN ('met', 'not_met')) AS denominator,
        count(*) FILTER (WHERE outcome IN ({pcas})) AS pcas,
        count(*) FILTER (WHERE outcome IN ({exclusions})) AS exclusions,
        count(*) FILTER (WHERE outcome = 'out_of_scope') AS out_of_scope
      FROM {_REF.format("qof_outcomes")} GROUP BY practice_code, indicator
    )
    SELECT p.practice_code, p.pcn_code, i.indicator, p.list_size,
      COALESCE(r.register, 0) AS register,
      CASE WHEN i.kind = 'register' THEN NULL ELSE COALESCE(c.numerator, 0) END AS numerator,
      CASE WHEN i.kind = 'register' THEN NULL ELSE COALESCE(c.denominator, 0) END AS denominator,
      CASE WHEN i.kind = 'register' THEN NULL ELSE COALESCE(c.pcas, 0) END AS pcas,
      CASE WHEN i.kind = 'register' THEN NULL ELSE COALESCE(c.exclusions, 0) END AS exclusions,
      CASE WHEN i.kind = 'register' THEN NULL ELSE COALESCE(c.out_of_scope, 0) END AS out_of_scope,
      -- 100.0 *: integer division would floor the percentage on most warehouses
      CASE WHEN i.kind <> 'register' AND c.denominator > 0
        THEN 100.0 * c.numerator / c.denominator END AS achievement_pct
    FROM practices AS p CROSS JOIN indicators AS i
    LEFT JOIN counts AS c ON c.practice_code = p.practice_code AND c.indicator = i.indicator
    LEFT JOIN counts AS r ON r.practice_code = p.practice_code AND r.indicator = '{ruleset.register.id}'
    """
    return _render(sqlglot.parse_one(text, read="duckdb"), dialect)


def _schema_yml(ruleset: RuleSet) -> dict:
    def outcomes_of(ind) -> list[str]:
        return sorted({r.outcome for r in ind.rules if r.outcome != "not_on_register"})

    def accepted(values: list[str]) -> dict:
        return {"accepted_values": {"arguments": {"values": values}}}

    every = sorted({o for ind in ruleset.indicators for o in outcomes_of(ind)})
    models = [
        {
            "name": f"qof_{ind.id.lower()}",
            "description": f"{ind.id}: {ind.title}. One row per register patient.",
            "columns": [
                {"name": "patient_id", "data_tests": ["not_null"]},
                {"name": "outcome", "data_tests": ["not_null", accepted(outcomes_of(ind))]},
                {"name": "rule", "data_tests": ["not_null"]},
            ],
        }
        for ind in ruleset.indicators
    ]
    models.append(
        {
            "name": "qof_outcomes",
            "description": "Every indicator's outcomes: the engine's outcomes.csv.",
            "columns": [
                {"name": "patient_id", "data_tests": ["not_null"]},
                {"name": "practice_code", "data_tests": ["not_null"]},
                {
                    "name": "indicator",
                    "data_tests": ["not_null", accepted([i.id for i in ruleset.indicators])],
                },
                {"name": "outcome", "data_tests": ["not_null", accepted(every)]},
            ],
        }
    )
    models.append(
        {
            "name": "qof_summary",
            "description": "Counts per practice and indicator (the engine's summary.csv, without points).",
            "columns": [{"name": c, "data_tests": ["not_null"]} for c in ("practice_code", "indicator")],
        }
    )
    return {"version": 2, "models": models}


def _sources_yml() -> dict:
    return {
        "version": 2,
        "sources": [
            {
                "name": PROJECT,
                "description": "The practice records, in the data contract's canonical shapes.",
                "schema": "{{ var('qof_source_schema', target.schema) }}",
                "tables": [
                    {
                        "name": name,
                        "identifier": "{{ var('qof_" + name + "_table', '" + name + "') }}",
                        "columns": [{"name": c, "description": what} for c, what in columns],
                    }
                    for name, columns in INPUT_TABLES.items()
                ],
            }
        ],
    }


def render_dbt_project(
    ruleset: RuleSet, period: Period, clusters: ClusterSet, dialect: str = "postgres"
) -> dict[str, str]:
    """The project's files (relative path -> text) for the rules at `period`."""
    __version__ = tool_version()
    query = compile_run(ruleset, period).outcomes
    names = {"patients": "patients", "events": "events", "cluster_codes": _SEED, **MODEL_OF_CTE}
    header = (
        f"-- qof-cancer {__version__}: {period.year.id} at {period.ach} (rules {period.year.rules_version}); "
        "generated by `qof-cancer dbt`, do not edit: regenerate.\n"
    )
    files: dict[str, str] = {}
    for cte in (query.args.get("with_") or query.args["with"]).expressions:
        model = MODEL_OF_CTE[cte.alias]
        files[f"models/{model}.sql"] = header + _render(_with_refs(cte.this, names), dialect)
    indicator_models = []
    for ind, select in zip(ruleset.indicators, _indicator_models(query), strict=True):
        model = f"qof_{ind.id.lower()}"
        indicator_models.append(model)
        files[f"models/{model}.sql"] = header + _render(_with_refs(select, names), dialect)
    union = " UNION ALL ".join(f"SELECT * FROM {_REF.format(m)}" for m in indicator_models)
    files["models/qof_outcomes.sql"] = header + _render(sqlglot.parse_one(union, read="duckdb"), dialect)
    files["models/qof_summary.sql"] = header + _summary_sql(ruleset, dialect)
    files["models/schema.yml"] = yaml.safe_dump(_schema_yml(ruleset), sort_keys=False)
    files["models/sources.yml"] = yaml.safe_dump(_sources_yml(), sort_keys=False)
    used = sorted(set(ruleset.clusters()))
    seed = io.StringIO()
    writer = csv.writer(seed, lineterminator="\n")
    writer.writerow(["cluster_id", "code"])
    writer.writerows((cid, code) for cid in used for code in sorted(clusters[cid].codes))
    files[f"seeds/{_SEED}.csv"] = seed.getvalue()
    files["dbt_project.yml"] = yaml.safe_dump(_project_yml(used), sort_keys=False)
    files["README.md"] = _readme(ruleset, period, clusters, used)
    return files


def _project_yml(used: list[str]) -> dict:
    return {
        "name": PROJECT,
        "version": "1.0.0",
        "config-version": 2,
        "profile": PROJECT,
        "model-paths": ["models"],
        "seed-paths": ["seeds"],
        # Patient data stay in the warehouse; dbt's usage statistics are off so nothing else is sent.
        "flags": {"send_anonymous_usage_stats": False},
        "models": {
            PROJECT: {
                "+materialized": "view",
                "qof_outcomes": {"+materialized": "table"},
                "qof_summary": {"+materialized": "table"},
            }
        },
        "seeds": {PROJECT: {_SEED: {"+column_types": {"cluster_id": "varchar", "code": "varchar"}}}},
    }


def _readme(ruleset: RuleSet, period: Period, clusters: ClusterSet, used: list[str]) -> str:
    lines = [
        "# QOF cancer indicators as dbt models",
        "",
        f"Generated by `qof-cancer dbt` for QOF year {period.year.id}, achievement date {period.ach} "
        f"(PPSD {period.year.ppsd}, PPED {period.year.pped}).",
        "",
        "Point the sources at your tables with vars (or views named `patients` and `events`):",
        "",
        "    dbt build --vars '{qof_source_schema: gp_data, qof_patients_table: patients, qof_events_table: events}'",
        "",
        "`qof_outcomes` equals the tool's outcomes.csv for the same records; `qof_summary` gives the counts",
        "per practice. See docs/warehouse.md in the qof-cancer repository for reconciling with a practice's run.",
        "",
        "Code lists (seeds/qof_cluster_codes.csv):",
        "",
        *[f"- {clusters[cid].provenance()}" for cid in used],
        "",
        "Settings:",
        "",
        *[
            f"- {ind.id}: " + ", ".join(f"{k} = {v}" for k, v in sorted(ind.settings.items()))
            for ind in ruleset.indicators
        ],
        "",
    ]
    return "\n".join(lines)
