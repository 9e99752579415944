"""The calibration reports as use cases: predicted vs published Charting Outcomes figures per
specialty, and the model's 2026 interview rate of every IM / FM categorical program against the
published one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from functools import cache
from typing import Any

from smartpick.core.bundled import bundled_text
from smartpick.core.chances.assumptions import ASSUMPTIONS
from smartpick.core.chances.calibration_report import calibration_report as report_for
from smartpick.core.chances.calibration_report import program_rates as rates_for
from smartpick.core.chances.calibration_report import summary_errors
from smartpick.core.chances.effects import EFFECTS
from smartpick.core.chances.features import LAYERED
from smartpick.core.chances.persist import FITTED_FILE
from smartpick.service.assess import fitted_model
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.start_cache import cached_json

CURVES_FILE = ("model", "calibration_curves.json")


def model_digest() -> str:
    """SHA-256 of the shipped fitted model's file: what the precomputed curves were built from."""
    return hashlib.sha256(bundled_text(*FITTED_FILE).encode("utf-8")).hexdigest()


@cache
def shipped_curves() -> dict[str, dict[str, list[Any]]] | None:
    """The P(match)-by-Step-2-CK curves of every specialty for the shipped model, built by
    `scripts/build_calibration_curves.py` (seconds per specialty to compute; they depend on no
    applicant); None when the file was built from another model (then they are computed)."""
    data = json.loads(bundled_text(*CURVES_FILE))
    if data.get("model_sha256") != model_digest():
        return None
    curves: dict[str, dict[str, list[Any]]] = data["curves"]
    return curves


def calibration_report(specialties: Collection[str] | None = None) -> list[dict[str, Any]]:
    """One object per Charting Outcomes specialty (or per one of `specialties`) for the shipped
    model (see `core.chances.calibration_report` for the shape)."""
    return report_for(fitted_model(), specialties, shipped_curves())


def stored_calibration_report(specialty: str) -> list[dict[str, Any]]:
    """`calibration_report([specialty])`, kept in the user's cache directory between starts of
    a server (it depends only on the fitted model and the code; `service.start_cache`)."""
    return cached_json(f"calibration-report-{specialty}", lambda: calibration_report([specialty]))


def program_rates(catalog: Catalog | None = None) -> list[dict[str, Any]]:
    """One object per IM and FM categorical catalog program: the model's 2026 non-US IMG
    interview rate with its 80% interval, and the published figure (null without one)."""
    catalog = catalog or open_catalog()
    programs = [p for s in LAYERED for p in catalog.programs(specialty=s)]
    return rates_for(fitted_model(), programs)


def assumptions() -> list[dict[str, object]]:
    """Every assumption: value, sensitivity range, effects.csv rows and reasoning."""
    return [e.row() for e in (*EFFECTS.values(), *ASSUMPTIONS.values())]


def calibration_errors(report: list[dict[str, Any]]) -> dict[str, float]:
    """Mean absolute errors of a report, in-sample and leave-one-out."""
    return summary_errors(report)


def v1_figures() -> dict[str, Any]:
    """The figures of chance model v1 (2021 proxies), measured on it before v2 replaced it
    (`bench/v1_baseline.py` at commit dbd1c68): the "before" of every before/after comparison."""
    data: dict[str, Any] = json.loads(bundled_text("model", "v1_figures.json"))
    return data
