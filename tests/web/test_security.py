"""Security headers, size limits, error pages, and no inline script or outside asset anywhere."""

from __future__ import annotations

import re

import pytest

from smartpick.web.security import CONTENT_SECURITY_POLICY

PAGES = ["/", "/programs", "/about", "/programs?q=%26", "/no-such-page"]


@pytest.mark.parametrize("url", [*PAGES, "/api/programs", "/static/css/smartpick.css"])
def test_every_response_has_the_security_headers(client, url: str) -> None:
    r = client.get(url)
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_pages_with_the_profile_are_not_cached(client) -> None:
    assert client.get("/?step2ck=224").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/css/smartpick.css").headers.get(
        "cache-control", ""
    )


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_script_handler_style_or_outside_asset(client, url: str) -> None:
    html = client.get(url).text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag, tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style (blocked by the CSP)"
    assert "<style" not in html
    for attr in re.findall(r'\s(?:src|href)="([^"]+)"', html):
        assert not attr.startswith(("http://", "https://", "//")), attr


def test_vendored_htmx_is_the_pinned_version(client) -> None:
    import hashlib

    body = client.get("/static/vendor/htmx-2.0.11/htmx.min.js").content
    assert hashlib.sha256(body).hexdigest() == (
        "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    )


def test_request_body_too_large_is_413(client) -> None:
    r = client.post("/api/programs", content=b"x" * (65 * 1024))
    assert r.status_code == 413
    assert r.headers["x-content-type-options"] == "nosniff"


def test_query_string_too_long_is_414(client) -> None:
    r = client.get("/programs?q=" + "a" * 9000)
    assert r.status_code == 414 and "too long" in r.text
    api = client.get("/api/programs?q=" + "a" * 9000)
    assert api.status_code == 414 and api.json()["error"]["status"] == 414


def test_wrong_method_is_a_clear_error(client) -> None:
    r = client.post("/programs")
    assert r.status_code == 405
    assert "<html" in r.text
    assert client.delete("/api/programs").json()["error"]["status"] == 405


def test_unexpected_errors_render_a_500_page_without_internals(app) -> None:
    from fastapi.testclient import TestClient

    @app.get("/_boom_for_test", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals")

    try:
        c = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
        r = c.get("/_boom_for_test")
        assert r.status_code == 500
        assert "secret internals" not in r.text and "Something went wrong" in r.text
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    finally:
        app.router.routes[:] = [
            route for route in app.router.routes if getattr(route, "path", "") != "/_boom_for_test"
        ]


def test_a_streamed_body_is_cut_at_the_limit(client) -> None:
    def chunks():
        for _ in range(100):
            yield b"x" * 1024  # 100 KB without a Content-Length header

    r = client.post(
        "/profile/open",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    assert r.status_code == 413


def test_openapi_documents_every_json_twin_and_no_page(client) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert paths == {
        "/api/form",
        "/api/programs",
        "/api/programs/{program_id}",
        "/api/results",
        "/api/plan",
        "/api/whatif",
    }
    # No Swagger UI: it would load scripts from a CDN.
    assert client.get("/docs").status_code == 404
