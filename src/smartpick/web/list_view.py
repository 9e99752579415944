"""The results page's list as people scan it: one compact row per program, reasons on demand.

Each row carries the columns an IMG scans for (state, setting, the share of non-US IMG residents
with its year, the share of non-US IMG applicants the program invited in its latest cycle, the
visas it takes, the interview chance with its tier, the signal, the fee) and the plain sentences
of `service.listing` behind a disclosure; the reasons every row shares are said once above it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from smartpick.core.lists.result import Recommendation
from smartpick.core.programs import Program, once_per_program
from smartpick.service.catalog import nonus_img_rate

# Shorter setting words for a narrow column (the glossary and the program page say them in full).
SETTING_SHORT = {
    "university": "University",
    "university_affiliated_community": "Univ.-affiliated",
    "community": "Community",
    "military": "Military",
}
# Shapes that tell tiers apart without colour (the map draws the same shapes).
TIER_SHAPES = {"reach": "▲", "target": "●", "likely": "■"}


class _Columns(NamedTuple):
    """A program's scan columns that no applicant changes (`_columns`); the dated ones as
    (value, year, source) and (rate, applicants, year), made into a fresh dict per row."""

    setting_short: str
    residents: tuple[Any, int | None, str | None] | None
    invited: tuple[float | None, int | None, int] | None


@once_per_program
def _columns(p: Program) -> _Columns:
    """The program's applicant-independent columns, worked out once per process."""
    fact, rate, ev = p.pct_non_us_img, nonus_img_rate(p), p.interview_evidence
    return _Columns(
        SETTING_SHORT.get(str(p.setting.value), "unknown"),
        None if fact.value is None else (fact.value, fact.year, fact.source),
        None if rate is None or ev is None else (rate.rate, rate.applicants, ev.year),
    )


def evidence_year(years: Sequence[int | None]) -> int | None:
    """The cycle most listed programs' interview figures come from (the column's heading)."""
    known = [y for y in years if y is not None]
    return max(set(known), key=known.count) if known else None


def list_rows(
    recommendation: Recommendation, query_string: str, lines: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    """The list's rows for the JSON twin; `lines`: each program's plain sentences
    (`service.listing.program_lines`)."""
    rows = []
    for item in recommendation.programs:
        p = item.program
        c = _columns(p)
        residents, invited = c.residents, c.invited
        rows.append(
            {
                "rank": item.rank,
                "program_id": p.id,
                "name": p.name,
                "specialty": p.specialty,
                "track": p.track,
                "url": f"/programs/{p.id}?{query_string}",
                "city": p.city.value,
                "state": p.state.value,
                "setting": p.setting.value,
                "setting_short": c.setting_short,
                "non_us_img_residents": None
                if residents is None
                else {"value": residents[0], "year": residents[1], "source": residents[2]},
                "nonus_img_invited": None
                if invited is None
                else {"rate": invited[0], "applicants": invited[1], "year": invited[2]},
                "visa_j1": p.visa_j1.value,
                "visa_h1b": p.visa_h1b.value,
                "tier": item.tier,
                "tier_shape": TIER_SHAPES.get(item.tier, "◆"),
                "p_interview": item.p_interview.to_dict(),
                "signal": item.signal,
                "signal_name": item.signal_name,
                "fee_usd": item.fee_usd,
                "pinned": item.must_include,
                "website": p.website.value,
                "details": lines[p.id],
            }
        )
    return rows
