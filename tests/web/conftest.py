"""Web test fixtures: one in-process app over the real bundled catalog (session scope), and for
the browser tests `smartpick serve` on a loopback port driven by Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from smartpick.web import WebSettings, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


@pytest.fixture(scope="session")
def user_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty user catalog, so tests never read or write the developer's own store."""
    return tmp_path_factory.mktemp("smartpick-home") / "user_catalog.sqlite"


@pytest.fixture(scope="session")
def app(user_store: Path):
    return create_app(WebSettings(user_store=user_store))


@pytest.fixture(scope="session")
def client(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


# The guide's sample applicant (reference_profiles.md) as the form sends it.
GUIDE_QUERY = (
    "specialties=Internal+Medicine&visa=j1&step1=score&step1_score=209&step2ck=224"
    "&match_year=2028&graduation_year=2026&usce-1-months=1&usce-1-kind=observership"
    "&us_letters=1&us_letters_in_specialty=1"
)


@pytest.fixture(scope="session")
def guide_results(client) -> dict:
    """`/api/results` for the guide's sample applicant (computed once per session)."""
    r = client.get("/api/results?" + GUIDE_QUERY)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="session")
def guide_results_html(client) -> str:
    r = client.get("/results?" + GUIDE_QUERY)
    assert r.status_code == 200, r.text
    return r.text


@pytest.fixture(scope="session")
def guide_plan(client) -> dict:
    """`/api/plan` for the guide's sample applicant (the advisor re-runs the optimizer per step)."""
    r = client.get("/api/plan?" + GUIDE_QUERY)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="session")
def guide_query() -> str:
    """The guide's sample applicant as a results-page query string."""
    return GUIDE_QUERY


# --- browser tests: a real server on loopback, Debian's Chromium --------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`smartpick serve` on a free loopback port, with an empty SMARTPICK_HOME."""
    port = _free_port()
    env = {**os.environ, "SMARTPICK_HOME": str(tmp_path_factory.mktemp("home"))}
    cmd = [str(Path(sys.executable).parent / "smartpick"), "serve", "--port", str(port)]
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                pytest.fail(f"smartpick serve exited: {log.read_text()}")
            try:
                if httpx.get(url + "/about", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("smartpick serve did not start in 15 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page that records every request and every console error."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.outside = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on(
        "request",
        lambda r: (
            None if r.url.startswith((server, "data:", "blob:")) else pg.outside.append(r.url)
        ),  # type: ignore[attr-defined]
    )
    pg.server_errors = []  # type: ignore[attr-defined]
    # Console errors catch CSP violations and script errors; a 4xx page (the form shown again
    # with its errors) logs "Failed to load resource", which is expected there.
    pg.on(
        "console",
        lambda m: (
            pg.console_errors.append(m.text)  # type: ignore[attr-defined]
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    pg.on(
        "response",
        lambda r: pg.server_errors.append(r.url) if r.status >= 500 else None,  # type: ignore[attr-defined]
    )
    yield pg
    assert not pg.outside, f"requests left the app: {pg.outside}"  # type: ignore[attr-defined]
    assert not pg.console_errors, pg.console_errors  # type: ignore[attr-defined]
    assert not pg.server_errors, pg.server_errors  # type: ignore[attr-defined]
    context.close()


def open_plan(page, timeout_ms: float | None = None) -> None:
    """Scroll the results page to its plan panel (the plan is asked for only when the panel
    comes into view) and wait until the plan is in it."""
    page.locator("#plan-section").scroll_into_view_if_needed()
    page.wait_for_selector("#plan-body", timeout=timeout_ms)
