"""A small reader of the AAMC Residency Explorer 2026 files (IM and FM), shaped like the catalog's
future `InterviewEvidence` so that the research code ports to it field by field.

Rates are the site's whole percentages turned into 0-1; a published "0" can be up to 0.5%, so every
count derived from a rate comes with its rounding interval (`invited_bounds`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RAW = Path("/work/shared/data/raw/residency_explorer_2026")
FILES = {"Internal Medicine": "im.jsonl", "Family Medicine": "fm.jsonl"}
TYPES = ("us_md", "us_do", "us_img", "non_us_img")
SOURCE = "AAMC Residency Explorer, 2026 cycle"


@dataclass(frozen=True)
class RateCount:
    """An interview rate (0-1, None when not shown) among `applicants` applicants."""

    rate: float | None
    applicants: int | None

    @property
    def usable(self) -> bool:
        """True when both the rate and a positive count are known."""
        return self.rate is not None and bool(self.applicants)


@dataclass(frozen=True)
class ScoreRange:
    """Step 2 CK of invited applicants: lower whisker, quartiles, upper; `reliable` = status 1."""

    lower: float | None
    q1: float | None
    median: float | None
    q3: float | None
    upper: float | None
    reliable: bool

    @property
    def shown(self) -> bool:
        """True when the quartiles are published."""
        return self.median is not None and self.q1 is not None and self.q3 is not None


@dataclass(frozen=True)
class Evidence:
    """One program's 2026 evidence (mirrors `core.programs.InterviewEvidence`)."""

    acgme_code: str
    specialty: str
    name: str
    state: str | None
    setting: str | None
    by_type: dict[str, RateCount]
    invited: int | None
    interview_rate_all: float | None
    signal: dict[str, RateCount]  # IM: gold / silver / none; FM: sent / none
    geographic: dict[str, RateCount]  # aligned / not_aligned / no_preference
    home_state: dict[str, RateCount]  # in_state / out_of_state
    step1_failed: dict[str, RateCount]  # ever / never
    step2ck_failed: dict[str, RateCount]
    step2ck_invited: dict[str, ScoreRange]  # all / us_md / us_do / us_img / non_us_img
    positions_offered: int | None
    positions_filled: int | None
    applications_by_year: dict[int, int]
    invited_mix: dict[str, float] | None  # share of invitees by type (0-1), IM layout only
    h1b: bool | None

    @property
    def nonus(self) -> RateCount:
        """The non-US IMG rate and count: the anchor of the program model."""
        return self.by_type["non_us_img"]

    def invited_bounds(self) -> tuple[int, int]:
        """Non-US IMGs invited, as an interval implied by the rounded rate (and invitee mix)."""
        n = self.nonus.applicants or 0
        r = self.nonus.rate or 0.0
        lo = max(0, math.ceil(n * (r - 0.005) - 1e-9))
        hi = min(n, math.floor(n * (r + 0.005) + 1e-9))
        if self.invited_mix is not None and self.invited:
            m = self.invited_mix.get("non_us_img")
            if m is not None:
                lo2 = math.ceil(self.invited * (m - 0.005) - 1e-9)
                hi2 = math.floor(self.invited * (m + 0.005) + 1e-9)
                if max(lo, lo2) <= min(hi, hi2):  # both roundings agree: intersect
                    lo, hi = max(lo, lo2), min(hi, hi2)
        hi = max(hi, lo)
        return lo, hi


def _pct(x: float | None) -> float | None:
    return None if x is None else float(x) / 100.0


def _rc(rate: float | None, n: int | None) -> RateCount:
    return RateCount(_pct(rate), None if n is None else int(n))


def _score(row: list[float | None] | None) -> ScoreRange:
    if not row:
        return ScoreRange(None, None, None, None, None, False)
    *vals, status = row
    return ScoreRange(*[None if v is None else float(v) for v in vals], reliable=status == 1)


def _parse(r: dict, specialty: str) -> Evidence:
    ir, nt = r["ir_type"], r["n_type"]
    sig, sn = r["signal"], r["signal_n"]
    if "Gold Sent" in sig:
        signal = {
            "gold": _rc(sig["Gold Sent"], sn.get("countSentGold")),
            "silver": _rc(sig["Silver Sent"], sn.get("countSentSilver")),
            "none": _rc(sig["Did Not Send"], sn.get("countDidNotSend")),
        }
    else:
        signal = {
            "sent": _rc(sig["Sent"], sn.get("countSent")),
            "none": _rc(sig["Did Not Send"], sn.get("countDidNotSend")),
        }
    geo, gn = r["geo"], r["geo_n"]
    hs, hn = r["home_state"], r["home_state_n"]

    def failed(key: str) -> dict[str, RateCount]:
        rate, n = r[key], r[key + "_n"]
        return {
            "ever": _rc(rate["Ever Failed"], n.get("countEverFailed")),
            "never": _rc(rate["Never Failed"], n.get("countNeverFailed")),
        }

    s2 = r.get("s2_invited") or {}
    mix = r.get("invited_mix")
    visa = r.get("visa") or {}
    h1b = visa.get("h1b")
    return Evidence(
        acgme_code=r["acgme_code"],
        specialty=specialty,
        name=r["name"],
        state=r.get("state"),
        setting=r.get("setting"),
        by_type={t: _rc(ir[i], nt[i]) for i, t in enumerate(TYPES)},
        invited=r.get("invited_2026"),
        interview_rate_all=_pct(r.get("interview_rate_pct")),
        signal=signal,
        geographic={
            "aligned": _rc(geo["Aligned"], gn.get("countAligned")),
            "not_aligned": _rc(geo["Not Aligned"], gn.get("countNotAligned")),
            "no_preference": _rc(geo["No Preference"], gn.get("countNoPreference")),
        },
        home_state={
            "in_state": _rc(hs["In-State"], hn.get("countAligned")),
            "out_of_state": _rc(hs["Out-of-State"], hn.get("countNotAligned")),
        },
        step1_failed=failed("step1_fail"),
        step2ck_failed=failed("step2_fail"),
        step2ck_invited={
            key: _score(s2.get(raw))
            for key, raw in (
                ("all", "All"),
                ("us_md", "MD"),
                ("us_do", "DO"),
                ("us_img", "USIMG"),
                ("non_us_img", "NonUSIMG"),
            )
        },
        positions_offered=r.get("offered_2026"),
        positions_filled=r.get("filled_2026"),
        applications_by_year=dict(zip(range(2022, 2027), r.get("apps") or [], strict=False)),
        invited_mix=None
        if not mix
        else {
            t: _pct(mix.get(k)) or 0.0
            for t, k in zip(TYPES, ("US MD", "US DO", "US IMG", "Non-US IMG"), strict=True)
        },
        h1b=h1b if isinstance(h1b, bool) else {"Yes": True, "No": False}.get(str(h1b)),
    )


@cache
def evidence(specialty: str) -> tuple[Evidence, ...]:
    """Every program of the 2026 file for Internal Medicine or Family Medicine."""
    path = RAW / FILES[specialty]
    with path.open(encoding="utf-8") as fh:
        return tuple(_parse(json.loads(line), specialty) for line in fh if line.strip())


def by_code(specialty: str) -> dict[str, Evidence]:
    """The 2026 evidence keyed by ACGME code."""
    return {e.acgme_code: e for e in evidence(specialty)}
