"""Published figures for every GP practice in England, bundled with the package (no network).

The QOF 2024-25 cancer register and list size, each practice's PCN and ICB, its registered population
by sex and five-year age band, and its deprivation score: aggregate public data under the Open
Government Licence (see `data/README.md`). Features and outputs read them through `load_reference`.
"""

from qof_cancer.reference.load import (
    AGE_BANDS,
    ATTRIBUTION,
    REFERENCE_ENV,
    Reference,
    ReferencePractice,
    load_reference,
    months_old,
)

__all__ = [
    "AGE_BANDS",
    "ATTRIBUTION",
    "REFERENCE_ENV",
    "Reference",
    "ReferencePractice",
    "load_reference",
    "months_old",
]
