"""NHS numbers, phone numbers and email addresses that can never belong to a real person.

- NHS numbers come from the 999 test range with a valid modulus-11 check digit.
- Mobiles use Ofcom's drama range 07700 900000-900999 and landlines 01632 960000-960999
  (shared/research/screening.md section 5). 070 and 076 numbers use the same 900xxx block.
- Emails use example.org, a domain reserved for documentation (RFC 2606).
String building is done by pyarrow compute, so a million patients take well under a second.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from qof_cancer.synth.events import PlantedBuilder
from qof_cancer.synth.params import MOBILE_CATEGORIES, SynthParams

__all__ = ["valid_test_nhs_numbers", "nhs_number_is_valid", "make_contact"]

_WEIGHTS = np.arange(10, 1, -1)  # modulus-11 weights for the first nine digits


def _check_digits(bodies: np.ndarray) -> np.ndarray:
    """Modulus-11 check digit of each 9-digit body; 10 means no valid number exists."""
    digits = (bodies[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits @ _WEIGHTS) % 11
    return np.where(check == 11, 0, check)


@cache
def valid_test_nhs_numbers() -> np.ndarray:
    """Every valid NHS number 999000000x-999999999x (about 909,000 of them), ascending."""
    bodies = 999_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = _check_digits(bodies)
    ok = check != 10
    return bodies[ok] * 10 + check[ok]


def nhs_number_is_valid(number: str) -> bool:
    """The contract's check: 10 digits whose last is the modulus-11 check digit of the first nine."""
    if len(number) != 10 or not number.isdigit():
        return False
    check = int(_check_digits(np.array([int(number[:9])]))[0])
    return check != 10 and check == int(number[9])


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _three_digits(values: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), 3, "0")


def make_contact(
    rng: np.random.Generator,
    global_index: np.ndarray,
    nhs_permutation: np.ndarray,
    params: SynthParams,
    planted: PlantedBuilder,
) -> dict[str, pa.Array]:
    """nhs_number, mobile_phone, home_phone and email columns for one batch.

    `global_index` numbers patients across the whole output, so NHS numbers are unique in a file;
    past the ~909,000 valid test numbers `nhs_number` is left empty (the column is optional).
    """
    n = len(global_index)
    numbers = valid_test_nhs_numbers()
    pos = np.minimum(global_index, len(numbers) - 1)
    nhs = pa.array(nhs_permutation[pos].astype(str), mask=global_index >= len(numbers))

    category = rng.choice(len(MOBILE_CATEGORIES), size=n, p=np.asarray(params.mobile_category_shares))
    block = _three_digits(rng.integers(0, 1000, n))
    style = rng.integers(0, 4, n)
    local = _join(
        pa.array(np.where(style < 2, "07700", "+44 7700")),
        pa.array(np.where(style % 2 == 0, " 900", "900")),
        block,
    )
    landline = _join("01632 960", _three_digits(rng.integers(0, 1000, n)))
    malformed = pc.choose(
        pa.array(rng.integers(0, 3, n).astype(np.int8)),
        _join("07700 900", pc.utf8_slice_codeunits(block, 0, 2)),  # a digit short
        _join("07700 9OO", block),  # letter O for zero
        _join("07700 900", block, "4"),  # a digit too many
    )
    options = [
        local,
        pa.nulls(n, pa.string()),
        malformed,
        pa.nulls(n, pa.string()),
        landline,
        _join("07000 900", block),
        _join("07600 900", block),
    ]
    mobile = pc.choose(pa.array(category.astype(np.int8)), *options)
    for i, name in enumerate(MOBILE_CATEGORIES[1:], start=1):
        planted.add(np.flatnonzero(category == i), f"mobile_{name}")

    landline_only = category == MOBILE_CATEGORIES.index("landline_only")
    has_home = landline_only | (rng.random(n) < params.home_phone_share)
    home = pc.if_else(pa.array(has_home), landline, pa.nulls(n, pa.string()))

    handle = _join("patient", pc.cast(pa.array(global_index), pa.string()))
    bad = rng.random(n) < params.email_malformed_share
    email = pc.if_else(pa.array(bad), _join(handle, ".example.org"), _join(handle, "@example.org"))
    has_email = rng.random(n) < params.email_share
    email = pc.if_else(pa.array(has_email), email, pa.nulls(n, pa.string()))
    planted.add(np.flatnonzero(has_email & bad), "email_malformed")
    return {"nhs_number": nhs, "mobile_phone": mobile, "home_phone": home, "email": email}
