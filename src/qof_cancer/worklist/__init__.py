"""Worklists, forecast and messages: what to do next (issue: Act on it).

`FEATURE` plugs into `api.FEATURES`; its compute returns the tables `worklist`, `forecast` and
`pca_monitoring`. See docs/worklists.md for what each list means.
"""

from qof_cancer.worklist.feature import FEATURE, compute

__all__ = ["FEATURE", "compute"]
