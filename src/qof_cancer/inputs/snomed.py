"""Is a code well formed? SNOMED CT ids are checked (length, partition, Verhoeff); local codes are text."""

from __future__ import annotations

import re

__all__ = ["bad_code_reason", "verhoeff_ok"]

# Verhoeff tables (dihedral group D5).
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_LOCAL = re.compile(r"[!-~]{1,40}")  # printable ASCII, no spaces: Read, CTV3, EMIS and practice-local codes


def verhoeff_ok(digits: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def bad_code_reason(code: str) -> str | None:
    """Why `code` is malformed, or None when it is acceptable (a valid SNOMED CT id or a local code)."""
    if code.isdigit():
        if not 6 <= len(code) <= 18:
            return "SNOMED CT id must have 6 to 18 digits"
        if code[0] == "0":
            return "SNOMED CT id cannot start with 0"
        if code[-3:-1] not in ("00", "10"):
            return "not a SNOMED CT concept id (partition digits)"
        if not verhoeff_ok(code):
            return "SNOMED CT id fails its check digit"
        return None
    if not _LOCAL.fullmatch(code):
        return "code has spaces or characters that no code system uses"
    return None
