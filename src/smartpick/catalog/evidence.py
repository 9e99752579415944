"""A program's 2026 interview evidence as the faces show it: JSON, and sentences in plain words.

One implementation for the program page, `smartpick programs show`, the list and the exports, so
"invited 0% of 2,872 non-US IMG applicants in 2026" reads the same everywhere. Rates are the
source's whole percent; a published 0 is said to mean "under 0.5%".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smartpick.core.programs import InterviewEvidence, Program, RateCount, ScoreRange

TYPE_WORDS = {
    "non_us_img": "non-US IMG",
    "us_md": "US MD",
    "us_do": "US DO",
    "us_img": "US IMG",
}
SIGNAL_WORDS = {
    "gold": "with a gold signal",
    "silver": "with a silver signal",
    "sent": "with a signal",
    "none": "without a signal",
}
GEO_WORDS = {
    "aligned": "whose stated region matched the program",
    "not_aligned": "whose stated region did not match",
    "no_preference": "with no stated region",
}
HOME_WORDS = {"in_state": "from the program's state", "out_of_state": "from other states"}
FAILED_WORDS = {"ever": "failed it at least once", "never": "never failed it"}
SCORE_GROUP_WORDS = {"all": "all invited applicants", **{k: f"{v}s" for k, v in TYPE_WORDS.items()}}


@dataclass(frozen=True)
class EvidenceLine:
    """One sentence about the program's latest cycle, under a short label."""

    label: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"label": self.label, "text": self.text}


def rate_text(rc: RateCount) -> str:
    """'12% of 1,165' (rate of applicants); 'unknown' parts are said so."""
    rate = "rate not shown" if rc.rate is None else f"{100 * rc.rate:.0f}%"
    if rc.applicants is None:
        return rate
    return f"{rate} of {rc.applicants:,}"


def nonus_img_rate(program: Program) -> RateCount | None:
    """The program's published non-US IMG interview rate of its latest cycle, if any."""
    ev = program.interview_evidence
    if ev is None:
        return None
    found = ev.by_type.get("non_us_img")
    return found if found is not None and found.rate is not None else None


def invited_sentence(program: Program) -> str | None:
    """'invited 0% of 2,872 non-US IMG applicants in 2026' (None without evidence)."""
    rc = nonus_img_rate(program)
    ev = program.interview_evidence
    if rc is None or ev is None:
        return None
    return f"invited {rate_text(rc)} non-US IMG applicants in {ev.year}"


def _rates(words: Mapping[str, str], rates: Mapping[str, RateCount]) -> str:
    """Rates in the order of `words` (then any other key), each as 'words: 12% of 345'."""
    keys = [k for k in words if k in rates] + [k for k in rates if k not in words]
    return "; ".join(f"{words.get(k, k)}: {rate_text(rates[k])}" for k in keys)


def _score_range(r: ScoreRange) -> str:
    parts = []
    if r.lower is not None and r.upper is not None:
        parts.append(f"{r.lower:.0f} to {r.upper:.0f}")
    if r.q1 is not None and r.q3 is not None:
        parts.append(f"middle half {r.q1:.0f} to {r.q3:.0f}")
    if r.median is not None:
        parts.append(f"median {r.median:.0f}")
    text = ", ".join(parts) or "not shown"
    return text if r.reliable else text + " (the source marks this range as less reliable)"


def evidence_lines(ev: InterviewEvidence) -> list[EvidenceLine]:
    """What the program did in its latest cycle, one plain sentence per measure."""
    year = ev.year
    lines: list[EvidenceLine] = []
    nonus = ev.by_type.get("non_us_img")
    if nonus is not None:
        zero = " (the source rounds to whole percent: 0% means under 0.5%)"
        text = f"Invited {rate_text(nonus)} non-US IMG applicants to interview in {year}"
        lines.append(EvidenceLine("Non-US IMGs invited", text + (zero if nonus.rate == 0 else "")))
    others = {k: rc for k, rc in ev.by_type.items() if k != "non_us_img"}
    if others:
        lines.append(
            EvidenceLine("Other applicants invited", _rates(TYPE_WORDS, others) + f" ({year})")
        )
    if ev.invited is not None or ev.interview_rate_all is not None:
        rate = "" if ev.interview_rate_all is None else f"{100 * ev.interview_rate_all:.1f}%"
        count = "" if ev.invited is None else f"{ev.invited:,} applicants"
        joined = f"{count} ({rate})" if count and rate else count or rate
        lines.append(EvidenceLine("All applicants invited", f"{joined} in {year}"))
    mixed = " (all applicant types together)"
    if ev.signal:
        lines.append(EvidenceLine("By signal", _rates(SIGNAL_WORDS, ev.signal) + mixed))
    for key, exam in (("step1_failed", "Step 1"), ("step2ck_failed", "Step 2 CK")):
        rates = getattr(ev, key)
        if rates:
            lines.append(
                EvidenceLine(
                    f"By failed attempt, {exam}",
                    _rates(FAILED_WORDS, rates) + mixed,
                )
            )
    if ev.geographic:
        lines.append(
            EvidenceLine("By geographic preference", _rates(GEO_WORDS, ev.geographic) + mixed)
        )
    if ev.home_state:
        lines.append(EvidenceLine("By home state", _rates(HOME_WORDS, ev.home_state) + mixed))
    for group in ("non_us_img", "all"):
        score = ev.step2ck_invited.get(group)
        if score is not None:
            lines.append(
                EvidenceLine(
                    "Step 2 CK of those invited",
                    f"{SCORE_GROUP_WORDS[group]}: {_score_range(score)}",
                )
            )
            break
    if ev.positions_offered is not None or ev.positions_filled is not None:
        offered = "unknown" if ev.positions_offered is None else f"{ev.positions_offered}"
        filled = "unknown" if ev.positions_filled is None else f"{ev.positions_filled}"
        lines.append(
            EvidenceLine(
                "Positions", f"{offered} offered, {filled} filled in the {year} Main Match"
            )
        )
    if ev.prior_gme_required is not None:
        lines.append(
            EvidenceLine("Prior residency required", "yes" if ev.prior_gme_required else "no")
        )
    if ev.applications_by_year:
        lines.append(
            EvidenceLine(
                "Applicants by year",
                "; ".join(f"{y}: {n:,}" for y, n in sorted(ev.applications_by_year.items())),
            )
        )
    return lines


def _rate_dict(rc: RateCount) -> dict[str, Any]:
    return {"rate": rc.rate, "applicants": rc.applicants}


def evidence_to_dict(ev: InterviewEvidence | None) -> dict[str, Any] | None:
    """The evidence as JSON (rates 0-1 with their applicant counts), with its plain sentences."""
    if ev is None:
        return None
    return {
        "source": ev.source,
        "year": ev.year,
        "by_type": {k: _rate_dict(v) for k, v in ev.by_type.items()},
        "invited": ev.invited,
        "interview_rate_all": ev.interview_rate_all,
        "signal": {k: _rate_dict(v) for k, v in ev.signal.items()},
        "geographic": {k: _rate_dict(v) for k, v in ev.geographic.items()},
        "home_state": {k: _rate_dict(v) for k, v in ev.home_state.items()},
        "step1_failed": {k: _rate_dict(v) for k, v in ev.step1_failed.items()},
        "step2ck_failed": {k: _rate_dict(v) for k, v in ev.step2ck_failed.items()},
        "step2ck_invited": {
            k: {
                "lower": r.lower,
                "q1": r.q1,
                "median": r.median,
                "q3": r.q3,
                "upper": r.upper,
                "reliable": r.reliable,
            }
            for k, r in ev.step2ck_invited.items()
        },
        "positions_offered": ev.positions_offered,
        "positions_filled": ev.positions_filled,
        "applications_by_year": {str(y): n for y, n in sorted(ev.applications_by_year.items())},
        "prior_gme_required": ev.prior_gme_required,
        "lines": [line.to_dict() for line in evidence_lines(ev)],
    }
