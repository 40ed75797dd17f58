"""One run, one store: the loaded, checked tables and every evaluation of the rules, as named tables.

A `Run` is opened on a backend (DuckDB, Spark, ...) with the input files: it loads the code lists and the
checked `patients`, `events` and `rejects` tables once. `run.evaluate(ruleset, period)` then publishes
the engine's results under fixed names in the same store:

- `population`: who is registered on the achievement date (view over the compiler's `pop` step);
- `can_dat`: each patient's latest counting diagnosis date (the compiler's `dx` step);
- `rule_facts`: one row per register patient, one boolean column per rule (the compiler's `feat` step);
- `outcomes`: one row per register patient per indicator (a table).

`run.scenario(name, ...)` is the one way to evaluate the rules on other data or another period (the
income-protected year, the worklist's year end as it stands and done, data-quality impacts, reconcile's
readings): the same compiled query reads `patients` and `events` from the tables or selects it is given
and publishes `<name>_population`, `<name>_can_dat`, `<name>_rule_facts` and `<name>_outcomes`. Nothing
is copied out of the engine and back, so the same code runs on every engine.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.compiler import compile_run
from qof_cancer.engine.evaluate import load_cluster_codes
from qof_cancer.inputs import LoadReport, load_inputs
from qof_cancer.inputs.backends import Backend, SqlLike
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["Run", "Evaluation", "PUBLISHED", "retarget", "feature_table", "REJECTS_ORDER"]

# The compiler's named steps that the store publishes, and the name each is published under.
PUBLISHED = {"pop": "population", "dx": "can_dat", "feat": "rule_facts"}
# The base tables the compiled rules read, which a scenario may replace.
SOURCES = ("patients", "events")

Counts = list[tuple[str, str, str, int]]
# rejects.csv: its columns, and its order (file and row; the rest only orders the rows of one cell).
_REJECT_SELECT = 'file, "row", "column", value, reason, action'
REJECTS_ORDER = ("file", '"row"', '"column"', "reason", "value", "action")


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of the rules in the store: where its tables are, list sizes and counts.

    `counts` are (practice_code, indicator, outcome, patients) for the summary; `rule_counts` the same
    per deciding rule (for INDICATOR_VALUES)."""

    name: str
    ruleset: RuleSet
    period: Period
    patients: str
    events: str
    sizes: dict[str, tuple[str | None, int]]
    counts: Counts
    rule_counts: Counts

    def table_name(self, what: str) -> str:
        """The store's name for this evaluation's `what` (outcomes, population, can_dat, rule_facts)."""
        return what if not self.name else f"{self.name}_{what}"

    @property
    def table(self) -> str:
        """The outcomes table."""
        return self.table_name("outcomes")


def feature_table(name: str) -> str:
    """The store's name for a feature's table `name` (worklist -> feature_worklist)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"table name {name!r}: letters, digits and _ only")
    return f"feature_{name}"


def retarget(tree: exp.Expression, tables: dict[str, str], copy: bool = True) -> exp.Expression:
    """The same query reading other base tables (the compiler's step names differ from these); with
    copy=False the tree is changed in place (for a tree made for this one use)."""
    tables = {k: v for k, v in tables.items() if k != v}
    if not tables:
        return tree

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.args.get("db") and node.name in tables:
            node = node.copy()
            node.set("this", exp.to_identifier(tables[node.name]))
        return node

    return tree.transform(rename, copy=copy)


def _counts(backend: Backend, table: str) -> tuple[Counts, Counts]:
    """Counts by outcome and by deciding rule, from one grouped query."""
    by_outcome: Counter[tuple[str, str, str]] = Counter()
    by_rule: Counter[tuple[str, str, str]] = Counter()
    for practice, indicator, outcome, rule, n in backend.rows(
        f"SELECT practice_code, indicator, outcome, rule, count(*) FROM {table} "
        "GROUP BY practice_code, indicator, outcome, rule"
    ):
        by_outcome[(practice, indicator, outcome)] += int(n)
        by_rule[(practice, indicator, rule)] += int(n)
    return (
        [(*k, v) for k, v in sorted(by_outcome.items())],
        [(*k, v) for k, v in sorted(by_rule.items())],
    )


@dataclass
class Run:
    """The store of one run: the checked inputs and every evaluation made on them, on one backend."""

    backend: Backend
    clusters: ClusterSet
    load: LoadReport
    today: date
    evaluations: dict[str, Evaluation] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        backend: Backend,
        clusters: ClusterSet,
        patients: str | Path,
        events: str | Path,
        today: date,
        extra_clusters: dict[str, frozenset[str]] | None = None,
    ) -> Run:
        """Load the code lists (with any `extra_clusters` features need) and the checked input files."""
        load_cluster_codes(backend, clusters, extra_clusters)
        return cls(backend, clusters, load_inputs(backend, patients, events, today), today)

    @property
    def main(self) -> Evaluation:
        """The run's own evaluation (made by `evaluate`)."""
        try:
            return self.evaluations[""]
        except KeyError:
            raise LookupError("the run has not been evaluated yet: call run.evaluate first") from None

    def evaluate(self, ruleset: RuleSet, period: Period) -> Evaluation:
        """The rules at `period` over the run's own tables: `outcomes`, `population`, `can_dat`..."""
        return self._evaluate("", ruleset, period, "patients", "events")

    def scenario(
        self,
        name: str,
        ruleset: RuleSet | None = None,
        period: Period | None = None,
        patients: SqlLike | None = None,
        events: SqlLike | None = None,
    ) -> Evaluation:
        """The rules evaluated on other data or at another period, published as `<name>_outcomes` etc.

        `ruleset` and `period` default to the run's own evaluation's. `patients` and `events` are a table
        name of the store, or a select (DuckDB-dialect text or a sqlglot tree) published as the view
        `<name>_patients` / `<name>_events`; by default the run's own tables."""
        if not name.isidentifier() or name.lower() != name:
            raise ValueError(f"scenario name {name!r}: lower-case letters, digits and _ only")
        if ruleset is None or period is None:
            main = self.main
            ruleset, period = ruleset or main.ruleset, period or main.period
        sources = {}
        for source, given in zip(SOURCES, (patients, events), strict=True):
            if given is None:
                sources[source] = source
            elif isinstance(given, str) and given.isidentifier():
                sources[source] = given
            else:
                sources[source] = f"{name}_{source}"
                self.backend.view(sources[source], given)
        return self._evaluate(name, ruleset, period, sources["patients"], sources["events"])

    def _evaluate(
        self, name: str, ruleset: RuleSet, period: Period, patients: str, events: str
    ) -> Evaluation:
        compiled = compile_run(ruleset, period)
        tables = {"patients": patients, "events": events}
        # The compiled trees are made for this evaluation, so they are retargeted in place (no copies).
        outcomes = retarget(compiled.outcomes, tables, copy=False)
        prefix = f"{name}_" if name else ""
        self.backend.materialize(prefix + "outcomes", outcomes)
        for step, published in PUBLISHED.items():
            self.backend.view(prefix + published, _step(outcomes, step))
        sizes = {
            row[0]: (row[1], int(row[2]))
            for row in self.backend.rows(retarget(compiled.list_sizes, tables, copy=False))
        }
        counts, rules = _counts(self.backend, prefix + "outcomes")
        evaluation = Evaluation(name, ruleset, period, patients, events, sizes, counts, rules)
        self.evaluations[name] = evaluation
        return evaluation

    def publish(self, name: str, table: pa.Table) -> None:
        """Keep a table computed outside the engine (the summary, a feature's table) in the store."""
        self.backend.register(name, table)

    def arrow(self, sql: SqlLike) -> pa.Table:
        """A query on the store, as Arrow."""
        return self.backend.arrow(sql)

    def rejects(self) -> pa.Table:
        """The rows the checks did not take as they stood (`rejects`), in file and row order."""
        return self.backend.arrow(f"SELECT {_REJECT_SELECT} FROM rejects ORDER BY {', '.join(REJECTS_ORDER)}")


def _step(query: exp.Select, step: str) -> exp.Select:
    """SELECT * FROM one of the compiler's named steps, with the steps before it. The steps' trees are
    shared with `query`, not copied: the result is only rendered, never changed."""
    select = exp.select("*").from_(step)
    ctes = []
    for cte in query.ctes:
        ctes.append(cte)
        if cte.alias == step:
            break
    select.set("with_", exp.With(expressions=ctes))
    return select
