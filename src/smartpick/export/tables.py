"""A recommended list as a CSV or an XLSX workbook (the CLI and the web page both use these).

Both read the JSON contract (`Recommendation.to_dict()`), so a saved JSON can be exported too;
the faces pass `service.listing.export_document`, which adds each program's catalog facts
(`facts`: website, IMG share and its year, the 2026 non-US IMG interview rate), its plain
sentences (`why`), the reasons every row shares and the programs the applicant excluded. The files are for people: column names in words, numbers rounded, settings and
tiers as words, the applicant's pins and exclusions said, UTF-8 with a byte-order mark so that
Excel reads accents and arrows. Text cells a spreadsheet would run as a formula (starting with
= + - @) are written as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from smartpick.plain_text import spreadsheet_text as _safe_text

# Machine keys of one list row (the CLI's table and `--format csv|json` on the terminal).
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
# The downloaded files' columns, in words.
EXPORT_COLUMNS = (
    "Rank",
    "Program",
    "Program ID",
    "Specialty",
    "Track",
    "City",
    "State",
    "Setting",
    "Website",
    "Non-US IMG residents (%)",
    "Year of the residents' share",
    "Non-US IMGs invited (%)",
    "Non-US IMG applicants",
    "Year of the invitations",
    "J-1 visa",
    "H-1B visa",
    "Tier",
    "Interview chance (%)",
    "Interview chance, low (%)",
    "Interview chance, high (%)",
    "Signal",
    "ERAS fee (USD)",
    "Chance of matching lost if left out (percentage points)",
    "Your choice",
    "Why",
)
PREFERENCE_COLUMN = "Your preference (0 to 1)"
CURVE_COLUMNS = (
    "Applications",
    "ERAS fees (USD)",
    "Chance of matching (%)",
    "Chance of matching, low (%)",
    "Chance of matching, high (%)",
    "Added by this application (percentage points)",
    "Within your budget and count",
)
PERCENT_COLUMNS = (
    "Non-US IMG residents (%)",
    "Non-US IMGs invited (%)",
    "Interview chance (%)",
    "Interview chance, low (%)",
    "Interview chance, high (%)",
    "Chance of matching (%)",
    "Chance of matching, low (%)",
    "Chance of matching, high (%)",
)
SETTING_WORDS = {
    "university": "University",
    "university_affiliated_community": "University-affiliated community",
    "community": "Community",
    "military": "Military",
}
VISA_WORDS = {"yes": "yes", "no": "no", "none_listed": "none listed"}
LIMIT_WORDS = {
    "match value": "where one more application is not worth its fee at the value of a match",
    "budget": "your fee budget",
    "count": "the number of applications you set",
    "candidates": "the programs you can apply to",
}
BOM = "\ufeff"


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


def _pct(fraction: float | None, digits: int = 1) -> float | None:
    return None if fraction is None else round(100 * fraction, digits)


def _catalog_columns(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The columns that come from the catalog (empty when the document has no facts)."""
    rate = facts.get("nonus_img_interview_rate")
    share = facts.get("pct_non_us_img")
    return {
        "Website": facts.get("website"),
        "Non-US IMG residents (%)": None if share is None else round(share),
        "Year of the residents' share": facts.get("pct_non_us_img_year"),
        "Non-US IMGs invited (%)": _pct(rate, 0),
        "Non-US IMG applicants": facts.get("nonus_img_applicants"),
        "Year of the invitations": facts.get("interview_evidence_year"),
        "J-1 visa": VISA_WORDS.get(facts.get("visa_j1") or ""),
        "H-1B visa": VISA_WORDS.get(facts.get("visa_h1b") or ""),
    }


def _sentences(lines: list[str]) -> str:
    """A row's lines as one text: each a sentence (the model's reasons have no full stop)."""
    return " ".join(line if line.endswith((".", "!", "?")) else line + "." for line in lines)


def export_rows(recommendation: Any) -> list[dict[str, Any]]:
    """The list as the downloaded files show it: `EXPORT_COLUMNS` in words, rounded numbers,
    then one row per program the applicant excluded (no rank, "excluded by you")."""
    doc = _document(recommendation)
    with_preferences = any(item.get("preference") is not None for item in doc["programs"])
    rows = []
    for item in doc["programs"]:
        p_int = item["p_interview"]
        row = {
            "Rank": item["rank"],
            "Program": item["name"],
            "Program ID": item["program_id"],
            "Specialty": item["specialty"],
            "Track": item["track"],
            "City": item["city"],
            "State": item["state"],
            "Setting": SETTING_WORDS.get(item["setting"] or "", item["setting"]),
            **_catalog_columns(item.get("facts") or {}),
            "Tier": item["tier"],
            "Interview chance (%)": _pct(p_int["point"]),
            "Interview chance, low (%)": _pct(p_int["low"]),
            "Interview chance, high (%)": _pct(p_int["high"]),
            "Signal": item.get("signal_name", item["signal"]),  # a saved JSON may predate it
            "ERAS fee (USD)": item["fee_usd"],
            "Chance of matching lost if left out (percentage points)": round(
                item["contribution_pp"], 2
            ),
            "Your choice": "pinned by you" if item["must_include"] else None,
            "Why": _sentences(item["why"]) if item.get("why") else "; ".join(item["reasons"]),
        }
        if with_preferences:
            row[PREFERENCE_COLUMN] = item.get("preference")
        rows.append(row)
    for facts in doc.get("excluded_programs") or ():
        rows.append(
            {
                "Program": facts.get("name"),
                "Program ID": facts.get("program_id"),
                "Specialty": facts.get("specialty"),
                "Track": facts.get("track"),
                "City": facts.get("city"),
                "State": facts.get("state"),
                "Setting": SETTING_WORDS.get(facts.get("setting") or "", facts.get("setting")),
                **_catalog_columns(facts),
                "Your choice": "excluded by you",
            }
        )
    return rows


def _columns(rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    extra = (PREFERENCE_COLUMN,) if any(PREFERENCE_COLUMN in r for r in rows) else ()
    return (*EXPORT_COLUMNS, *extra)


def curve_rows(recommendation: Any) -> list[dict[str, Any]]:
    """The curve of the chance of matching: one row per number of applications, in words."""
    return [
        {
            "Applications": c["applications"],
            "ERAS fees (USD)": c["fees_usd"],
            "Chance of matching (%)": _pct(c["p_match"]["point"]),
            "Chance of matching, low (%)": _pct(c["p_match"]["low"]),
            "Chance of matching, high (%)": _pct(c["p_match"]["high"]),
            "Added by this application (percentage points)": round(c["gain_pp"], 2),
            "Within your budget and count": "yes" if c["within_limits"] else "no",
        }
        for c in _document(recommendation)["curve"]
    ]


def list_csv(recommendation: Any) -> str:
    """The list as CSV text for a spreadsheet: a byte-order mark, then the header in words and
    one row per program (unknown values empty), then the programs the applicant excluded."""
    rows = export_rows(recommendation)
    buf = io.StringIO()
    # CRLF (RFC 4180): a carriage return inside a cell is then quoted, not read as a line end.
    writer = csv.DictWriter(buf, fieldnames=_columns(rows), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else _safe_text(v) for k, v in row.items()})
    return BOM + buf.getvalue()


def _choices(doc: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    pinned = [p["name"] for p in doc["programs"] if p.get("must_include")]
    excluded = [p.get("name") or p.get("program_id") for p in doc.get("excluded_programs") or ()]
    if not excluded:
        excluded = list((doc.get("constraints") or {}).get("exclude") or ())
    return [
        ("Programs you pinned", "; ".join(pinned) or "none", None),
        ("Programs you excluded", "; ".join(str(e) for e in excluded) or "none", None),
    ]


def list_xlsx(recommendation: Any) -> bytes:
    """The list as an XLSX workbook: sheets "List", "Summary" and "Curve", in words."""
    import xlsxwriter  # only for this download (keeps the server's start quick)

    doc = _document(recommendation)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    usd = book.add_format({"num_format": "$#,##0"})
    one = book.add_format({"num_format": "0.0"})
    two = book.add_format({"num_format": "0.00"})

    sheet = book.add_worksheet("List")
    rows = export_rows(doc)
    columns = _columns(rows)
    _write_table(sheet, columns, rows, bold, {c: one for c in PERCENT_COLUMNS})
    sheet.freeze_panes(1, 2)
    sheet.set_row(0, 45)
    sheet.set_column(1, 1, 48)
    sheet.set_column(columns.index("Website"), columns.index("Website"), 30)
    sheet.set_column(columns.index("Why"), columns.index("Why"), 80)

    summary = book.add_worksheet("Summary")
    totals = doc["totals"]
    stopping = doc["stopping"]
    limited = stopping["limited_by"]
    lines: list[tuple[str, Any, Any]] = [
        ("Applications", totals["applications"], None),
        ("Chance of matching (%)", _pct(totals["p_match"]["point"]), one),
        ("Chance of matching, low (%)", _pct(totals["p_match"]["low"]), one),
        ("Chance of matching, high (%)", _pct(totals["p_match"]["high"]), one),
        # the chances hold only if it is lifted or an exception applies: said beside them
        *(
            [("US entry restriction", doc["entry_condition"], None)]
            if doc.get("entry_condition")
            else []
        ),
        ("Expected interview offers", round(totals["expected_interviews"]["point"], 1), one),
        ("Expected interview offers, low", round(totals["expected_interviews"]["low"], 1), one),
        ("Expected interview offers, high", round(totals["expected_interviews"]["high"], 1), one),
        ("Total fees (USD)", totals["fees_usd"], usd),
        ("Program fees (USD)", totals["program_fees_usd"], usd),
        ("Transcript fee (USD)", totals["transcript_fee_usd"], usd),
        ("Value of a match (USD)", stopping["match_value_usd"], usd),
        # the value rule's count (all of them where each is worth its fee), as the page says
        ("Applications worth their fee at that value", doc["how_many"]["rule_count"], None),
        # the exact figure (a user may compute with it), shown as the page's sentence writes it
        ("Next application adds (percentage points)", stopping["next_gain_pp"], two),
        ("Cost of one more percentage point (USD)", stopping["cost_per_point_usd"], usd),
        ("What limited the list", LIMIT_WORDS.get(limited, limited), None),
        ("How many programs", " ".join(doc["how_many"]["lines"]), None),
        *_choices(doc),
        *(
            (f"True of every {specialty} program on the list", "; ".join(lines), None)
            for specialty, lines in (doc.get("shared_reasons") or {}).items()
        ),
        ("ERAS season (Match year)", doc["season"], None),
        ("Fee source", doc["fee_source_url"], None),
    ]
    for specialty, fees in totals["fees_by_specialty"].items():
        lines.append((f"{specialty}: applications", fees["applications"], None))
        lines.append((f"{specialty}: fees (USD)", fees["fees_usd"], usd))
    for specialty, sig in doc["signals"].items():
        lines.append((f"{specialty}: signals", sig["in_words"], None))
    for r, (label, value, fmt) in enumerate(lines):
        summary.write_string(r, 0, label, bold)
        _write_cell(summary, r, 1, value, fmt)
    for k, note in enumerate(doc["notes"], start=len(lines) + 1):
        summary.write_string(k, 0, str(note))
    summary.set_column("A:A", 40)
    summary.set_column("B:B", 60)

    curve = book.add_worksheet("Curve")
    formats = {c: one for c in PERCENT_COLUMNS} | {"ERAS fees (USD)": usd}
    _write_table(curve, CURVE_COLUMNS, curve_rows(doc), bold, formats)
    book.close()
    return out.getvalue()


def _write_table(
    sheet: Any,
    columns: Sequence[str],
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
    elif isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) < 255:
        sheet.write_url(r, c, value, string=value)
    else:
        sheet.write_string(r, c, str(value))
