"""Helpers shared by the advisor tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from smartpick.core.profile import ApplicantProfile, load_profile

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
TODAY = dt.date(2026, 11, 24)


def reference_profile(name: str) -> ApplicantProfile:
    """One of the six shared reference applicants."""
    return load_profile(PROFILES / f"{name}.toml")


class RecordingRecommender:
    """Wraps the real `recommend`: records each profile it was asked about, passes results on."""

    def __init__(self) -> None:
        from smartpick.service.recommend import recommend

        self._recommend = recommend
        self.calls: list[tuple[ApplicantProfile, dict[str, Any]]] = []
        self.results: list[Any] = []

    def __call__(self, profile: ApplicantProfile, **options: Any) -> Any:
        self.calls.append((profile, options))
        self.results.append(self._recommend(profile, **options))
        return self.results[-1]
