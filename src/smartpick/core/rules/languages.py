"""Where the patients' language is part of the job: Puerto Rico's programs work in Spanish.

Evidence: a Puerto Rico Internal Medicine program states "We required candidates to be fluent in
Spanish language due to the population that we serve" (FREIDA 2025, program 1404221397). No
source states it for every Puerto Rico program, so SmartPick does not exclude them: it says so
beside a list that holds them for an applicant whose profile lists no Spanish.
"""

from __future__ import annotations

from collections.abc import Iterable

from smartpick.core.profile import ApplicantProfile

SPANISH_PLACES = {"PR": "Puerto Rico"}
SOURCE = "FREIDA 2025"


def language_note(profile: ApplicantProfile, states: Iterable[str | None]) -> str | None:
    """A plain note when listed programs (given by state) work in a language the applicant did
    not list, or None."""
    if any(lang.strip().lower() == "spanish" for lang in profile.languages):
        return None
    counted = [s for s in states if s in SPANISH_PLACES]
    if not counted:
        return None
    n = len(counted)
    where = " and ".join(sorted({SPANISH_PLACES[s] for s in counted}))
    return (
        f"{n} program{'s' if n != 1 else ''} on your list {'are' if n != 1 else 'is'} in "
        f"{where}, where patients speak Spanish and programs can require fluent Spanish (a "
        f"{where} program states it, {SOURCE}). Your profile lists no Spanish: keep "
        f"{'them' if n != 1 else 'it'} only if you speak it, or drop {'them' if n != 1 else 'it'}"
        " from your list."
    )
