"""Rule files are checked at load: a broken file names its file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qof_cancer.errors import RuleFileError, UserError
from qof_cancer.model import load_ruleset
from qof_cancer.rules import bundled_indicator_paths


def _copy_rules(tmp_path: Path) -> list[Path]:
    paths = []
    for p in bundled_indicator_paths():
        shutil.copy(p, tmp_path / p.name)
        paths.append(tmp_path / p.name)
    return paths


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "old,new,field,problem",
    [
        (
            "{diagnosis_on_or_before: {anchor: PPED, months_before: $lookback_months}}",
            "{diagnosis_on_or_before: {anchor: PPEX, months_before: $lookback_months}}",
            "rules.0.when.diagnosis_on_or_before",
            "anchor must be one of PPSD, PPED, ACH, not 'PPEX'",
        ),
        (
            "{record_in_year: {clusters: [CANPCAPU_COD]}}",
            "{record_in_year: {clustrs: [CANPCAPU_COD]}}",
            "rules.3.when.record_in_year.clustrs",
            "unknown parameter; expected clusters",
        ),
        (
            "{record_in_year: {clusters: [CANPCAPU_COD]}}",
            "{record_on_day: {clusters: [CANPCAPU_COD]}}",
            "rules.3.when.record_on_day",
            "unknown condition",
        ),
        (
            "review_window: 12 months",
            "review_window: 12 fortnights",
            "rules.2.when.record_after_diagnosis.within",
            "expected a duration like '3 months' or '93 days'",
        ),
        ("outcome: pca_dissent", "outcome: pca_disent", "rules", "outcome 'pca_disent'"),
        (
            "months_before: $recent_registration_months",
            "months_before: $recent_registration",
            "rules.7.when.registered_after.months_before",
            "setting 'recent_registration' is not defined",
        ),
    ],
)
def test_broken_indicator_file_names_file_line_and_field(tmp_path, old, new, field, problem):
    paths = _copy_rules(tmp_path)
    target = tmp_path / "CAN004.yaml"
    _break(target, old, new)
    with pytest.raises(RuleFileError) as info:
        load_ruleset(indicator_paths=paths)
    err = info.value
    assert err.path == str(target)
    assert err.field == field
    if problem:
        assert problem in err.problem
    assert err.line is not None and 1 <= err.line <= len(target.read_text().splitlines())
    if field.startswith("rules."):
        rule_no = int(field.split(".")[1])
        # The line points into the rule that is wrong.
        assert err.line >= _line_of(target, f"rule: R{[1, '1b', 2, 3, 4, 5, 6, 7, 8][rule_no]}")


def test_yaml_syntax_error_has_its_line(tmp_path):
    paths = _copy_rules(tmp_path)
    target = tmp_path / "CAN005.yaml"
    _break(target, "kind: ratio", "kind: [ratio")
    with pytest.raises(RuleFileError) as info:
        load_ruleset(indicator_paths=paths)
    assert info.value.field == "(syntax)" and info.value.path == str(target)
    assert info.value.line is not None


def test_last_rule_must_catch_everyone(tmp_path):
    paths = _copy_rules(tmp_path)
    _break(
        tmp_path / "CAN005.yaml",
        "outcome: not_met\n    when: {always: {}}",
        "outcome: not_met\n    when: {no_diagnosis: {}}",
    )
    with pytest.raises(RuleFileError, match="the last rule must be 'always'"):
        load_ruleset(indicator_paths=paths)


def test_setting_overrides_change_rules_and_wording():
    rs = load_ruleset(settings={"CAN005": {"support_window": "93 days", "accept_mdrv_as_support": True}})
    r2 = rs.indicator("CAN005").rules[2]
    assert str(r2.when.within) == "93 days" and r2.when.clusters == ("CANPCSUPP_COD", "MDRV_COD")
    assert "within 93 days" in r2.says


def test_unknown_setting_is_a_user_error():
    with pytest.raises(UserError, match="CAN004: unknown setting 'review_windw'"):
        load_ruleset(settings={"CAN004": {"review_windw": "6 months"}})


def test_unknown_year_lists_the_known_ones():
    with pytest.raises(UserError, match="unknown QOF year '2019-20'; known years: 2021-22, 2022-23"):
        load_ruleset().period("2019-20", None)
