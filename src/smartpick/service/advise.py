"""The strategy advisor as a use case: the guide's plan for one applicant, each step priced.

`advise(profile)` builds the plan (`core.plan`) from the profile, the catalog and the baseline
optimized list, then prices every step that has a what-if (`PlanStep.change`) by re-running the
model and the optimizer on the changed profile (`service.pricing`): P(match), expected interviews
and fees, before and after, with the change measured per bootstrap draw so its interval is the
interval of the difference. Each red flag is measured too: how many programs it narrows.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from smartpick.core.chances.predict import shared_checks
from smartpick.core.lists.result import Recommendation
from smartpick.core.plan.assemble import assess_standing, build_plan
from smartpick.core.plan.counts import catalog_counts
from smartpick.core.plan.guide import GUIDE_VOLUME
from smartpick.core.plan.standing import match_rates
from smartpick.core.plan.summary import summarize
from smartpick.core.plan.types import PLAN_MONTHS, ListFacts, Plan, RedFlag
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.rules.policy import entry_condition
from smartpick.core.rules.season import Season
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.pricing import Assessor, Pricer, Recommender, whole_plan_price
from smartpick.service.step_prices import price_step

# A flag "narrows" a program when removing it raises P(interview) by >= 1 point and >= 10%.
NARROWED_MIN_GAIN = 0.01
NARROWED_MIN_RATIO = 1.10


@shared_checks()  # the what-ifs' assessments share their eligibility checks (one call's)
def advise(
    profile: ApplicantProfile,
    *,
    budget_usd: float | None = None,
    match_value_usd: float | None = None,
    catalog: Catalog | None = None,
    today: _dt.date | None = None,
    recommender: Recommender | None = None,
    assessor: Assessor | None = None,
    with_list: bool = True,
) -> Plan:
    """The guide's plan for this applicant, each priceable step priced by re-running the model.

    The lists use `budget_usd` (default: the profile's) and `match_value_usd` (what a match is
    worth, default the reference salary) exactly as `recommend` does.

    `recommender`/`assessor` default to `service.recommend.recommend` (the shown list; the
    priced ones run as `recommend.price_list`) and `service.assess.assess`; a recommender given
    (tests pass spies to prove the prices come from it) runs every list (`pricing.Pricer`).

    `with_list=False`: the plan without its list and curve (`recommended` and `curve` empty), for
    a caller that shows the plan alone (the web's plan panel): the same steps, prices, baseline
    and words, without the list's rows and the curve's intervals.
    """
    catalog = catalog or open_catalog()
    budget = budget_usd if budget_usd is not None else profile.budget_usd
    runner = Pricer(catalog, budget_usd, recommender, assessor, match_value_usd=match_value_usd)
    today = today or _dt.date.today()
    base, shown = runner.show(profile, intervals=with_list)  # the plan's list and its curve
    base_p = base.assessment.interview_points()  # the list's own chances
    # the programs the results page counts as ruled out, by rule: one count for every face
    shut = base.assessment.exclusion_rules()
    counts = tuple(
        catalog_counts(profile, s, catalog.programs(specialty=s), shut=shut, p_interview=base_p)
        for s in profile.specialties
    )
    standing = assess_standing(profile)
    plan = build_plan(
        profile,
        standing=standing,
        counts=counts,
        list_facts=_list_facts(shown, budget),
        match_rates=match_rates(),
        months_to_eras_open=Season(profile.match_year).months_from_opening(today),
        today=today,
    )
    steps = [price_step(step, profile, runner, base, today) for step in plan.steps]
    flags = _measure_flags(profile, plan.red_flags, runner, base_p, catalog)
    notes = _notes(profile, plan.months_to_eras_open, today)
    if plan.timeline:
        span = max(t.end_month for t in plan.timeline)
        notes.append(
            f"The timeline runs {span} months from today to the end of the interview season "
            f"(the guide: a structured plan over {PLAN_MONTHS[0]}-{PLAN_MONTHS[1]} months)."
        )
    priced = replace(
        plan,
        steps=tuple(steps),
        baseline=base.outcome,
        whole_plan=whole_plan_price(profile, steps, runner, base),
    )
    return replace(
        priced,
        summary=summarize(priced, entry_condition(profile)),
        red_flags=tuple(flags),
        recommended=shown.programs if with_list else (),
        profile_name=profile.name,
        notes=tuple(notes),
        prepared_on=today,
        curve=shown.curve if with_list else (),
        stop_at_applications=shown.stop_at_applications,
        institutions=shown.institutions,
    )


def _measure_flags(
    profile: ApplicantProfile,
    flags: Sequence[RedFlag],
    runner: Pricer,
    base_p: Mapping[str, float],
    catalog: Catalog,
) -> list[RedFlag]:
    """Each measurable flag's narrowed programs, over every specialty the flags count."""
    counterfactuals = _flag_counterfactuals(profile, {f.id for f in flags})
    out = []
    for flag in flags:
        change = counterfactuals.get(flag.id)
        if change is None:
            out.append(flag)
            continue
        without = runner.assessor(
            apply_changes(profile, change)[0], specialties=profile.specialties, catalog=catalog
        )
        narrowed, cut = _narrowed(base_p, without.interview_points())
        out.append(replace(flag, programs_narrowed=narrowed, median_interview_cut=cut))
    return out


def _flag_counterfactuals(
    profile: ApplicantProfile, flag_ids: set[str]
) -> dict[str, dict[str, Any]]:
    """The profile change that removes each red flag the model can measure."""
    first = profile.specialties[0]
    out: dict[str, dict[str, Any]] = {}
    if "failed_attempt" in flag_ids:
        change: dict[str, Any] = {"step1_attempts": 1, "step2ck_attempts": 1, "step3_attempts": 1}
        if profile.step1 == "fail_then_pass":
            change["step1"] = "pass"
        out["failed_attempt"] = change
    if "long_since_graduation" in flag_ids:
        out["long_since_graduation"] = {"graduation_year": profile.match_year - 1}
    if "no_usce" in flag_ids:
        out["no_usce"] = {"usce_months": 3.0}
    if "no_us_letters" in flag_ids:
        out["no_us_letters"] = {"add_us_letters_in": {first: 2}}
    return out


def _narrowed(base: Mapping[str, float], without_flag: Mapping[str, float]) -> tuple[int, float]:
    """Programs the flag clearly narrows, and the share of P(interview) it costs at the median."""
    ids = [pid for pid in base if pid in without_flag]
    if not ids:
        return 0, 0.0
    with_flag = np.array([base[pid] for pid in ids])
    without = np.array([without_flag[pid] for pid in ids])
    narrowed = (without - with_flag >= NARROWED_MIN_GAIN) & (
        without >= NARROWED_MIN_RATIO * with_flag
    )
    ratio = np.where(without > 0, with_flag / np.maximum(without, 1e-12), 1.0)
    return int(narrowed.sum()), float(max(0.0, 1.0 - np.median(ratio)))


def _list_facts(rec: Recommendation, budget_usd: float | None) -> ListFacts:
    settings: dict[str, int] = {}
    for row in rec.programs:
        setting = row.program.setting.value or "unknown"
        settings[setting] = settings.get(setting, 0) + 1
    return ListFacts(
        programs=len(rec.programs),
        how_many=rec.how_many,
        p_match_by_count=[(pt.applications, pt.p_match_point) for pt in rec.curve],
        settings=settings,
        budget_usd=budget_usd,
    )


def _notes(profile: ApplicantProfile, months: int, today: _dt.date) -> list[str]:
    notes = []
    opened = Season(profile.match_year).opened_words(today)
    if opened is not None:
        notes.append(
            f"{opened}: steps that need months of preparation count for the following season "
            f"(the {profile.match_year + 1} Match)."
        )
    when = "its ERAS season is open" if months <= 0 else f"ERAS opens in about {months} months"
    notes.append(
        f"Every price keeps your season (the {profile.match_year} Match; {when}) so it shows "
        "what the step alone changes. Each price re-runs the model "
        "and your list on the changed profile; 'likely' ranges take the model's own uncertainty "
        "into account (8 times in 10 the change is inside them)."
    )
    lo, hi = GUIDE_VOLUME
    notes.append(f"The guide's rule of thumb for volume is {lo}-{hi} applications.")
    return notes
