"""The calibration report as a use case: predicted vs published Charting Outcomes figures."""

from __future__ import annotations

from typing import Any

from smartpick.core.chances.calibration_report import calibration_report as report_for
from smartpick.core.chances.calibration_report import summary_errors
from smartpick.core.chances.effects import effects_table
from smartpick.service.assess import fitted_model


def calibration_report() -> list[dict[str, Any]]:
    """One object per Charting Outcomes specialty for the shipped model (see
    `core.calibration_report` for the shape)."""
    return report_for(fitted_model())


def assumptions() -> list[dict[str, object]]:
    """Every assumed effect: value, sensitivity range, effects.csv rows and reasoning."""
    return effects_table()


def calibration_errors(report: list[dict[str, Any]]) -> dict[str, float]:
    """Mean absolute errors of a report, in-sample and leave-one-out."""
    return summary_errors(report)
