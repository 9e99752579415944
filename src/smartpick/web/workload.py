"""Expensive requests (model + optimizer runs): a bounded queue, a few at once, none for nobody.

Each results, what-if, plan or export request runs the model and the optimizer for a few
seconds and needs tens of MB while it does. Without a bound, 50 clients meant 40 such runs in the
threadpool at once: no faster on a few cores, but the server's memory peaked near 1 GB and the
allocator kept ~550 MB after the load. Here:

- at most `limit` compute at once; the others wait, holding no thread and almost no memory;
  cheap pages (the form, catalog pages, static files) never wait;
- the waiting ones start in arrival order, except that the advisor's plan (its panel, its JSON
  and its PDF: a dozen model runs, several results pages' worth of work) lets the quicker ones
  go first until it has waited `slow_wait_seconds`. The page is what a user waits for; the plan
  fills its panel afterwards. Under the load test (50 results-page clients, 4 on the plan panel,
  2 workers) it answered more pages in seven of eight alternating runs (about 15% more at the
  median), with a lower median p95, and the plans stayed within their target (docs/speed.md,
  session 13);
- at most `max_queued` wait: beyond that the answer is 503 with `Retry-After`, so a few cheap GETs
  cannot queue minutes of work;
- a request whose client disconnects leaves the queue at once and never starts; one already
  computing stops at its next checkpoint (`core.cancellation`) and nothing is sent;
- a computation running past `deadline_seconds` stops too and gets 503 "took too long";
- every answer that computed tells how long it waited and computed (`Server-Timing`).

The disconnect is seen by reading the request's (small) body up front and then keeping the real
`receive()` awaited in a background task, which reports `http.disconnect` when the connection
drops; the app gets the body replayed. When no computation has run for a second, freed memory
is handed back to the system (not after every one: a lone user's next page would pay ~12 ms of CPU
to take the pages back).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import math
import os
import time
from collections import Counter, deque
from collections.abc import Iterable

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartpick.core.cancellation import Cancelled, CancelToken, cancellable
from smartpick.web.errors import error_response

log = logging.getLogger(__name__)

# Routes that run the model and the optimizer (the other routes answer in milliseconds): each
# path itself and everything under it.
EXPENSIVE_PATHS = ("/results", "/api/results", "/api/whatif", "/api/plan", "/export")
# The plan's requests (`slow_paths`): they let quicker ones go first for up to SLOW_WAIT_SECONDS
# (issue 13 allows the plan panel a p95 of 2 s under load, results pages 0.5 s).
SLOW_PATHS = ("/results/plan", "/api/plan", "/export/plan.pdf")
SLOW_WAIT_SECONDS = 1.0
# 50 clients at once must queue without errors (issue 13's load target) on one worker.
DEFAULT_MAX_QUEUED = 64
# The worst profile seen (6 specialties, $20,000, 400 programs) took 45 s on 2 shared cores.
DEFAULT_DEADLINE_SECONDS = 60.0
# A list put in a request's scope under this key gets the seconds its computation took (appended
# once the answer is sent): how the forked workers weigh their connections (`web.balance`).
COMPUTE_SECONDS = "smartpick.compute_seconds"
_FIRST_GUESS_SECONDS = 2.0  # a computation's duration before any has been measured
IDLE_SECONDS_BEFORE_TRIM = 1.0  # how long the server is idle before it returns freed memory


def default_limit(workers: int = 1) -> int:
    """Computations at once in one of `workers` server processes: one per CPU core, at least two,
    in a lone process; with several, the cores shared among them, at least one each. A
    computation holds Python's interpreter lock nearly all the time, so a second one in the same
    process only takes turns with the first: with two per worker, the load test's requests cost
    the server about 12% more CPU than with one (2 workers on 2 cores)."""
    cores = os.cpu_count() or 1
    return max(2, cores) if workers == 1 else max(1, cores // workers)


class ExpensiveWorkLimiter:
    """ASGI middleware: a bounded queue in front of at most `limit` expensive requests at once.

    `counts` keeps what happened to the expensive requests of this process: "started",
    "finished", "client left" (stopped while computing), "left queue" (never started),
    "deadline" and "queue full"; `active` holds the tokens of the computations under way.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        max_queued: int = DEFAULT_MAX_QUEUED,
        deadline_seconds: float | None = DEFAULT_DEADLINE_SECONDS,
        paths: Iterable[str] = EXPENSIVE_PATHS,
        slow_paths: Iterable[str] = SLOW_PATHS,
        slow_wait_seconds: float = SLOW_WAIT_SECONDS,
    ) -> None:
        self.app = app
        self.limit = limit
        self.max_queued = max_queued
        self.deadline_seconds = deadline_seconds
        self.paths = frozenset(paths)
        self.prefixes = tuple(p + "/" for p in self.paths)
        self.counts: Counter[str] = Counter()
        self.running = 0
        self.active: set[CancelToken] = set()
        self.slow_paths = frozenset(slow_paths)
        self.slow_wait_seconds = slow_wait_seconds
        self._waiting: deque[asyncio.Future[None]] = deque()  # quick requests, in arrival order
        self._waiting_slow: deque[tuple[float, asyncio.Future[None]]] = deque()  # (since, turn)
        self._typical_seconds = _FIRST_GUESS_SECONDS
        self._trim: asyncio.TimerHandle | None = None  # the pending return of freed memory

    @property
    def waiting(self) -> int:
        """Requests queued for a slot now."""
        quick = sum(not turn.done() for turn in self._waiting)
        return quick + sum(not turn.done() for _, turn in self._waiting_slow)

    def expensive(self, path: str) -> bool:
        """Whether a request to `path` runs the model (and so waits for a free slot)."""
        return path in self.paths or path.startswith(self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.expensive(scope["path"]):
            await self.app(scope, receive, send)
            return
        body: list[Message] = []
        while not body or body[-1].get("more_body", False):
            message = await receive()  # the security middleware outside caps the size
            if message["type"] == "http.disconnect":
                return
            body.append(message)
        token = CancelToken()
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch(receive, token, gone))

        async def replay() -> Message:
            if body:
                return body.pop(0)
            await gone.wait()
            return {"type": "http.disconnect"}

        try:
            await self._queue_and_run(scope, replay, send, token, gone)
        finally:
            watcher.cancel()

    async def _queue_and_run(
        self, scope: Scope, receive: Receive, send: Send, token: CancelToken, gone: asyncio.Event
    ) -> None:
        if self.running >= self.limit and self.waiting >= self.max_queued:
            self.counts["queue full"] += 1
            await self._busy(scope, receive, send)
            return
        arrived = time.monotonic()
        if not await self._acquire(gone, scope["path"] in self.slow_paths):
            self.counts["left queue"] += 1
            return
        try:
            if token.reason() is not None:  # left just as its turn came
                self.counts["left queue"] += 1
                return
            await self._run(scope, receive, _timed(send, arrived), token, gone)
        finally:
            self._release()
            if self.running == 0:
                self._trim_when_idle()

    def _trim_when_idle(self) -> None:
        """Return freed memory once no computation has run for `IDLE_SECONDS_BEFORE_TRIM`."""
        if self._trim is not None:
            self._trim.cancel()

        def trim() -> None:
            self._trim = None
            if self.running == 0:
                _return_free_memory()

        self._trim = asyncio.get_running_loop().call_later(IDLE_SECONDS_BEFORE_TRIM, trim)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, token: CancelToken, gone: asyncio.Event
    ) -> None:
        """Compute under the token; a stopped computation sends nothing, or 503 past its deadline."""
        started = time.monotonic()
        if self.deadline_seconds is not None:
            token.deadline = started + self.deadline_seconds
        self.counts["started"] += 1
        self.active.add(token)
        try:
            with cancellable(token):
                await self.app(scope, receive, send)
            self.counts["finished"] += 1
        except Cancelled as stop:
            self.counts[stop.reason] += 1
            if stop.reason == "deadline" and not gone.is_set():
                log.warning("computation stopped by its deadline on %s", scope["path"])
                await self._too_long(scope, receive, send)
        finally:
            self.active.discard(token)
            seconds = time.monotonic() - started
            self._typical_seconds = 0.8 * self._typical_seconds + 0.2 * seconds
            report = scope.get(COMPUTE_SECONDS)
            if report is not None:
                report.append(seconds)

    async def _acquire(self, gone: asyncio.Event, slow: bool) -> bool:
        """Wait for a slot (`_next_turn`); False (out of the queue) if the client leaves first."""
        if self.running < self.limit and not self.waiting:
            self.running += 1
            return True
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if slow:
            self._waiting_slow.append((time.monotonic(), turn))
        else:
            self._waiting.append(turn)
        leaving = asyncio.ensure_future(gone.wait())
        try:
            await asyncio.wait((turn, leaving), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # server shutting down
            self._leave(turn)
            raise
        finally:
            leaving.cancel()
        if turn.done():
            return True  # `_release` handed its slot over
        self._leave(turn)
        return False

    def _leave(self, turn: asyncio.Future[None]) -> None:
        """Leave the queue; a slot already handed over passes on to the next in line."""
        if turn.done() and not turn.cancelled():
            self._release()
            return
        turn.cancel()
        if turn in self._waiting:
            self._waiting.remove(turn)
        else:
            self._waiting_slow = deque(e for e in self._waiting_slow if e[1] is not turn)

    def _release(self) -> None:
        """Hand the slot to the next request waiting (`_next_turn`), or free it."""
        turn = self._next_turn()
        if turn is None:
            self.running -= 1
        else:
            turn.set_result(None)

    def _next_turn(self) -> asyncio.Future[None] | None:
        """The longest-waiting plan if it has waited `slow_wait_seconds`, else the first quick
        request, else the first plan (None: nobody waits)."""
        quick, slow = self._waiting, self._waiting_slow
        while quick and quick[0].done():  # left the queue
            quick.popleft()
        while slow and slow[0][1].done():
            slow.popleft()
        if slow and (not quick or time.monotonic() - slow[0][0] >= self.slow_wait_seconds):
            return slow.popleft()[1]
        return quick.popleft() if quick else None

    async def _busy(self, scope: Scope, receive: Receive, send: Send) -> None:
        queued = self.waiting + self.running
        retry = min(300, max(1, math.ceil(self._typical_seconds * queued / self.limit)))
        response = error_response(
            Request(scope, receive),
            503,
            f"SmartPick is busy with {queued} other calculations. "
            f"Please try again in about {retry} seconds.",
            title="SmartPick is busy",
        )
        response.headers["Retry-After"] = str(retry)
        await response(scope, receive, send)

    async def _too_long(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = f"{self.deadline_seconds:g}"
        response = error_response(
            Request(scope, receive),
            503,
            f"This calculation took too long (more than {limit} seconds) and was stopped. "
            "Try fewer programs, fewer specialties or a smaller budget.",
            title="This took too long",
        )
        await response(scope, receive, send)


def _timed(send: Send, arrived: float) -> Send:
    """`send` that gives the answer a `Server-Timing` header: the milliseconds it waited in the
    queue (`queue`) and then computed (`compute`, until the answer starts). Browsers' developer
    tools show it; `bench/load.py` reads it to tell where a slow answer's time went."""
    started = time.monotonic()

    async def send_timed(message: Message) -> None:
        if message["type"] == "http.response.start":
            computed = time.monotonic() - started
            value = f"queue;dur={1000 * (started - arrived):.1f}, compute;dur={1000 * computed:.1f}"
            message = {
                **message,
                "headers": [*message.get("headers", []), (b"server-timing", value.encode())],
            }
        await send(message)

    return send_timed


async def _watch(receive: Receive, token: CancelToken, gone: asyncio.Event) -> None:
    """Await the real `receive()` (the body was read already) until the client disconnects."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            token.cancel()
            gone.set()
            return


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
