"""Answers compressed for clients across a network, not for those on the same machine.

A results page is about 365 KB of HTML, most of it the rows. gzip at level 1 leaves about an
eighth of it, for about 2 ms of the server's CPU a page: over a slow connection (2 Mbit/s: 1.5 s
for an average page, 0.17 s compressed) that is most of the wait, while on loopback (`smartpick
serve` on the user's own machine, or a proxy on the same host) it is CPU spent for nothing. So
an answer is compressed (Starlette's GZipMiddleware: only when the client accepts gzip and the
body is over a kilobyte) when the connection comes from another machine.
"""

from __future__ import annotations

import ipaddress

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

COMPRESSION_LEVEL = 1  # level 6 left 7.8% of a page against 10% here, for 2.6 times the CPU
MINIMUM_BYTES = 1024  # smaller bodies gain less than their gzip header and the CPU


def is_remote(client: tuple[str, int] | None) -> bool:
    """Whether a connection's client address is another machine's (an IP address outside
    loopback). A name that is not an address (a test client's) counts as local."""
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # an IPv4 client of a dual-stack socket
    return not (mapped or address).is_loopback


class RemoteCompression:
    """ASGI middleware: gzip for remote clients (`is_remote`), the answer as it is otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_BYTES, compresslevel=COMPRESSION_LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_remote(scope.get("client")):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
