"""The web faces' input rules: plain errors naming the field, and the same rule on every face."""

from __future__ import annotations


def test_whatif_visa_none_prices_no_visa_need(client, guide_query) -> None:
    r = client.get("/api/whatif?" + guide_query + "&set=visa%3Dnone")
    assert r.status_code == 200, r.text
    assert r.json()["changes_text"] == "no visa needed"
