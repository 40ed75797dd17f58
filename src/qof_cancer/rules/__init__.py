"""The rule files (indicator definitions and the QOF years table) and how they are read.

This layer only reads files and remembers where each value came from; `qof_cancer.model` checks the
values against the schema and builds the frozen rule objects.
"""

from qof_cancer.rules.source import (
    Document,
    bundled_indicator_paths,
    bundled_years_path,
    load_document,
    load_yaml,
)

__all__ = ["Document", "load_document", "load_yaml", "bundled_indicator_paths", "bundled_years_path"]
