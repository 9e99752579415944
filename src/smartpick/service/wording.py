"""What the faces say beside the numbers, from the one place in the core that says it.

Which chance is the applicant's and what every other chance shown is (`core.plan.chance_labels`),
what-if changes in plain words (`core.plan.words`), and the default value of a match the list's
length rule uses (`core.lists.economics`). Faces read these through this module, not the core.
"""

from __future__ import annotations

from smartpick.core.lists.economics import Figure, default_match_value
from smartpick.core.plan.chance_labels import (
    ALL_STEPS,
    YOUR_CHANCE,
    LabelledChance,
    SpecialtyFigures,
    other_chances,
)
from smartpick.core.plan.words import change_words

__all__ = [
    "ALL_STEPS",
    "YOUR_CHANCE",
    "Figure",
    "LabelledChance",
    "change_words",
    "default_match_value",
    "SpecialtyFigures",
    "other_chances",
]
