"""An empty list says its true cause on every face: no program open to the applicant (the
commonest stated rules named), or the list's filters (named). It said 'Even the first application
is not worth its fee if a match is worth $66,691 to you', against the page's own banner."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.core.profile import ApplicantProfile
from smartpick.service.recommend import recommend
from smartpick.testing import reference_profile

WRONG = "Even the first application"
AVERAGE = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "average-img.toml"


def _changed(name: str, **changes: object) -> ApplicantProfile:
    profile = reference_profile(name)
    return ApplicantProfile.model_validate(profile.model_dump() | changes)


def test_no_program_open_names_the_rules(catalog) -> None:
    for profile in (
        _changed("average-img", visa="h1b", step3=None),
        _changed("strong-img", step3=190),
    ):
        rec = recommend(profile, catalog=catalog)
        assert not rec.programs and rec.candidates == 0
        first = rec.how_many.lines[0]
        assert first.startswith("No program is open to you"), first
        assert f"each of the {rec.not_eligible} " in first and "H-1B" in first
        assert not any(WRONG in line for line in rec.how_many.lines)


def test_filters_that_leave_none_are_named_on_every_face(catalog, tmp_path) -> None:
    rec = recommend(reference_profile("average-img"), states=["WY"], catalog=catalog)
    assert not rec.programs
    first = rec.how_many.lines[0]
    assert "your filters leave none" in first and "only in WY" in first, first
    assert f"{rec.filtered_out} Internal Medicine programs are open to you" in first
    assert not any(WRONG in line for line in rec.how_many.lines)
    out = CliRunner().invoke(app, ["recommend", "-p", str(AVERAGE), "--state", "WY"])
    assert out.exit_code == 0, out.output
    assert first in out.output and WRONG not in out.output


def test_the_page_says_the_same_cause_as_the_list(client) -> None:
    query = (
        "specialties=Internal+Medicine&visa=h1b&step1=pass&step2ck=238"
        "&match_year=2028&graduation_year=2025"
    )
    page = client.get("/results?" + query)
    assert page.status_code == 200, page.text
    lines = client.get("/api/results?" + query).json()["recommendation"]["how_many"]["lines"]
    assert lines[0].startswith("No program is open to you")
    notice = page.text.split('id="empty-list"', 1)[1].split("</div>", 1)[0]
    assert "No program is open to you" in notice and WRONG not in page.text
