"""The model's terms for one applicant: the applicant's own factors, each program's offset, and the
reasons shown with them (effects relative to the reference applicant, `effects.REFERENCE`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.context import SpecialtyContext, clip_logit, img_pct, interviewed_pct
from smartpick.core.chances.effects import (
    EFFECTS_SOURCE,
    FAILED_ATTEMPT_SCREEN,
    FAILED_ATTEMPT_SCREEN_DEFAULT,
    REFERENCE,
    SPANISH_STATES,
)
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Direction, Reason
from smartpick.core.rules.institutions import name_matches

FloatArray = NDArray[np.float64]
PLUS: Direction = "+"
MINUS: Direction = "-"


def _size(effects: Mapping[str, FloatArray], key: str) -> float:
    """An effect's point value (draw 0): a reason's weight when picking the top reasons."""
    return float(effects[key][0])


def score_reason(
    profile: ApplicantProfile, quartiles: tuple[float, float, float], source: str, beta: float
) -> Reason:
    """Step 2 CK against the specialty's matched quartiles (`beta`: the calibrated slope)."""
    q1, med, q3 = quartiles
    s = profile.step2ck
    if s is None:
        return Reason(
            "Step 2 CK not given: the specialty's typical applicant's score is used",
            None,
            None,
            "?",
            0.5,
        )
    weight = abs(beta * (s - med) / 10.0)
    if s < q1:
        text, sign = f"Step 2 CK {s} is below this specialty's matched Q1 ({q1:.0f})", MINUS
    elif s < med:
        text, sign = (
            f"Step 2 CK {s} is below this specialty's matched median ({med:.0f})",
            MINUS,
        )
    elif s < q3:
        text, sign = f"Step 2 CK {s} is above this specialty's matched median ({med:.0f})", PLUS
    else:
        text, sign = f"Step 2 CK {s} is above this specialty's matched Q3 ({q3:.0f})", PLUS
    return Reason(text, source, None, sign, weight + 0.3)


def applicant_terms(
    effects: Mapping[str, FloatArray], profile: ApplicantProfile, specialty: str, charting: str
) -> tuple[FloatArray, FloatArray, list[Reason]]:
    """Applicant factors that do not depend on the program: (log-odds, factor, reasons).

    `charting` is the Charting Outcomes specialty whose failed-attempt screen applies."""
    e = effects
    ref = REFERENCE
    reasons: list[Reason] = []
    total = np.zeros_like(e["us_letter"])

    def add(term: FloatArray, text: str, source: str = EFFECTS_SOURCE) -> None:
        nonlocal total
        total = total + term
        if abs(term[0]) > 1e-9:
            sign = PLUS if term[0] > 0 else MINUS
            reasons.append(Reason(text, source, None, sign, abs(float(term[0]))))

    if profile.applicant_type in ("us_img", "us_md", "us_do"):
        label = {"us_img": "US-citizen IMG", "us_md": "US MD", "us_do": "US DO"}
        add(
            e[profile.applicant_type],
            f"{label[profile.applicant_type]}: higher match rates than non-US IMGs",
            "NRMP/ECFMG 2025 match rates by applicant type",
        )
    hands_on = profile.usce_hands_on_months
    months = hands_on + e["observership_weight"] * profile.usce_observership_months
    add(
        e["usce_hands_on_per_month"] * (np.minimum(months, 6.0) - ref.usce_hands_on_months),
        f"US clinical experience: {hands_on:g} months hands-on, "
        f"{profile.usce_observership_months:g} observership (typical: 3 hands-on)",
    )
    in_spec = profile.letters_in(specialty)
    add(
        e["us_letter"] * (min(profile.us_letters, 4) - ref.us_letters)
        + e["us_letter_in_specialty"] * (min(in_spec, 3) - ref.us_letters_in_specialty),
        f"{profile.us_letters} US letters, {in_spec} in {specialty} (typical: 3, 2 in specialty)",
    )
    years = profile.years_since_graduation
    add(
        e["years_since_graduation"] * (min(max(years, 1), 10) - ref.years_since_graduation),
        f"Graduated {years} years before the Match (typical: 3)",
    )
    failed = min(profile.failed_attempts, 2)
    screen_share = FAILED_ATTEMPT_SCREEN.get(charting, FAILED_ATTEMPT_SCREEN_DEFAULT)
    screen = np.ones_like(total)
    if failed:
        share = np.minimum(screen_share * e["failed_attempt_screen_scale"], 0.95)
        screen = (1.0 - share) ** failed
        total = total + e["failed_attempt_soft"] * failed
        reasons.append(
            Reason(
                f"{failed} failed USMLE attempt{'s' if failed > 1 else ''}: about "
                f"{screen_share:.0%} of {specialty} "
                "programs do not interview after one",
                "NRMP Program Director Survey (about 2010), effects.csv rows 67-74",
                None,
                "-",
                1.0 + float(-np.log(screen[0])),
            )
        )
    if profile.step3_passed and profile.step3 is not None:
        add(
            e["step3_passed"]
            + e["step3_per_10_points"]
            * float(np.clip((profile.step3 - ref.step3_reference) / 10.0, 0.0, 3.0)),
            f"Step 3 passed ({profile.step3})",
        )
    if isinstance(profile.step1, int):
        add(
            e["step1_per_10_points"]
            * float(np.clip((profile.step1 - ref.step1_numeric) / 10.0, -3.0, 3.0)),
            f"Step 1 {profile.step1} (220 is typical; below 215 is low in the guide)",
        )
    return total, screen, reasons


def program_terms(
    effects: Mapping[str, FloatArray],
    profile: ApplicantProfile,
    p: Program,
    ctx: SpecialtyContext,
    unknown_noise: Callable[[str, str], FloatArray],
) -> tuple[FloatArray, list[Reason], list[str]]:
    """Program-specific log-odds terms, reasons and unknown facts.

    `unknown_noise(program_id, fact)` spreads an unknown fact over the draws (0 at draw 0)."""
    e = effects
    reasons: list[Reason] = []
    unknowns: list[str] = []
    setting = p.setting.value
    pct, kind = img_pct(p, ctx.non_us_per_img)
    img: float | FloatArray
    sel: float | FloatArray
    if pct is not None:
        img = clip_logit(pct)
        fact = p.pct_non_us_img if kind == "non_us" else p.pct_img_any
        if kind == "non_us":
            text = f"{pct:.0f}% of residents are non-US IMGs"
        else:
            text = f"{fact.value:.0f}% of residents are IMGs (about {pct:.0f}% non-US)"
        text += f"; specialty average {ctx.img_share_mean_pct:.0f}%"
        sign = PLUS if img >= ctx.img_logit_mean else MINUS
        weight = abs(0.7 * (clip_logit(pct) - ctx.img_logit_mean))
        reasons.append(Reason(text, fact.source, fact.year, sign, weight))
    else:
        img = ctx.img_logit_by_setting.get(setting or "", ctx.img_logit_mean) + (
            ctx.img_logit_sd * unknown_noise(p.id, "img")
        )
        unknowns.append("share of IMG residents")
        where = f"{setting.replace('_', ' ')} programs'" if setting else "the specialty's"
        reasons.append(
            Reason(f"Share of IMG residents unknown: {where} average used", None, None, "?", 0.6)
        )
    term = e["img_access_slope"] * (img - ctx.img_logit_mean)
    ipct = interviewed_pct(p)
    if ipct is not None:
        sel = clip_logit(ipct)
        gap = float(sel - ctx.interviewed_logit_mean)
        fact = p.pct_interviewed
        src = (
            (fact.source, fact.year)
            if fact.value is not None
            else (
                p.interviews_conducted.source,
                p.interviews_conducted.year,
            )
        )
        reasons.append(
            Reason(
                f"Interviews {ipct:.0f}% of its applicants",
                src[0],
                src[1],
                PLUS if gap >= 0 else MINUS,
                abs(0.5 * gap),
            )
        )
    else:
        sel = ctx.interviewed_logit_by_setting.get(
            setting or "", ctx.interviewed_logit_mean
        ) + ctx.interviewed_logit_sd * unknown_noise(p.id, "interviewed")
        unknowns.append("share of applicants interviewed")
    term = term + e["selectivity_slope"] * (sel - ctx.interviewed_logit_mean)
    state, region = p.state.value, p.region.value
    if state and state in profile.ties_states:
        term = term + e["in_state_ties"]
        reasons.append(
            Reason(f"Ties to {state}", EFFECTS_SOURCE, None, "+", _size(e, "in_state_ties"))
        )
    if (region and region in profile.preferred_regions) or (
        state and state in profile.preferred_states
    ):
        term = term + e["geographic_preference"]
        reasons.append(
            Reason(
                f"In your preferred area ({state or region})",
                EFFECTS_SOURCE,
                None,
                "+",
                _size(e, "geographic_preference"),
            )
        )
    if rotated_at(profile, p):
        term = term + e["prior_rotation"]
        reasons.append(
            Reason(
                "You rotated here (hands-on)", EFFECTS_SOURCE, None, "+", _size(e, "prior_rotation")
            )
        )
    if "Spanish" in profile.languages and state in SPANISH_STATES:
        term = term + e["spanish_in_hispanic_state"]
        reasons.append(
            Reason(
                f"Spanish speaker in {state}",
                EFFECTS_SOURCE,
                None,
                "+",
                _size(e, "spanish_in_hispanic_state"),
            )
        )
    if setting == "university":
        items = min(profile.research_items, 10)
        term = term + e["research_item_university"] * (items - REFERENCE.research_items)
    if setting is None:
        unknowns.append("program setting")
    return term, reasons, unknowns


def rotated_at(profile: ApplicantProfile, p: Program) -> bool:
    """True when the applicant did hands-on USCE at this program or its institution (one
    matcher for names: `core.rules.institutions`)."""
    for entry in profile.usce:
        if entry.kind != "hands_on":
            continue
        if entry.program_id and entry.program_id in (p.id, p.acgme_code):
            return True
        if entry.institution and name_matches(entry.institution, p):
            return True
    return False
