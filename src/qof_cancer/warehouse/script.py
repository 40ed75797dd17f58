"""The rules as one SQL script for a warehouse: the engine's own query, rendered for a named dialect.

The script is the query `engine.compiler.compile_run` builds (the one the engines run), with the code
lists it needs as a `cluster_codes` CTE of VALUES at its head, so it reads only the two input tables
(`patients` and `events`, see INPUT_TABLES) and writes nothing. The settings, the year's dates and the
code lists it was built from are written as comments above it, so a result can be traced to its rules.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from sqlglot import exp

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.compiler import compile_run
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period
from qof_cancer.warehouse.booleans import DIALECTS_WITHOUT_BOOLEANS, without_booleans

__all__ = [
    "DIALECTS",
    "TESTED_DIALECTS",
    "INPUT_TABLES",
    "render_script",
    "render_query",
    "outcomes_query",
]

# sqlglot's dialect names; the script is run for real on the first two in the tests.
DIALECTS = ("postgres", "duckdb", "spark", "tsql", "snowflake", "bigquery", "databricks")
TESTED_DIALECTS = ("postgres", "duckdb")
# The tables the script reads, with the columns it uses (the data contract's canonical shapes).
INPUT_TABLES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "patients": (
        ("patient_id", "text: one row per patient"),
        ("practice_code", "text: the practice's ODS code"),
        ("pcn_code", "text or NULL: the PCN's code"),
        ("registration_start", "DATE: registered with the practice on this day"),
        ("registration_end", "DATE or NULL: left the practice on this day"),
        ("date_of_death", "DATE or NULL"),
    ),
    "events": (
        ("patient_id", "text: the patient the record belongs to"),
        ("code", "text: the SNOMED CT concept id as recorded"),
        ("date", "DATE: the record's effective date"),
        ("episode", "text or NULL: first, new, review, ended, ... (any case)"),
    ),
}


def outcomes_query(ruleset: RuleSet, period: Period, clusters: ClusterSet) -> exp.Select:
    """The outcome query over `patients` and `events`, with the code lists the rules need as a CTE."""
    used = sorted(set(ruleset.clusters()))
    pairs = sorted((cid, code) for cid in used for code in clusters[cid].codes)
    values = exp.values(
        [(exp.Literal.string(cid), exp.Literal.string(code)) for cid, code in pairs],
        alias="codes",
        columns=["cluster_id", "code"],
    )
    lists = exp.select("cluster_id", "code").from_(values)
    query = compile_run(ruleset, period).outcomes.copy()
    # First in the WITH list: a CTE may read only those before it. (sqlglot names the arg with or with_.)
    ctes = (query.args.get("with_") or query.args["with"]).expressions
    ctes.insert(0, exp.CTE(this=lists, alias=exp.TableAlias(this=exp.to_identifier("cluster_codes"))))
    return query.order_by("practice_code", "indicator", "patient_id")


def render_query(tree: exp.Expression, dialect: str) -> str:
    """`tree` as SQL for `dialect`, with what the dialect needs beyond sqlglot's rendering: no boolean
    values where it has none (warehouse.booleans), and on T-SQL every identifier in brackets, since
    sqlglot does not know T-SQL's reserved words and the outcomes have a column named `rule`."""
    if dialect in DIALECTS_WITHOUT_BOOLEANS:
        tree = without_booleans(tree)
    return tree.sql(dialect, pretty=True, identify=dialect == "tsql")


def _setting(value: object) -> str:
    return " / ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def tool_version() -> str:
    """qof-cancer's version. Read from sys.modules (the root package is always imported first), not by
    `import qof_cancer`, whose lazy `run` would make the layers check see warehouse -> api."""
    return str(getattr(sys.modules.get("qof_cancer"), "__version__", "unknown"))


def _comment_lines(ruleset: RuleSet, period: Period, clusters: ClusterSet, dialect: str) -> list[str]:
    __version__ = tool_version()
    year = period.year
    lines = [
        f"qof-cancer {__version__}: the QOF cancer indicators as one query, {dialect} dialect.",
        (
            "Tested: run on PostgreSQL 15 and DuckDB in the project's tests, giving the engine's outcomes."
            if dialect in TESTED_DIALECTS
            else "GENERATED, UNTESTED: rendered by sqlglot and parsed back, never run on this engine. "
            "Check its outcomes against a practice's own qof-cancer run before relying on them."
        ),
        "",
        f"QOF year {year.id} (rules {year.rules_version}): PPSD {year.ppsd}, PPED {year.pped}.",
        f"Achievement date {period.ach}" + (" (in-year)." if period.in_year else "."),
    ]
    if ruleset.scheme:
        lines.append(f"Local scheme: {ruleset.scheme}")
    lines += ["", "Settings:"]
    for ind in ruleset.indicators:
        settings = ", ".join(f"{k} = {_setting(v)}" for k, v in sorted(ind.settings.items())) or "(none)"
        lines.append(f"  {ind.id}: {settings}")
    lines += ["", "Code lists (in the cluster_codes CTE below):"]
    lines += [f"  {clusters[cid].provenance()}" for cid in sorted(set(ruleset.clusters()))]
    lines += ["", "Reads these tables (name them in your warehouse, or create views of these names):"]
    for table, columns in INPUT_TABLES.items():
        lines.append(f"  {table}:")
        lines += [f"    {name}: {what}" for name, what in columns]
    lines += [
        "",
        "Returns one row per register patient per indicator: practice_code, pcn_code, patient_id,",
        "indicator, outcome, rule, national_rule, reason, can_dat, reg_dat, due_date.",
    ]
    return lines


def render_script(ruleset: RuleSet, period: Period, clusters: ClusterSet, dialect: str) -> str:
    """The SQL script for `dialect`: comments (settings, dates, code lists, tables) then one query."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect {dialect!r}: choose one of {', '.join(DIALECTS)}")
    head = "\n".join(f"-- {line}".rstrip() for line in _comment_lines(ruleset, period, clusters, dialect))
    body = render_query(outcomes_query(ruleset, period, clusters), dialect)
    return f"{head}\n\n{body};\n"
