"""Saving and loading the fitted chance model (the shipped `data/model/chance_model.json`).

The file holds the settings and seeds, the fit times, the program layer of IM and FM (the
program-rate model's scaling and coefficients, each program's fitted record), the sibling
tables, the 2026 anchors, every Charting Outcomes specialty's population parameters (point and
bootstrap draws) with their leave-one-out fits, the typical programs' baselines, the transfers of
the other specialties, and every assumption's and assumed effect's value per draw. Floats are
rounded so the file is stable across machines.
"""

from __future__ import annotations

import json
import re
from typing import Any

from smartpick.core.bundled import bundled_text
from smartpick.core.chances.assumptions import Assumptions
from smartpick.core.chances.calibration import Anchor
from smartpick.core.chances.context import Transfer
from smartpick.core.chances.estimator import ChanceModel, FittedState
from smartpick.core.chances.outcomes import SOURCE as CO_SOURCE
from smartpick.core.chances.population import Params
from smartpick.core.chances.program_layer import LayerFit

FITTED_FILE = ("model", "chance_model.json")
DIGITS = 9


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def model_to_dict(model: ChanceModel) -> dict[str, Any]:
    """The fitted state as plain data."""
    st = model.state_
    return _round(
        {
            "method": "SmartPick chance model v2 (the method notes of the project describe it)",
            "sources": [CO_SOURCE, "AAMC Residency Explorer, 2026 cycle (IM and FM programs)"],
            "settings": {
                "n_draws": model.n_draws,
                "level": model.level,
                "random_state": model.random_state,
                "leave_one_out": model.leave_one_out,
            },
            "fit_seconds": st.seconds,
            "layers": {s: layer.to_dict() for s, layer in st.layers.items()},
            "anchors": {s: a.to_dict() for s, a in st.anchors.items()},
            "sibling": st.sibling,
            "specialties": {
                name: {
                    "has_measures": st.has_measures[name],
                    "params": [p.to_dict() for p in ps],
                    "loo": st.loo[name].to_dict() if name in st.loo else None,
                    "typical": st.typical[name],
                }
                for name, ps in st.params.items()
            },
            "transfers": {s: t.to_dict() for s, t in st.transfers.items()},
            "assumptions": [a.to_dict() for a in st.assumptions],
            "effects": st.effects,
        }
    )


def model_from_dict(data: dict[str, Any]) -> ChanceModel:
    """Rebuild a fitted model from `model_to_dict` output."""
    specs = data["specialties"]
    state = FittedState(
        layers={s: LayerFit.from_dict(d) for s, d in data["layers"].items()},
        anchors={s: Anchor.from_dict(d) for s, d in data["anchors"].items()},
        sibling=data["sibling"],
        params={n: [Params.from_dict(p) for p in s["params"]] for n, s in specs.items()},
        loo={n: Params.from_dict(s["loo"]) for n, s in specs.items() if s["loo"] is not None},
        has_measures={n: bool(s["has_measures"]) for n, s in specs.items()},
        typical={n: [float(v) for v in s["typical"]] for n, s in specs.items()},
        transfers={s: Transfer.from_dict(d) for s, d in data["transfers"].items()},
        assumptions=[Assumptions(**a) for a in data["assumptions"]],
        effects={k: [float(v) for v in vals] for k, vals in data["effects"].items()},
        seconds=dict(data["fit_seconds"]),
    )
    return ChanceModel(**data["settings"]).set_fitted(state)


def model_json(model: ChanceModel) -> str:
    """The fitted file's text: indented, with each list of numbers on one line (stable: sorted
    program ids, rounded floats)."""
    text = json.dumps(model_to_dict(model), indent=1)
    return (
        re.sub(
            r"\[[^\[\]{}]*\]",
            lambda m: " ".join(m.group(0).split()).replace("[ ", "[").replace(" ]", "]"),
            text,
        )
        + "\n"
    )


def load_fitted_model() -> ChanceModel:
    """The fitted model shipped with the package (built by scripts/fit_model.py)."""
    return model_from_dict(json.loads(bundled_text(*FITTED_FILE)))
