"""Imported notes reach the terminal and CSV output as text: no markup, escapes or formulas."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from smartpick.export import tables
from smartpick.plain_text import spreadsheet_text

ANES = "0401621040"
SMARTPICK = str(Path(sys.executable).parent / "smartpick")
MARKUP = "[/] [bold red]VERIFIED BY NRMP[/bold red] [link=http://evil.example]official site[/link]"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _smartpick(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # FORCE_COLOR makes Rich render as it would on a real terminal (where markup would apply).
    env = {**os.environ, "SMARTPICK_HOME": str(home), "FORCE_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [SMARTPICK, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("text_home")
    notes = home / "notes.csv"
    with notes.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["program_id", "notes"], [ANES, MARKUP]])
    done = _smartpick(home, "catalog", "import", str(notes))
    assert done.returncode == 0, done.stderr
    return home


def test_markup_in_a_note_is_printed_literally(home: Path) -> None:
    done = _smartpick(home, "programs", "show", ANES)
    assert done.returncode == 0, done.stderr  # `[/]` used to crash with a MarkupError
    assert "[/]" in done.stdout and "[bold red]VERIFIED" in done.stdout
    assert "[link=http://evil.example]" in done.stdout
    assert "\x1b]8;" not in done.stdout  # no OSC-8 hyperlink forged in the terminal
    assert "\x1b[1;31m" not in done.stdout  # nor bold red text


def test_escape_codes_already_in_a_store_are_shown_not_run(tmp_path: Path) -> None:
    # A store written before control characters were refused at import.
    home = tmp_path / "old_home"
    notes = tmp_path / "n.csv"
    notes.write_text(f"program_id,notes\n{ANES},placeholder\n", encoding="utf-8")
    assert _smartpick(home, "catalog", "import", str(notes)).returncode == 0
    with sqlite3.connect(home / "user_catalog.sqlite") as conn:
        conn.execute(
            "UPDATE user_facts SET value = ? WHERE field = 'notes'",
            (json.dumps("\x1b[2J\x1b[31mcleared\x07"),),
        )
    conn.close()
    shown = _smartpick(home, "programs", "show", ANES)
    assert shown.returncode == 0, shown.stderr
    assert "<U+001B>[2J<U+001B>[31mcleared<U+0007>" in shown.stdout
    assert "\x1b[2J" not in shown.stdout and "\x07" not in shown.stdout
    as_csv = _smartpick(home, "programs", "show", ANES, "--format", "csv")
    assert "\x1b" not in as_csv.stdout


def test_csv_output_guards_formula_like_text_like_the_web_exports(tmp_path: Path) -> None:
    home = tmp_path / "home"
    notes = tmp_path / "f.csv"
    with notes.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["program_id", "notes"], [ANES, FORMULA]])
    assert _smartpick(home, "catalog", "import", str(notes)).returncode == 0
    done = _smartpick(home, "programs", "show", ANES, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = {r["field"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert rows["Your notes"]["value"] == "'" + FORMULA
    # JSON keeps the value exactly (it is data, not a spreadsheet cell).
    doc = json.loads(_smartpick(home, "programs", "show", ANES, "--format", "json").stdout)
    assert doc["fields"]["notes"]["value"] == FORMULA


def test_one_formula_guard_for_cli_and_web_exports() -> None:
    assert tables._safe_text is spreadsheet_text
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_text(text) == "'" + text
    assert spreadsheet_text("Mercy Hospital") == "Mercy Hospital" and spreadsheet_text(5) == 5
