"""Every effect that no Charting Outcomes table pins down, in one documented place.

Each `Effect` has a point value, a sensitivity range (low, high) that the bootstrap draws from, its
unit, and where the number comes from: rows of the bundled `effects/effects.csv` (1-based data
rows, header excluded) and the reasoning that turns them into a value for non-US IMGs. Almost every
published effect size is for US MD/DO applicants; those are treated as upper bounds for IMGs.

Effects in log-odds are added to the logit of a program's interview probability. Values are for the
difference from the *reference applicant* (`REFERENCE`): the typical non-US IMG of Charting
Outcomes, whom the calibration describes, so an applicant equal to the reference gets 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

EFFECTS_SOURCE = "SmartPick assumption, docs/model.md section 5"

Unit = Literal["log-odds", "log-odds per unit", "probability", "ratio", "slope"]


@dataclass(frozen=True)
class Effect:
    """One assumed effect: value, sensitivity range, unit, source rows and reasoning."""

    key: str
    label: str
    value: float
    low: float
    high: float
    unit: Unit
    rows: tuple[int, ...]  # data rows of effects/effects.csv (1-based)
    reasoning: str

    def draws(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """n draws within [low, high]: a normal around the value, sd a quarter of the range."""
        sd = (self.high - self.low) / 4.0
        values = rng.normal(self.value, sd, size=n) if sd > 0 else np.full(n, self.value)
        return np.clip(values, self.low, self.high)


_EFFECTS: tuple[Effect, ...] = (
    Effect(
        "signal_gold",
        "Program signal (gold, or a specialty's only kind)",
        float(np.log(3.0)),
        float(np.log(2.5)),
        float(np.log(4.0)),
        "log-odds",
        (1, 2, 15, 23, 24, 34),
        "Signal interview odds ratios are 2.71-9.07 for US MD/DO (Romanoski 2023, IMGs excluded), "
        "2.95 in a small IM sample and 3.8-4.4 in EM. For IMGs we take OR 3 (range 2.5-4), the "
        "prior suggested by effects/summary.md; the upper published values are US-only.",
    ),
    Effect(
        "signal_silver",
        "Program signal (silver)",
        float(np.log(1.9)),
        float(np.log(1.5)),
        float(np.log(2.5)),
        "log-odds",
        (27, 28, 31, 32, 33),
        "Only OB/GYN publishes gold vs silver yields (64% vs 44%, about 2/3 vs 1/3); a silver "
        "signal is worth about 60% of a gold one on the log-odds scale: OR 1.9 (1.5-2.5).",
    ),
    Effect(
        "geographic_preference",
        "Program in a region or state the applicant prefers",
        float(np.log(1.4)),
        float(np.log(1.15)),
        float(np.log(1.83)),
        "log-odds",
        (3, 4, 9, 10, 14),
        "ERAS geographic preference aligned with the program: OR 1.4 in IM when a signal is also "
        "sent (Benjamin 2022), 1.83-2.75 across specialties for US MD/DO (Romanoski). IMG: 1.4.",
    ),
    Effect(
        "in_state_ties",
        "Residence or family ties in the program's state",
        float(np.log(2.0)),
        float(np.log(1.4)),
        float(np.log(2.45)),
        "log-odds",
        (7, 8, 97, 98),
        "In-state address OR 2.45-5.14 for US MD/DO (Romanoski); same-state is worth about 4 "
        "USMLE points in anesthesiology. IMG ties are weaker than a US home address: OR 2 "
        "(1.4-2.45, the US lower bound as the ceiling).",
    ),
    Effect(
        "prior_rotation",
        "Hands-on rotation at this program or institution",
        float(np.log(2.0)),
        float(np.log(1.5)),
        float(np.log(3.0)),
        "log-odds",
        (60, 61),
        "Program directors rate 'audition rotation within the department' and 'personal prior "
        "knowledge of the applicant' 4.2/5 (NRMP PD survey 2018); no odds ratio is published. "
        "Reasoned: OR 2 (1.5-3).",
    ),
    Effect(
        "usce_hands_on_per_month",
        "Hands-on US clinical experience, per month (up to 6 months)",
        0.15,
        0.08,
        0.25,
        "log-odds per unit",
        (50, 59),
        "No effect size for USCE exists (effects/summary.md section 4); many IMG-friendly "
        "programs require or prefer it and the guide advises 2-4 months. Reasoned: +0.15 log-odds "
        "per month up to 6 months, relative to the reference 3 months.",
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
        "No match-rate-by-YOG table exists. Younger IMGs match more often (Hunter 2024; "
        "anesthesiology IMGs under 29: OR 3.3); program cut-offs of 3, 5 or 10 years are common. "
        "Reasoned: -0.15 per year beyond 3 years, counted up to 10 years.",
    ),
    Effect(
        "failed_attempt_soft",
        "Per failed USMLE attempt, at programs that still interview",
        -0.3,
        -0.6,
        -0.1,
        "log-odds per unit",
        (55, 75),
        "'Any failed attempt in USMLE' is rated 4.5/5 by program directors (2018) and was the "
        "most-cited red flag in anesthesiology (2020). Besides the programs that screen it out "
        "(failed_attempt_screen), -0.3 log-odds per failed attempt (up to 2).",
    ),
    Effect(
        "failed_attempt_screen_scale",
        "Scale on the published share of programs that screen out a failed attempt",
        1.0,
        0.6,
        1.3,
        "ratio",
        (67, 68, 69, 70, 71, 72, 73, 74),
        "Share of programs that will not interview an applicant with more than one Step 1 "
        "attempt, per specialty (PD survey, about 2010): surgery 45%, anesthesiology 28%, "
        "pathology 24%, OB/GYN 21%, IM/neurology/EM 16-21%, FM/psychiatry/pediatrics 3-6%. Old and "
        "before pass/fail Step 1: scaled 0.6-1.3 in the bootstrap.",
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
        "2026; a small positive effect only at academic programs (effects/summary.md section 8).",
    ),
    Effect(
        "spanish_in_hispanic_state",
        "Spanish speaker at a program in a state with a large Spanish-speaking population",
        0.15,
        0.0,
        0.3,
        "log-odds",
        (),
        "No published effect; programs serving Spanish-speaking patients list Spanish as an "
        "asset. Reasoned, small. Other languages: no effect assumed.",
    ),
    Effect(
        "img_access_slope",
        "Slope on the program's non-US IMG share (log-odds vs the specialty)",
        0.7,
        0.5,
        1.0,
        "slope",
        (78, 79, 80, 81),
        "In IM, community programs give 45% of interview slots to IMGs vs 15% at university "
        "programs, in line with their PGY-1 IMG fill (55-70% vs 22-30%): interview share tracks "
        "resident share about 1:1. Per applicant the odds move less (IMGs crowd into IMG-friendly "
        "programs): slope 0.7 (0.5-1.0).",
    ),
    Effect(
        "selectivity_slope",
        "Slope on the program's share of applicants interviewed (log-odds vs the specialty)",
        0.5,
        0.3,
        0.8,
        "slope",
        (84,),
        "AAMC '% of applicants interviewed' is for all applicants (14% on average); an IMG's "
        "odds move with it, less than 1:1. Slope 0.5 (0.3-0.8).",
    ),
    Effect(
        "visa_none_listed_accepts",
        "Chance that a program whose FREIDA visa list is empty considers the visa",
        13 / 108,
        0.06,
        0.2,
        "probability",
        (),
        "Of 108 IM programs with an empty FREIDA 2025 visa list that AAMC 2021 also covers, 95 "
        "said they do not consider J-1 and 13 said they do (data README). Not a hard exclusion: "
        "a strong penalty (interview probability times 0.12).",
    ),
    Effect(
        "us_img",
        "US-citizen IMG vs non-US IMG",
        0.42,
        0.2,
        0.6,
        "log-odds",
        (),
        "PGY-1 match rates 2025: US IMG 67.8% vs non-US IMG 58.0% (match_rates_by_applicant_type."
        "csv): logit difference 0.42. The calibration is for non-US IMGs.",
    ),
    Effect(
        "us_md",
        "US MD senior vs non-US IMG (rough: the model is calibrated on non-US IMGs)",
        2.35,
        1.8,
        2.8,
        "log-odds",
        (48,),
        "PGY-1 match rates 2025: US MD 93.5% vs non-US IMG 58.0%: logit difference 2.35.",
    ),
    Effect(
        "us_do",
        "US DO senior vs non-US IMG (rough: the model is calibrated on non-US IMGs)",
        2.21,
        1.7,
        2.7,
        "log-odds",
        (),
        "PGY-1 match rates 2025: US DO 92.6% vs non-US IMG 58.0%: logit difference 2.21.",
    ),
)

EFFECTS: dict[str, Effect] = {e.key: e for e in _EFFECTS}

# Share of programs that will not interview after a failed Step 1 attempt (effects.csv 67-74).
FAILED_ATTEMPT_SCREEN: dict[str, float] = {
    "Surgery-General": 0.45,
    "Anesthesiology": 0.28,
    "Pathology": 0.24,
    "Obstetrics and Gynecology": 0.21,
    "Neurology": 0.185,
    "Internal Medicine": 0.185,
    "Emergency Medicine": 0.185,
    "Family Medicine": 0.045,
    "Psychiatry": 0.045,
    "Pediatrics": 0.045,
}
FAILED_ATTEMPT_SCREEN_DEFAULT = 0.2  # other specialties: about the all-specialty middle

# Signals are worth less where few are used and many programs are IMG-heavy (effects/summary.md
# section 1: "lean low for FM, pediatrics and psychiatry"): the signal log-odds times this scale.
SIGNAL_SCALE: dict[str, float] = {"Family Medicine": 0.8, "Pediatrics": 0.8, "Psychiatry": 0.8}

# States where Spanish-speaking patients are a large share (ACS: over 15% speak Spanish at home).
SPANISH_STATES = frozenset({"CA", "TX", "FL", "NM", "AZ", "NV", "NY", "NJ", "IL", "CO", "PR"})


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


def effect_draws(rng: np.random.Generator, n_draws: int) -> dict[str, NDArray[np.float64]]:
    """Each effect's value per draw: index 0 is the point value, 1..n_draws are sampled."""
    return {key: np.concatenate(([e.value], e.draws(rng, n_draws))) for key, e in EFFECTS.items()}


def effects_table() -> list[dict[str, object]]:
    """The effects as rows for display and documentation."""
    return [
        {
            "key": e.key,
            "effect": e.label,
            "value": round(e.value, 3),
            "low": round(e.low, 3),
            "high": round(e.high, 3),
            "unit": e.unit,
            "effects_csv_rows": list(e.rows),
            "reasoning": e.reasoning,
        }
        for e in _EFFECTS
    ]
