"""`smartpick serve --workers 2`: one parent loads the app and forks two workers (web/prefork.py).

A real server on loopback: both workers answer, a worker that dies is replaced, and SIGTERM
stops the parent and every worker.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from smartpick.testing import connections_by_process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
        except FileNotFoundError:  # a thread that ended since the listing
            continue
    return found


def _wait_for(check: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_two_forked_workers_serve_are_replaced_and_stop(tmp_path: Path) -> None:
    port = _free_port()
    cmd = [str(Path(sys.executable).parent / "smartpick"), "serve", "--port", str(port)]
    env = {**os.environ, "SMARTPICK_HOME": str(tmp_path)}
    proc = subprocess.Popen([*cmd, "--workers", "2"], env=env, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/about"
    try:
        assert _wait_for(lambda: len(_children(proc.pid)) == 2), "two workers were not forked"
        with httpx.Client(timeout=60) as client:
            assert all(client.get(url).status_code == 200 for _ in range(6))
        first, second = _children(proc.pid)
        os.kill(first, signal.SIGKILL)
        assert _wait_for(lambda: first not in _children(proc.pid) and len(_children(proc.pid)) == 2)
        assert second in _children(proc.pid)
        assert httpx.get(url, timeout=60).status_code == 200
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
        assert not any(_alive(pid) for pid in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            pytest.fail("smartpick serve did not stop on SIGTERM")


def test_the_start_leaves_the_workers_a_collector_that_runs() -> None:
    """`serve` turns the collector off while it loads; the workers must get it back on (cycles
    would pile up otherwise), with the start's objects frozen out of its reach."""
    from smartpick.cli import serve_cmd
    from smartpick.web.app import WebSettings, create_app

    threshold = gc.get_threshold()
    gc.disable()
    try:
        serve_cmd._warm(create_app(WebSettings()))
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] > threshold[0]  # fewer young collections per page
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        gc.enable()


def test_new_connections_are_shared_evenly_and_a_stuck_worker_loses_none(tmp_path: Path) -> None:
    """Forty clients that connect at once are shared evenly by the two workers (each takes one
    only when it is the lighter, web/balance.py); while one worker is stuck (here: stopped), the
    other takes every new connection and answers it (with a listening socket per worker, the
    stuck one's share would wait)."""
    port = _free_port()
    cmd = [str(Path(sys.executable).parent / "smartpick"), "serve", "--port", str(port)]
    env = {**os.environ, "SMARTPICK_HOME": str(tmp_path)}
    proc = subprocess.Popen([*cmd, "--workers", "2"], env=env, stderr=subprocess.PIPE)
    clients: list[socket.socket] = []
    request = b"GET /about HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        assert _wait_for(lambda: len(_children(proc.pid)) == 2), "two workers were not forked"
        assert _wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/about").status_code == 200)
        workers = _children(proc.pid)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        for client in clients:
            client.sendall(request)
        for client in clients:  # every connection accepted and answered
            client.settimeout(30)
            assert client.recv(12).startswith(b"HTTP/1.1 200")
        held = connections_by_process(workers, port)
        # 20/20, give or take a race; a worker that got ahead may close one after its answer
        assert sum(held.values()) >= 38 and min(held.values()) >= 18, held
        stuck, _ = workers
        os.kill(stuck, signal.SIGSTOP)
        try:
            late = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
            clients += late
            for client in late:
                client.sendall(request)
            started = time.monotonic()
            for client in late:  # the running worker takes them all: the other's is stale
                client.settimeout(5)
                assert client.recv(12).startswith(b"HTTP/1.1 200")
            assert time.monotonic() - started < 5
            assert connections_by_process([stuck], port)[stuck] <= held[stuck]
        finally:
            os.kill(stuck, signal.SIGCONT)
    finally:
        for client in clients:
            client.close()
        proc.terminate()
        proc.wait(timeout=40)


def test_a_port_in_use_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    """The server holds its port alone: a port another server holds (another
    SmartPick included) stops the start with exit status 3 and says why."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cmd = [str(Path(sys.executable).parent / "smartpick"), "serve", "--port", str(port)]
        env = {**os.environ, "SMARTPICK_HOME": str(tmp_path)}
        done = subprocess.run(
            [*cmd, "--workers", "2"], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Address already in use" in done.stderr


@pytest.mark.parametrize(
    ("cores", "workers", "limit"), [(2, 1, 2), (1, 1, 2), (2, 2, 1), (8, 2, 4), (2, 4, 1)]
)
def test_each_worker_computes_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, limit: int
) -> None:
    """A lone process runs one computation per core (at least two); forked workers share the
    cores, at least one computation each."""
    from smartpick.web import workload

    monkeypatch.setattr(workload.os, "cpu_count", lambda: cores)
    assert workload.default_limit(workers) == limit


def test_serve_gives_its_workers_their_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --workers N` builds the app with each worker's share of the cores as its limit."""
    from smartpick.cli.serve_cmd import serve
    from smartpick.web import app as web_app
    from smartpick.web import prefork, workload

    seen: dict[str, int] = {}
    real = web_app.create_app

    def create_app(settings: web_app.WebSettings) -> object:
        seen["limit"] = settings.max_concurrent_computations
        return real(settings)

    monkeypatch.setattr(web_app, "create_app", create_app)
    monkeypatch.setattr(prefork, "serve_forked", lambda app, **options: None)
    monkeypatch.setattr(workload.os, "cpu_count", lambda: 4)
    try:
        serve(host="127.0.0.1", port=8000, workers=2, user_store=None, allowed_host=[])
    finally:
        gc.enable()  # `serve` turns the collector off while it loads; the workers' warm-up is skipped
    assert seen["limit"] == 2
