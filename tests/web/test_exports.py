"""The downloads people open: a CSV Excel reads (BOM, words, rounded numbers, website), the same
in XLSX, and the pins and exclusions said in the CSV, the XLSX and the PDF."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from smartpick.export.pdf import plan_pdf
from smartpick.service.advise import advise
from smartpick.service.recommend import recommend
from smartpick.testing import isolated_catalog, pdf_text_core_font, reference_profile
from smartpick.web.routes.exports import with_choices


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads it
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_the_csv_is_for_people(client, guide_query) -> None:
    rows = _csv(client.get("/export/list.csv?" + guide_query))
    header = list(rows[0])
    assert "Program" in header and "Website" in header and "Interview chance (%)" in header
    assert not [h for h in header if "_" in h]  # no machine names
    text = " ".join(v for row in rows for v in row.values())
    for machine in ("university_affiliated_community", "none_listed", "P(interview)", " pp"):
        assert machine not in text, machine
    for row in rows:
        for column in ("Interview chance (%)", "Interview chance, low (%)"):
            assert re.fullmatch(r"\d{1,3}(\.\d)?", row[column]), row[column]
        assert row["Setting"] in (
            "University",
            "University-affiliated community",
            "Community",
            "Military",
            "",
        )
    with_site = [r for r in rows if r["Website"]]
    assert with_site and all(r["Website"].startswith("http") for r in with_site)
    assert any(r["Non-US IMGs invited (%)"] for r in rows)


def test_the_xlsx_says_the_same_in_words(client, guide_query) -> None:
    r = client.get("/export/list.xlsx?" + guide_query)
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["List"]
    header = [c.value for c in sheet[1]]
    assert "Website" in header and "Non-US IMG residents (%)" in header
    setting = header.index("Setting")
    values = {row[setting] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "university_affiliated_community" not in values
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Programs you pinned"] == "none"
    assert "What limited the list" in summary
    curve_header = [c.value for c in book["Curve"][1]]
    assert curve_header[2] == "Chance of matching (%)"


def test_pins_and_exclusions_are_said_in_the_csv_and_xlsx(client, guide_results) -> None:
    listed = [r["program_id"] for r in guide_results["list"]]
    pinned, dropped = listed[-1], listed[0]
    query = guide_results["share_url"].split("?", 1)[1] + f"&pin={pinned}&exclude={dropped}"
    rows = _csv(client.get("/export/list.csv?" + query))
    by_id = {r["Program ID"]: r for r in rows}
    assert by_id[pinned]["Your choice"] == "pinned by you"
    assert by_id[dropped]["Your choice"] == "excluded by you" and by_id[dropped]["Rank"] == ""
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/list.xlsx?" + query).content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    names = {r["program_id"]: r["name"] for r in guide_results["list"]}
    assert names[pinned] in summary["Programs you pinned"]
    assert names[dropped] in summary["Programs you excluded"]


def test_the_pdf_list_is_the_applicants_own(client, guide_results, tmp_path) -> None:
    profile = reference_profile("guide-sample")
    catalog = isolated_catalog(tmp_path)
    plan = advise(profile, catalog=catalog)
    base = [item.program.id for item in plan.recommended]
    pinned_id, dropped_id = base[-1], base[0]
    rec = recommend(profile, must_include=[pinned_id], exclude=[dropped_id], catalog=catalog)
    mine = with_choices(plan, rec, catalog)
    ids = [item.program.id for item in mine.recommended]
    assert pinned_id in ids and dropped_id not in ids
    text = pdf_text_core_font(plan_pdf(mine, unicode_font=False))
    assert "keeps the programs you pinned" in text and "leaves out the ones you excluded" in text
    query = guide_results["share_url"].split("?", 1)[1] + f"&exclude={dropped_id}"
    r = client.get("/export/plan.pdf?" + query)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
