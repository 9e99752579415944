"""Catalog browser and program pages, HTML and JSON, on the real bundled catalog."""

from __future__ import annotations

import pytest
from markupsafe import escape

from smartpick.catalog.query import program_to_dict
from smartpick.service.fact_words import FIELD_LABELS


def esc(text: str) -> str:
    """Text as Jinja's autoescape writes it."""
    return str(escape(text))


def test_catalog_json_filters_and_paging(client) -> None:
    r = client.get("/api/programs", params={"specialty": "Internal Medicine", "visa": "j1"})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] > 100 and data["pages"] == -(-data["total"] // data["page_size"])
    assert len(data["programs"]) == data["page_size"]
    assert all(p["specialty"] == "Internal Medicine" for p in data["programs"])
    assert all(p["visa_j1"] == "yes" for p in data["programs"])
    second = client.get(
        "/api/programs", params={"specialty": "Internal Medicine", "visa": "j1", "page": 2}
    ).json()
    assert not {p["program_id"] for p in second["programs"]} & {
        p["program_id"] for p in data["programs"]
    }


def test_catalog_html_lists_the_same_programs_as_its_twin(client) -> None:
    params = {"specialty": "Family Medicine", "state": "tx"}
    page = client.get("/programs", params=params)
    twin = client.get("/api/programs", params=params).json()
    assert page.status_code == 200 and twin["total"] > 0
    assert f"{twin['total']} programs found" in page.text
    for p in twin["programs"]:
        assert esc(p["name"]) in page.text
        assert p["state"] == "TX"


def test_names_with_ampersands_and_quotes_are_escaped(client) -> None:
    data = client.get("/api/programs", params={"q": "&"}).json()
    assert data["total"] > 0
    name = data["programs"][0]["name"]
    page = client.get("/programs", params={"q": "&"}).text
    assert "&" in name and esc(name) in page
    assert f">{name}<" not in page  # the raw '&' never reaches the HTML


def test_program_page_shows_every_field_with_source_and_conflicts(client) -> None:
    programs = client.get("/api/programs", params={"specialty": "Internal Medicine"}).json()
    pid = programs["programs"][0]["program_id"]
    twin = client.get(f"/api/programs/{pid}").json()
    assert twin["program_id"] == pid and "fields" in twin
    page = client.get(f"/programs/{pid}").text
    for fact in twin["facts"]:
        assert esc(fact["label"]) in page
        if fact["source"]:
            assert esc(fact["source"]) in page


def test_every_catalog_field_has_a_label_for_people(catalog) -> None:
    """No program field reaches a page under its internal name: every field any bundled program
    has is labelled, and the user's own notes stay last."""
    names = {name for p in catalog.programs() for name in program_to_dict(p)["fields"]}
    assert names <= FIELD_LABELS.keys(), names - FIELD_LABELS.keys()
    assert list(FIELD_LABELS)[-1] == "notes"


def test_program_with_a_conflict_shows_it(client, app) -> None:
    from smartpick.web.deps import get_catalog

    class _Req:  # get_catalog only needs request.app
        pass

    req = _Req()
    req.app = app  # type: ignore[attr-defined]
    catalog = get_catalog(req)
    conflicted = next(p for p in catalog.programs("Internal Medicine") if p.visa_j1.conflicts)
    page = client.get(f"/programs/{conflicted.id}").text
    assert "Conflict:" in page
    older = conflicted.visa_j1.conflicts[0]
    assert esc(older.source) in page


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/programs?region=Mars", "region"),
        ("/api/programs?min_positions=-1", "min_positions"),
        ("/api/programs?min_non_us_img_pct=101", "min_non_us_img_pct"),
        ("/api/programs?state=Atlantis", "state"),
        ("/api/programs?sort=fame", "sort"),
        ("/api/programs?min_nonus_img_interview_pct=101", "min_nonus_img_interview_pct"),
    ],
)
def test_bad_filters_name_the_field(client, url: str, field: str) -> None:
    r = client.get(url)
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["field"] == field


def test_unknown_program_is_a_clear_404(client) -> None:
    r = client.get("/programs/NOPE123")
    assert r.status_code == 404
    assert "no program" in r.text and "<html" in r.text
    assert client.get("/api/programs/NOPE123").json()["error"]["status"] == 404
