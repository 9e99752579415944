"""Web edges: malformed uploads, what follows a 500, the Host allow-list, and HEAD."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from smartpick.cli.serve_cmd import _allowed_hosts
from smartpick.web import WebSettings, create_app
from smartpick.web.app import ALLOWED_HOSTS_ENV, app_from_environment
from smartpick.web.security import normalize_host

# --- D4: malformed multipart bodies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("multipart/form-data; boundary=", b"abc", "malformed multipart body"),
        ("multipart/form-data; boundary=x", b"--y\r\n", "malformed multipart body"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data\r\n\r\n",
            "must be provided",  # Starlette's own 400 for a part without a name
        ),
    ],
)
def test_malformed_multipart_is_a_400_with_a_message(
    client, content_type: str, body: bytes, message: str
) -> None:
    r = client.post("/profile/open", content=body, headers={"content-type": content_type})
    assert r.status_code == 400, r.text
    assert message in r.text and "Bad request" in r.text
    assert r.headers["cache-control"] == "no-store"


# --- D15: after a 500, on a real server ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Probe:
    """An expensive-looking route that records how many of its calls run at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = self.calls = 0
        self.release = threading.Event()

    def __call__(self) -> dict[str, int]:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(timeout=30)
        with self.lock:
            self.running -= 1
        return {"ok": 1}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Probe]]:
    """uvicorn on loopback serving the real app (2 computations at once) plus two test routes:
    one that fails unexpectedly, one under /api/results that blocks until released."""
    store = tmp_path_factory.mktemp("edges") / "user.sqlite"
    app = create_app(WebSettings(user_store=store, max_concurrent_computations=2))

    def boom() -> None:
        raise ValueError("invalid literal for int() with base 10: 'what the applicant typed'")

    probe = Probe()
    app.add_api_route("/_boom", boom, include_in_schema=False)
    app.add_api_route("/api/results/_probe", probe, include_in_schema=False)
    port = _free_port()
    # log_config=None: uvicorn's loggers propagate to pytest's caplog.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    uvi = uvicorn.Server(config)
    thread = threading.Thread(target=uvi.run, daemon=True)
    thread.start()
    for _ in range(200):
        if uvi.started:
            break
        time.sleep(0.05)
    yield port, probe
    probe.release.set()
    uvi.should_exit = True
    thread.join(timeout=10)


def _exchange(sock: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one request and read exactly one response (by its Content-Length)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def test_after_a_500_the_connection_stays_usable_and_one_line_is_logged(
    server: tuple[int, Probe], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with socket.create_connection(("127.0.0.1", server[0]), timeout=30) as sock:
        status, headers, body = _exchange(sock, _get("/_boom"))
        assert status == 500 and b"Something went wrong" in body
        assert headers["cache-control"] == "no-store"
        assert headers.get("connection", "keep-alive").lower() != "close"
        assert "content-security-policy" in headers
        # The same connection answers the next request: it was kept alive properly.
        status, _, body = _exchange(sock, _get("/about"))
        assert status == 200 and b"SmartPick" in body
    time.sleep(0.2)  # let the server thread finish logging
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    line = errors[0].getMessage()
    assert "/_boom" in line and "ValueError" in line and "\n" not in line
    assert errors[0].exc_info is None  # no traceback, and nothing the applicant typed
    assert "what the applicant typed" not in caplog.text


# --- D19: expensive work is bounded, cheap pages never wait ------------------------------------


def test_at_most_the_limit_of_computations_run_at_once(server: tuple[int, Probe]) -> None:
    port, probe = server
    base = f"http://127.0.0.1:{port}"
    results: list[int] = []

    def call() -> None:
        results.append(httpx.get(base + "/api/results/_probe", timeout=60).status_code)

    callers = [threading.Thread(target=call) for _ in range(6)]
    for t in callers:
        t.start()
    for _ in range(200):  # until the two slots are taken
        if probe.running == 2:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # give the other four every chance to (wrongly) start
    assert probe.running == 2 and probe.calls == 2
    # While every slot is busy and four requests queue, a cheap page is answered at once.
    assert httpx.get(base + "/about", timeout=10).status_code == 200
    probe.release.set()
    for t in callers:
        t.join(timeout=60)
    assert results == [200] * 6 and probe.calls == 6 and probe.most == 2


# --- D16: Host allow-list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/programs", "/api/programs", "/static/css/smartpick.css", "/programs/"]
)
def test_an_unknown_host_gets_400(client, url: str) -> None:
    r = client.get(url, headers={"host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 400
    assert "evil.example" not in r.text and "location" not in r.headers
    assert r.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost", "LOCALHOST:8000", "localhost.", "[::1]:8000"]
)
def test_loopback_names_are_allowed(client, host: str) -> None:
    assert client.get("/about", headers={"host": host}).status_code == 200


def test_redirects_and_share_links_name_the_allowed_host(client, guide_query: str) -> None:
    r = client.get("/programs/", headers={"host": "localhost:8000"}, follow_redirects=False)
    assert r.status_code in (301, 307, 308)
    assert r.headers["location"].startswith("http://localhost:8000/programs")
    page = client.get("/results?" + guide_query, headers={"host": "127.0.0.1:8000"})
    assert 'value="http://127.0.0.1:8000/results?' in page.text


def test_an_ambiguous_host_is_refused(client) -> None:
    for host in ("127.0.0.1:80:80", "[::1]x", "127.0.0.1:port"):
        assert client.get("/about", headers={"host": host}).status_code == 400, host


def test_serve_allows_its_host_and_explicit_names_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosts = _allowed_hosts("192.168.1.4", ["SmartPick.Example.org."])
    assert hosts == ("127.0.0.1", "localhost", "::1", "192.168.1.4", "smartpick.example.org")
    assert _allowed_hosts("0.0.0.0", []) == ("127.0.0.1", "localhost", "::1")
    assert normalize_host("[FE80::1]:80") == "fe80::1"
    # Worker processes get the same list through the environment.
    monkeypatch.setenv(ALLOWED_HOSTS_ENV, ",".join(hosts))
    monkeypatch.setenv("SMARTPICK_WEB_USER_STORE", str(tmp_path / "user.sqlite"))
    worker = TestClient(app_from_environment(), base_url="http://smartpick.example.org")
    assert worker.get("/about").status_code == 200
    assert worker.get("/about", headers={"host": "evil.example"}).status_code == 400


# --- D18: HEAD ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/about", "/api/programs", "/static/css/smartpick.css"])
def test_head_is_answered_like_get_without_a_body(client, url: str) -> None:
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers.get("cache-control") == got.headers.get("cache-control")


def test_other_methods_are_still_refused(client) -> None:
    assert client.put("/about").status_code == 405


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("step2ck=230", "step2ck"),  # two valid values: which one was meant is unknown
        ("usce-8-specialty=FE%C3%83%C2%AF&usce-8-specialty=", "usce-8-specialty"),  # fuzz-found
    ],
)
def test_a_single_valued_field_given_twice_is_refused_by_name(
    client, guide_query: str, extra: str, field: str
) -> None:
    response = client.get(f"/api/results?{guide_query}&{extra}")
    assert response.status_code == 422
    assert "given 2 times" in response.text
    assert field in response.text or "Step 2 CK" in response.text
    assert client.get(f"/results?{guide_query}&{extra}").status_code == 422  # the form says so too
