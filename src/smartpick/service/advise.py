"""The strategy advisor as a use case: the guide's plan for one applicant, each step priced.

`advise(profile)` builds the plan (`smartpick.core.advisor`) from the profile, the catalog and the
baseline optimized list, then prices every step that has a what-if (`PlanStep.change`) by
re-running the model (`service.chances.assess`) and the optimizer (`service.recommend.recommend`)
on the changed profile: P(match), expected interviews and fees, before and after, with the change
measured per bootstrap draw so its interval is the interval of the difference.

`whatif(profile, changes)` prices any set of changes on demand (`smartpick whatif --set ...`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from smartpick.core.advisor import (
    GUIDE_VOLUME,
    ApplicantFacts,
    CatalogCounts,
    ListFacts,
    TieProgram,
    assess_standing,
    build_plan,
    summarize,
)
from smartpick.core.chances import interval
from smartpick.core.outcomes import Distribution, charting_outcomes, outcomes_for
from smartpick.core.plan import (
    PLAN_MONTHS,
    ChangeValue,
    Estimate,
    Outcome,
    Plan,
    PlanStep,
    Price,
    RedFlag,
)
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.specialties import resolve_specialty
from smartpick.core.standing import FiveNumber, SpecialtyStanding, place_score
from smartpick.errors import InvalidInput, SmartPickError
from smartpick.service.catalog import Catalog, open_catalog

CO_SOURCE = "NRMP Charting Outcomes 2026, non-US IMGs"
# A flag "narrows" a program when removing it raises P(interview) by >= 1 point and >= 10%.
NARROWED_MIN_GAIN = 0.01
NARROWED_MIN_RATIO = 1.10
TIE_PROGRAMS_SHOWN = 10
# Going past the curve's stop "pays" when the extra programs add at least this much P(match).
VOLUME_WORTH_PP = 2.0
TIE_SETTINGS = ("university", "university_affiliated_community")


# --- Charting Outcomes ---------------------------------------------------------------------


def _five_number(d: Distribution | None) -> FiveNumber | None:
    if d is None or not d.published or d.minimum is None or d.maximum is None:
        return None
    assert d.q1 is not None and d.median is not None and d.q3 is not None
    return FiveNumber(d.n, d.minimum, d.q1, d.median, d.q3, d.maximum)


@cache
def match_rates_pct() -> dict[str, float]:
    """Non-US IMG match rate per catalog specialty, Charting Outcomes 2026 (matched / preferring)."""
    rates: dict[str, float] = {}
    for o in charting_outcomes():
        try:
            name = resolve_specialty(o.specialty).name
        except InvalidInput:
            continue
        rates[name] = round(100.0 * o.match_rate, 1)
    return rates


def specialty_standing(specialty: str, step2ck: int | None) -> SpecialtyStanding | None:
    """Step 2 CK among the specialty's 2026 matched and unmatched non-US IMGs (None if unpublished)."""
    spec = resolve_specialty(specialty)
    if step2ck is None or spec.charting_outcomes is None:
        return None
    outcomes = outcomes_for(spec.charting_outcomes)
    if outcomes is None:
        return None
    matched = _five_number(outcomes.step2ck_matched)
    unmatched = _five_number(outcomes.step2ck_not_matched)
    if matched is None or unmatched is None:
        return None
    return place_score(
        spec.name,
        step2ck,
        matched,
        unmatched,
        match_rate_pct=round(100.0 * outcomes.match_rate, 1),
        source=CO_SOURCE,
    )


# --- profile -> advisor facts ----------------------------------------------------------------


def applicant_facts(profile: ApplicantProfile) -> ApplicantFacts:
    """The advisor's view of a profile."""
    first = profile.specialties[0]
    step1_score = profile.step1 if isinstance(profile.step1, int) else None
    return ApplicantFacts(
        applicant_type=profile.applicant_type,
        visa=profile.visa,
        step1_status=profile.step1_status,
        step1_score=step1_score,
        step2ck_score=profile.step2ck,
        step2ck_attempts=profile.step2ck_attempts,
        step3_score=profile.step3,
        years_since_graduation=profile.years_since_graduation,
        usce_hands_on_months=profile.usce_hands_on_months,
        usce_observership_months=profile.usce_observership_months,
        us_letters=profile.us_letters,
        us_letters_in_specialty=profile.letters_in(first),
        abstracts=profile.abstracts,
        posters=profile.posters,
        publications=profile.publications,
        languages=profile.languages,
        specialties=profile.specialties,
        preferred_regions=profile.preferred_regions,
        step3_attempts=profile.step3_attempts,
    )


def today_opening(profile: ApplicantProfile, today: _dt.date) -> _dt.date:
    """The next ERAS opening (June 1) for the profile's Match, or the first one after today."""
    opening = _dt.date(profile.match_year - 1, 6, 1)
    while opening < today:
        opening = opening.replace(year=opening.year + 1)
    return opening


def months_to_eras_open(profile: ApplicantProfile, today: _dt.date) -> int:
    """Whole months from today to that ERAS opening."""
    opening = today_opening(profile, today)
    return (opening.year - today.year) * 12 + opening.month - today.month


# --- catalog figures -----------------------------------------------------------------------


def _applies_track(p: Program) -> bool:
    return p.track in ("categorical", "single")


def _sponsors(p: Program, visa: str) -> bool | None:
    """True/False when the catalog states it; None when unknown."""
    j1, h1b = p.visa_j1.value, p.visa_h1b.value
    if visa == "none":
        return True
    if visa == "j1":
        return None if j1 is None else j1 == "yes"
    if visa == "h1b":
        return None if h1b is None else h1b == "yes"
    if j1 == "yes" or h1b == "yes":
        return True
    return None if j1 is None or h1b is None else False


def catalog_counts(
    profile: ApplicantProfile,
    programs: Sequence[Program],
    *,
    p_interview: Mapping[str, float] | None = None,
) -> CatalogCounts:
    """Visa, H-1B and rule counts for the first specialty, and the programs that would be ties."""
    specialty = profile.specialties[0]
    ps = [p for p in programs if p.specialty == specialty and _applies_track(p)]
    sponsors = [_sponsors(p, profile.visa) for p in ps]
    years = profile.years_since_graduation
    shut_yog = sum(
        1
        for p in ps
        if p.max_years_since_graduation.value is not None
        and years > p.max_years_since_graduation.value
    )
    has_usce = profile.usce_hands_on_months + profile.usce_observership_months > 0
    shut_usce = 0 if has_usce else sum(1 for p in ps if p.usce_required.value is True)
    candidates = [
        p
        for p, ok in zip(ps, sponsors, strict=True)
        if ok is not False and p.setting.value in TIE_SETTINGS
    ]
    if p_interview:
        candidates.sort(key=lambda p: (-p_interview.get(p.id, 0.0), p.id))
    else:
        candidates.sort(key=lambda p: (-(p.pct_non_us_img.value or 0.0), p.id))
    ties = tuple(
        TieProgram(
            program_id=p.id,
            name=p.name,
            city=p.city.value,
            state=p.state.value,
            setting=p.setting.value,
            pct_non_us_img=p.pct_non_us_img.value,
        )
        for p in candidates[:TIE_PROGRAMS_SHOWN]
    )
    return CatalogCounts(
        specialty=specialty,
        programs_total=len(ps),
        visa_sponsoring=sum(1 for s in sponsors if s is True),
        visa_not_sponsoring=sum(1 for s in sponsors if s is False),
        visa_unknown=sum(1 for s in sponsors if s is None),
        h1b_programs=sum(1 for p in ps if p.visa_h1b.value == "yes"),
        h1b_only_programs=sum(
            1 for p in ps if p.visa_h1b.value == "yes" and p.visa_j1.value != "yes"
        ),
        shut_by_graduation_limit=shut_yog,
        shut_by_usce_requirement=shut_usce,
        tie_candidates=ties,
    )


# --- what-ifs ------------------------------------------------------------------------------


def parse_change_value(key: str, text: str) -> ChangeValue:
    """A `--set key=value` value: numbers, booleans, or a comma list for `specialties`."""
    raw = text.strip()
    if key in ("specialties", "languages", "preferred_states", "preferred_regions", "ties_states"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if raw.casefold() in ("true", "yes"):
        return True
    if raw.casefold() in ("false", "no"):
        return False
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def apply_changes(
    profile: ApplicantProfile, changes: Mapping[str, Any]
) -> tuple[ApplicantProfile, dict[str, Any]]:
    """The changed profile and the list options (count, budget) a what-if asks for.

    Advisor keys: `step3`, `step2ck` (scores), `usce_months` (total hands-on months), `us_letters`
    (US letters in the first specialty, total), `abstracts`/`posters`/`publications` (totals),
    `specialties` (the new list), `count`, `budget_usd`. Any other profile field is set as is.
    """
    profile_changes: dict[str, Any] = {}
    options: dict[str, Any] = {}
    first = profile.specialties[0]
    for key, value in changes.items():
        if key == "count":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 400:
                raise InvalidInput(f"count: {value!r} is out of range; allowed 1-400", field=key)
            options["count"] = value
        elif key == "budget_usd":
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise InvalidInput(f"budget_usd: {value!r} must be 0 or more", field=key)
            options["budget_usd"] = float(value)
        elif key == "us_letters":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 20:
                raise InvalidInput(
                    f"us_letters: {value!r} is out of range; allowed 0-20", field=key
                )
            extra = value - profile.letters_in(first)
            if extra > 0:
                profile_changes["add_us_letters_in"] = {first: extra}
        elif key == "specialties" and isinstance(value, str):
            profile_changes[key] = tuple(v.strip() for v in value.split(",") if v.strip())
        else:
            profile_changes[key] = value
    changed = profile.with_changes(profile_changes) if profile_changes else profile
    return changed, options


# --- measuring a list --------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """A recommended list's figures per bootstrap draw (draw 0 = point estimate)."""

    p_match_draws: np.ndarray
    interviews_draws: np.ndarray
    fees_usd: float
    programs: int
    recommendation: Any = field(repr=False, compare=False)

    def outcome(self) -> Outcome:
        """Point and interval."""
        return Outcome(
            p_match=Estimate(*interval(self.p_match_draws)),
            expected_interviews=Estimate(*interval(self.interviews_draws)),
            fees_usd=self.fees_usd,
            programs=self.programs,
        )


def price_between(base: Measured, changed: Measured, change: Mapping[str, Any]) -> Price:
    """The price of a change: both outcomes and the per-draw difference with its interval."""
    n = min(len(base.p_match_draws), len(changed.p_match_draws))
    return Price(
        baseline=base.outcome(),
        changed=changed.outcome(),
        delta_p_match=Estimate(*interval(changed.p_match_draws[:n] - base.p_match_draws[:n])),
        delta_expected_interviews=Estimate(
            *interval(changed.interviews_draws[:n] - base.interviews_draws[:n])
        ),
        delta_fees_usd=changed.fees_usd - base.fees_usd,
        change=dict(change),
    )


Recommender = Callable[..., Any]
Assessor = Callable[..., Any]


def _default_recommender() -> Recommender:
    from smartpick.service.recommend import recommend

    return recommend


def _default_assessor() -> Assessor:
    from smartpick.service.chances import assess

    return assess


class _Runner:
    """Runs the optimizer (and the model) on profiles, each distinct what-if once."""

    def __init__(
        self,
        catalog: Catalog,
        budget_usd: float | None,
        recommender: Recommender,
        assessor: Assessor,
    ) -> None:
        self.catalog = catalog
        self.budget_usd = budget_usd
        self.recommender = recommender
        self.assessor = assessor
        self.runs = 0
        self._cache: dict[str, Measured] = {}

    def measure(self, profile: ApplicantProfile, **options: Any) -> Measured:
        budget = options.get("budget_usd", self.budget_usd)
        count = options.get("count")
        if "count" in options and "budget_usd" not in options:
            budget = None  # a count asked for alone is not cut by the baseline's budget
        key = f"{profile.model_dump_json()}|{budget}|{count}"
        if key not in self._cache:
            rec = self.recommender(profile, budget_usd=budget, count=count, catalog=self.catalog)
            self.runs += 1
            self._cache[key] = measure_recommendation(rec)
        return self._cache[key]


def measure_recommendation(rec: Any) -> Measured:
    """Per-draw P(match) and expected interviews of a `Recommendation`, with its fees and size."""
    p_draws = np.asarray(rec.p_match_draws, dtype=float)
    i_draws = np.asarray(rec.expected_interviews_draws, dtype=float)
    return Measured(
        p_match_draws=p_draws,
        interviews_draws=i_draws,
        fees_usd=float(rec.total_fees_usd),
        programs=len(rec.programs),
        recommendation=rec,
    )


# --- the use cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    """The price of a set of changes to a profile."""

    changes: Mapping[str, Any]
    price: Price
    runs: int  # optimizer runs made
    added: tuple[Mapping[str, object], ...] = ()  # programs in the changed list only
    removed: tuple[Mapping[str, object], ...] = ()  # programs in the baseline list only

    def to_dict(self) -> dict[str, object]:
        """JSON contract (docs/advisor.md)."""
        return {
            "changes": _jsonable(self.changes),
            **self.price.to_dict(),
            "runs": self.runs,
            "list_changes": {"added": list(self.added), "removed": list(self.removed)},
        }


def _list_difference(
    base: Measured, changed: Measured
) -> tuple[tuple[Mapping[str, object], ...], tuple[Mapping[str, object], ...]]:
    """Programs only in the changed list, and only in the baseline list (by list order)."""

    def rows(m: Measured) -> dict[str, Mapping[str, object]]:
        return {
            row.program.id: {
                "program_id": row.program.id,
                "name": row.program.name,
                "state": row.program.state.value,
                "specialty": row.program.specialty,
            }
            for row in m.recommendation.programs
        }

    before, after = rows(base), rows(changed)
    added = tuple(r for pid, r in after.items() if pid not in before)
    removed = tuple(r for pid, r in before.items() if pid not in after)
    return added, removed


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def whatif(
    profile: ApplicantProfile,
    changes: Mapping[str, Any],
    *,
    budget_usd: float | None = None,
    catalog: Catalog | None = None,
    recommender: Recommender | None = None,
    assessor: Assessor | None = None,
) -> WhatIf:
    """Price `changes` by re-running the optimizer on the changed profile (same list options)."""
    if not changes:
        raise InvalidInput("changes: give at least one change, e.g. step3=235", field="changes")
    runner = _Runner(
        catalog or open_catalog(),
        budget_usd if budget_usd is not None else profile.budget_usd,
        recommender or _default_recommender(),
        assessor or _default_assessor(),
    )
    changed_profile, options = apply_changes(profile, changes)
    base = runner.measure(profile)
    changed = runner.measure(changed_profile, **options)
    added, removed = _list_difference(base, changed)
    return WhatIf(
        changes=dict(changes),
        price=price_between(base, changed, changes),
        runs=runner.runs,
        added=added,
        removed=removed,
    )


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


# --- reading the model's and the optimizer's results (their contracts) ---------------------------


def _p_interview_by_program(assessment: Any) -> dict[str, float]:
    """Point P(interview) (no signal, integrated over u) per program id of an `Assessment`."""
    chances = assessment.chances
    point = chances.interview[0] @ chances.weights
    return {pid: float(p) for pid, p in zip(chances.program_ids, point, strict=True)}


def _list_facts(rec: Any, budget_usd: float | None) -> ListFacts:
    settings: dict[str, int] = {}
    for row in rec.programs:
        setting = row.program.setting.value or "unknown"
        settings[setting] = settings.get(setting, 0) + 1
    return ListFacts(
        programs=len(rec.programs),
        stop_count=rec.stop_at_applications,
        stop_threshold_pp=float(rec.stop_threshold_pp),
        p_match_by_count=[(pt.applications, pt.p_match.point) for pt in rec.curve],
        settings=settings,
        budget_usd=budget_usd,
    )


def _recommended_rows(rec: Any) -> tuple[dict[str, object], ...]:
    rows = []
    for row in rec.programs:
        program = row.program
        est = row.p_interview
        rows.append(
            {
                "rank": row.rank,
                "program_id": program.id,
                "name": program.name,
                "specialty": program.specialty,
                "city": program.city.value,
                "state": program.state.value,
                "setting": program.setting.value,
                "tier": row.tier,
                "p_interview": {"point": est.point, "low": est.low, "high": est.high},
                "p_interview_text": (
                    f"{100 * est.point:.0f}% ({100 * est.low:.0f}-{100 * est.high:.0f}%)"
                ),
                "signal": row.signal,
                "fee_usd": row.fee_usd,
            }
        )
    return tuple(rows)


def advise(
    profile: ApplicantProfile,
    *,
    budget_usd: float | None = None,
    catalog: Catalog | None = None,
    today: _dt.date | None = None,
    recommender: Recommender | None = None,
    assessor: Assessor | None = None,
) -> Plan:
    """The guide's plan for this applicant, each priceable step priced by re-running the model.

    `recommender`/`assessor` default to `service.recommend.recommend` and
    `service.chances.assess` (tests pass spies to prove the prices come from them).
    """
    catalog = catalog or open_catalog()
    budget = budget_usd if budget_usd is not None else profile.budget_usd
    runner = _Runner(
        catalog,
        budget,
        recommender or _default_recommender(),
        assessor or _default_assessor(),
    )
    today = today or _dt.date.today()
    facts = applicant_facts(profile)
    first = profile.specialties[0]
    base = runner.measure(profile)
    base_p = _p_interview_by_program(runner.assessor(profile, specialties=[first], catalog=catalog))
    counts = catalog_counts(profile, catalog.programs(specialty=first), p_interview=base_p)
    standing = assess_standing(facts, specialty_standing(first, profile.step2ck), match_rates_pct())
    plan = build_plan(
        facts,
        standing=standing,
        counts=counts,
        list_facts=_list_facts(base.recommendation, budget),
        match_rates_pct=match_rates_pct(),
        months_to_eras_open=months_to_eras_open(profile, today),
    )
    steps = [_priced(step, profile, runner, base) for step in plan.steps]
    flags = _measure_flags(profile, plan.red_flags, runner, base_p, catalog)
    notes = _notes(profile, standing.specialty, plan.months_to_eras_open, today)
    if plan.timeline:
        span = max(t.end_month for t in plan.timeline)
        notes.append(
            f"The timeline runs {span} months from today to the end of the interview season "
            f"(the guide: a structured plan over {PLAN_MONTHS[0]}-{PLAN_MONTHS[1]} months)."
        )
    priced = replace(
        plan,
        steps=tuple(steps),
        baseline=base.outcome(),
        whole_plan=_whole_plan(profile, steps, runner, base),
    )
    return replace(
        priced,
        summary=summarize(priced),
        red_flags=tuple(flags),
        recommended=_recommended_rows(base.recommendation),
        profile_name=profile.name,
        notes=tuple(notes),
        prepared_on=today,
        curve=tuple(
            {
                "applications": pt.applications,
                "fees_usd": pt.fees_usd,
                "p_match": pt.p_match.to_dict(),
            }
            for pt in base.recommendation.curve
        ),
        stop_at_applications=base.recommendation.stop_at_applications,
    )


def _whole_plan(
    profile: ApplicantProfile, steps: Sequence[PlanStep], runner: _Runner, base: Measured
) -> Price | None:
    """Every priced step at once (not the volume step), against the same baseline as each."""
    merged: dict[str, Any] = {}
    against: dict[str, Any] = {}
    for step in steps:
        if step.price is None or step.change is None or step.id == "volume_mix":
            continue
        merged.update(step.change)
        compare_with = step.details.get("compare_with")
        if isinstance(compare_with, Mapping):
            against.update(compare_with)
    if len(merged) < 2:
        return None
    try:
        if against:
            base = runner.measure(apply_changes(profile, against)[0])
        changed_profile, options = apply_changes(profile, merged)
        changed = runner.measure(changed_profile, **options)
    except SmartPickError:
        return None
    return price_between(base, changed, merged)


def _priced(step: PlanStep, profile: ApplicantProfile, runner: _Runner, base: Measured) -> PlanStep:
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
        price = replace(
            price,
            note="against " + ", ".join(f"{k}={v}" for k, v in compare_with.items()),
        )
    note = str(step.details.get("priced_as", ""))
    priced = step.with_price(replace(price, note=note) if note else price)
    if step.id == "step3" and profile.visa == "j1":
        priced = _h1b_option(priced, profile, runner, base)
    if step.id == "usce" and step.details.get("tie_programs"):
        priced = _tie_price(priced, profile, runner, base)
    if step.id == "second_specialty":
        priced = _second_specialty_details(priced, profile, runner, base, changed)
    if step.id == "volume_mix":
        priced = replace(priced, actions=(*priced.actions, *_volume_verdict(price)))
        broader = price.changed.programs - price.baseline.programs
        if broader > 0 and price.delta_p_match.point >= VOLUME_WORTH_PP / 100:
            stop = price.baseline.programs
            priced = replace(
                priced,
                title=f"Apply to about {stop} programs, up to {price.changed.programs} budget "
                "permitting, mixing university and affiliated community",
            )
    return priced


def _h1b_option(
    step: PlanStep, profile: ApplicantProfile, runner: _Runner, base: Measured
) -> PlanStep:
    """What Step 3 opens to a J-1 applicant who would also take an H-1B: eligible programs gained
    (the model's hard rules: H-1B needs a passed Step 3) and the list's price with both."""
    change = {**step.change, "visa": "either"} if step.change else {"visa": "either"}
    first = profile.specialties[0]
    try:
        changed_profile, _ = apply_changes(profile, change)
        before = runner.assessor(profile, specialties=[first], catalog=runner.catalog)
        after = runner.assessor(changed_profile, specialties=[first], catalog=runner.catalog)
        measured = runner.measure(changed_profile)
    except SmartPickError:
        return step
    opened = len(after.chances.program_ids) - len(before.chances.program_ids)
    price = price_between(base, measured, change)
    d = price.delta_p_match
    action = (
        f"If you would also train on an H-1B, Step 3 makes {opened} more {first} programs "
        f"eligible; with both visas the list's P(match) changes {100 * d.point:+.1f} pp "
        f"({100 * d.low:+.1f} to {100 * d.high:+.1f})."
    )
    details = {**step.details, "h1b_option": {"programs_opened": opened, "price": price.to_dict()}}
    return replace(step, actions=(*step.actions, action), details=details)


def _tie_price(
    step: PlanStep, profile: ApplicantProfile, runner: _Runner, base: Measured
) -> PlanStep:
    """The same USCE months done at the first listed program, where they count as a tie."""
    top = step.details["tie_programs"][0]
    assert isinstance(top, Mapping)
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
        f"Done at {top['name']} ({place}), the same months also count as a tie there: "
        f"P(match) {100 * d.point:+.1f} pp ({100 * d.low:+.1f} to {100 * d.high:+.1f})"
        + (
            f", against {100 * step.price.delta_p_match.point:+.1f} pp for the months elsewhere."
            if step.price is not None
            else "."
        )
    )
    details = {**step.details, "tie_price": {"program_id": top["program_id"], **price.to_dict()}}
    return replace(step, actions=(*step.actions, action), details=details)


def _by_specialty(measured: Measured) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in measured.recommendation.programs:
        counts[row.program.specialty] = counts.get(row.program.specialty, 0) + 1
    return counts


def _second_specialty_details(
    step: PlanStep,
    profile: ApplicantProfile,
    runner: _Runner,
    base: Measured,
    joint: Measured,
) -> PlanStep:
    """The joint list's split, and the guide's other pairings priced the same way."""
    first = profile.specialties[0]
    split = _by_specialty(joint)
    alternatives = []
    for other in step.details.get("alternatives", ()):  # e.g. IM + Neurology
        measured = runner.measure(profile.with_changes({"specialties": (first, str(other))}))
        alternatives.append(
            {
                "specialties": [first, str(other)],
                "price": price_between(
                    base, measured, {"specialties": (first, str(other))}
                ).to_dict(),
            }
        )
    actions = [
        *step.actions,
        "The joint list: "
        + ", ".join(f"{n} {name}" for name, n in split.items())
        + f" programs ({joint.fees_usd:,.0f} USD).",
    ]
    for alt in alternatives:
        delta = alt["price"]["delta"]["p_match"]["point"]
        actions.append(
            f"{' + '.join(alt['specialties'])} instead: {100 * delta:+.1f} pp of P(match)."
        )
    details = {
        **step.details,
        "joint_list_by_specialty": split,
        "alternatives_priced": alternatives,
    }
    return replace(step, actions=tuple(actions), details=details)


def _volume_verdict(price: Price) -> tuple[str, ...]:
    """What the priced volume comparison means, in one line (from the measured price)."""
    more = price.changed.programs - price.baseline.programs
    d = price.delta_p_match
    if more > 0 and d.point >= VOLUME_WORTH_PP / 100:
        return (
            f"Budget permitting, {price.changed.programs} programs instead of "
            f"{price.baseline.programs} add {100 * d.point:+.1f} pp of P(match) "
            f"({100 * d.low:+.1f} to {100 * d.high:+.1f}) for {price.delta_fees_usd:+,.0f} USD: "
            "the guide's 'apply broadly'.",
        )
    if more > 0:
        return (
            f"Going to {price.changed.programs} programs adds only {100 * d.point:+.1f} pp for "
            f"{price.delta_fees_usd:+,.0f} USD: past the curve's stop, volume buys little.",
        )
    if more < 0:
        return (
            f"Cutting to {price.changed.programs} programs would cost {100 * d.point:+.1f} pp "
            f"and save {-price.delta_fees_usd:,.0f} USD.",
        )
    return ()


def _measure_flags(
    profile: ApplicantProfile,
    flags: Sequence[RedFlag],
    runner: _Runner,
    base_p: Mapping[str, float],
    catalog: Catalog,
) -> list[RedFlag]:
    first = profile.specialties[0]
    counterfactuals = _flag_counterfactuals(profile, {f.id for f in flags})
    out = []
    for flag in flags:
        change = counterfactuals.get(flag.id)
        if change is None:
            out.append(flag)
            continue
        without = runner.assessor(
            profile.with_changes(change), specialties=[first], catalog=catalog
        )
        narrowed, cut = _narrowed(base_p, _p_interview_by_program(without))
        out.append(replace(flag, programs_narrowed=narrowed, median_interview_cut=cut))
    return out


def _notes(
    profile: ApplicantProfile, standing: SpecialtyStanding | None, months: int, today: _dt.date
) -> list[str]:
    notes = []
    if standing is None and profile.step2ck is not None:
        notes.append(
            f"NRMP did not publish Step 2 CK quartiles for {profile.specialties[0]} non-US IMGs "
            "in Charting Outcomes 2026: no percentile is shown (all specialties pooled, its Table 2: "
            "matched median 248, unmatched 242)."
        )
    opening = today_opening(profile, today)
    if opening.year > profile.match_year - 1:
        notes.append(
            f"The ERAS season for the {profile.match_year} Match opened in June "
            f"{profile.match_year - 1}; the timeline targets the next opening (June "
            f"{opening.year}, the {opening.year + 1} Match)."
        )
    notes.append(
        f"Prices hold the profile's season fixed (Match {profile.match_year}) so they show the "
        f"step's own effect; ERAS opens in about {months} months. Each price re-runs the model "
        "and the optimizer on the changed profile; intervals are 80% bootstrap intervals of the "
        "per-draw difference."
    )
    lo, hi = GUIDE_VOLUME
    notes.append(f"The guide's rule of thumb for volume is {lo}-{hi} applications.")
    return notes
