"""The model's assumptions beyond the applicant's own file, in one place, each with its range.

Levels of the per-program effects (the 2026 decomposition identifies each program's deviation
from the median well, the median's level weakly), the weights that shrink the programs' own
evidence, the conversion of interviews into matches, the calibration's anchors and priors, the
variance budget, the visa facts that are estimated from counts, a missing score and connections.
`values(d)` gives the values of draw d: draw 0 is every point value, draws 1..D are sampled
(normal around the point with SD a quarter of the range, clipped; Beta draws for the visa
probabilities), so the intervals carry every stated range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
from scipy.special import betaincinv  # Beta quantiles without loading scipy.stats (~1 s)

from smartpick.core.chances.effects import Effect
from smartpick.core.rules.visas import (
    NONE_LISTED,
    NONE_LISTED_SOURCE,
    VISA_LABEL,
    none_listed_probability,
)

LN = math.log
_ASSUMPTIONS: tuple[Effect, ...] = (
    Effect(
        "im_signal_gold",
        "Internal Medicine gold signal, any applicant, net of applicant type (median program)",
        LN(6.0),
        LN(3.0),
        LN(12.0),
        "log-odds",
        (1, 2, 15, 23, 24, 34),
        "The 2026 decomposition's median is OR 51 but weakly identified (signals and applicant "
        "type are confounded in the published margins), an upper bound; US MD/DO literature OR "
        "2.7-9 (Romanoski 2023); the non-US IMG totals rule out the all-type yields. OR 6 (3-12).",
    ),
    Effect(
        "im_signal_silver",
        "Internal Medicine silver signal (median program)",
        LN(3.0),
        LN(2.0),
        LN(6.0),
        "log-odds",
        (27, 28, 31, 32, 33),
        "Same reasoning; the decomposition's median is OR 14. OR 3 (2-6).",
    ),
    Effect(
        "fm_signal_sent",
        "Family Medicine signal, or a specialty's only kind (median program)",
        LN(3.0),
        LN(2.0),
        LN(4.5),
        "log-odds",
        (1, 2),
        "Decomposition median OR 3.5; the raw all-type contrast is 2.9. OR 3 (2-4.5).",
    ),
    Effect(
        "deviation_weight",
        "Weight kept on a program's own deviation from the median effect",
        0.5,
        0.25,
        0.75,
        "ratio",
        (),
        "Estimation noise of a weakly identified decomposition: half of each program's measured "
        "deviation is kept (its signal, failed-attempt, geographic and home-state effects).",
    ),
    Effect(
        "geo_scale",
        "Geographic-preference effects: share of the decomposition's medians",
        0.5,
        0.25,
        1.0,
        "ratio",
        (3, 4, 9, 10, 14),
        "Applicants aligned with a program's region are often locals with ties (confounding); "
        "literature OR 1.4-2.75.",
    ),
    Effect(
        "home_scale",
        "Home-state effect: share of the decomposition's median",
        0.5,
        0.25,
        1.0,
        "ratio",
        (7, 8, 97, 98),
        "A US graduate's home state is often their school's (confounding); v1 used OR 2.",
    ),
    Effect(
        "score_gap_failed",
        "Step 2 CK points that applicants who ever failed score below the others",
        12.0,
        5.0,
        20.0,
        "points",
        (),
        "The part of a program's published failed-attempt gap that the score term already "
        "carries; reasoned.",
    ),
    Effect(
        "beta_shrink",
        "Weight of a program's invited Step 2 CK range on its score slope",
        0.5,
        0.0,
        1.0,
        "ratio",
        (),
        "Under the logistic the invited scores are the pool's, shifted by beta sd^2 / 10: a "
        "program whose invited non-US IMGs score higher selects more on the score. Confounded by "
        "who applies where, so half of it is kept.",
    ),
    Effect(
        "conv_slope",
        "P(match | interview): log-odds per log(positions / interviews)",
        0.75,
        0.5,
        1.0,
        "slope",
        (),
        "One more interview per position dilutes each interviewee's chance about in proportion; "
        "less than 1:1 because IMGs rank more of their interviews. Reasoned.",
    ),
    Effect(
        "conv_unfilled",
        "P(match | interview): boost at a program that left positions unfilled in 2026",
        0.3,
        0.0,
        0.6,
        "log-odds",
        (),
        "An unfilled program takes anyone it ranked. Reasoned.",
    ),
    Effect(
        "fm_beta",
        "Family Medicine score slope (per 10 points, log-odds)",
        0.15,
        0.0,
        0.3,
        "slope",
        (),
        "0 = programs ignore the score (Charting Outcomes' flat FM curve with no selection); 0.3 = "
        "FM programs' invited Step 2 CK against the FM-preferring pool. The population curve "
        "stays flat through a fitted score-strength correlation (selection).",
    ),
    Effect(
        "anchor_scale",
        "Scale on the 2026 applications-per-applicant anchor (IM, FM)",
        1.0,
        0.81,
        1.23,
        "ratio",
        (),
        "The ERAS applicant counts are a forum quote of a live dashboard (+-10%), and US and "
        "non-US IMGs are assumed to send as many applications each (+-15%).",
    ),
    Effect(
        "other_n_apps",
        "Applications per applicant outside IM and FM",
        90.0,
        55.0,
        130.0,
        "count",
        (),
        "No 2026 anchor outside IM and FM: between the IM and FM fits.",
    ),
    Effect(
        "visa_share",
        "Share of non-US IMG applicants who need a visa",
        0.65,
        0.5,
        0.8,
        "probability",
        (),
        "Green-card holders and citizens of other countries with US status apply as non-US "
        "IMGs; reasoned.",
    ),
    Effect(
        "budget_share",
        "Share of the calibrated latent variance the assumed applicant effects may take",
        0.5,
        0.3,
        0.8,
        "ratio",
        (),
        "At least half the latent spread is what no file shows (interviews, letters' content).",
    ),
    Effect(
        "unknown_score_shift",
        "A missing Step 2 CK: points above the passing score the assumed score sits",
        0.0,
        0.0,
        10.0,
        "points",
        (),
        "Residency needs a passed Step 2 CK (ECFMG certification for IMGs) and programs screen "
        "on it, so a missing score is taken as the passing score: an applicant who leaves it out "
        "is never shown a better chance than one with a low pass. The interval lets it be up to "
        "10 points above, a modest pass; reasoned.",
    ),
    Effect(
        "connection_rotation",
        "Hands-on rotation at the program: share of its home-state effect",
        1.0,
        0.5,
        1.5,
        "ratio",
        (60, 61),
        "The 2026 in-state effect (the program knows the applicant) is the nearest measured "
        "analogue; program directors rate an audition rotation 4.2/5 (2018). Capped at OR 5.",
    ),
    Effect(
        "connection_other",
        "Alumni, faculty or other connection: share of the home-state effect",
        0.5,
        0.25,
        0.75,
        "ratio",
        (61,),
        "Half a rotation's worth: someone vouches, but the program has not seen the applicant "
        "work. Capped at OR 5.",
    ),
    *(
        Effect(
            f"{kind}_none_listed",
            f"A program with an empty FREIDA visa list considers {VISA_LABEL[kind]}",
            none_listed_probability(kind),
            float(betaincinv(yes + 1, no + 1, 0.1)),
            float(betaincinv(yes + 1, no + 1, 0.9)),
            "probability",
            (),
            f"{NONE_LISTED_SOURCE}: {yes} considered {VISA_LABEL[kind]}, {no} did not; "
            f"Beta({yes + 1}, {no + 1}) draws (the 10-90% range shown).",
            beta=(yes + 1.0, no + 1.0),
        )
        for kind, (yes, no) in NONE_LISTED.items()
    ),
)

ASSUMPTIONS: dict[str, Effect] = {e.key: e for e in _ASSUMPTIONS}
CONNECTION_CAP = LN(5.0)  # a connection raises the odds at most 5 times


@dataclass(frozen=True)
class Assumptions:
    """The values of every assumption in one draw (defaults: the points)."""

    im_signal_gold: float = ASSUMPTIONS["im_signal_gold"].value
    im_signal_silver: float = ASSUMPTIONS["im_signal_silver"].value
    fm_signal_sent: float = ASSUMPTIONS["fm_signal_sent"].value
    deviation_weight: float = ASSUMPTIONS["deviation_weight"].value
    geo_scale: float = ASSUMPTIONS["geo_scale"].value
    home_scale: float = ASSUMPTIONS["home_scale"].value
    score_gap_failed: float = ASSUMPTIONS["score_gap_failed"].value
    beta_shrink: float = ASSUMPTIONS["beta_shrink"].value
    conv_slope: float = ASSUMPTIONS["conv_slope"].value
    conv_unfilled: float = ASSUMPTIONS["conv_unfilled"].value
    fm_beta: float = ASSUMPTIONS["fm_beta"].value
    anchor_scale: float = ASSUMPTIONS["anchor_scale"].value
    other_n_apps: float = ASSUMPTIONS["other_n_apps"].value
    visa_share: float = ASSUMPTIONS["visa_share"].value
    budget_share: float = ASSUMPTIONS["budget_share"].value
    unknown_score_shift: float = ASSUMPTIONS["unknown_score_shift"].value
    connection_rotation: float = ASSUMPTIONS["connection_rotation"].value
    connection_other: float = ASSUMPTIONS["connection_other"].value
    j1_none_listed: float = ASSUMPTIONS["j1_none_listed"].value
    h1b_none_listed: float = ASSUMPTIONS["h1b_none_listed"].value

    def signal(self, level: str, specialty_kind: str) -> float:
        """Median log-odds effect of a signal level ("gold"/"silver"; `specialty_kind` "two"
        where the specialty has gold and silver, "one" where it has one kind)."""
        if specialty_kind == "one":
            return self.fm_signal_sent
        return self.im_signal_gold if level == "gold" else self.im_signal_silver

    def with_values(self, **values: float) -> Assumptions:
        """A copy with some values changed (sensitivity runs)."""
        return replace(self, **values)

    def to_dict(self) -> dict[str, float]:
        """Plain values."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


POINT = Assumptions()


def draw_assumptions(seed: int, n_draws: int) -> list[Assumptions]:
    """Point values then `n_draws` joint draws of every assumption (seeded, reproducible)."""
    rng = np.random.default_rng([seed, 7])
    columns = {key: a.draws(rng, n_draws) for key, a in ASSUMPTIONS.items()}
    return [POINT] + [
        Assumptions(**{k: float(v[d]) for k, v in columns.items()}) for d in range(n_draws)
    ]
