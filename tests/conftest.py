"""The one root fixture file: every test runs with its own SmartPick home and cache.

The environment is set when pytest loads this file, before any test imports open a catalog, so no
test reads or writes the developer's real `$SMARTPICK_HOME` or `$SMARTPICK_CACHE`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from smartpick.service.catalog import Catalog
from smartpick.testing import isolated_catalog

_ROOT = Path(tempfile.mkdtemp(prefix="smartpick-tests-"))
os.environ["SMARTPICK_HOME"] = str(_ROOT / "home")
os.environ["SMARTPICK_CACHE"] = str(_ROOT / "cache")

# Speed is measured in bench/, not here: a property test must not fail because a shared or busy
# machine ran one example past Hypothesis's 200 ms default (it did on a busy machine).
settings.register_profile("smartpick", deadline=None)
settings.load_profile("smartpick")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The real bundled catalog with an empty user store (shared, read-only use)."""
    return isolated_catalog(tmp_path_factory.mktemp("catalog"))
