"""The FastAPI application: every page is HTML at its path and JSON at `/api/<path>`, built by one function.

Errors have one shape: `{"error": {"status": 404, "message": "..."}}` under `/api`, and the same status and
message on an HTML error page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from qof_cancer.errors import UserError
from qof_cancer.web import lists, pages
from qof_cancer.web.benchmarks import benchmarks_data
from qof_cancer.web.render import environment, render
from qof_cancer.web.security import make_guard
from qof_cancer.web.state import Dashboard
from qof_cancer.web.uploads import (
    DEFAULT_LIMIT_BYTES,
    UploadRefused,
    discard,
    new_upload_folder,
    save_upload,
    scrub_paths,
)

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
# Scripts and styles only from this server; inline SVG needs inline style attributes.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'"

Build = Callable[[Request], dict]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.headers.get("accept", "").startswith(
        "application/json"
    )


def create_app(
    dash: Dashboard,
    token: str | None = None,
    host: str = "127.0.0.1",
    upload_limit: int = DEFAULT_LIMIT_BYTES,
) -> FastAPI:
    """The dashboard application for `dash`; `token`, when given, is required on every request;
    `upload_limit` is the largest upload taken, in bytes, per file."""
    app = FastAPI(title="qof-cancer dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    env = environment()

    def error(request: Request, status: int, message: str) -> Response:
        message = scrub_paths(message)
        if _wants_json(request):
            return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
        html = render(env, "error.html.j2", request, {"status": status, "message": message}, dash)
        return HTMLResponse(html, status_code=status)

    # The guard is added first so it runs inside the headers middleware: its refusals get the headers too.
    app.middleware("http")(make_guard(token, host, error))

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Not no-referrer: Chromium then sends "Origin: null" on same-site form posts, which the guard refuses.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(pages.NotFound)
    async def _not_found(request: Request, exc: pages.NotFound) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        return error(request, getattr(exc, "status", 400), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        return error(request, 400, "; ".join(str(e.get("msg", e)) for e in exc.errors()) or "bad request")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        return error(
            request, 500, f"internal error ({type(exc).__name__}); the server log has no patient data"
        )

    def page(path: str, template: str, build: Build, api_path: str | None = None) -> None:
        def html(request: Request) -> HTMLResponse:
            return HTMLResponse(render(env, template, request, build(request), dash))

        def api(request: Request) -> JSONResponse:
            return JSONResponse(jsonable_encoder(build(request)))

        app.add_api_route(path, html, methods=["GET"], name=template)
        app.add_api_route(api_path or f"/api{path}", api, methods=["GET"], name=f"api:{template}")

    q = lambda r, k: r.query_params.get(k) or None  # noqa: E731
    page("/", "overview.html.j2", lambda r: pages.overview_data(dash, q(r, "practice")), "/api/overview")
    page("/practice/{code}", "overview.html.j2", lambda r: pages.overview_data(dash, r.path_params["code"]))
    page("/summary", "table.html.j2", lambda r: {"name": "summary", **pages.summary_data(dash)})
    page(
        "/indicator/{indicator}",
        "indicator.html.j2",
        lambda r: pages.indicator_data(
            dash, r.path_params["indicator"], q(r, "practice"), q(r, "outcome"), r.query_params
        ),
    )
    page(
        "/patient/{patient_id}",
        "patient.html.j2",
        lambda r: pages.patient_data(dash, r.path_params["patient_id"]),
    )
    filters = lists.WorklistFilters.parse
    page("/worklist", "worklist.html.j2", lambda r: lists.worklist_data(dash, filters(r.query_params)))
    page("/worklist/letters", "letters.html.j2", lambda r: lists.letters_data(dash, filters(r.query_params)))
    page(
        "/data-quality",
        "data_quality.html.j2",
        lambda r: lists.data_quality_data(dash, q(r, "practice"), q(r, "check"), r.query_params),
    )
    page("/benchmarks", "benchmarks.html.j2", lambda r: benchmarks_data(dash))
    page("/screening", "screening.html.j2", lambda r: lists.screening_data(dash, None, r.query_params))
    page(
        "/screening/{table}",
        "screening.html.j2",
        lambda r: lists.screening_data(dash, r.path_params["table"], r.query_params),
    )
    page("/tables", "tables.html.j2", lambda r: pages.tables_data(dash))
    page(
        "/tables/{name}",
        "table.html.j2",
        lambda r: pages.table_data(dash, r.path_params["name"], q(r, "practice"), r.query_params),
    )
    page("/status", "status.html.j2", lambda r: pages.status_data(dash))
    page("/load", "load.html.j2", lambda r: pages.status_data(dash))

    @app.get("/worklist.csv")
    def worklist_csv(request: Request) -> Response:
        text = lists.worklist_csv(dash, filters(request.query_params))
        return Response(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="worklist.csv"'},
        )

    @app.get("/worklist.xlsx")
    def worklist_xlsx(request: Request) -> Response:
        data = lists.worklist_xlsx(dash, filters(request.query_params))
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(
            data, media_type=kind, headers={"Content-Disposition": 'attachment; filename="worklist.xlsx"'}
        )

    async def upload(request: Request) -> Response:
        # Refused before the body is read: a run is under way, or the body is too large or of no size.
        if dash.status.state == "running":
            raise UploadRefused("a run is already under way: wait for it to finish, then upload again", 409)
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            raise UploadRefused("an upload must say its size (Content-Length)", 411)
        if int(length) > 2 * upload_limit + (1 << 20):
            raise UploadRefused(f"the upload is larger than the limit of {2 * upload_limit >> 20:,} MB", 413)
        folder = None
        async with request.form(max_files=2, max_fields=8) as form:
            try:
                folder = new_upload_folder(dash.uploads)
                saved = {
                    f: await save_upload(form.get(f), f, folder, upload_limit) for f in ("patients", "events")
                }
                if not dash.start_rerun(dash.with_uploaded(saved["patients"], saved["events"])):
                    raise UploadRefused(
                        "a run is already under way: wait for it to finish, then upload again", 409
                    )
            except BaseException:
                discard(folder)
                raise
        if _wants_json(request):
            return JSONResponse({"status": "running", "poll": "/api/status"}, status_code=202)
        return RedirectResponse("/status", status_code=303)

    app.add_api_route("/load", upload, methods=["POST"])
    app.add_api_route("/api/load", upload, methods=["POST"])

    def run_screening(request: Request) -> Response:
        started = dash.start_screening()
        if _wants_json(request):
            return JSONResponse(
                {"status": "running" if started else "already running", "poll": "/api/status"}, 202
            )
        return RedirectResponse("/status", status_code=303)

    app.add_api_route("/screening/run", run_screening, methods=["POST"])
    app.add_api_route("/api/screening/run", run_screening, methods=["POST"])

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def page_names(app: FastAPI) -> list[str]:
    """The HTML page paths (for tests and docs)."""
    return [r.path for r in app.routes if getattr(r, "name", "").endswith(".html.j2")]
