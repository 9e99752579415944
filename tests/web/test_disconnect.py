"""D11 on a real server: no computation runs on for a client that left, the queue is bounded, and
a computation past its deadline stops with a clear 503."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from smartpick.web import WebSettings, create_app
from smartpick.web.workload import ExpensiveWorkLimiter

from .conftest import GUIDE_QUERY

# A plan that takes seconds: the guide's sample applicant with a $3,000 budget.
SLOW_PLAN = f"/results/plan?{GUIDE_QUERY}&budget_usd=3000"


class Gate:
    """A route under /api/results that holds its computation slot until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> dict[str, int]:
        self.entered.set()
        self.release.wait(timeout=60)
        return {"ok": 1}


@contextmanager
def serving(tmp_path: Path, **settings: object) -> Iterator[tuple[str, ExpensiveWorkLimiter, Gate]]:
    """uvicorn on loopback serving the real app with these settings, plus the gate route."""
    app = create_app(WebSettings(user_store=tmp_path / "user.sqlite", **settings))  # type: ignore[arg-type]
    gate = Gate()
    app.add_api_route("/api/results/_gate", gate, include_in_schema=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: server.started, 20, "the server did not start")
        assert httpx.get(base + "/about", timeout=10).status_code == 200
        node = app.middleware_stack  # built by the first request
        while not isinstance(node, ExpensiveWorkLimiter):
            node = node.app  # type: ignore[union-attr]
        yield base, node, gate
    finally:
        gate.release.set()
        server.should_exit = True
        thread.join(timeout=30)


def _until(condition: Callable[[], bool], seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.02)


def _send(base: str, target: str) -> socket.socket:
    """Send a GET on a raw socket and leave it open (closing it is the client leaving)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


def test_a_plan_whose_client_leaves_stops_computing(tmp_path: Path) -> None:
    with serving(tmp_path, max_concurrent_computations=1) as (base, limiter, _):
        sock = _send(base, SLOW_PLAN)
        _until(lambda: any(t.checks > 3 for t in limiter.active), 60, "the plan never started")
        token = next(iter(limiter.active))
        sock.close()
        left = time.monotonic()
        _until(lambda: limiter.counts["client left"] == 1, 20, "the plan went on computing")
        stopped_after = time.monotonic() - left
        assert limiter.running == 0 and not limiter.active
        checks = token.checks
        time.sleep(0.5)
        assert token.checks == checks  # nothing runs under it any more
        assert limiter.counts["finished"] == 0
        assert stopped_after < 20


def test_queued_requests_whose_clients_left_never_start(tmp_path: Path) -> None:
    with serving(tmp_path, max_concurrent_computations=1) as (base, limiter, gate):
        holder = threading.Thread(target=httpx.get, args=(base + "/api/results/_gate",))
        holder.start()
        assert gate.entered.wait(20)
        socks = [_send(base, f"{SLOW_PLAN}&posters={i}") for i in range(5)]
        _until(lambda: limiter.waiting == 5, 20, "the requests did not queue")
        for sock in socks:
            sock.close()
        # They leave the queue while the slot is still taken: none of them holds a place.
        _until(lambda: limiter.waiting == 0, 20, "abandoned requests stayed in the queue")
        assert limiter.counts["left queue"] == 5
        gate.release.set()
        holder.join(timeout=20)
        time.sleep(0.3)
        assert limiter.counts["started"] == 1 and limiter.counts["finished"] == 1  # the gate
        assert limiter.running == 0


def test_beyond_the_queue_cap_the_answer_is_503_with_retry_after(tmp_path: Path) -> None:
    settings = {"max_concurrent_computations": 1, "max_queued_computations": 2}
    with serving(tmp_path, **settings) as (base, limiter, gate):
        callers = [
            threading.Thread(target=httpx.get, args=(base + "/api/results/_gate",))
            for _ in range(3)
        ]
        for t in callers:
            t.start()
        _until(lambda: limiter.running == 1 and limiter.waiting == 2, 20, "no full queue")
        api = httpx.get(f"{base}/api/results?{GUIDE_QUERY}", timeout=10)
        page = httpx.get(f"{base}/results?{GUIDE_QUERY}", timeout=10)
        assert httpx.get(base + "/about", timeout=10).status_code == 200  # cheap pages answer
        gate.release.set()
        for t in callers:
            t.join(timeout=20)
    assert api.status_code == 503 and page.status_code == 503
    assert 1 <= int(api.headers["retry-after"]) <= 300
    assert "try again in about" in api.json()["error"]["message"]
    assert "SmartPick is busy" in page.text and page.headers["cache-control"] == "no-store"
    assert limiter.counts["queue full"] == 2 and limiter.counts["finished"] == 3


def test_a_computation_past_its_deadline_stops_with_a_503(tmp_path: Path) -> None:
    # A plan at $3,000 is 13 lists, about 0.5 s of CPU now: far past 0.05 s on any machine.
    with serving(tmp_path, computation_deadline_seconds=0.05) as (base, limiter, _):
        started = time.monotonic()
        api = httpx.get(f"{base}/api/plan?{GUIDE_QUERY}&budget_usd=3000", timeout=60)
        seconds = time.monotonic() - started
        page = httpx.get(base + SLOW_PLAN, headers={"HX-Request": "true"}, timeout=60)
        assert limiter.counts["deadline"] == 2 and limiter.running == 0
    assert api.status_code == 503, api.text
    assert "took too long" in api.json()["error"]["message"]
    assert "fewer programs" in api.json()["error"]["message"]
    assert page.status_code == 503 and "This took too long" in page.text
    assert "<html" not in page.text  # the htmx panel gets a fragment
    assert seconds < 20


def test_freed_memory_goes_back_once_the_server_is_idle_not_after_each_computation(
    tmp_path: Path, monkeypatch
) -> None:
    from smartpick.web import workload

    trims: list[float] = []
    monkeypatch.setattr(workload, "_return_free_memory", lambda: trims.append(time.monotonic()))
    monkeypatch.setattr(workload, "IDLE_SECONDS_BEFORE_TRIM", 0.5)
    with serving(tmp_path) as (base, limiter, gate):
        gate.release.set()
        assert httpx.get(base + "/api/results/_gate", timeout=20).status_code == 200
        done = time.monotonic()
        assert httpx.get(base + "/api/results/_gate", timeout=20).status_code == 200
        _until(lambda: len(trims) == 1, 10, "freed memory never went back")
        assert trims[0] - done >= 0.5  # after the idle second, once for both computations
        gate.release.clear()
        gate.entered.clear()
        holder = threading.Thread(target=httpx.get, args=(base + "/api/results/_gate",))
        holder.start()
        assert gate.entered.wait(20)
        time.sleep(1.0)
        assert len(trims) == 1  # never while a computation runs
        gate.release.set()
        holder.join(timeout=20)
        _until(lambda: len(trims) == 2, 10, "freed memory never went back after the second")
        assert limiter.running == 0
