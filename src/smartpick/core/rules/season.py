"""The application season: which Match a new applicant can still enter, and its ERAS dates.

The ERAS season is named after its Match: the 2026 ERAS season "starts in June 2025" (AAMC, "Fees
for 2026 ERAS Season") and ends with the Match in March 2026. Applicants can register from June,
and programs start reviewing applications in the last week of September; applying later than that
week puts an applicant behind most of the pool, so from then on a new applicant's season is the
next one. On 2026-11-30, a new user applies in the season that opens in June 2027: the 2028 Match.

Fees, signals, the list and the plan's timeline all read the season from the profile's Match year
through this module.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

ERAS_OPENS = (6, 1)  # (month, day): applicants can register and start applications
PROGRAMS_REVIEW_FROM = (9, 24)  # about when programs start reviewing (last week of September)
MATCH_DAY_MONTH = 3  # the Match is in March of the Match year
# Months from the opening in June to the programs' review (late September): a season opened that
# many months ago or fewer still takes a new application.
MONTHS_OPEN_BEFORE_REVIEW = PROGRAMS_REVIEW_FROM[0] - ERAS_OPENS[0]
# Months from the opening to the interviews (from the programs' review) and to the last month
# before the Match (February), when the interviews end.
INTERVIEW_MONTHS = (MONTHS_OPEN_BEFORE_REVIEW, 12 + MATCH_DAY_MONTH - 1 - ERAS_OPENS[0])


@dataclass(frozen=True)
class Season:
    """The ERAS season of one Match year, with its key dates."""

    match_year: int

    @property
    def eras_opens(self) -> _dt.date:
        """When applicants can start (June of the year before the Match)."""
        return _dt.date(self.match_year - 1, *ERAS_OPENS)

    @property
    def programs_review_from(self) -> _dt.date:
        """When programs start reading applications (late September before the Match)."""
        return _dt.date(self.match_year - 1, *PROGRAMS_REVIEW_FROM)

    def has_opened(self, today: _dt.date) -> bool:
        """True once applicants can apply in this season."""
        return today >= self.eras_opens

    def opened_words(self, today: _dt.date) -> str | None:
        """The one wording of a season already open ("The ERAS season for the 2027 Match opened
        in June 2026"), or None before it opens: the plan, the results page, the CLI summary and
        the fee note say it in these words."""
        if not self.has_opened(today):
            return None
        return f"The ERAS season for the {self.match_year} Match opened in {self.eras_opens:%B %Y}"

    def under_way_note(self, today: _dt.date) -> str | None:
        """What a list for a season already open must say: it is under way and, once programs
        review applications, one sent now reaches them after most others (the chances do not
        count when an application is sent). None before the season opens."""
        opened = self.opened_words(today)
        if opened is None:
            return None
        review = f"late {self.programs_review_from:%B %Y}"
        if today < self.programs_review_from:
            return f"{opened} and is under way: programs start reviewing applications in {review}."
        return (
            f"{opened} and is under way: programs began reviewing applications in {review}, so "
            "applications sent now reach them after most others, which these chances do not "
            f"take into account. The {default_match_year(today)} Match is the next season you "
            "can enter from its start."
        )

    def months_to_opening(self, today: _dt.date) -> int:
        """Whole months from today to the ERAS opening (0 once it has opened)."""
        return max(0, self.months_from_opening(today))

    def months_from_opening(self, today: _dt.date) -> int:
        """Whole months from today to the ERAS opening, negative once it has opened (minus the
        months since): the plan's timeline counts the following season from it."""
        opening = self.eras_opens
        return (opening.year - today.year) * 12 + opening.month - today.month


def default_match_year(today: _dt.date | None = None) -> int:
    """The Match a new applicant can still enter today: the next season until programs start
    reviewing applications, then the one after."""
    today = today or _dt.date.today()
    review = _dt.date(today.year, *PROGRAMS_REVIEW_FROM)
    return today.year + 1 if today < review else today.year + 2


FIRST_MATCH_YEAR = 2024  # the first season of the bundled ERAS fees (a test ties the two)
YEARS_AHEAD = 4  # how far past the season now open a profile may plan


def match_year_range(today: _dt.date | None = None) -> tuple[int, int]:
    """The Match years a profile may name: from the first season with known fees to a few years
    past the one a new applicant can enter today (the form, its live check and the profile all
    use this one range)."""
    return FIRST_MATCH_YEAR, default_match_year(today) + YEARS_AHEAD
