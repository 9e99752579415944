"""Browser tests: Debian's Chromium through Playwright against a real uvicorn on loopback.

A new user fills the form, submits, sees the results (numbers, chart, map, list), opens a program
page, toggles a what-if and re-runs it, and downloads the CSV. Every request the page makes is
recorded: none may leave 127.0.0.1. Screenshots go to artifacts/ (gitignored).
"""

from __future__ import annotations

import csv
import re

import httpx
import pytest

from .conftest import ARTIFACTS, GUIDE_QUERY, open_plan

pytestmark = pytest.mark.browser


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
    # a selector wait, not wait_for_function: the page's CSP forbids the eval it would poll with
    page.locator("#fee-note", has_text="$500 pays for").wait_for()
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
    page.wait_for_selector("#fields")
    assert page.inner_text("h1") == name
    assert "FREIDA" in page.inner_text("#fields") or "AAMC" in page.inner_text("#fields")


def test_new_user_flow_results_chart_map_program_whatif_csv(page, server) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_default_timeout(120_000)  # the plan re-runs the optimizer for every priced step
    page.goto(server + "/")
    # A first-time user: the guide's sample applicant, typing only what differs from defaults.
    assert page.locator("#specialties input:checked").get_attribute("value") == "Internal Medicine"
    assert page.locator("#specialties input:checked").count() == 1
    page.select_option("#visa", "j1")
    page.fill("#step2ck", "224")
    page.select_option("#step1", "score")
    page.fill("#step1_score", "209")
    page.fill("#usce-1-months", "1")
    page.select_option("#usce-1-kind", "observership")
    page.fill("#us_letters", "1")
    page.fill("#us_letters_in_specialty", "1")
    page.click("#go")
    page.wait_for_url("**/results?**")

    # Results: the numbers, the chart and the map.
    assert re.search(r"\d+%", page.inner_text("#stat-pmatch"))
    assert page.locator("#curve path.curve").count() == 1
    assert page.locator("#curve line.stop").count() == 1
    dots = page.locator("#map .dot")
    assert dots.count() > 0
    rows = page.locator("#list tbody tr")
    n_rows = rows.count()
    assert n_rows > 0

    # The list sorts and filters in the page; the first click on the interview chance puts the
    # best first, the second reverses.
    chance = "#list thead th:nth-child(8)"
    page.click(chance + " button.sort")
    assert page.get_attribute(chance, "aria-sort") == "descending"
    values = [
        float(v)
        for v in page.eval_on_selector_all(
            "#list tbody tr td:nth-child(8)", "cells => cells.map(c => c.dataset.sort)"
        )
    ]
    assert values == sorted(values, reverse=True)
    page.click(chance + " button.sort")
    assert page.get_attribute(chance, "aria-sort") == "ascending"
    tier = page.locator("#list tbody tr").first.get_attribute("data-tier")
    page.select_option("#f-tier", tier)
    assert f"of {n_rows} programs shown" in page.inner_text("#list-count")
    page.select_option("#f-tier", "")

    page.screenshot(path=str(ARTIFACTS / "results-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "results-390px.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 900})

    # Download the CSV and check its rows against the list on the page.
    with page.expect_download() as download_info:
        page.click("#dl-csv")
    path = download_info.value.path()
    with open(path, newline="", encoding="utf-8-sig") as f:  # Excel's byte-order mark first
        csv_rows = list(csv.DictReader(f))
    page_ids = page.eval_on_selector_all(
        "#list tbody tr td:nth-child(2) a",
        "links => links.map(a => a.getAttribute('href').split('?')[0].split('/').pop())",
    )
    assert sorted(r["Program ID"] for r in csv_rows) == sorted(page_ids)

    # The plan loads into its panel; tick a priced step and price it.
    open_plan(page)
    toggle = page.locator("input.whatif-toggle").first
    step = toggle.get_attribute("data-step")
    toggle.check()
    page.click("#whatif-run")
    page.wait_for_selector("#whatif-price")
    assert "chance of matching" in page.inner_text("#whatif-price")
    results_url = page.url

    # Re-run with the change: a new results page whose address carries it.
    page.click("#whatif-rerun")
    page.wait_for_url("**/results?**")
    assert page.url != results_url, step
    page.wait_for_selector("#stat-pmatch")

    # Open a program page from the list: every field with its source, and this applicant.
    page.goto(results_url)
    first = page.locator("#list tbody tr td:nth-child(2) a").first
    name = first.inner_text()
    first.click()
    page.wait_for_selector("#for-you")
    assert page.inner_text("h1") == name
    assert "Chance of an interview" in page.inner_text("#for-you")
    assert "FREIDA" in page.inner_text("#fields") or "AAMC" in page.inner_text("#fields")


def test_pages_fit_a_390px_phone_and_work_by_keyboard(page, server) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    program = httpx.get(server + "/api/programs?specialty=Internal+Medicine").json()["programs"][0]
    for path in ("/", "/programs?specialty=Internal+Medicine", program["url"], "/about"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at a 390-px screen"
        if path == program["url"]:
            page.screenshot(path=str(ARTIFACTS / "program-390px.png"), full_page=False)
    # Keyboard: the first Tab reaches the skip link; the form's fields take focus in order.
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#step2ck")
    page.keyboard.type("224")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "step2ck_attempts"
    # Submitting with an error moves focus to the error summary, which links to the field.
    page.fill("#graduation_year", "")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.screenshot(path=str(ARTIFACTS / "form-errors-390px.png"), full_page=False)


def test_the_plan_is_asked_for_only_when_its_panel_comes_into_view(page, server) -> None:
    """A results page viewed without reaching the plan costs no plan (about five pages' CPU)."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/results/plan" in r.url else None)
    page.goto(f"{server}/results?{GUIDE_QUERY}")
    page.wait_for_selector("#list tbody tr")
    page.wait_for_timeout(500)  # htmx has processed the page and the first paint is done
    assert asked == []
    open_plan(page)
    assert len(asked) == 1
    assert "chance of matching" in page.inner_text("#plan-body")
