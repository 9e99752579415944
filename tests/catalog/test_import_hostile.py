"""Hostile and broken import files: each is rejected whole with row, column and reason, within
the reading limits, and the user store stays byte-identical (its SQL dump and its bytes)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import struct
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from smartpick.catalog.spreadsheet import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNZIPPED_BYTES,
)
from smartpick.errors import ImportRejected
from smartpick.service.catalog import Catalog

ANES = "0401621040"
INOVA = "1405100435C"
VALID_IDS = ["0402211057", "0402311059", "0402321058", "0400121010", INOVA, ANES]


def _store_state(catalog: Catalog) -> tuple[list[str], str]:
    path = catalog.user.path
    conn = sqlite3.connect(path)
    try:
        dump = list(conn.iterdump())
    finally:
        conn.close()
    return dump, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store_with_one_import(fresh_catalog: Catalog, tmp_path: Path) -> Catalog:
    first = tmp_path / "first.csv"
    first.write_text(f"program_id,min_step1,notes\n{ANES},215,call in July\n", encoding="utf-8")
    fresh_catalog.import_file(first)
    return fresh_catalog


def _assert_rejected(
    catalog: Catalog, path: Path, row: int, column: str, reason: str
) -> ImportRejected:
    before = _store_state(catalog)
    with pytest.raises(ImportRejected) as err:
        catalog.import_file(path)
    problems = err.value.problems
    assert (row, column) in [(r, c) for r, c, _ in problems], problems
    assert any(reason in why for r, c, why in problems if (r, c) == (row, column)), problems
    assert "nothing was imported" in err.value.message
    assert _store_state(catalog) == before
    assert len(catalog.imports()) == 1 and catalog.get(ANES).min_step1.value == 215
    return err.value


def _csv(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


CSV_CASES = [
    # D5: non-finite and enormous numbers are a rejection, never a traceback.
    ("inf", f"program_id,min_step2ck\n{INOVA},1e400\n", 2, "min_step2ck", "not a whole number"),
    ("inf_word", f"program_id,min_step1\n{INOVA},inf\n", 2, "min_step1", "not a whole number"),
    ("nan", f"program_id,pct_non_us_img\n{INOVA},nan\n", 2, "pct_non_us_img", "not a percentage"),
    ("pct_inf", f"program_id,pct_non_us_img\n{INOVA},1e400\n", 2, "pct_non_us_img", "percentage"),
    ("digits", f"program_id,min_step1\n{INOVA},{'9' * 5000}\n", 2, "min_step1", "whole number"),
    ("long_id", f"program_id,min_step1\n{'1' * 5000},220\n", 2, "program_id", "not a program"),
    ("big_cell", f"program_id,notes\n{INOVA},{'x' * 131_073}\n", 2, "", "longer than 131,072"),
    # D6: an unclosed quote is an error on its row and cell, not a cell that eats the file.
    (
        "unclosed",
        f'program_id,visa_h1b,notes\n{VALID_IDS[0]},yes,"unclosed\n{VALID_IDS[1]},no,second\n'
        f"{VALID_IDS[2]},maybe,third\n",
        2,
        "notes",
        "never closed",
    ),
    ("stray_quote", f'program_id,notes\n{INOVA},"a"b\n', 2, "", "not valid CSV"),
    # D9: control characters (terminal escape codes, NUL, bidi overrides) are not text.
    ("escape", f"program_id,notes\n{INOVA},\x1b[2J\x1b[31mred\n", 2, "notes", "U+001B"),
    ("nul", f"program_id,notes\n{INOVA},a\x00b\n", 2, "notes", "U+0000"),
    ("bidi", f"program_id,notes\n{INOVA},abc\u202edef\n", 2, "notes", "U+202E"),
    # Limits: rows (the stream stops at the cap) and columns.
    (
        "rows",
        "program_id,min_step1\n" + f"{INOVA},220\n" * (MAX_ROWS + 1),
        MAX_ROWS + 2,
        "",
        "too many rows",
    ),
    (
        "columns",
        "program_id,min_step1\n" + f"{INOVA},220" + ",x" * MAX_COLUMNS + "\n",
        2,
        "AZ",
        "too many columns",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "row", "column", "reason"), CSV_CASES, ids=[c[0] for c in CSV_CASES]
)
def test_hostile_csv_is_rejected_whole_and_the_store_is_unchanged(
    store_with_one_import: Catalog,
    tmp_path: Path,
    name: str,
    text: str,
    row: int,
    column: str,
    reason: str,
) -> None:
    rejected = _assert_rejected(
        store_with_one_import, _csv(tmp_path / f"{name}.csv", text), row, column, reason
    )
    # What is echoed back is short and printable (no 5,000 digits, no escape codes).
    assert all(len(line) < 400 for line in rejected.message.splitlines())
    assert "\x1b" not in rejected.message and "\x00" not in rejected.message


def test_a_file_over_the_size_limit_is_refused_before_reading(
    store_with_one_import: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    line = f"{INOVA}," + "x" * 1000 + "\n"
    path.write_text("program_id,notes\n" + line * (MAX_FILE_BYTES // len(line) + 1))
    err = _assert_rejected(store_with_one_import, path, 0, "", "at most 5 MB")
    assert "the file: the file is 5.0 MB" in err.message


def test_not_utf8_in_the_middle_names_the_row(
    store_with_one_import: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"program_id,notes\n{INOVA},ok\n{ANES},caf\xe9\n".encode("latin-1"))
    _assert_rejected(store_with_one_import, path, 3, "", "not UTF-8")


# --- XLSX ---------------------------------------------------------------------------------------


def _rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info.filename, change(data) if info.filename == member else data)


SHEET = "xl/worksheets/sheet1.xml"


def _stale_dimension_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["program_id", "visa_h1b"])
    for pid in VALID_IDS:
        sheet.append([pid, "yes"])
    sheet.append(["NOT-AN-ID", "maybe"])
    book.save(path)
    _rewrite_member(
        path, SHEET, lambda xml: re.sub(rb"<dimension [^>]*>", b'<dimension ref="A1:B2"/>', xml)
    )
    return path


def test_stale_dimension_is_not_trusted(store_with_one_import: Catalog, tmp_path: Path) -> None:
    path = _stale_dimension_xlsx(tmp_path / "stale.xlsx")
    # Precondition: openpyxl's read-only mode, left alone, would read only 2 of the 8 rows.
    book = openpyxl.load_workbook(path, read_only=True)
    assert len(list(book.worksheets[0].iter_rows())) == 2
    book.close()
    _assert_rejected(store_with_one_import, path, 8, "program_id", "not a program id")


def test_formula_without_a_saved_value_is_rejected(
    store_with_one_import: Catalog, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()  # openpyxl saves formulas without a computed value
    sheet = book.active
    sheet.append(["program_id", "min_step2ck"])
    sheet.append([INOVA, 230])
    sheet.append([ANES, "=200+30"])
    path = tmp_path / "formula.xlsx"
    book.save(path)
    _assert_rejected(store_with_one_import, path, 3, "min_step2ck", "formula without a value")


def test_formula_with_a_saved_value_is_read(fresh_catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "computed.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["program_id", "min_step2ck"])
    sheet.write_string(1, 0, ANES)
    sheet.write_formula(1, 1, "=200+30", None, 230)  # Excel saves the value with the formula
    book.close()
    fresh_catalog.import_file(path)
    assert fresh_catalog.get(ANES).min_step2ck.value == 230


def _far_cell_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["program_id", "min_step2ck"])
    sheet.append([ANES, 230])
    sheet.cell(row=1_000_000, column=16_000, value="x")
    book.save(path)
    return path


def _bomb_xlsx(path: Path) -> Path:
    """A small file whose sheet unzips past the limit (whitespace compresses ~1000:1)."""
    book = openpyxl.Workbook()
    book.active.append(["program_id", "min_step2ck"])
    book.save(path)
    padding = b" " * (MAX_XLSX_UNZIPPED_BYTES + 1024 * 1024)
    _rewrite_member(path, SHEET, lambda xml: xml.replace(b"<sheetData", padding + b"<sheetData"))
    return path


def _lying_sizes_xlsx(path: Path) -> Path:
    """A workbook whose zip directory declares a much smaller unzipped size than the truth."""
    book = openpyxl.Workbook()
    book.active.append(["program_id", "notes"])
    book.active.append([ANES, "x" * 100_000])
    book.save(path)
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:  # each central directory entry
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == SHEET.encode():
            struct.pack_into("<I", data, at + 24, 100)  # declared uncompressed size: 100 bytes
        at += 4
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("make", "row", "column", "reason"),
    [
        (_far_cell_xlsx, 1_000_000, "", "too many rows"),
        (_bomb_xlsx, 0, "", "unzips to 51 MB; at most 50 MB"),
        (_lying_sizes_xlsx, 0, "", "not a readable XLSX"),
    ],
    ids=["far_cell", "zip_bomb", "lying_sizes"],
)
def test_hostile_xlsx_is_rejected_whole(
    store_with_one_import: Catalog,
    tmp_path: Path,
    make: Callable[[Path], Path],
    row: int,
    column: str,
    reason: str,
) -> None:
    _assert_rejected(store_with_one_import, make(tmp_path / "hostile.xlsx"), row, column, reason)


def test_xlsx_too_wide_names_the_column(store_with_one_import: Catalog, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["program_id", "min_step1"])
    book.active.append([ANES, 220] + [None] * 60 + ["x"])
    path = tmp_path / "wide.xlsx"
    book.save(path)
    _assert_rejected(store_with_one_import, path, 2, "BK", "too many columns; at most 50")


def test_reading_hostile_files_stays_within_memory(tmp_path: Path) -> None:
    """Peak memory of reading each file, measured in a fresh process (ru_maxrss, not timing)."""
    big_csv = tmp_path / "largest_allowed.csv"
    row = f"{ANES}," + "n" * 200 + "\n"
    big_csv.write_text("program_id,notes\n" + row * MAX_ROWS)
    assert big_csv.stat().st_size < MAX_FILE_BYTES
    notes_xlsx = tmp_path / "largest_notes.xlsx"  # ~42 MB unzipped: near the 50 MB limit
    book = xlsxwriter.Workbook(notes_xlsx, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["program_id", "notes"])
    for r in range(1, MAX_ROWS + 1):
        sheet.write_row(r, 0, [ANES, f"{r} " + "a note about the program " * 79])
    book.close()
    files = [
        notes_xlsx,
        _far_cell_xlsx(tmp_path / "far.xlsx"),
        _bomb_xlsx(tmp_path / "bomb.xlsx"),
        _lying_sizes_xlsx(tmp_path / "lying.xlsx"),
        big_csv,
    ]
    script = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        from smartpick.catalog.importer import read_table
        from smartpick.errors import ImportRejected
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for name in sys.argv[1:]:
            try:
                read_table(Path(name))
            except ImportRejected:
                pass
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((peak - baseline) // 1024)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    growth_mb = int(done.stdout.strip())
    # Before the limits, the far cell alone needed 5.5 GB and a 1 MB bomb 1.1 GB.
    assert growth_mb < 80, f"reading grew the process by {growth_mb} MB"
