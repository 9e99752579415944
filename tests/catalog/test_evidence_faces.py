"""The 2026 interview evidence on the command line: `programs show` in plain words, `programs
search` filtered and sorted by the 2026 non-US IMG interview rate, states by name or code."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from smartpick.catalog.evidence import evidence_lines, invited_sentence
from smartpick.cli import app
from smartpick.service.catalog import open_catalog

runner = CliRunner()
NE_GEORGIA = "1401200932C"  # invited 0% of 2,872 non-US IMG applicants in 2026


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _search(*args: str) -> dict:
    return json.loads(_run("programs", "search", *args, "--format", "json"))


def test_show_says_what_the_program_did_in_2026_in_plain_words() -> None:
    doc = json.loads(_run("programs", "show", NE_GEORGIA, "--format", "json"))
    evidence = doc["interview_evidence"]
    assert evidence["source"] == "AAMC Residency Explorer, 2026 cycle" and evidence["year"] == 2026
    assert evidence["by_type"]["non_us_img"] == {"rate": 0.0, "applicants": 2872}
    lines = {line["label"]: line["text"] for line in evidence["lines"]}
    assert lines["Non-US IMGs invited"].startswith(
        "Invited 0% of 2,872 non-US IMG applicants to interview in 2026"
    )
    assert "under 0.5%" in lines["Non-US IMGs invited"]
    assert "gold signal: 36% of 108" in lines["By signal"]
    assert "failed it at least once: 4% of 251" in lines["By failed attempt, Step 2 CK"]
    assert "matched the program: 9% of 2,728" in lines["By geographic preference"]
    assert lines["Step 2 CK of those invited"].startswith("non-US IMGs: 227 to 258")
    assert lines["Positions"] == "20 offered, 20 filled in the 2026 Main Match"
    # The older source's value stays as a conflict, as before.
    share = doc["fields"]["pct_non_us_img"]
    assert share["year"] == 2026 and share["conflicts"][0]["year"] == 2021
    table = _run("programs", "show", NE_GEORGIA)
    assert "2,872" in table and "AAMC Residency Explorer, 2026 cycle" in table


def test_a_program_without_2026_data_has_no_evidence_block() -> None:
    psych = open_catalog().search(specialty="Psychiatry", limit=1)[0]
    doc = json.loads(_run("programs", "show", psych.id, "--format", "json"))
    assert doc["interview_evidence"] is None
    assert invited_sentence(psych) is None


def test_search_sorts_by_the_2026_rate_best_first_unknown_last() -> None:
    doc = _search(
        "--specialty", "Family Medicine", "--sort", "nonus_img_interview_rate", "--limit", "800"
    )
    rates = [p["nonus_img_interview_rate"] for p in doc["programs"]]
    known = [r for r in rates if r is not None]
    assert known == sorted(known, reverse=True) and known[0] > known[-1]
    assert rates[: len(known)] == known  # every unknown after every known rate
    ascending = _search(
        "--specialty", "Family Medicine", "--sort", "nonus_img_interview_rate", "--order", "asc"
    )
    assert ascending["programs"][0]["nonus_img_interview_rate"] == min(known)


def test_search_filters_by_the_2026_rate_and_takes_a_state_name() -> None:
    doc = _search("--specialty", "Internal Medicine", "--min-nonus-img-interview", "5")
    assert doc["total"] > 0
    assert all(p["nonus_img_interview_rate"] >= 0.05 for p in doc["programs"])
    by_name, by_code = _search("--state", "texas"), _search("--state", "TX")
    assert by_name == by_code and by_name["total"] > 0
    bad = runner.invoke(app, ["programs", "search", "--state", "Atlantis"])
    assert bad.exit_code == 2 and "Texas" in bad.output and "TX" in bad.output
    bad_sort = runner.invoke(app, ["programs", "search", "--sort", "fame"])
    assert bad_sort.exit_code == 2 and "nonus_img_interview_rate" in bad_sort.output


def test_every_evidence_line_names_no_internal_key() -> None:
    catalog = open_catalog()
    for program in catalog.programs("Internal Medicine")[:200]:
        if program.interview_evidence is None:
            continue
        for line in evidence_lines(program.interview_evidence):
            assert "_" not in line.text and "None" not in line.text, line
