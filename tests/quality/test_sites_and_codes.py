"""The data files of the checks: the cancer site groups in step with CAN_COD, and the sourced list of
codes that look like cancer but are not in CAN_COD."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import qof_cancer.synth
from qof_cancer.codes import load_clusters
from qof_cancer.codes.snomed import check_concept_id
from qof_cancer.quality.codes import (
    CANCERLIKE_CLUSTER,
    PLACEHOLDER_CLUSTER,
    extra_clusters,
    load_cancer_like,
)
from qof_cancer.quality.sites import SITES, SITES_FILE, build_sites, classify_term, is_history_term
from qof_cancer.synth.vocab import load_code_group

CAN_COD = load_clusters()["CAN_COD"]


def _committed() -> list[tuple[str, str, str]]:
    with SITES_FILE.open(newline="", encoding="utf-8") as fh:
        return [(r["code"], r["site"], r["method"]) for r in csv.DictReader(fh)]


def test_site_file_is_in_step_with_can_cod():
    """Rebuild with `python -m qof_cancer.quality.sites` when CAN_COD or the rules change."""
    assert _committed() == build_sites()
    assert {code for code, _, _ in _committed()} == set(CAN_COD.codes)


def test_every_code_has_a_known_site_with_other_and_unspecified_groups():
    sites = {site for _, site, _ in _committed()}
    assert sites <= set(SITES)
    assert {"other", "unspecified", "secondary", "breast", "lung", "colorectal", "prostate"} <= sites
    assert {"haematological", "melanoma"} <= sites


def test_the_generator_sites_land_in_the_matching_groups():
    expected = {
        "colon": "colorectal",
        "rectum": "colorectal",
        "non_hodgkin_lymphoma": "haematological",
        "chronic_lymphoid_leukaemia": "haematological",
        "myeloma": "haematological",
        "liver": "liver_biliary",
        "brain": "brain_cns",
        "oropharynx": "head_and_neck",
    }
    committed = {code: site for code, site, _ in _committed()}
    with (Path(qof_cancer.synth.__file__).parent / "data" / "cancer_sites.csv").open() as fh:
        for row in csv.DictReader(fh):
            assert committed[row["code"]] == expected.get(row["site"], row["site"]), row["site"]


@pytest.mark.parametrize(
    "term, site",
    [
        ("Malignant neoplasm of breast (disorder)", "breast"),
        ("History of primary malignant neoplasm of right lung (situation)", "lung"),
        ("Metastasis from malignant tumor of prostate (disorder)", "prostate"),
        ("Metastatic malignant neoplasm to liver (disorder)", "secondary"),
        ("Metastatic malignant melanoma to right kidney (disorder)", "melanoma"),
        ("Metastasis from malignant tumor of adrenal gland (disorder)", "other_endocrine"),
        ("Diffuse non-Hodgkin's lymphoma of prostate (disorder)", "haematological"),
        ("Carcinosarcoma of uterus (disorder)", "uterus"),
        ("Malignant tumor involving vagina by direct extension from uterine cervix (disorder)", "cervix"),
        ("Malignant neoplastic disease (disorder)", "unspecified"),
        ("Squamous cell carcinoma arising in chronic ulcer (disorder)", "other"),
        ("", "unspecified"),
    ],
)
def test_term_rules(term, site):
    assert classify_term(term).site == site


def test_history_terms():
    assert is_history_term("History of leukemia (situation)")
    assert is_history_term("Personal history of primary malignant neoplasm of lung (situation)")
    assert not is_history_term("Malignant neoplasm of breast (disorder)")


def test_cancer_like_codes_are_sourced_snomed_codes_outside_can_cod():
    codes = load_cancer_like()
    assert len({c.code for c in codes}) == len(codes)
    for c in codes:
        assert check_concept_id(c.code) is None, c.code
        assert c.code not in CAN_COD.codes, c.code
        assert c.source in ("synth", "gm-sde-skin", "gm-sde-cancer-v2"), c.code
        assert c.kind in (
            "basal_cell_carcinoma",
            "squamous_cell_carcinoma_of_skin",
            "skin_cancer_unspecified",
            "morphology",
        )
        if c.kind == "morphology":
            assert c.suggested_code in CAN_COD.codes, c.code
        else:
            assert c.suggested_code == "", c.code


def test_the_generator_planted_codes_are_on_the_list():
    listed = {c.code: c.kind for c in load_cancer_like()}
    for group, kind in (
        ("morphology", "morphology"),
        ("nmsc", "basal_cell_carcinoma"),
        ("nmsc_morphology", "basal_cell_carcinoma"),
    ):
        for code in load_code_group(group):
            assert listed[code] == kind


def test_extra_clusters_load_the_cancer_like_and_placeholder_codes():
    extra = extra_clusters()
    assert extra[CANCERLIKE_CLUSTER] == {c.code for c in load_cancer_like()}
    example = {code for c in load_clusters().clusters.values() if c.is_example for code in c.codes}
    assert extra[PLACEHOLDER_CLUSTER] == example
