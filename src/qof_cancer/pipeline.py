"""The pipeline of a run: open the engine, load the store, evaluate the rules, compute the features, render.

`run` is what `qof-cancer run`, `serve` and `demo` do, and `run_readings` what `reconcile` does; both are
re-exported by `qof_cancer.api`, the public Python API. A run given `readings=` evaluates them as
scenarios of its own store, as `run_readings` does on a store of its own (`_readings`). The features a
run computes after the indicators are the `features=` argument, by default `FEATURES` (worklist, data
quality, benchmarks): a caller that wants fewer or others passes its own tuple, nothing is patched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from qof_cancer.benchmark.feature import FEATURE as BENCHMARKS
from qof_cancer.codes import ClusterSet, load_clusters
from qof_cancer.engine.compiler import OUTCOME_COLUMNS
from qof_cancer.engine.context import Feature, FeatureUnsupported, RunContext
from qof_cancer.engine.national import INDICATOR_VALUES_SCHEMA, indicator_values
from qof_cancer.engine.run import REJECT_COLUMNS, Run, feature_table
from qof_cancer.engine.summary import SUMMARY_COLUMNS, achieved_points, summarise
from qof_cancer.engine.tables import RunTables, StoreTable
from qof_cancer.errors import UserError
from qof_cancer.folders import staged_run_folder
from qof_cancer.inputs import LoadReport
from qof_cancer.inputs.backends import Backend, DuckDBBackend, SparkBackend
from qof_cancer.inputs.postgres import PostgresBackend
from qof_cancer.model import Period, RuleSet, load_ruleset
from qof_cancer.outputs.messages import write_messages
from qof_cancer.outputs.registry import RENDERERS, Rendering, render_run_folder
from qof_cancer.prepared import Prepared
from qof_cancer.quality import FEATURE as DATA_QUALITY
from qof_cancer.worklist import FEATURE as WORKLIST
from qof_cancer.worklist.messages import MessageSet

__all__ = ["RunResult", "Reading", "run", "run_readings", "open_backend", "FEATURES", "REJECT_COLUMNS"]

Progress = Callable[[str], None]
CodeLists = Mapping[str, frozenset[str]]
Settings = Mapping[str, Mapping[str, Any]]

# The registered features: computed after the indicators, in order, each returning named tables (see
# engine/context.py). The default of `run(features=...)`.
FEATURES: tuple[Feature, ...] = (WORKLIST, DATA_QUALITY, BENCHMARKS)


@dataclass
class RunResult:
    """Everything one run produced. Tables are pyarrow (`.to_pandas()`, `.to_pylist()`).

    `tables` (name -> Arrow, a read-only mapping) holds the features' tables; those the engine computed
    stay in the run's store until read (engine/tables.py): a run in memory fetches them when its store
    closes, after the output files were written from the store; a run in a database file leaves them
    there and a read opens the file for the one table."""

    period: Period
    ruleset: RuleSet
    clusters: ClusterSet
    load: LoadReport
    outcomes: pa.Table
    summary: pa.Table
    rejects: pa.Table
    tables: RunTables = field(default_factory=RunTables)  # from the features, by name
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # features the engine could not run, in words
    message_notes: list[str] = field(default_factory=list)  # why texts or letters were not written
    readings: list[Reading] = field(default_factory=list)  # from `run(readings=...)`, in their order

    def summary_rows(self) -> list[dict]:
        return self.summary.to_pylist()


def _code_lists(ruleset: RuleSet, clusters: ClusterSet) -> dict[str, str]:
    """Per indicator, the lists behind it: 'CAN_COD proxy; MDRV_COD proxy'."""
    out = {}
    for ind in ruleset.indicators:
        used = [ruleset.register_cluster, *(c for r in ind.rules for c in getattr(r.when, "clusters", ()))]
        out[ind.id] = "; ".join(
            f"{c} {clusters[c].status}" for c in dict.fromkeys(used) if c in clusters.clusters
        )
    return out


def run(
    patients: str | Path,
    events: str | Path,
    year: str | None = None,
    as_of: date | None = None,
    codes: str | Path | None = None,
    out: str | Path | None = None,
    scheme: str | Path | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    database: str = ":memory:",
    engine: str = "duckdb",
    spark_master: str = "local[2]",
    dsn: str | None = None,
    features: Sequence[Feature] = FEATURES,
    keep_clusters: CodeLists | None = None,
    messages: MessageSet | None = None,
    messages_today: date | None = None,
    readings: Mapping[str, Settings] | None = None,
) -> RunResult:
    """Compute CAN001, CAN004 and CAN005 for one QOF year from a patients and an events file.

    `year` like "2023-24" (default: the year containing `as_of` or today); `as_of` the achievement date
    for an in-year run (default today, capped at the year end); `codes` a folder of cluster files that
    replace the bundled ones; `out` a folder to write outcomes.csv, summary.csv and rejects.csv into;
    `engine` "duckdb" (in-process, the default), "spark" (with `spark_master`, default local) or
    "postgres" (with `dsn`, a libpq connection string; the run works in a schema of its own).
    `features` are computed after the indicators, in order (default `FEATURES`; `()` for none).
    `keep_clusters` are more code lists (id -> codes) whose records the store keeps in `events` beside
    those the rules and features use, for work done on the store later (the dashboard's screening).
    `messages` (`worklist.messages.load_messages`): the texts and letters for the worklist, written into
    `out/messages/` after the run folder; `messages_today` is the day they are for (default `today`):
    none are written once the achievement date has passed, and `message_notes` says why.
    `readings` (name -> settings, as `run_readings` takes them): the rules evaluated under each in the
    run's store at the run's period, on `result.readings`; a reading that computes what the run already
    has (the run's own settings) shares its tables.
    """
    say = progress or (lambda _msg: None)
    today = today or date.today()
    ruleset = load_ruleset(scheme=scheme, settings=settings, today=today)
    period = ruleset.period(year, as_of, today)
    notes = [n for n in (_as_of_capped(as_of, period),) if n]
    clusters = load_clusters(codes)
    clusters.require(ruleset.clusters())
    rulesets = _reading_rulesets(readings or {}, scheme, today, clusters)
    extra = _extra_clusters(features, keep_clusters)
    with (
        _preparation(features, rendering=out is not None) as prepared,
        _store(
            open_backend(engine, database, spark_master, say, dsn),
            clusters,
            patients,
            events,
            today,
            say,
            extra,
        ) as store,
    ):
        prepared.start()  # the inputs are read
        # A store in a database file (the dashboard's) keeps the summary and feature tables too.
        keep = database != ":memory:"
        result = _compute(store, ruleset, period, out, features, say, keep, notes, prepared)
        result.readings = _readings(store, rulesets, readings or {}, period, say)
        result.tables.close(store.backend, keep and engine == "duckdb", _reader(database))
    if out is not None and messages is not None and "worklist" in result.tables:
        written = write_messages(
            result.tables["worklist"], out, messages, period.ach, messages_today or today
        )
        result.files += written.written
        result.message_notes = written.notes
    return result


def _reader(database: str) -> Callable[[str], pa.Table]:
    """A query on the database file `database` once the run has closed it, read-only, as Arrow."""

    def read(sql: str) -> pa.Table:
        with duckdb.connect(database, read_only=True) as con:
            return DuckDBBackend(con).arrow(sql)

    return read


def _kept(store: Run, name: str, table: pa.Table | StoreTable) -> pa.Table | StoreTable:
    """A feature's table as the run keeps it: Arrow as it is; a store table as `feature_<name>` (a copy in
    the engine when the feature materialised it under another name)."""
    if not isinstance(table, StoreTable) or table.name == feature_table(name):
        return table
    store.backend.materialize(feature_table(name), table.select_sql())
    return StoreTable(feature_table(name), table.columns, table.order, table.schema)


def _as_of_capped(as_of: date | None, period: Period) -> str | None:
    """Words for an --as-of date that was capped to the year end (None when it was not)."""
    if as_of is None or as_of <= period.ach:
        return None
    return (
        f"--as-of {as_of.isoformat()} is after the end of QOF {period.year.id}: the run reads the records "
        f"up to the year end, {period.ach.isoformat()}. For a later date, give its year with --year"
    )


@dataclass(frozen=True)
class Reading:
    """The rules evaluated under one set of settings: the summary rows and the national counts."""

    name: str
    settings: Mapping[str, Mapping[str, Any]]
    ruleset: RuleSet
    period: Period
    summary: list[dict]
    indicator_values: list[dict]


def run_readings(
    patients: str | Path,
    events: str | Path,
    readings: Mapping[str, Settings],
    year: str | None = None,
    as_of: date | None = None,
    codes: str | Path | None = None,
    scheme: str | Path | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    engine: str = "duckdb",
    spark_master: str = "local[2]",
    dsn: str | None = None,
) -> tuple[LoadReport, list[Reading]]:
    """The inputs read and checked once, then the rules evaluated under each named set of settings.

    `readings` maps a name to settings like {"CAN005": {"support_window": "3 months"}}. Used by
    `reconcile` to find which reading of the national rules reproduces a practice's published figures.
    Each reading is a scenario of one run (`reading_1_outcomes`, ...), on any engine.
    """
    say = progress or (lambda _msg: None)
    today = today or date.today()
    clusters = load_clusters(codes)
    rulesets = _reading_rulesets(readings, scheme, today, clusters)
    period = next(iter(rulesets.values())).period(year, as_of, today)
    with _store(
        open_backend(engine, ":memory:", spark_master, say, dsn), clusters, patients, events, today, say
    ) as store:
        return store.load, _readings(store, rulesets, readings, period, say)


def _reading_rulesets(
    readings: Mapping[str, Settings], scheme, today: date, clusters: ClusterSet
) -> dict[str, RuleSet]:
    """The rule set of each reading, its code lists checked before the inputs are read."""
    rulesets = {
        name: load_ruleset(scheme=scheme, settings=values, today=today) for name, values in readings.items()
    }
    for ruleset in rulesets.values():
        clusters.require(ruleset.clusters())
    return rulesets


def _readings(
    store: Run,
    rulesets: Mapping[str, RuleSet],
    readings: Mapping[str, Settings],
    period: Period,
    say: Progress,
) -> list[Reading]:
    """Each reading's rules evaluated at `period` as a scenario of the store (`reading_1_outcomes`...);
    one the store holds already (the run's own settings) shares its tables."""
    out = []
    for number, (name, ruleset) in enumerate(rulesets.items(), start=1):
        say(f"Evaluating the rules read as: {name}")
        ev = store.scenario(f"reading_{number}", ruleset=ruleset, period=period)
        summary = summarise(ruleset, period, ev.counts, ev.sizes)
        values = indicator_values(ruleset, period, ev.rule_counts, ev.sizes)
        out.append(Reading(name, readings[name], ruleset, period, summary, values))
    return out


def _preparation(features: Sequence[Feature], rendering: bool) -> Prepared:
    """Each feature's `prepare` (`feature <name>`), and with `rendering` each output's (`file <file>`)."""
    tasks = {f"feature {f.name}": f.prepare for f in features if f.prepare is not None}
    if rendering:
        tasks |= {f"file {r.file}": r.prepare for r in RENDERERS if r.prepare is not None}
    return Prepared(tasks)


@contextmanager
def _store(
    backend: Backend,
    clusters: ClusterSet,
    patients,
    events,
    today: date,
    say: Progress,
    extra: CodeLists | None = None,
) -> Iterator[Run]:
    """The run's store on `backend`, with the code lists and the checked inputs loaded; closed after."""
    try:
        say("Reading and checking the input files")
        yield Run.open(backend, clusters, patients, events, today, dict(extra or {}))
    finally:
        backend.close()


def open_backend(
    engine: str,
    database: str = ":memory:",
    spark_master: str = "local[2]",
    say: Progress | None = None,
    dsn: str | None = None,
) -> Backend:
    """The engine a run's store lives in; a UserError naming the option when it cannot be had."""
    say = say or (lambda _msg: None)
    if engine == "duckdb":
        return DuckDBBackend(duckdb.connect(database))
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise UserError("--engine spark needs PySpark: pip install 'qof-cancer[spark]'") from None
        say(f"Starting Spark ({spark_master})")
        return SparkBackend.start(spark_master)
    if engine == "postgres":
        if not dsn:
            raise UserError("--engine postgres needs --dsn, e.g. --dsn 'host=/run/postgresql dbname=qof'")
        say("Connecting to PostgreSQL")
        return PostgresBackend.connect(dsn)
    raise UserError(f"--engine {engine!r}: choose duckdb, spark or postgres")


def _extra_clusters(features: Sequence[Feature], keep: CodeLists | None) -> dict[str, frozenset[str]]:
    """The code lists loaded beside the rules' own: the features' and `keep`."""
    extra: dict[str, frozenset[str]] = {}
    for feature in features:
        extra.update(feature.extra_clusters())
    extra.update(keep or {})
    return extra


def _compute(
    store: Run,
    ruleset: RuleSet,
    period: Period,
    out,
    features: Sequence[Feature],
    say: Progress,
    keep_tables: bool = False,
    notes: Sequence[str] = (),
    prepared: Prepared | None = None,
) -> RunResult:
    """Evaluate the rules in the loaded store, compute the features and render the run folder; `notes`
    are warnings about the run's options, after the features'; `prepared` the features' and outputs' work
    that needs nothing of the run, waited for before each feature's compute and before the files are
    written."""
    prepared = prepared or Prepared({})
    backend, clusters = store.backend, store.clusters
    protected = None
    needed = {yi.protected_year for yi in period.year.indicators.values() if yi.status == "income_protected"}
    for protected_year in sorted(y for y in needed if y in ruleset.years):
        say(f"Computing {protected_year} for income protection")
        earlier = Period(ruleset.years[protected_year], ruleset.years[protected_year].pped)
        ev = store.scenario(f"protected_{protected_year.replace('-', '_')}", ruleset=ruleset, period=earlier)
        protected = {**(protected or {}), **achieved_points(ruleset, earlier, ev.counts, ev.sizes)}

    say(f"Computing {period.year.id} at {period.ach.isoformat()}")
    main = store.evaluate(ruleset, period)
    summary_rows = summarise(ruleset, period, main.counts, main.sizes, protected)
    lists = _code_lists(ruleset, clusters)
    for row in summary_rows:
        row["code_lists"] = lists[row["indicator"]]
    columns = (*SUMMARY_COLUMNS, "code_lists")

    outcomes = backend.arrow(
        f"SELECT {', '.join(OUTCOME_COLUMNS)} FROM outcomes ORDER BY practice_code, indicator, patient_id"
    )
    rejects = store.rejects()
    summary = pa.Table.from_pylist(summary_rows) if summary_rows else pa.table({c: [] for c in columns})
    result = RunResult(period, ruleset, clusters, store.load, outcomes, summary, rejects)
    result.tables.attach(backend.arrow)
    result.tables["indicator_values"] = pa.Table.from_pylist(
        indicator_values(ruleset, period, main.rule_counts, main.sizes), schema=INDICATOR_VALUES_SCHEMA
    )
    context = RunContext(backend, ruleset, period, clusters, store.today, summary_rows, protected, store)
    for feature in features:
        say(f"Computing {feature.name}")
        prepared.wait(f"feature {feature.name}")  # an error is raised where compute would raise it
        try:
            result.tables.update(
                {name: _kept(store, name, t) for name, t in feature.compute(context).items()}
            )
        except FeatureUnsupported as exc:
            # Loud, never silent: the terminal and run.json say which outputs are missing and why.
            result.warnings.append(f"{feature.name} not computed on --engine {backend.dialect}: {exc}")
    result.warnings += notes

    if keep_tables:
        store.publish("summary", summary)
        for name in result.tables:
            if not result.tables.in_store(name):  # tables the engine computed are there already
                store.publish(feature_table(name), result.tables[name])
    if out is not None:
        say("Writing the output files")
        prepared.wait(*(f"file {r.file}" for r in RENDERERS))
        with staged_run_folder(Path(out), owned=("rejects.csv",)) as staging:
            result.files += render_run_folder(Rendering(result, backend, columns), staging)
        # the files were written in the staging folder and moved in together
        result.files = [Path(out) / p.relative_to(staging) for p in result.files]
    return result
