"""Reconcile a run with the practice's published or CQRS figures, and find the reading that matches."""

from qof_cancer.reconcile.compare import DEFAULT_READING, READINGS, Verdict, compare, reading_settings
from qof_cancer.reconcile.published import Published, read_published, year_to_run

__all__ = [
    "DEFAULT_READING",
    "READINGS",
    "Published",
    "Verdict",
    "compare",
    "read_published",
    "reading_settings",
    "year_to_run",
]
