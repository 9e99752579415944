"""The results page's list as people scan it: one compact row per program, reasons on demand.

Each row carries the columns an IMG scans for (state, setting, the share of non-US IMG residents
with its year, the share of non-US IMG applicants the program invited in its latest cycle, the
visas it takes, the interview chance with its tier, the signal, the fee) and a few plain
sentences behind a disclosure. The model's reasons are shown as the model words them; reasons
that every listed program of a specialty shares are about the applicant, not the program, so they
are said once above the list instead of on every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from smartpick.core.lists.result import ListedProgram, Recommendation
from smartpick.core.programs import Fact, Program
from smartpick.service.catalog import invited_sentence, nonus_img_rate

# Shorter setting words for a narrow column (the glossary and the program page say them in full).
SETTING_SHORT = {
    "university": "University",
    "university_affiliated_community": "Univ.-affiliated",
    "community": "Community",
    "military": "Military",
}
# Shapes that tell tiers apart without colour (the map draws the same shapes).
TIER_SHAPES = {"reach": "▲", "target": "●", "likely": "■"}
SIGNAL_WORDS = {"gold": "gold", "silver": "silver", "none": "none"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x >= 0.01 else ("under 1%" if x > 0 else "0%")


def _dated(fact: Fact[Any]) -> dict[str, Any] | None:
    """A fact's value with its source year (None when unknown)."""
    if fact.value is None:
        return None
    return {"value": fact.value, "year": fact.year, "source": fact.source}


def _visa_sentence(program: Program) -> str:
    parts = []
    for name, fact in (("J-1", program.visa_j1), ("H-1B", program.visa_h1b)):
        if fact.value is None:
            parts.append(f"{name}: unknown")
            continue
        status = {"yes": "yes", "no": "no", "none_listed": "none listed"}.get(
            str(fact.value), str(fact.value)
        )
        parts.append(f"{name}: {status} ({fact.source})" if fact.source else f"{name}: {status}")
    return "Visas: " + "; ".join(parts) + "."


def common_reasons(
    listed: Sequence[ListedProgram], reasons: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Per specialty, the model's reasons that every listed program of it shares (two or more)."""
    by_specialty: dict[str, list[str]] = {}
    for item in listed:
        by_specialty.setdefault(item.program.specialty, []).append(item.program.id)
    out: dict[str, list[str]] = {}
    for specialty, ids in by_specialty.items():
        if len(ids) < 2:
            continue
        shared = set(reasons.get(ids[0], ()))
        for pid in ids[1:]:
            shared &= set(reasons.get(pid, ()))
        ordered = [r for r in reasons.get(ids[0], ()) if r in shared]
        if ordered:
            out[specialty] = ordered
    return out


def _details(
    item: ListedProgram,
    own_reasons: Iterable[str],
    unknowns: Sequence[str],
    order_in_specialty: int,
    preferred: bool,
) -> list[str]:
    """The row's plain sentences: the applicant's choice, the 2026 evidence, the model's own
    reasons for this program, signal, weight in the list, fee and visas."""
    p = item.program
    lines = []
    if item.must_include:
        lines.append("You pinned it: it stays on your list whatever the optimizer prefers.")
    invited = invited_sentence(p)
    if invited:
        source = p.interview_evidence.source if p.interview_evidence else ""
        lines.append(f"In its latest cycle it {invited} ({source}).")
    lines.extend(own_reasons)
    if item.signal != "none":
        lines.append(
            f"A {item.signal} signal raises your interview chance here from "
            f"{_pct(item.p_interview_unsignaled)} to {_pct(item.p_interview.point)}."
        )
    lines.append(
        "Leaving it out would lower your chance of matching with this list by "
        f"{item.contribution_pp:.1f} percentage points."
        if item.contribution_pp >= 0.05
        else "Leaving it out would change your chance of matching by less than 0.1 "
        "percentage point."
    )
    if preferred:
        lines.append(f"It is in an area you prefer ({p.state.value}, {p.region.value}).")
    if unknowns:
        lines.append("Not known for this program: " + ", ".join(unknowns) + ".")
    lines.append(
        f"ERAS fee ${item.fee_usd}: your {_ordinal(order_in_specialty)} {p.specialty} "
        "application (the fee per program rises with the number of programs)."
    )
    lines.append(_visa_sentence(p))
    return lines


def evidence_year(rows: Sequence[Mapping[str, Any]]) -> int | None:
    """The cycle most listed programs' interview figures come from (the column's heading)."""
    years = [r["nonus_img_invited"]["year"] for r in rows if r["nonus_img_invited"]]
    return max(set(years), key=years.count) if years else None


def list_rows(
    recommendation: Recommendation, query_string: str
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The list's rows for the page and its JSON twin, and the reasons shared by every row."""
    chances = {row.program.id: row for row in recommendation.assessment.rows}
    reasons = {pid: list(row.reasons) for pid, row in chances.items()}
    shared = common_reasons(recommendation.programs, reasons)
    profile = recommendation.assessment.profile
    regions, states = set(profile.preferred_regions), set(profile.preferred_states)
    counted: dict[str, int] = {}
    rows = []
    for item in recommendation.programs:
        p = item.program
        counted[p.specialty] = counted.get(p.specialty, 0) + 1
        row = chances.get(p.id)
        own = [r for r in reasons.get(p.id, ()) if r not in shared.get(p.specialty, ())]
        rate = nonus_img_rate(p)
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
                "setting_short": SETTING_SHORT.get(str(p.setting.value), "unknown"),
                "non_us_img_residents": _dated(p.pct_non_us_img),
                "nonus_img_invited": None
                if rate is None or p.interview_evidence is None
                else {
                    "rate": rate.rate,
                    "applicants": rate.applicants,
                    "year": p.interview_evidence.year,
                },
                "visa_j1": p.visa_j1.value,
                "visa_h1b": p.visa_h1b.value,
                "tier": item.tier,
                "tier_shape": TIER_SHAPES.get(item.tier, "◆"),
                "p_interview": item.p_interview.to_dict(),
                "signal": item.signal,
                "fee_usd": item.fee_usd,
                "pinned": item.must_include,
                "website": p.website.value,
                "details": _details(
                    item,
                    own,
                    row.unknowns if row is not None else (),
                    counted[p.specialty],
                    p.region.value in regions or p.state.value in states,
                ),
            }
        )
    return rows, shared
