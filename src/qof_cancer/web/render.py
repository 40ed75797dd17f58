"""Rendering: the Jinja2 environment (the dashboard's templates, then the report's, for the achievement bar
and the payment sum) and the navigation every page shares."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request

from qof_cancer.outputs.formats import FILTERS
from qof_cancer.web.labels import column_label
from qof_cancer.worklist.messages import long_date

__all__ = ["NAV", "environment", "render", "cell"]

NAV = (
    ("/", "Overview"),
    ("/worklist", "Worklists"),
    ("/data-quality", "Data quality"),
    ("/benchmarks", "England"),
    ("/screening", "Screening"),
    ("/tables", "All tables"),
    ("/load", "Load data"),
)


def cell(value: Any) -> str:
    """A table cell: dates UK style (15 Nov 2025), floats to two places, booleans as yes/no, empty as a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _query(params: dict, **changes: Any) -> str:
    """A query string from the current filters with some changed (empty values dropped)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


# Pages under a menu item that are not its first path part; a patient page sits under none (it is reached
# from an indicator and from the worklist alike), so no item claims it.
_SECTION_OF = {"/practice": "/", "/indicator": "/", "/summary": "/", "/status": "/load", "/patient": None}


def _section(path: str) -> str | None:
    """The menu item a page belongs to (None for none)."""
    first = "/" + path.strip("/").split("/")[0].split(".")[0]
    section = _SECTION_OF.get(first, first)
    return section if section in {href for href, _ in NAV} else None


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("qof_cancer.web", "templates"),
                jinja2.PackageLoader("qof_cancer.outputs", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS, cell=cell, longdate=long_date, label=column_label)
    env.globals.update(query=_query, nav=NAV)
    return env


def render(env: jinja2.Environment, template: str, request: Request, data: dict, dash: Any) -> str:
    """A page: the template with its data as `page`, the current path and the run's heading facts."""
    result = getattr(dash, "result", None)
    run = None
    if result is not None:
        run = {
            "year": result.period.year.id,
            "ach": result.period.ach.isoformat(),
            "in_year": result.period.in_year,
            "demonstration": any(c.status == "example" for c in result.clusters.clusters.values()),
        }
    section = _section(request.url.path)
    return env.get_template(template).render(
        page=data, path=request.url.path, section=section, run=run, params=dict(request.query_params)
    )
