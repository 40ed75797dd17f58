"""UK phone numbers: is this a mobile a practice can text?

`classify_uk_phone` returns one of `mobile`, `landline`, `personal_070`, `pager`, `malformed`, `missing`.
The rules (shared/research/screening.md section 5, Ofcom's numbering plan):

1. Spaces, hyphens, dots, slashes and brackets are ignored, and so is "(0)" after +44. Anything else
   that is not a digit (a letter O for a zero, say) makes the number malformed.
2. +44, 0044 and 44 (followed by ten digits) are read as the UK trunk 0.
3. A UK mobile is 07 plus nine digits. 070 is personal numbering (it looks like a mobile but is not
   one, and may be premium rate) and 076 is pagers, except 07624 (Isle of Man mobiles).
4. Otherwise the `phonenumbers` library (Google's libphonenumber metadata) decides: a valid UK number
   (Channel Islands and the Isle of Man included, as they share +44) of mobile type is a mobile, of any
   other type a landline. A number that is not valid, or not a UK number, is malformed: it is on the list
   to check with the patient.

libphonenumber treats Ofcom's drama ranges as invalid. Two of them, 07700 900000-900999 (mobile) and
01632 960000-960999 (landline), are classified here by their shape instead, so that synthetic data and
worked examples behave like real numbers; no real subscriber can hold one.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

__all__ = ["PHONE_CLASSES", "classify_uk_phone", "format_uk_mobile"]

PHONE_CLASSES = ("mobile", "landline", "personal_070", "pager", "malformed", "missing")

_SEPARATORS = re.compile(r"[\s\-./()]")
_UK_REGIONS = frozenset({"GB", "JE", "GG", "IM"})
_DRAMA_MOBILE = re.compile(r"07700900\d{3}")
_DRAMA_LANDLINE = re.compile(r"01632960\d{3}")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE})
_NOT_LANDLINE = frozenset({PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UNKNOWN})


def _national(text: str) -> str | None:
    """The number as UK national digits starting 0, '' for a non-UK number, None when malformed."""
    compact = text.strip().replace("(0)", "") if text.strip().startswith("+44") else text.strip()
    compact = _SEPARATORS.sub("", compact)
    if compact.startswith("+"):
        if not compact[1:].isdigit():
            return None
        compact = "00" + compact[1:]
    if not compact.isdigit():
        return None
    if compact.startswith("0044"):
        # "+44 07700 900123": the trunk 0 written after the country code as well.
        rest = compact[4:]
        return "0" + (rest[1:] if rest.startswith("0") else rest)
    if compact.startswith("00"):
        return ""  # another country's number
    if compact.startswith("44") and len(compact) == 12:
        return "0" + compact[2:]
    return compact


def classify_uk_phone(text: str | None) -> str:
    """Classify one phone number as written in a patient record (see the module docstring)."""
    if text is None or not str(text).strip():
        return "missing"
    national = _national(str(text))
    if not national:
        return "malformed"
    if national.startswith("07"):
        if len(national) != 11:
            return "malformed"
        if national.startswith("070"):
            return "personal_070"
        if national.startswith("076") and not national.startswith("07624"):
            return "pager"
        if _DRAMA_MOBILE.fullmatch(national):
            return "mobile"
    elif _DRAMA_LANDLINE.fullmatch(national):
        return "landline"
    try:
        number = phonenumbers.parse(national, "GB")
    except NumberParseException:
        return "malformed"
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) not in _UK_REGIONS
    ):
        return "malformed"
    kind = phonenumbers.number_type(number)
    if kind in _MOBILE_TYPES:
        return "mobile"
    if kind in _NOT_LANDLINE:
        return "malformed"
    return "landline"


def format_uk_mobile(text: str | None) -> str | None:
    """A usable mobile written the national way, `07700900123`; None when it is not a usable mobile."""
    if classify_uk_phone(text) != "mobile":
        return None
    return _national(str(text))
