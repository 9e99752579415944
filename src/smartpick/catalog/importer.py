"""Read and check a user's spreadsheet of program facts (CSV or XLSX) before anything is stored.

The whole file is checked first; any problem rejects it whole with (row, column, reason), so a
bad file never changes what is already stored. Row numbers are spreadsheet rows (header = 1).
Reading (and its size, row and column limits) is `catalog.spreadsheet`'s job; this module checks
the cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from smartpick.catalog.spreadsheet import MAX_ROWS, TableProblem, csv_rows, xlsx_rows
from smartpick.errors import ImportRejected
from smartpick.plain_text import char_name, first_control, shown

ID_COLUMN = "program_id"
MAX_PROBLEMS_SHOWN = 20
MAX_NOTE_CHARS = 2000


def _number(text: str) -> float | None:
    """The finite number in `text`, or None (not a number, NaN, infinite or too large)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        number = _number(text)
        if number is None or not number.is_integer():
            raise ValueError(f"'{shown(text)}' is not a whole number ({low} to {high})")
        if not low <= number <= high:
            raise ValueError(f"{shown(text)} is out of range; allowed {low} to {high}")
        return int(number)

    return parse


def _pct(text: str) -> float:
    number = _number(text.rstrip("%"))
    if number is None:
        raise ValueError(f"'{shown(text)}' is not a percentage (0 to 100)")
    if not 0 <= number <= 100:
        raise ValueError(f"{shown(text)} is out of range; allowed 0 to 100")
    return round(number, 1)


def _bool(text: str) -> bool:
    key = text.strip().lower()
    if key in {"yes", "y", "true", "1"}:
        return True
    if key in {"no", "n", "false", "0"}:
        return False
    raise ValueError(f"'{shown(text)}' is not yes or no")


def _visa(text: str) -> str:
    return "yes" if _bool(text) else "no"


def _notes(text: str) -> str:
    # A line break typed in a spreadsheet cell may arrive as CR LF or a lone CR.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_NOTE_CHARS:
        raise ValueError(f"is {len(text):,} characters long; at most {MAX_NOTE_CHARS:,} allowed")
    bad = first_control(text)
    if bad is not None:
        # Escape codes would act on a terminal that prints the note; they are never text.
        raise ValueError(f"contains the control character {char_name(bad)}; remove it")
    return text


@dataclass(frozen=True)
class Column:
    """An importable column: the Program field it sets, allowed values, parser."""

    field: str
    allowed: str
    parse: Callable[[str], Any]


COLUMNS: dict[str, Column] = {
    "min_step1": Column("min_step1", "whole number 1 to 300", _int_in(1, 300)),
    "min_step2ck": Column("min_step2ck", "whole number 1 to 300", _int_in(1, 300)),
    "max_years_since_graduation": Column(
        "max_years_since_graduation", "whole number 0 to 60", _int_in(0, 60)
    ),
    "usce_required": Column("usce_required", "yes or no", _bool),
    "visa_j1": Column("visa_j1", "yes or no", _visa),
    "visa_h1b": Column("visa_h1b", "yes or no", _visa),
    "visa_f1": Column("visa_f1", "yes or no", _visa),
    "pgy1_positions": Column("pgy1_positions", "whole number 0 to 500", _int_in(0, 500)),
    "pct_non_us_img": Column("pct_non_us_img", "percentage 0 to 100", _pct),
    "accepting_applications": Column("accepting_applications", "yes or no", _bool),
    "notes": Column("notes", "text, at most 2000 characters, no control characters", _notes),
}


@dataclass(frozen=True)
class ParsedImport:
    """A checked file: facts to store as (program id, field, value)."""

    rows: int
    facts: tuple[tuple[str, str, Any], ...]
    columns: tuple[str, ...]


def read_table(path: Path) -> list[list[str]]:
    """Cells of a CSV or XLSX file as text (first sheet for XLSX), within the reading limits.

    Raises ImportRejected with (row, column, reason) when the file cannot be read whole.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportRejected(f"{path}: no such file.", [(0, "", "file not found")])
    readers = {".csv": csv_rows, ".xlsx": xlsx_rows}
    if suffix not in readers:
        raise ImportRejected(
            f"{path.name}: unsupported file type '{shown(suffix)}'. Allowed: .csv, .xlsx.",
            [(0, "", f"unsupported file type '{shown(suffix)}' (allowed .csv, .xlsx)")],
        )
    table: list[list[str]] = []
    rows = readers[suffix](path)
    try:
        for cells in rows:
            table.append(cells)
            if len(table) == 1:  # a wrong header rejects the file before the rest is read
                problems = _header_problems([h.strip().lower() for h in cells])
                if problems:
                    _reject(path.name, problems)
    except TableProblem as problem:
        _reject(path.name, problem.problems)
    finally:
        rows.close()
    return table


def parse_import(table: list[list[str]], known_ids: Iterable[str], file_name: str) -> ParsedImport:
    """Check every cell; return the facts, or raise ImportRejected listing every problem."""
    ids = set(known_ids)
    problems: list[tuple[int, str, str]] = []
    rows = [[c.strip() for c in r] for r in table]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise ImportRejected(f"{file_name}: the file is empty.", [(1, "", "no header row")])
    header = [h.strip().lower() for h in rows[0]]
    problems.extend(_header_problems(header))
    if problems:
        _reject(file_name, problems)
    data = rows[1:]
    if not data:
        _reject(file_name, [(2, "", "no data rows under the header")])
    if len(data) > MAX_ROWS:
        _reject(file_name, [(MAX_ROWS + 2, "", f"too many rows; at most {MAX_ROWS:,}")])
    facts: list[tuple[str, str, Any]] = []
    seen: dict[str, int] = {}
    for offset, cells in enumerate(data):
        row_no = offset + 2
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            problems.append(
                (row_no, "", f"has {len(cells)} cells but the header has {len(header)}")
            )
            continue
        cell = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        pid = normalize_program_id(cell.get(ID_COLUMN, ""))
        if not pid:
            problems.append((row_no, ID_COLUMN, "empty program id"))
            continue
        if pid not in ids:
            problems.append((row_no, ID_COLUMN, _unknown_id_reason(pid, ids)))
            continue
        if pid in seen:
            problems.append((row_no, ID_COLUMN, f"{pid} already given in row {seen[pid]}"))
            continue
        seen[pid] = row_no
        for col in header:
            if col == ID_COLUMN or not col or not cell.get(col):
                continue
            spec = COLUMNS[col]
            try:
                facts.append((pid, spec.field, spec.parse(cell[col])))
            except ValueError as exc:
                problems.append((row_no, col, f"{exc} (allowed: {spec.allowed})"))
    if problems:
        _reject(file_name, problems)
    if not facts:
        _reject(file_name, [(2, "", "no values to import: every fact cell is empty")])
    return ParsedImport(len(seen), tuple(facts), tuple(c for c in header if c in COLUMNS))


def _header_problems(header: list[str]) -> list[tuple[int, str, str]]:
    problems: list[tuple[int, str, str]] = []
    if ID_COLUMN not in header:
        problems.append((1, ID_COLUMN, f"required column '{ID_COLUMN}' is missing"))
    for col in header:
        if col and col != ID_COLUMN and col not in COLUMNS:
            problems.append((1, col, f"unknown column; allowed: {ID_COLUMN}, {', '.join(COLUMNS)}"))
    dupes = {c for c in header if c and header.count(c) > 1}
    problems.extend((1, c, "column appears more than once") for c in sorted(dupes))
    if len(header) == 0 or not any(c in COLUMNS for c in header):
        problems.append((1, "", f"no fact columns; add at least one of {', '.join(COLUMNS)}"))
    return problems


def normalize_program_id(text: str) -> str:
    """Upper-case id; restores leading zeros a spreadsheet dropped from a numeric code."""
    pid = text.strip().upper()
    if pid.endswith(".0") and pid[:-2].isdigit():
        pid = pid[:-2]
    digits = pid.rstrip("CP")
    if digits.isdigit() and len(digits) < 10:
        pid = digits.zfill(10) + pid[len(digits) :]
    return pid


def _unknown_id_reason(pid: str, ids: set[str]) -> str:
    tracks = [t for t in (pid + "C", pid + "P") if t in ids]
    if tracks:
        return f"'{pid}' has tracks; use {' or '.join(tracks)}"
    return f"'{shown(pid)}' is not a program id in the catalog (see `smartpick programs search`)"


def _reject(file_name: str, problems: list[tuple[int, str, str]]) -> NoReturn:
    listed = problems[:MAX_PROBLEMS_SHOWN]
    lines = [_problem_line(r, c, why) for r, c, why in listed]
    more = len(problems) - len(listed)
    tail = f"\n… and {more} more problems" if more > 0 else ""
    raise ImportRejected(
        f"{shown(file_name, 80)} was rejected; nothing was imported or changed.\n"
        + "\n".join(lines)
        + tail,
        problems,
    )


def _problem_line(row: int, column: str, why: str) -> str:
    if row == 0:
        return f"the file: {why}"
    return f"row {row}, column '{shown(column)}': {why}" if column else f"row {row}: {why}"
