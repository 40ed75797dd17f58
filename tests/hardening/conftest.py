"""The dashboard fixtures of tests/web, for the hardening tests that attack the dashboard."""

from tests.web.conftest import dashboard, pcn_files  # noqa: F401
