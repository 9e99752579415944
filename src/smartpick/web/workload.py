"""Bound how many expensive requests (model + optimizer runs) compute at the same time.

Each results, what-if, plan or export request runs the model and the optimizer for a few
seconds and needs tens of MB while it does. Without a bound, 50 clients meant 40 such runs in the
threadpool at once: no faster on a few cores, but the server's memory peaked near 1 GB and the
allocator kept ~550 MB after the load. Here the extra requests wait, holding no thread and
almost no memory, in arrival order, while at most `limit` compute; cheap pages (the form,
catalog pages, static files) never wait. When the last computation ends, freed memory is handed
back to the system.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

# Routes that run the model and the optimizer (the other routes answer in milliseconds): each
# path itself and everything under it.
EXPENSIVE_PATHS = ("/results", "/api/results", "/api/whatif", "/api/plan", "/export")


def default_limit() -> int:
    """One computation per CPU core, at least two."""
    return max(2, os.cpu_count() or 1)


class ExpensiveWorkLimiter:
    """ASGI middleware: at most `limit` expensive requests inside the app at once."""

    def __init__(self, app: ASGIApp, *, limit: int, paths: Iterable[str] = EXPENSIVE_PATHS) -> None:
        self.app = app
        self.limit = limit
        self.paths = frozenset(paths)
        self.prefixes = tuple(p + "/" for p in self.paths)
        self._slots: asyncio.Semaphore | None = None
        self._running = 0

    def expensive(self, path: str) -> bool:
        """Whether a request to `path` runs the model (and so waits for a free slot)."""
        return path in self.paths or path.startswith(self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.expensive(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created on the server's event loop
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            self._running += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self._running -= 1
                if self._running == 0:
                    _return_free_memory()


def _load_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_MALLOC_TRIM = _load_trim()


def _return_free_memory() -> None:
    """Give freed heap pages back to the system (glibc keeps them otherwise); no-op elsewhere."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
