"""Figures as users read them: each rounded once, from the exact value, and written one way in
every face (the list's and the plan's sentences, the CLI, the PDF, and the web pages through the
`shown` texts of the plan's JSON), so one figure never reads two ways.

The JSON contract's numbers are rounded for programs that read them (`P_DIGITS`,
`INTERVIEW_DIGITS`). Formatting those again rounds twice (7.25125 -> 7.25 -> "7.2", where the
exact value reads "7.3" as the results page says), so the faces write figures with these helpers
from the exact values, or show the texts made by them.
"""

from __future__ import annotations

from smartpick.core.chances.estimate import Estimate

P_DIGITS = 4  # probabilities and their changes in the JSON: 0.4851, i.e. 48.51%
# The plan's baseline chance, labelled as every face labels it: the plan prices its steps on the
# list SmartPick chooses with the budget and the value of a match only, while the page's list
# can keep a number of applications, pins or exclusions, so the plan names its own list.
PLAN_CHANCE = "Your chance of matching with the list SmartPick chooses by itself"
INTERVIEW_DIGITS = 2  # expected interview offers in the JSON: 7.25


def percent(p: float) -> str:
    """A probability as a whole percentage: "49%"."""
    return f"{100 * p:.0f}%"


def small_percent(p: float) -> str:
    """A chance that may be tiny, as a whole percentage: "13%", "under 1%" (never a "0%" that is
    not 0), "0%"."""
    return percent(p) if p >= 0.01 else ("under 1%" if p > 0 else "0%")


def points(d: float, *, signed: bool = True) -> str:
    """A change of probability in percentage points, signed: "+5.3" (a change that rounds to
    nothing reads "+0.0", never "-0.0"); unsigned where the words say which way: "5.3"."""
    return _signed(f"{100 * d:+.1f}") if signed else f"{abs(100 * d):.1f}"


def offers(x: float, *, signed: bool = False) -> str:
    """Expected interview offers (or their change, `signed`), to one decimal: "7.3"."""
    return _signed(f"{x:+.1f}") if signed else f"{x:.1f}"


def likely_percent(e: Estimate) -> str:
    """A chance with its likely range, as every table writes it: "34% (likely 29-40%)"."""
    return f"{percent(e.point)} (likely {percent(e.low).rstrip('%')}-{percent(e.high)})"


def likely_offers(e: Estimate) -> str:
    """Expected interview offers with their likely range: "1.8 (likely 1.5-2.2)"."""
    return f"{offers(e.point)} (likely {offers(e.low)}-{offers(e.high)})"


def count(n: int) -> str:
    """A count with thousands separators: "1,509 programs", never "1509 programs"."""
    return f"{n:,}"


def dollars(x: float, *, signed: bool = False) -> str:
    """US dollars, whole, with thousands separators: "$4,160" (a change, `signed`: "+$1,020",
    "-$1,500")."""
    text = f"${abs(x):,.0f}"
    if not signed:
        return text if round(x) >= 0 else "-" + text
    return ("-" if round(x) < 0 else "+") + text


def _signed(text: str) -> str:
    """A signed figure as written, with "-0.0" (a small loss rounded away) as "+0.0"."""
    return "+0.0" if text == "-0.0" else text
