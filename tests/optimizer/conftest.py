"""Optimizer test fixtures: the real bundled catalog and the reference profiles."""

from __future__ import annotations

import pytest

from smartpick.core.profile import ApplicantProfile
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile


@pytest.fixture(scope="session")
def guide_sample() -> ApplicantProfile:
    """The guide's sample applicant (Step 1 209, Step 2 CK 224, IM, J-1)."""
    return reference_profile("guide-sample")


@pytest.fixture(scope="session")
def guide_list(guide_sample: ApplicantProfile, catalog: Catalog):
    """The guide sample's list under an $800 budget (the real model and catalog)."""
    from smartpick.service.recommend import recommend

    return recommend(guide_sample, budget_usd=800, catalog=catalog)
