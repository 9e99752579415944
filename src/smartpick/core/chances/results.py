"""What the model says about programs: each one's chances with reasons, or why it is excluded."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.matrix import ChanceMatrix
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Eligibility, Reason

T = TypeVar("T")

# Each program's id, track, specialty, state, region and setting ("" where unknown) as arrays.
ProgramFacts = Mapping[str, NDArray[np.str_]]


def _reason_dict(r: Reason) -> dict[str, Any]:
    """A reason as JSON: direction "+" raises, "-" lowers, "?" unknown, "x" excludes."""
    return {"text": r.text, "source": r.source, "year": r.year, "direction": r.direction}


def program_ref(p: Program) -> dict[str, Any]:
    """The keys that name a program in every JSON row (the one key is `program_id`)."""
    return {
        "program_id": p.id,
        "name": p.name,
        "specialty": p.specialty,
        "track": p.track,
        "state": p.state.value,
    }


@dataclass(frozen=True)
class ProgramChance:
    """One program's probabilities (point, low, high) with reasons.

    The reasons are written when first read (`explain` gives them): a list shows a few dozen
    rows of the hundreds assessed."""

    program: Program
    p_interview: tuple[float, float, float]
    p_match: tuple[float, float, float]  # this program alone: P(interview) x conversion
    p_interview_signal: dict[str, float]  # point P(interview) per signal level
    confidence: str  # high / medium / low: how many program facts were unknown
    unknowns: tuple[str, ...]
    explain: Callable[[], tuple[tuple[str, ...], tuple[Reason, ...]]] = field(
        compare=False, repr=False
    )
    eligible: bool = True

    @cached_property
    def _explained(self) -> tuple[tuple[str, ...], tuple[Reason, ...]]:
        return self.explain()

    @property
    def reasons(self) -> tuple[str, ...]:
        """Top reasons, as text with their sources (the program's 2026 evidence first)."""
        return self._explained[0]

    @property
    def reason_details(self) -> tuple[Reason, ...]:
        """Every reason, in order: the program's, then the applicant's."""
        return self._explained[1]

    @property
    def program_id(self) -> str:
        """The program's id."""
        return self.program.id

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a program's chances."""
        return {
            **program_ref(self.program),
            "eligible": True,
            "p_interview": dict(zip(("point", "low", "high"), self.p_interview, strict=True)),
            "p_match": dict(zip(("point", "low", "high"), self.p_match, strict=True)),
            "p_interview_signal": self.p_interview_signal,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
            "reason_details": [_reason_dict(r) for r in self.reason_details],
            "unknowns": list(self.unknowns),
        }


@dataclass(frozen=True)
class ExcludedProgram:
    """A program the applicant cannot match at, with the reasons kept."""

    program: Program
    reasons: tuple[str, ...]
    reason_details: tuple[Reason, ...]
    eligible: bool = False

    @property
    def program_id(self) -> str:
        """The program's id."""
        return self.program.id

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an excluded program."""
        return {
            **program_ref(self.program),
            "eligible": False,
            "reasons": list(self.reasons),
            "reason_details": [_reason_dict(r) for r in self.reason_details],
        }


class MadeWhenRead(Sequence[T]):
    """A sequence whose items are made when read (`_make`), from columns kept instead."""

    @abstractmethod
    def _make(self, i: int) -> T:
        """The item at position i (0 <= i < len)."""

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[T, ...]: ...

    def __getitem__(self, i: int | slice) -> T | tuple[T, ...]:
        if isinstance(i, slice):
            return tuple(self._make(j) for j in range(len(self))[i])
        return self._make(range(len(self))[i])  # IndexError past the end, negatives allowed


class ExcludedPrograms(MadeWhenRead[ExcludedProgram]):
    """Excluded programs, each made when read (a list shows none of them; a specialty can
    exclude hundreds): `programs[i]` with the hard rules' verdict `eligibility[i]`."""

    def __init__(self, programs: Sequence[Program], eligibility: Sequence[Eligibility]) -> None:
        self._programs, self._eligibility = programs, eligibility
        self._reasons: dict[int, tuple[str, ...]] = {}  # per verdict (programs share them)

    def __len__(self) -> int:
        return len(self._programs)

    def _make(self, i: int) -> ExcludedProgram:
        e = self._eligibility[i]
        why = self._reasons.get(id(e))
        if why is None:
            why = self._reasons[id(e)] = tuple(str(r) for r in e.exclusions)
        return ExcludedProgram(self._programs[i], why, e.exclusions)


@dataclass(frozen=True)
class Prediction:
    """Everything the model says for one applicant and a set of programs."""

    chances: ChanceMatrix  # eligible programs only, aligned with `programs` and `rows`
    programs: tuple[Program, ...]
    rows: Sequence[ProgramChance]  # built when read (`core.chances.rows`)
    excluded: Sequence[ExcludedProgram]  # made when read (`ExcludedPrograms`)
    notes: tuple[str, ...]
    facts: ProgramFacts  # aligned with `programs`


@dataclass(frozen=True)
class Assessment:
    """Chances of one applicant at a set of programs.

    `programs`, `rows` and the `chances` arrays are aligned (eligible programs only);
    `excluded` lists the programs a hard rule removed, with the reasons.
    """

    profile: ApplicantProfile
    specialties: tuple[str, ...]
    programs: tuple[Program, ...]
    chances: ChanceMatrix
    rows: Sequence[ProgramChance]  # built when read (`core.chances.rows`)
    excluded: Sequence[ExcludedProgram]  # made when read (`ExcludedPrograms`)
    notes: tuple[str, ...]
    level: float
    # the programs' catalog facts as arrays, aligned with `programs`: what the list's filters and
    # groups read (`core.chances.predict.program_facts`)
    facts: ProgramFacts
    tracks: tuple[str, ...] | None = None  # the tracks assessed (None: every track or by id)

    def row(self, program_id: str) -> ProgramChance:
        """The row of an eligible program (KeyError if it is not eligible or not assessed)."""
        for i, p in enumerate(self.programs):
            if p.id == program_id:
                return self.rows[i]
        raise KeyError(program_id)

    def interview_points(self, specialty: str | None = None) -> dict[str, float]:
        """Point P(interview) (no signal, integrated over u) per eligible program id, for all
        programs or those of one specialty."""
        point = self.chances.point_interview[0] @ self.chances.weights
        ids = self.facts["id"]
        if specialty is not None:  # from the facts' columns: no pass over the program objects
            mine = self.facts["specialty"] == specialty
            ids, point = ids[mine], point[mine]
        return dict(zip(ids.tolist(), point.tolist(), strict=True))

    def exclusion_rules(self) -> dict[str, frozenset[str]]:
        """The hard rules that ruled out each excluded program, by program id: the programs the
        results page counts as ruled out, for every face that counts them by rule."""
        return {
            e.program_id: frozenset(r.rule for r in e.reason_details if r.rule is not None)
            for e in self.excluded
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `smartpick chances --format json` and the web API."""
        return {
            "profile": self.profile.name,
            "specialties": list(self.specialties),
            "interval_level": self.level,
            "programs": [r.to_dict() for r in self.rows],
            "excluded": [e.to_dict() for e in self.excluded],
            "notes": list(self.notes),
        }
