"""Is this a UK mobile a bulk-SMS tool can text? One small rule, shared by the worklists and screening.

`phonenumbers` reads the many ways a number gets typed (`+44 (0)7700 900123`, `0044 7700-900123`,
`07700 900 123`) into its national significant number; the UK numbering plan then decides:

- a mobile is `07` + 9 digits (10 national digits starting 7);
- `070` is personal numbering (it looks like a mobile, may be premium rate): `personal_070`;
- `076` is pagers, except `07624` (Isle of Man mobiles): `pager`.

`phonenumbers.is_valid_number` is deliberately not required for mobiles: it rejects Ofcom's drama range
07700 900000-900999, which the synthetic data and test fixtures use, and it lags new allocations. Letters
are refused before parsing, because `phonenumbers` would read `9OO` as the vanity digits `966`.
"""

from __future__ import annotations

import re

import phonenumbers

__all__ = ["PHONE_CLASSES", "classify_uk_phone", "format_uk_mobile"]

PHONE_CLASSES = ("mobile", "landline", "personal_070", "pager", "malformed", "missing")

_ALLOWED = re.compile(r"^[0-9+()\-. \t]+$")
_LANDLINE_LEADS = "123589"  # geographic 01/02, non-geographic 03, corporate 05, freephone 08, premium 09


def _national_digits(text: str) -> str | None:
    """The UK national significant number of `text`, or None when it is not a +44 number."""
    if not _ALLOWED.match(text):
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44 or number.extension:
        return None
    return phonenumbers.national_significant_number(number)


def classify_uk_phone(text: object) -> str:
    """One of `mobile`, `landline`, `personal_070`, `pager`, `malformed` or `missing`.

    Only `mobile` can receive a text message. A number from outside the UK numbering plan (+44, which
    includes the Channel Islands and the Isle of Man) is `malformed` for this purpose.
    """
    if text is None or not str(text).strip():
        return "missing"
    digits = _national_digits(str(text).strip())
    if digits is None:
        return "malformed"
    if digits.startswith("7"):
        if len(digits) != 10:
            return "malformed"
        if digits.startswith("70"):
            return "personal_070"
        if digits.startswith("76") and not digits.startswith("7624"):
            return "pager"
        return "mobile"
    if digits[0] in _LANDLINE_LEADS and len(digits) in (9, 10):
        return "landline"
    return "malformed"


def format_uk_mobile(text: object) -> str | None:
    """A usable mobile written the national way, `07700900123`; None when it is not a usable mobile."""
    if classify_uk_phone(text) != "mobile":
        return None
    return "0" + str(_national_digits(str(text).strip()))
