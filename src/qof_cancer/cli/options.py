"""Option types shared by the commands, so every command spells them the same way."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from qof_cancer.errors import UserError

PatientsOpt = Annotated[
    Path, typer.Option("--patients", help="Patients file (CSV or Parquet), per the data contract.")
]
EventsOpt = Annotated[Path, typer.Option("--events", help="Coded events file (CSV or Parquet).")]
YearOpt = Annotated[
    str | None,
    typer.Option(
        "--year",
        help="QOF year, e.g. 2023-24 (default: the year containing --as-of, else today's year).",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Achievement date YYYY-MM-DD for an in-year run (default today, capped at year end)."
    ),
]
CodesOpt = Annotated[
    Path | None,
    typer.Option("--codes", help="Folder of <CLUSTER_ID>.csv files replacing the bundled clusters."),
]
OutOpt = Annotated[Path, typer.Option("--out", help="Output folder.")]
SchemeOpt = Annotated[
    Path | None,
    typer.Option("--scheme", help="Local scheme file: thresholds, points or pounds for any year."),
]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--setting",
        help="Override a rule setting: INDICATOR.NAME=VALUE, e.g. CAN005.support_window='93 days'.",
    ),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="Folder of message templates (<kind>_<sms|letter>.j2) replacing the bundled ones by name.",
    ),
]
PracticeDetailsOpt = Annotated[
    Path | None,
    typer.Option(
        "--practice-details",
        envvar="QOF_CANCER_PRACTICE_DETAILS",
        help="CSV of practice_code, name, phone (and email, website, address, questionnaire_url, "
        "signature) for the texts and letters; without it (or --practice-name and --practice-phone) "
        "none are written.",
    ),
]
PracticeNameOpt = Annotated[
    str | None, typer.Option("--practice-name", help="Practice name for messages (all practices).")
]
PracticePhoneOpt = Annotated[
    str | None, typer.Option("--practice-phone", help="Practice phone number for messages (all practices).")
]

EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="duckdb (in-process, default), spark (needs qof-cancer[spark] and Java) or postgres "
        "(needs --dsn and qof-cancer[postgres]).",
    ),
]
DsnOpt = Annotated[
    str | None,
    typer.Option(
        "--dsn",
        help="PostgreSQL connection for --engine postgres, e.g. 'host=/run/postgresql dbname=qof'. The run "
        "works in a schema of its own, dropped at the end; --patients/--events may name tables as "
        "postgres:schema.table.",
    ),
]
SparkMasterOpt = Annotated[
    str, typer.Option("--spark-master", help="Spark master URL for --engine spark (default: local, 2 cores).")
]


def parse_date(option: str, text: str | None) -> date | None:
    """The date an option gives (None when not given); a UserError naming the option otherwise."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} {text!r}: expected a date YYYY-MM-DD") from None


def parse_as_of(text: str | None) -> date | None:
    return parse_date("--as-of", text)


def parse_settings(items: list[str] | None) -> dict[str, dict[str, object]]:
    """INDICATOR.NAME=VALUE pairs; values are read as YAML scalars (numbers, true/false, dates, text)."""
    import yaml

    out: dict[str, dict[str, object]] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        indicator, dot, name = key.partition(".")
        if not sep or not dot or not indicator or not name:
            raise UserError(
                f"--setting {item!r}: expected INDICATOR.NAME=VALUE, e.g. CAN005.support_window=93 days"
            )
        if not raw.strip():
            raise UserError(f"--setting {item!r}: no value after '='")
        if len(raw) > 200:
            raise UserError(f"--setting {key}: the value is longer than 200 characters")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise UserError(f"--setting {key}={raw!r}: not a value (a number, a date or text)") from None
        except ValueError:  # a date that does not exist, such as 2021-02-30
            raise UserError(f"--setting {key}={raw!r}: not a real date (expected YYYY-MM-DD)") from None
        if isinstance(value, dict | list):
            raise UserError(f"--setting {key}={raw!r}: expected one value, not a list or mapping")
        out.setdefault(indicator.strip().upper(), {})[name.strip()] = value
    return out
