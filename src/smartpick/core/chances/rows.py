"""One row per eligible program (intervals, signal points, confidence, reasons), built when read.

A list shows a few dozen of the hundreds of programs assessed, so a row is built the first time it
is read; reading them all (iteration, slices) builds the missing ones together, with the draws of
their programs computed in one pass. A row's words alone (`RowWords`: confidence, unknowns,
reasons; what a listed program shows besides its own figures) need no draws at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple, get_args, overload

import numpy as np

from smartpick.core.chances import applicant_reasons as mine
from smartpick.core.chances import reasons as why
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.evidence import type_rate
from smartpick.core.chances.matrix import ChanceMatrix, FloatArray, intervals
from smartpick.core.chances.results import ProgramChance
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.applicant import ApplicantType
from smartpick.core.programs import Program, once_per_program
from smartpick.core.rules.eligibility import Eligibility, Reason

if TYPE_CHECKING:
    from smartpick.core.chances.estimator import ChanceModel

# A row's reasons: the top ones as text, and every one.
Explained = tuple[tuple[str, ...], tuple[Reason, ...]]
_TEXT = itemgetter(1)  # a reason's text (`why.Said`), read in C: a list reads hundreds


@dataclass
class SpecialtyRows:
    """What every row of one specialty shares: the model's program side and the applicant."""

    model: ChanceModel
    profile: ApplicantProfile
    draws: Draws
    failed: tuple[float, float]
    # whether the specialty has 2026 program data (its own layer), read by every row
    layered: bool = field(init=False)
    _applicant: list[Reason] | None = field(default=None, init=False)
    _applicant_top: tuple[str, ...] | None = field(default=None, init=False)
    _pooled: float | None = field(default=None, init=False)
    # each hard-rule verdict's soft reasons as shown, written once (rows share verdicts)
    _soft: dict[int, tuple[Eligibility, tuple[tuple[why.Said, ...], tuple[why.Said, ...]]]] = field(
        default_factory=dict, init=False
    )

    def __post_init__(self) -> None:
        self.layered = self.draws.base.layer is not None

    def applicant(self) -> list[Reason]:
        """The applicant's own reasons in this specialty (written once, when first needed)."""
        if self._applicant is None:
            d, profile, specialty = self.draws, self.profile, self.draws.base.specialty
            effects = {k: float(v[0]) for k, v in d.effects.items()}
            out = [
                self.model.score_reason(profile, specialty),
                *mine.applicant_reasons(profile, specialty, effects, float(d.lam[0])),
            ]
            if any(self.failed):
                f1, f2 = self.failed
                typical = float(np.median(d.fail[0, :, 0] * f1 + d.fail[0, :, 1] * f2))
                out.append(mine.failed_reason(profile, specialty, typical, self.layered))
            self._applicant = out
        return self._applicant

    def applicant_top(self) -> tuple[str, ...]:
        """The applicant's reasons every row of the specialty shows, as text (written once)."""
        if self._applicant_top is None:
            self._applicant_top = tuple(
                str(r) for r in mine.top_applicant_reasons(self.applicant())
            )
        return self._applicant_top

    def said(
        self, p: Program, elig: Eligibility, connection: str | None, most: int | None = None
    ) -> list[why.Said]:
        """A row's program reasons with their text: a caveat that may shut the program to the
        applicant first (`_soft_reasons`), the program's 2026 evidence, then the other visa
        facts, a connection and the older proxies (with `most`, at least the first `most` of
        them and possibly no more, and only their text to be read: a listed program shows its
        top ones' text only, see `why.evidence_reasons`)."""
        pooled = self._pooled
        if pooled is None:
            pooled = self._pooled = self.model.pooled_rate(self.draws.base.charting)
        layered = self.layered
        evidence = (
            why.evidence_reasons(p, self.profile, pooled, self.failed, text_only=most is not None)
            if layered
            else []
        )
        if not evidence:
            evidence.append(why.NO_EVIDENCE[layered])
        caveats, other_soft = self._soft_reasons(elig)
        # a caveat that may shut the program to the applicant leads: the short list keeps it
        program = [*caveats, *evidence] if caveats else evidence
        if most is not None and len(program) >= most:
            return program
        program += other_soft
        if connection:
            program.append(why.CONNECTION[connection])
        program += why.program_reasons(p).older[self.profile.applicant_type]
        return program

    def top(self, program: Sequence[why.Said]) -> tuple[str, ...]:
        """A row's top reasons as text (`said` gives its program's): the program's first, then
        the applicant's."""
        applicant_top = self._applicant_top
        if applicant_top is None:
            applicant_top = self.applicant_top()
        return (*map(_TEXT, program[: why.TOP_PROGRAM_REASONS]), *applicant_top)

    def explain(self, p: Program, elig: Eligibility, connection: str | None) -> Explained:
        """A row's reasons: its top ones as text, and every one (the program's, see `said`,
        then the applicant's own)."""
        program = self.said(p, elig, connection)
        return self.top(program), (*[r for r, _ in program], *self.applicant())

    def _soft_reasons(self, elig: Eligibility) -> tuple[tuple[why.Said, ...], tuple[why.Said, ...]]:
        """A verdict's visa and stale-data reasons with their text, written once per verdict:
        the caveats that may shut the program to the applicant (no visa listed, an old "does not
        take part"), then the others (a policy not known)."""
        found = self._soft.get(id(elig))
        if found is None or found[0] is not elig:
            shut_maybe = why.caveats(elig)
            caveats = tuple(why.said(r) for r in shut_maybe)
            others = tuple(why.said(r) for r in elig.soft_reasons if r not in shut_maybe)
            found = self._soft[id(elig)] = (elig, (caveats, others))
        return found[1]


class RowWords(NamedTuple):
    """A program's row in words, without its figures: how sure the model is (high / medium /
    low, by how many program facts are unknown), what it does not know, and its reasons (a
    named tuple: a list makes hundreds)."""

    confidence: str
    unknowns: tuple[str, ...]
    explain: Callable[[], Explained]  # written when asked
    top: Callable[[], tuple[str, ...]]  # `explain()[0]`, written alone when asked

    @property
    def reasons(self) -> tuple[str, ...]:
        """Top reasons, as text with their sources (a caveat that may shut the program, then its
        2026 evidence)."""
        return self.top()


class RowSpecs:
    """What the rows are built from, kept as columns (a list reads a few dozen of the hundreds
    of rows): each program, its hard rules' verdict, the applicant's connection there and its
    specialty's shared part."""

    def __init__(self) -> None:
        self.programs: list[Program] = []
        self.eligibility: list[Eligibility] = []
        self.connections: list[str | None] = []
        self.specialty: list[SpecialtyRows] = []

    def extend(
        self,
        programs: Sequence[Program],
        eligibility: Sequence[Eligibility],
        connections: Sequence[str | None],
        specialty: SpecialtyRows,
    ) -> None:
        """Add the rows of one specialty's programs."""
        self.programs += programs
        self.eligibility += eligibility
        self.connections += connections
        self.specialty += [specialty] * len(programs)

    def reordered(self, order: Sequence[int]) -> RowSpecs:
        """The specs in another order (`order[k]`: the position of the k-th)."""
        out = RowSpecs()
        for name in ("programs", "eligibility", "connections", "specialty"):
            column = getattr(self, name)
            setattr(out, name, [column[i] for i in order])
        return out

    def __len__(self) -> int:
        return len(self.programs)


class ChanceRows(Sequence[ProgramChance]):
    """The rows of the eligible programs, aligned with the chance matrix, built when read."""

    def __init__(self, chances: ChanceMatrix, level: float, specs: RowSpecs) -> None:
        self._chances = chances
        self._level = level
        self._specs = specs
        self._rows: list[ProgramChance | None] = [None] * len(self._specs)
        # each row's confidence and unknowns: its words without their reasons, which are
        # written through this object (words kept here would make a cycle with it, and every
        # assessment would wait for the cyclic collector to free its arrays)
        self._judged: list[tuple[str, tuple[str, ...]] | None] = [None] * len(self._specs)
        self._explained: dict[int, Explained] = {}
        self._top: dict[int, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def built(self) -> int:
        """How many rows have been built (with their draws) so far."""
        return sum(row is not None for row in self._rows)

    @overload
    def __getitem__(self, i: int) -> ProgramChance: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[ProgramChance, ...]: ...

    def __getitem__(self, i: int | slice) -> ProgramChance | tuple[ProgramChance, ...]:
        if isinstance(i, slice):
            wanted = list(range(len(self._specs)))[i]
            self.build(wanted)
            return tuple(self._rows[j] for j in wanted)  # type: ignore[misc]
        j = range(len(self._specs))[i]  # IndexError past the end, negative indices allowed
        self.build([j])
        row = self._rows[j]
        assert row is not None
        return row

    def __iter__(self) -> Iterator[ProgramChance]:
        self.build(range(len(self._specs)))
        for row in self._rows:
            assert row is not None
            yield row

    def words(self, j: int) -> RowWords:
        """The words of the row at `j` (no draws computed); its reasons are the row's own."""
        return RowWords(
            *self._judged_at(j), partial(self._explain, j), partial(self._top_reasons, j)
        )

    def shown(self, at: Sequence[int]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """The top reasons (as text) and the unknowns of the rows at `at`: what a listed
        program shows of its words, read without making each row's `RowWords`."""
        return [self._top_reasons(j) for j in at], [self._judged_at(j)[1] for j in at]

    def _judged_at(self, j: int) -> tuple[str, tuple[str, ...]]:
        """The confidence and unknowns of the row at `j`, worked out once."""
        judged = self._judged[j]
        if judged is None:
            specs = self._specs
            judged = self._judged[j] = _judged(
                specs.programs[j], specs.eligibility[j], specs.specialty[j]
            )
        return judged

    def _explain(self, j: int) -> Explained:
        """The reasons of the row at `j`, written once whether read from its words or its row."""
        found = self._explained.get(j)
        if found is None:
            specs = self._specs
            found = self._explained[j] = specs.specialty[j].explain(
                specs.programs[j], specs.eligibility[j], specs.connections[j]
            )
        return found

    def _top_reasons(self, j: int) -> tuple[str, ...]:
        """The top reasons of the row at `j` as text (`_explain(j)[0]`), written without the rest
        unless they already are: a listed program shows these only."""
        found = self._explained.get(j)
        if found is not None:
            return found[0]
        top = self._top.get(j)
        if top is None:
            specs = self._specs
            specialty = specs.specialty[j]
            said = specialty.said(
                specs.programs[j],
                specs.eligibility[j],
                specs.connections[j],
                why.TOP_PROGRAM_REASONS,
            )
            top = self._top[j] = specialty.top(said)
        return top

    def build(self, wanted: Sequence[int]) -> None:
        """Build the rows at `wanted` that are not built yet, together."""
        missing = [j for j in wanted if self._rows[j] is None]
        if not missing:
            return
        cm, w = self._chances, self._chances.weights
        interview = cm.interview_draws(0, missing)

        def integrate(x: FloatArray) -> FloatArray:
            # a sum over the last axis: each row's value does not depend on which rows are built
            return np.asarray((x * w).sum(axis=-1))

        p_int = integrate(interview)
        p_match = integrate(interview * cm.conversion_draws(missing))
        silver = integrate(cm.point_interview[1][missing])
        gold = integrate(cm.point_interview[2][missing])
        interview_ci = intervals(p_int, self._level)
        match_ci = intervals(p_match, self._level)
        specs = self._specs
        for k, j in enumerate(missing):
            p = specs.programs[j]
            self._rows[j] = _row(
                p,
                self._judged_at(j),
                # written by the specialty's rows, not through this object: a row kept here
                # and bound to it would make a cycle (see `__init__`)
                partial(specs.specialty[j].explain, p, specs.eligibility[j], specs.connections[j]),
                interview_ci[k],
                match_ci[k],
                {"none": float(p_int[0, k]), "silver": float(silver[k]), "gold": float(gold[k])},
            )


def _judged(
    p: Program, eligibility: Eligibility, specialty: SpecialtyRows
) -> tuple[str, tuple[str, ...]]:
    """A row's confidence (high / medium / low, by how many program facts are unknown) and what
    is unknown."""
    unknowns = (
        eligibility.unknowns
        + unknown_facts(p)[specialty.profile.applicant_type if specialty.layered else None]
    )
    n_unknown = len(unknowns)
    return "high" if n_unknown == 0 else "medium" if n_unknown == 1 else "low", unknowns


@once_per_program
def unknown_facts(p: Program) -> dict[str | None, tuple[str, ...]]:
    """What the model does not know of the program itself (`RowWords.unknowns` after the hard
    rules' own), per applicant type where its specialty has 2026 program data (None: it has
    none): whether it published 2026 interview figures for that type, and its setting."""
    setting = ("program setting",) if p.setting.value is None else ()
    out: dict[str | None, tuple[str, ...]] = {None: ("2026 interview figures", *setting)}
    for kind in get_args(ApplicantType):
        known = type_rate(p.interview_evidence, kind) is not None
        out[kind] = setting if known else out[None]
    return out


def _row(
    program: Program,
    judged: tuple[str, tuple[str, ...]],
    explain: Callable[[], Explained],
    p_interview: tuple[float, float, float],
    p_match: tuple[float, float, float],
    by_signal: dict[str, float],
) -> ProgramChance:
    return ProgramChance(
        program=program,
        p_interview=p_interview,
        p_match=p_match,
        p_interview_signal=by_signal,
        confidence=judged[0],
        unknowns=judged[1],
        explain=explain,
    )


def shown_words(
    rows: Sequence[ProgramChance], at: Sequence[int]
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The top reasons and the unknowns of the rows at `at` (`ChanceRows.shown`; rows built
    already give their own)."""
    if isinstance(rows, ChanceRows):
        return rows.shown(at)
    words = [row_words(rows, j) for j in at]
    return [w.reasons for w in words], [w.unknowns for w in words]


def row_words(rows: Sequence[ProgramChance], j: int) -> RowWords:
    """The words of the row at `j`: without its draws when the rows are built on read."""
    if isinstance(rows, ChanceRows):
        return rows.words(j)
    row = rows[j]
    return RowWords(
        row.confidence,
        row.unknowns,
        lambda: (row.reasons, row.reason_details),
        lambda: row.reasons,
    )
