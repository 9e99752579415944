"""One Residency Explorer 2026 line → the program's `interview_evidence` record (catalog JSON).

The record mirrors `smartpick.core.programs.InterviewEvidence`: a rate-and-count is
`[rate, applicants]` with the rate a fraction 0-1 (the site's whole percent / 100) or null
where the site shows none; an entry is left out where the site shows neither; a Step 2 CK range
is `[lower, q1, median, q3, upper, reliable]`, left out for status 2 (sample too small) or no
status. A published 0 stays 0; nothing unknown becomes 0.
"""

from __future__ import annotations

from typing import Any

from smartpick.core.programs import APPLICANT_TYPES

# Catalog key → (label of the rate, label of the count) in the file.
SIGNAL_IM = {
    "gold": ("Gold Sent", "countSentGold"),
    "silver": ("Silver Sent", "countSentSilver"),
    "none": ("Did Not Send", "countDidNotSend"),
}
SIGNAL_FM = {"sent": ("Sent", "countSent"), "none": ("Did Not Send", "countDidNotSend")}
GEOGRAPHIC = {
    "aligned": ("Aligned", "countAligned"),
    "not_aligned": ("Not Aligned", "countNotAligned"),
    "no_preference": ("No Preference", "countNoPreference"),
}
# The file labels the home-state counts like the geographic ones.
HOME_STATE = {
    "in_state": ("In-State", "countAligned"),
    "out_of_state": ("Out-of-State", "countNotAligned"),
}
FAILED = {
    "ever": ("Ever Failed", "countEverFailed"),
    "never": ("Never Failed", "countNeverFailed"),
}
SCORE_GROUPS = {
    "all": "All",
    "us_md": "MD",
    "us_do": "DO",
    "us_img": "USIMG",
    "non_us_img": "NonUSIMG",
}
# Labels of the invitee mix (IM page layout: share of the invited applicants of each type, %).
MIX_LABELS = {"us_md": "US MD", "us_do": "US DO", "us_img": "US IMG", "non_us_img": "Non-US IMG"}
SCORE_STATUS_RELIABLE = {1: True, 3: False}  # 2 = sample too small: no values
FIRST_APPLICATION_YEAR = 2022


def fraction(pct: float | None) -> float | None:
    """A published percentage as a fraction 0-1 (None stays None)."""
    return None if pct is None else round(float(pct) / 100, 4)


def rate_count(pct: float | None, applicants: int | None) -> list[Any] | None:
    """`[rate, applicants]`, or None where the site shows neither (no rate, no applicants)."""
    if pct is None and not applicants:
        return None
    return [fraction(pct), applicants]


def _table(
    rates: dict[str, Any], counts: dict[str, Any], labels: dict[str, tuple[str, str]]
) -> dict[str, list[Any]]:
    out = {}
    for key, (rate_label, count_label) in labels.items():
        entry = rate_count(rates[rate_label], counts[count_label])
        if entry is not None:
            out[key] = entry
    return out


def _score_ranges(groups: dict[str, list[Any] | None]) -> dict[str, list[Any]]:
    out = {}
    for key, label in SCORE_GROUPS.items():
        values = groups.get(label)
        if not values or len(values) != 6 or values[5] not in SCORE_STATUS_RELIABLE:
            continue
        out[key] = [*values[:5], SCORE_STATUS_RELIABLE[values[5]]]
    return out


def _mix(mix: dict[str, Any] | None) -> dict[str, float]:
    """The invitee mix as fractions by applicant type (empty where the page shows none)."""
    if not mix:
        return {}
    out = {}
    for key, label in MIX_LABELS.items():
        share = fraction(mix.get(label))
        if share is not None:
            out[key] = share
    return out


def _prior_gme(value: Any) -> bool | None:
    return {True: True, False: False, "Yes": True, "No": False}.get(value)


def evidence_record(row: dict[str, Any], source: str, year: int) -> dict[str, Any]:
    """The `interview_evidence` record of one line (raises KeyError/TypeError on a bad layout)."""
    rates, counts = row["ir_type"], row["n_type"]
    if len(rates) != len(APPLICANT_TYPES) or len(counts) != len(APPLICANT_TYPES):
        raise ValueError("ir_type and n_type need one value per applicant type")
    by_type = {}
    for key, pct, n in zip(APPLICANT_TYPES, rates, counts, strict=True):
        entry = rate_count(pct, n)
        if entry is not None:
            by_type[key] = entry
    signal_labels = SIGNAL_IM if "Gold Sent" in row["signal"] else SIGNAL_FM
    apps = row["apps"]
    return {
        "source": source,
        "year": year,
        "by_type": by_type,
        "invited": row["invited_2026"],
        "invited_mix": _mix(row.get("invited_mix")),
        "interview_rate_all": fraction(row["interview_rate_pct"]),
        "signal": _table(row["signal"], row["signal_n"], signal_labels),
        "geographic": _table(row["geo"], row["geo_n"], GEOGRAPHIC),
        "home_state": _table(row["home_state"], row["home_state_n"], HOME_STATE),
        "step1_failed": _table(row["step1_fail"], row["step1_fail_n"], FAILED),
        "step2ck_failed": _table(row["step2_fail"], row["step2_fail_n"], FAILED),
        "step2ck_invited": _score_ranges(row["s2_invited"]),
        "positions_offered": row["offered_2026"],
        "positions_filled": row["filled_2026"],
        "applications_by_year": {
            str(FIRST_APPLICATION_YEAR + i): n for i, n in enumerate(apps) if n is not None
        },
        "prior_gme_required": _prior_gme(row["prior_gme_required"]),
    }
