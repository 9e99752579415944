"""The command line's input rules: a clear `error:` line naming the option, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.testing import EXAMPLES

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
