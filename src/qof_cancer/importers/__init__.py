"""Importers that turn other formats (FHIR, GP system exports) into the data contract.

`import_fhir` reads FHIR R4 (UK Core, GP Connect, Synthea) Bundles and NDJSON; `import_csv` reads report
exports through a map file. Both write patients.parquet, events.parquet, rejects.csv and
import-summary.json. These modules touch patient rows; they log counts and positions only.
"""

from qof_cancer.importers.convert import Progress, import_csv, import_fhir
from qof_cancer.importers.csv_map import ExportMap, load_map
from qof_cancer.importers.fhir import FhirOptions
from qof_cancer.importers.report import ImportReport

__all__ = ["import_fhir", "import_csv", "load_map", "ExportMap", "FhirOptions", "ImportReport", "Progress"]
