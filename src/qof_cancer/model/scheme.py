"""Read a local scheme file (`--scheme`): its years, money and points, replacing the national ones, and
the indicators it adds of its own (`local_indicators:`, see docs/local-indicators.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qof_cancer.errors import RuleFileError
from qof_cancer.model.year_file import amount, build_year_indicator, extend_years, positive
from qof_cancer.model.years import QofYear, year_start
from qof_cancer.rules import Document, load_document

__all__ = ["apply_scheme", "local_indicator_documents", "local_kinds"]


@dataclass(frozen=True)
class _InlineDocument(Document):
    """An indicator written inside a scheme file: its errors name the scheme file, the line and the full
    field (local_indicators.0.worklist.steps)."""

    prefix: tuple[str | int, ...] = ()

    def line(self, *where: str | int) -> int | None:
        return Document.line(self, *self.prefix, *where)

    def error(self, where: tuple, problem: str) -> RuleFileError:
        dotted = ".".join(str(p) for p in (*self.prefix, *where))
        return RuleFileError(self.path, self.line(*where), dotted, problem)


def local_indicator_documents(doc: Document, folder: Path) -> list[Document]:
    """The rule files a scheme adds (`local_indicators:`): each a file beside the scheme, or written
    inline; an inline one's errors name the scheme file and its line."""
    raw = doc.data.get("local_indicators") or []
    if not isinstance(raw, list):
        raise doc.error(("local_indicators",), "a list of indicator rule files, or indicators written inline")
    docs = []
    for i, item in enumerate(raw):
        where = ("local_indicators", i)
        if isinstance(item, str):
            path = folder / item
            if not path.is_file():
                raise doc.error(where, f"no indicator file {item!r} beside the scheme file ({path})")
            docs.append(load_document(path))
        elif isinstance(item, dict):
            docs.append(_InlineDocument(doc.path, item, doc.lines, where))
        else:
            raise doc.error(where, "an indicator rule file's name, or an indicator written inline")
    return docs


def _local_year_entries(
    doc: Document, years: dict[str, QofYear], local: Mapping[str, str], targets: list[str]
) -> dict[str, QofYear]:
    """Every year gets an entry for each local indicator (`local`: id -> kind): the scheme's in its own
    years, and the same points and thresholds, unpaid, in the years the scheme does not cover (so that
    the protected year, last year's PCA rates and any other year still compute it)."""
    given = doc.data.get("indicators") or {}
    out = dict(years)
    for ind_id, kind in local.items():
        raw = given.get(ind_id)
        where = ("indicators", ind_id) if ind_id in given else ("indicators",)
        if not isinstance(raw, dict) or "points" not in raw:
            raise doc.error(where, f"{ind_id} is a local indicator: give its points, lower and upper here")
        if kind == "ratio" and not {"lower", "upper"} <= set(raw) and "pounds_per_patient" not in raw:
            raise doc.error(
                where, f"{ind_id} is a local ratio indicator: give its lower and upper thresholds"
            )
        for year_id, year in years.items():
            if year_id in targets or ind_id in year.indicators:
                continue
            entry = {**raw, "status": "unpaid", "protected_year": None}
            inds = {**year.indicators, ind_id: build_year_indicator(doc, ("indicators", ind_id), entry)}
            out[year_id] = replace(year, indicators=inds)
    return out


def apply_scheme(
    doc: Document, years: dict[str, QofYear], local: Mapping[str, str]
) -> tuple[dict[str, QofYear], dict, str]:
    """A local scheme: replace thresholds, points or pounds for some indicators, for some or all years;
    give the indicators it adds (`local`: id -> kind) their entries in every year."""
    data = doc.data
    if not isinstance(data, dict) or "scheme" not in data:
        raise doc.error((), "a scheme file needs at least 'scheme' (its name)")
    allowed = {
        "scheme",
        "years",
        "pounds_per_point",
        "national_prevalence",
        "national_average_list_size",
        "indicators",
        "settings",
        "local_indicators",
    }
    for key in data:
        if key not in allowed:
            raise doc.error((key,), f"unknown field; expected {', '.join(sorted(allowed))}")
    name = str(data["scheme"])
    targets = [str(y) for y in (data.get("years") or list(years))]
    for y in targets:
        if y not in years:
            start = year_start(y)
            if start is None or start <= max(v.ppsd.year for v in years.values()):
                raise doc.error(("years",), f"unknown QOF year {y!r}")
            years = extend_years(years, start)
    out = dict(years)
    for year_id in targets:
        year = years[year_id]
        changes: dict[str, Any] = {"scheme": name}
        for key in ("pounds_per_point", "national_prevalence", "national_average_list_size"):
            if key in data:
                try:
                    changes[key] = (amount if key == "pounds_per_point" else positive)(data[key])
                except (TypeError, ValueError):
                    raise doc.error(
                        (key,), f"expected a finite number, not negative, got {data[key]!r}"
                    ) from None
        inds = dict(year.indicators)
        for ind_id, raw in (data.get("indicators") or {}).items():
            base = inds.get(str(ind_id))
            merged = {
                **(base.__dict__ if base else {}),
                **(raw or {}),
                "status": "local_scheme",
                "protected_year": None,
            }
            inds[str(ind_id)] = build_year_indicator(doc, ("indicators", ind_id), merged)
        changes["indicators"] = inds
        if "national_prevalence" in changes:
            changes["national_prevalence_source"] = f"set by scheme {name}"
        try:
            out[year_id] = replace(year, **changes)
        except ValueError as exc:
            raise doc.error((), str(exc)) from None
    out = _local_year_entries(doc, out, local, targets)
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise doc.error(("settings",), "must map indicator ids to their settings")
    return out, settings, name


def local_kinds(scheme: Document, national: list[Document], local: list[Document]) -> dict[str, str]:
    """id -> kind of each indicator a scheme adds; an id the rule files (or the scheme) already have, or a
    second register, is refused where it is written."""
    taken = {str(d.data.get("id")) for d in national if isinstance(d.data, dict)}
    kinds: dict[str, str] = {}
    for i, doc in enumerate(local):
        if not isinstance(doc.data, dict) or "id" not in doc.data:
            raise doc.error((), "an indicator needs an id")
        ind_id = str(doc.data["id"])
        if ind_id in taken or ind_id in kinds:
            raise scheme.error(
                ("local_indicators", i), f"indicator {ind_id} is already defined; give it its own id"
            )
        if doc.data.get("kind") == "register":
            raise doc.error(
                ("kind",), "a local indicator is a ratio indicator: the register is the national one"
            )
        kinds[ind_id] = str(doc.data.get("kind"))
    return kinds
