"""Web test fixtures: one in-process app over the real bundled catalog (session scope)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartpick.web import WebSettings, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


@pytest.fixture(scope="session")
def user_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty user catalog, so tests never read or write the developer's own store."""
    return tmp_path_factory.mktemp("smartpick-home") / "user_catalog.sqlite"


@pytest.fixture(scope="session")
def app(user_store: Path):
    return create_app(WebSettings(user_store=user_store))


@pytest.fixture(scope="session")
def client(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


# The guide's sample applicant (reference_profiles.md) as the form sends it.
GUIDE_QUERY = (
    "specialties=Internal+Medicine&visa=j1&step1=score&step1_score=209&step2ck=224"
    "&match_year=2027&graduation_year=2025&usce-1-months=1&usce-1-kind=observership"
    "&us_letters=1&us_letters_in_specialty=1"
)


@pytest.fixture(scope="session")
def guide_results(client) -> dict:
    """`/api/results` for the guide's sample applicant (computed once per session)."""
    r = client.get("/api/results?" + GUIDE_QUERY)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="session")
def guide_results_html(client) -> str:
    r = client.get("/results?" + GUIDE_QUERY)
    assert r.status_code == 200, r.text
    return r.text


@pytest.fixture(scope="session")
def guide_plan(client) -> dict:
    """`/api/plan` for the guide's sample applicant (the advisor re-runs the optimizer per step)."""
    r = client.get("/api/plan?" + GUIDE_QUERY)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="session")
def guide_query() -> str:
    """The guide's sample applicant as a results-page query string."""
    return GUIDE_QUERY
