"""The optimized application list as a use case: profile in, ranked list with fees and signals out.

`recommend(profile, ...)` asks the model for the applicant's chances at every eligible program of
the target specialties (`service.assess.assess`), applies the applicant's filters, prices every
application with the ERAS schedule of the season (`core.lists.fees`), reads the signal allowance
of each specialty (`core.lists.signals`), and lets the optimizer (`core.lists`) choose the list and
the signals. The result carries the list, the totals with intervals, the P(match) curve against the
number of applications and fees, and the stopping point (written by `service.recommendation`).
`Recommendation.to_dict()` is the JSON contract documented in docs/optimizer.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from smartpick.core.chances.matrix import (
    ChanceMatrix,
)
from smartpick.core.chances.results import Assessment
from smartpick.core.lists.economics import default_match_value, why_no_candidates
from smartpick.core.lists.fees import fee_schedule
from smartpick.core.lists.optimizer import choose_list, optimize_list
from smartpick.core.lists.request import (
    ListFilters,
    check_limits,
    fee_groups,
    preference_value,
    read_preferences,
    read_regions,
    read_settings,
    read_states,
    read_tracks,
)
from smartpick.core.lists.result import Recommendation
from smartpick.core.lists.signals import signal_allowance
from smartpick.core.lists.types import DEFAULT_HORIZON, ListProblem, ListSolution
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.certification import step2ck_block
from smartpick.core.rules.institutions import match_institution
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput, NotFound
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.recommendation import PricedList, build_recommendation, priced_list


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
    intervals: bool = True,
    curve: bool = True,
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
    - `intervals=False`: the curve's points without intervals (`Recommendation.intervals` is
      False and each point's `p_match_range` None), for a caller that prices the list without
      showing its curve; the list, its P(match) per draw and every point estimate are the same.
    - `curve=False`: the curve's points stop one past the list's limits and its stopping point
      instead of running on to 150 applications (for a caller that prices the list without
      showing its curve); everything else is the same.
    """
    posed = _pose(
        profile,
        budget_usd=budget_usd,
        count=count,
        specialties=specialties,
        must_include=must_include,
        exclude=exclude,
        states=states,
        exclude_states=exclude_states,
        regions=regions,
        settings=settings,
        preferences=preferences,
        tracks=tracks,
        match_value_usd=match_value_usd,
        season=season,
        catalog=catalog,
        assessment=assessment,
        curve=curve,
    )
    return posed.write(optimize_list(posed.problem, intervals=intervals))


def price_list(
    profile: ApplicantProfile,
    *,
    budget_usd: float | None = None,
    count: int | None = None,
    must_include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    match_value_usd: float | None = None,
    catalog: Catalog | None = None,
    assessment: Assessment | None = None,
) -> PricedList:
    """The list `recommend` would choose with these options, with only what a price reads: its
    programs, P(match) and expected interviews per draw, fees and chances (the same numbers, bit
    for bit). For a caller that prices a list without showing it (the plan's what-ifs): no rows,
    curve or notes are written, and no stage of the chain is measured (`choose_list`)."""
    posed = _pose(
        profile,
        budget_usd=budget_usd,
        count=count,
        must_include=must_include,
        exclude=exclude,
        match_value_usd=match_value_usd,
        catalog=catalog,
        assessment=assessment,
        curve=False,
        stopping_stage=False,
    )
    return priced_list(posed.problem, choose_list(posed.problem), posed.programs, posed.assessment)


class _Posed(NamedTuple):
    """A list problem, and what writes its solution out as a `Recommendation`."""

    problem: ListProblem
    programs: list[Program]
    assessment: Assessment
    write: Callable[[ListSolution], Recommendation]


def _pose(
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
    curve: bool = True,
    stopping_stage: bool = True,
) -> _Posed:
    """`recommend`'s problem (see its options). `stopping_stage=False` (with `curve=False`), for
    a caller that reads only the chosen list: within a budget or a count the chain ends just past
    them (`ListProblem.stopping_stage`)."""
    named = "match_year" if season is None else "season"  # as the caller gave it
    season = profile.match_year if season is None else season
    check_limits(budget_usd, count, match_value_usd)
    value_is_default = match_value_usd is None
    if match_value_usd is None:
        match_value_usd = default_match_value().value
    schedule = fee_schedule(season, field=named)
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
    facts = assessment.facts
    index = {
        pid: i
        for pid in (*must_ids, *exclude_ids)
        for i in np.flatnonzero(facts["id"] == pid).tolist()
    }
    not_eligible = (
        {row.program.id: row for row in assessment.excluded} if must_ids else {}
    )  # read only to say why a must-include program cannot be listed
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
    allowed = filters.allows(facts)
    if values is not None:
        allowed &= (np.array(values) > 0) | np.isin(facts["id"], list(must_ids))
    candidates = () if blocked is not None else tuple(np.flatnonzero(allowed).tolist())
    allowances = {s: signal_allowance(s, season) for s in wanted}
    signal_groups = np.full(len(programs), None, dtype=object)  # None: no signal allowance
    signals_in = np.isin(facts["specialty"], list(allowances))
    signal_groups[signals_in] = facts["specialty"][signals_in]
    problem = ListProblem(
        chances=chances,
        fee_groups=fee_groups(facts),
        fee_schedule=schedule,
        signal_groups=tuple(signal_groups.tolist()),
        signal_allowances={s: (a.gold, a.silver) for s, a in allowances.items()},
        budget_usd=budget_usd,
        max_programs=count,
        must_include=tuple(index[pid] for pid in must_ids),
        excluded=tuple(index[pid] for pid in exclude_ids if pid in index),
        candidates=candidates,
        values=values,
        match_value_usd=match_value_usd,
        horizon=DEFAULT_HORIZON,
        whole_curve=curve,
        stopping_stage=stopping_stage,
        interval_level=assessment.level,
    )

    def write(solution: ListSolution) -> Recommendation:
        # the institutions matched by name only for a list that is written out
        names = tuple(dict.fromkeys(e.institution for e in profile.usce if e.institution))
        in_specialties = [p for s in wanted for p in catalog.programs(specialty=s)] if names else []
        institutions = tuple(match_institution(name, in_specialties) for name in names)
        return build_recommendation(
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
            not_eligible=len(assessment.excluded),
            filtered_out=0 if blocked else len(programs) - len(candidates),
            blocked=blocked,
            no_candidates=None if candidates or must_ids or blocked else why_none(),
            institutions=institutions,
        )

    def why_none() -> str:
        """Why no program was left: none open, or the filters (`economics.why_no_candidates`)."""
        words = filters.words() + (
            ["only programs your preferences value above 0"] if values is not None else []
        )
        reasons = Counter(
            text
            for e in assessment.excluded
            for text in dict.fromkeys(r.text for r in e.reason_details)
        )
        return why_no_candidates(wanted, len(programs), len(assessment.excluded), reasons, words)

    return _Posed(problem, programs, assessment, write)
