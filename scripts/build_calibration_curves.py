"""Rebuild src/smartpick/data/model/calibration_curves.json from the shipped fitted model.

The results page charts P(match) against Step 2 CK for the applicant's specialties, with an
interval over the model's bootstrap draws: one market simulation per draw, seconds per specialty.
They depend on no applicant, so they are computed here once per fitted model (run after
`scripts/fit_model.py`); the service uses the file only while its model_sha256 matches the
shipped model, and computes the curves otherwise.

    .venv/bin/python scripts/build_calibration_curves.py
"""

from __future__ import annotations

import json
from pathlib import Path

from smartpick.core.chances.calibration_report import curve_blocks
from smartpick.service.assess import fitted_model
from smartpick.service.calibration import model_digest

OUT = Path(__file__).resolve().parents[1] / "src" / "smartpick" / "data" / "model"


def main() -> None:
    """Compute every specialty's curves and write the file."""
    model = fitted_model()
    curves = {name: curve_blocks(model, name) for name in model.outcomes_}
    data = {"model_sha256": model_digest(), "curves": curves}
    path = OUT / "calibration_curves.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(curves)} specialties)")


if __name__ == "__main__":
    main()
