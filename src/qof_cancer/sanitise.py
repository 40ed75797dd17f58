"""Values made safe to leave the program: spreadsheet cells that cannot run, file names that cannot escape.

A CSV or Excel cell whose text starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which
spreadsheets skip before reading one of those) is taken by Excel, LibreOffice and Google Sheets as a
formula: `=HYPERLINK("http://evil.example","x")` in a patient's name field would become a live link in
worklist.xlsx. Such text is written with a leading apostrophe, which every spreadsheet shows as text
(OWASP's advice for CSV injection). Signed numbers written as text (`+44 7700 900123`, `+44 (0)1632 960000`, `-3.5`) cannot run
and are left alone, so bulk-SMS tools still read the phone numbers.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable

__all__ = ["safe_cell", "safe_row", "safe_file_name", "describe_header", "FORMULA_TRIGGERS", "PLAIN_NUMBER"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9(][0-9 ()]*(\.[0-9]+)?")
# The same test for writers that apply it in SQL (outputs/files.py writes large tables in the engine).
FORMULA_TRIGGERS = _TRIGGERS
PLAIN_NUMBER = _PLAIN_NUMBER.pattern
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def safe_cell(value: object) -> object:
    """`value` unchanged unless it is text a spreadsheet would run as a formula; then `'` + the text."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: dict) -> dict:
    """Every cell of a row through `safe_cell`."""
    return {k: safe_cell(v) for k, v in row.items()}


def safe_file_name(text: object, what: str = "name") -> str:
    """A file-name stem from a value in the data (a practice code): letters, digits, `-` and `_` only.

    A value that is already safe is used as it is (`A81001`). Anything else (`../../x`, `/tmp/x/ABS`, an
    empty code) cannot name a path outside its folder: the unsafe characters become `_` and a short hash
    of the original is added, so two different unsafe values never share a file.
    """
    raw = "" if text is None else str(text)
    if _SAFE_NAME.fullmatch(raw):
        return raw
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", raw).strip("_-")[:40]
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem = f"{cleaned}-{digest}" if cleaned and cleaned[0].isalnum() else f"{what}-{digest}"
    assert _SAFE_NAME.fullmatch(stem), stem  # by construction; never a path outside the folder
    return stem


_AUTO_NAME = re.compile(r"column[0-9]+")


def describe_header(missing: str, found: Iterable[str], known: Iterable[str]) -> str:
    """What a header row held, in words that cannot carry a patient value.

    A file without its header row has a first patient as its "header", so unknown names are never
    printed as they are: only names of the data contract, and an unknown name close to the missing one
    (a typo such as `patientid`) are shown; the rest are counted.
    """
    names = [str(n).strip() for n in found]
    known_set = {k.lower() for k in known}
    shown = [n for n in names if n.lower() in known_set]
    close = difflib.get_close_matches(
        missing.lower(), [n.lower() for n in names if n.lower() not in known_set], 1, 0.8
    )
    others = len(names) - len(shown) - len(close)
    if not shown and (others or any(_AUTO_NAME.fullmatch(n.lower()) for n in names)) and not close:
        return "the first row holds none of the column names: is the header row missing?"
    parts = []
    if shown:
        parts.append("found: " + ", ".join(shown))
    if close:
        parts.append(f"did you mean '{close[0]}'?")
    if others:
        parts.append(f"and {others} other column(s), not shown")
    return "; ".join(parts) if parts else "no columns"
