"""The strategy advisor as a use case: the guide's plan for one applicant, each step priced.

`advise(profile)` builds the plan (`smartpick.core.advisor`) from the profile, the catalog and the
baseline optimized list, then prices every step that has a what-if (`PlanStep.change`) by
re-running the model (`service.chances.assess`) and the optimizer (`service.recommend.recommend`)
on the changed profile: P(match), expected interviews and fees, before and after, with the change
measured per bootstrap draw so its interval is the interval of the difference.

`whatif(profile, changes)` prices any set of changes on demand (`smartpick whatif --set ...`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from smartpick.core.advisor import (
    ApplicantFacts,
    CatalogCounts,
    ChangeValue,
    Estimate,
    Outcome,
    Price,
    TieProgram,
)
from smartpick.core.chances import interval
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.specialties import resolve_specialty
from smartpick.core.standing import FiveNumber, SpecialtyStanding, place_score
from smartpick.errors import DataUnavailable, InvalidInput
from smartpick.service.catalog import Catalog, open_catalog

CO_SOURCE = "NRMP Charting Outcomes 2026, non-US IMGs"
NARROWED_MIN_GAIN = (
    0.05  # a flag "narrows" a program when removing it adds >= 5 points P(interview)
)
TIE_PROGRAMS_SHOWN = 10
TIE_SETTINGS = ("university", "university_affiliated_community")
# The advisor's own what-if keys (translated below); any other profile field is passed through.
LIST_KEYS = ("count", "budget_usd")
ADVISOR_KEYS = (
    "step3",
    "step2ck",
    "usce_months",
    "us_letters",
    "abstracts",
    "posters",
    "publications",
    "specialties",
    *LIST_KEYS,
)


# --- Charting Outcomes ---------------------------------------------------------------------


def _reference_csv(name: str) -> list[dict[str, str]]:
    try:
        text = resources.files("smartpick").joinpath("data", "reference", name).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise DataUnavailable(f"The bundled table {name} is missing.") from exc
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _step2ck_summaries() -> dict[tuple[str, str], FiveNumber]:
    out: dict[tuple[str, str], FiveNumber] = {}
    for r in _reference_csv("co_img_2026_measures_by_specialty.csv"):
        if r["measure"] != "USMLE Step 2 CK" or not r["median"]:
            continue
        out[(r["specialty"], r["cohort"])] = FiveNumber(
            n=int(r["n"]),
            minimum=float(r["min"]),
            q1=float(r["q1"]),
            median=float(r["median"]),
            q3=float(r["q3"]),
            maximum=float(r["max"]),
        )
    return out


@cache
def match_rates_pct() -> dict[str, float]:
    """Non-US IMG match rate per catalog specialty, Charting Outcomes 2026 (matched / preferring)."""
    rates: dict[str, float] = {}
    for r in _reference_csv("co_img_2026_specialty_summary.csv"):
        try:
            name = resolve_specialty(r["specialty"]).name
        except InvalidInput:
            continue
        matched, unmatched = int(r["img_matched"]), int(r["img_not_matched"])
        if matched + unmatched:
            rates[name] = round(100.0 * matched / (matched + unmatched), 1)
    return rates


def specialty_standing(specialty: str, step2ck: int | None) -> SpecialtyStanding | None:
    """Step 2 CK among the specialty's 2026 matched and unmatched non-US IMGs (None if unpublished)."""
    spec = resolve_specialty(specialty)
    if step2ck is None or spec.charting_outcomes is None:
        return None
    summaries = _step2ck_summaries()
    matched = summaries.get((spec.charting_outcomes, "matched"))
    unmatched = summaries.get((spec.charting_outcomes, "not_matched"))
    if matched is None or unmatched is None:
        return None
    return place_score(
        spec.name,
        step2ck,
        matched,
        unmatched,
        match_rate_pct=match_rates_pct().get(spec.name),
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
    )


def months_to_eras_open(profile: ApplicantProfile, today: _dt.date) -> int:
    """Whole months from today to the next ERAS opening (June 1) for the profile's Match or later."""
    opening = _dt.date(profile.match_year - 1, 6, 1)
    while opening < today:
        opening = opening.replace(year=opening.year + 1)
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
        count: int | None,
        recommender: Recommender,
        assessor: Assessor,
    ) -> None:
        self.catalog = catalog
        self.budget_usd = budget_usd
        self.count = count
        self.recommender = recommender
        self.assessor = assessor
        self.runs = 0
        self._cache: dict[str, Measured] = {}

    def measure(self, profile: ApplicantProfile, **options: Any) -> Measured:
        budget = options.get("budget_usd", self.budget_usd)
        count = options.get("count", self.count)
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

    def to_dict(self) -> dict[str, object]:
        """JSON contract (docs/advisor.md)."""
        return {"changes": _jsonable(self.changes), **self.price.to_dict(), "runs": self.runs}


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
        None,
        recommender or _default_recommender(),
        assessor or _default_assessor(),
    )
    changed_profile, options = apply_changes(profile, changes)
    base = runner.measure(profile)
    changed = runner.measure(changed_profile, **options)
    return WhatIf(
        changes=dict(changes), price=price_between(base, changed, changes), runs=runner.runs
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


def _narrowed(base: Mapping[str, float], without_flag: Mapping[str, float], min_gain: float) -> int:
    return sum(1 for pid, p in base.items() if without_flag.get(pid, p) - p >= min_gain)
