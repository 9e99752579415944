"""The guide's red flags that apply to an applicant, with the catalog programs each one shuts.

Every flag counts the programs of every specialty the applicant applies to (`counts`: one
`CatalogCounts` per specialty, the first specialty first). Failed attempts are the profile's one
count (`ApplicantProfile.failed_attempts`), the H-1B rule is `rules.visas` (a passed Step 3), and
shut programs are those the model's hard rules exclude (`plan.counts`): the programs the results
page counts as ruled out. Where no source states a cut-off, a flag says so instead of counting 0
programs; where the 2026 program data show a screen (`rules.screens`), it counts the programs with
source and year; visa facts carry their source and date (`rules.policy`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from smartpick.core.plan.figures import count
from smartpick.core.plan.guide import LONG_SINCE_GRADUATION_YEARS, is_img
from smartpick.core.plan.standing import GUIDE_STEP2CK
from smartpick.core.plan.types import CatalogCounts, RedFlag
from smartpick.core.plan.words import months
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.policy import entry_restriction, h1b_payment
from smartpick.core.rules.screens import GROUP_WORDS
from smartpick.core.rules.usmle import EXAM_LABEL, Exam
from smartpick.core.rules.visas import VISA_LABEL


def attempt_lines(profile: ApplicantProfile) -> list[str]:
    """One phrase per exam with failed attempts, e.g. "Step 1 failed once, then passed"."""
    out = []
    exams: tuple[Exam, ...] = ("step1", "step2ck", "step3")
    scores = {"step1": profile.step1_score, "step2ck": profile.step2ck, "step3": profile.step3}
    for exam in exams:
        failed = profile.failed_attempts_at(exam)
        if not failed:
            continue
        label, score = EXAM_LABEL[exam], scores[exam]
        mark = profile.pass_mark(exam)
        if exam == "step1" and profile.step1 == "fail_then_pass" and failed == 1:
            out.append("Step 1 failed once, then passed")
        elif score is not None and score < mark.score:
            out.append(
                f"{label} {score} is below the passing score {mark.score}"
                + (f" ({failed} failed attempts)" if failed > 1 else "")
            )
        else:
            times = failed + 1
            out.append(f"{label} taken {times} times")
    return out


def h1b_blocked(profile: ApplicantProfile) -> bool:
    """True when the applicant can only train on an H-1B and has no passed Step 3 yet."""
    return profile.visa == "h1b" and not profile.step3_passed


def _evidence(counts: Sequence[CatalogCounts], kind: str, what: str) -> str | None:
    """ "In 2026, N of the M IM programs (and K of the L FM programs) with published figures
    <what> (source)." or None: one sentence per cycle and source."""
    by_cycle: dict[tuple[int | None, str], list[str]] = {}
    for c in counts:
        n = c.screened.get(kind, 0)
        if n and c.evidence_programs:
            by_cycle.setdefault((c.evidence_year, c.evidence_source), []).append(
                f"{count(n)} of the {count(c.evidence_programs)} {c.specialty} programs"
            )
    if not by_cycle:
        return None
    return " ".join(
        f"In {year}, {' and '.join(parts)} with published figures {what} ({source})."
        for (year, source), parts in by_cycle.items()
    )


def _stated(stated: int, shut: int, total: int, what: str, advice: str) -> tuple[str, ...]:
    """What is known of a cut-off: stated by some programs (catalog or user imports), or by none."""
    if not stated:
        return (f"No source states {what} for these {count(total)} programs; {advice}",)
    verb = "states" if stated == 1 else "state"
    return (
        f"{count(stated)} of the {count(total)} programs {verb} {what} (in the program data SmartPick has): "
        f"it rules out {count(shut)} of them for you.",
        f"The other {count(total - stated)} state none that SmartPick knows of; {advice}",
    )


def red_flags(
    profile: ApplicantProfile, counts: Sequence[CatalogCounts], today: _dt.date | None = None
) -> list[RedFlag]:
    """The guide's red flags that apply, with what the catalog states and the 2026 data show,
    over the programs of every specialty in `counts` (one per specialty applied to)."""
    flags: list[RedFlag] = []
    total = sum(c.programs_total for c in counts)
    limits = sum(c.stated_graduation_limits for c in counts)
    past_limit = sum(c.shut_by_graduation_limit for c in counts)
    usce_stated = sum(c.stated_usce_requirements for c in counts)
    usce_shut = sum(c.shut_by_usce_requirement for c in counts)
    if profile.failed_attempts:
        notes = [
            line
            for kind, exam in (("failed_step1", "Step 1"), ("failed_step2ck", "Step 2 CK"))
            if (
                line := _evidence(
                    counts,
                    kind,
                    f"interviewed under 2% of the applicants who had ever failed {exam}",
                )
            )
        ]
        notes.append(
            "Programs rarely state a rule on failed attempts; where the 2026 figures show one, "
            "the list's reasons say so for each program."
        )
        flags.append(
            RedFlag(
                id="failed_attempt",
                title="Failed USMLE attempt",
                detail="; ".join(attempt_lines(profile)) + ".",
                guide="If you failed Step 1 or Step 2 once, or you have multiple attempts, most "
                "programs will consider that a red flag. However, that flag can be mitigated.",
                programs_total=total,
                addressed_by=("address_attempt", "step3", "personal_statement", "interview"),
                notes=tuple(notes),
            )
        )
    below = _evidence(
        counts,
        "below_invited",
        f"invited no {GROUP_WORDS[profile.applicant_type]} with a Step 2 CK as low as your "
        f"{profile.step2ck}",
    )
    if below is not None:
        flags.append(
            RedFlag(
                id="step2ck_below_invited",
                title="Step 2 CK below what many programs invited in 2026",
                detail=below,
                guide=GUIDE_STEP2CK,
                programs_total=total,
                addressed_by=("step3", "personal_statement"),
                notes=_stated(
                    sum(c.stated_min_scores for c in counts),
                    0,
                    total,
                    "a minimum score",
                    "the 2026 figures above are what programs did, not a stated rule.",
                ),
            )
        )
    if profile.years_since_graduation >= LONG_SINCE_GRADUATION_YEARS:
        flags.append(
            RedFlag(
                id="long_since_graduation",
                title="Long time since graduation",
                detail=f"{profile.years_since_graduation} years between graduation and the Match.",
                guide="Make sure dates are clear and gaps are explained (research, exam prep, "
                "family reasons).",
                programs_total=total,
                programs_shut=past_limit if limits else None,
                addressed_by=("usce", "gap_explanation"),
                notes=_stated(
                    limits,
                    past_limit,
                    total,
                    "a graduation-year limit",
                    "IMG advisers report limits of 3-5 years at many programs, so check each "
                    "program's website before you apply.",
                ),
            )
        )
    hands_on = profile.usce_hands_on_months
    if is_img(profile) and hands_on <= 0:
        observed = profile.usce_observership_months
        if observed <= 0 or usce_shut:
            flags.append(
                RedFlag(
                    id="no_usce",
                    title="No US clinical experience"
                    if observed <= 0
                    else "No hands-on US clinical experience",
                    detail="No months of US clinical experience on record."
                    if observed <= 0
                    else f"{months(observed)} of observership and no hands-on months: "
                    "programs that require US clinical experience count hands-on months only.",
                    guide="For a non-US citizen IMG targeting state university programs, US "
                    "clinical experience is critical - often more impactful than a marginal "
                    "score difference.",
                    programs_total=total,
                    programs_shut=usce_shut if usce_stated else None,
                    addressed_by=("usce",),
                    notes=_stated(
                        usce_stated,
                        usce_shut,
                        total,
                        "whether US clinical experience is required",
                        "many programs ask for it on their websites, so check each one.",
                    ),
                )
            )
    if is_img(profile) and profile.us_letters <= 0:
        flags.append(
            RedFlag(
                id="no_us_letters",
                title="No US letters of recommendation",
                detail="No letters from US faculty.",
                guide="At least 2-3 LoRs from US faculty, ideally ... in the specialty you're "
                "applying to.",
                programs_total=total,
                addressed_by=("letters", "usce"),
            )
        )
    gme = _evidence(counts, "prior_gme", "required prior residency training")
    if gme is not None:
        flags.append(
            RedFlag(
                id="prior_gme",
                title="Some programs required prior residency training",
                detail=gme,
                guide="Filter programs by: ... Average board scores listed in program FAQs (some "
                "explicitly state minimums).",
                programs_total=total,
            )
        )
    restriction = entry_restriction(profile)
    if restriction is not None:
        flags.append(
            RedFlag(
                id="entry_restriction",
                title=f"US entry restriction on nationals of {restriction.name}",
                detail=restriction.note(),
                guide="Filter programs by: Visa support (non-negotiable for foreign nationals).",
                programs_total=total,
                addressed_by=("step3",) if not restriction.blocks_h1b else (),
            )
        )
    if profile.visa != "none" and total:
        flags.append(_visa_flag(profile, counts, today or _dt.date.today()))
    return flags


def _visa_counts(c: CatalogCounts, label: str) -> str:
    """One specialty's stated visa policies, with where they come from."""
    word = "source" if len(c.visa_sources) == 1 else "sources"
    cited = f" ({word}: {'; '.join(c.visa_sources)})" if c.visa_sources else ""
    return (
        f"{count(c.visa_sponsoring)} of {count(c.programs_total)} {c.specialty} programs state "
        "they consider "
        f"{label}; {count(c.visa_not_sponsoring)} state no (or list no visa) and "
        f"{count(c.visa_unknown)} are "
        f"unknown{cited}."
    )


def _visa_flag(
    profile: ApplicantProfile, counts: Sequence[CatalogCounts], today: _dt.date
) -> RedFlag:
    total = sum(c.programs_total for c in counts)
    share = sum(c.visa_sponsoring for c in counts) / total
    label = VISA_LABEL[profile.visa]
    blocked = h1b_blocked(profile)
    few = share < 0.5 or blocked
    detail = " ".join(_visa_counts(c, label) for c in counts if c.programs_total)
    if blocked:
        mark = profile.pass_mark("step3")
        have = (
            "no Step 3 score is in your profile"
            if profile.step3 is None
            else f"your Step 3 {profile.step3} is below it"
        )
        detail += (
            f" An H-1B needs a passed Step 3 ({mark.text}); {have}. Until you pass it, no "
            "program can sponsor one."
        )
    shut = sum(c.shut_by_visa for c in counts)
    ruled_out = sum(c.shut_by_any_rule for c in counts)
    notes: list[str] = []
    if ruled_out > shut:
        notes.append(
            f"SmartPick's list counts {count(ruled_out)} programs ruled out by a rule they state: "
            f"these {count(shut)} for the visa, and {count(ruled_out - shut)} for other rules (each program's "
            "entry says which)."
        )
    outdated = sum(c.h1b_yes_possibly_outdated for c in counts)
    if profile.visa in ("h1b", "either"):
        notes.append(h1b_payment().note(today))
        if outdated:
            notes.append(
                f"{count(outdated)} of the {count(sum(c.h1b_programs for c in counts))} programs that "
                "say they consider H-1B say so in data from 2025 or earlier, possibly before "
                "that payment: treat those as possibly outdated and check with the program."
            )
    return RedFlag(
        id="visa_few_sponsors" if few else "visa_needed",
        title=f"Needs {'an' if label.startswith('H') else 'a'} {label} visa"
        + (": few programs state they sponsor it" if few else ""),
        detail=detail,
        guide="Filter programs by: Visa support (non-negotiable for foreign nationals).",
        programs_total=total,
        programs_shut=shut,
        addressed_by=("step3",),
        notes=tuple(notes),
    )
