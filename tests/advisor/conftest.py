"""Shared fixtures: the reference profiles' plans, built once per session."""

from __future__ import annotations

import pytest

from smartpick.testing import reference_profile
from tests.advisor.advisor_helpers import TODAY, RecordingRecommender


@pytest.fixture(scope="session")
def guide_sample_run(catalog):
    """The guide sample's plan, with the real recommender spied on."""
    from smartpick.service.advise import advise

    spy = RecordingRecommender()
    plan = advise(reference_profile("guide-sample"), catalog=catalog, today=TODAY, recommender=spy)
    return plan, spy


@pytest.fixture(scope="session")
def strong_plan(catalog):
    from smartpick.service.advise import advise

    return advise(reference_profile("strong-img"), catalog=catalog, today=TODAY)


@pytest.fixture(scope="session")
def late_plan(catalog):
    from smartpick.service.advise import advise

    return advise(reference_profile("low-score-late"), catalog=catalog, today=TODAY)
