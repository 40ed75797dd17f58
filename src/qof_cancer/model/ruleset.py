"""Build the checked rule set from the rule files, a local scheme file and setting overrides.

Every value is checked here, at load time, so a broken file fails with its file, line and field before
any data is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from qof_cancer.errors import RuleFileError, UserError
from qof_cancer.model.actions import build_worklist_spec
from qof_cancer.model.dates import Duration, parse_duration
from qof_cancer.model.nodes import CONDITION_TYPES, Indicator, National, Rule, current_outcome
from qof_cancer.model.scheme import apply_scheme, local_indicator_documents, local_kinds
from qof_cancer.model.year_file import build_years, extend_years, parse_date
from qof_cancer.model.years import Period, QofYear, qof_year_id, year_start
from qof_cancer.rules import Document, bundled_indicator_paths, bundled_years_path, load_document

__all__ = ["RuleSet", "load_ruleset", "parse_date"]


@dataclass(frozen=True)
class RuleSet:
    """The indicators and the QOF years a run uses."""

    indicators: tuple[Indicator, ...]
    years: dict[str, QofYear] = field(hash=False, compare=False)
    scheme: str | None = None

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def register(self) -> Indicator:
        return next(i for i in self.indicators if i.kind == "register")

    @property
    def ratio_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.kind == "ratio")

    @property
    def register_cluster(self) -> str:
        """The register's diagnosis cluster (CAN_COD): its latest counting record is CAN_DAT."""
        cluster = self.register.diagnosis_cluster
        assert cluster is not None, "the loader requires a register's diagnosis_cluster"
        return cluster

    def clusters(self) -> tuple[str, ...]:
        """Every cluster a rule reads, the register's first."""
        found = [self.register_cluster]
        for ind in self.indicators:
            for rule in ind.rules:
                for cluster in getattr(rule.when, "clusters", ()):
                    if cluster not in found:
                        found.append(cluster)
        return tuple(found)

    def year(self, year_id: str) -> QofYear:
        """A QOF year by id; a year after the last one in the rule files follows by rule."""
        if year_id not in self.years:
            start = year_start(year_id)
            last = max(self.years.values(), key=lambda y: y.pped)
            if start is None or start <= last.ppsd.year:
                raise UserError(
                    f"unknown QOF year {year_id!r}; known years: {', '.join(self.years)}, "
                    f"and any later year written like {last.id}"
                )
            # Computed, not stored: the rule set is frozen, and its years are the rule files' years.
            return extend_years(self.years, start)[year_id]
        return self.years[year_id]

    def year_for(self, day: date) -> QofYear:
        """The QOF year whose PPSD..PPED contains `day` (a year after the rule files follows by rule)."""
        for year in self.years.values():
            if year.ppsd <= day <= year.pped:
                return year
        first = min(self.years.values(), key=lambda y: y.ppsd)
        if day < first.ppsd:
            raise UserError(f"{day} is before the first QOF year this tool knows ({first.id})")
        return self.year(qof_year_id(day.year if day.month >= 4 else day.year - 1))

    def period(self, year_id: str | None, as_of: date | None, today: date | None = None) -> Period:
        """The run's year and achievement date. With no year: the year containing `as_of`, else today's
        year (QOF 2026-27 on 2 December 2026). ACH = --as-of (default today), capped at PPED."""
        today = today or date.today()
        year = self.year_for(as_of or today) if year_id is None else self.year(year_id)
        ach = as_of if as_of is not None else min(today, year.pped)
        if ach < year.ppsd:
            raise UserError(f"--as-of {ach} is before the start of {year.id} ({year.ppsd})")
        return Period(year, min(ach, year.pped))


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _clusters(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of cluster ids, got {value!r}")
    return tuple(value)


def _anchor(value: Any) -> str:
    return str(value)


def _since(value: Any) -> str:
    if value is False:  # YAML reads a bare `off` as false
        return "off"
    if value not in ("since_diagnosis", "any", "off"):
        raise ValueError(f"expected since_diagnosis, any or off, got {value!r}")
    return str(value)


_PARAMS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "no_diagnosis": {},
    "always": {},
    "diagnosis_on_or_after": {"date": parse_date},
    "diagnosis_before": {"date": parse_date},
    "diagnosis_on_or_before": {"anchor": _anchor, "months_before": _int},
    "diagnosis_after": {"anchor": _anchor, "months_before": _int},
    "record_after_diagnosis": {
        "clusters": _clusters,
        "within": parse_duration,
        "also_clusters": _clusters,
        "also_when": _bool,
    },
    "record_in_year": {"clusters": _clusters},
    "two_records_in_year": {"clusters": _clusters, "min_gap_days": _int},
    "registered_after": {"anchor": _anchor, "months_before": _int},
    "latest_record_on_or_before": {
        "clusters": _clusters,
        "anchor": _anchor,
        "months_before": _int,
        "since": _since,
        "also_clusters": _clusters,
        "also_when": _bool,
    },
}


def _build_national(doc: Document, where: tuple, raw: Any) -> National | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"name", "type"} or "type" not in raw:
        raise doc.error(where, "national is a mapping with name (may be empty) and type")
    try:
        return National(str(raw.get("name") or ""), str(raw["type"]))
    except ValueError as exc:
        raise doc.error((*where, "type"), str(exc)) from None


def _build_condition(doc: Document, where: tuple, raw: Any, settings: Mapping[str, Any]):
    if not isinstance(raw, dict) or len(raw) != 1:
        raise doc.error(where, f"a condition is one of {', '.join(CONDITION_TYPES)} with its parameters")
    ((kind, params),) = raw.items()
    if kind not in CONDITION_TYPES:
        raise doc.error((*where, kind), f"unknown condition; expected one of {', '.join(CONDITION_TYPES)}")
    params = params or {}
    if not isinstance(params, dict):
        raise doc.error((*where, kind), "parameters must be a mapping")
    spec = _PARAMS[kind]
    values: dict[str, Any] = {}
    for name, raw_value in params.items():
        if name not in spec:
            raise doc.error((*where, kind, name), f"unknown parameter; expected {', '.join(spec) or 'none'}")
        value = raw_value
        if isinstance(value, str) and value.startswith("$"):
            if value[1:] not in settings:
                raise doc.error((*where, kind, name), f"setting {value[1:]!r} is not defined under settings")
            value = settings[value[1:]]
        try:
            values[name] = spec[name](value)
        except ValueError as exc:
            raise doc.error((*where, kind, name), str(exc)) from None
    # An optional extra cluster list that a boolean setting switches on (CAN005: accept MDRV as support).
    also, also_when = values.pop("also_clusters", ()), values.pop("also_when", False)
    if also_when:
        values["clusters"] = values.get("clusters", ()) + tuple(
            c for c in also if c not in values["clusters"]
        )
    try:
        return CONDITION_TYPES[kind](**values)
    except (TypeError, ValueError) as exc:
        raise doc.error((*where, kind), str(exc).replace("__init__() ", "")) from None


def _format_says(text: str, settings: Mapping[str, Any]) -> str:
    return text.format_map({k: (str(v)) for k, v in settings.items()})


_INDICATOR_FIELDS = ("id", "kind", "title", "wording", "notes", "settings", "rules", "due", "worklist")


def build_indicator(
    doc: Document, overrides: Mapping[str, Any] | None = None, scheme: str | None = None
) -> Indicator:
    """Check one indicator document against the schema and build the Indicator (`scheme`: the local
    scheme that adds it, if one does)."""
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "an indicator file is a mapping with id, kind, title, wording, settings, rules")
    for key in ("id", "kind", "title", "wording", "rules"):
        if key not in data:
            raise doc.error((), f"missing required field {key!r}")
    unknown = set(data) - set(_INDICATOR_FIELDS)
    if unknown:
        raise doc.error((sorted(unknown)[0],), "unknown field")
    if data["kind"] not in ("register", "ratio"):
        raise doc.error(("kind",), "must be register or ratio")
    settings = dict(data.get("settings") or {})
    for name, value in (overrides or {}).items():
        if name not in settings:
            raise UserError(f"{data['id']}: unknown setting {name!r}; known: {', '.join(settings)}")
        settings[name] = value
    # Settings that are window lengths are read as durations once, so the wording shows them clearly.
    for name, value in list(settings.items()):
        if isinstance(value, str) and value.split()[-1].rstrip("s") in ("month", "day"):
            try:
                settings[name] = parse_duration(value)
            except ValueError as exc:
                raise doc.error(("settings", name), str(exc)) from None
    rules_raw = data["rules"]
    if not isinstance(rules_raw, list) or not rules_raw:
        raise doc.error(("rules",), "must be a non-empty list")
    rules = []
    for i, raw in enumerate(rules_raw):
        where = ("rules", i)
        if not isinstance(raw, dict) or not {"rule", "outcome", "when", "says"} <= set(raw):
            raise doc.error(where, "each rule needs rule, outcome, when and says")
        condition = _build_condition(doc, (*where, "when"), raw["when"], settings)
        try:
            says = _format_says(str(raw["says"]), settings)
        except KeyError as exc:
            raise doc.error((*where, "says"), f"names setting {exc} which is not defined") from None
        unknown_keys = set(raw) - {"rule", "outcome", "when", "says", "national"}
        if unknown_keys:
            raise doc.error((*where, sorted(unknown_keys)[0]), "unknown field")
        national = _build_national(doc, (*where, "national"), raw.get("national"))
        outcome = current_outcome(str(raw["outcome"]))
        rules.append(Rule(str(raw["rule"]), outcome, condition, says, national))
    due = None
    if data.get("due") is not None:
        due = settings.get(str(data["due"]))
        if not isinstance(due, Duration):
            raise doc.error(("due",), "must name a duration setting such as review_window")
    episodes = settings.get("ignore_episodes", [])
    worklist = build_worklist_spec(doc, ("worklist",), data.get("worklist"))
    diagnosis = settings.get("diagnosis_cluster")
    if data["kind"] == "register" and not isinstance(diagnosis, str):
        raise doc.error(("settings",), "a register needs setting diagnosis_cluster (the cluster of CAN_DAT)")
    try:
        indicator = Indicator(
            id=str(data["id"]),
            kind=data["kind"],
            title=str(data["title"]),
            wording=str(data["wording"]),
            notes=str(data.get("notes") or ""),
            settings=settings,
            rules=tuple(rules),
            due=due,
            ignore_episodes=tuple(str(e).lower() for e in episodes),
            worklist=worklist,
            scheme=scheme,
            diagnosis_cluster=diagnosis if data["kind"] == "register" else None,
        )
    except ValueError as exc:
        raise doc.error(("rules",), str(exc)) from None
    actionable = indicator.kind == "ratio" and indicator.completing is not None and due is not None
    if actionable and worklist is None:
        raise doc.error(
            (),
            "missing field 'worklist': its met rule is a record after the diagnosis, so the worklist needs "
            "its list name, sheet, steps and message (see docs/local-indicators.md)",
        )
    if worklist is not None and not actionable:
        raise doc.error(
            ("worklist",),
            "only a ratio indicator with `due` and a met rule that is a record after the diagnosis has a worklist",
        )
    return indicator


def _check_worklists(indicators: list[Indicator]) -> None:
    """No two indicators share a worklist list key or sheet: each list is one indicator's."""
    seen: dict[str, str] = {}
    for ind in indicators:
        if ind.worklist is None:
            continue
        for what, value in (("list", ind.worklist.list), ("sheet", ind.worklist.sheet.lower())):
            other = seen.setdefault(f"{what}:{value}", ind.id)
            if other != ind.id:
                raise UserError(
                    f"{ind.id}: worklist {what} {value!r} is already {other}'s; give {ind.id} its own"
                )


def load_ruleset(
    scheme: str | Path | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    indicator_paths: list[Path] | None = None,
    years_path: Path | None = None,
    today: date | None = None,
) -> RuleSet:
    """Load and check the bundled (or given) rule files, then apply a scheme file and setting overrides.

    The years run on by rule to the one containing `today` (default: today), so that a scheme without a
    `years` list covers today's year too."""
    years = build_years(load_document(years_path or bundled_years_path()))
    day = today or date.today()
    years = extend_years(years, day.year if day.month >= 4 else day.year - 1)
    overrides: dict[str, dict[str, Any]] = {}
    scheme_name = None
    national = [load_document(path) for path in indicator_paths or bundled_indicator_paths()]
    local: list[Document] = []
    if scheme is not None:
        scheme_doc = load_document(scheme, "--scheme")
        if not isinstance(scheme_doc.data, dict) or "scheme" not in scheme_doc.data:
            raise scheme_doc.error((), "a scheme file needs at least 'scheme' (its name)")
        local = local_indicator_documents(scheme_doc, Path(scheme).parent)
        kinds = local_kinds(scheme_doc, national, local)
        years, scheme_settings, scheme_name = apply_scheme(scheme_doc, years, kinds)
        for k, v in scheme_settings.items():
            overrides.setdefault(str(k), {}).update(v or {})
    for k, v in (settings or {}).items():
        overrides.setdefault(k, {}).update(v)
    indicators = []
    # The register first, then the rule files in order (CAN004 before CAN005), then a scheme's own.
    for doc, added_by in [(d, None) for d in national] + [(d, scheme_name) for d in local]:
        ind_id = doc.data.get("id") if isinstance(doc.data, dict) else None
        indicators.append(build_indicator(doc, overrides.pop(str(ind_id), None), added_by))
    if overrides:
        raise UserError(f"settings given for unknown indicator(s): {', '.join(overrides)}")
    indicators.sort(key=lambda i: i.kind != "register")
    registers = [i for i in indicators if i.kind == "register"]
    if len(registers) != 1:
        raise RuleFileError("indicators", None, "kind", "exactly one indicator must be the register")
    _check_worklists(indicators)
    for year in years.values():
        for ind in indicators:
            if ind.id not in year.indicators:
                raise RuleFileError(
                    str(years_path or bundled_years_path()),
                    None,
                    f"years.{year.id}.indicators",
                    f"no entry for {ind.id}",
                )
    return RuleSet(tuple(indicators), years, scheme_name)
