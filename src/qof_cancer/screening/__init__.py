"""PCN cancer screening: coverage, follow-up lists, low-participation groups, contacts, action plan."""

from qof_cancer.screening.run import ScreeningResult, run_screening, screening_clusters, screening_from_store

__all__ = ["ScreeningResult", "run_screening", "screening_from_store", "screening_clusters"]
