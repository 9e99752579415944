"""Catalog test fixtures: user data and caches go to temporary folders, never the real home."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartpick.service.catalog import Catalog, open_catalog


@pytest.fixture
def fresh_catalog(tmp_path: Path) -> Catalog:
    """The real bundled catalog with its own empty user store (for import tests)."""
    return open_catalog(tmp_path / "user.sqlite")
