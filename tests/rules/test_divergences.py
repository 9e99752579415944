"""One rule, one place: each rule the architecture review found written twice gives one answer in
the chances (model), the plan (advisor), the web page (JSON twins) and the PDF.

Named after the divergences of docs/reviews/architecture.md section 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartpick.core.profile.whatif import apply_changes
from smartpick.export.pdf import plan_pdf
from smartpick.service.advise import advise
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.testing import pdf_text_core_font, reference_profile
from smartpick.web import WebSettings, create_app

IM = "Internal Medicine"
# The guide sample as the web form sends it (the reference file's Match year included).
GUIDE_QUERY = (
    "specialties=Internal+Medicine&step1=score&step1_score=209&step2ck=224&match_year=2028"
    "&graduation_year=2026&usce_months=1&usce_kind=observership&us_letters=1"
    "&us_letters_in_specialty=1"
)


def _flag(plan: Any, prefix: str) -> Any:
    return next(f for f in plan.red_flags if f.id.startswith(prefix))


def _web_flag(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(f for f in doc["plan"]["red_flags"] if f["id"].startswith(prefix))


def _step(plan: Any, step_id: str) -> Any:
    return next(s for s in plan.steps if s.id == step_id)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = tmp_path_factory.mktemp("divergence_web") / "user.sqlite"
    return TestClient(create_app(WebSettings(user_store=store)), base_url="http://127.0.0.1")


@pytest.mark.slow
def test_h1b_with_failed_step3_is_told_to_pass_step3(catalog: Catalog, client: TestClient) -> None:
    profile = apply_changes(reference_profile("guide-sample"), {"visa": "h1b", "step3": 190})[0]
    # chances: every categorical IM program is closed, by the H-1B rule, naming the pass mark
    chances = assess(profile, catalog=catalog)
    total = len([p for p in catalog.programs(specialty=IM) if p.track == "categorical"])
    assert not chances.rows and len(chances.excluded) == total
    reasons = [r for e in chances.excluded for r in e.reason_details]
    assert all(
        any(r.rule in ("h1b_step3", "visa") for r in e.reason_details) for e in chances.excluded
    )
    assert any("H-1B needs a passed Step 3 (200 or more" in r.text for r in reasons)
    # plan: the flag shuts the same programs; a Step 3 step says it must be passed
    plan = advise(profile, catalog=catalog)
    flag = _flag(plan, "visa")
    assert flag.programs_shut == flag.programs_total == total
    step3 = _step(plan, "step3")
    assert "Step 3 must be passed" in step3.actions[0] and "190 is below it" in step3.actions[0]
    assert step3.change == {"step3": 234, "step3_attempts": 2}
    # web: the same numbers and the same step
    query = GUIDE_QUERY + "&visa=h1b&step3=190"
    doc = client.get("/api/plan?" + query).json()
    web_flag = _web_flag(doc, "visa")
    assert (web_flag["programs_shut"], web_flag["programs_total"]) == (total, total)
    web_step3 = next(s for s in doc["plan"]["steps"] if s["id"] == "step3")
    assert web_step3["actions"][0] == step3.actions[0]
    results = client.get("/api/results?" + query).json()["recommendation"]
    assert results["programs"] == [] and results["not_eligible"] == total
    # PDF: the plan says it too
    text = pdf_text_core_font(plan_pdf(plan, unicode_font=False))
    assert "Step 3 must be passed" in text and "190 is below it" in text


@pytest.mark.slow
def test_failed_attempts_are_counted_once(catalog: Catalog, client: TestClient) -> None:
    """A second Step 2 CK attempt and a failing Step 3 are two failed attempts everywhere."""
    profile = apply_changes(
        reference_profile("guide-sample"), {"step2ck_attempts": 2, "step3": 190}
    )[0]
    assert profile.failed_attempts == 2
    chances = assess(profile, specialties=[IM], catalog=catalog)
    texts = {r.text for row in chances.rows for r in row.reason_details}
    assert any(t.startswith("2 failed USMLE attempts") for t in texts)
    plan = advise(profile, catalog=catalog)
    detail = _flag(plan, "failed_attempt").detail
    assert (
        "Step 2 CK taken 2 times" in detail
        and "Step 3 190 is below the passing score 200" in detail
    )
    query = GUIDE_QUERY + "&visa=j1&step2ck_attempts=2&step3=190"
    doc = client.get("/api/plan?" + query).json()
    assert _web_flag(doc, "failed_attempt")["detail"] == detail
    web_rows = client.get("/api/programs/" + chances.rows[0].program.id + "?" + query).json()
    assert any("2 failed USMLE attempts" in r for r in web_rows["applicant"]["reasons"]) or any(
        d["text"].startswith("2 failed USMLE attempts")
        for d in web_rows["applicant"]["reason_details"]
    )
    text = pdf_text_core_font(plan_pdf(plan, unicode_font=False))
    assert "Step 2 CK taken 2 times" in text


@pytest.mark.slow
def test_usce_requirement_counts_hands_on_months_only(tmp_path: Path) -> None:
    """A program that requires USCE is closed to an observership-only applicant in the model, and
    the plan counts the same programs as shut."""
    store = tmp_path / "user.sqlite"
    catalog = open_catalog(store)
    ids = [p.id for p in catalog.programs(specialty=IM) if p.track == "categorical"][:5]
    sheet = tmp_path / "usce.csv"
    sheet.write_text("program_id,usce_required\n" + "".join(f"{i},yes\n" for i in ids))
    catalog.import_file(sheet)
    observer = reference_profile("guide-sample")  # 1 month of observership, no hands-on
    excluded = {
        e.program.id
        for e in assess(observer, catalog=catalog).excluded
        if any(r.rule == "usce_required" for r in e.reason_details)
    }
    assert excluded == set(ids)
    plan = advise(observer, catalog=catalog)
    flag = _flag(plan, "no_usce")
    assert flag.programs_shut == len(ids) and "hands-on" in flag.title
    hands_on = apply_changes(observer, {"usce_months": 1})[0]
    assert not any(
        r.rule == "usce_required"
        for e in assess(hands_on, catalog=catalog).excluded
        for r in e.reason_details
    )
    web = TestClient(create_app(WebSettings(user_store=store)), base_url="http://127.0.0.1")
    doc = web.get("/api/plan?" + GUIDE_QUERY + "&visa=j1").json()
    assert _web_flag(doc, "no_usce")["programs_shut"] == len(ids)
    text = pdf_text_core_font(plan_pdf(plan, unicode_font=False))
    assert "No hands-on US clinical experience" in text
