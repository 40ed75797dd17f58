"""SNOMED CT identifier checks: length, leading zero, partition identifier and Verhoeff check digit.

An SCTID is 6 to 18 digits with no leading zero. Its last digit is a Verhoeff check digit; the two digits
before it are the partition identifier, which says what kind of component the id names:
00/10 concept, 01/11 description, 02/12 relationship (the "1x" forms carry a namespace, as the UK
Primary Care Domain refset ids do). Codes in a cluster must be concept ids.
"""

from __future__ import annotations

import re

__all__ = [
    "check_record_code",
    "CONCEPT_PARTITIONS",
    "PARTITIONS",
    "check_concept_id",
    "check_sctid",
    "is_concept_id",
    "verhoeff_check_digit",
    "verhoeff_valid",
]

# Verhoeff's tables, derived rather than typed in (a mistyped table entry passes most ids and fails some).
# _D: multiplication in the dihedral group D5, elements 0-4 rotations and 5-9 reflections.
# _P: the position permutation p applied i times, p = (1 5 7 6 2 8 3 0 9 4).


def _d5(a: int, b: int) -> int:
    if a < 5:
        return (a + b) % 5 if b < 5 else 5 + (a + b) % 5
    return 5 + (a - b) % 5 if b < 5 else (a - b) % 5


_D = tuple(tuple(_d5(a, b) for b in range(10)) for a in range(10))
_P1 = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
_P: tuple[tuple[int, ...], ...] = (tuple(range(10)),)
for _ in range(7):
    _P = (*_P, tuple(_P1[x] for x in _P[-1]))
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

PARTITIONS = {
    "00": "concept",
    "01": "description",
    "02": "relationship",
    "10": "concept",
    "11": "description",
    "12": "relationship",
}
CONCEPT_PARTITIONS = frozenset({"00", "10"})


def _checksum(digits: str, offset: int) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + offset) % 8][int(ch)]]
    return c


def verhoeff_check_digit(payload: str) -> str:
    """The Verhoeff check digit to append to `payload` (a string of digits)."""
    if not payload.isdigit():
        raise ValueError(f"not digits: {payload!r}")
    return str(_INV[_checksum(payload, 1)])


def verhoeff_valid(number: str) -> bool:
    """True when the last digit of `number` is its Verhoeff check digit."""
    return number.isdigit() and _checksum(number, 0) == 0


def check_sctid(value: str) -> str | None:
    """None when `value` is a well-formed SNOMED CT identifier of any kind, else what is wrong, in words."""
    if not value.isascii() or not value.isdigit():
        return "not a SNOMED CT identifier (digits only)"
    if not 6 <= len(value) <= 18:
        return f"not a SNOMED CT identifier ({len(value)} digits; SNOMED CT ids have 6 to 18)"
    if value[0] == "0":
        return "not a SNOMED CT identifier (starts with 0)"
    if value[-3:-1] not in PARTITIONS:
        return f"not a SNOMED CT identifier (partition identifier {value[-3:-1]} is not 00-02 or 10-12)"
    if not verhoeff_valid(value):
        return "not a SNOMED CT identifier (check digit wrong: a digit mistyped or lost?)"
    return None


def check_concept_id(value: str) -> str | None:
    """None when `value` is a well-formed SNOMED CT concept id, else what is wrong, in words."""
    problem = check_sctid(value)
    if problem:
        return problem
    kind = PARTITIONS[value[-3:-1]]
    if kind != "concept":
        return f"a SNOMED CT {kind} id, not a concept id"
    return None


def is_concept_id(value: str) -> bool:
    """True when `value` is a well-formed SNOMED CT concept id."""
    return check_concept_id(value) is None


_LOCAL_CODE = re.compile(
    r"[!-~]{1,40}"
)  # printable ASCII, no spaces: Read, CTV3, EMIS and practice-local codes


# What a SNOMED CT id becomes after a spreadsheet or a float64 column: 254837009.0, 1.101361000000103e+15.
# (Six digits or more before the point: Read and CTV3 codes such as `1371.` have five characters.)
_NUMBER_CODE = re.compile(r"[0-9]{6,}\.0*|[0-9](\.[0-9]+)?[eE][+]?[0-9]+")


def check_record_code(value: str) -> str | None:
    """None when `value` can be the code of a clinical record, else what is wrong, in words.

    All-digit codes must be SNOMED CT concept ids; a number written as a decimal or with an exponent is
    a code that passed through a float and is refused (its digits may be lost); anything else is taken as a local or legacy code
    (Read, CTV3, EMIS, practice-local) as long as it is printable text without spaces.
    """
    if value.isascii() and value.isdigit():
        return check_concept_id(value)
    if _NUMBER_CODE.fullmatch(value):
        return "a code stored as a number (a spreadsheet or a float column added .0 or an exponent): export the code column as text"
    if not _LOCAL_CODE.fullmatch(value):
        return "code has spaces or characters that no code system uses"
    return None
