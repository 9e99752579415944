"""Helpers shared by the advisor tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from smartpick.core.profile import ApplicantProfile

TODAY = dt.date(2026, 11, 24)


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
