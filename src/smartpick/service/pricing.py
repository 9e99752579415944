"""Pricing a what-if: re-run the optimizer (and the model) on the changed profile and compare.

A `Measured` list keeps its P(match) and expected interviews per bootstrap draw, so a change's
interval is the interval of the per-draw difference. `Pricer` runs each distinct what-if once per
plan; `price_step` prices one plan step, with the step-specific extras (the H-1B option of Step 3,
the same USCE months at a tie program, the second specialty's alternatives, the volume verdict).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any, TypeVar

import numpy as np

from smartpick.core.cancellation import checkpoint
from smartpick.core.chances.estimate import Estimate
from smartpick.core.chances.matrix import intervals
from smartpick.core.chances.results import Assessment
from smartpick.core.lists.economics import default_match_value, worth_sending
from smartpick.core.lists.result import Recommendation
from smartpick.core.plan.figures import points
from smartpick.core.plan.types import Outcome, PlanStep, Price
from smartpick.core.plan.words import change_words
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.programs import Program
from smartpick.core.rules.policy import h1b_payment
from smartpick.errors import SmartPickError
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import price_list, recommend
from smartpick.service.recommendation import PricedList

# A step adding less than this to the chance of matching is worded as a small effect.
SMALL_GAIN = 0.01
# What a given `recommender` (a test's spy) is asked to skip for a list that is priced but not
# shown: its curve's intervals and the curve past the list's next step (every price reads the
# list's own P(match) per draw, fees and programs). Without one, such lists are
# `recommend.price_list`s.
LEAN_OPTIONS: dict[str, Any] = {"intervals": False, "curve": False}

Recommender = Callable[..., Recommendation]
Assessor = Callable[..., Assessment]


@dataclass(frozen=True)
class Measured:
    """A recommended list's figures per bootstrap draw (draw 0 = point estimate)."""

    p_match_draws: np.ndarray
    interviews_draws: np.ndarray
    fees_usd: float
    programs: int
    listed: tuple[Program, ...] = field(repr=False, compare=False)  # most valuable first
    assessment: Assessment = field(repr=False, compare=False)  # the chances it was chosen from

    @cached_property
    def outcome(self) -> Outcome:
        """Point and interval (computed once: the baseline is compared with every step)."""
        p_match, interviews = intervals(
            np.column_stack((self.p_match_draws, self.interviews_draws))
        )
        return Outcome(
            p_match=Estimate(*p_match),
            expected_interviews=Estimate(*interviews),
            fees_usd=self.fees_usd,
            programs=self.programs,
        )


def price_between(base: Measured, changed: Measured, change: Mapping[str, Any]) -> Price:
    """The price of a change: both outcomes and the per-draw difference with its interval."""
    n = min(len(base.p_match_draws), len(changed.p_match_draws))
    delta_p, delta_i = intervals(
        np.column_stack(
            (
                changed.p_match_draws[:n] - base.p_match_draws[:n],
                changed.interviews_draws[:n] - base.interviews_draws[:n],
            )
        )
    )
    return Price(
        baseline=base.outcome,
        changed=changed.outcome,
        delta_p_match=Estimate(*delta_p),
        delta_expected_interviews=Estimate(*delta_i),
        delta_fees_usd=changed.fees_usd - base.fees_usd,
        change=dict(change),
    )


class Pricer:
    """Runs the optimizer (and the model) on profiles, each distinct what-if once per plan.

    The list options are the ones the results page passes to `recommend` (budget, count, value
    of a match, pinned and excluded programs; None or empty when not given), so a price and the
    page it links to show the same list. A list that is only priced is run as a
    `recommend.price_list` (its draws and fees, no rows or curve); with a `recommender` given
    (tests pass spies), every list is run by it, the priced ones with `LEAN_OPTIONS`.
    """

    def __init__(
        self,
        catalog: Catalog,
        budget_usd: float | None,
        recommender: Recommender | None = None,
        assessor: Assessor | None = None,
        *,
        count: int | None = None,
        match_value_usd: float | None = None,
        must_include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> None:
        self.catalog = catalog
        self.must_include = tuple(must_include)
        self.exclude = tuple(exclude)
        self.budget_usd = budget_usd
        self.count = count
        self.match_value_usd = match_value_usd
        self.recommender = recommender or recommend
        self.lister: Callable[..., Recommendation | PricedList] = (
            price_list
            if recommender is None
            else lambda profile, **options: recommender(profile, **options, **LEAN_OPTIONS)
        )
        self.assessor = assessor or assess
        self.runs = 0
        self._cache: dict[str, Measured] = {}
        self._assessments: dict[str, Assessment] = {}  # one model run per distinct profile

    def show(
        self, profile: ApplicantProfile, *, intervals: bool = True
    ) -> tuple[Measured, Recommendation]:
        """The list for `profile` with the list options, written out in full (rows, curve with
        intervals unless `intervals=False`) to be shown, and measured per draw."""
        profile_key = profile.model_dump_json()
        run = self.recommender if intervals else partial(self.recommender, intervals=False)
        rec = self._run(run, profile, profile_key, self.budget_usd, self.count)
        key = _key(profile_key, self.budget_usd, self.count)
        measured = self._cache[key] = _measured(rec)
        return measured, rec

    def measure(self, profile: ApplicantProfile, **options: Any) -> Measured:
        """The list for `profile` with the list options (`options`: budget_usd, count) measured
        per draw (priced, not shown)."""
        budget = options.get("budget_usd", self.budget_usd)
        count = options.get("count", self.count)
        if "count" in options and "budget_usd" not in options:
            budget = None  # a count asked for alone is not cut by the baseline's budget
        profile_key = profile.model_dump_json()
        key = _key(profile_key, budget, count)
        if key not in self._cache:
            run = self._run(self.lister, profile, profile_key, budget, count)
            self._cache[key] = _measured(run)
        return self._cache[key]

    def _run(
        self,
        run: Callable[..., _Run],
        profile: ApplicantProfile,
        profile_key: str,  # the profile as JSON, read once by the caller
        budget: float | None,
        count: int | None,
    ) -> _Run:
        checkpoint()  # each priced what-if re-runs the model and the optimizer
        result = run(
            profile,
            budget_usd=budget,
            count=count,
            match_value_usd=self.match_value_usd,
            must_include=self.must_include,
            exclude=self.exclude,
            catalog=self.catalog,
            assessment=self._assessments.get(profile_key),
        )
        self._assessments[profile_key] = result.assessment
        self.runs += 1
        return result


_Run = TypeVar("_Run", bound=Recommendation | PricedList)


def _key(profile_key: str, budget: float | None, count: int | None) -> str:
    """A list's key in a pricer's cache: the profile (as JSON) and the list options."""
    return f"{profile_key}|{budget}|{count}"


def _measured(run: Recommendation | PricedList) -> Measured:
    """Per-draw P(match) and expected interviews of a list, with its fees and size (a spy's
    priced list is a whole `Recommendation`: its rows give the programs)."""
    listed = (
        tuple(row.program for row in run.programs)
        if isinstance(run, Recommendation)
        else run.programs
    )
    return Measured(
        p_match_draws=np.asarray(run.p_match_draws, dtype=float),
        interviews_draws=np.asarray(run.expected_interviews_draws, dtype=float),
        fees_usd=float(run.total_fees_usd),
        programs=len(listed),
        listed=listed,
        assessment=run.assessment,
    )


def whole_plan_price(
    profile: ApplicantProfile, steps: Sequence[PlanStep], runner: Pricer, base: Measured
) -> Price | None:
    """Every priced step at once (not the volume step), against the same baseline as each."""
    merged: dict[str, Any] = {}
    against: dict[str, Any] = {}
    priced = 0
    for step in steps:
        if step.price is None or step.change is None or step.id == "volume_mix":
            continue
        priced += 1
        merged.update(step.change)
        compare_with = step.details.get("compare_with")
        if isinstance(compare_with, Mapping):
            against.update(compare_with)
    if priced < 2:
        return None
    try:
        if against:
            base = runner.measure(apply_changes(profile, against)[0])
        changed_profile, options = apply_changes(profile, merged)
        changed = runner.measure(changed_profile, **options)
    except SmartPickError:
        return None
    return price_between(base, changed, merged)


def price_step(
    step: PlanStep, profile: ApplicantProfile, runner: Pricer, base: Measured, today: _dt.date
) -> PlanStep:
    """`step` with its price (re-running the list on the changed profile) and its step-specific
    extras; `today` dates the policy facts they state."""
    if step.change is None:
        return step
    compare_with = step.details.get("compare_with")
    try:
        if isinstance(compare_with, Mapping):  # priced against a stated alternative, not as is
            base = runner.measure(apply_changes(profile, compare_with)[0])
        changed_profile, options = apply_changes(profile, step.change)
        changed = runner.measure(changed_profile, **options)
    except SmartPickError as exc:
        return step.with_price(None, error=exc.message)
    price = price_between(base, changed, step.change)
    if isinstance(compare_with, Mapping):
        price = replace(price, note="compared with " + change_words(compare_with, profile))
    note = str(step.details.get("priced_as", ""))
    priced = step.with_price(replace(price, note=note) if note else price)
    if step.id == "step3" and profile.visa == "j1":
        priced = _h1b_option(priced, profile, runner, base, today)
    if step.id == "usce" and step.details.get("tie_programs"):
        priced = _tie_price(priced, profile, runner, base)
    if step.id == "second_specialty":
        priced = _second_specialty_details(priced, profile, runner, base, changed)
    if step.id == "research":
        priced = _research_words(priced, price)
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
    first = profile.specialties[0]
    try:
        changed_profile, _ = apply_changes(profile, change)
        measured = runner.measure(changed_profile)
    except SmartPickError:
        return step
    # eligible programs of the lists' own chances (counted in their facts, not their objects)
    opened = int(np.count_nonzero(measured.assessment.facts["specialty"] == first)) - int(
        np.count_nonzero(base.assessment.facts["specialty"] == first)
    )
    price = price_between(base, measured, change)
    payment = h1b_payment()
    d = price.delta_p_match
    action = (
        f"If you would also train on an H-1B, Step 3 opens {opened} more {first} programs to "
        f"you; with both visas your chance of matching changes by {points(d.point)} "
        f"percentage points (likely {points(d.low)} to {points(d.high)}). "
        f"S{payment.in_force(today)[1:]}, so programs may sponsor fewer H-1B visas "
        "than they state."
    )
    details = {**step.details, "h1b_option": {"programs_opened": opened, "price": price.to_dict()}}
    return replace(step, actions=(*step.actions, action), details=details)


def _tie_price(
    step: PlanStep, profile: ApplicantProfile, runner: Pricer, base: Measured
) -> PlanStep:
    """The same USCE months done at the first listed program, where they count as a tie."""
    ties = step.details.get("tie_programs")
    if not isinstance(ties, list) or not ties or not isinstance(ties[0], Mapping):
        return step
    top = ties[0]
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
        + ", ".join(f"{n} {name}" for name, n in split.items())
        + f" programs ({joint.fees_usd:,.0f} USD).",
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


def _research_words(step: PlanStep, price: Price) -> PlanStep:
    """Research worded to match its measured price: the guide calls it a significant plus, but
    matched and unmatched non-US IMGs report the same amount (Charting Outcomes 2026), so the
    model gives it little; when the price is small, the step says so and why to do it anyway."""
    d = price.delta_p_match
    if d.point >= SMALL_GAIN:
        return step
    line = (
        f"By itself it changes your chance of matching by only {points(d.point)} percentage "
        "points: matched and unmatched non-US IMGs report the same amount of research (NRMP "
        "Charting Outcomes 2026), and it counts mostly at university programs. Do it for what "
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
        f"{price.changed.programs} programs instead of {price.baseline.programs} "
        f"{'add' if more > 0 else 'change your chance by'} {points(d.point)} percentage "
        f"points ({points(d.low)} to {points(d.high)}) for {price.delta_fees_usd:+,.0f} USD"
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
