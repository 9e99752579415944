"""User text stays text: in a terminal, in a spreadsheet, in an error message. Imports nothing.

Imported notes and file cells come from spreadsheets that may pass between applicants, so they
are never trusted to be harmless: a terminal runs escape codes, a spreadsheet runs formulas.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

# Cells a spreadsheet would run as a formula (or turn into one after a tab / carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Bidirectional overrides and isolates reorder what a terminal shows ("Trojan source" text).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEPT = frozenset("\n\t")


def is_control(char: str) -> bool:
    """True for a character that a terminal acts on rather than shows (newline and tab excepted)."""
    if char in _KEPT:
        return False
    return unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS


def first_control(text: str) -> str | None:
    """The first control character in `text`, or None."""
    return next((c for c in text if is_control(c)), None)


def char_name(char: str) -> str:
    """A control character as a user can read it, e.g. "U+001B"."""
    return f"U+{ord(char):04X}"


def printable(text: str) -> str:
    """`text` with every control character replaced by its visible code (e.g. "<U+001B>")."""
    if first_control(text) is None:
        return text
    return "".join(f"<{char_name(c)}>" if is_control(c) else c for c in text)


def shown(text: str, limit: int = 40) -> str:
    """A user's value quoted back in a message: printable and cut to `limit` characters."""
    clean = printable(text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def spreadsheet_text(value: Any) -> Any:
    """A text cell a spreadsheet shows as text, never runs: formula-like text gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def counted(n: float, one: str, many: str | None = None) -> str:
    """A count with its noun, singular for exactly one: "1 program", "2 programs", "2.5 months"
    (`many`: the plural where it is not `one` + "s")."""
    number = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{number} {one if n == 1 else many or one + 's'}"


def series(items: Sequence[str], last: str = "and") -> str:
    """Items in a sentence: "A", "A and B", "A, B and C" (`last`: the word before the last)."""
    if len(items) <= 2:
        return f" {last} ".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
