"""Several worker processes for one server: load the app once, then fork the workers.

uvicorn's own `--workers` spawn fresh interpreters: each imports the whole application (seconds
of CPU) and builds its caches again, all at once, on a machine with about as many cores as
workers. Here the parent binds the socket, builds the app and loads what no applicant changes
(`warm`), then forks: each worker starts in milliseconds and shares those pages with the others
(copy-on-write). What holds an open file or connection (the catalog's SQLite) is opened by each
worker itself, after the fork. The workers accept from the parent's one listening socket, each
when its turn comes, and share the work by what their connections cost (`web.balance`). A worker
that exits is replaced; SIGINT or SIGTERM stops every worker gracefully (uvicorn finishes the
requests under way) and then the parent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from smartpick.web.balance import BalancedServer, LoadBoard

log = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 30.0  # how long stopping workers may take to finish their requests
_QUICK_EXIT_SECONDS = 2.0  # a worker that exits this soon after starting failed to start
_QUICK_EXITS_ALLOWED = 5
_STARTUP_FAILURE = 3  # uvicorn's exit status when it cannot listen


class _Stop(Exception):
    """Raised in the parent by SIGINT or SIGTERM."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop


def _listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """host:port for this server alone, listening, for every worker to accept from. A port that
    anything else holds is refused, another SmartPick server included. Connections that arrive
    during the warm-up wait in its queue."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)  # the workers' event loops accept from it
    return sock


def _worker(config: uvicorn.Config, listener: socket.socket, board: LoadBoard, slot: int) -> None:
    """Run in a forked child: serve from the shared socket until told to stop; never return."""
    code = 0
    try:
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own when it starts
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        BalancedServer(config, listener, board, slot).run()
    except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
        log.exception("SmartPick worker %s failed", os.getpid())
        code = 1
    finally:
        os._exit(code)


def serve_forked(
    app: Any, *, host: str, port: int, workers: int, warm: Callable[[], None], **options: Any
) -> None:
    """Serve `app` on host:port with `workers` forked processes (uvicorn `options` for each)."""
    config = uvicorn.Config(app, host=host, port=port, **options)
    config.load()
    try:  # the port is ours (or taken) before the slow warm-up
        sock = _listening_socket(host, port, config.backlog)
    except OSError as exc:
        log.error("SmartPick cannot listen on %s:%s: %s", host, port, exc)
        sys.exit(_STARTUP_FAILURE)
    warm()
    board = LoadBoard(workers)
    children: dict[int, tuple[float, int]] = {}  # pid -> (start time, its place on the board)

    def fork(slot: int) -> None:
        board.retire(slot)  # no connection for it until it runs
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)  # none lands between the two
        pid = os.fork()
        if pid == 0:
            _worker(config, sock, board, slot)
        children[pid] = (time.monotonic(), slot)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

    previous = {sig: signal.signal(sig, _stop) for sig in _STOP_SIGNALS}
    quick_exits = 0
    try:
        for slot in range(workers):
            fork(slot)
        while children:
            pid, status = os.wait()
            found = children.pop(pid, None)
            if found is None:
                continue
            started, slot = found
            board.retire(slot)
            quick_exits += time.monotonic() - started < _QUICK_EXIT_SECONDS
            if quick_exits >= _QUICK_EXITS_ALLOWED:
                log.error("SmartPick workers keep exiting at start; stopping")
                break
            log.warning("SmartPick worker %s exited (%s); starting another", pid, status)
            fork(slot)
    except _Stop:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_all(children)
        sock.close()


def _stop_all(children: dict[int, tuple[float, int]]) -> None:
    """SIGTERM every worker, wait for them (at most GRACE_SECONDS), then SIGKILL the rest."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while children and time.monotonic() < deadline:
        for pid in list(children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                children.pop(pid)
        time.sleep(0.05)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
