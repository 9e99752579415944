"""A recommended list as a CSV or an XLSX workbook (the CLI and the web page both use these).

Both read the JSON contract (`Recommendation.to_dict()`), so a saved JSON can be exported too.
Text cells that a spreadsheet would run as a formula (starting with = + - @) are written as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import xlsxwriter

from smartpick.plain_text import spreadsheet_text as _safe_text

LIST_COLUMNS = (
    "rank",
    "program_id",
    "name",
    "specialty",
    "track",
    "city",
    "state",
    "setting",
    "tier",
    "p_interview",
    "p_interview_low",
    "p_interview_high",
    "signal",
    "fee_usd",
    "contribution_pp",
    "preference",
    "must_include",
    "reasons",
)
PERCENT_COLUMNS = ("p_interview", "p_interview_low", "p_interview_high")
CURVE_COLUMNS = (
    "applications",
    "fees_usd",
    "p_match",
    "p_match_low",
    "p_match_high",
    "gain_pp",
    "within_limits",
)


def _document(recommendation: Any) -> Mapping[str, Any]:
    return recommendation if isinstance(recommendation, Mapping) else recommendation.to_dict()


def list_rows(recommendation: Any) -> list[dict[str, Any]]:
    """One flat row per program of the list, in rank order, with `LIST_COLUMNS` keys."""
    rows = []
    for item in _document(recommendation)["programs"]:
        p_int = item["p_interview"]
        rows.append(
            {
                "rank": item["rank"],
                "program_id": item["program_id"],
                "name": item["name"],
                "specialty": item["specialty"],
                "track": item["track"],
                "city": item["city"],
                "state": item["state"],
                "setting": item["setting"],
                "tier": item["tier"],
                "p_interview": p_int["point"],
                "p_interview_low": p_int["low"],
                "p_interview_high": p_int["high"],
                "signal": item["signal"],
                "fee_usd": item["fee_usd"],
                "contribution_pp": round(item["contribution_pp"], 3),
                "preference": item["preference"],
                "must_include": item["must_include"],
                "reasons": "; ".join(item["reasons"]),
            }
        )
    return rows


def curve_rows(recommendation: Any) -> list[dict[str, Any]]:
    """The P(match) curve: one row per number of applications, with `CURVE_COLUMNS` keys."""
    return [
        {
            "applications": c["applications"],
            "fees_usd": c["fees_usd"],
            "p_match": c["p_match"]["point"],
            "p_match_low": c["p_match"]["low"],
            "p_match_high": c["p_match"]["high"],
            "gain_pp": round(c["gain_pp"], 4),
            "within_limits": c["within_limits"],
        }
        for c in _document(recommendation)["curve"]
    ]


def list_csv(recommendation: Any) -> str:
    """The list as CSV text (header + one row per program, unknown values empty)."""
    buf = io.StringIO()
    # CRLF (RFC 4180): a carriage return inside a cell is then quoted, not read as a line end.
    writer = csv.DictWriter(buf, fieldnames=LIST_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in list_rows(recommendation):
        writer.writerow({k: "" if v is None else _safe_text(v) for k, v in row.items()})
    return buf.getvalue()


def list_xlsx(recommendation: Any) -> bytes:
    """The list as an XLSX workbook: sheets "List", "Summary" and "Curve"."""
    doc = _document(recommendation)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0.0%"})
    usd = book.add_format({"num_format": "$#,##0"})

    sheet = book.add_worksheet("List")
    _write_table(sheet, LIST_COLUMNS, list_rows(doc), bold, {c: pct for c in PERCENT_COLUMNS})
    sheet.freeze_panes(1, 0)
    sheet.set_column("C:C", 48)
    sheet.set_column("R:R", 80)

    summary = book.add_worksheet("Summary")
    totals = doc["totals"]
    stopping = doc["stopping"]
    lines: list[tuple[str, Any, Any]] = [
        ("Applications", totals["applications"], None),
        ("P(match)", totals["p_match"]["point"], pct),
        ("P(match) low", totals["p_match"]["low"], pct),
        ("P(match) high", totals["p_match"]["high"], pct),
        ("Expected interviews", totals["expected_interviews"]["point"], None),
        ("Expected interviews low", totals["expected_interviews"]["low"], None),
        ("Expected interviews high", totals["expected_interviews"]["high"], None),
        ("Total fees (USD)", totals["fees_usd"], usd),
        ("Program fees (USD)", totals["program_fees_usd"], usd),
        ("Transcript fee (USD)", totals["transcript_fee_usd"], usd),
        ("Value of a match (USD)", stopping["match_value_usd"], usd),
        ("Applications worth their fee at that value", stopping["stop_at_applications"], None),
        ("Next application adds (percentage points)", stopping["next_gain_pp"], None),
        ("Cost of one more percentage point (USD)", stopping["cost_per_point_usd"], usd),
        ("Limited by", stopping["limited_by"], None),
        ("ERAS season", doc["season"], None),
        ("Fee source", doc["fee_source_url"], None),
    ]
    for specialty, fees in totals["fees_by_specialty"].items():
        lines.append((f"{specialty}: applications", fees["applications"], None))
        lines.append((f"{specialty}: fees (USD)", fees["fees_usd"], usd))
    for specialty, sig in doc["signals"].items():
        lines.append(
            (
                f"{specialty}: signals used",
                f"gold {sig['gold_used']}/{sig['gold_allowed']}, "
                f"silver {sig['silver_used']}/{sig['silver_allowed']}",
                None,
            )
        )
    for r, (label, value, fmt) in enumerate(lines):
        summary.write_string(r, 0, label, bold)
        _write_cell(summary, r, 1, value, fmt)
    for k, note in enumerate(doc["notes"], start=len(lines) + 1):
        summary.write_string(k, 0, str(note))
    summary.set_column("A:A", 40)
    summary.set_column("B:B", 30)

    curve = book.add_worksheet("Curve")
    _write_table(
        curve,
        CURVE_COLUMNS,
        curve_rows(doc),
        bold,
        {"p_match": pct, "p_match_low": pct, "p_match_high": pct, "fees_usd": usd},
    )
    book.close()
    return out.getvalue()


def _write_table(
    sheet: Any,
    columns: tuple[str, ...],
    rows: list[dict[str, Any]],
    header: Any,
    formats: Mapping[str, Any],
) -> None:
    for c, name in enumerate(columns):
        sheet.write_string(0, c, name, header)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(columns):
            _write_cell(sheet, r, c, row.get(name), formats.get(name))


def _write_cell(sheet: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value, fmt)
    else:
        sheet.write_string(r, c, str(value))
