"""Where the applicant's Step 2 CK stands, said one way on every face: the list's reasons (results
page, XLSX) and the plan (panel, PDF text), for a specialty without published figures
(Psychiatry) and for a US-citizen IMG (no US-IMG figures exist)."""

from __future__ import annotations

import html
import io
import re
import sys
from pathlib import Path

import openpyxl
import pytest

from smartpick.export.pdf import plan_pdf
from smartpick.service.advise import advise
from smartpick.testing import isolated_catalog, pdf_text_core_font, reference_profile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import PROFILES  # noqa: E402  (a script beside the package, not in it)


def _text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _faces(client, name: str) -> tuple[str, str, str]:
    """The results page, the plan panel and the XLSX Summary, as plain text."""
    query = PROFILES[name]
    page = client.get("/results?" + query)
    plan = client.get("/results/plan?" + query, headers={"HX-Request": "true"})
    book = client.get("/export/list.xlsx?" + query)
    assert page.status_code == plan.status_code == book.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(book.content))
    cells = " ".join(
        str(v) for row in wb["Summary"].iter_rows(values_only=True) for v in row if v is not None
    )
    return _text(page.text), _text(plan.text), " ".join(cells.split())


@pytest.fixture(scope="module")
def psych(client) -> tuple[str, str, str]:
    return _faces(client, "psych-img")


@pytest.fixture(scope="module")
def us_img(client) -> tuple[str, str, str]:
    return _faces(client, "us-img-fm")


def test_unpublished_specialty_is_placed_one_way_on_every_face(psych) -> None:
    said = (
        "No Step 2 CK figures for non-US IMGs in Psychiatry are in the published 2026 data "
        "SmartPick uses. Across all specialties, matched non-US IMGs' median Step 2 CK was 248 "
        "and unmatched 242 (NRMP Charting Outcomes 2026, non-US IMGs): your 241 is below both"
    )
    for face in psych:
        assert said in face
        # no estimated specialty median read as a published one
        assert "matched median (" not in face and "is above this specialty" not in face


def test_the_standing_caption_names_median_lines_only_when_drawn(psych, guide_results_html):
    page = psych[0]
    assert "Lines: published medians" not in page
    assert "No median lines: NRMP Charting Outcomes 2026 published no Step 2 CK" in page
    guide = _text(guide_results_html)  # Internal Medicine: both medians are drawn
    assert "Lines: published medians of matched and unmatched non-US IMGs" in guide
    assert "No median lines" not in guide


def test_a_us_img_is_told_the_list_compares_with_non_us_imgs(us_img) -> None:
    page, plan, summary = us_img
    reason = (
        "Step 2 CK 232 is above the median of matched non-US IMGs in this specialty (230); NRMP "
        "publishes Step 2 CK figures by specialty for US-citizen IMGs in a report of their own, "
        "but the only one included in SmartPick's data is its 2026 report on non-US IMGs, so you "
        "are compared with them"
    )
    assert reason in page and reason in summary
    assert "this specialty's matched median" not in page + summary
    assert "so you are not compared" not in plan
    assert (
        "Where your list compares your Step 2 CK with a specialty's matched applicants, they "
        "are non-US IMGs" in plan
    )
    # NRMP does publish US-IMG figures; only SmartPick's data lack them
    for face in (page, plan, summary):
        assert "no such figure exists" not in face and "only published group" not in face
        assert "cover non-US IMGs only" not in face


def test_the_us_img_match_rate_reads_one_way(us_img) -> None:
    page, plan, _ = us_img
    source = "NRMP Match 2025 figures, as restated in a public GitHub summary"
    assert f"was 68% ({source})" in plan
    assert "Published match rate, US-citizen IMGs: 68%" in page and source in page
    for face in (page, plan):
        assert "67.8%" not in face and "GitHub README" not in face


@pytest.mark.parametrize(
    ("name", "said", "unsaid"),
    [
        ("psych-img", "your 241 is below both", "matched median ("),
        ("us-img-fm", "was 68% (NRMP Match 2025 figures, as restated in a", "67.8%"),
    ],
)
def test_the_pdf_says_what_the_plan_panel_says(tmp_path, name, said, unsaid) -> None:
    plan = advise(reference_profile(name), catalog=isolated_catalog(tmp_path))
    text = " ".join(pdf_text_core_font(plan_pdf(plan, unicode_font=False)).split())
    assert said in text and unsaid not in text


@pytest.mark.parametrize("group", ["us_md", "us_do", "us_img"])
def test_other_groups_are_told_only_smartpicks_data_lack_their_figures(group) -> None:
    """NRMP publishes Step 2 CK figures by specialty for every group; SmartPick carries only the
    non-US IMG report, and the plan says so instead of saying no figure exists."""
    from smartpick.core.plan.chance_labels import not_compared_note

    note = not_compared_note(group)
    assert note.startswith("NRMP publishes Step 2 CK figures by specialty for US")
    assert "only one included in SmartPick's data is its 2026 report on non-US IMGs" in note
    assert "no such figure exists" not in note and "non-US IMGs only" not in note
