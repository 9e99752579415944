"""The optimized application list as a use case: profile in, ranked list with fees and signals out.

`recommend(profile, ...)` asks the model for the applicant's chances at every eligible program of
the target specialties (`service.chances.assess`), applies the applicant's filters, prices every
application with the ERAS schedule of the season (`core.lists.fees`), reads the signal allowance
of each specialty (`core.lists.signals`), and lets the optimizer (`core.lists`) choose the list and
the signals. The result carries the list, the totals with intervals, the P(match) curve against the
number of applications and fees, and the stopping point. `Recommendation.to_dict()` is the JSON
contract documented in docs/optimizer.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from smartpick.core.chances.matrix import (
    SIGNAL_LEVELS,
    ChanceMatrix,
    expected_interviews,
    interval,
    p_match,
)
from smartpick.core.geography import place_of, resolve_region
from smartpick.core.lists.fees import FeeSchedule, fee_schedule
from smartpick.core.lists.optimizer import objective_value, optimize_list
from smartpick.core.lists.signals import Allowance, signal_allowance
from smartpick.core.lists.tiers import TIERS, tier_of
from smartpick.core.lists.types import DEFAULT_HORIZON, ListProblem, ListSolution
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import SETTINGS, Program
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput, NotFound
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.chances import Assessment, assess

PREFERENCE_DIMENSIONS = ("programs", "states", "regions", "settings")
OTHERS = "*"  # the value of every state / region / setting not named in a preference map


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval (80% of the bootstrap draws)."""

    point: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        """{"point", "low", "high"}."""
        return {"point": self.point, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class ListedProgram:
    """One program of the list, with why it is there."""

    rank: int
    program: Program
    tier: str  # reach / target / likely, by P(interview) at its signal level
    p_interview: Estimate  # at its signal level
    p_interview_unsignaled: float
    signal: str  # none / silver / gold
    fee_usd: int  # marginal ERAS fee in list order within its specialty
    contribution_pp: float  # objective lost (percentage points) if it were dropped
    preference: float | None  # the applicant's value for a match there, if preferences given
    must_include: bool
    confidence: str  # the model's: high / medium / low, by how many program facts are unknown
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """One list row of the JSON contract."""
        p = self.program
        return {
            "rank": self.rank,
            "program_id": p.id,
            "name": p.name,
            "specialty": p.specialty,
            "track": p.track,
            "city": p.city.value,
            "state": p.state.value,
            "region": p.region.value,
            "setting": p.setting.value,
            "latitude": p.latitude.value,
            "longitude": p.longitude.value,
            "tier": self.tier,
            "p_interview": self.p_interview.to_dict(),
            "p_interview_unsignaled": self.p_interview_unsignaled,
            "signal": self.signal,
            "fee_usd": self.fee_usd,
            "contribution_pp": self.contribution_pp,
            "preference": self.preference,
            "must_include": self.must_include,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class CurvePoint:
    """The best list found with `applications` programs: its fees and P(match)."""

    applications: int
    fees_usd: int
    p_match: Estimate
    objective: float
    gain_pp: float  # objective gain of this application over the previous point
    within_limits: bool  # fits the budget and the count asked for

    def to_dict(self) -> dict[str, Any]:
        """One curve point of the JSON contract."""
        return {
            "applications": self.applications,
            "fees_usd": self.fees_usd,
            "p_match": self.p_match.to_dict(),
            "objective": self.objective,
            "gain_pp": self.gain_pp,
            "within_limits": self.within_limits,
        }


@dataclass(frozen=True)
class Recommendation:
    """An optimized list and everything shown with it. `to_dict()` is the JSON contract."""

    objective: str  # "p_match" or "preference_value"
    programs: tuple[ListedProgram, ...]
    p_match: Estimate
    p_match_draws: np.ndarray = field(repr=False)
    expected_interviews: Estimate
    expected_interviews_draws: np.ndarray = field(repr=False)
    expected_value: Estimate | None  # with preferences: E[value of the match]
    program_fees_usd: int
    transcript_fee_usd: int
    fees_by_specialty: dict[str, dict[str, int]]
    curve: tuple[CurvePoint, ...]
    stop_at_applications: int | None
    stop_threshold_pp: float
    next_gain_pp: float | None
    next_fee_usd: int | None
    binding: str
    signals: dict[str, dict[str, Any]]
    season: int
    fee_source_url: str
    constraints: dict[str, Any]
    candidates: int  # eligible programs the list was chosen from
    not_eligible: int  # programs of the specialties the model ruled out (hard rules)
    filtered_out: int  # eligible programs removed by the applicant's filters
    notes: tuple[str, ...]
    # The chances the list was chosen from: later steps (the plan) reuse them, never recompute.
    assessment: Assessment = field(repr=False, compare=False)

    @property
    def total_fees_usd(self) -> int:
        """ERAS program fees plus the transcript fee."""
        return self.program_fees_usd + self.transcript_fee_usd

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON contract (docs/optimizer.md)."""
        return {
            "objective": self.objective,
            "totals": {
                "applications": len(self.programs),
                "p_match": self.p_match.to_dict(),
                "expected_interviews": self.expected_interviews.to_dict(),
                "expected_value": None
                if self.expected_value is None
                else self.expected_value.to_dict(),
                "fees_usd": self.total_fees_usd,
                "program_fees_usd": self.program_fees_usd,
                "transcript_fee_usd": self.transcript_fee_usd,
                "fees_by_specialty": self.fees_by_specialty,
                "tiers": {tier: sum(1 for p in self.programs if p.tier == tier) for tier in TIERS},
            },
            "programs": [p.to_dict() for p in self.programs],
            "curve": [c.to_dict() for c in self.curve],
            "stopping": {
                "threshold_pp": self.stop_threshold_pp,
                "stop_at_applications": self.stop_at_applications,
                "next_gain_pp": self.next_gain_pp,
                "next_fee_usd": self.next_fee_usd,
                "limited_by": self.binding,
            },
            "signals": self.signals,
            "season": self.season,
            "fee_source_url": self.fee_source_url,
            "constraints": self.constraints,
            "candidates": self.candidates,
            "not_eligible": self.not_eligible,
            "filtered_out": self.filtered_out,
            "notes": list(self.notes),
        }


# --- inputs ------------------------------------------------------------------------------------


def _check_count(count: int | None) -> None:
    if count is not None and not 1 <= count <= 1000:
        raise InvalidInput(f"count: must be between 1 and 1000, got {count}", field="count")


def _check_budget(budget_usd: float | None) -> None:
    if budget_usd is not None and not (math.isfinite(budget_usd) and 0 <= budget_usd <= 100_000):
        raise InvalidInput(
            f"budget_usd: must be between 0 and 100000 USD, got {budget_usd}", field="budget_usd"
        )


def _states(codes: Sequence[str] | None, field_name: str) -> set[str] | None:
    if codes is None:
        return None
    out = set()
    for code in codes:
        try:
            out.add(place_of(code).state)
        except InvalidInput as exc:
            message = exc.message.replace("state:", f"{field_name}:")
            raise InvalidInput(message, field=field_name) from None
    return out


def _regions(names: Sequence[str] | None) -> set[str] | None:
    return None if names is None else {resolve_region(n) for n in names}


def _settings(names: Sequence[str] | None) -> set[str] | None:
    if names is None:
        return None
    out: set[str] = set()
    for name in names:
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in SETTINGS:
            raise InvalidInput(
                f"settings: '{name}' is not a program setting. Allowed: {', '.join(SETTINGS)}.",
                field="settings",
            )
        out.add(key)
    return out


def _tracks(names: Sequence[str]) -> set[str]:
    allowed = ("categorical", "preliminary", "advanced", "single")
    out = {name.strip().lower() for name in names}
    bad = sorted(out - set(allowed))
    if bad or not out:
        raise InvalidInput(
            f"tracks: {', '.join(bad) or 'none given'} — allowed: {', '.join(allowed)}.",
            field="tracks",
        )
    return out


def _preference_maps(
    preferences: Mapping[str, Mapping[str, float]] | None,
) -> dict[str, dict[str, float]] | None:
    """Validated preference maps: {"programs"|"states"|"regions"|"settings": {name: 0..1}}."""
    if not preferences:
        return None
    out: dict[str, dict[str, float]] = {}
    for dim, values in preferences.items():
        if dim not in PREFERENCE_DIMENSIONS:
            raise InvalidInput(
                f"preferences: '{dim}' is not a preference kind. "
                f"Allowed: {', '.join(PREFERENCE_DIMENSIONS)}.",
                field="preferences",
            )
        clean: dict[str, float] = {}
        for name, value in values.items():
            if not (isinstance(value, int | float) and 0 <= value <= 1):
                raise InvalidInput(
                    f"preferences.{dim}.{name}: must be a number from 0 to 1, got {value!r}",
                    field=f"preferences.{dim}",
                )
            key = name
            if name != OTHERS:
                if dim == "states":
                    key = place_of(name).state
                elif dim == "regions":
                    key = resolve_region(name)
                elif dim == "settings":
                    key = next(iter(_settings([name]) or {name}))
                elif dim == "programs":
                    key = name.strip().upper()
            clean[key] = float(value)
        out[dim] = clean
    return out


def _preference_value(program: Program, prefs: Mapping[str, Mapping[str, float]]) -> float:
    """A program's value: its own if given, else the lowest of its state/region/setting values."""
    own = prefs.get("programs", {}).get(program.id)
    if own is not None:
        return own
    value = 1.0
    for dim, fact in (
        ("states", program.state),
        ("regions", program.region),
        ("settings", program.setting),
    ):
        table = prefs.get(dim)
        if not table:
            continue
        named = table.get(str(fact.value)) if fact.value is not None else None
        value = min(value, named if named is not None else table.get(OTHERS, 1.0))
    return value


def _program_id(catalog: Catalog, program_id: str, field_name: str) -> str:
    """The catalog id of a program the user named, or NotFound naming the option."""
    try:
        return catalog.get(program_id).id
    except NotFound as exc:
        message = exc.message.replace("program_id:", f"{field_name}:", 1)
        raise NotFound(message, field=field_name) from None


def fee_group(program: Program) -> str:
    """ERAS prices each specialty separately; a preliminary track counts as its own specialty."""
    return (
        f"{program.specialty} (preliminary)"
        if program.track == "preliminary"
        else program.specialty
    )


# --- the use case ----------------------------------------------------------------------------


def recommend(
    profile: ApplicantProfile,
    *,
    budget_usd: float | None = None,
    count: int | None = None,
    specialties: Sequence[str] | None = None,
    must_include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    states: Sequence[str] | None = None,
    exclude_states: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    settings: Sequence[str] | None = None,
    preferences: Mapping[str, Mapping[str, float]] | None = None,
    tracks: Sequence[str] = ("categorical",),
    stop_threshold_pp: float = 0.5,
    season: int | None = None,
    catalog: Catalog | None = None,
    assessment: Assessment | None = None,
) -> Recommendation:
    """The optimized application list for a profile.

    - `budget_usd` (total ERAS fees with the transcript fee) and/or `count` limit the list; with
      neither (and no budget in the profile) it stops where one more application adds less than
      `stop_threshold_pp` percentage points of P(match).
    - `states`, `regions`, `settings` keep only programs there; `exclude_states` and `exclude`
      (program ids) remove programs; `must_include` ids are always in the list.
    - `tracks`: categorical only by default; add "preliminary" to apply to one-year positions too
      (ERAS prices them as a separate specialty).
    - `preferences`: {"programs"|"states"|"regions"|"settings": {name: value 0..1, "*": value for
      the others}} turns the objective into the expected value of the match (1 = a favourite).
    - `season`: the ERAS season (= Match year) for fees and signals; default the profile's.
    - `assessment`: the chances of this profile already computed (by an earlier list with other
      options), reused when it covers the same specialties and tracks.
    """
    season = profile.match_year if season is None else season
    _check_budget(budget_usd)
    _check_count(count)
    if not 0 <= stop_threshold_pp < 100:
        raise InvalidInput(
            f"stop_threshold_pp: must be from 0 to 100, got {stop_threshold_pp}",
            field="stop_threshold_pp",
        )
    schedule = fee_schedule(season)
    if budget_usd is None and count is None:
        budget_usd = profile.budget_usd
    catalog = catalog or open_catalog()
    wanted = tuple(resolve_specialty(s).name for s in (specialties or profile.specialties))
    must_ids = tuple(
        dict.fromkeys(_program_id(catalog, pid, "must_include") for pid in must_include)
    )
    exclude_ids = {_program_id(catalog, pid, "exclude") for pid in exclude}
    if set(must_ids) & exclude_ids:
        both = ", ".join(sorted(set(must_ids) & exclude_ids))
        raise InvalidInput(
            f"must_include: {both} cannot be both included and excluded", field="must_include"
        )
    keep_states = _states(states, "states")
    drop_states = _states(exclude_states, "exclude_states") or set()
    keep_regions = _regions(regions)
    keep_settings = _settings(settings)
    keep_tracks = _tracks(tracks)
    prefs = _preference_maps(preferences)

    must_tracks = {catalog.get(pid).track for pid in must_ids}
    tracks_wanted = tuple(sorted(keep_tracks | must_tracks))
    if not (
        assessment is not None
        and assessment.profile == profile
        and assessment.specialties == wanted
        and assessment.tracks == tracks_wanted
    ):
        assessment = assess(profile, specialties=wanted, catalog=catalog, tracks=tracks_wanted)
    chances: ChanceMatrix = assessment.chances
    programs: list[Program] = list(assessment.programs)
    index = {p.id: i for i, p in enumerate(programs)}
    not_eligible = {row.program.id: row for row in assessment.excluded}
    for pid in must_ids:
        if pid not in index:
            row = not_eligible.get(pid)
            why = (
                f": {'; '.join(row.reasons)}"
                if row is not None
                else f" (its specialty is not one of {', '.join(wanted)})"
            )
            raise InvalidInput(
                f"must_include: {pid} cannot be in your list{why}", field="must_include"
            )

    def allowed(p: Program) -> bool:
        if p.id in exclude_ids or p.track not in keep_tracks:
            return False
        state, region, setting = p.state.value, p.region.value, p.setting.value
        if keep_states is not None and state not in keep_states:
            return False
        if state in drop_states:
            return False
        if keep_regions is not None and region not in keep_regions:
            return False
        return keep_settings is None or setting in keep_settings

    values = tuple(_preference_value(p, prefs) for p in programs) if prefs is not None else None
    candidates = tuple(
        i
        for i, p in enumerate(programs)
        if allowed(p) and (values is None or values[i] > 0 or p.id in must_ids)
    )
    allowances = {s: signal_allowance(s, season) for s in wanted}
    problem = ListProblem(
        chances=chances,
        fee_groups=tuple(fee_group(p) for p in programs),
        fee_schedule=schedule,
        signal_groups=tuple(p.specialty if p.specialty in allowances else None for p in programs),
        signal_allowances={s: (a.gold, a.silver) for s, a in allowances.items()},
        budget_usd=budget_usd,
        max_programs=count,
        must_include=tuple(index[pid] for pid in must_ids),
        excluded=tuple(index[pid] for pid in exclude_ids if pid in index),
        candidates=candidates,
        values=values,
        stop_threshold=stop_threshold_pp / 100.0,
        horizon=DEFAULT_HORIZON,
        interval_level=assessment.level,
    )
    solution = optimize_list(problem)
    return _recommendation(
        problem,
        solution,
        programs,
        assessment,
        allowances=allowances,
        schedule=schedule,
        season=season,
        prefs=prefs,
        constraints={
            "budget_usd": budget_usd,
            "count": count,
            "specialties": list(wanted),
            "must_include": list(must_ids),
            "exclude": sorted(exclude_ids),
            "states": sorted(keep_states) if keep_states is not None else None,
            "exclude_states": sorted(drop_states) if exclude_states else None,
            "regions": sorted(keep_regions) if keep_regions is not None else None,
            "settings": sorted(keep_settings) if keep_settings is not None else None,
            "tracks": sorted(keep_tracks),
            "preferences": prefs,
            "stop_threshold_pp": stop_threshold_pp,
            "season": season,
        },
        not_eligible=len(not_eligible),
        filtered_out=len(programs) - len(candidates),
    )


def _pct(x: float) -> str:
    if x >= 0.01:
        return f"{100 * x:.0f}%"
    return f"{100 * x:.1f}%" if x >= 0.001 else "<0.1%"


def _pp(x: float) -> str:
    return f"{100 * x:.2f} pp" if x >= 0.0001 else "<0.01 pp"


def _recommendation(
    problem: ListProblem,
    solution: ListSolution,
    programs: list[Program],
    assessment: Assessment,
    *,
    allowances: Mapping[str, Allowance],
    schedule: FeeSchedule,
    season: int,
    prefs: Mapping[str, Mapping[str, float]] | None,
    constraints: dict[str, Any],
    not_eligible: int,
    filtered_out: int,
) -> Recommendation:
    cm = problem.chances
    selected = list(solution.order)
    levels = list(solution.signals)
    interview_draws = {
        s: arr @ cm.weights for s, arr in enumerate(cm.interview_by_signal)
    }  # (D+1, n) per level
    must = set(problem.must_include)
    objective_name = "P(match)" if problem.values is None else "the expected value of your match"
    level = assessment.level
    profile_regions = set(assessment.profile.preferred_regions)
    profile_states = set(assessment.profile.preferred_states)
    group_count: dict[str, int] = {}
    listed: list[ListedProgram] = []
    for rank, (i, s, fee, contribution) in enumerate(
        zip(selected, levels, solution.fees_usd, solution.contributions, strict=True), start=1
    ):
        p = programs[i]
        group = fee_group(p)
        group_count[group] = group_count.get(group, 0) + 1
        p_int = Estimate(*interval(interview_draws[s][:, i], level))
        row = assessment.rows[i]
        plain = float(interview_draws[0][0, i])
        reasons: list[str] = []
        if i in must:
            reasons.append("must-include (your choice)")
        if s:
            reasons.append(
                f"{SIGNAL_LEVELS[s]} signal: P(interview) {_pct(plain)} → {_pct(p_int.point)}"
            )
        reasons.append(f"dropping it would lower {objective_name} by {_pp(contribution)}")
        reasons.extend(row.reasons)
        if p.region.value in profile_regions or p.state.value in profile_states:
            reasons.append(f"in your preferred area ({p.state.value}, {p.region.value})")
        if row.unknowns:
            reasons.append(f"unknown: {', '.join(row.unknowns)}")
        reasons.append(
            f"ERAS fee ${fee} (program {group_count[group]} of {group}, {schedule.season} season)"
        )
        listed.append(
            ListedProgram(
                rank=rank,
                program=p,
                tier=tier_of(p_int.point),
                p_interview=p_int,
                p_interview_unsignaled=plain,
                signal=SIGNAL_LEVELS[s],
                fee_usd=int(fee),
                contribution_pp=100 * contribution,
                preference=None if problem.values is None else problem.values[i],
                must_include=i in must,
                confidence=row.confidence,
                reasons=tuple(reasons),
            )
        )

    p_draws = np.asarray(p_match(cm, selected, levels), dtype=float)
    i_draws = (
        expected_interviews(cm, selected, levels) if selected else np.zeros(cm.conversion.shape[0])
    )
    expected_value = None
    if problem.values is not None:
        ev_draws = np.array(
            [
                objective_value(cm, selected, levels, problem.values, draw=d)
                for d in range(cm.conversion.shape[0])
            ]
        )
        expected_value = Estimate(*interval(ev_draws, level))

    fees_by_specialty: dict[str, dict[str, int]] = {}
    for item in listed:
        entry = fees_by_specialty.setdefault(
            fee_group(item.program), {"applications": 0, "fees_usd": 0}
        )
        entry["applications"] += 1
        entry["fees_usd"] += item.fee_usd

    def within(point_fee: int, size: int) -> bool:
        return (problem.budget_usd is None or point_fee <= problem.budget_usd) and (
            problem.max_programs is None or size <= problem.max_programs
        )

    curve = tuple(
        CurvePoint(
            applications=st.applications,
            fees_usd=st.fee_usd,
            p_match=Estimate(*st.p_match),
            objective=st.objective,
            gain_pp=100 * st.gain,
            within_limits=within(st.fee_usd, st.applications),
        )
        for st in solution.stages
    )
    signals_out: dict[str, dict[str, Any]] = {}
    for specialty, allowance in allowances.items():
        used = [
            item.signal
            for item in listed
            if item.program.specialty == specialty and item.signal != "none"
        ]
        signals_out[specialty] = {
            "gold_allowed": allowance.gold,
            "silver_allowed": allowance.silver,
            "gold_used": used.count("gold"),
            "silver_used": used.count("silver"),
            "season": allowance.season,
            "source_url": allowance.source_url,
            "note": allowance.note,
        }

    notes = [
        *assessment.notes,
        f"{schedule.note}: "
        + ", ".join(
            f"${t.fee_usd} {'flat for' if t.rule == 'flat' else 'each for'} programs "
            f"{t.first}-{t.last if t.last else 'on'}"
            for t in schedule.tiers
        )
        + " per specialty (tiers restart for each specialty).",
    ]
    if listed and schedule.transcript_season != schedule.season:
        notes.append(
            f"USMLE transcript fee ${schedule.transcript_fee_usd} as stated for the "
            f"{schedule.transcript_season} season (the {schedule.season} page does not restate it)."
        )
    if problem.values is not None:
        notes.append(
            "Objective: expected value of your match (a program counts only if no program you "
            "prefer also matched), from your preferences."
        )
    if solution.binding == "stop threshold":
        notes.append(
            f"No budget or count given: the list stops where one more application adds less "
            f"than {constraints['stop_threshold_pp']} pp."
        )
    first = next((c for c in curve if c.applications == 1), None)
    if not listed and first is not None and problem.budget_usd is not None:
        notes.append(
            f"A budget of ${problem.budget_usd:g} does not cover one application: "
            f"${first.fees_usd} with the ${schedule.transcript_fee_usd} transcript fee."
        )
    if solution.binding == "candidates":
        notes.append("Every eligible program that adds anything is in the list.")

    return Recommendation(
        objective="p_match" if problem.values is None else "preference_value",
        programs=tuple(listed),
        p_match=Estimate(*interval(p_draws, level)),
        p_match_draws=p_draws,
        expected_interviews=Estimate(*interval(i_draws, level)),
        expected_interviews_draws=np.asarray(i_draws, dtype=float),
        expected_value=expected_value,
        program_fees_usd=sum(item.fee_usd for item in listed),
        transcript_fee_usd=solution.transcript_fee_usd,
        fees_by_specialty=fees_by_specialty,
        curve=curve,
        stop_at_applications=None
        if solution.stop_at is None
        else solution.stages[solution.stop_at].applications,
        stop_threshold_pp=constraints["stop_threshold_pp"],
        next_gain_pp=None if solution.next_gain is None else 100 * solution.next_gain,
        next_fee_usd=solution.next_fee_usd,
        binding=solution.binding,
        signals=signals_out,
        season=season,
        fee_source_url=schedule.source_url,
        constraints=constraints,
        candidates=len(problem.candidates or ()),
        not_eligible=not_eligible,
        filtered_out=filtered_out,
        notes=tuple(notes),
        assessment=assessment,
    )
