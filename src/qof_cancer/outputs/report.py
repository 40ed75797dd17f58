"""report.html: one self-contained page for the practice's QOF lead and the PCN meeting.

The page is a list of sections, each a template partial with the data it needs. A later feature
(worklists, forecast, data quality, screening) adds a `Section` to `SECTIONS` and a partial in
`templates/`; the page, its contents list and its styles pick it up. Aggregate only: no patient rows.

No external assets: styles are inline, charts are inline SVG, there is no script, so the file opens
from disk or as an email attachment and prints cleanly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from qof_cancer.outputs import report_data as data
from qof_cancer.outputs.benchmark_data import benchmark_data
from qof_cancer.outputs.files import write_text
from qof_cancer.outputs.formats import FILTERS

__all__ = ["Section", "SECTIONS", "compile_templates", "report_context", "render_report", "write_report"]


@dataclass(frozen=True)
class Section:
    """One part of the report: an anchor id, a heading, a partial, and the function that builds its data.

    `build(result)` returns the section's data, or None to leave the section out (e.g. no PCN rows).
    """

    id: str
    title: str
    template: str
    build: Callable[[Any], Any]


def _pcn(result: Any) -> list[dict] | None:
    return data.pcn_data(result) or None


SECTIONS: tuple[Section, ...] = (
    Section("pcn", "PCN overview", "section_pcn.html.j2", _pcn),
    Section("practices", "Practices", "section_practices.html.j2", data.practice_data),
    Section("forecast", "Forecast", "section_forecast.html.j2", data.forecast_data),
    Section("benchmarks", "Compared with England", "section_benchmark.html.j2", benchmark_data),
    Section("data-quality", "Data quality", "section_data_quality.html.j2", data.data_quality_data),
    Section("code-lists", "Code lists", "section_code_lists.html.j2", data.provenance_data),
    Section("input", "Input quality", "section_input.html.j2", data.input_quality_data),
    Section("how-to-read", "How to read this report", "section_glossary.html.j2", lambda _r: True),
)


@cache
def _environment() -> jinja2.Environment:
    """The report's templates, kept compiled for every report the process writes (jinja2 renders from
    one environment on several threads)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qof_cancer.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a missing value is a bug in the report, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def compile_templates() -> None:
    """Compile every template of the report now, so that the first report does not wait for it."""
    env = _environment()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)


def _tool_version() -> str:
    # The root package is always imported before its subpackages. Reading its __version__ from
    # sys.modules avoids `import qof_cancer`, whose lazy `run` re-export would make the layers check see
    # outputs -> api.
    return str(getattr(sys.modules.get("qof_cancer"), "__version__", "unknown"))


def report_context(result: Any, generated: datetime | None = None) -> dict:
    """Everything the template shows, as plain data: the header, the warnings and each section's data."""
    stamp = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    sections = []
    for section in SECTIONS:
        built = section.build(result)
        if built is not None:
            sections.append(
                {"id": section.id, "title": section.title, "template": section.template, "data": built}
            )
    return {
        "header": data.header_data(result, stamp, _tool_version()),
        "provenance": data.provenance_data(result),
        "sections": sections,
    }


def render_report(result: Any, generated: datetime | None = None) -> str:
    """The report as one HTML string. `result` is an `api.RunResult`; `generated` defaults to now."""
    template = _environment().get_template("report.html.j2")
    return template.render(**report_context(result, generated))


def write_report(result: Any, path: str | Path, generated: datetime | None = None) -> Path:
    """Write the report to `path` atomically (a complete file or none) and return the path."""
    return write_text(Path(path), render_report(result, generated))
