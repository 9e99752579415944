"""Visa rules: which programs can take an applicant on which visa, and the fallback rates.

- J-1 (clinical) is sponsored by ECFMG, not the program; the program must still consider J-1.
- H-1B is sponsored by the program and needs a *passed* Step 3 before the petition (facts.md,
  ECFMG / visas): without one, no program can sponsor an H-1B. "Passed" is judged by the Step 3
  passing score of the test date (`rules.usmle`).
- A program whose policy is unknown counts with its specialty's share of programs that consider
  the visa, when at least `MIN_KNOWN_FOR_RATE` programs of the specialty state a policy; else with
  `VISA_BASE_RATE`: IM programs, JGME 2022 (effects.csv rows 35-37; H-1B = 63.7% x 34.5%).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from smartpick.core.programs import Program

VisaKind = Literal["j1", "h1b"]
VISA_LABEL: dict[str, str] = {"j1": "J-1", "h1b": "H-1B", "either": "J-1 or H-1B", "none": "none"}
VISA_BASE_RATE: dict[str, float] = {"j1": 0.637, "h1b": 0.22}
MIN_KNOWN_FOR_RATE = 10  # programs with a stated policy needed to use the specialty's own rate
H1B_SOURCE = "USCIS H-1B rules for residents"


def specialty_visa_rates(programs: Sequence[Program]) -> dict[str, float]:
    """Share of a specialty's programs with a stated policy that consider each visa."""
    rates: dict[str, float] = {}
    for kind, attr in (("j1", "visa_j1"), ("h1b", "visa_h1b")):
        known = [getattr(p, attr).value for p in programs if getattr(p, attr).value is not None]
        rates[kind] = (
            sum(v == "yes" for v in known) / len(known)
            if len(known) >= MIN_KNOWN_FOR_RATE
            else VISA_BASE_RATE[kind]
        )
    return rates
