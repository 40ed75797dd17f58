"""The dashboard's "Compared with England" page: the same data as the report's benchmark section."""

from __future__ import annotations

from qof_cancer.outputs.benchmark_data import benchmark_data
from qof_cancer.web.state import Dashboard

__all__ = ["benchmarks_data"]


def benchmarks_data(dash: Dashboard) -> dict:
    """Benchmark rows, funnel plot, expected register and register check; `available: False` without them."""
    data = benchmark_data(dash.require_result())
    return {"available": False} if data is None else {"available": True, **data}
