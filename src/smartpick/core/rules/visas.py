"""Visa rules: which programs can take an applicant on which visa, and how likely a program whose
policy is not stated considers it.

- J-1 (clinical) is sponsored by ECFMG, not the program; the program must still consider J-1.
- H-1B is sponsored by the program and needs a *passed* Step 3 before the petition (facts.md,
  ECFMG / visas): without one, no program can sponsor an H-1B. "Passed" is judged by the Step 3
  passing score of the test date (`rules.usmle`).
- FREIDA's empty visa list ("none_listed") is neither a stated "no" nor unknown: of the 108 IM
  programs with an empty FREIDA 2025 list that AAMC 2021 also covers, 13 considered J-1 and 95 did
  not; 1 considered H-1B and 107 did not (`NONE_LISTED`). The probability is yes / 108, drawn
  from Beta(yes + 1, no + 1) in the model's bootstrap.
- A program whose policy is unknown counts with its specialty's share of programs that consider
  the visa, when at least `MIN_KNOWN_FOR_RATE` programs of the specialty state a policy (drawn
  from Beta(yes + 1, no + 1)); else with `VISA_BASE_RATE`: IM programs, JGME 2022 (effects.csv
  rows 35-37; H-1B = 63.7% x 34.5%).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from smartpick.core.programs import Program

VisaKind = Literal["j1", "h1b"]
VISA_KINDS: tuple[VisaKind, ...] = ("j1", "h1b")
VISA_LABEL: dict[str, str] = {"j1": "J-1", "h1b": "H-1B", "either": "J-1 or H-1B", "none": "none"}
VISA_BASE_RATE: dict[str, float] = {"j1": 0.637, "h1b": 0.22}
MIN_KNOWN_FOR_RATE = 10  # programs with a stated policy needed to use the specialty's own rate
H1B_SOURCE = "USCIS H-1B rules for residents"
# (considered, not considered) among the 108 IM programs with an empty FREIDA 2025 visa list that
# AAMC Residency Explorer 2021 also answers (data README; model review section 2f).
NONE_LISTED: dict[str, tuple[int, int]] = {"j1": (13, 95), "h1b": (1, 107)}
NONE_LISTED_SOURCE = "AAMC 2021 answers of 108 IM programs with no visa listed in FREIDA"
# Status codes of a program's stated policy, for vectorised lookups.
STATUS = {"no": 0, "yes": 1, "none_listed": 2, None: 3}


def none_listed_probability(kind: str) -> float:
    """P(a program with an empty FREIDA visa list considers the visa): yes / (yes + no)."""
    yes, no = NONE_LISTED[kind]
    return yes / (yes + no)


def specialty_visa_counts(programs: Sequence[Program]) -> dict[str, tuple[int, int]]:
    """(programs that consider the visa, programs with a known policy), per visa. FREIDA's empty
    list counts as known and not "yes", as the specialty's programs show it."""
    out: dict[str, tuple[int, int]] = {}
    for kind in VISA_KINDS:
        known = [v for v in (getattr(p, f"visa_{kind}").value for p in programs) if v is not None]
        out[kind] = (sum(v == "yes" for v in known), len(known))
    return out


def specialty_visa_rates(programs: Sequence[Program]) -> dict[str, float]:
    """Share of a specialty's programs with a stated policy that consider each visa."""
    rates: dict[str, float] = {}
    for kind, (yes, known) in specialty_visa_counts(programs).items():
        rates[kind] = yes / known if known >= MIN_KNOWN_FOR_RATE else VISA_BASE_RATE[kind]
    return rates


def status_codes(programs: Sequence[Program], kind: str) -> NDArray[np.int64]:
    """Each program's stated policy for one visa as a `STATUS` code."""
    return np.array([STATUS.get(getattr(p, f"visa_{kind}").value, 3) for p in programs])


def consider_table(
    kind: str,
    counts: tuple[int, int],
    none_listed: NDArray[np.float64],
    rng: np.random.Generator | None,
) -> NDArray[np.float64]:
    """P(considered) by `STATUS` code, per draw: (draws + 1, 4); row 0 is the point value.

    Stated answers are 1 or 0; "none listed" takes `none_listed` (its value per draw, Beta draws
    from `NONE_LISTED`); an unknown policy the specialty's rate (`counts`: its (yes, stated)),
    drawn from Beta(yes + 1, no + 1) in draws 1..D."""
    yes, known = counts
    if known >= MIN_KNOWN_FOR_RATE:
        unknown_point, unknown_ab = yes / known, (yes + 1.0, known - yes + 1.0)
    else:
        unknown_point = VISA_BASE_RATE[kind]
        unknown_ab = (100 * unknown_point, 100 * (1 - unknown_point))
    draws = none_listed.size - 1
    table = np.zeros((draws + 1, 4))
    table[:, 1] = 1.0
    table[:, 2] = none_listed
    table[:, 3] = unknown_point
    if draws and rng is not None:
        table[1:, 3] = rng.beta(*unknown_ab, size=draws)
    return table
