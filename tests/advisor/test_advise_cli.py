"""`smartpick advise` and `smartpick whatif`, and the PDF, through the real CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.export.pdf import plan_pdf
from smartpick.service.advise import advise
from smartpick.testing import EXAMPLES as PROFILES
from smartpick.testing import pdf_text_core_font as _pdf_text_core_font
from smartpick.testing import reference_profile

runner = CliRunner()


def test_whatif_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "whatif",
            "--profile",
            str(PROFILES / "guide-sample.toml"),
            "--set",
            "step3=235",
            "--set",
            "usce_months=4",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["changes"] == {"step3": 235, "usce_months": 4}
    assert doc["runs"] == 2
    assert doc["delta"]["p_match"]["point"] > 0
    assert doc["changed"]["p_match"]["point"] > doc["baseline"]["p_match"]["point"]


def test_whatif_table_and_errors() -> None:
    ok = runner.invoke(
        app,
        ["whatif", "-p", str(PROFILES / "strong-img.toml"), "--set", "count=10"],
    )
    assert ok.exit_code == 0, ok.output
    assert "chance of matching" in ok.stdout and "│ fees " in ok.stdout
    assert "USD" not in ok.stdout and re.search(r"\$\d{1,3}(,\d{3})*\b", ok.stdout)
    assert "What if: 10 applications" in ok.stdout
    # chances as whole percentages and offers to one decimal, as the page and `recommend` write
    # them (it printed "28.0% (24.6%-32.7%)" and "1.82 (1.53-2.18)")
    assert re.search(r"│ chance of matching +│ \d+% \(likely \d+-\d+%\)", ok.stdout), ok.stdout
    assert re.search(r"offers +│ \d+\.\d \(likely \d+\.\d-\d+\.\d\)", ok.stdout), ok.stdout
    bad = runner.invoke(app, ["whatif", "-p", str(PROFILES / "strong-img.toml"), "--set", "x"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output
    unknown = runner.invoke(
        app, ["whatif", "-p", str(PROFILES / "strong-img.toml"), "--set", "step9=1"]
    )
    assert unknown.exit_code == 2 and "not a what-if key" in unknown.output
    missing = runner.invoke(app, ["whatif", "-p", "nope.toml", "--set", "step3=230"])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_advise_table_and_json(tmp_path: Path) -> None:
    table = runner.invoke(app, ["advise", "-p", str(PROFILES / "strong-img.toml")])
    assert table.exit_code == 0, table.output
    assert "Where you stand" in table.stdout and "Step 2 CK 256" in table.stdout
    assert "Timeline" in table.stdout
    out = tmp_path / "plan.json"
    result = runner.invoke(
        app,
        ["advise", "-p", str(PROFILES / "strong-img.toml"), "-f", "json", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["profile_name"] == "strong-img"
    assert {s["id"] for s in doc["steps"]} >= {"volume_mix", "interview"}


def test_advise_writes_money_as_every_face_does() -> None:
    """Dollars as the page and the PDF write them ("$4,610", a change "+$1,020"), never "USD"."""
    table = runner.invoke(app, ["advise", "-p", str(PROFILES / "guide-sample.toml")])
    assert table.exit_code == 0, table.output
    assert "USD" not in table.stdout
    assert re.search(r"programs, \$\d,\d{3}\n", table.stdout), table.stdout
    assert re.search(r"│ [+-]\$\d{1,3}(,\d{3})* +│", table.stdout), table.stdout


def _words(value: object) -> list[str]:
    """Every text in a plan's JSON (program ids left out: they are not counts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [w for k, v in value.items() if k != "program_id" for w in _words(v)]
    if isinstance(value, list):
        return [w for v in value for w in _words(v)]
    return []


# a count of four digits or more written without its thousands separator
_BARE_COUNT = re.compile(r"(?<![\d,.$])\d{4,}\b")


@pytest.mark.parametrize(
    "name",
    ["guide-sample", "low-score-late", "psych-img", "strong-img", "average-img", "us-img-fm"],
)
def test_the_plans_counts_have_thousands_separators(name: str, catalog) -> None:
    """low-score-late's flags said "these 1509 programs"; every count reads "1,509", in the
    plan's words, the advise table and the PDF (program ids and years are not counts)."""
    plan = advise(reference_profile(name), catalog=catalog)
    texts = [*_words(plan.to_dict()), _pdf_text_core_font(plan_pdf(plan, unicode_font=False))]
    bare = [
        m.group(0)
        for text in texts
        for m in _BARE_COUNT.finditer(text)
        if not 1900 <= int(m.group(0)) <= 2100 and not re.match(r"\d{10}", m.group(0))
    ]
    assert not bare, bare
    if name == "low-score-late":
        assert any("these 1,509 programs" in t for t in texts)
        table = runner.invoke(app, ["advise", "-p", str(PROFILES / f"{name}.toml")]).stdout
        assert "1,509" in table and "1509" not in table


def test_advise_pdf(tmp_path: Path) -> None:
    out = tmp_path / "plan.pdf"
    result = runner.invoke(
        app,
        ["advise", "-p", str(PROFILES / "strong-img.toml"), "-f", "pdf", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Where you stand" in text and "Recommended list" in text
        assert "Step 2 CK 256" in text
    no_output = runner.invoke(app, ["advise", "-p", str(PROFILES / "strong-img.toml"), "-f", "pdf"])
    assert no_output.exit_code == 2 and "--output" in no_output.output


def test_pdf_text_with_the_core_font(guide_sample_run) -> None:
    plan, _ = guide_sample_run
    doc = plan.to_dict()
    data = plan_pdf(plan, unicode_font=False)
    assert data.startswith(b"%PDF-")
    text = _pdf_text_core_font(data)
    assert "Where you stand" in text
    assert "The plan" in text and "Timeline" in text
    step3 = next(s for s in doc["steps"] if s["id"] == "step3")
    assert step3["title"] in text
    assert "Priced by re-running the model" in text
    first = doc["recommended"][0]["name"]
    assert first.encode("latin-1", "ignore").decode("latin-1")[:20] in text


def test_whatif_and_advise_take_the_value_of_a_match() -> None:
    """The value of a match sets where the lists stop in every command that builds one: a lower
    value gives a shorter baseline list; a value out of range names the option's field."""
    guide = str(PROFILES / "guide-sample.toml")
    lengths = []
    for value in ("5000", "66691"):
        result = runner.invoke(
            app,
            ["whatif", "-p", guide, "-s", "step3=235", "--match-value", value, "-f", "json"],
        )
        assert result.exit_code == 0, result.output
        lengths.append(json.loads(result.stdout)["baseline"]["programs"])
    assert lengths[0] < lengths[1]
    bad = runner.invoke(app, ["advise", "-p", guide, "--match-value", "5", "--format", "json"])
    assert bad.exit_code != 0
    assert "--match-value" in bad.output and "100" in bad.output  # the option the user typed


def test_a_plan_without_a_stopping_point_says_every_application_pays() -> None:
    """psych-img: every Psychiatry program it can apply to is worth its fee, so the plan's volume
    step sends them all and the PDF's curve names no point where applications stop paying."""
    plan = advise(reference_profile("psych-img").model_copy(update={"budget_usd": None}))
    assert plan.stop_at_applications is None
    volume = next(s for s in plan.steps if s.id == "volume_mix")
    assert volume.details["rule_count"] == len(plan.recommended) == plan.curve[-1].applications
    text = _pdf_text_core_font(plan_pdf(plan, unicode_font=False))
    assert "Every application on the curve is worth its fee" in text
    assert "stops being worth" not in text
