"""The applicant's named connections (a rotation, alumni, faculty or other tie) at programs.

A connection names a program id (the program, or its ACGME code) or an institution (the one name
matcher, `core.rules.institutions`); a hands-on USCE block at a named program or institution
counts as a rotation. An applicant's terms (`terms.ApplicantTerms`) find a program id in the
specialty's index of codes, kept with its program side, rather than in a pass over the program
objects (a cache miss each, a millisecond a plan's what-if rotation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.draws import Draws
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.institutions import matches

IntArray = NDArray[np.int64]


def named_connections(profile: ApplicantProfile) -> list[tuple[str | None, str | None, str]]:
    """The profile's connections as (program id, institution, kind), its hands-on USCE blocks
    at a named program or institution as rotations, in the order they are weighed."""
    named: list[tuple[str | None, str | None, str]] = [
        (c.program_id, c.institution, c.kind) for c in profile.connections
    ]
    return named + [
        (e.program_id, e.institution, "rotation")
        for e in profile.usce
        if e.kind == "hands_on" and (e.program_id or e.institution)
    ]


def program_codes(p: Program) -> tuple[str, str]:
    """The codes a connection may name a program by: its id and its ACGME code."""
    return (p.id, p.acgme_code)


def code_positions(d: Draws) -> dict[str, list[int]]:
    """Each code of the specialty's programs (`program_codes`) with the positions of the
    programs it names (built once per specialty)."""
    found = d.memo.get("code_positions")
    if found is None:
        found = d.memo["code_positions"] = {}
        for i, p in enumerate(d.base.programs):
            for code in dict.fromkeys(program_codes(p)):
                found.setdefault(code, []).append(i)
    return found


def connection_kinds(
    profile: ApplicantProfile,
    programs: Sequence[Program],
    named_by: Callable[[str], list[int]] | None = None,
) -> list[str | None]:
    """Per program: the applicant's connection there ("rotation" beats the others), or None.

    `named_by(code)`: the positions in `programs` of the programs a code names, where an index
    gives them; else a program id reads every program's codes."""
    out: list[str | None] = [None] * len(programs)
    for pid, inst, kind in named_connections(profile):  # a later rotation replaces other kinds
        by_name = matches(inst, programs) if inst else []
        found = [j for j, hit in enumerate(by_name) if hit] if any(by_name) else []
        if pid:
            code = pid.upper()
            found += (
                named_by(code)
                if named_by is not None
                else [j for j, p in enumerate(programs) if code in program_codes(p)]
            )
        for j in found:
            if out[j] is None or kind == "rotation":
                out[j] = kind
    return out


def connections_at(profile: ApplicantProfile, d: Draws, idx: IntArray) -> list[str | None]:
    """`connection_kinds` at the specialty's programs `idx`, a program id found in the
    specialty's index of codes (only an institution reads the programs, by name)."""
    local = np.full(d.size, -1, dtype=np.int64)  # each program's position in idx, or -1
    local[idx] = np.arange(idx.size)
    codes = code_positions(d)

    def named_by(code: str) -> list[int]:
        return [k for k in local[codes.get(code, [])].tolist() if k >= 0]

    return connection_kinds(profile, _ProgramsAt(d.base.programs, idx), named_by)


class _ProgramsAt(Sequence[Program]):
    """The programs at positions `idx` of `programs`, fetched when read."""

    def __init__(self, programs: Sequence[Program], idx: IntArray) -> None:
        self.programs, self.idx = programs, idx

    def __len__(self) -> int:
        return int(self.idx.size)

    def __iter__(self) -> Iterator[Program]:
        return map(self.programs.__getitem__, self.idx.tolist())

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.programs[j] for j in self.idx[i].tolist()]
        return self.programs[int(self.idx[i])]
