"""The assumed applicant effects: what no table pins down about the applicant's own file.

Each `Effect` has a point value, a sensitivity range (low, high) that the bootstrap draws from, its
unit, the rows of the bundled `effects/effects.csv` it rests on (1-based data rows, header
excluded; none where no published figure exists) and the reasoning. Almost every published effect
size is for US MD/DO applicants; those are treated as upper bounds for IMGs.

Values are differences from the *reference applicant* (`REFERENCE`): the typical non-US IMG of
Charting Outcomes, whom the calibration describes, so an applicant equal to the reference gets 0.

The calibrated latent spread sigma already holds what these factors explain among applicants, so
they must not stack on top of it (issue 11 item 3): their population variance Var(x' theta), over
the assumed non-US IMG spread of each factor (`POPULATION`), may take at most a share of sigma^2
(`budget`). An applicant whose file is known keeps the residual spread sigma_r.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
EFFECTS_SOURCE = "SmartPick assumption, with a stated range"

Unit = Literal[
    "log-odds", "log-odds per unit", "probability", "ratio", "slope", "points", "SD", "count"
]


@dataclass(frozen=True)
class Effect:
    """One assumption: value, sensitivity range, unit, source rows and reasoning.

    Draws are normal around the value with SD a quarter of the range, clipped to it; with `beta`
    set they are Beta(a, b) draws instead (a probability estimated from counts)."""

    key: str
    label: str
    value: float
    low: float
    high: float
    unit: Unit
    rows: tuple[int, ...]  # data rows of effects/effects.csv (1-based); () = no published figure
    reasoning: str
    beta: tuple[float, float] | None = None

    def draws(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws of the assumption within its range."""
        if self.beta is not None:
            return np.asarray(rng.beta(*self.beta, size=n), dtype=np.float64)
        sd = (self.high - self.low) / 4.0
        values = rng.normal(self.value, sd, size=n) if sd > 0 else np.full(n, self.value)
        return np.clip(values, self.low, self.high)

    def row(self) -> dict[str, object]:
        """The assumption as a table row (`smartpick assumptions`)."""
        return {
            "key": self.key,
            "effect": self.label,
            "value": round(self.value, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "unit": self.unit,
            "effects_csv_rows": list(self.rows),
            "reasoning": self.reasoning,
        }


_EFFECTS: tuple[Effect, ...] = (
    Effect(
        "usce_hands_on_per_month",
        "Hands-on US clinical experience, per month (up to 6 months)",
        0.15,
        0.08,
        0.25,
        "log-odds per unit",
        (),
        "No effect size for US clinical experience has been published (the effects summary, "
        "section 4, found none); many IMG-friendly programs require or prefer it and the guide "
        "advises 2-4 months. Reasoned: +0.15 log-odds per month up to 6 months, relative to the "
        "reference 3 months.",
    ),
    Effect(
        "observership_weight",
        "Observership month as a share of a hands-on month",
        0.33,
        0.2,
        0.5,
        "ratio",
        (),
        "Program statements value hands-on USCE (externships, sub-internships) over "
        "observerships, which involve no patient care; no figure is published. Reasoned: 1/3.",
    ),
    Effect(
        "us_letter",
        "US letter of recommendation, per letter (up to 4)",
        0.15,
        0.08,
        0.25,
        "log-odds per unit",
        (50, 59),
        "Specialty letters are cited by 86% of programs for interview selection and rated 4.2/5 "
        "(NRMP PD survey 2018); no odds ratio. Reasoned: +0.15 per US letter up to 4, relative to "
        "the reference 3.",
    ),
    Effect(
        "us_letter_in_specialty",
        "Extra for a US letter from the applied specialty (up to 3)",
        0.10,
        0.05,
        0.2,
        "log-odds per unit",
        (50, 59),
        "The PD survey's factor is letters *in the specialty*. Reasoned: +0.10 more per such "
        "letter up to 3, relative to the reference 2.",
    ),
    Effect(
        "years_since_graduation",
        "Per year since graduation beyond 3 (up to 10)",
        -0.15,
        -0.25,
        -0.08,
        "log-odds per unit",
        (43, 45, 88, 89, 90, 91, 92),
        "No match-rate-by-YOG table exists and no bundled source gives programs' cut-offs, so it "
        "stays an applicant effect (inside the variance budget) rather than a program screen. "
        "Younger IMGs match more often (Hunter 2024; anesthesiology IMGs under 29: OR 3.3). "
        "Reasoned: -0.15 per year beyond 3 years, counted up to 10 years.",
    ),
    Effect(
        "step3_passed",
        "Step 3 passed before applying",
        0.15,
        0.0,
        0.3,
        "log-odds",
        (),
        "The guide advises Step 3 (aim > 230) to offset low Step 1/2 scores; H-1B programs need "
        "it (a hard rule in eligibility). No effect size is published. Reasoned: +0.15 for a pass.",
    ),
    Effect(
        "step3_per_10_points",
        "Step 3, per 10 points above 220 (capped at +30)",
        0.08,
        0.0,
        0.15,
        "log-odds per unit",
        (),
        "A high Step 3 is a second data point on clinical knowledge; its weight is set at a "
        "quarter of the calibrated Step 2 CK slope's usual size. Reasoned.",
    ),
    Effect(
        "step1_per_10_points",
        "Numeric Step 1, per 10 points from 220 (capped at +/-30)",
        0.1,
        0.0,
        0.2,
        "log-odds per unit",
        (49, 63),
        "Step 1 was cited by 94% of programs (2018) but is now pass/fail and Charting Outcomes "
        "2026 gives no Step 1 figures; numeric scores still count for older graduates. Small: "
        "+0.1 per 10 points from 220 (the guide's bands: < 215 low, 230+ above average).",
    ),
    Effect(
        "research_item_university",
        "Research item (abstract, poster, paper) above 5, at university programs (up to 10)",
        0.03,
        0.0,
        0.06,
        "log-odds per unit",
        (46, 96),
        "Matched and unmatched non-US IMGs have the same research medians in Charting Outcomes "
        "2026; a small positive effect only at academic programs (effects summary, section 8).",
    ),
)

EFFECTS: dict[str, Effect] = {e.key: e for e in _EFFECTS}


@dataclass(frozen=True)
class Reference:
    """The reference applicant: the typical non-US IMG whom the calibration describes."""

    usce_hands_on_months: float = 3.0
    us_letters: int = 3
    us_letters_in_specialty: int = 2
    years_since_graduation: int = 3
    research_items: int = 5
    step1_numeric: int = 220
    step3_reference: int = 220


REFERENCE = Reference()

# Spread of each factor among non-US IMG applicants (reasoned; Charting Outcomes 2026 gives
# research counts, nothing on USCE, letters or graduation year): (mean, SD) and the share of
# applicants or programs it applies to.
POPULATION: dict[str, tuple[float, float, float]] = {
    "usce": (3.0, 2.5, 1.0),  # hands-on months, capped at 6
    "letters": (2.5, 1.2, 1.0),
    "letters_in": (1.5, 1.0, 1.0),
    "yog": (4.0, 3.0, 1.0),  # years since graduation, counted 1..10
    "research": (5.0, 5.0, 0.5),  # items; counts at university programs only (half of them)
    "step1": (220.0, 12.0, 1 / 3),  # numeric Step 1: a third of applicants (older graduates)
}


def effect_variance(values: dict[str, float]) -> float:
    """Var(x' theta) of the assumed effects over the non-US IMG population (`POPULATION`)."""
    terms = (
        ("usce_hands_on_per_month", "usce", 1.0),
        ("us_letter", "letters", 1.0),
        ("us_letter_in_specialty", "letters_in", 1.0),
        ("years_since_graduation", "yog", 1.0),
        ("research_item_university", "research", 1.0),
        ("step1_per_10_points", "step1", 0.1),
    )
    total = 0.0
    for key, factor, per in terms:
        _, sd, share = POPULATION[factor]
        total += share * (values[key] * sd * per) ** 2
    return total


def budget(sigma: float, share: float, values: dict[str, float]) -> tuple[float, float]:
    """(lambda, sigma_r): the scale on the assumed effects so that their variance takes at most
    `share` of sigma^2, and the residual latent spread of an applicant whose file is known."""
    var = effect_variance(values)
    lam = min(1.0, math.sqrt(share * sigma**2 / var)) if var > 0 else 1.0
    return lam, math.sqrt(max(sigma**2 - lam**2 * var, 1e-6))


def effect_draws(rng: np.random.Generator, n_draws: int) -> dict[str, FloatArray]:
    """Each effect's value per draw: index 0 is the point value, 1..n_draws are sampled."""
    return {key: np.concatenate(([e.value], e.draws(rng, n_draws))) for key, e in EFFECTS.items()}
