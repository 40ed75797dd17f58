"""The bundled published figures: the totals the README states, replacement folders, `reference show`."""

from __future__ import annotations

import shutil
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest

from qof_cancer.cli import main
from qof_cancer.errors import UserError
from qof_cancer.reference import AGE_BANDS, load_reference

BUNDLED = Path(str(files("qof_cancer.reference") / "data"))


def test_bundled_totals_match_the_published_england_figures():
    """England 2024-25: register 2,424,102 over 63,766,671 patients in 6,188 practices (data README)."""
    ref = load_reference()
    rows = ref.with_register()
    assert len(rows) == 6188
    assert sum(p.register for p in rows) == 2_424_102
    assert sum(p.list_size for p in rows) == 63_766_671
    prevalences = sorted(p.prevalence for p in rows)
    assert prevalences[len(prevalences) // 2] == pytest.approx(0.0383, abs=0.0001)
    # 69 practices of 2024-25 closed or merged before the July 2026 mapping: no PCN for them.
    assert sum(1 for p in rows if p.pcn_code is None) == 69


def test_a_practice_has_its_mapping_bands_and_deprivation():
    """A81001's row as published: register 144 of 3,904; 20 bands per sex adding up to the July total."""
    p = load_reference().get(" a81001 ")
    assert (p.register, p.list_size, p.pcn_code, p.icb_code) == (144, 3904, "U89141", "QHM")
    assert len(p.female) == len(p.male) == len(AGE_BANDS) == 20
    assert sum(p.band_totals) == 3733  # the file's ALL/ALL row for A81001
    assert p.imd_score == pytest.approx(33.519)
    assert load_reference().get("Y90001") is None


def test_a_replacement_folder_is_read_and_a_missing_file_named(tmp_path, monkeypatch):
    folder = tmp_path / "newer"
    shutil.copytree(BUNDLED, folder)
    (folder / "qof_2024-25_cancer_register.csv").write_text(
        "practice_code,can_register,list_size\nA81001,150,4000\n", encoding="utf-8"
    )
    monkeypatch.setenv("QOF_CANCER_REFERENCE", str(folder))
    assert load_reference().get("A81001").register == 150
    assert len(load_reference().with_register()) == 1
    (folder / "practice_imd_2025.csv").unlink()
    with pytest.raises(UserError, match="practice_imd_2025.csv is missing"):
        load_reference()


def test_reference_show_says_what_is_bundled_and_its_attribution(capsys):
    assert main(["reference", "show"]) == 0
    out = capsys.readouterr().out
    assert "qof_2024-25_cancer_register.csv" in out and "3.80%" in out
    assert "Open Government Licence v3.0" in out


def test_reference_show_one_practice_and_an_unknown_code(capsys):
    assert main(["reference", "show", "A81001"]) == 0
    assert "register 144, list size 3,904" in capsys.readouterr().out
    assert main(["reference", "show", "Y90001"]) == 2
    assert "not in the reference data" in capsys.readouterr().err


def test_a_files_age_is_counted_in_calendar_months():
    from qof_cancer.reference import months_old

    assert months_old("2026-07-01", date(2026, 12, 2)) == 5
    assert months_old("2025-11", date(2026, 1, 31)) == 2  # across a year end
    assert months_old("2027-01-01", date(2026, 12, 2)) == -1  # dated ahead
    assert months_old(None, date(2026, 12, 2)) is None
