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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(c) for c in f.read().split()]
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
