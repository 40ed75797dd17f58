"""Benchmarks: a run's practices beside their PCN, ICB and England, from the bundled published figures."""

from qof_cancer.benchmark.feature import FEATURE

__all__ = ["FEATURE"]
