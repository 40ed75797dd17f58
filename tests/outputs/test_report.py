"""report.html: one self-contained, well-formed, aggregate-only page with the numbers and words a QOF lead needs."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser

import pytest

import qof_cancer
from qof_cancer import api
from qof_cancer.engine.reference import Patient
from qof_cancer.outputs.report import SECTIONS, render_report, write_report
from tests.helpers import as_event, write_inputs

TODAY = date(2026, 6, 1)
GENERATED = datetime(2026, 6, 1, 9, 30)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# 2023-24, one practice of 100 in PCN U00001. CAN004: 3 met, 1 not met, 1 dissent -> 3/4 = 75%, 3.75 of 6
# points. CAN005: 1 met, 1 not met -> 50%, below the 70% lower threshold. Register 7.
CASES = [
    [["CAN_COD", "2022-09-01"], ["MDRV_COD", "2023-05-01"]],
    [["CAN_COD", "2022-09-02"], ["MDRV_COD", "2023-05-02"]],
    [["CAN_COD", "2022-09-03"], ["MDRV_COD", "2023-05-03"]],
    [["CAN_COD", "2022-10-01"]],
    [["CAN_COD", "2022-09-01"], ["CANPCADEC_COD", "2023-06-01"]],
    [["CAN_COD", "2023-06-01"], ["CANPCSUPP_COD", "2023-07-01"]],
    [["CAN_COD", "2023-05-01"]],
]
SECRET = "ZZSECRET"  # every patient id starts with it, so a leak is easy to find
BAD_DOB = "1960-13-45"


class _Checker(HTMLParser):
    """Checks tag nesting and collects text, ids and every src/href-like attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.ids: list[str] = []
        self.refs: list[str] = []
        self.tags: list[str] = []

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.append(value or "")
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                self.refs.append(value or "")

    def handle_starttag(self, tag, attrs):
        self._attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker


def plain(checker: _Checker) -> str:
    """The page's text with whitespace collapsed, as a reader sees it."""
    return " ".join(" ".join(checker.text).split())


def _write(tmp_path, cases, pcn="U00001"):
    patients = [
        Patient(
            f"{SECRET}{i:03d}",
            "A00001",
            date(2000, 1, 1),
            pcn_code=pcn,
            events=tuple(as_event(e) for e in events),
        )
        for i, events in enumerate(cases)
    ]
    patients += [Patient(f"{SECRET}N{i:03d}", "A00001", date(2000, 1, 1), pcn_code=pcn) for i in range(100)]
    patients = patients[:100]
    ppath, epath = write_inputs(tmp_path, patients)
    with ppath.open("a") as fh:  # one bad row: its value must not reach the report
        fh.write(f"{SECRET}BAD,A00001,{BAD_DOB},F,2000-01-01,,,{pcn or ''}\r\n")
    return ppath, epath


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    ppath, epath = _write(tmp_path_factory.mktemp("report"), CASES)
    result = api.run(ppath, epath, year="2023-24", today=TODAY)
    html = render_report(result, generated=GENERATED)
    return result, html, check_html(html)


def test_html_is_well_formed(report):
    _, html, checker = report
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert checker.errors == [] and checker.stack == []
    assert checker.tags.count("html") == 1 and checker.tags.count("title") > 1  # page title and SVG titles
    assert len(checker.ids) == len(set(checker.ids)), "duplicate id attributes break aria-labelledby"


def test_no_external_assets(report):
    _, html, checker = report
    assert "http://" not in html and "https://" not in html
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert checker.refs and all(ref.startswith("#") for ref in checker.refs), checker.refs


def test_every_internal_link_has_a_target(report):
    _, _, checker = report
    assert {ref[1:] for ref in checker.refs} <= set(checker.ids)


def test_achievement_points_and_payment_arithmetic(report):
    _, _, checker = report
    text = plain(checker)
    assert "75.0%" in text and "3 / 4" in text and "3.75" in text
    pounds = 3.75 * 213.43 * 7 / (0.034 * 9639)
    assert f"3.75 points × £213.43 × register 7 ÷ (3.40% × 9,639) = £{pounds:,.2f}" in text
    assert "50.0%" in text  # CAN005: 1 of 2
    assert "0.00 points × £213.43 × register 7 ÷ (3.40% × 9,639) = £0.00" in text


def test_bars_are_accessible_svg(report):
    _, html, _ = report
    assert html.count('<svg class="bar"') == 2
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "CAN004 achievement 75.0%" in html


def test_payment_status_in_words(report):
    _, _, checker = report
    text = plain(checker)
    assert "paid on this year's achievement" in text
    assert "income-protected: paid at the points achieved in 2022-23" in text  # CAN001 in 2023-24


def test_provenance_and_demonstration_warning(report):
    result, _, checker = report
    text = plain(checker)
    assert "Example codes stand in for national lists: these numbers are a demonstration" in text
    for line in result.clusters.provenance_lines():
        assert " ".join(line.split()) in text
    for warning in result.clusters.warnings():
        assert " ".join(warning.split()) in text


def test_pcn_overview_and_sections(report):
    _, _, checker = report
    text = plain(checker)
    assert "PCN U00001: 1 practice" in text and "PCN U00001 total" in text
    for section in SECTIONS:
        assert section.id in checker.ids


def test_input_quality_counts_only(report):
    _, html, checker = report
    text = plain(checker)
    assert "not a date (expected YYYY-MM-DD)" in text and "patients.csv" in text
    assert BAD_DOB not in html


def test_no_patient_identifiers(report):
    result, html, _ = report
    assert result.outcomes.num_rows > 0  # there were patient rows to leak
    assert SECRET not in html


def test_in_year_run_says_so(tmp_path):
    ppath, epath = _write(tmp_path, CASES)
    result = api.run(ppath, epath, year="2023-24", as_of=date(2023, 12, 1), today=TODAY)
    text = plain(check_html(render_report(result, generated=GENERATED)))
    assert "In-year position, not the year-end result" in text
    assert "read up to 2023-12-01" in text


def test_header_names_year_rules_dates_and_tool(report):
    _, _, checker = report
    text = plain(checker)
    assert "QOF cancer indicators 2023-24" in text and "v48" in text
    assert "Achievement date 2024-03-31" in text and "2026-06-01 09:30" in text
    assert f"qof-cancer {qof_cancer.__version__}" in text


def test_year_end_run_has_no_in_year_warning(report):
    _, _, checker = report
    assert "In-year position" not in plain(checker)


def test_2024_25_shows_income_protection(tmp_path):
    cases = [
        [["CAN_COD", "2022-09-01"], ["MDRV_COD", "2023-05-01"]],  # reviewed in time for 2023-24
        [["CAN_COD", "2023-06-01"]],  # missed for 2024-25
    ]
    ppath, epath = _write(tmp_path, cases)
    result = api.run(ppath, epath, year="2024-25", today=TODAY)
    text = plain(check_html(render_report(result, generated=GENERATED)))
    assert "income-protected: paid at the points achieved in 2023-24" in text
    assert "6.00 points achieved in 2023-24, computed from this extract" in text
    pounds = 6 * 220.62 * 2 / (0.038 * 9964)
    assert f"6.00 points × £220.62 × register 2 ÷ (3.80% × 9,964) = £{pounds:,.2f}" in text


def test_no_pcn_no_overview(tmp_path):
    ppath, epath = _write(tmp_path, CASES, pcn=None)
    result = api.run(ppath, epath, year="2023-24", today=TODAY)
    checker = check_html(render_report(result, generated=GENERATED))
    assert "pcn" not in checker.ids and "PCN overview" not in plain(checker)
    assert "practices" in checker.ids


def test_write_report_is_atomic_and_complete(tmp_path, report):
    result, html, _ = report
    target = write_report(result, tmp_path / "out" / "report.html", generated=GENERATED)
    assert target.read_text(encoding="utf-8") == html
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_checker_catches_what_it_should():
    """The checks above can fail: an external image and a misnested tag are caught."""
    checker = check_html('<div><img src="https://example.org/x.png"><p></div>')
    assert checker.errors and checker.refs == ["https://example.org/x.png"]


def test_retired_year_and_local_scheme_pounds_per_patient(tmp_path):
    """2025-26: retired indicators say no points are paid; a scheme paying per patient shows that sum."""
    cases = [
        [["CAN_COD", "2025-03-10"], ["CANPCSUPP_COD", "2025-04-05"]],
        [["CAN_COD", "2025-03-20"], ["CANPCSUPP_COD", "2025-04-10"]],
        [["CAN_COD", "2025-03-25"]],
    ]
    ppath, epath = _write(tmp_path, cases)
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(
        "scheme: North ICB cancer LES\nyears: [2025-26]\nindicators:\n  CAN005: {pounds_per_patient: 12.5}\n"
    )
    result = api.run(ppath, epath, year="2025-26", scheme=scheme, today=TODAY)
    text = plain(check_html(render_report(result, generated=GENERATED)))
    assert "retired nationally" in text and "no points paid this year: £0.00" in text
    assert "2 patients × £12.50 = £25.00" in text and "local scheme North ICB cancer LES" in text
