"""Importers that turn other formats (FHIR, GP system exports) into the data contract."""
