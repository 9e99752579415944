"""Does the program-level model add up to the calibrated population? Lists drawn the way the
Charting Outcomes cohort applied, against the population curve.

A cohort list of N programs draws programs without replacement by their share of the specialty's
2026 non-US IMG applications, and gives each the signal level drawn from the program's non-US IMG
signal mix: the cohort's typical signals, which the calibration's baseline excludes. The mean
P(match) of such lists for an applicant at the reference file and score s should be the
population model's P(match | s) at N applications (unconditional): the individual model and the
calibration then describe the same applicants, and signals are counted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.matrix import p_match
from smartpick.core.chances.population import p_match_by_score
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program


def cohort_lists_p_match(
    model: ChanceModel,
    profile: ApplicantProfile,
    programs: Sequence[Program],
    count: int,
    n_lists: int = 100,
    seed: int = 0,
) -> tuple[float, float]:
    """(mean P(match) of `n_lists` cohort-drawn lists of `count` programs, the population
    curve's P(match) at the profile's Step 2 CK and `count` applications), point estimates."""
    specialty = programs[0].specialty
    d = model.context(specialty, programs)
    pred = model.predict(profile, programs, {specialty: d})
    index = {p.id: i for i, p in enumerate(d.base.programs)}
    pos = np.array([index[p.id] for p in pred.programs])
    w = d.base.weight[pos] / d.base.weight[pos].sum()
    mix = d.base.signal_mix[pos]
    mix = mix / mix.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_lists):
        chosen = rng.choice(len(w), size=min(count, len(w)), replace=False, p=w)
        levels = [int(rng.choice(3, p=mix[i])) for i in chosen]
        values.append(float(p_match(pred.chances, list(chosen), levels)[0]))
    charting = model.charting_name(specialty)
    params = replace(model.state_.params[charting][0], n_apps=float(count))
    score = np.array([float(profile.step2ck or 0)])
    curve = float(p_match_by_score(model.market(charting), params, score)[0])
    return float(np.mean(values)), curve
