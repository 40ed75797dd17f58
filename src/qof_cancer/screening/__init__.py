"""PCN cancer screening: coverage, follow-up lists, low-participation groups, contacts, action plan."""

from qof_cancer.screening.run import ScreeningResult, run_screening

__all__ = ["ScreeningResult", "run_screening"]
