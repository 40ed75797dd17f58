"""Code clusters: SNOMED CT id checks, importing the national refset formats, local codes, `codes show`."""

from __future__ import annotations

import pytest

from qof_cancer.codes.snomed import check_concept_id, check_sctid, verhoeff_check_digit, verhoeff_valid

# ---------------------------------------------------------------------------------------------------
# SNOMED CT identifiers

GOOD_CONCEPT_IDS = [
    "720006006",  # Cancer care review
    "254701007",  # a cancer concept
    "138875005",  # SNOMED CT root concept
    "404684003",  # Clinical finding
    "999013651000230103",  # CAN_COD refset id (a concept, namespace partition 10)
    "999026491000230108",  # CANPCSUPP_COD refset id
]


@pytest.mark.parametrize("code", GOOD_CONCEPT_IDS)
def test_known_concept_ids_pass(code):
    assert check_concept_id(code) is None


def test_verhoeff_matches_the_textbook_example():
    assert verhoeff_check_digit("236") == "3"
    assert verhoeff_valid("2363")
    assert not verhoeff_valid("2364")


@pytest.mark.parametrize(
    "code, words",
    [
        ("720006007", "check digit"),  # last digit changed
        ("720060006", "check digit"),  # two digits swapped
        ("0720006006", "starts with 0"),
        ("12345", "5 digits"),
        ("1234567890123456789", "19 digits"),
        ("7.2E+08", "digits only"),
        ("LOCAL-CANINVITE-01", "digits only"),
        ("", "digits only"),
        ("720006036", "partition identifier 03"),
    ],
)
def test_bad_ids_say_what_is_wrong(code, words):
    problem = check_concept_id(code)
    assert problem is not None and words in problem


def _with_check_digit(payload: str) -> str:
    return payload + verhoeff_check_digit(payload)


def test_description_and_relationship_ids_are_not_concepts():
    # The two digits before the check digit are the partition: 01 description, 02 relationship.
    desc, rel, concept = (_with_check_digit("1234567" + part) for part in ("01", "02", "00"))
    assert check_sctid(desc) is None and check_sctid(rel) is None
    assert check_concept_id(concept) is None
    assert "description id" in check_concept_id(desc)
    assert "relationship id" in check_concept_id(rel)
