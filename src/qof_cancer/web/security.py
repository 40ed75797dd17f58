"""Safe by default: loopback only unless a token is set, the token on every request, no patient data in logs.

- `check_host` refuses a non-loopback `--host` without `--token`.
- `guard` (middleware) answers only requests whose Host header names this server (so a web page cannot
  reach the dashboard through DNS rebinding), requires the token when there is one (header
  `Authorization: Bearer ...`, a cookie, or `?token=` which sets the cookie and is then dropped from the
  address), refuses form posts from another origin (host name and port), and logs each request by its route *template*
  (`GET /patient/{patient_id} 200`), never the address itself, so no patient id reaches a log.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from qof_cancer.errors import UserError

__all__ = ["ACCESS_LOG", "COOKIE", "check_host", "is_loopback", "make_guard"]

ACCESS_LOG = logging.getLogger("qof_cancer.web.access")
COOKIE = "qof_cancer_token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

Deny = Callable[[Request, int, str], Response]


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token."""
    if not is_loopback(host) and not token:
        raise UserError(
            f"--host {host}: not a loopback address, so anyone who can reach it could see patient data; "
            "give --token SECRET (then every request must carry it), or keep the default 127.0.0.1"
        )


def _host_name(header: str) -> str:
    return urlsplit(f"//{header}").hostname or ""


def _same_origin(origin: str, scheme: str, host_header: str) -> bool:
    """True when a form's Origin is this server: same scheme, host name *and* port (a page on another
    local port is another site, which could otherwise replace the dashboard's data)."""
    given, here = urlsplit(origin), urlsplit(f"//{host_header}")
    try:
        default = {"http": 80, "https": 443}.get(scheme)
        return (
            given.scheme == scheme
            and (given.hostname or "") == (here.hostname or "")
            and (given.port or default) == (here.port or default)
        )
    except ValueError:  # a port that is not a number
        return False


def make_guard(token: str | None, host: str, deny: Deny):
    """The middleware function for `app.middleware("http")`."""
    allowed = {*LOOPBACK_NAMES, host.strip("[]").lower()}

    def token_ok(request: Request) -> bool:
        if not token:
            return True
        given = [request.cookies.get(COOKIE, "")]
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        return any(g and hmac.compare_digest(g.encode(), token.encode()) for g in given)

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await _decide(request, call_next)
        route = request.scope.get("route")
        where = getattr(route, "path", None) or (
            "/static/..." if request.url.path.startswith("/static/") else "(no route)"
        )
        ACCESS_LOG.info(
            "%s %s %s %.0f ms",
            request.method,
            where,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    async def _decide(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if _host_name(request.headers.get("host", "")).lower() not in allowed and not token:
            return deny(
                request, 400, "this dashboard answers only on its own address (the Host header did not match)"
            )
        if token and not token_ok(request):
            query_token = request.query_params.get("token")
            if query_token and hmac.compare_digest(query_token.encode(), token.encode()):
                rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
                # "//evil.example/" would be an address on another site: keep the redirect on this one
                target = "/" + request.url.path.lstrip("/\\") + (f"?{rest}" if rest else "")
                redirect = RedirectResponse(target, status_code=303)
                redirect.set_cookie(COOKIE, token, httponly=True, samesite="strict")
                return redirect
            return deny(
                request, 401, "this dashboard needs its token: open the address printed when it started"
            )
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin and not _same_origin(origin, request.url.scheme, request.headers.get("host", "")):
                return deny(request, 403, "a form from another site cannot change this dashboard")
        return await call_next(request)

    return guard
