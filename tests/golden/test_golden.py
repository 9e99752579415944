"""Golden numbers: the six reference applicants' lists, P(match) and plan prices, saved as JSON.

A refactor must not move them. When a deliberate fix does, regenerate the affected files with
`SMARTPICK_UPDATE_GOLDEN=1 pytest tests/golden` and say in the commit which fix moved what.
Ids and counts must match exactly; floats to 1e-9.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from smartpick.service.advise import advise
from smartpick.service.recommend import recommend

GOLDEN = Path(__file__).parent
PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
NAMES = sorted(p.stem for p in PROFILES.glob("*.toml"))
TODAY = dt.date(2026, 11, 24)
UPDATE = os.environ.get("SMARTPICK_UPDATE_GOLDEN") == "1"
TOLERANCE = 1e-9


def _estimate(e: Any) -> list[float]:
    return [float(e.point), float(e.low), float(e.high)]


def _list(rec: Any) -> dict[str, Any]:
    return {
        "program_ids": [row.program.id for row in rec.programs],
        "signals": [row.signal for row in rec.programs],
        "fees_usd": [row.fee_usd for row in rec.programs],
        "total_fees_usd": rec.total_fees_usd,
        "p_match": _estimate(rec.p_match),
        "expected_interviews": _estimate(rec.expected_interviews),
        "curve": [[c.applications, c.fees_usd, *_estimate(c.p_match)] for c in rec.curve],
        "stop_at_applications": rec.stop_at_applications,
    }


def _price(price: Any) -> dict[str, Any] | None:
    if price is None:
        return None
    return {
        "baseline": [*_estimate(price.baseline.p_match), price.baseline.fees_usd],
        "changed": [*_estimate(price.changed.p_match), price.changed.fees_usd],
        "programs": [price.baseline.programs, price.changed.programs],
        "delta_p_match": _estimate(price.delta_p_match),
        "delta_expected_interviews": _estimate(price.delta_expected_interviews),
    }


def _plan(plan: Any) -> dict[str, Any]:
    return {
        "baseline": None
        if plan.baseline is None
        else [*_estimate(plan.baseline.p_match), plan.baseline.fees_usd, plan.baseline.programs],
        "steps": {s.id: _price(s.price) for s in plan.steps},
        "whole_plan": _price(plan.whole_plan),
    }


def live(name: str, catalog: Any) -> dict[str, Any]:
    """The figures of one reference profile, computed now."""
    from smartpick.core.profile import load_profile

    profile = load_profile(PROFILES / f"{name}.toml")
    return {
        "recommend_default": _list(recommend(profile, catalog=catalog)),
        "recommend_budget_1200": _list(recommend(profile, budget_usd=1200, catalog=catalog)),
        "advise": _plan(advise(profile, catalog=catalog, today=TODAY)),
    }


def _compare(saved: Any, now: Any, where: str) -> list[str]:
    if isinstance(saved, dict) and isinstance(now, dict):
        if saved.keys() != now.keys():
            return [f"{where}: keys {sorted(saved)} != {sorted(now)}"]
        return [d for k in saved for d in _compare(saved[k], now[k], f"{where}.{k}")]
    if isinstance(saved, list) and isinstance(now, list):
        if len(saved) != len(now):
            return [f"{where}: length {len(saved)} != {len(now)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(saved, now, strict=True))
            for d in _compare(a, b, f"{where}[{i}]")
        ]
    if isinstance(saved, float) or isinstance(now, float):
        if isinstance(saved, bool) or isinstance(now, bool) or saved is None or now is None:
            return [] if saved == now else [f"{where}: {saved!r} != {now!r}"]
        ok = math.isclose(float(saved), float(now), rel_tol=0.0, abs_tol=TOLERANCE)
        return [] if ok else [f"{where}: {saved!r} != {now!r}"]
    return [] if saved == now else [f"{where}: {saved!r} != {now!r}"]


@pytest.fixture(scope="module")
def golden_catalog(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from smartpick.service.catalog import open_catalog

    return open_catalog(tmp_path_factory.mktemp("golden_user") / "user.sqlite")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_reference_profile_numbers_are_unchanged(name: str, golden_catalog: Any) -> None:
    now = live(name, golden_catalog)
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(now, indent=1) + "\n", encoding="utf-8")
        pytest.skip(f"wrote {path.name}")
    saved = json.loads(path.read_text(encoding="utf-8"))
    differences = _compare(saved, json.loads(json.dumps(now)), name)
    assert not differences, "\n".join(differences[:20])
