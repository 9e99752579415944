"""Render command results as a table, CSV or JSON, the same way for every command.

A table is for reading: its headings are words (`heading`) and a setting is written out; CSV and
JSON keep the rows' keys and values, a documented contract. Cells may hold imported user text, so
it is printed as text: never read as Rich markup, control characters shown as visible codes, and
CSV cells that a spreadsheet would run as a formula guarded exactly as the web exports guard them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from smartpick.core.lists.request import MATCH_VALUE_RANGE
from smartpick.core.profile.numbers import allowed_range
from smartpick.errors import InvalidInput
from smartpick.export.tables import SETTING_WORDS
from smartpick.plain_text import printable, spreadsheet_text

# Table headings for the machine keys rows carry; any other key is written with spaces, its unit
# suffix in words (`heading`).
HEADINGS = {
    "program_id": "program ID",
    "p_interview": "interview chance",
    "contribution_pp": "chance lost if left out (points)",
    "fee_usd": "fee ($)",
    "effects_csv_rows": "rows of the published-effects table",
    "import_id": "import",
    "file_name": "file",
    "imported_at": "imported",
    "visa_j1": "J-1 visa",
    "pct_non_us_img": "non-US IMG residents",
    "pct_img_any": "IMG residents",
    "pgy1_positions": "PGY-1 positions",
}
_UNITS = (("_usd", " ($)"), ("_pp", " (points)"), ("_pct", " (%)"))
# Columns whose values are machine words, and those values in words.
_CELL_WORDS = {"setting": SETTING_WORDS}


class OutputFormat(StrEnum):
    """The --format choices shared by every command."""

    table = "table"
    csv = "csv"
    json = "json"


FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json")
MATCH_VALUE_OPTION = typer.Option(
    None,
    "--match-value",
    help="What matching this season is worth to you in USD, "
    + allowed_range(*MATCH_VALUE_RANGE, whole=False)
    + " (default: the median 2026 first-year salary); the list stops where one more "
    "application is not worth its fee.",
)


def write_output(path: Path, data: str | bytes) -> None:
    """Write `data` to the file `--output` names (text as UTF-8); an InvalidInput saying why
    when it cannot be written (no such folder, a folder, no permission)."""
    shown = str(path)[-120:]
    if path.is_dir():
        raise InvalidInput(f"output: cannot write {shown}: it is a folder", field="output")
    if not path.parent.is_dir():
        raise InvalidInput(f"output: cannot write {shown}: no such folder", field="output")
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as err:
        why = (err.strerror or type(err).__name__).lower()
        raise InvalidInput(f"output: cannot write {shown}: {why}", field="output") from None


def heading(key: str) -> str:
    """A table column's heading: the row key in words."""
    if key in HEADINGS:
        return HEADINGS[key]
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return heading(key.removesuffix(suffix)) + unit
    return key.replace("_", " ")


def _in_words(column: str, value: Any) -> Any:
    """A table cell's value, in words where its column holds machine words (a setting)."""
    words = _CELL_WORDS.get(column)
    return words.get(value, value) if words and isinstance(value, str) else value


def _cell(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: OutputFormat,
    *,
    document: Any = None,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Print rows. JSON prints `document` when given (the documented contract), else the rows."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(rows if document is None else document, indent=2, default=str))
        return
    cols = list(columns or (rows[0].keys() if rows else []))
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _csv_cell(row.get(c)) for c in cols})
        typer.echo(buf.getvalue(), nl=False)
        return
    # Imported here: Rich costs every command's start (`serve` included) about 50 ms of CPU.
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def literal(value: str) -> Text:  # `[/]` or `[link=…]` stay characters, not Rich markup
        return Text(printable(value))

    table = Table(title=literal(title) if title else None, show_lines=False)
    for c in cols:
        table.add_column(literal(heading(c)))
    for row in rows:
        table.add_row(*(literal(_cell(_in_words(c, row.get(c)))) for c in cols))
    Console(width=200).print(table)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    flat = _flat(value)
    return spreadsheet_text(printable(flat) if isinstance(flat, str) else flat)


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return value
