"""Share the work among the server's worker processes by what each connection costs.

A keep-alive connection stays with the worker that accepted it, and its user waits behind that
worker's other users. When the kernel chose the worker (a listening socket per worker, by a hash
of the addresses), the load test's connections fell at random: in one run the clients of one
worker waited 390 ms on average and those of the other up to 1,072 ms. Here every worker
accepts from one shared socket, and:

- a worker takes a new connection only if its load is no larger than the lightest other
  worker's (a worker whose turn it is not steps aside for `RETRY_SECONDS`, and takes the
  connection anyway if it is still waiting after `ACCEPT_ANYWAY_SECONDS`: the other may be
  stuck);
- a worker's load is what its open connections cost: each the mean computing time of its
  requests that computed (a page, a plan), a connection that has not computed yet the worker's
  typical computation;
- a worker heavier than the lightest by at least twice a connection's cost plus one typical
  computation ends that connection after its answer ("Connection: close"), at most once per
  `MOVE_PAUSE_SECONDS`: the client's next request connects again, and the lighter worker takes it.

The loads are kept in a few bytes of memory the parent maps before it forks (`LoadBoard`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import mmap
import select
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartpick.web.workload import COMPUTE_SECONDS

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.002  # a worker that stepped aside looks at the socket again after this long
ACCEPT_ANYWAY_SECONDS = 0.05  # a connection waiting this long is taken by whoever sees it
MOVE_PAUSE_SECONDS = 0.5  # a worker ends at most one connection per this long
PUBLISH_SECONDS = 0.05  # a worker's load is published at least this often
# A load not published for this long is a stuck worker's (its event loop runs every few ms even
# while it computes): the others take its turns.
STALE_SECONDS = 0.25
FIRST_TYPICAL_SECONDS = 0.02  # a computation's cost before any has been measured (a page's)
_TYPICAL_WEIGHT = 0.1  # the typical computation: an average weighted to the last few dozen


class LoadBoard:
    """Each worker's load (seconds of computing its connections cost) and when it was
    published, in memory shared by the processes forked after it is made. A slot is written by
    its worker alone (and by the parent while the worker does not run)."""

    def __init__(self, workers: int) -> None:
        self._memory = mmap.mmap(-1, 16 * workers)  # anonymous and shared: the forks see it
        self._cells = memoryview(self._memory).cast("d")  # load, time, load, time, ...
        self.workers = workers

    def publish(self, slot: int, load: float) -> None:
        """Set worker `slot`'s load, as of now."""
        self._cells[2 * slot] = load
        self._cells[2 * slot + 1] = time.monotonic()  # one clock for every process

    def load(self, slot: int) -> float:
        """Worker `slot`'s load, as last published."""
        return float(self._cells[2 * slot])

    def retire(self, slot: int) -> None:
        """Mark worker `slot` as taking no connection (stopping, or not running yet)."""
        self.publish(slot, math.inf)

    def lightest_other(self, slot: int) -> float:
        """The smallest load of the other workers, leaving out any not heard from for
        `STALE_SECONDS` (infinite when none is left)."""
        cells, since = self._cells, time.monotonic() - STALE_SECONDS
        return min(
            (cells[2 * s] for s in range(self.workers) if s != slot and cells[2 * s + 1] >= since),
            default=math.inf,
        )


class WorkerLoad:
    """One worker's connections, what each costs, and its decisions to accept and to move."""

    def __init__(
        self,
        board: LoadBoard,
        slot: int,
        connections: Callable[[], set[Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.board = board
        self.slot = slot
        self._connections = connections  # the worker's open connections (each with `.client`)
        self._clock = clock
        self._costs: dict[Any, tuple[float, int]] = {}  # client -> (mean seconds, requests)
        self.typical = FIRST_TYPICAL_SECONDS
        self._last_move = -MOVE_PAUSE_SECONDS
        self.moves = 0
        self.opening = 0  # connections accepted, not yet open (each counted at the typical cost)

    def cost(self, client: Any) -> float:
        """What one connection costs: the mean of its computations, or the typical one."""
        known = self._costs.get(client)
        return known[0] if known else self.typical

    def computed(self, client: Any, seconds: float) -> None:
        """Record a computation of `seconds` made for `client`'s connection."""
        mean, count = self._costs.get(client, (0.0, 0))
        self._costs[client] = ((mean * count + seconds) / (count + 1), count + 1)
        self.typical += _TYPICAL_WEIGHT * (seconds - self.typical)

    def publish(self) -> float:
        """Work out this worker's load from its open connections, publish it and return it;
        forget the costs of connections that have closed."""
        clients = {connection.client for connection in self._connections()}
        for gone in self._costs.keys() - clients:
            del self._costs[gone]
        load = sum(self.cost(client) for client in clients) + self.opening * self.typical
        self.board.publish(self.slot, load)
        return load

    def may_accept(self) -> bool:
        """Whether this worker is (one of) the lightest, so should take a new connection."""
        return self.publish() <= self.board.lightest_other(self.slot)

    def should_move(self, client: Any) -> bool:
        """Whether to end `client`'s connection after this answer, so that it connects again to
        a lighter worker: only when the move cannot overshoot (this worker is heavier than the
        lightest by twice its cost), is worth a reconnection (and a typical computation more),
        and no other move is on its way."""
        now = self._clock()
        if now - self._last_move < MOVE_PAUSE_SECONDS or len(self._connections()) < 2:
            return False
        gap = self.publish() - self.board.lightest_other(self.slot)
        if gap < 2 * self.cost(client) + self.typical:
            return False
        self._last_move = now
        self.moves += 1
        return True


class Balancing:
    """ASGI wrapper outermost in a worker: records what each request computed (the limiter
    reports it in the scope) and adds "Connection: close" to an answer whose connection should
    move (`WorkerLoad.should_move`)."""

    def __init__(self, app: ASGIApp, load: WorkerLoad) -> None:
        self.app = app
        self.load = load

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")  # the connection's own address: read before any proxy's
        spent: list[float] = []
        scope[COMPUTE_SECONDS] = spent

        async def send_maybe_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and self.load.should_move(client):
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_maybe_closing)
        finally:  # the limiter reports once the answer is sent
            for seconds in spent:
                self.load.computed(client, seconds)


class _Acceptor:
    """Takes connections from the shared socket when this worker's turn comes (`may_accept`)
    and hands them to uvicorn's protocol. Closed like the asyncio server it stands for."""

    def __init__(
        self,
        listener: socket.socket,
        protocol: Callable[[], asyncio.Protocol],
        load: WorkerLoad,
    ) -> None:
        self._listener = listener
        self._protocol = protocol
        self._load = load
        self._loop = asyncio.get_running_loop()
        self._waiting_since: float | None = None  # when this worker first stepped aside
        self._retry: asyncio.TimerHandle | None = None
        self._closed = False
        self._opening: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references
        load.publish()
        self._loop.add_reader(listener.fileno(), self._ready)
        self._publish = self._loop.call_later(PUBLISH_SECONDS, self._republish)

    def _republish(self) -> None:
        self._load.publish()  # closed connections leave the load even when nothing arrives
        self._publish = self._loop.call_later(PUBLISH_SECONDS, self._republish)

    def _ready(self) -> None:
        turn = self._load.may_accept()
        if not turn:
            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            if now - self._waiting_since < ACCEPT_ANYWAY_SECONDS:
                self._step_aside(RETRY_SECONDS)
                return
        try:
            connection, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):  # nothing waits: another worker took it
            self._waiting_since = None
            return
        except OSError as exc:  # out of file descriptors, say: try again shortly
            log.warning("SmartPick could not accept a connection: %s", exc)
            self._step_aside(0.1)
            return
        self._waiting_since = None
        connection.setblocking(False)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._load.opening += 1
        self._load.publish()  # before the next connection's turn is decided, here or there
        task = self._loop.create_task(self._open(connection))
        self._opening.add(task)
        task.add_done_callback(self._opening.discard)

    def _step_aside(self, seconds: float) -> None:
        self._loop.remove_reader(self._listener.fileno())
        self._retry = self._loop.call_later(seconds, self._resume)

    async def _open(self, connection: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._protocol, connection)
        except OSError:  # the client left before it was taken
            connection.close()
        finally:
            self._load.opening -= 1
        self._load.publish()

    def _resume(self) -> None:
        self._retry = None
        if self._closed:
            return
        waiting, _, _ = select.select([self._listener], [], [], 0)
        if not waiting:  # taken by another worker meanwhile
            self._waiting_since = None
        self._loop.add_reader(self._listener.fileno(), self._ready)

    def close(self) -> None:
        """Stop taking connections (the socket itself stays open for the other workers)."""
        if self._closed:
            return
        self._closed = True
        if self._retry is None:
            self._loop.remove_reader(self._listener.fileno())
        else:
            self._retry.cancel()
        self._publish.cancel()
        self._load.board.retire(self._load.slot)  # no new connection while it stops

    async def wait_closed(self) -> None:
        """Nothing to wait for: the connections are uvicorn's."""


class BalancedServer(uvicorn.Server):
    """uvicorn's server for one forked worker: accepts from the shared `listener` when its turn
    comes and moves connections to lighter workers (module docstring)."""

    def __init__(
        self, config: uvicorn.Config, listener: socket.socket, board: LoadBoard, slot: int
    ) -> None:
        super().__init__(config)
        self.listener = listener
        self.load = WorkerLoad(board, slot, lambda: self.server_state.connections)
        config.loaded_app = Balancing(config.loaded_app, self.load)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's start (the app's lifespan) without a listener of its own, then the
        shared socket's acceptor."""
        await super().startup(sockets=[])
        config = self.config

        def protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config,
                server_state=self.server_state,
                app_state=self.lifespan.state,
            )

        self.servers = [_Acceptor(self.listener, protocol, self.load)]  # type: ignore[list-item]
