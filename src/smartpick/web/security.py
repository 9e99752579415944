"""Security headers and request size limits, as one small ASGI middleware.

The Content-Security-Policy allows scripts, styles, images and fetches from the app itself only:
no inline scripts, no inline event handlers, no inline styles, no third party. The page must work
with no internet, so nothing outside 'self' is ever needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

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

# The names a loopback server is reached by; `smartpick serve` adds --host and --allowed-host.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

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
    """Adds the security headers to every HTTP response and enforces host and size limits.

    A request whose Host header is not in `allowed_hosts` gets 400 (so links and redirects built
    from the request's address only ever name this server, and a DNS-rebinding page cannot read
    it). A body longer than `max_body_bytes` gets 413 and a query string longer than
    `max_query_bytes` gets 414, before the app reads anything. Pages that show the applicant's own
    data are sent with `Cache-Control: no-store` (they carry the profile in the URL), static files
    stay cacheable. HEAD is answered as GET without the body.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_query_bytes: int,
        allowed_hosts: Iterable[str],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_bytes = max_query_bytes
        self.allowed_hosts = frozenset(normalize_host(h) for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")
        is_head = scope["method"] == "HEAD"
        if is_head:  # the app's routes are GET routes; HEAD is the same minus the body
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not is_static:  # pages may carry the profile: never cache them
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                headers.extend(SECURITY_HEADERS)
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and is_head:
                message = {**message, "body": b""}
            await send(message)

        is_api = scope["path"].startswith("/api/")
        if not self._host_allowed(scope):
            text = "This server does not answer to that host name."
            await _refuse(send_with_headers, 400, text, is_api)
            return
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
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            await _refuse(send_with_headers, 413, too_large, is_api)

    def _host_allowed(self, scope: Scope) -> bool:
        hosts = [value for key, value in scope.get("headers", []) if key == b"host"]
        if not hosts:  # HTTP/1.0 without Host: addresses are built from the listening socket
            return True
        if len(hosts) > 1:
            return False
        return normalize_host(hosts[0].decode("latin-1")) in self.allowed_hosts


def normalize_host(value: str) -> str:
    """The host name of a Host header or an --allowed-host value: no port, lower case, no
    trailing dot, IPv6 without brackets; "" when it is not a plausible host."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        end = value.find("]")
        host, rest = value[1:end], value[end + 1 :]
        if end < 0 or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return ""
        return host
    if value.count(":") > 1:  # a bare IPv6 address (allowed in settings, not in a header)
        return value
    host, _, port = value.partition(":")
    if port and not port.isdigit():
        return ""
    return host.rstrip(".")


class BodyTooLarge(Exception):
    """Raised from the app's `receive` when the body passes the limit; answered with 413."""


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
