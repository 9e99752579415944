"""`smartpick recommend` through the real CLI."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re

import openpyxl
import pytest
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.testing import EXAMPLES as PROFILES

runner = CliRunner()
GUIDE = str(PROFILES / "guide-sample.toml")


def test_json_is_the_contract() -> None:
    result = runner.invoke(app, ["recommend", "--profile", GUIDE, "--budget", "600", "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"totals", "programs", "curve", "stopping", "signals", "notes"} <= doc.keys()
    assert doc["totals"]["fees_usd"] <= 600


def test_table_csv_and_xlsx(tmp_path) -> None:
    table = runner.invoke(app, ["recommend", "-p", GUIDE, "--count", "20"])
    assert table.exit_code == 0, table.output
    assert "Your chance of matching with this list" in table.stdout
    assert "How many programs:" in table.stdout and "P(match)" not in table.stdout
    out = runner.invoke(app, ["recommend", "-p", GUIDE, "--count", "20", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 20
    path = tmp_path / "list.xlsx"
    done = runner.invoke(
        app, ["recommend", "-p", GUIDE, "--count", "20", "-f", "xlsx", "-o", str(path)]
    )
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(path)["List"].max_row == 21


def test_bad_input_is_a_clear_error() -> None:
    result = runner.invoke(app, ["recommend", "-p", GUIDE, "--budget", "-1"])
    assert result.exit_code == 2
    assert "--budget must be a number from 0 to 100000; got -1" in result.output
    bad = runner.invoke(app, ["recommend", "-p", GUIDE, "--prefer", "galaxy:far=1"])
    assert bad.exit_code == 2 and "--prefer" in bad.output


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--include", "XYZ"], "error: --include: no program 'XYZ' in the catalog"),
        (
            ["--prefer", "region:Midwest=2"],
            "error: --prefer: 'Midwest' must be a number from 0 to 1",
        ),
        (["--state", "ZZ"], "error: --state: 'ZZ' is not a US state code. Allowed: AK"),
        (["--exclude-state", "ZZ"], "error: --exclude-state: 'ZZ' is not a US state code"),
        (["--setting", "xyz"], "error: --setting: 'xyz' is not a program setting. Allowed:"),
        (["--match-value", "1"], "error: --match-value must be a number from 100 to 500000"),
        (["--track", "xyz"], "error: --track: xyz — allowed: categorical"),
    ],
)
def test_errors_name_the_option_the_user_typed(options: list[str], said: str) -> None:
    """The service's field names (must_include, preferences.regions.Midwest, states...) are the
    command's options on the command line, with the allowed values."""
    result = runner.invoke(app, ["recommend", "-p", GUIDE, *options])
    assert result.exit_code == 2 and said in result.output, result.output


def test_a_profile_files_errors_name_the_option_or_the_files_own_key(tmp_path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("step2ck = [\n", encoding="utf-8")
    result = runner.invoke(app, ["recommend", "-p", str(broken)])
    assert "error: --profile: 'broken.toml' is not valid TOML" in result.output
    # a field of the file keeps the file's own key, even where an option stands in for it
    head = 'specialties = ["Internal Medicine"]\nmatch_year = 2027\n'
    for body, said in (
        ("graduation_year = 2099\n", "graduation_year: 2099 is after the Match year; allowed 1950"),
        (
            "graduation_year = 2020\nbudget_usd = -1\n",
            "budget_usd: must be a number from 0 to 100000; got -1",
        ),
    ):
        path = tmp_path / "mine.toml"
        path.write_text(head + body, encoding="utf-8")
        output = runner.invoke(app, ["recommend", "-p", str(path)]).output
        assert said in output and "--budget" not in output, output


def test_the_table_has_headings_in_words_and_a_specialty_column_for_two() -> None:
    """Two specialties (low-score-late: IM and FM): a specialty column, since the same program
    name is on the list once per specialty; Family Medicine's one kind of signal is a "signal"."""
    late = str(PROFILES / "low-score-late.toml")
    table = runner.invoke(app, ["recommend", "-p", late])
    assert table.exit_code == 0, table.output
    headings = _headings(table.stdout)
    assert headings[:4] == ["rank", "program ID", "name", "specialty"]
    assert {"interview chance", "fee ($)", "chance lost if left out (points)"} <= set(headings)
    assert not [h for h in headings if "_" in h]
    rows = [line.split("│") for line in table.stdout.splitlines() if line.startswith("│ ")]
    cells = [[c.strip() for c in row[1:-1]] for row in rows if row[1].strip()]
    fm = [row for row in cells if row[3] == "Family Medicine"]
    assert fm and {row[8] for row in fm} <= {"signal", "none"} and "signal" in {r[8] for r in fm}
    assert "university_affiliated_community" not in table.stdout
    # one decimal down the whole column, as the page says it ("1.4" and "0.913" were mixed)
    lost = [row[-1] for row in cells]
    assert lost and all(re.fullmatch(r"\d+\.\d", c) for c in lost), lost
    assert "Signals, Family Medicine: 5 of 5 used (" in table.stdout
    assert "Signals, Internal Medicine: 3 of 3 gold and 12 of 12 silver used (" in table.stdout
    one = runner.invoke(app, ["recommend", "-p", GUIDE, "--count", "5"])
    assert "specialty" not in _headings(one.stdout)


@pytest.mark.parametrize("command", [["assumptions"], ["catalog", "stats"], ["catalog", "imports"]])
def test_other_tables_have_headings_in_words(command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    headings = _headings(result.stdout)
    assert headings and not [h for h in headings if "_" in h], headings


def _headings(table: str) -> list[str]:
    """A Rich table's column headings (a heading wrapped over lines is joined)."""
    lines = [line.split("┃")[1:-1] for line in table.splitlines() if line.startswith("┃")]
    return [" ".join(part.strip() for part in parts).strip() for parts in zip(*lines, strict=True)]


def test_every_option_is_documented() -> None:
    doc = (PROFILES.parents[1] / "docs" / "optimizer.md").read_text("utf-8")
    assert "smartpick recommend --profile FILE" in doc
    command = next(c for c in app.registered_commands if c.name == "recommend")
    for parameter in inspect.signature(command.callback).parameters.values():
        names = [n for n in parameter.default.param_decls if n.startswith("--")]
        assert any(name in doc for name in names), names


def test_the_summary_writes_chances_and_dollars_as_the_other_faces_do() -> None:
    """Whole percentages and thousands separators, as the page and the plan write them (it
    printed "28.0% (likely 24.9-32.6%)" and "$4610")."""
    out = runner.invoke(app, ["recommend", "-p", GUIDE]).output
    doc = json.loads(runner.invoke(app, ["recommend", "-p", GUIDE, "-f", "json"]).output)
    p = doc["totals"]["p_match"]
    chance = f"{100 * p['point']:.0f}% (likely {100 * p['low']:.0f}-{100 * p['high']:.0f}%)"
    assert f"Your chance of matching with this list: {chance}" in out
    assert f"fees: ${doc['totals']['fees_usd']:,} " in out
