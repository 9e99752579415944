"""Stopping long computations nobody waits for any more: a token, `checkpoint()` and `Cancelled`.

A face that can lose its caller (the web server, when a browser closes the connection) runs the
computation inside `cancellable(token)`; the core's long loops (optimizer stages, swap passes,
signal moves, each priced what-if) call `checkpoint()`, which raises `Cancelled` once the token is
cancelled or its deadline has passed. The token travels in a context variable, so nothing in
between passes it along, and a thread pool that copies the context (anyio's, which runs FastAPI's
sync routes) carries it into the worker thread. Without a token (the CLI, the library, the tests)
`checkpoint()` only reads the context variable and returns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

Reason = Literal["client left", "deadline"]


class Cancelled(BaseException):
    """The computation was stopped: its caller left, or it ran past its deadline.

    A BaseException, like `asyncio.CancelledError` and `KeyboardInterrupt`: code that turns
    ordinary errors into messages (`except SmartPickError`, `except Exception`) must not turn a
    cancellation into a half-priced plan or a 500 page. Only the face that cancelled catches it.
    """

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


class CancelToken:
    """One computation's stop signal: an event set from any thread, and an optional deadline.

    `deadline` is a `time.monotonic()` value. `checks` counts the checkpoints passed (a measure
    of progress for tests and benchmarks; an unlocked counter, exact enough for that).
    """

    def __init__(self, *, deadline: float | None = None) -> None:
        self.event = threading.Event()
        self.deadline = deadline
        self.checks = 0

    def cancel(self) -> None:
        """Ask the computation to stop at its next checkpoint (thread-safe)."""
        self.event.set()

    def reason(self) -> Reason | None:
        """Why the computation should stop now, or None if it may go on."""
        if self.event.is_set():
            return "client left"
        if self.deadline is not None and time.monotonic() > self.deadline:
            return "deadline"
        return None

    def check(self) -> None:
        """Count a checkpoint; raise `Cancelled` if the computation should stop."""
        self.checks += 1
        reason = self.reason()
        if reason is not None:
            raise Cancelled(reason)


_current: ContextVar[CancelToken | None] = ContextVar("smartpick_cancel_token", default=None)


def checkpoint() -> None:
    """Raise `Cancelled` if the current computation's token says stop; free without a token."""
    token = _current.get()
    if token is not None:
        token.check()


@contextmanager
def cancellable(token: CancelToken) -> Iterator[CancelToken]:
    """Run the block (and the threads that copy its context) under `token`."""
    reset = _current.set(token)
    try:
        yield token
    finally:
        _current.reset(reset)
