"""The optimized application list as a use case: profile in, ranked list with fees and signals out.

`recommend(profile, ...)` asks the model for the applicant's chances at every eligible program of
the target specialties (`service.assess.assess`), applies the applicant's filters, prices every
application with the ERAS schedule of the season (`core.lists.fees`), reads the signal allowance
of each specialty (`core.lists.signals`), and lets the optimizer (`core.lists`) choose the list and
the signals. The result carries the list, the totals with intervals, the P(match) curve against the
number of applications and fees, and the stopping point. `Recommendation.to_dict()` is the JSON
contract documented in docs/optimizer.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from smartpick.core.chances.estimate import Estimate
from smartpick.core.chances.matrix import (
    SIGNAL_LEVELS,
    ChanceMatrix,
    expected_interviews,
    interval,
    intervals,
    p_match,
)
from smartpick.core.chances.results import Assessment
from smartpick.core.lists.economics import default_match_value, how_many
from smartpick.core.lists.fees import FeeSchedule, fee_schedule
from smartpick.core.lists.optimizer import objective_value, optimize_list
from smartpick.core.lists.request import (
    ListFilters,
    check_limits,
    fee_group,
    preference_value,
    read_preferences,
    read_regions,
    read_settings,
    read_states,
    read_tracks,
)
from smartpick.core.lists.result import CurvePoint, ListedProgram, Recommendation
from smartpick.core.lists.signals import Allowance, signal_allowance
from smartpick.core.lists.tiers import tier_of, tier_scale
from smartpick.core.lists.types import DEFAULT_HORIZON, ListProblem, ListSolution
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.certification import step2ck_block
from smartpick.core.rules.institutions import InstitutionMatch, match_institution
from smartpick.core.rules.languages import language_note
from smartpick.core.rules.screens import screens
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput, NotFound
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog, open_catalog


def _program_id(catalog: Catalog, program_id: str, field_name: str) -> str:
    """The catalog id of a program the user named, or NotFound naming the option."""
    try:
        return catalog.get(program_id).id
    except NotFound as exc:
        message = exc.message.replace("program_id:", f"{field_name}:", 1)
        raise NotFound(message, field=field_name) from None


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
    match_value_usd: float | None = None,
    season: int | None = None,
    catalog: Catalog | None = None,
    assessment: Assessment | None = None,
) -> Recommendation:
    """The optimized application list for a profile.

    - `budget_usd` (total ERAS fees with the transcript fee) and/or `count` limit the list; with
      neither (and no budget in the profile) it stops where one more application is no longer
      worth its fee when a match is worth `match_value_usd` (default: the median 2026 PGY-1
      salary, `core.lists.economics`).
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
    check_limits(budget_usd, count, match_value_usd)
    value_is_default = match_value_usd is None
    if match_value_usd is None:
        match_value_usd = default_match_value().value
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
    keep_states = read_states(states, "states")
    drop_states = read_states(exclude_states, "exclude_states") or set()
    keep_regions = read_regions(regions)
    keep_settings = read_settings(settings)
    keep_tracks = read_tracks(tracks)
    prefs = read_preferences(preferences)
    filters = ListFilters(
        states=None if keep_states is None else frozenset(keep_states),
        exclude_states=frozenset(drop_states),
        regions=None if keep_regions is None else frozenset(keep_regions),
        settings=None if keep_settings is None else frozenset(keep_settings),
        tracks=frozenset(keep_tracks),
        exclude=frozenset(exclude_ids),
    )

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

    values = tuple(preference_value(p, prefs) for p in programs) if prefs is not None else None
    blocked = step2ck_block(profile)
    if blocked is not None and must_ids:
        raise InvalidInput(f"must_include: {blocked}", field="must_include")
    candidates = tuple(
        i
        for i, p in enumerate(programs)
        if blocked is None
        and filters.allows(p)
        and (values is None or values[i] > 0 or p.id in must_ids)
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
        match_value_usd=match_value_usd,
        horizon=DEFAULT_HORIZON,
        interval_level=assessment.level,
    )
    solution = optimize_list(problem)
    in_specialties = [p for s in wanted for p in catalog.programs(specialty=s)]
    institutions = tuple(
        match_institution(name, in_specialties)
        for name in dict.fromkeys(e.institution for e in profile.usce if e.institution)
    )
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
            "match_value_usd": match_value_usd,
            "season": season,
        },
        value_is_default=value_is_default,
        not_eligible=len(not_eligible),
        filtered_out=0 if blocked else len(programs) - len(candidates),
        blocked=blocked,
        institutions=institutions,
    )


def _pct(x: float) -> str:
    if x >= 0.01:
        return f"{100 * x:.0f}%"
    return f"{100 * x:.1f}%" if x >= 0.001 else "<0.1%"


def _pp(x: float) -> str:
    return f"{100 * x:.2f} percentage points" if x >= 0.0001 else "under 0.01 percentage points"


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
    value_is_default: bool,
    blocked: str | None,
    institutions: tuple[InstitutionMatch, ...],
) -> Recommendation:
    cm = problem.chances
    selected = list(solution.order)
    levels = list(solution.signals)
    interview_draws = {
        s: arr @ cm.weights for s, arr in enumerate(cm.interview_by_signal)
    }  # (D+1, n) per level
    # every listed program's P(interview) interval in one quantile pass
    shown = [interview_draws[s][:, i] for i, s in zip(selected, levels, strict=True)]
    p_ints = intervals(np.stack(shown, axis=1), assessment.level) if shown else []
    must = set(problem.must_include)
    objective_name = (
        "your chance of matching" if problem.values is None else "the expected value of your match"
    )
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
        p_int = Estimate(*p_ints[rank - 1])
        row = assessment.rows[i]
        plain = float(interview_draws[0][0, i])
        reasons: list[str] = []
        if i in must:
            reasons.append("must-include (your choice)")
        if s:
            reasons.append(
                f"{SIGNAL_LEVELS[s]} signal: interview chance {_pct(plain)} → {_pct(p_int.point)}"
            )
        reasons.append(f"without it {objective_name} would be {_pp(contribution)} lower")
        reasons.extend(row.reasons)
        reasons.extend(
            f"{screen.text} ({screen.source})" for screen in screens(assessment.profile, p)
        )
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
                tier=tier_of(p_int.point, p.specialty, assessment.profile.applicant_type),
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
    first = next((c for c in curve if c.applications == 1), None)
    if not listed and first is not None and problem.budget_usd is not None:
        notes.append(
            f"A budget of ${problem.budget_usd:g} does not cover one application: "
            f"${first.fees_usd} with the ${schedule.transcript_fee_usd} transcript fee."
        )
    if solution.binding == "candidates" and blocked is None:
        notes.append("Every eligible program that adds anything is in the list.")
    spanish = language_note(assessment.profile, (row.program.state.value for row in listed))
    if spanish is not None:
        notes.append(spanish)

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
        how_many=how_many(
            match_value_usd=float(constraints["match_value_usd"]),
            is_default=value_is_default,
            curve=[(c.applications, c.fees_usd, c.p_match.point) for c in curve],
            rule_index=solution.stop_at,
            listed=len(listed),
            limited_by=solution.binding,
            specialties=tuple(constraints["specialties"]),
            blocked=blocked,
        ),
        blocked=blocked,
        institutions=institutions,
        next_gain_pp=None if solution.next_gain is None else 100 * solution.next_gain,
        next_fee_usd=solution.next_fee_usd,
        binding=solution.binding,
        signals=signals_out,
        tier_scales=tuple(
            tier_scale(s, assessment.profile.applicant_type) for s in constraints["specialties"]
        ),
        season=season,
        fee_source_url=schedule.source_url,
        constraints=constraints,
        candidates=len(problem.candidates or ()),
        not_eligible=not_eligible,
        filtered_out=filtered_out,
        notes=tuple(notes),
        assessment=assessment,
    )
