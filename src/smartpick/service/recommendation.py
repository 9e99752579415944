"""The chosen list written out: each listed program's row, the totals with intervals, the curve,
signals and notes (`Recommendation`). The draws behind the intervals are computed here for the
listed programs only, and each listed program's reasons are written only for them. A list that is
priced but not shown (a plan's what-if) is written as a `PricedList`: its draws and fees alone.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat, starmap
from operator import itemgetter
from typing import Any

import numpy as np

from smartpick.core.chances.estimate import Estimate
from smartpick.core.chances.matrix import SIGNAL_LEVELS, interval, intervals
from smartpick.core.chances.results import Assessment, ProgramChance
from smartpick.core.chances.rows import RowWords, row_words, shown_words
from smartpick.core.lists.curve import list_draws, list_outcome_draws, objective_draws
from smartpick.core.lists.economics import how_many
from smartpick.core.lists.fees import FeeSchedule
from smartpick.core.lists.result import CurvePoint, ListedProgram, Recommendation
from smartpick.core.lists.signals import Allowance, signal_noun
from smartpick.core.lists.tiers import tier_scale
from smartpick.core.lists.types import ListChoice, ListProblem, ListSolution
from smartpick.core.plan.figures import points, small_percent
from smartpick.core.programs import Program
from smartpick.core.rules.institutions import InstitutionMatch
from smartpick.core.rules.languages import language_note
from smartpick.core.rules.policy import entry_condition
from smartpick.core.rules.screens import ScreenedApplicant, screened, screens
from smartpick.core.rules.season import Season


def _pp(x: float) -> str:
    """A program's weight in the list, as its row's sentence writes it (one decimal)."""
    if x >= 0.0005:
        return f"{points(x, signed=False)} percentage points"
    return "less than 0.1 percentage point"


def build_recommendation(
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
    no_candidates: str | None,
) -> Recommendation:
    """The `Recommendation` of a solved list problem (rows, totals, curve, signals, notes)."""
    cm = problem.chances
    selected = list(solution.order)
    levels = list(solution.signals)
    # the listed programs' draws read once: each one's P(interview) (its interval in one quantile
    # pass), the list's P(match) and expected interviews
    shown, p_draws, i_draws = list_draws(cm, selected, levels)
    # with the list's P(match) and expected interviews as two more columns: one quantile pass
    *p_ints, p_match, interviews = intervals(
        np.column_stack((shown, p_draws, i_draws)), assessment.level
    )
    must = set(problem.must_include)
    objective_name = (
        "your chance of matching" if problem.values is None else "the expected value of your match"
    )
    level = assessment.level
    applicant_type = assessment.profile.applicant_type
    listed_programs = [programs[i] for i in selected]
    groups = [problem.fee_groups[i] for i in selected]
    fees = list(map(int, solution.fees_usd))
    # each program's place among the list's programs of its fee group (the fee tiers count it),
    # and each group's applications and fees
    fees_by_specialty: dict[str, dict[str, int]] = {}
    ordinals = []
    for group, fee in zip(groups, fees, strict=True):
        entry = fees_by_specialty.get(group)
        if entry is None:
            entry = fees_by_specialty[group] = {"applications": 0, "fees_usd": 0}
        entry["applications"] += 1
        entry["fees_usd"] += fee
        ordinals.append(entry["applications"])
    # P(interview) without a signal, one dot product per program in one call: the same bits as
    # `row @ weights` row by row (a matrix-vector product would sum in another order)
    unsignaled = cm.point_interview[0][selected]
    plain = (unsignaled[:, None, :] @ cm.weights[:, None])[:, 0, 0].tolist()
    p_interview = list(starmap(Estimate, p_ints))
    scales = {s: tier_scale(s, applicant_type) for s in {p.specialty for p in listed_programs}}
    signal_levels = [SIGNAL_LEVELS[s] for s in levels]
    # each signal as the applicant reads it: "signal" where its specialty has one kind
    signal_names = [
        allowances[p.specialty].name(s) if p.specialty in allowances else s
        for p, s in zip(listed_programs, signal_levels, strict=True)
    ]
    why = _Why(
        screened=screened(assessment.profile),
        regions=frozenset(assessment.profile.preferred_regions),
        states=frozenset(assessment.profile.preferred_states),
        programs=listed_programs,
        rows=assessment.rows,
        selected=selected,
        signals=signal_names,
        plain=plain,
        p_interview=p_interview,
        contributions=solution.contributions,
        must_include=[i in must for i in selected],
        objective_name=objective_name,
        fees_usd=solution.fees_usd,
        in_group=ordinals,
        groups=groups,
        season=schedule.season,
    )
    # the rows column by column (a list has a hundred, made on every request)
    listed = list(
        map(
            ListedProgram,
            range(1, len(selected) + 1),
            listed_programs,
            [
                scales[p.specialty].tier_of(p_int.point)
                for p, p_int in zip(listed_programs, p_interview, strict=True)
            ],
            p_interview,
            plain,
            signal_levels,
            signal_names,
            fees,
            [100 * c for c in solution.contributions],
            [None] * len(selected)
            if problem.values is None
            else [problem.values[i] for i in selected],
            why.must_include,
            repeat(why),
        )
    )

    expected_value = None
    if problem.values is not None:
        ev_draws = objective_draws(cm, selected, levels, problem.values)
        expected_value = Estimate(*interval(ev_draws, level))

    curve = _curve(solution, problem.budget_usd, problem.max_programs)
    signals_out: dict[str, dict[str, Any]] = {}
    used = Counter(
        (p.specialty, signal)
        for p, signal in zip(listed_programs, signal_levels, strict=True)
        if signal != "none"
    )
    for specialty, allowance in allowances.items():
        gold, silver = used[specialty, "gold"], used[specialty, "silver"]
        signals_out[specialty] = {
            "gold_allowed": allowance.gold,
            "silver_allowed": allowance.silver,
            "gold_used": gold,
            "silver_used": silver,
            "in_words": allowance.used_words(gold, silver),
            "season": allowance.season,
            "source_url": allowance.source_url,
            "note": allowance.note,
        }

    under_way = Season(season).under_way_note(_dt.date.today())
    notes = [
        *([under_way] if under_way else []),
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
    if solution.binding == "candidates" and listed:
        notes.append("Every eligible program that adds anything is in the list.")
    spanish = language_note(assessment.profile, (p.state.value for p in listed_programs))
    if spanish is not None:
        notes.append(spanish)

    return Recommendation(
        objective="p_match" if problem.values is None else "preference_value",
        programs=tuple(listed),
        p_match=Estimate(*p_match),
        p_match_draws=p_draws,
        expected_interviews=Estimate(*interviews),
        expected_interviews_draws=np.asarray(i_draws, dtype=float),
        expected_value=expected_value,
        program_fees_usd=sum(fees),
        transcript_fee_usd=solution.transcript_fee_usd,
        fees_by_specialty=fees_by_specialty,
        curve=curve,
        stop_at_applications=None
        if solution.stop_at is None
        else solution.stages[solution.stop_at].applications,
        how_many=how_many(
            match_value_usd=float(constraints["match_value_usd"]),
            is_default=value_is_default,
            curve=list(map(itemgetter(0, 1, 2), curve)),  # applications, fees, P(match)
            rule_index=solution.stop_at,
            listed=len(listed),
            limited_by=solution.binding,
            specialties=tuple(constraints["specialties"]),
            applicant_type=assessment.profile.applicant_type,
            budget_usd=problem.budget_usd,
            max_programs=problem.max_programs,
            blocked=blocked,
            no_candidates=no_candidates,
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
        intervals=all(c.p_match_range is not None for c in curve),
        entry_condition=entry_condition(assessment.profile),
    )


@dataclass(frozen=True)
class PricedList:
    """What a price reads of a list it does not show (`service.recommend.price_list`): the same
    numbers as the `Recommendation` of the same list, without its rows, curve and notes."""

    programs: tuple[Program, ...]  # the listed programs, most valuable first
    p_match_draws: np.ndarray  # per bootstrap draw (draw 0 = point estimate)
    expected_interviews_draws: np.ndarray
    total_fees_usd: int  # ERAS program fees plus the transcript fee
    assessment: Assessment  # the chances the list was chosen from


def priced_list(
    problem: ListProblem, choice: ListChoice, programs: list[Program], assessment: Assessment
) -> PricedList:
    """The `PricedList` of a chosen list (the draws as `build_recommendation` reads them)."""
    selected = list(choice.order)
    p_draws, i_draws = list_outcome_draws(problem.chances, selected, list(choice.signals))
    return PricedList(
        programs=tuple(programs[i] for i in selected),
        p_match_draws=p_draws,
        expected_interviews_draws=np.asarray(i_draws, dtype=float),
        total_fees_usd=sum(map(int, choice.fees_usd)) + choice.transcript_fee_usd,
        assessment=assessment,
    )


def _curve(
    solution: ListSolution, budget: float | None, most: int | None
) -> tuple[CurvePoint, ...]:
    """The curve's points from the chain's stages (column by column: a curve has hundreds)."""
    if not solution.stages:
        return ()
    lists, fees, objectives, points, ranges, gains = zip(*solution.stages, strict=True)
    sizes = [lists_.size for lists_ in lists]
    if budget is None and most is None:
        within: Sequence[bool] = [True] * len(sizes)
    else:
        within = [
            (budget is None or fee <= budget) and (most is None or size <= most)
            for size, fee in zip(sizes, fees, strict=True)
        ]
    return tuple(
        map(
            CurvePoint,
            sizes,
            fees,
            points,
            ranges,
            objectives,
            [100 * gain for gain in gains],
            within,
        )
    )


@dataclass
class _Why:
    """What the listed programs' words and reasons are written from, one column per field
    (`ListWords`; the reasons of the whole list are written when one is first read: a what-if
    prices a list without showing it)."""

    screened: ScreenedApplicant  # the applicant's side of every program's screens
    regions: frozenset[str]  # the applicant's preferred regions and states
    states: frozenset[str]
    programs: list[Program]
    rows: Sequence[ProgramChance]
    selected: list[int]  # each listed program's position in `rows`
    signals: list[str]  # each one's signal as the applicant reads it ("none": no signal)
    plain: list[float]
    p_interview: list[Estimate]
    contributions: tuple[float, ...]
    must_include: list[bool]
    objective_name: str
    fees_usd: tuple[int, ...]
    in_group: list[int]  # its place among the listed programs of its fee group
    groups: list[str]
    season: int
    written: list[tuple[str, ...]] | None = None  # every listed program's reasons, once read
    said: list[RowWords] | None = None  # every listed program's row in words, once read

    def words(self, k: int) -> RowWords:
        """The model's row of the k-th listed program in words."""
        return self._said()[k]

    def _said(self) -> list[RowWords]:
        if self.said is None:
            self.said = [row_words(self.rows, j) for j in self.selected]
        return self.said

    def shown(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """Every listed program's top reasons and unknowns, in list order."""
        return shown_words(self.rows, self.selected)

    def reasons(self, k: int) -> tuple[str, ...]:
        """Why the k-th listed program is in the list, most specific first (the whole list's
        written together when the first is read: a list is shown whole)."""
        if self.written is None:
            self.written = self._write()
        return self.written[k]

    def _write(self) -> list[tuple[str, ...]]:
        regions, states, screened = self.regions, self.states, self.screened
        without, season = f"without it {self.objective_name} would be ", self.season
        out = []
        for p, row, signal, plain, p_int, contribution, must, fee, in_group, group in zip(
            self.programs,
            self._said(),
            self.signals,
            self.plain,
            self.p_interview,
            self.contributions,
            self.must_include,
            self.fees_usd,
            self.in_group,
            self.groups,
            strict=True,
        ):
            reasons: list[str] = ["must-include (your choice)"] if must else []
            if signal != "none":
                reasons.append(
                    f"with {signal_noun(signal)}, interview chance {small_percent(plain)} → "
                    f"{small_percent(p_int.point)}"
                )
            reasons.append(f"{without}{_pp(contribution)} lower")
            reasons += row.reasons
            met = screens(screened, p)
            if met:  # most programs show no screen this applicant meets
                reasons += [f"{screen.text} ({screen.source})" for screen in met]
            if p.region.value in regions or p.state.value in states:
                reasons.append(f"in your preferred area ({p.state.value}, {p.region.value})")
            if row.unknowns:
                reasons.append(f"unknown: {', '.join(row.unknowns)}")
            reasons.append(f"ERAS fee ${fee} (program {in_group} of {group}, {season} season)")
            out.append(tuple(reasons))
        return out
