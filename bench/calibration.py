"""Calibration of the chance model against NRMP Charting Outcomes 2026 (non-US IMGs).

Usage: .venv/bin/python bench/calibration.py

Prints, per specialty, the predicted vs published match rate, Step 2 CK medians (matched / not
matched) and contiguous-ranks medians, and the leave-one-specialty-out prediction (the specialty's
measures hidden, the across-specialty priors refitted without it). The last line gives the mean
absolute errors: Step 2 CK medians (points), match rates (pp), in-sample and leave-one-out.
Before it, a consistency check: the program-level model on the real catalog, for a reference
applicant applying to 80 programs drawn the way the calibration assumes IMGs apply, against the
population curve P(match | Step 2 CK).
"""

from __future__ import annotations

from smartpick.core.chances.calibration_report import (
    calibration_report,
    catalog_consistency,
    summary_errors,
)
from smartpick.core.chances.context import build_context
from smartpick.service.assess import fitted_model
from smartpick.service.catalog import open_catalog


def _median(block: dict | None, cohort: str) -> str:
    if block is None or block.get(cohort) is None:
        return "   -"
    return f"{block[cohort]['median']:5.1f}"


def main() -> None:
    report = calibration_report(fitted_model())
    print(
        f"{'specialty':40} {'n':>5} {'rate pred':>9} {'pub':>6} | {'S2CK med M':>10} {'pub':>5}"
        f" {'U':>6} {'pub':>5} | {'ranks M':>7} {'pub':>5} {'U':>5} {'pub':>5} |"
        f" {'LOO M':>6} {'U':>6} {'rate':>6}"
    )
    for r in report:
        pred, pub, loo = r["predicted"], r["published"], r["leave_one_out"]
        print(
            f"{r['specialty'][:40]:40} {r['applicants']:5d} {pred['match_rate']:9.1%}"
            f" {pub['match_rate']:6.1%} | {_median(pred['step2ck'], 'matched'):>10}"
            f" {_median(pub['step2ck'], 'matched'):>5} {_median(pred['step2ck'], 'not_matched'):>6}"
            f" {_median(pub['step2ck'], 'not_matched'):>5} |"
            f" {_median(pred['contiguous_ranks'], 'matched'):>7}"
            f" {_median(pub['contiguous_ranks'], 'matched'):>5}"
            f" {_median(pred['contiguous_ranks'], 'not_matched'):>5}"
            f" {_median(pub['contiguous_ranks'], 'not_matched'):>5} |"
            f" {_median(loo['step2ck'] if loo else None, 'matched'):>6}"
            f" {_median(loo['step2ck'] if loo else None, 'not_matched'):>6}"
            f" {format(loo['match_rate'], '6.1%') if loo else '     -':>6}"
        )
    catalog = open_catalog()
    for specialty in ("Internal Medicine", "Family Medicine", "Psychiatry"):
        full = catalog.programs(specialty=specialty)
        programs = [p for p in full if p.track == "categorical"]
        checks = catalog_consistency(
            fitted_model(), specialty, programs, build_context(specialty, full)
        )
        print(
            f"catalog vs curve, {specialty} (reference applicant, 80 programs drawn as IMGs "
            "apply): "
            + ", ".join(f"{c['step2ck']}: {c['catalog']:.1%} vs {c['curve']:.1%}" for c in checks)
        )
    e = summary_errors(report)
    print(
        f"MAE: Step 2 CK medians {e['step2ck_median_mae_points']} points, match rates "
        f"{e['match_rate_mae_pp']} pp | leave-one-specialty-out: Step 2 CK medians "
        f"{e['loo_step2ck_median_mae_points']} points, match rates {e['loo_match_rate_mae_pp']} pp"
    )


if __name__ == "__main__":
    main()
