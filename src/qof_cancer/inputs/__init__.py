"""Input files: read, check and load into canonical tables."""

from qof_cancer.inputs.validate import LoadReport, load_inputs

__all__ = ["LoadReport", "load_inputs"]
