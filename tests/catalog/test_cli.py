"""The catalog and programs commands, run through Typer's CliRunner on the real catalog."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from smartpick.cli import app

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_command_has_help() -> None:
    for cmd in (
        ["catalog", "stats"],
        ["catalog", "import"],
        ["programs", "search"],
        ["programs", "show"],
    ):
        out = _run(*cmd, "--help")
        assert "--format" in out


def test_stats_json_shows_650_im_programs_and_all_specialty_tracks() -> None:
    rows = json.loads(_run("catalog", "stats", "--format", "json"))
    assert len(rows) == 26
    im = next(
        r for r in rows if (r["specialty"], r["track"]) == ("Internal Medicine", "categorical")
    )
    assert im["programs"] >= 650
    assert im["visa_j1_years"] == [2021, 2025] and 0 < im["visa_j1_known_pct"] <= 100
    table = _run("catalog", "stats")
    assert "Internal Medicine" in table and "Transitional Year" in table
    lines = list(csv.DictReader(io.StringIO(_run("catalog", "stats", "--format", "csv"))))
    assert len(lines) == 26 and "pct_non_us_img_known_pct" in lines[0]


def test_search_json_contract_and_filters() -> None:
    doc = json.loads(
        _run(
            "programs",
            "search",
            "--specialty",
            "Internal Medicine",
            "--state",
            "TX",
            "--visa",
            "H-1B",
            "--min-positions",
            "10",
            "--format",
            "json",
            "--limit",
            "5",
        )
    )
    assert set(doc) == {"total", "limit", "offset", "programs"}
    assert doc["total"] >= len(doc["programs"]) > 0
    for p in doc["programs"]:
        assert p["state"] == "TX" and p["visa_h1b"] == "yes" and p["pgy1_positions"] >= 10
        assert set(p) == {
            "program_id",
            "name",
            "specialty",
            "track",
            "city",
            "state",
            "setting",
            "pgy1_positions",
            "visa_j1",
            "visa_h1b",
            "pct_non_us_img",
            "pct_non_us_img_year",
            "nonus_img_interview_rate",
            "nonus_img_applicants",
            "interview_evidence_year",
            "website",
        }


def test_search_bad_filter_gives_clear_error() -> None:
    result = runner.invoke(app, ["programs", "search", "--region", "Moon"])
    assert result.exit_code == 2
    assert "region" in result.output and "Northeast" in result.output


def test_show_json_and_table() -> None:
    doc = json.loads(_run("programs", "show", "1405100435C", "--format", "json"))
    assert doc["name"] == "Inova Fairfax Medical Campus Program"
    assert (
        doc["fields"]["pgy1_positions"]["conflicts"][0]["source"] == "AAMC Residency Explorer 2021"
    )
    table = _run("programs", "show", "1405100435C")
    assert "FREIDA 2025" in table
    # the fields as the program page names them, values in words (the JSON keeps its keys)
    assert "First-year (PGY-1) positions" in table and "J-1 visa considered" in table
    assert "pgy1_positions" not in table and "visa_j1" not in table and "True" not in table
    missing = runner.invoke(app, ["programs", "show", "nope"])
    assert missing.exit_code == 2 and "no program" in missing.output


def test_import_command_good_and_bad(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("program_id,min_step2ck\n1405100435C,230\n", encoding="utf-8")
    report = json.loads(_run("catalog", "import", str(good), "--format", "json"))
    assert report["facts"] == 1 and report["columns"] == ["min_step2ck"]
    bad = tmp_path / "bad.csv"
    bad.write_text("program_id,min_step2ck\n1405100435C,900\n", encoding="utf-8")
    result = runner.invoke(app, ["catalog", "import", str(bad)])
    assert result.exit_code == 2
    assert "row 2, column 'min_step2ck'" in result.output


def test_imports_forget_and_report_commands(tmp_path: Path) -> None:
    f = tmp_path / "undo.csv"
    f.write_text("program_id,notes\n0401621040,check later\n", encoding="utf-8")
    done = json.loads(_run("catalog", "import", str(f), "--format", "json"))
    listed = json.loads(_run("catalog", "imports", "--format", "json"))
    assert done["import_id"] in [i["import_id"] for i in listed]
    gone = json.loads(_run("catalog", "forget", str(done["import_id"]), "--format", "json"))
    assert gone == {"import_id": done["import_id"], "facts_removed": 1}
    again = runner.invoke(app, ["catalog", "forget", str(done["import_id"])])
    assert again.exit_code == 2 and "no import" in again.output
    report = json.loads(_run("catalog", "report", "--format", "json"))
    assert report["internal_medicine_categorical"]["matched_by_code"] == 525
    assert "matched_by_name" in _run("catalog", "report")


def test_every_catalog_command_is_documented() -> None:
    from smartpick.cli.catalog_cmd import catalog_app, programs_app

    doc = (Path(__file__).resolve().parents[2] / "docs" / "catalog.md").read_text("utf-8")
    for group, sub in (("catalog", catalog_app), ("programs", programs_app)):
        for command in sub.registered_commands:
            assert f"smartpick {group} {command.name}" in doc, command.name
