"""The results page's data, built from the recommendation's JSON contract and the catalog.

`results_data` turns a `Recommendation` (its JSON contract, docs/optimizer.md) into what the page and its JSON
twin show: totals with intervals, the list with tiers and reasons, the P(match) curve with the
stopping point, and map dots (program coordinates from the catalog, projected server-side).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartpick.core.lists.result import Recommendation
from smartpick.web.charts import curve_chart, standing_chart
from smartpick.web.geo import MAP_HEIGHT, MAP_WIDTH, place_in_state, state_paths
from smartpick.web.list_view import TIER_SHAPES, evidence_year
from smartpick.web.list_view import list_rows as scan_rows


def list_rows(rec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The recommended programs (contract rows) with their page address."""
    return [{**row, "url": f"/programs/{row['program_id']}"} for row in rec["programs"]]


def map_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """State outlines and one dot per recommended program that has coordinates."""
    dots, unplaced = [], []
    for row in rows:
        xy = None
        if row.get("latitude") is not None and row.get("longitude") is not None:
            xy = place_in_state(row.get("state"), float(row["longitude"]), float(row["latitude"]))
        if xy is None:
            unplaced.append(row["name"])
            continue
        dots.append(
            {
                "x": round(xy[0], 1),
                "y": round(xy[1], 1),
                "tier": row["tier"],
                "shape": TIER_SHAPES.get(row["tier"], "◆"),
                "name": row["name"],
                "program_id": row["program_id"],
                "p_interview": row["p_interview"]["point"],
            }
        )
    return {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "states": [{"name": n, "path": p} for n, p in state_paths()],
        "dots": dots,
        "not_on_map": unplaced,
    }


def results_data(recommendation: Recommendation, query_string: str = "") -> dict[str, Any]:
    """Everything the results page shows (and `/api/results` returns), from one recommendation.

    `list` is the list as the page shows it (scan columns, plain reasons); `shared_reasons` the
    model's reasons every listed program of a specialty shares (said once, above the list).
    Keys starting with `_` are drawing geometry for the HTML page only.
    """
    rec = recommendation.to_dict()
    rows = list_rows(rec)
    stop_at = recommendation.stop_at_applications
    drawn = map_data(rows)
    shown, shared = scan_rows(recommendation, query_string)
    return {
        "recommendation": {**rec, "programs": rows},
        "list": shown,
        "list_evidence_year": evidence_year(shown),
        "shared_reasons": shared,
        "tiers": rec["totals"]["tiers"],
        "map": {
            "on_map": [d["program_id"] for d in drawn["dots"]],
            "not_on_map": drawn["not_on_map"],
        },
        "_chart": curve_chart(recommendation.curve, stop_at),
        "_map": drawn,
    }


def standing_charts(
    report: list[dict[str, Any]], specialties: list[str], step2ck: int | None
) -> list[dict[str, Any]]:
    """ "Where you stand": the calibrated P(match) against Step 2 CK for each target specialty.

    The curve is the model's for a non-US IMG applying as that specialty's applicants typically do
    (the calibration report); the marks are the published Charting Outcomes 2026 quartiles.
    """
    by_name = {r["specialty"]: r for r in report}
    out = []
    for specialty in specialties:
        row = by_name.get(specialty)
        if row is None:
            continue
        predicted, published = row["predicted"], row["published"]
        bands = {int(s): (lo, hi) for s, lo, hi in predicted.get("p_match_by_step2ck_interval", [])}
        curve = [
            (float(s), float(p), *(bands.get(int(s), (p, p))))
            for s, p in predicted["p_match_by_step2ck"]
        ]
        marks = []
        step2 = published.get("step2ck") or {}
        for cohort, word in (("matched", "matched"), ("not_matched", "unmatched")):
            median = (step2.get(cohort) or {}).get("median")
            if median is not None:
                marks.append((float(median), f"{word} median {median:.0f}"))
        chart = standing_chart(specialty, curve, step2ck, marks)
        near = None if step2ck is None else min(curve, key=lambda c: abs(c[0] - step2ck))
        out.append(
            {
                "specialty": specialty,
                "typical_p_match": None if near is None else near[1],
                "match_rate_published": published.get("match_rate"),
                "match_rate_predicted": predicted.get("match_rate"),
                "step2ck_published": step2 or None,
                "p_match_by_step2ck": predicted["p_match_by_step2ck"],
                "_chart": chart,
            }
        )
    return out
