"""A commented example profile: the guide's sample applicant, as TOML a user can edit."""

from __future__ import annotations

import datetime as _dt

from smartpick.core.rules.season import default_match_year

_EXAMPLE = """\
# SmartPick applicant profile (TOML). The guide's sample applicant:
# a non-US IMG with Step 1 209, Step 2 CK 224, no Step 3, aiming at Internal Medicine,
# with limited US clinical experience, who needs a J-1 visa.
# Fields you leave out take the default shown in `smartpick profile schema`.

name = "guide-sample"
applicant_type = "non_us_img"   # non_us_img | us_img (US-citizen IMG) | us_md | us_do
visa = "j1"                     # none | j1 | h1b | either (J-1 or H-1B)

step1 = 209                     # a score 1-300, "pass", or "fail_then_pass"
step1_attempts = 1              # 2 or more means a failed attempt (a red flag)
step2ck = 224                   # 1-300
step2ck_attempts = 1
# step2ck_date = "2025-03"      # when you took it (YYYY-MM): decides the passing score
# step3 = 232                   # leave out when Step 3 is not taken

match_year = {match_year}               # the Match you apply to (default: the next season you can enter)
graduation_year = {graduation_year}          # not after match_year

# US letters of recommendation, and how many come from each specialty.
us_letters = 1
us_letters_by_specialty = { "Internal Medicine" = 1 }

# Research output
abstracts = 0
posters = 0
publications = 0
research_months = 0

languages = []                  # besides English, e.g. ["Spanish"]
specialties = ["Internal Medicine"]
preferred_regions = []          # Northeast | Midwest | South | West
preferred_states = []           # two-letter codes, e.g. ["OH", "MI"]
ties_states = []                # states of residence, family or other ties
# budget_usd = 1500             # application fee budget

# US clinical experience: one block per rotation. kind = "hands_on" or "observership".
[[usce]]
months = 1
kind = "observership"
institution = "a community hospital"
specialty = "Internal Medicine"
"""


def example_profile_toml(today: _dt.date | None = None) -> str:
    """A commented example profile (the guide's sample applicant) as TOML text, applying to the
    Match a new applicant can still enter today."""
    match_year = default_match_year(today)
    return _EXAMPLE.replace("{match_year}", str(match_year)).replace(
        "{graduation_year}", str(match_year - 2)
    )
