"""Values as pages show them: percentages, dollars, counts, visas and catalog values in words.

The templates use these as filters (`web.rendering`); the list's rows built in Python
(`web.results_markup`) call them directly, so both say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import smartpick.core.plan.figures as figures
from smartpick.export.tables import SETTING_WORDS
from smartpick.service.fact_words import shown_value


def pct(value: Any, digits: int = 0) -> str:
    """A probability in [0, 1] as a percentage; None is "unknown"."""
    if value is None:
        return "unknown"
    if digits == 0:  # the common case, without a nested format spec (a list formats hundreds)
        return f"{100 * float(value):.0f}%"
    return f"{100 * float(value):.{digits}f}%"


_WHOLE_PERCENTS = tuple(f"{i}%" for i in range(101))


def pcts(values: Sequence[float]) -> list[str]:
    """`pct` of each value (not None), at once: a list's rows show hundreds."""
    with np.errstate(over="ignore"):  # huge values are formatted below
        hundred = 100 * np.asarray(values, dtype=float)
    whole = np.rint(hundred)  # as "%.0f" rounds: the exact product, half to even
    # Looked up from 0% to 100% (not -0: "%.0f" writes its sign); anything else formatted.
    listed = (whole >= 0) & (whole <= 100) & ~np.signbit(hundred)
    texts = [_WHOLE_PERCENTS[i] for i in np.where(listed, whole, 0).astype(np.int64).tolist()]
    for i in np.flatnonzero(~listed).tolist():
        texts[i] = pct(values[i])
    return texts


def share(value: Any) -> str:
    """A share already in percent (0-100) as text; None is "unknown"."""
    if value is None:
        return "unknown"
    return f"{float(value):.0f}%"


def usd(value: Any) -> str:
    """US dollars as every face writes them ("$4,160"); None is "unknown"."""
    if value is None:
        return "unknown"
    return figures.dollars(float(value))


def setting(value: Any) -> str:
    """A program setting in words; None is "unknown"."""
    if value is None:
        return "unknown"
    return SETTING_WORDS.get(str(value), str(value).replace("_", " "))


def count(value: Any) -> str:
    """A whole number with thousands separators; None is "unknown"."""
    if value is None:
        return "unknown"
    return figures.count(int(value))


def visas(j1: Any, h1b: Any) -> str:
    """The visas a program states it takes, in words: "J-1 and H-1B", "J-1", "neither"..."""
    takes = [name for name, status in (("J-1", j1), ("H-1B", h1b)) if status == "yes"]
    if takes:
        return " and ".join(takes)
    if j1 is None or h1b is None:
        return "unknown"
    return "none listed" if "none_listed" in (j1, h1b) else "neither"


def value(value: Any) -> str:
    """A catalog value as shown to a person: unknown stays unknown (`service.fact_words`)."""
    return shown_value(value)
