"""Catalog test fixtures: user data and caches go to temporary folders, never the real home."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartpick.service.catalog import Catalog, open_catalog


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.getbasetemp() / "smartpick_home"
    monkeypatch.setenv("SMARTPICK_HOME", str(home))
    monkeypatch.setenv("SMARTPICK_CACHE", str(tmp_path_factory.getbasetemp() / "smartpick_cache"))


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The real bundled catalog with an empty user store (shared, read-only use)."""
    return open_catalog(tmp_path_factory.mktemp("shared_user") / "user.sqlite")


@pytest.fixture
def fresh_catalog(tmp_path: Path) -> Catalog:
    """The real bundled catalog with its own empty user store (for import tests)."""
    return open_catalog(tmp_path / "user.sqlite")
