"""The dashboard's state: the inputs, the latest run (its store, a DuckDB file) and the background jobs.

Screening is computed in that store on demand (`screening_from_store`): the run keeps the screening code
lists' records in its `events`, so the input files are read and checked once, by the run.

A run goes into a fresh DuckDB file beside `db`; only when it has finished is the file moved into place
and the result swapped in, so pages keep answering from the previous run while a rerun is under way and a
failed rerun leaves the last good result showing. The results file is private (0600, in a 0700 folder).
A run from an upload deletes the other uploads when it succeeds and its own upload when it fails
(`web/uploads.py`), and job errors are shown without the server's file paths.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.context import Feature
from qof_cancer.engine.run import Run, feature_table
from qof_cancer.errors import UserError
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.outputs.files import make_private_dir
from qof_cancer.pipeline import FEATURES, RunResult
from qof_cancer.pipeline import run as run_indicators
from qof_cancer.screening import screening_clusters, screening_from_store
from qof_cancer.web.uploads import discard, prune_uploads, scrub_paths
from qof_cancer.worklist.messages import MessageSet, load_messages

__all__ = ["RunInputs", "JobStatus", "Dashboard", "feature_table_name"]


@dataclass(frozen=True)
class RunInputs:
    """What `qof-cancer serve` was given: the same inputs as `qof-cancer run`."""

    patients: Path
    events: Path
    year: str | None = None
    as_of: date | None = None
    codes: Path | None = None
    scheme: Path | None = None
    settings: Mapping[str, Mapping[str, Any]] | None = None
    out: Path | None = None
    today: date | None = None
    templates: Path | None = None
    practice_details: Path | None = None
    practice_name: str | None = None
    practice_phone: str | None = None

    def load_messages(self) -> MessageSet:
        """The message templates and practice details, checked (a UserError names what is wrong)."""
        return load_messages(self.templates, self.practice_details, self.practice_name, self.practice_phone)


@dataclass
class JobStatus:
    """A background job (a rerun, a screening run): idle, running, done or failed, with its last message."""

    state: str = "idle"
    message: str = ""
    error: str | None = None
    started: float | None = None
    finished: float | None = None
    runs: int = 0

    def as_dict(self) -> dict:
        elapsed = None
        if self.started is not None:
            elapsed = round((self.finished or time.time()) - self.started, 1)
        return {
            "state": self.state,
            "message": self.message,
            "error": self.error,
            "seconds": elapsed,
            "runs": self.runs,
        }


def feature_table_name(name: str) -> str:
    """The DuckDB table holding the feature table `name` (worklist -> feature_worklist)."""
    try:
        return feature_table(name)
    except ValueError as exc:
        raise UserError(str(exc)) from None


@dataclass
class Dashboard:
    """One dashboard: its inputs, the DuckDB file of results, the latest result and the jobs.

    `features` are what its runs compute after the indicators (default the registered ones)."""

    inputs: RunInputs
    db: Path
    features: tuple[Feature, ...] = FEATURES
    result: RunResult | None = None
    status: JobStatus = field(default_factory=JobStatus)
    screening: Any = None  # a screening.ScreeningResult once run
    screening_status: JobStatus = field(default_factory=JobStatus)
    messages: MessageSet | None = None
    # the screening code lists the latest run kept the records of, or why they could not be loaded
    _screening_clusters: ClusterSet | UserError | None = None
    _con: duckdb.DuckDBPyConnection | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- running -----------------------------------------------------------------------------------------
    def run(self, inputs: RunInputs | None = None, progress: Callable[[str], None] | None = None) -> None:
        """Run the engine now (in this thread) and swap the result in. Raises UserError on bad input."""
        inputs = inputs or self.inputs
        upload = self._upload_folder(inputs)
        try:
            self._run(inputs, progress)
        except BaseException:
            if upload is not None and upload != self._upload_folder(self.inputs):
                discard(upload)  # refused data is not kept
            raise
        if upload is not None:
            prune_uploads(self.uploads, keep=upload)

    @property
    def uploads(self) -> Path:
        """The folder of uploaded inputs (one private folder per upload)."""
        return self.db.parent / "uploads"

    def _upload_folder(self, inputs: RunInputs) -> Path | None:
        folder = Path(inputs.patients).parent
        return folder if folder.parent == self.uploads else None

    def _run(self, inputs: RunInputs, progress: Callable[[str], None] | None) -> None:
        say = progress or (lambda _m: None)
        messages = inputs.load_messages()
        make_private_dir(self.db.parent)
        fresh = self.db.with_name(self.db.name + ".new")
        for leftover in (fresh, Path(f"{fresh}.wal")):
            leftover.unlink(missing_ok=True)
        # The screening lists' records are kept in the store, for the screening page; lists that cannot be
        # loaded fail the screening job (with this message), not the run.
        screening: ClusterSet | UserError
        try:
            screening = screening_clusters(inputs.codes)
        except UserError as exc:
            screening = exc
        keep = (
            {} if isinstance(screening, UserError) else {c.id: c.codes for c in screening.clusters.values()}
        )
        result = run_indicators(
            inputs.patients,
            inputs.events,
            year=inputs.year,
            as_of=inputs.as_of,
            codes=inputs.codes,
            out=inputs.out,
            scheme=inputs.scheme,
            settings=inputs.settings,
            today=inputs.today,
            progress=say,
            database=str(fresh),
            features=self.features,
            keep_clusters=keep,
        )
        # The run's store is the file: outcomes, patients, events, the summary and every feature table.
        os.chmod(fresh, 0o600)
        with self._lock:
            if self._con is not None:
                _close_when_idle(self._con)
            os.replace(fresh, self.db)
            self._con = duckdb.connect(str(self.db), read_only=True)
            # The feature tables the engine computed stay in the file; one is read into Arrow only when
            # something asks for it, through this connection.
            result.tables.attach(partial(self._arrow, self._con))
            self.result = result
            self.inputs = inputs
            self.messages = messages
            self._screening_clusters = screening
            self.screening = None  # computed from the old inputs
            self.screening_status = JobStatus()

    def start_rerun(self, inputs: RunInputs | None = None) -> bool:
        """Rerun in a background thread; False when a run is already under way."""
        return self._start(self.status, lambda say: self.run(inputs, say), "rerun")

    def start_screening(self) -> bool:
        """Compute the screening tables in the latest run's store, in a background thread."""
        return self._start(self.screening_status, self._run_screening, "screening")

    def _run_screening(self, say: Callable[[str], None]) -> None:
        with self._lock:
            result, clusters = self.require_result(), self._screening_clusters
            if isinstance(clusters, UserError):
                raise clusters
            if self._con is None or clusters is None:
                raise UserError("no results yet: the first run has not finished")
            # A cursor of its own: the screening's work tables are temporary and die with it.
            cur = self._con.cursor()
        today = self.inputs.today or date.today()
        try:
            store = Run(DuckDBBackend(cur), result.clusters, result.load, today)
            screening = screening_from_store(
                store, as_of=min(result.period.ach, today), clusters=clusters, progress=say
            )
        finally:
            cur.close()
        with self._lock:
            if self.result is result:  # a rerun that finished meanwhile has made it stale
                self.screening = screening

    def _start(self, status: JobStatus, work: Callable[[Callable[[str], None]], None], name: str) -> bool:
        with self._lock:
            if status.state == "running":
                return False
            status.state, status.message, status.error = "running", "Starting", None
            status.started, status.finished = time.time(), None

        def say(message: str) -> None:
            status.message = message

        def target() -> None:
            try:
                work(say)
            except UserError as exc:
                status.state, status.error = "failed", scrub_paths(str(exc))
            except Exception as exc:  # noqa: BLE001 - shown on the status page; the server keeps serving
                status.state, status.error = "failed", f"internal error: {type(exc).__name__}"
            else:
                status.state, status.message = "done", "Finished"
                status.runs += 1
            finally:
                status.finished = time.time()

        threading.Thread(target=target, name=f"qof-cancer-{name}", daemon=True).start()
        return True

    # -- reading -----------------------------------------------------------------------------------------
    def screening_cluster_ids(self) -> tuple[str, ...]:
        """The code lists the latest run's store holds the records of for screening only (none when the
        screening lists could not be loaded)."""
        clusters = self._screening_clusters
        if not isinstance(clusters, ClusterSet) or self.result is None:
            return ()
        return tuple(sorted(set(clusters.clusters) - set(self.result.clusters.clusters)))

    def require_result(self) -> RunResult:
        if self.result is None:
            raise UserError("no results yet: the first run has not finished")
        return self.result

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        """Rows of a query on the results file, as dicts (a cursor per call, so threads do not share one)."""
        with self._lock:
            if self._con is None:
                raise UserError("no results yet: the first run has not finished")
            cur = self._con.cursor()
        try:
            rel = cur.execute(sql, params or [])
            names = [d[0] for d in rel.description]
            return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
        finally:
            cur.close()

    def _arrow(self, con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
        """A query on the results file `con` (a cursor of its own), as Arrow."""
        with self._lock:
            cur = con.cursor()
        try:
            return DuckDBBackend(cur).arrow(sql)
        finally:
            cur.close()

    def columns(self, table: str) -> list[str]:
        """The columns of a table in the results file, or [] when there is no such table."""
        rows = self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        )
        return [r["column_name"] for r in rows]

    def close(self) -> None:
        """Close the results file, letting a page's query still running on a cursor finish first."""
        with self._lock:
            if self._con is not None:
                _close_when_idle(self._con)
                self._con = None

    def with_uploaded(self, patients: Path, events: Path) -> RunInputs:
        """The current inputs with new patients and events files."""
        return replace(self.inputs, patients=patients, events=events)


_CLOSE_WAIT = 10.0  # seconds a query still running on a cursor is given to finish before a close gives up


def _close_when_idle(con: duckdb.DuckDBPyConnection) -> None:
    """Close `con` once no cursor of it is running a query: DuckDB refuses to close a connection in use
    rather than wait. Still busy after _CLOSE_WAIT seconds, the refusal is raised."""
    deadline = time.monotonic() + _CLOSE_WAIT
    while True:
        try:
            con.close()
            return
        except duckdb.ResourceInUseException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
