"""Pricing a what-if: re-run the optimizer (and the model) on the changed profile and compare.

A `Measured` list keeps its P(match) and expected interviews per bootstrap draw, so a change's
interval is the interval of the per-draw difference. `Pricer` runs each distinct what-if once per
plan (`service.step_prices` prices each plan step with them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, TypeVar

import numpy as np

from smartpick.core.cancellation import checkpoint
from smartpick.core.chances.estimate import Estimate
from smartpick.core.chances.matrix import intervals
from smartpick.core.chances.results import Assessment
from smartpick.core.lists.result import Recommendation
from smartpick.core.plan.types import Outcome, PlanStep, Price
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.programs import Program
from smartpick.errors import SmartPickError
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import price_list, recommend
from smartpick.service.recommendation import PricedList

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
    priced = 0
    for step in steps:
        if step.price is None or step.change is None or step.id == "volume_mix":
            continue
        priced += 1
        merged.update(step.change)
    if priced < 2:
        return None
    try:
        changed_profile, options = apply_changes(profile, merged)
        changed = runner.measure(changed_profile, **options)
    except SmartPickError:
        return None
    return price_between(base, changed, merged)
