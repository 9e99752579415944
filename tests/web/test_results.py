"""Results, plan, what-if and exports for the guide's sample applicant, HTML and JSON twins."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl

import openpyxl
from markupsafe import escape

from smartpick.core.profile import profile_from_dict


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def test_results_twin_carries_the_list_and_totals(guide_results) -> None:
    rec = guide_results["recommendation"]
    totals = rec["totals"]
    p = totals["p_match"]
    assert 0 <= p["low"] <= p["point"] <= p["high"] <= 1
    assert totals["applications"] == len(rec["programs"]) > 0
    assert (
        totals["fees_usd"]
        == sum(r["fee_usd"] for r in rec["programs"]) + totals["transcript_fee_usd"]
    )
    for row in rec["programs"]:
        assert row["tier"] in ("reach", "target", "likely")
        e = row["p_interview"]
        assert e["low"] <= e["point"] <= e["high"]
        assert row["reasons"] and row["url"] == f"/programs/{row['program_id']}"
    assert sum(guide_results["tiers"].values()) == len(rec["programs"])
    assert guide_results["profile"]["step2ck"] == 224


def test_results_page_shows_the_same_numbers(guide_results, guide_results_html) -> None:
    rec = guide_results["recommendation"]
    html = guide_results_html
    assert _pct(rec["totals"]["p_match"]["point"]) in html
    assert f"${rec['totals']['fees_usd']:,.0f}" in html
    for row in rec["programs"]:
        assert str(escape(row["name"])) in html
    assert 'id="curve"' in html and 'class="curve"' in html
    stop = rec["stopping"]["stop_at_applications"]
    if stop is not None:
        assert f"stop at {stop} " in html
    map_svg = html.split('id="map"', 1)[1].split("</svg>", 1)[0]
    dots = re.findall(r'class="dot tier-(reach|target|likely)"', map_svg)
    on_map = guide_results["map"]["on_map"]
    assert len(dots) == len(on_map) > 0
    assert len(on_map) + len(guide_results["map"]["not_on_map"]) == len(rec["programs"])
    assert 'hx-get="/results/plan?' in html


def test_the_maps_outlines_are_one_cacheable_image(client, guide_results_html) -> None:
    map_svg = guide_results_html.split('id="map"', 1)[1].split("</svg>", 1)[0]
    href = re.findall(r'<image href="([^"]+)" width="975" height="610"/>', map_svg)
    assert href and "<path" not in map_svg.split("<image", 1)[0]  # no outline in the page
    outlines = client.get(href[0])
    assert outlines.status_code == 200
    assert outlines.headers["content-type"] == "image/svg+xml"
    assert outlines.headers["cache-control"] == "public, max-age=86400"
    assert outlines.text.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 975 610">'
    )
    assert outlines.text.count("<path ") == 51 and outlines.text.count("<title>") == 51


def test_the_share_link_reproduces_the_results(client, guide_results) -> None:
    share = guide_results["share_url"]
    again = client.get("/api" + share).json()
    assert again["recommendation"]["totals"] == guide_results["recommendation"]["totals"]
    assert [r["program_id"] for r in again["recommendation"]["programs"]] == [
        r["program_id"] for r in guide_results["recommendation"]["programs"]
    ]


def test_csv_export_has_the_list_rows(client, guide_results, guide_query) -> None:
    r = client.get("/export/list.csv?" + guide_query)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["Program ID"] for row in rows] == [
        p["program_id"] for p in guide_results["recommendation"]["programs"]
    ]


def test_xlsx_export_opens(client, guide_results, guide_query) -> None:
    r = client.get("/export/list.xlsx?" + guide_query)
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    names = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert guide_results["recommendation"]["programs"][0]["name"] in names


def test_profile_files_load_back_as_the_same_profile(client, guide_results, guide_query) -> None:
    import json
    import tomllib

    toml_text = client.get("/export/profile.toml?" + guide_query).text
    json_text = client.get("/export/profile.json?" + guide_query).text
    from_toml = profile_from_dict(tomllib.loads(toml_text))
    from_json = profile_from_dict(json.loads(json_text))
    assert from_toml == from_json
    assert from_toml.model_dump(mode="json") == guide_results["profile"]


def test_plan_twin_prices_steps_by_rerunning(guide_plan) -> None:
    steps = {s["id"]: s for s in guide_plan["plan"]["steps"]}
    for step_id in ("step3", "usce", "letters"):
        price = steps[step_id]["price"]
        assert price is not None, step_id
        delta = price["delta"]["p_match"]
        assert delta["low"] <= delta["point"] <= delta["high"]
        assert steps[step_id]["rerun_url"].startswith("/results?")
        assert "=" in steps[step_id]["change_param"]


def test_plan_fragment_and_page(client, guide_plan, guide_query) -> None:
    fragment = client.get("/results/plan?" + guide_query, headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'id="plan-body"' in fragment
    for step in guide_plan["plan"]["steps"]:
        assert str(escape(step["title"])) in fragment
        if step.get("change_param"):
            assert f'value="{escape(step["change_param"])}"' in fragment


def test_rerun_link_applies_the_change(guide_plan) -> None:
    step3 = next(s for s in guide_plan["plan"]["steps"] if s["id"] == "step3")
    params = dict(parse_qsl(step3["rerun_url"].split("?", 1)[1]))
    assert int(params["step3"]) == step3["price"]["change"]["step3"]
    assert params["step2ck"] == "224"


def test_whatif_prices_changes_together(client, guide_query) -> None:
    r = client.get("/api/whatif?" + guide_query + "&set=step3=240&set=usce_months=4")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["whatif"]["changes"] == {"step3": 240, "usce_months": 4}
    assert data["whatif"]["delta"]["p_match"]["point"] > 0
    assert data["changes_text"] == ("Step 3 score 240, 4 months of hands-on US clinical experience")
    params = dict(parse_qsl(data["rerun_url"].split("?", 1)[1]))
    # the rerun link carries the changed profile: the 4 hands-on months are a block of their own
    assert params["step3"] == "240" and params["usce-2-kind"] == "hands_on"
    assert params["usce-2-months"] == "4" and params["usce-1-kind"] == "observership"
    bad = client.get("/api/whatif?" + guide_query + "&set=step3")
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"][0]["field"].startswith("set")


def test_program_page_for_the_applicant(client, guide_results, guide_query) -> None:
    row = guide_results["recommendation"]["programs"][0]
    twin = client.get(f"/api/programs/{row['program_id']}?{guide_query}").json()
    assert twin["applicant"]["eligible"] is True
    assert twin["applicant"]["reasons"]
    page = client.get(f"/programs/{row['program_id']}?{guide_query}").text
    assert 'id="for-you"' in page and "Chance of an interview" in page


def test_ineligible_program_says_why(client, guide_query) -> None:
    # A program that states it does not sponsor H-1B, for an applicant who needs one.
    data = client.get(
        "/api/programs", params={"specialty": "Internal Medicine", "visa": "j1"}
    ).json()
    h1b_no = next(p for p in data["programs"] if p["visa_h1b"] == "no")
    query = guide_query.replace("visa=j1", "visa=h1b")
    twin = client.get(f"/api/programs/{h1b_no['program_id']}?{query}").json()
    assert twin["applicant"]["eligible"] is False
    assert any("H-1B" in r for r in twin["applicant"]["exclusions"])


def test_where_you_stand_curve_marks_the_score(guide_results, guide_results_html) -> None:
    (im,) = guide_results["standing"]
    assert im["specialty"] == "Internal Medicine"
    scores = [s for s, _ in im["p_match_by_step2ck"]]
    probabilities = [p for _, p in im["p_match_by_step2ck"]]
    assert scores[0] == 200 and scores[-1] == 280
    assert probabilities == sorted(probabilities)  # a higher score never lowers P(match)
    assert im["step2ck_published"]["matched"]["median"] == 251
    at_224 = dict(im["p_match_by_step2ck"])[224]
    assert f"you: 224 → {100 * at_224:.0f}%" in guide_results_html
    assert "matched median 251" in guide_results_html


def test_where_you_stand_says_what_its_curve_and_rates_count(client, guide_query) -> None:
    """The curve counts applicants with no interview as unmatched, the published rate leaves them
    out: the caption says both; where the curve falls with the score (Family Medicine's
    selection), it says why and that a higher score still helps."""
    fm_query = guide_query.replace("Internal+Medicine", "Family+Medicine")
    (fm,) = client.get("/api/results?" + fm_query).json()["standing"]
    (im,) = client.get("/api/results?" + guide_query).json()["standing"]
    fm_curve = [p for _, p in fm["p_match_by_step2ck"]]
    assert fm["falls_with_score"] is (fm_curve[-1] < fm_curve[0]) is True
    assert im["falls_with_score"] is False
    for query, falls in ((fm_query, True), (guide_query, False)):
        html = " ".join(client.get("/results?" + query).text.split())
        assert "counting those who got no interview as unmatched" in html
        assert "Among those who ranked at least one program" in html
        assert ("The curve falls as scores rise" in html) is falls
        assert ("a higher score still raises your own chance" in html) is falls


def test_a_budget_below_one_application_says_so(client, guide_query) -> None:
    query = guide_query + "&budget_usd=50"  # below the $80 transcript fee plus $11
    data = client.get("/api/results?" + query).json()
    assert data["recommendation"]["totals"]["applications"] == 0
    page = client.get("/results?" + query)
    assert page.status_code == 200 and 'id="empty-list"' in page.text
    assert "Your budget is too small for one application" in page.text


def test_plan_pdf_download(client, guide_query) -> None:
    r = client.get("/export/plan.pdf?" + guide_query)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and len(r.content) > 2000
    assert 'filename="smartpick-plan.pdf"' in r.headers["content-disposition"]


def test_htmx_panels_get_error_fragments(client, guide_query) -> None:
    r = client.get("/results/whatif?" + guide_query, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "<html" not in r.text and "tick at least one step" in r.text
    full = client.get("/results/whatif?" + guide_query)
    assert full.status_code == 422 and "<html" in full.text


def _keys(value: object) -> list[str]:
    """Every key of a JSON document, at any depth."""
    if isinstance(value, dict):
        return [k for key, v in value.items() for k in (key, *_keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_the_json_twin_has_no_page_only_keys(guide_results) -> None:
    """The page's drawing pieces (keys starting with `_`) stay out of /api/results."""
    data = guide_results
    assert data["standing"] and data["recommendation"]["programs"] and data["list"]
    assert not [k for k in _keys(data) if k.startswith("_")]


# psych-img (reference_profiles.md) as the form sends it: every Psychiatry program it can apply
# to is worth its fee at the default value of a match.
PSYCH_QUERY = (
    "specialties=Psychiatry&visa=j1&step1=pass&step2ck=241&match_year=2028&graduation_year=2024"
    "&usce_months=3&usce_kind=hands_on&us_letters=2&us_letters_in_specialty=2&posters=1"
    "&languages=Arabic"
)


def test_a_list_without_a_stopping_point_says_every_application_pays(client) -> None:
    """No stopping point: the page says every application is worth its fee, names the count,
    and draws no line where they would stop (nor says it does)."""
    twin = client.get("/api/results?" + PSYCH_QUERY).json()["recommendation"]
    assert twin["stopping"]["stop_at_applications"] is None
    count = twin["how_many"]["rule_count"]
    assert count == twin["totals"]["applications"] > 0
    html = client.get("/results?" + PSYCH_QUERY).text
    assert f"Every program you can apply to is worth its fee, all {count} of them" in html
    assert "Even the first application" not in html
    assert "Dashed line" not in html and "stop at " not in html
    assert "every one on the curve is worth it" in html
