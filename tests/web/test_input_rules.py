"""The web faces' input rules: plain errors naming the field, and the same rule on every face."""

from __future__ import annotations


def test_whatif_visa_none_prices_no_visa_need(client, guide_query) -> None:
    r = client.get("/api/whatif?" + guide_query + "&set=visa%3Dnone")
    assert r.status_code == 200, r.text
    assert r.json()["changes_text"] == "no visa needed"


US_IMG = (
    "specialties=Family+Medicine&applicant_type=us_img&step1=pass&step2ck=230"
    "&graduation_year=2024&match_year=2027"
)


def test_a_us_citizen_img_needing_a_visa_is_rejected_on_every_face(client) -> None:
    api = client.get("/api/results?" + US_IMG + "&visa=j1")
    assert api.status_code == 422
    assert api.json()["error"]["problems"][0]["field"] == "visa"
    page = client.get("/results?" + US_IMG + "&visa=h1b")
    assert page.status_code == 422 and "needs no visa to train" in page.text
    whatif = client.get("/api/whatif?" + US_IMG + "&visa=none&set=visa%3Dj1")
    assert whatif.status_code == 422 and "applicant type" in whatif.text
    md = client.get("/api/results?" + US_IMG.replace("us_img", "us_md") + "&visa=either")
    assert md.status_code == 422 and "H-1B" in md.json()["error"]["message"]
