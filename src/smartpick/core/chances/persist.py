"""Saving and loading the fitted chance model (the shipped `data/model/calibration.json`)."""

from __future__ import annotations

import json
from typing import Any

from smartpick.core.bundled import bundled_text
from smartpick.core.chances.calibration import Calibration
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.outcomes import SOURCE as CO_SOURCE
from smartpick.core.chances.outcomes import charting_outcomes
from smartpick.core.chances.population import SpecialtyParams

FITTED_FILE = ("model", "calibration.json")


def model_to_dict(model: ChanceModel) -> dict[str, Any]:
    """The fitted state as plain data."""
    cal = model.calibration_
    return {
        "method": "SmartPick chance model: see docs/model.md",
        "source": CO_SOURCE,
        "settings": {
            "n_draws": model.n_draws,
            "level": model.level,
            "random_state": model.random_state,
            "leave_one_out": model.leave_one_out,
        },
        "specialties": {
            name: {
                "params": p.to_dict(),
                "has_measures": cal.has_measures[name],
                "loo": cal.loo[name].to_dict() if name in cal.loo else None,
                "draws": [d.to_dict() for d in cal.draws[name]],
            }
            for name, p in cal.params.items()
        },
    }


def _params(d: dict[str, float]) -> SpecialtyParams:
    return SpecialtyParams(
        mu=d["mu"],
        sd=d["sd"],
        a=d["a"],
        beta=d["beta"],
        sigma_u=d["sigma_u"],
        c=d["c"],
        n_apps=int(d["n_apps"]),
    )


def model_from_dict(data: dict[str, Any]) -> ChanceModel:
    """Rebuild a fitted model from `model_to_dict` output."""
    specs = data["specialties"]
    calibration = Calibration(
        params={n: _params(s["params"]) for n, s in specs.items()},
        draws={n: [_params(d) for d in s["draws"]] for n, s in specs.items()},
        loo={n: _params(s["loo"]) for n, s in specs.items() if s["loo"] is not None},
        has_measures={n: bool(s["has_measures"]) for n, s in specs.items()},
    )
    outcomes = {o.specialty: o for o in charting_outcomes()}
    return ChanceModel(**data["settings"]).set_fitted(calibration, outcomes)


def load_fitted_model() -> ChanceModel:
    """The fitted model shipped with the package (built by scripts/fit_model.py)."""
    return model_from_dict(json.loads(bundled_text(*FITTED_FILE)))
