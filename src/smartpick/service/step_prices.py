"""A plan step priced as a what-if (`service.pricing`), with the extras some steps carry: the H-1B
option of Step 3, the same US clinical months at a tie program, the second specialty's
alternatives, the research step's words and the volume verdict.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from smartpick.core.lists.economics import default_match_value, worth_sending
from smartpick.core.plan.figures import count, dollars, points
from smartpick.core.plan.types import PlanStep, Price
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.rules.policy import h1b_payment
from smartpick.errors import SmartPickError
from smartpick.service.pricing import Measured, Pricer, price_between

# A step adding less than this to the chance of matching is worded as a small effect.
SMALL_GAIN = 0.01


def price_step(
    step: PlanStep, profile: ApplicantProfile, runner: Pricer, base: Measured, today: _dt.date
) -> PlanStep:
    """`step` with its price (re-running the list on the changed profile) and its step-specific
    extras; `today` dates the policy facts they state."""
    if step.change is None:
        return step
    try:
        changed_profile, options = apply_changes(profile, step.change)
        changed = runner.measure(changed_profile, **options)
    except SmartPickError as exc:
        return step.with_price(None, error=exc.message)
    price = price_between(base, changed, step.change)
    note = str(step.details.get("priced_as", ""))
    priced = step.with_price(replace(price, note=note) if note else price)
    if step.id == "step3" and profile.visa == "j1":
        priced = _h1b_option(priced, profile, runner, base, today)
    if step.id == "usce" and step.details.get("tie_programs"):
        priced = _tie_price(priced, profile, runner, base)
    if step.id == "second_specialty":
        priced = _second_specialty_details(priced, profile, runner, base, changed)
    if step.id == "research":
        priced = _research_words(priced, price, profile.applicant_type)
    if step.id == "volume_mix":
        value = float(str(step.details.get("match_value_usd", default_match_value().value)))
        priced = replace(priced, actions=(*priced.actions, *_volume_verdict(price, value)))
    return priced


def _h1b_option(
    step: PlanStep, profile: ApplicantProfile, runner: Pricer, base: Measured, today: _dt.date
) -> PlanStep:
    """What Step 3 opens to a J-1 applicant who would also take an H-1B: eligible programs gained
    (the model's hard rules: H-1B needs a passed Step 3) and the list's price with both."""
    change = {**step.change, "visa": "either"} if step.change else {"visa": "either"}
    try:
        changed_profile, _ = apply_changes(profile, change)
        measured = runner.measure(changed_profile)
    except SmartPickError:
        return step
    # eligible programs of the lists' own chances (counted in their facts, not their objects),
    # in every specialty applied to; the step's `why` names them (`core.plan.exam_steps`)
    specialty = measured.assessment.facts["specialty"]
    before = base.assessment.facts["specialty"]
    opened = {
        s: int(np.count_nonzero(specialty == s)) - int(np.count_nonzero(before == s))
        for s in profile.specialties
    }
    price = price_between(base, measured, change)
    payment = h1b_payment()
    d = price.delta_p_match
    in_force = payment.in_force(today)
    action = (
        "If you would also train on an H-1B, with both visas your chance of matching changes "
        f"by {points(d.point)} percentage points (likely {points(d.low)} to {points(d.high)}). "
        f"{in_force[:1].upper()}{in_force[1:]}, so programs may sponsor fewer H-1B visas "
        "than they state."
    )
    option = {
        "programs_opened": sum(opened.values()),
        "programs_opened_by_specialty": opened,
        "price": price.to_dict(),
    }
    details = {**step.details, "h1b_option": option}
    return replace(step, actions=(*step.actions, action), details=details)


def _tie_price(
    step: PlanStep, profile: ApplicantProfile, runner: Pricer, base: Measured
) -> PlanStep:
    """The same USCE months done at the first listed program without a caveat (as the
    connection step picks it), where they count as a tie."""
    ties = step.details.get("tie_programs")
    listed = ties if isinstance(ties, list) else []
    top = next((t for t in listed if isinstance(t, Mapping) and not t.get("caveat")), None)
    if top is None:
        return step
    add_months = float(str(step.details["target_hands_on_months"])) - profile.usce_hands_on_months
    blocks = [e.model_dump() for e in profile.usce]
    blocks.append({"months": add_months, "kind": "hands_on", "program_id": top["program_id"]})
    change = {"usce": blocks}
    try:
        changed_profile, _ = apply_changes(profile, change)
        measured = runner.measure(changed_profile)
    except SmartPickError:
        return step
    price = price_between(base, measured, {"usce_at": str(top["program_id"])})
    d = price.delta_p_match
    place = ", ".join(str(v) for v in (top.get("city"), top.get("state")) if v)
    action = (
        f"Done at {top['name']} ({place}), the same months also count as a connection there: "
        f"your chance of matching {points(d.point)} percentage points (likely "
        f"{points(d.low)} to {points(d.high)})"
        + (
            f", against {points(step.price.delta_p_match.point)} for the months elsewhere."
            if step.price is not None
            else "."
        )
    )
    details = {**step.details, "tie_price": {"program_id": top["program_id"], **price.to_dict()}}
    return replace(step, actions=(*step.actions, action), details=details)


def _by_specialty(measured: Measured) -> dict[str, int]:
    counts: dict[str, int] = {}
    for program in measured.listed:
        counts[program.specialty] = counts.get(program.specialty, 0) + 1
    return counts


def _second_specialty_details(
    step: PlanStep,
    profile: ApplicantProfile,
    runner: Pricer,
    base: Measured,
    joint: Measured,
) -> PlanStep:
    """The joint list's split, and the guide's other pairings priced the same way."""
    first = profile.specialties[0]
    split = _by_specialty(joint)
    others = step.details.get("alternatives")
    priced: list[tuple[tuple[str, str], Price]] = []
    for other in others if isinstance(others, list | tuple) else ():  # e.g. IM + Neurology
        pair = (first, str(other))
        measured = runner.measure(apply_changes(profile, {"specialties": pair})[0])
        priced.append((pair, price_between(base, measured, {"specialties": pair})))
    alternatives = [{"specialties": list(pair), "price": p.to_dict()} for pair, p in priced]
    actions = [
        *step.actions,
        "The joint list: "
        + ", ".join(f"{count(n)} {name}" for name, n in split.items())
        + f" programs ({dollars(joint.fees_usd)}).",
    ]
    for pair, p in priced:
        delta = p.delta_p_match.point
        actions.append(
            f"{' + '.join(pair)} instead: {points(delta)} percentage points of your chance."
        )
    details = {
        **step.details,
        "joint_list_by_specialty": split,
        "alternatives_priced": alternatives,
    }
    return replace(step, actions=tuple(actions), details=details)


def _research_words(step: PlanStep, price: Price, applicant_type: str) -> PlanStep:
    """Research worded to match its measured price: the guide calls it a significant plus, but
    matched and unmatched non-US IMGs report the same amount (Charting Outcomes 2026), so the
    model gives it little; when the price is small, the step says so and why to do it anyway.
    The figure is non-US IMGs': another applicant is told whose it is."""
    d = price.delta_p_match
    if d.point >= SMALL_GAIN:
        return step
    whose = (
        ""
        if applicant_type == "non_us_img"
        else " (the only group whose research figures are in SmartPick's data)"
    )
    line = (
        f"By itself it changes your chance of matching by only {points(d.point)} percentage "
        f"points: matched and unmatched non-US IMGs{whose} report the same amount of research "
        "(NRMP Charting Outcomes 2026), and it counts mostly at university programs. Do it for what "
        "comes with it (a US connection, a letter, something to talk about at interviews), and "
        "not before Step 3 or hands-on US clinical experience if those are within reach."
    )
    return replace(
        step,
        title=step.title + " (a small effect on your chance by itself)",
        actions=(*step.actions, line),
    )


def _volume_verdict(price: Price, match_value_usd: float) -> tuple[str, ...]:
    """What the priced change of list size means, judged by the list's own value rule."""
    more = price.changed.programs - price.baseline.programs
    d = price.delta_p_match
    if more == 0:
        return ()
    pays = worth_sending(d.point, price.delta_fees_usd, match_value_usd)
    change = (
        f"{count(price.changed.programs)} programs instead of {count(price.baseline.programs)} "
        f"{'add' if more > 0 else 'change your chance by'} {points(d.point)} percentage "
        f"points ({points(d.low)} to {points(d.high)}) for {dollars(price.delta_fees_usd, signed=True)}"
    )
    if more > 0:
        verdict = (
            "worth it at the value of a match you set"
            if pays
            else "less than the fees are worth at the value of a match you set"
        )
    else:
        verdict = (
            "the fees saved are worth more than the chance lost at the value of a match you set"
            if pays
            else "the chance lost is worth more than the fees saved"
        )
    return (f"{change}: {verdict}.",)
