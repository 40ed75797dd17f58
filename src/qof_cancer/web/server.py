"""Serving with uvicorn: loopback by default, and request logs that carry no patient data.

uvicorn's own access log prints each address (`GET /patient/P123 HTTP/1.1`), which would put patient ids in
the log, so it is switched off; `security.ACCESS_LOG` logs the route template instead.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from qof_cancer.web.app import create_app
from qof_cancer.web.security import ACCESS_LOG, check_host
from qof_cancer.web.state import Dashboard

__all__ = ["serve", "make_server", "configure_logging"]


def configure_logging() -> None:
    """Send the dashboard's request log (route templates only) to stderr."""
    if not ACCESS_LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        ACCESS_LOG.addHandler(handler)
        ACCESS_LOG.setLevel(logging.INFO)
        ACCESS_LOG.propagate = False


def make_server(
    dash: Dashboard, host: str = "127.0.0.1", port: int = 8000, token: str | None = None
) -> uvicorn.Server:
    """A uvicorn server for the dashboard (not started). Refuses a non-loopback host without a token."""
    check_host(host, token)
    config = uvicorn.Config(
        create_app(dash, token=token, host=host),
        host=host,
        port=port,
        access_log=False,  # addresses hold patient ids; security.ACCESS_LOG logs route templates instead
        log_level="warning",
        lifespan="off",
    )
    return uvicorn.Server(config)


def serve(dash: Dashboard, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Serve until interrupted."""
    configure_logging()
    server = make_server(dash, host, port, token)
    try:
        server.run()
    finally:
        dash.close()
