"""`smartpick profile`, `smartpick chances` and `smartpick calibration` through the real CLI app."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.core.profile import profile_from_dict

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
runner = CliRunner()


def test_profile_example_and_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["profile", "example"])
    assert result.exit_code == 0
    profile = profile_from_dict(tomllib.loads(result.output))
    assert profile.step2ck == 224 and profile.visa == "j1"
    out = tmp_path / "me.toml"
    assert runner.invoke(app, ["profile", "example", "-o", str(out)]).exit_code == 0
    assert runner.invoke(app, ["profile", "example", "-o", str(out)]).exit_code == 2
    assert runner.invoke(app, ["profile", "check", str(out)]).exit_code == 0
    schema = json.loads(runner.invoke(app, ["profile", "schema"]).output)
    assert schema["properties"]["step2ck"]["anyOf"][0]["maximum"] == 300


def test_profile_check_names_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('graduation_year = 2020\nspecialties = ["Internal Medicin"]\nstep2ck = 400\n')
    result = runner.invoke(app, ["profile", "check", str(bad)])
    assert result.exit_code == 2
    assert "step2ck: must be a whole number from 1 to 300; got 400" in result.output
    assert "Did you mean 'Internal Medicine'" in result.output


def test_profile_check_names_the_usce_block(tmp_path: Path) -> None:
    """A file with several [[usce]] blocks: the error says which block, counted from 1."""
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'graduation_year = 2020\nspecialties = ["Internal Medicine"]\n'
        '[[usce]]\nmonths = 3\nkind = "hands_on"\n[[usce]]\nmonths = 200\nkind = "hands_on"\n'
    )
    result = runner.invoke(app, ["profile", "check", str(bad)])
    assert result.exit_code == 2
    words = "US clinical experience, block 2: months must be a number from 0 to 120; got 200"
    assert words in result.output
    assert "usce[" not in result.output


def test_chances_json() -> None:
    result = runner.invoke(
        app,
        ["chances", "-p", str(PROFILES / "guide-sample.toml"), "--top", "5", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["specialties"] == ["Internal Medicine"] and len(doc["programs"]) == 5
    first = doc["programs"][0]
    assert (
        first["p_interview"]["low"] <= first["p_interview"]["point"] <= first["p_interview"]["high"]
    )
    assert first["reasons"] and doc["excluded"][0]["reasons"]
    points = [p["p_interview"]["point"] for p in doc["programs"]]
    assert points == sorted(points, reverse=True)


def test_chances_csv_and_table() -> None:
    args = ["chances", "-p", str(PROFILES / "psych-img.toml"), "--top", "3"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "P(interview)" in table.output
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, [*args, "-f", "csv"]).output)))
    assert rows[0]["eligible"] == "yes" and "%" in rows[0]["P(interview)"]
    assert any(r["eligible"] == "no" for r in rows)
    assert "specialty" not in rows[0]  # one specialty: no column for it
    both = ["chances", "-p", str(PROFILES / "strong-img.toml"), "--top", "5", "-f", "csv"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, both).output)))
    assert {r["specialty"] for r in rows} == {"Internal Medicine", "Neurology"}


def test_chances_errors() -> None:
    missing = runner.invoke(app, ["chances", "-p", "/nonexistent.toml"])
    assert missing.exit_code == 2 and "profile" in missing.output
    bad_program = runner.invoke(
        app, ["chances", "-p", str(PROFILES / "guide-sample.toml"), "--program", "nope"]
    )
    assert bad_program.exit_code == 2 and "nope" in bad_program.output
    bad_specialty = runner.invoke(
        app, ["chances", "-p", str(PROFILES / "guide-sample.toml"), "-s", "Psychiatri"]
    )
    assert bad_specialty.exit_code == 2 and "Did you mean 'Psychiatry'" in bad_specialty.output


def test_calibration_json_and_table() -> None:
    result = runner.invoke(app, ["calibration", "-f", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    im = next(r for r in doc if r["specialty"] == "Internal Medicine")
    assert set(im["predicted"]["step2ck"]) == {"matched", "not_matched"}
    assert im["published"]["step2ck"]["matched"] == {
        "q1": 240.0,
        "median": 251.0,
        "q3": 259.0,
        "n": 2649,
    }
    assert im["predicted"]["p_match_by_step2ck"][0][0] == 200
    assert im["predicted"]["p_match_by_step2ck_ranked"][0][0] == 200
    assert im["leave_one_out"]["match_rate"] > 0
    table = runner.invoke(app, ["calibration"])
    assert table.exit_code == 0 and "leave-one-specialty-out" in table.output
    assert "Before (model v1, 2021 program proxies): 0.29 pp, 1.48 points" in table.output


def test_calibration_programs_contract() -> None:
    result = runner.invoke(app, ["calibration", "--programs", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["specialty"] for r in rows} == {"Internal Medicine", "Family Medicine"}
    row = next(r for r in rows if r["program_id"] == "1401200932C")
    assert set(row) == {"program_id", "acgme_code", "specialty", "predicted", "published"}
    assert row["acgme_code"] == "1401200932"
    assert set(row["predicted"]) == {"nonus_img_interview_rate", "low", "high"}
    assert row["published"] == {"nonus_img_interview_rate": 0.0, "applicants": 2872, "year": 2026}
    assert any(r["published"] is None for r in rows)
    table = runner.invoke(app, ["calibration", "--programs", "--format", "table"])
    assert table.exit_code == 0 and "1401200932C" in table.output


def test_assumptions_listed() -> None:
    result = runner.invoke(app, ["assumptions", "-f", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    gold = next(r for r in rows if r["key"] == "im_signal_gold")
    assert gold["low"] <= gold["value"] <= gold["high"] and gold["effects_csv_rows"]
    h1b = next(r for r in rows if r["key"] == "h1b_none_listed")
    assert h1b["value"] == pytest.approx(1 / 108, abs=1e-4)
    table = runner.invoke(app, ["assumptions"])
    assert table.exit_code == 0 and "docs/" not in table.output
