"""Load and check the patients and events files into canonical DuckDB tables, with a rejects table.

Reads the files where they are; typed columns come from text with strict ISO dates. The result:
`patients` and `events` (good rows only; events restricted to the codes the run needs) and `rejects`
(file, row, column, value, reason, action) for everything that was not taken as it stood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from qof_cancer.codes.snomed import check_record_code
from qof_cancer.errors import InputError
from qof_cancer.inputs.backends import Backend, sql_string
from qof_cancer.inputs.checks import (
    DATE_PATTERN,
    EPISODES,
    EVENT_CHECKS,
    EVENT_REQUIRED,
    PATIENT_CHECKS,
    PATIENT_REQUIRED,
    Check,
)
from qof_cancer.inputs.sources import Source, open_source

__all__ = ["LoadReport", "load_inputs", "PATIENT_COLUMNS"]

PATIENT_TEXT = (
    "patient_id",
    "practice_code",
    "sex",
    "nhs_number",
    "mobile_phone",
    "home_phone",
    "email",
    "lsoa_code",
    "imd_quintile",
    "ethnicity",
    "main_language",
    "interpreter_needed",
    "pcn_code",
)
PATIENT_DATES = ("date_of_birth", "registration_start", "registration_end", "date_of_death")
PATIENT_COLUMNS = PATIENT_TEXT + PATIENT_DATES
EVENT_TEXT = ("patient_id", "code", "episode", "value", "unit")
EVENT_DATES = ("date",)


@dataclass
class LoadReport:
    """What loading found: rows read and kept, and rejected rows counted by reason."""

    patients_read: int = 0
    patients_kept: int = 0
    events_read: int = 0
    events_kept: int = 0
    rejects: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (file, column, reason) -> rows

    @property
    def rows_rejected(self) -> int:
        return self.patients_read - self.patients_kept + self.events_read - self.events_kept

    def as_dict(self) -> dict:
        """Counts for run.json and the like (no patient data)."""
        return {
            "patients_read": self.patients_read,
            "patients_kept": self.patients_kept,
            "events_read": self.events_read,
            "events_kept": self.events_kept,
            "rejected": self.lines(),
        }

    def lines(self) -> list[str]:
        """Plain-words summary, counts only (no patient data)."""
        out = []
        for (file, column, reason), n in sorted(self.rejects.items(), key=lambda kv: -kv[1]):
            out.append(f"{n:,} row(s) in {Path(file).name}: {column}: {reason}")
        return out


def _text(source: Source, column: str) -> str:
    """The column as text, empty strings as NULL, surrounding spaces removed.

    TRIM copies every string, which doubles the cost of a large scan; most values have no spaces, so
    only those that start or end with one are trimmed.
    """
    if not source.has(column):
        return "CAST(NULL AS VARCHAR)"
    kind = source.columns[column].upper()
    if kind not in ("VARCHAR", "STRING"):
        return f'CAST("{column}" AS VARCHAR)'
    col = f'"{column}"'
    return f"NULLIF(CASE WHEN starts_with({col}, ' ') OR ends_with({col}, ' ') THEN TRIM({col}) ELSE {col} END, '')"


def _number(source: Source, column: str) -> str:
    """The column as a number: taken as it is when the file already types it, else parsed from text."""
    if not source.has(column):
        return "CAST(NULL AS DOUBLE)"
    kind = source.columns[column].upper()
    if kind in (
        "DOUBLE",
        "FLOAT",
        "REAL",
        "INTEGER",
        "BIGINT",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "INT",
    ) or kind.startswith("DECIMAL"):
        return f'CAST("{column}" AS DOUBLE)'
    return f"TRY_CAST({_text(source, column)} AS DOUBLE)"


def _date(source: Source, column: str) -> str:
    """A strict ISO date from text; a column already typed DATE or TIMESTAMP is taken as it is."""
    if not source.has(column):
        return "CAST(NULL AS DATE)"
    kind = source.columns[column].upper()
    if kind == "DATE" or kind.startswith("TIMESTAMP"):
        return f'CAST("{column}" AS DATE)'
    t = _text(source, column)
    return f"CASE WHEN regexp_matches({t}, '^{DATE_PATTERN}$') THEN TRY_CAST({t} AS DATE) END"


def _as_given(source: Source, column: str, typed: tuple[str, ...]) -> str:
    """The value as the file holds it: text trimmed, or, for a date or number column the file already
    types, the typed value itself (turning 100 million dates into text only to test them for NULL is
    most of the cost of a check; rejects.csv turns the few flagged ones into text)."""
    if column in typed and source.has(column) and source.columns[column].upper() not in ("VARCHAR", "STRING"):
        return f'"{column}"'
    return _text(source, column)


def _staging_columns(
    source: Source, texts: tuple[str, ...], dates: tuple[str, ...], numbers: tuple[str, ...] = ()
) -> list[str]:
    cols = ["_row"]
    cols += [f"{_as_given(source, c, dates + numbers)} AS t_{c}" for c in texts + dates]
    cols += [f"{_date(source, c)} AS d_{c}" for c in dates]
    cols += [f"{_number(source, c)} AS n_{c}" for c in numbers]
    return cols


def _staging_select(source: Source, texts: tuple[str, ...], dates: tuple[str, ...]) -> str:
    return f"SELECT {', '.join(_staging_columns(source, texts, dates))} FROM {source.name}"


def _nhs_digits(expr: str) -> str:
    """The NHS number as a whole number when it is ten digits and nothing else (else NULL): the check
    digit test works on it with integer arithmetic, half the cost of taking each character apart."""
    return f"CASE WHEN regexp_matches({expr}, '^[0-9]{{10}}$') THEN CAST({expr} AS BIGINT) END"


def _nhs_ok(number: str) -> str:
    """Modulus 11 on `number`, the NHS number as `_nhs_digits` gives it: weights 10..2 on the first
    nine digits; check = 11 - (sum mod 11), 11 -> 0, 10 invalid (a check of 10 never equals the tenth
    digit, so it needs no test of its own). A NULL (not ten digits) is not ok."""
    total = " + ".join(f"(({number} // {10 ** (9 - i)}) % 10) * {10 - i}" for i in range(9))
    return f"COALESCE((11 - ({total}) % 11) % 11 = {number} % 10, FALSE)"


def _bad_any(checks: tuple[Check, ...], action: str) -> str:
    # One COALESCE around the whole disjunction: an OR is true when any term is, and NULL (taken as not
    # bad) only when none is true, so this equals a COALESCE per term at a third of the cost per row.
    conds = [f"({c.bad})" for c in checks if c.action == action]
    return "COALESCE(" + " OR ".join(conds) + ", FALSE)" if conds else "FALSE"


def _rejects_sql(stage: str, file: str, checks: tuple[Check, ...]) -> str:
    parts = []
    for c in checks:
        reason = "bad_code" if c.reason == "bad_code" else sql_string(c.reason)
        parts.append(
            f'SELECT {sql_string(file)} AS file, _row AS "row", \'{c.column}\' AS "column", '
            f"CAST(t_{c.column} AS VARCHAR) AS value, {reason} AS reason, "
            f"'{'row rejected' if c.action == 'reject' else 'value ignored'}' AS action "
            f"FROM {stage} WHERE COALESCE(({c.bad}), FALSE)"
        )
    return " UNION ALL ".join(parts)


def _event_codes(backend: Backend, events: Source, keep_codes: str) -> None:
    """Table `event_codes`: each distinct code of the events file once, as the file holds it (`raw`), as
    text (`code`), what is wrong with it (`bad_code`, NULL when nothing), whether the run needs its rows
    (`keep`) and whether a row with it can be passed over unread (`plain`: a good code the run does not use).

    The code checks are set-based: a file of 100 million rows holds a few thousand codes, so the SNOMED CT
    checks, the trimming and the test against the run's code lists run once per code, and each row pays
    for one join to this small table instead. The distinct codes come from the code column alone, which
    Parquet stores dictionary encoded.
    """
    backend.materialize(
        "event_codes_seen",
        f'SELECT code AS raw, {_text(events, "code")} AS code FROM (SELECT DISTINCT "code" FROM {events.name}) AS d',
        small=True,
    )
    codes = [r[0] for r in backend.rows("SELECT DISTINCT code FROM event_codes_seen WHERE code IS NOT NULL")]
    bad = [(c, reason) for c in codes if (reason := check_record_code(c))]
    backend.register(
        "bad_codes",
        pa.table(
            {"code": [b[0] for b in bad], "reason": [b[1] for b in bad]},
            schema=pa.schema([("code", pa.string()), ("reason", pa.string())]),
        ),
    )
    backend.materialize(
        "event_codes",
        # A join, not IN (subquery): Spark allows a subquery only in a filter.
        "SELECT s.raw, s.code, bc.reason AS bad_code, k.code IS NOT NULL AS keep, "
        "k.code IS NULL AND s.code IS NOT NULL AND bc.reason IS NULL AS plain "
        "FROM event_codes_seen AS s LEFT JOIN bad_codes AS bc ON bc.code = s.code "
        f"LEFT JOIN (SELECT DISTINCT code FROM {keep_codes}) AS k ON k.code = s.code WHERE s.raw IS NOT NULL",
        small=True,
    )


def _raw_text(source: Source, column: str) -> str:
    """The column as the file holds it when that is text, else as `_text` makes it (a cast, no trimming)."""
    if source.has(column) and source.columns[column].upper() in ("VARCHAR", "STRING"):
        return f'"{column}"'
    return _text(source, column)


# Up to this many codes that keep their rows (the run's own, and bad ones) are tested as a list of
# constants in the pass over the events; more are joined to `event_codes`.
LISTED_CODES = 1000


def _kept_codes(backend: Backend) -> str | None:
    """The raw codes of the events file whose rows cannot be passed over (those the run needs, and bad
    ones: every code not `plain`), as SQL constants of the file's own type; None for more than
    `LISTED_CODES` of them or a type written here as no constant.

    At a million patients the join of 100 million rows to the few thousand codes cost a fifth of the
    pass; a list of a few hundred constants is tested for about a third of that."""
    raws = [r[0] for r in backend.rows("SELECT raw FROM event_codes WHERE NOT plain ORDER BY raw")]
    if len(raws) > LISTED_CODES:
        return None
    if all(isinstance(r, str) for r in raws):
        return ", ".join(sql_string(r) for r in raws)
    if all(isinstance(r, int) and not isinstance(r, bool) for r in raws):
        return ", ".join(str(r) for r in raws)
    return None


def _candidates_sql(events: Source, today_sql: str, kept_codes: str | None = None) -> str:
    """The events rows that anything needs, in the file's own columns: every row a check could flag and
    every row whose code the run uses.

    Most rows of an extract are neither, and this pass tells them from the values as the file holds
    them, without trimming or staging a row: a row is passed over only when its code is `plain`, its
    patient id is, as it stands, the id of a patient whose row was kept (such an id has no surrounding
    spaces, so the trimmed id is the same and so is the patient), its date is on or after that patient's
    date of birth and not in the future, its episode is, as it stands, one of the episodes, and its value
    is a number. A NULL in any of these keeps the row. Every row kept here is then staged and checked as
    before, so the rows flagged and kept, and the messages, are those of checking every row.

    `kept_codes` (`_kept_codes`) lists the codes that are not plain, tested in place of the join to
    `event_codes`: a row's code is plain exactly when it is not NULL and not in that list, since every
    code the file holds is in `event_codes`.
    """
    columns = [f'"{c}"' for c in (*EVENT_TEXT, *EVENT_DATES) if events.has(c)] + ["_row"]
    tested = (
        f"{_raw_text(events, 'patient_id')} AS q_patient_id, {_date(events, 'date')} AS q_date, "
        f"{_raw_text(events, 'episode')} AS q_episode, "
        f"{_as_given(events, 'value', ('value',))} AS q_value_given, {_number(events, 'value')} AS q_value"
    )
    # A plain OR of the reasons to keep a row, which the engine tests term by term on the rows not yet
    # kept (a NOT around one conjunction costs a third more). Each comparison is reached only when its
    # operands are not NULL, so no term is NULL.
    if kept_codes is None:
        coded, codes = "ec.plain IS NULL OR NOT ec.plain", 'LEFT JOIN event_codes AS ec ON ec.raw = e."code" '
    else:
        coded = 'e."code" IS NULL' + (f' OR e."code" IN ({kept_codes})' if kept_codes else "")
        codes = ""
    kept = (
        f"{coded} OR ps.date_of_birth IS NULL OR e.q_date IS NULL "
        f"OR e.q_date < ps.date_of_birth OR e.q_date > {today_sql} "
        f"OR (e.q_episode IS NOT NULL AND e.q_episode NOT IN {EPISODES}) "
        "OR (e.q_value_given IS NOT NULL AND e.q_value IS NULL)"
    )
    return (
        f"SELECT {', '.join('e.' + c for c in columns)} "
        f"FROM (SELECT {', '.join(columns)}, {tested} FROM {events.name}) AS e "
        f"{codes}LEFT JOIN patients AS ps "
        "ON ps.patient_id = e.q_patient_id "
        f"WHERE {kept}"
    )


def load_inputs(
    backend: Backend,
    patients: str | Path,
    events: str | Path,
    today: date,
    keep_codes: str = "cluster_codes",
) -> LoadReport:
    """Create `patients`, `events` and `rejects` in the backend.

    `events` keeps only the good rows whose code is in table `keep_codes` (column `code`): the engine
    needs no others, and a 100-million-row extract is not copied whole.
    """
    report = LoadReport()
    psrc = open_source(backend, "src_patients", patients, PATIENT_REQUIRED, PATIENT_COLUMNS)
    esrc = open_source(backend, "src_events", events, EVENT_REQUIRED, EVENT_TEXT + EVENT_DATES)
    today_sql = f"DATE '{today.isoformat()}'"

    p_checks = tuple(
        Check(c.column, c.bad.replace("$today", today_sql), c.reason, c.action) for c in PATIENT_CHECKS
    )
    # Whether a row is rejected is worked out once, here, for `patients` and `patient_state` to use.
    # An id's count of rows comes from the ids that appear more than once (a few, or none) joined to
    # each row: a fifth of the cost of counting every id's rows (a window over a million ids).
    ids = f"SELECT {_text(psrc, 'patient_id')} AS t_patient_id FROM {psrc.name}"
    repeated = (
        f"SELECT t_patient_id, COUNT(*) AS n FROM ({ids}) AS i GROUP BY t_patient_id HAVING COUNT(*) > 1"
    )
    # `p_flagged`: the row has a line in rejects.csv (rejected, or a value ignored), so that writing
    # those lines reads the few flagged rows, not every row once for each check.
    backend.materialize(
        "stg_patients",
        f"SELECT *, p_rejected OR {_bad_any(p_checks, 'ignore')} AS p_flagged FROM ("
        f"SELECT *, {_bad_any(p_checks, 'reject')} AS p_rejected FROM ("
        f"SELECT s.*, COALESCE(r.n, 1) AS n_patient_id, {_nhs_ok('s.n_nhs_number')} AS nhs_ok FROM ("
        f"SELECT *, {_nhs_digits('t_nhs_number')} AS n_nhs_number "
        f"FROM ({_staging_select(psrc, PATIENT_TEXT, PATIENT_DATES)}) AS s0) AS s "
        f"LEFT JOIN ({repeated}) AS r ON r.t_patient_id IS NOT DISTINCT FROM s.t_patient_id) AS c) AS f",
    )
    backend.view("stg_patients_flagged", "SELECT * FROM stg_patients WHERE p_flagged")
    ignored = {c.column for c in p_checks if c.action == "ignore"}

    def kept(column: str) -> str:
        if column in ignored:
            cond = " OR ".join(f"COALESCE(({c.bad}), FALSE)" for c in p_checks if c.column == column)
            return f"CASE WHEN {cond} THEN NULL ELSE t_{column} END AS {column}"
        if column == "sex":
            return "upper(t_sex) AS sex"
        return f"t_{column} AS {column}"

    # A view over the staged rows, kept with them: the kept rows are not copied a second time (for a
    # million patients the copy cost as much as checking them), and a later reader of a database file
    # (the dashboard) finds `patients` beside `stg_patients`.
    backend.view(
        "patients",
        "SELECT "
        + ", ".join([kept(c) for c in PATIENT_TEXT] + [f"d_{c} AS {c}" for c in PATIENT_DATES])
        + ", _row FROM stg_patients WHERE NOT p_rejected",
        keep=True,
    )
    # Each patient id once: `ok` with its kept row's date of birth, or `rejected` (an id whose row was
    # rejected, or that appears more than once, all of whose rows are then rejected) with the earliest
    # date of birth its rows give. A kept row is the only row of its id, so `patients` holds the ok ids.
    backend.view(
        "patient_state",
        "SELECT patient_id, 'ok' AS state, date_of_birth FROM patients UNION ALL "
        "SELECT t_patient_id AS patient_id, 'rejected' AS state, min(d_date_of_birth) AS date_of_birth "
        "FROM stg_patients WHERE p_rejected AND t_patient_id IS NOT NULL GROUP BY t_patient_id",
    )

    _event_codes(backend, esrc, keep_codes)
    backend.materialize("stg_events_raw", _candidates_sql(esrc, today_sql, _kept_codes(backend)))
    staged = ", ".join(
        ['"code" AS raw_code']
        + [
            c
            for c in _staging_columns(esrc, EVENT_TEXT, EVENT_DATES, ("value",))
            if not c.endswith(" AS t_code")
        ]
    )
    backend.view(
        "stg_events",
        "SELECT s.*, ec.code AS t_code, ec.bad_code, COALESCE(ec.keep, FALSE) AS keep, "
        "ps.state AS p_state, ps.date_of_birth AS p_date_of_birth "
        f"FROM (SELECT {staged} FROM stg_events_raw) AS s "
        "LEFT JOIN event_codes AS ec ON ec.raw = s.raw_code "
        "LEFT JOIN patient_state AS ps ON ps.patient_id = s.t_patient_id",
    )
    e_checks = tuple(
        Check(c.column, c.bad.replace("$today", today_sql), c.reason, c.action) for c in EVENT_CHECKS
    )
    # One pass over the events keeps the rows anything needs: every flagged row (for rejects.csv) and
    # every row whose code the run uses. Both are small next to a full extract. The filter is a plain OR
    # of the checks, which the engine stops evaluating for a row at its first true term; which checks
    # failed is worked out afterwards, for the kept rows only.
    any_bad = " OR ".join(f"({c.bad})" for c in e_checks)
    backend.materialize(
        "stg_events_kept",
        "SELECT *, rejected OR ignored AS flagged FROM ("
        f"SELECT *, {_bad_any(e_checks, 'reject')} AS rejected, {_bad_any(e_checks, 'ignore')} AS ignored "
        f"FROM stg_events WHERE keep OR {any_bad}) AS c",
    )
    backend.view("stg_events_flagged", "SELECT * FROM stg_events_kept WHERE flagged")
    backend.materialize(
        "rejects",
        _rejects_sql("stg_patients_flagged", psrc.path, p_checks)
        + " UNION ALL "
        + _rejects_sql("stg_events_flagged", esrc.path, e_checks),
    )
    backend.materialize(
        "events",
        "SELECT t_patient_id AS patient_id, t_code AS code, d_date AS date, lower(t_episode) AS episode, "
        "n_value AS value, t_unit AS unit, _row FROM stg_events_kept WHERE NOT rejected AND keep",
    )

    report.patients_read = backend.rows("SELECT count(*) FROM stg_patients")[0][0]
    report.patients_kept = backend.rows("SELECT count(*) FROM patients")[0][0]
    report.events_read = backend.rows(f"SELECT count(*) FROM {esrc.name}")[0][0]
    file_literal = sql_string(esrc.path)
    rejected_events = backend.rows(
        f"SELECT count(DISTINCT \"row\") FROM rejects WHERE file = {file_literal} AND action = 'row rejected'"
    )[0][0]
    report.events_kept = report.events_read - rejected_events
    for file, column, reason, n in backend.rows(
        'SELECT file, "column", reason, count(*) FROM rejects GROUP BY file, "column", reason'
    ):
        report.rejects[(file, column, reason)] = n
    if report.patients_kept == 0:
        raise InputError(
            f"{psrc.path}: no usable patients ({report.patients_read} row(s) read, all rejected or none present)"
        )
    return report
