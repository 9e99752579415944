"""The command line's input rules: a clear `error:` line naming the option, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.testing import EXAMPLES
from smartpick.web.catalog_filters import CatalogFilters

runner = CliRunner()
AVERAGE = str(EXAMPLES / "average-img.toml")


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["recommend", "-p", AVERAGE, "-f", "csv", "-o", "{missing}/x.csv"], "no such folder"),
        (["recommend", "-p", AVERAGE, "-f", "xlsx", "-o", "{folder}"], "it is a folder"),
        (["advise", "-p", AVERAGE, "-f", "pdf", "-o", "{missing}/x.pdf"], "no such folder"),
        (["advise", "-p", AVERAGE, "-f", "json", "-o", "{missing}/x.json"], "no such folder"),
        (["profile", "example", "-o", "{missing}/x.toml"], "no such folder"),
    ],
)
def test_an_unwritable_output_is_a_clear_error(tmp_path: Path, args: list[str], why: str) -> None:
    names = {"missing": str(tmp_path / "nowhere"), "folder": str(tmp_path)}
    filled = [a.format(**names) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    target = filled[-1]
    assert f"error: --output: cannot write {target}: {why}" in result.output


def test_a_us_citizen_img_with_a_visa_is_rejected(tmp_path: Path) -> None:
    text = (EXAMPLES / "us-img-fm.toml").read_text().replace('visa = "none"', 'visa = "j1"')
    (tmp_path / "p.toml").write_text(text)
    result = runner.invoke(app, ["profile", "check", str(tmp_path / "p.toml")])
    assert result.exit_code == 2 and "needs no visa to train" in result.output


def test_one_application_is_said_in_the_singular_on_the_command_line() -> None:
    result = runner.invoke(app, ["recommend", "-p", AVERAGE, "--count", "1"])
    assert result.exit_code == 0, result.output
    assert "limits the list to 1 program;" in result.output
    assert not re.search(r"(?<![\d,.])1 (applications|programs)\b", result.output)


def test_profile_check_takes_the_file_as_every_command_does(tmp_path: Path) -> None:
    for args in (["-p", AVERAGE], ["--profile", AVERAGE], [AVERAGE]):
        result = runner.invoke(app, ["profile", "check", *args])
        assert result.exit_code == 0 and '"name": "average-img"' in result.output
    folder = runner.invoke(app, ["profile", "check", str(tmp_path)])
    assert folder.exit_code == 2 and f"'{tmp_path}' is a folder" in folder.output


def test_a_json_nan_is_named_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('{"graduation_year": 2020,\n "step2ck": NaN}')
    result = runner.invoke(app, ["profile", "check", "-p", str(tmp_path / "p.json")])
    assert result.exit_code == 2
    assert "has NaN at line 2 column 13; a number must be finite" in result.output


@pytest.mark.parametrize(
    ("args", "opening"),
    [
        (["recommend", "-p", AVERAGE, "--prefer", "state:ZZ=1"], "error: --prefer: 'ZZ'"),
        (["whatif", "-p", AVERAGE, "--set", "budget_usd=inf"], "error: --set budget_usd must"),
    ],
)
def test_an_error_names_the_option_the_value_came_from(args: list[str], opening: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and result.output.startswith(opening), result.output


def test_the_program_search_limits_and_keys_match_the_web() -> None:
    help_text = runner.invoke(app, ["programs", "search", "--help"]).output
    assert "{program_id, name" in " ".join(help_text.split()) and "{id," not in help_text
    assert CatalogFilters.model_fields["min_positions"].metadata[-1].le == 500
    over = runner.invoke(app, ["programs", "search", "--min-positions", "501"])
    assert over.exit_code == 2 and "allowed 0 to 500" in over.output
