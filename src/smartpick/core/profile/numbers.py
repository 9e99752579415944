"""Numbers typed by a person: plain ASCII digits only, finite, within the allowed range.

Python's `int()` and `float()` accept `2_50`, `+250`, ` 250 `, Arabic-Indic digits, `inf`, `nan`
and `1e309`; a form or a `--set key=value` must not. Every error names the field and the range.
"""

from __future__ import annotations

import math
import re

from smartpick.errors import InvalidInput

_WHOLE = re.compile(r"[0-9]{1,12}")
_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?|\.[0-9]{1,6}")
MAX_TEXT = 40  # how much of a bad value an error message repeats


def _shown(text: str) -> str:
    return repr(text[:MAX_TEXT] + ("…" if len(text) > MAX_TEXT else ""))


def allowed_range(lo: float | None, hi: float | None, whole: bool) -> str:
    """The allowed values in words, e.g. "a whole number from 0 to 20"."""
    kind = "a whole number" if whole else "a number"
    if lo is not None and hi is not None:
        return f"{kind} from {lo:g} to {hi:g}"
    if lo is not None:
        return f"{kind} of {lo:g} or more"
    if hi is not None:
        return f"{kind} up to {hi:g}"
    return kind


def parse_number(
    field: str,
    text: str,
    *,
    lo: float | None,
    hi: float | None,
    whole: bool,
    label: str | None = None,
    allowed: str | None = None,
) -> int | float:
    """`text` as a number in [lo, hi]; InvalidInput naming `label or field` and the range
    (`allowed`, when the range is worded otherwise)."""
    name = label or field
    allowed = allowed or allowed_range(lo, hi, whole)
    value = text.strip()
    pattern = _WHOLE if whole else _DECIMAL
    if not pattern.fullmatch(value):
        raise InvalidInput(f"{name} must be {allowed}; got {_shown(text)}", field=field)
    number: int | float = int(value) if whole else float(value)
    return check_number(field, number, lo=lo, hi=hi, whole=whole, label=label, allowed=allowed)


def check_number(
    field: str,
    value: object,
    *,
    lo: float | None,
    hi: float | None,
    whole: bool,
    label: str | None = None,
    allowed: str | None = None,
) -> int | float:
    """A number given as a value (not text): finite, whole if asked, within [lo, hi]."""
    name = label or field
    allowed = allowed or allowed_range(lo, hi, whole)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{name} must be {allowed}; got {_shown(str(value))}", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{name} must be {allowed}; got {value}", field=field)
    if whole and isinstance(value, float):
        if not value.is_integer():
            raise InvalidInput(f"{name} must be {allowed}; got {value:g}", field=field)
        value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        shown = f"{value:g}" if abs(value) < 1e15 else "a number that large"
        raise InvalidInput(f"{name} must be {allowed}; got {shown}", field=field)
    return value
