"""CSV and XLSX exports of a recommended list, read back."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.export.tables import BOM, EXPORT_COLUMNS, list_csv, list_xlsx
from smartpick.testing import EXAMPLES as PROFILES


def _read(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM)  # Excel reads UTF-8 only with the byte-order mark
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def test_csv_has_every_program(guide_list) -> None:
    rows = _read(list_csv(guide_list))
    assert tuple(rows[0].keys()) == EXPORT_COLUMNS
    assert [r["Program ID"] for r in rows] == [p.program.id for p in guide_list.programs]
    assert sum(int(r["ERAS fee (USD)"]) for r in rows) == guide_list.program_fees_usd
    for r, item in zip(rows, guide_list.programs, strict=True):
        assert r["Program"] == item.program.name  # & and quotes survive
        assert float(r["Interview chance (%)"]) == round(100 * item.p_interview.point, 1)


def test_xlsx_reads_back(guide_list, tmp_path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(list_xlsx(guide_list))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["List", "Summary", "Curve"]
    sheet = book["List"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == EXPORT_COLUMNS
    ids = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [p.program.id for p in guide_list.programs]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Total fees (USD)"] == guide_list.total_fees_usd
    assert summary["Chance of matching (%)"] == pytest.approx(
        100 * guide_list.p_match.point, abs=0.051
    )
    curve = list(book["Curve"].iter_rows(min_row=2, values_only=True))
    assert len(curve) == len(guide_list.curve)


def test_xlsx_numbers_show_rounded(tmp_path) -> None:
    """A number is either stored rounded or carries a number format that shows it rounded
    (low-score-late's summary showed 'Next application adds' as 0.04495170546309213)."""
    path = tmp_path / "list.xlsx"
    late = str(PROFILES / "low-score-late.toml")
    done = CliRunner().invoke(app, ["recommend", "-p", late, "-f", "xlsx", "-o", str(path)])
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(path)
    unrounded = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, float)
        and round(cell.value, 2) != cell.value
        and cell.number_format == "General"
    ]
    assert not unrounded
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows() if row[0].value}
    assert summary["Next application adds (percentage points)"].number_format == "0.00"


def _row() -> dict:
    return {
        "rank": 1,
        "program_id": "X1",
        "name": '=HYPERLINK("http://evil")',
        "specialty": "Internal Medicine",
        "track": "categorical",
        "city": None,
        "state": None,
        "setting": None,
        "tier": "reach",
        "p_interview": {"point": 0.1, "low": 0.05, "high": 0.2},
        "signal": "none",
        "fee_usd": 11,
        "contribution_pp": 1.0,
        "preference": None,
        "must_include": False,
        "reasons": ["+1 trick"],
    }


def test_formula_like_text_is_not_a_formula() -> None:
    doc = {"programs": [_row()]}
    row = _read(list_csv(doc))[0]
    assert row["Program"].startswith("'=")
    assert row["City"] == ""


@settings(max_examples=30, deadline=None)
@example(name="a\rb", reasons=[])  # a lone CR once split the row (lines ended in LF only)
@given(
    name=st.text(min_size=1, max_size=40),
    reasons=st.lists(st.text(max_size=30), max_size=3),
)
def test_any_program_name_survives_csv(name: str, reasons: list[str]) -> None:
    doc = {"programs": [{**_row(), "name": name, "reasons": reasons}]}
    row = _read(list_csv(doc))[0]
    expected = "'" + name if name.startswith(("=", "+", "-", "@", "\t", "\r")) else name
    assert row["Program"] == expected
