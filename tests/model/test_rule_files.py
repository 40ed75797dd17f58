"""Rule files are checked at load: a broken file names its file, line and field."""

from __future__ import annotations

import shutil
from datetime import date
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
            "rules.4.when.record_in_year.clustrs",
            "unknown parameter; expected clusters",
        ),
        (
            "{record_in_year: {clusters: [CANPCAPU_COD]}}",
            "{record_on_day: {clusters: [CANPCAPU_COD]}}",
            "rules.4.when.record_on_day",
            "unknown condition",
        ),
        (
            "review_window: 12 months",
            "review_window: 12 fortnights",
            "rules.3.when.record_after_diagnosis.within",
            "expected a duration like '3 months' or '93 days'",
        ),
        ("outcome: pca_dissent", "outcome: pca_disent", "rules", "outcome 'pca_disent'"),
        (
            "months_before: $recent_registration_months",
            "months_before: $recent_registration",
            "rules.8.when.registered_after.months_before",
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
        assert err.line >= _line_of(target, f"rule: R{[1, '1b', '1c', 2, 3, 4, 5, 6, 7, 8][rule_no]}")


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
    rs = load_ruleset(settings={"CAN005": {"support_window": "3 months", "accept_mdrv_as_support": True}})
    r1c, r2 = rs.indicator("CAN005").rules[2:4]
    assert str(r2.when.within) == "3 months" and r2.when.clusters == ("CANPCSUPP_COD", "MDRV_COD")
    assert "within 3 months" in r2.says
    # The earlier-year exclusion reads the same records as the rule it guards.
    assert r1c.when.clusters == ("CANPCSUPP_COD", "MDRV_COD") and r1c.outcome == "excluded_earlier_year"


@pytest.mark.parametrize("value, since", [("any", "any"), ("off", "off"), (False, "off")])
def test_earlier_year_exclusion_setting(value, since):
    rs = load_ruleset(settings={"CAN004": {"earlier_year_exclusion": value}})
    assert rs.indicator("CAN004").rules[2].when.since == since


def test_earlier_year_exclusion_setting_rejects_other_values():
    with pytest.raises(RuleFileError, match="expected since_diagnosis, any or off"):
        load_ruleset(settings={"CAN004": {"earlier_year_exclusion": "sometimes"}})


def test_every_rule_carries_its_national_name_and_type():
    rs = load_ruleset()
    names = {(i.id, r.national.name, r.national.type) for i in rs.ratio_indicators for r in i.rules}
    assert ("CAN004", "MDRV_DAT", "exclusion") in names and ("CAN005", "CANSUP12M", "exclusion") in names
    assert ("CAN004", "REG1_DAT3", "pca") in names and ("CAN005", "DIAGCSUP3M", "exclusion") in names


def test_a_pca_outcome_with_an_exclusion_type_is_refused(tmp_path):
    paths = _copy_rules(tmp_path)
    target = tmp_path / "CAN004.yaml"
    _break(target, "{name: REG1_DAT3, type: pca}", "{name: REG1_DAT3, type: exclusion}")
    with pytest.raises(RuleFileError, match="pca_recent_registration must have national type pca"):
        load_ruleset(indicator_paths=paths)


def test_an_old_outcome_name_in_a_rule_file_is_read_as_the_new_one(tmp_path):
    paths = _copy_rules(tmp_path)
    target = tmp_path / "CAN004.yaml"
    _break(target, "outcome: pca_recent_registration", "outcome: excluded_recent_registration")
    rs = load_ruleset(indicator_paths=paths)
    assert rs.indicator("CAN004").rules[-2].outcome == "pca_recent_registration"


def test_unknown_setting_is_a_user_error():
    with pytest.raises(UserError, match="CAN004: unknown setting 'review_windw'"):
        load_ruleset(settings={"CAN004": {"review_windw": "6 months"}})


def test_unknown_year_lists_the_known_ones():
    with pytest.raises(UserError, match="unknown QOF year '2019-20'; known years: 2021-22, 2022-23"):
        load_ruleset().period("2019-20", None)


def test_run_with_no_year_on_2_december_2026_is_2026_27():
    period = load_ruleset(today=date(2026, 12, 2)).period(None, None, today=date(2026, 12, 2))
    assert (period.year.id, period.ppsd, period.pped, period.ach) == (
        "2026-27",
        date(2026, 4, 1),
        date(2027, 3, 31),
        date(2026, 12, 2),
    )
    assert all(yi.status == "retired" for yi in period.year.indicators.values())
    assert period.year.indicators["CAN004"].upper == 90 and period.year.carried_from == "2025-26"
    assert "after the last year in the rule files" in period.year.derived_note


def test_later_years_follow_by_rule_so_the_tool_does_not_expire():
    rs = load_ruleset(today=date(2026, 12, 2))
    year = rs.year("2031-32")
    assert (year.ppsd, year.pped, year.carried_from) == (date(2031, 4, 1), date(2032, 3, 31), "2025-26")
    assert rs.year_for(date(2030, 2, 1)).id == "2029-30"
    with pytest.raises(UserError, match="unknown QOF year '2026-28'"):
        rs.year("2026-28")
    with pytest.raises(UserError, match="before the first QOF year"):
        rs.year_for(date(2020, 5, 1))


def test_a_scheme_can_name_a_later_year(tmp_path):
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text("scheme: North LES\nyears: [2027-28]\npounds_per_point: 190\n")
    rs = load_ruleset(scheme=scheme, today=date(2026, 12, 2))
    year = rs.year("2027-28")
    assert year.scheme == "North LES" and year.pounds_per_point == 190
    assert rs.year("2026-27").scheme is None
