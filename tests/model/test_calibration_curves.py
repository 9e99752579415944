"""The precomputed P(match)-by-Step-2-CK curves (data/model/calibration_curves.json) belong to the
shipped model and equal a fresh computation (rebuild: scripts/build_calibration_curves.py)."""

from __future__ import annotations

import pytest

from smartpick.core.chances.calibration_report import curve_blocks
from smartpick.service.assess import fitted_model
from smartpick.service.calibration import calibration_report, shipped_curves


def test_the_bundled_curves_were_built_from_the_shipped_model() -> None:
    curves = shipped_curves()
    assert curves is not None, "rebuild: .venv/bin/python scripts/build_calibration_curves.py"
    assert set(curves) == set(fitted_model().outcomes_)


@pytest.mark.parametrize("specialty", ["Internal Medicine", "Psychiatry"])
def test_the_bundled_curves_equal_a_fresh_computation(specialty: str) -> None:
    curves = shipped_curves()
    assert curves is not None
    assert curves[specialty] == curve_blocks(fitted_model(), specialty)
    (row,) = calibration_report([specialty])
    assert all(row["predicted"][key] == value for key, value in curves[specialty].items())
