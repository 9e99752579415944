"""The catalog page and the program page: 2026 evidence, sorting, state names, errors in place."""

from __future__ import annotations

import re

from markupsafe import escape

NE_GEORGIA = "1401200932C"  # invited 0% of 2,872 non-US IMG applicants in 2026


def test_program_page_says_what_it_did_in_2026(client) -> None:
    page = client.get(f"/programs/{NE_GEORGIA}").text
    section = page.split('id="evidence"', 1)[1].split("</section>", 1)[0]
    assert "Invited 0% of 2,872 non-US IMG applicants to interview in 2026" in section
    for words in (
        "with a gold signal: 36% of 108",
        "failed it at least once: 4% of 251",
        "whose stated region matched the program: 9% of 2,728",
        "non-US IMGs: 227 to 258",
        "20 offered, 20 filled in the 2026 Main Match",
        "AAMC Residency Explorer, 2026 cycle",
    ):
        assert str(escape(words)) in section, words
    # The older value stays a shown conflict in the field list.
    assert "said 40%" in page
    twin = client.get(f"/api/programs/{NE_GEORGIA}").json()
    assert twin["interview_evidence"]["by_type"]["non_us_img"]["applicants"] == 2872


def test_an_im_program_without_2026_data_says_so_plainly(client) -> None:
    data = client.get(
        "/api/programs",
        params={"specialty": "Internal Medicine", "sort": "nonus_img_interview_rate"},
    ).json()
    last = client.get(
        "/api/programs",
        params={
            "specialty": "Internal Medicine",
            "sort": "nonus_img_interview_rate",
            "page": data["pages"],
        },
    ).json()["programs"][-1]
    assert last["nonus_img_interview_rate"] is None
    page = client.get(last["url"]).text
    assert 'id="evidence-missing"' in page and "does not mean" in page
    assert "your import" not in page
    assert "none of SmartPick&#39;s sources states it" in page


def test_catalog_sorts_by_the_2026_rate_best_first_and_the_heading_flips_it(client) -> None:
    params = {"specialty": "Family Medicine", "sort": "nonus_img_interview_rate"}
    twin = client.get("/api/programs", params=params).json()
    rates = [p["nonus_img_interview_rate"] for p in twin["programs"]]
    assert rates == sorted(rates, reverse=True) and rates[0] > 0
    page = client.get("/programs", params=params).text
    head = re.search(r'<th[^>]*aria-sort="descending"><a class="sort" href="([^"]+)"', page)
    assert head is not None and "nonus_img_interview_rate" in head.group(1)
    assert "order=asc" in head.group(1).replace("&amp;", "&")
    # A first click on another number column sorts it highest first.
    share = re.search(r'href="([^"]*sort=pct_non_us_img[^"]*)"', page)
    assert share is not None and "order=desc" in share.group(1)
    assert "<caption>" in page


def test_catalog_filters_by_the_2026_rate(client) -> None:
    params = {"specialty": "Internal Medicine", "min_nonus_img_interview_pct": "4"}
    twin = client.get("/api/programs", params=params).json()
    assert twin["total"] > 0
    assert all(p["nonus_img_interview_rate"] >= 0.04 for p in twin["programs"])
    page = client.get("/programs", params=params).text
    assert f"{twin['total']} programs found" in page


def test_state_takes_a_name_or_a_code_and_visa_its_usual_spellings(client) -> None:
    by_name = client.get("/api/programs", params={"state": "Texas"}).json()
    by_code = client.get("/api/programs", params={"state": "tx"}).json()
    assert by_name["total"] == by_code["total"] > 0
    page = client.get("/programs", params={"state": "Texas"})
    assert page.status_code == 200 and f"{by_name['total']} programs found" in page.text
    visa = client.get("/programs", params={"visa": "J-1", "specialty": "Internal Medicine"})
    assert visa.status_code == 200 and 'value="j1" selected' in visa.text


def test_a_bad_filter_is_shown_in_place_with_the_form_kept(client) -> None:
    r = client.get("/programs", params={"state": "Texass", "min_positions": "abc", "q": "Baylor"})
    assert r.status_code == 422
    page = r.text
    assert 'id="error-summary"' in page and "Program catalog" in page
    assert 'value="Texass"' in page and 'value="abc"' in page and 'value="Baylor"' in page
    assert page.count("State: &#39;Texass&#39; is not allowed") == 2  # summary and field
    assert "Input should be" not in page and "unable to parse" not in page
    assert 'aria-invalid="true"' in page
    assert "Back to your profile" not in page  # not the generic error page
