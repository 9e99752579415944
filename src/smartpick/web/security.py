"""Security headers and request size limits, as one small ASGI middleware.

The Content-Security-Policy allows scripts, styles, images and fetches from the app itself only:
no inline scripts, no inline event handlers, no inline styles, no third party. The page must work
with no internet, so nothing outside 'self' is ever needed.
"""

from __future__ import annotations

import json

from markupsafe import escape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class SecurityMiddleware:
    """Adds the security headers to every HTTP response and enforces request size limits.

    A body longer than `max_body_bytes` gets 413 and a query string longer than `max_query_bytes`
    gets 414, before the app reads anything. Pages that show the applicant's own data are sent with
    `Cache-Control: no-store` (they carry the profile in the URL), static files stay cacheable.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_query_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_bytes = max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not is_static:  # pages may carry the profile: never cache them
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                headers.extend(SECURITY_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        is_api = scope["path"].startswith("/api/")
        if len(scope.get("query_string", b"")) > self.max_query_bytes:
            text = f"The address is too long (at most {self.max_query_bytes} bytes of query)."
            await _refuse(send_with_headers, 414, text, is_api)
            return
        declared = _content_length(scope)
        too_large = f"The request is too large (at most {self.max_body_bytes // 1024} KB)."
        if declared is not None and declared > self.max_body_bytes:
            await _refuse(send_with_headers, 413, too_large, is_api)
            return

        received = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            await _refuse(send_with_headers, 413, too_large, is_api)


class _BodyTooLarge(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, status: int, text: str, is_api: bool) -> None:
    """Answer before the app runs: the API's JSON error body, or a minimal page."""
    if is_api:
        body = json.dumps({"error": {"status": status, "message": text, "problems": []}}).encode()
        content_type = b"application/json"
    else:
        page = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(text)}</p>"
        page += '<p><a href="/">Back to SmartPick</a></p>'
        body = page.encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
