"""The dashboard: a local web page for practice staff, every page also JSON (`qof-cancer serve`).

`Dashboard` holds the inputs and the latest run (kept in a DuckDB file); `create_app` builds the FastAPI
application over it; `serve` runs it with uvicorn, bound to loopback unless a token is set.
"""

from qof_cancer.web.app import create_app
from qof_cancer.web.server import serve
from qof_cancer.web.state import Dashboard, RunInputs

__all__ = ["Dashboard", "RunInputs", "create_app", "serve"]
