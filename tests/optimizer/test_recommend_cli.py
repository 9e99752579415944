"""`smartpick recommend` through the real CLI."""

from __future__ import annotations

import csv
import inspect
import io
import json

import openpyxl
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
    assert "budget_usd" in result.output
    bad = runner.invoke(app, ["recommend", "-p", GUIDE, "--prefer", "galaxy:far=1"])
    assert bad.exit_code == 2 and "--prefer" in bad.output


def test_every_option_is_documented() -> None:
    doc = (PROFILES.parents[1] / "docs" / "optimizer.md").read_text("utf-8")
    assert "smartpick recommend --profile FILE" in doc
    command = next(c for c in app.registered_commands if c.name == "recommend")
    for parameter in inspect.signature(command.callback).parameters.values():
        names = [n for n in parameter.default.param_decls if n.startswith("--")]
        assert any(name in doc for name in names), names
