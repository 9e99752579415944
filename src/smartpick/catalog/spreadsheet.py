"""Read a user's CSV or XLSX file into rows of text cells, within fixed limits.

A hostile or damaged file must not exhaust memory or time, and must never be read in part:
- the file size is checked before anything is read;
- a CSV is read as a stream in strict mode (an unclosed quote is an error, never a cell that
  swallows the rest of the file) and reading stops at the row cap;
- an XLSX is a zip of XML files: the members' declared and actual unzipped sizes are checked
  before openpyxl parses anything, the sheet's stored `<dimension>` is ignored (it may be stale
  or huge), rows are read as they appear and reading stops at the row cap, and a formula without
  a saved value is an error, not an empty cell.
Problems are raised as `TableProblem` with (row, column, reason) items; rows are spreadsheet rows
(header = 1; 0 = the file as a whole).
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Generator, Iterator
from itertools import chain, islice, zip_longest
from pathlib import Path
from typing import Any, BinaryIO

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000  # data rows under the header
MAX_COLUMNS = 50
MAX_XLSX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 1_000
# Excel's own last row: a row number beyond it is a crafted file, not a spreadsheet.
_EXCEL_LAST_ROW = 1_048_576
_MB = 1024 * 1024
Rows = Generator[list[str], None, None]
# A formula element in a worksheet's XML, with or without a namespace prefix.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


class TableProblem(Exception):
    """Why a file cannot be read: (row, column, reason) items, rows numbered as in a spreadsheet."""

    def __init__(self, row: int, column: str, reason: str) -> None:
        super().__init__(reason)
        self.problems = [(row, column, reason)]


def check_file_size(path: Path) -> None:
    """Refuse a file over MAX_FILE_BYTES before reading it."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise TableProblem(
            0, "", f"the file is {size / _MB:.1f} MB; at most {MAX_FILE_BYTES // _MB} MB allowed"
        )


def _column_label(header: list[str], index: int) -> str:
    """The header's name for a 0-based column, else its spreadsheet letter (A, B, … AX)."""
    if index < len(header) and header[index].strip():
        return header[index].strip().lower()
    from openpyxl.utils import get_column_letter  # openpyxl loads in 0.3 s: only when needed

    return get_column_letter(index + 1)


class _RowLimits:
    """Applies the row and column caps to rows as they are read (row numbers from 1)."""

    def __init__(self) -> None:
        self.header: list[str] = []

    def check(self, row_no: int, cells: list[str]) -> list[str] | None:
        """The row to keep (trailing empty cells cut), None for an empty row past the cap."""
        filled = [i for i, c in enumerate(cells) if c.strip()]
        if not filled:
            return [] if row_no <= MAX_ROWS + 1 else None
        if row_no > MAX_ROWS + 1:
            raise TableProblem(
                row_no, "", f"too many rows; at most {MAX_ROWS:,} rows under the header"
            )
        if filled[-1] >= MAX_COLUMNS:
            raise TableProblem(
                row_no,
                _column_label(self.header if row_no > 1 else cells, filled[-1]),
                f"too many columns; at most {MAX_COLUMNS} columns",
            )
        kept = cells[: filled[-1] + 1]
        if row_no == 1:
            self.header = kept
        return kept


def csv_rows(path: Path) -> Rows:
    """Rows of a UTF-8 CSV (separator `,`, `;` or tab, chosen from the header line), streamed."""
    check_file_size(path)
    limits = _RowLimits()
    with path.open("rb") as stream:
        lines = _text_lines(stream)
        try:
            first = next(lines, "")
        except _NotUtf8:
            raise _not_utf8(1, 1) from None
        # Excel in many locales saves CSV with ";"; tab-separated exports also occur.
        delimiter = max((",", ";", "\t"), key=first.count) if first.strip() else ","
        reader = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
        row_no = 0
        while True:
            start_line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _NotUtf8 as bad:
                raise _not_utf8(row_no + 1, bad.line) from None
            except csv.Error as exc:
                raise _csv_problem(path, delimiter, row_no + 1, start_line, exc, limits) from None
            row_no += 1
            kept = limits.check(row_no, cells)
            if kept is not None:
                yield kept


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


# A carriage return that is not part of CR LF ends a line too (old Mac spreadsheets).
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _text_lines(stream: BinaryIO, errors: str = "strict") -> Iterator[str]:
    """The file's lines as text, decoded one line at a time so a bad byte has a line number."""
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8", errors=errors)
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None
        yield from (part for part in _LONE_CR.split(text) if part)


def _not_utf8(row_no: int, line: int) -> TableProblem:
    return TableProblem(
        row_no, "", f"the file is not UTF-8 text (line {line}); save it as 'CSV UTF-8'"
    )


def _csv_problem(
    path: Path, delimiter: str, row_no: int, line: int, exc: csv.Error, limits: _RowLimits
) -> TableProblem:
    """Turn the csv module's error into row, column and a reason a user can act on."""
    text = str(exc)
    where = f"(line {line} of the file)"
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return TableProblem(row_no, "", f"a cell is longer than {limit:,} characters {where}")
    header = limits.header
    if "unexpected end of data" in text:
        # Re-read the record leniently: its last cell is the one whose quote never closes.
        with path.open("rb") as stream:
            rest = islice(_text_lines(stream, errors="replace"), line - 1, None)
            partial = next(csv.reader(rest, delimiter=delimiter), [])
        column = _column_label(header, max(len(partial) - 1, 0))
        return TableProblem(
            row_no,
            column,
            f'a quote (") opened in this cell is never closed {where}, so the rest of the file '
            "would be read into it; close the quote or remove it",
        )
    return TableProblem(row_no, "", f"the row is not valid CSV: {text} {where}")


def xlsx_rows(path: Path) -> Rows:
    """Rows of an XLSX workbook's first sheet, after checking the zip container's sizes."""
    check_file_size(path)
    has_formulas = _check_zip(path)
    import openpyxl  # only needed for spreadsheets

    books = []
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        books.append(values)
        # The formulas pass (slow: one object per cell) only runs when the XML has a formula.
        formulas = openpyxl.load_workbook(path, read_only=True) if has_formulas else None
        books += [formulas] if formulas else []
        if not values.worksheets:
            raise TableProblem(0, "", "the workbook has no sheet")
        formula_sheet = formulas.worksheets[0] if formulas else None
        yield from _sheet_rows(values.worksheets[0], formula_sheet)
    except TableProblem:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file or sheet
        raise _unreadable(exc) from None
    finally:
        for book in books:
            book.close()


def _unreadable(exc: Exception) -> TableProblem:
    return TableProblem(
        0, "", f"the file is not a readable XLSX workbook ({exc.__class__.__name__})"
    )


def _check_zip(path: Path) -> bool:
    """Refuse zip bombs: declared and actual unzipped sizes within MAX_XLSX_UNZIPPED_BYTES.

    Returns whether the workbook holds a formula (found while every byte is read anyway).
    """
    limit = f"at most {MAX_XLSX_UNZIPPED_BYTES // _MB} MB allowed"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_XLSX_MEMBERS:
                raise TableProblem(
                    0, "", f"the workbook has {len(members):,} parts; at most {MAX_XLSX_MEMBERS:,}"
                )
            declared = sum(m.file_size for m in members)
            if declared > MAX_XLSX_UNZIPPED_BYTES:
                raise TableProblem(
                    0, "", f"the workbook unzips to {declared / _MB:.0f} MB; {limit}"
                )
            # zipfile stops at each member's declared size and checks its CRC, so reading
            # everything once proves the actual sizes match what was declared.
            actual = 0
            has_formulas = False
            for member in members:
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(_MB):
                        actual += len(chunk)
                        if actual > MAX_XLSX_UNZIPPED_BYTES:
                            raise TableProblem(0, "", f"the workbook unzips to more; {limit}")
                        # Any part may be the sheet (writers name them freely); text is escaped.
                        if not has_formulas:
                            has_formulas = bool(_FORMULA_TAG.search(tail + chunk))
                            tail = chunk[-32:]
            return has_formulas
    except TableProblem:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        RuntimeError,
        NotImplementedError,
        EOFError,
        ValueError,
    ) as exc:
        raise _unreadable(exc) from None


def _sheet_rows(value_sheet: Any, formula_sheet: Any | None) -> Rows:
    """Walk the sheet's saved values, and its formulas in step when it has any."""
    for sheet in (value_sheet, formula_sheet):
        if sheet is not None:
            sheet.reset_dimensions()  # never trust a stored <dimension>: read rows as they come
    limits = _RowLimits()
    missing: list[tuple[int, int]] = []
    pairs = zip_longest(
        value_sheet.iter_rows(min_row=1, min_col=1, values_only=True),
        formula_sheet.iter_rows(min_row=1, min_col=1) if formula_sheet is not None else (),
        fillvalue=(),
    )
    for row_no, (saved, cells) in enumerate(pairs, start=1):
        if row_no > _EXCEL_LAST_ROW:
            raise TableProblem(row_no, "", "the sheet has rows beyond Excel's last row")
        if not saved and not cells:  # a missing row (openpyxl fills the gaps): the fast path
            if row_no <= MAX_ROWS + 1:
                yield []
            continue
        for index, cell in enumerate(cells):
            value = saved[index] if index < len(saved) else None
            if getattr(cell, "data_type", None) == "f" and value is None:
                missing.append((row_no, index))
        kept = limits.check(row_no, [_cell_text(v) for v in saved])
        if kept is not None:
            yield kept
    if missing:
        reason = "formula without a value: type the number"
        problem = TableProblem(missing[0][0], "", reason)
        problem.problems = [(r, _column_label(limits.header, c), reason) for r, c in missing]
        raise problem


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
