"""The CLI's profile options, generated from the profile model like the web form and the API.

A command that lets an option stand in for a profile field (`--budget` for `budget_usd`,
`--specialty` for `specialties`) or a list option (`--count`) takes its meaning and range from
the what-if table (`core.profile.whatif.WHATIF_KEYS`), which reads them off `ApplicantProfile`.
The value is checked by the service with the same words as every other face.
"""

from __future__ import annotations

from typing import Any

import typer

from smartpick.core.profile.numbers import allowed_range
from smartpick.core.profile.whatif import WHATIF_KEYS


def allowed(key: str) -> str:
    """The allowed values of a what-if key in words ("" when it declares no range)."""
    spec = WHATIF_KEYS[key]
    if spec.kind not in ("whole", "number"):
        return ""
    return allowed_range(spec.lo, spec.hi, spec.kind == "whole")


def key_help(key: str, default: str) -> str:
    """Help text for an option standing in for `key`: the model's description, its range, and
    what is used when the option is left out."""
    spec = WHATIF_KEYS[key]
    parts = [spec.description.rstrip(".")]
    if allowed(key):
        parts.append(allowed(key))
    return "; ".join(parts) + f" (default: {default})."


def key_option(key: str, *flags: str, default: str, repeatable: bool = False) -> Any:
    """A typer option for `key` (a repeatable one collects a list)."""
    return typer.Option([] if repeatable else None, *flags, help=key_help(key, default))


BUDGET_OPTION = key_option(
    "budget_usd", "--budget", default="the profile's, else none; transcript fee included"
)
COUNT_OPTION = key_option(
    "count", "--count", "-n", default="where one more application is not worth its fee"
)
SPECIALTY_OPTION = key_option(
    "specialties", "--specialty", "-s", default="the profile's; repeat for several", repeatable=True
)
