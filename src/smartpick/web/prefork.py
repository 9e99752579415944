"""Several worker processes for one server: load the app once, then fork the workers.

uvicorn's own `--workers` spawn fresh interpreters: each imports the whole application (seconds
of CPU) and builds its caches again, all at once, on a machine with about as many cores as
workers. Here the parent binds the socket, builds the app and loads what no applicant changes
(`warm`), then forks: each worker starts in milliseconds and shares those pages with the others
(copy-on-write). What holds an open file or connection (the catalog's SQLite) is opened by each
worker itself, after the fork. A worker that exits is replaced; SIGINT or SIGTERM stops every
worker gracefully (uvicorn finishes the requests under way) and then the parent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn

log = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 30.0  # how long stopping workers may take to finish their requests
_QUICK_EXIT_SECONDS = 2.0  # a worker that exits this soon after starting failed to start
_QUICK_EXITS_ALLOWED = 5


class _Stop(Exception):
    """Raised in the parent by SIGINT or SIGTERM."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop


def _worker(config: uvicorn.Config, sock: socket.socket) -> None:
    """Run in a forked child: serve the shared socket until told to stop; never return."""
    code = 0
    try:
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own when it starts
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        uvicorn.Server(config).run(sockets=[sock])
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
    sock = config.bind_socket()
    warm()
    children: dict[int, float] = {}  # pid -> start time

    def fork() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)  # none lands between the two
        pid = os.fork()
        if pid == 0:
            _worker(config, sock)
        children[pid] = time.monotonic()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

    previous = {sig: signal.signal(sig, _stop) for sig in _STOP_SIGNALS}
    quick_exits = 0
    try:
        for _ in range(workers):
            fork()
        while children:
            pid, status = os.wait()
            started = children.pop(pid, None)
            if started is None:
                continue
            quick_exits += time.monotonic() - started < _QUICK_EXIT_SECONDS
            if quick_exits >= _QUICK_EXITS_ALLOWED:
                log.error("SmartPick workers keep exiting at start; stopping")
                break
            log.warning("SmartPick worker %s exited (%s); starting another", pid, status)
            fork()
    except _Stop:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_all(children)
        sock.close()


def _stop_all(children: dict[int, float]) -> None:
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
