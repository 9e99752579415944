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
    return TestClient(app)
