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

An evaluation identical to one already in the store is not computed again: the same compiled query (same
rules, settings and period, rendered for the engine) over the same sources publishes its names as views
of the first one's tables (`Evaluation.shares`). Sources count as the same only when they cannot have
changed since: the loaded `patients`, `events` and `cluster_codes` (loaded once by `open`, never
replaced), or selects over those alone; and the data as known on a day (`known_on=`) is the run's own
data for the rules at an achievement date on or before that day, since the compiled rules read nothing
recorded after their achievement date (`engine.facts.registered_on`, the events' date <= ACH).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import sqlglot
from sqlglot import exp

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.compiler import compile_run
from qof_cancer.engine.evaluate import load_cluster_codes
from qof_cancer.engine.facts import date_literal
from qof_cancer.inputs import LoadReport, load_inputs
from qof_cancer.inputs.backends import Backend, SqlLike
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["Run", "Evaluation", "PUBLISHED", "retarget", "feature_table", "REJECT_COLUMNS", "REJECTS_ORDER"]

# The compiler's named steps that the store publishes, and the name each is published under.
PUBLISHED = {"pop": "population", "dx": "can_dat", "feat": "rule_facts"}
# The base tables the compiled rules read, which a scenario may replace.
SOURCES = ("patients", "events")
# The tables `open` loads, never replaced during the run: what a reused evaluation may have read.
LOADED = frozenset({*SOURCES, "cluster_codes"})
# Patient dates not yet known on a day when they fall after it (`known_on`).
_LATER_DATES = ("registration_end", "date_of_death")

Counts = list[tuple[str, str, str, int]]
# rejects.csv: its columns, and its order (file and row; the rest only orders the rows of one cell).
REJECT_COLUMNS = ("file", "row", "column", "value", "reason", "action")
REJECTS_ORDER = ("file", '"row"', '"column"', "reason", "value", "action")
_REJECT_SELECT = ", ".join(f'"{c}"' for c in REJECT_COLUMNS)
# What a scenario's source holds, for finding an evaluation made already: a loaded table's name, a
# select over loaded tables ("select", its text), or the loaded table as known on a day ("known_on",
# day, table); None for anything else (a table made by a feature may be made again with other rows).
Source = str | tuple | None


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
    shares: str | None = None  # the evaluation whose tables this one's names are views of (identical)

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
    # The views a scenario made of the selects it was given, and what each holds (see `Source`).
    _sources: dict[str, Source] = field(default_factory=dict, repr=False)
    # (compiled query, patients source, events source) -> the evaluation that computed it.
    _computed: dict[tuple, str] = field(default_factory=dict, repr=False)
    # (id of a rule set, period) -> (that rule set, its compiled query's text), so that an evaluation
    # shared with another of the same rule set object is not compiled again to find that out.
    _texts: dict[tuple[int, Period], tuple[RuleSet, tuple[str, str]]] = field(
        default_factory=dict, repr=False
    )

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
        loaded = dict(zip(SOURCES, SOURCES, strict=True))
        return self._evaluate("", ruleset, period, loaded, dict(loaded))

    def scenario(
        self,
        name: str,
        ruleset: RuleSet | None = None,
        period: Period | None = None,
        patients: SqlLike | None = None,
        events: SqlLike | None = None,
        known_on: date | None = None,
    ) -> Evaluation:
        """The rules evaluated on other data or at another period, published as `<name>_outcomes` etc.

        `ruleset` and `period` default to the run's own evaluation's. `patients` and `events` are a table
        name of the store, or a select (DuckDB-dialect text or a sqlglot tree) published as the view
        `<name>_patients` / `<name>_events`; by default the run's own tables. `known_on` (instead of
        `patients` and `events`): the run's data as it stood on that day, records up to it and no
        registration end or death after it known. An evaluation the store holds already is shared, not
        computed again (see the module docstring)."""
        if not name.isidentifier() or name.lower() != name:
            raise ValueError(f"scenario name {name!r}: lower-case letters, digits and _ only")
        if ruleset is None or period is None:
            main = self.main
            ruleset, period = ruleset or main.ruleset, period or main.period
        if known_on is not None:
            if patients is not None or events is not None:
                raise ValueError("known_on replaces patients and events: give one or the other")
            patients, events = self._known_on(known_on)
        sources: dict[str, str] = {}
        held: dict[str, Source] = {}
        for source, given in zip(SOURCES, (patients, events), strict=True):
            if given is None:
                sources[source], held[source] = source, source
            elif isinstance(given, str) and given.isidentifier():
                sources[source] = given
                held[source] = given if given in LOADED else self._sources.get(given)
            else:
                sources[source] = f"{name}_{source}"
                self.backend.view(sources[source], given)
                held[source] = _held(given, known_on, source)
                self._sources[sources[source]] = held[source]
        return self._evaluate(name, ruleset, period, sources, held)

    def _known_on(self, day: date) -> tuple[str, str]:
        """Selects of the run's patients and events as they stood on `day`."""
        literal = date_literal(day).sql("duckdb")
        columns = self.backend.arrow("SELECT * FROM patients LIMIT 0").column_names
        select = ", ".join(
            f"CASE WHEN {c} > {literal} THEN NULL ELSE {c} END AS {c}" if c in _LATER_DATES else c
            for c in columns
        )
        return (
            f"SELECT {select} FROM patients WHERE registration_start <= {literal}",
            f"SELECT * FROM events WHERE date <= {literal}",
        )

    def _evaluate(
        self, name: str, ruleset: RuleSet, period: Period, tables: dict[str, str], held: dict[str, Source]
    ) -> Evaluation:
        if any(e.shares == name for e in self.evaluations.values()):
            raise ValueError(f"scenario {name!r} is shared by another evaluation: give a new name")
        prefix = f"{name}_" if name else ""
        if self.evaluations.pop(name, None) is not None:
            self._computed = {k: v for k, v in self._computed.items() if v != name}
            # A table cannot be replaced by a view of the same name, nor a view by a table, on every engine.
            for published in ("outcomes", *PUBLISHED.values()):
                self.backend.drop(prefix + published)
        compiled = None
        key = None
        if all(h is not None for h in held.values()):
            known = self._texts.get((id(ruleset), period))
            if known is None or known[0] is not ruleset:
                compiled = compile_run(ruleset, period)
                known = (ruleset, compiled.sql(self.backend.dialect))
                self._texts[(id(ruleset), period)] = known
            key = (known[1], _as_of(held["patients"], period), _as_of(held["events"], period))
        same = self.evaluations.get(self._computed[key]) if key in self._computed else None
        if same is not None:
            for published in ("outcomes", *PUBLISHED.values()):
                self.backend.view(prefix + published, f"SELECT * FROM {same.table_name(published)}")
            sizes, counts, rules = same.sizes, same.counts, same.rule_counts
        else:
            compiled = compiled or compile_run(ruleset, period)
            # The compiled trees are made for this evaluation, so they are retargeted in place (no copies).
            outcomes = retarget(compiled.outcomes, tables, copy=False)
            self.backend.materialize(prefix + "outcomes", outcomes)
            for step, published in PUBLISHED.items():
                self.backend.view(prefix + published, _step(outcomes, step))
            sizes = {
                row[0]: (row[1], int(row[2]))
                for row in self.backend.rows(retarget(compiled.list_sizes, tables, copy=False))
            }
            counts, rules = _counts(self.backend, prefix + "outcomes")
            if key is not None:
                self._computed[key] = name
        evaluation = Evaluation(
            name,
            ruleset,
            period,
            tables["patients"],
            tables["events"],
            sizes,
            counts,
            rules,
            shares=same.name if same is not None else None,
        )
        self.evaluations[name] = evaluation
        return evaluation

    def publish(self, name: str, table: pa.Table) -> None:
        """Keep a table computed outside the engine (the summary, a feature's table) in the store."""
        if name in LOADED or name in self._sources:
            raise ValueError(f"{name!r} is a table the run's evaluations read: publish under another name")
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


def _held(given: SqlLike, known_on: date | None, source: str) -> Source:
    """What a select given as a scenario's source holds (see `Source`)."""
    if known_on is not None:
        return ("known_on", known_on, source)
    tree = given if isinstance(given, exp.Expression) else sqlglot.parse_one(given, read="duckdb")
    tables = list(tree.find_all(exp.Table))
    if all(t.name in LOADED and not t.args.get("db") for t in tables):
        return ("select", tree.sql("duckdb"))
    return None


def _as_of(held: Source, period: Period) -> Source:
    """`held` as the rules at `period` read it: data as known on a day on or after the achievement date
    is the loaded table itself (the compiled rules read nothing recorded after ACH)."""
    if isinstance(held, tuple) and held[0] == "known_on" and held[1] >= period.ach:
        return held[2]
    return held
