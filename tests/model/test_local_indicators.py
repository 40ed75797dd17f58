"""An indicator's worklist section and a scheme's own indicators are checked at load: a wrong field names
its file, line and field; a clash or a missing year entry says what to give."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from qof_cancer.errors import RuleFileError, UserError
from qof_cancer.model import load_ruleset
from qof_cancer.rules import bundled_indicator_paths
from qof_cancer.rules.source import _HERE as RULES
from qof_cancer.worklist.lists import list_order

EXAMPLE = RULES / "schemes" / "LCAN006-review-within-6-months.yaml"
TODAY = date(2026, 12, 2)


def _scheme(tmp_path: Path, local: list, indicators: dict | None = None, name: str = "scheme.yaml") -> Path:
    path = tmp_path / name
    body = {
        "scheme": "Test LES",
        "years": ["2026-27"],
        "indicators": indicators
        if indicators is not None
        else {"LCAN006": {"points": 4, "lower": 40, "upper": 75}},
        "local_indicators": local,
    }
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def _example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def test_the_national_rule_files_carry_their_worklist_words():
    rs = load_ruleset(today=TODAY)
    review, support = rs.indicator("CAN004").worklist, rs.indicator("CAN005").worklist
    assert (review.list, review.sheet, review.steps, review.message) == (
        "care_review",
        "CAN004 review",
        "invitations",
        "invitation",
    )
    assert (support.list, support.steps, support.message) == ("support_contact", "contact", "support")
    assert rs.indicator("CAN001").worklist is None
    # Contacts are due at once, so their list comes first; the generic lists follow.
    assert list_order(rs) == ("support_contact", "care_review", "missed", "pca_housekeeping")


def test_an_inline_local_indicator_is_the_same_as_one_beside_the_scheme(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    beside = load_ruleset(scheme=_scheme(tmp_path, [EXAMPLE.name], name="a.yaml"), today=TODAY)
    inline = load_ruleset(scheme=_scheme(tmp_path, [_example()], name="b.yaml"), today=TODAY)
    a, b = beside.indicator("LCAN006"), inline.indicator("LCAN006")
    assert a.rules == b.rules and a.worklist == b.worklist and a.due == b.due
    assert list_order(inline)[:3] == ("support_contact", "care_review", "review_6_months")


def test_an_inline_indicator_error_names_the_scheme_file_and_line(tmp_path):
    broken = _example()
    broken["worklist"]["steps"] = "phone calls"
    path = _scheme(tmp_path, [broken])
    with pytest.raises(RuleFileError) as info:
        load_ruleset(scheme=path, today=TODAY)
    err = info.value
    assert err.path == f"--scheme {path}" and err.field == "local_indicators.0.worklist.steps"
    assert "steps must be one of invitations, contact" in err.problem
    line = path.read_text().splitlines()[err.line - 1]
    assert "phone calls" in line


@pytest.mark.parametrize(
    "change,field,problem",
    [
        (lambda w: w.pop("sheet"), "worklist", "missing required field 'sheet'"),
        (lambda w: w.update(sheet="A sheet name far longer than Excel allows"), "worklist.sheet", "31"),
        (lambda w: w.update(sheet="Missed"), "worklist.sheet", "every workbook has"),
        (lambda w: w.update(list="missed"), "worklist.list", "every run has"),
        (lambda w: w.update(list="Review 6"), "worklist.list", "lower-case"),
        (lambda w: w.update(message="letter"), "worklist.message", "support, invitation, reminder"),
        (lambda w: w.update(colour="red"), "worklist.colour", "unknown field"),
    ],
)
def test_a_wrong_worklist_field_is_named(tmp_path, change, field, problem):
    data = _example()
    change(data["worklist"])
    (tmp_path / "L.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(RuleFileError) as info:
        load_ruleset(scheme=_scheme(tmp_path, ["L.yaml"]), today=TODAY)
    assert info.value.field == field and problem in info.value.problem
    assert info.value.path == str(tmp_path / "L.yaml") and info.value.line is not None


def test_a_ratio_indicator_with_a_completing_record_needs_a_worklist(tmp_path):
    paths = []
    for p in bundled_indicator_paths():
        shutil.copy(p, tmp_path / p.name)
        paths.append(tmp_path / p.name)
    data = yaml.safe_load((tmp_path / "CAN005.yaml").read_text())
    del data["worklist"]
    (tmp_path / "CAN005.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(RuleFileError, match="missing field 'worklist'") as info:
        load_ruleset(indicator_paths=paths, today=TODAY)
    assert info.value.path == str(tmp_path / "CAN005.yaml")


def test_a_local_indicator_needs_its_points_and_thresholds(tmp_path):
    with pytest.raises(RuleFileError, match="LCAN006 is a local indicator: give its points"):
        load_ruleset(scheme=_scheme(tmp_path, [_example()], indicators={}), today=TODAY)
    with pytest.raises(RuleFileError, match="give its lower and upper thresholds"):
        load_ruleset(
            scheme=_scheme(tmp_path, [_example()], indicators={"LCAN006": {"points": 4}}), today=TODAY
        )


def test_a_local_indicator_may_not_take_a_national_id_list_or_sheet(tmp_path):
    clash = {**_example(), "id": "CAN004"}
    with pytest.raises(RuleFileError, match="indicator CAN004 is already defined") as info:
        load_ruleset(scheme=_scheme(tmp_path, [clash]), today=TODAY)
    assert info.value.field == "local_indicators.0"
    same_list = _example()
    same_list["worklist"]["list"] = "care_review"
    with pytest.raises(UserError, match="worklist list 'care_review' is already CAN004's"):
        load_ruleset(scheme=_scheme(tmp_path, [same_list]), today=TODAY)
    same_sheet = _example()
    same_sheet["worklist"]["sheet"] = "can004 REVIEW"
    with pytest.raises(UserError, match="worklist sheet 'can004 review' is already CAN004's"):
        load_ruleset(scheme=_scheme(tmp_path, [same_sheet]), today=TODAY)


def test_a_missing_local_file_and_a_local_register_are_named(tmp_path):
    with pytest.raises(RuleFileError, match="no indicator file 'nowhere.yaml' beside the scheme file"):
        load_ruleset(scheme=_scheme(tmp_path, ["nowhere.yaml"]), today=TODAY)
    register = {**_example(), "kind": "register"}
    with pytest.raises(RuleFileError, match="a local indicator is a ratio indicator"):
        load_ruleset(scheme=_scheme(tmp_path, [register]), today=TODAY)
