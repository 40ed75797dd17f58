"""Cross-origin: a page on another local port is another site; a token redirect stays on this server."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qof_cancer.web import create_app
from qof_cancer.web.security import COOKIE


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("http://127.0.0.1:9999", 403),  # another local port: another site
        ("http://127.0.0.1", 403),
        ("https://127.0.0.1:8000", 403),
        ("http://127.0.0.1:bad", 403),
        ("null", 403),
        ("http://127.0.0.1:8000", 202),
    ],
)
def test_posts_only_from_this_host_and_port(dashboard, origin, status):
    client = TestClient(create_app(dashboard), base_url="http://127.0.0.1:8000")
    response = client.post("/api/screening/run", headers={"Origin": origin})
    assert response.status_code == status, response.text


@pytest.mark.parametrize("path", ["//evil.example/", "/\\evil.example/", "///evil.example"])
def test_the_token_redirect_never_leaves_the_site(dashboard, path):
    client = TestClient(create_app(dashboard, token="T0ken-long", host="0.0.0.0"), base_url="http://10.0.0.1")
    response = client.get(f"{path}?token=T0ken-long", follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert COOKIE in response.headers.get("set-cookie", "")
