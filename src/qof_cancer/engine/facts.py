"""The rule facts every feature reads, defined once: who is registered on a day, and CAN_DAT.

The compiler builds the engine's query from these; data quality and screening use the same expressions
(rendered for their engine) instead of writing their own, so a change to the population or to the
diagnosis date reaches every reader at once.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from qof_cancer.model.nodes import Indicator

__all__ = [
    "date_literal",
    "registered_on",
    "registered_on_sql",
    "counting_episode",
    "select_population",
    "select_diagnosis",
]


def date_literal(day: date) -> exp.Expression:
    """A constant date, typed as DATE in every dialect."""
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.build("DATE"))


def registered_on(day: date, table: str | None = None) -> exp.Expression:
    """The population on `day`: registered on or before it, not left and not dead on or before it."""

    def col(name: str) -> exp.Column:
        return exp.column(name, table=table)

    return exp.and_(
        col("registration_start") <= date_literal(day),
        exp.or_(col("registration_end").is_(exp.null()), col("registration_end") > date_literal(day)),
        exp.or_(col("date_of_death").is_(exp.null()), col("date_of_death") > date_literal(day)),
    )


def registered_on_sql(day: date, table: str | None = None, dialect: str = "duckdb") -> str:
    """`registered_on` as SQL text, for a feature that writes its query as text."""
    return registered_on(day, table).sql(dialect)


def counting_episode(register: Indicator, table: str | None = None) -> exp.Expression:
    """A diagnosis record whose episodicity lets it set CAN_DAT (no episode, or not one ignored)."""
    episode = exp.column("episode", table=table)
    if not register.ignore_episodes:
        return exp.true()
    ignored = [exp.Literal.string(e) for e in register.ignore_episodes]
    return exp.or_(episode.is_(exp.null()), exp.not_(exp.func("LOWER", episode).isin(*ignored)))


def select_population(day: date) -> exp.Select:
    """patient_id, practice_code, pcn_code, reg_dat of the population on `day`, from table patients."""
    return (
        exp.select(
            exp.column("patient_id"),
            exp.column("practice_code"),
            exp.column("pcn_code"),
            exp.alias_(exp.column("registration_start"), "reg_dat"),
        )
        .from_("patients")
        .where(registered_on(day))
    )


def select_diagnosis(register: Indicator, records: str = "ev") -> exp.Select:
    """patient_id, can_dat: the latest counting record of the register's diagnosis cluster (CAN_COD) of
    each patient in `records` (a table with patient_id, cluster_id, date and episode, already limited to
    dates on or before ACH)."""
    return (
        exp.select(exp.column("patient_id"), exp.alias_(exp.Max(this=exp.column("date")), "can_dat"))
        .from_(records)
        .where(exp.column("cluster_id").eq(exp.Literal.string(register.diagnosis_cluster)))
        .where(counting_episode(register))
        .group_by(exp.column("patient_id"))
    )
