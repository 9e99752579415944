"""Fits of calibration v2 for IM and FM (program layer inside) and their printed check.

Usage: .venv/bin/python -m research.calibrate_v2

IM: mu, sd, beta, sigma, c and N (applications per applicant, prior from the 2026 anchor) with
rho = 0. FM: the same plus rho, the correlation between Step 2 CK and the latent strength, with
beta under a floored prior (0.15 +- 0.08: between "programs ignore the score" and the slope
implied by the FM programs' invited Step 2 CK against the FM-preferring pool): Charting Outcomes'
flat FM curve is then explained by selection (rho < 0), not by programs ignoring scores.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from research import population as pop
from research.anchors import anchor, market
from research.program_layer import DEFAULT, Assumptions
from smartpick.core.calibration import Targets
from smartpick.core.outcomes import outcomes_for

GENERIC = {
    "mu": (242.0, 24.0),
    "sd": (math.log(14.0), 0.8),
    "sigma": (0.0, 1.4),
    "c": (math.log(0.2 / 0.8), 2.0),
    "rho": (0.0, 1.0),
}
FM_BETA_PRIOR = (0.15, 0.08)  # floored: 0 (flat) to 0.3 (the invited-score tilting estimate)
START = {
    "Internal Medicine": pop.Params(mu=244.0, sd=15.5, beta=0.4, sigma=0.8, c=0.2),
    "Family Medicine": pop.Params(mu=231.0, sd=13.0, beta=0.15, sigma=1.2, c=0.25),
}


@dataclass(frozen=True)
class SpecialtyFit:
    """One specialty's fitted parameters with its market and targets."""

    specialty: str
    params: pop.Params
    market: pop.Market
    targets: Targets
    cost: float
    seconds: float


def prior_for(specialty: str, a: Assumptions = DEFAULT) -> tuple[tuple[str, ...], pop.Prior]:
    """Free parameters and prior of IM or FM."""
    an = anchor(specialty)
    n0, _, n_hi = an.apps_per_applicant
    terms = dict(GENERIC)
    terms["n_apps"] = (math.log(n0 * a.anchor_scale), math.log(n_hi / n0) / 1.2816)
    if specialty == "Internal Medicine":
        terms.pop("rho")
        terms["beta"] = (0.4, 1.0)
        return ("mu", "sd", "beta", "sigma", "c", "n_apps"), pop.Prior(terms)
    terms["beta"] = (a.fm_beta, FM_BETA_PRIOR[1] if a.fm_beta == FM_BETA_PRIOR[0] else 0.02)
    return ("mu", "sd", "beta", "sigma", "c", "rho", "n_apps"), pop.Prior(terms)


def fit_specialty(
    specialty: str, a: Assumptions = DEFAULT, targets: Targets | None = None
) -> SpecialtyFit:
    """Fit one of IM / FM to Charting Outcomes (or to `targets`, e.g. a bootstrap replicate)."""
    t0 = time.perf_counter()
    m = market(specialty, a)
    outcomes = outcomes_for(specialty)
    assert outcomes is not None
    t = targets or Targets.from_outcomes(outcomes)
    keys, prior = prior_for(specialty, a)
    start = START[specialty]
    start = pop.Params(**{**start.__dict__, "n_apps": m.n_apps * a.anchor_scale})
    params, cost = pop.fit(m, t, start, keys, prior)
    return SpecialtyFit(specialty, params, m, t, cost, time.perf_counter() - t0)


def describe(f: SpecialtyFit) -> list[str]:
    """Lines comparing the fit with the published figures."""
    st = pop.stats(f.market, f.params)
    t = f.targets
    p = f.params
    m1, u1 = t.step2ck_matched, t.step2ck_not_matched
    rm, ru = t.ranks_matched, t.ranks_not_matched
    assert m1 and u1 and rm and ru
    qm, qu = st.pop.score_quantiles(True), st.pop.score_quantiles(False)
    km, ku = st.pop.ranks_quantiles(True), st.pop.ranks_quantiles(False)
    scores = np.array([220.0, 230.0, 240.0, 250.0, 260.0])
    return [
        f"{f.specialty}: mu {p.mu:.1f} sd {p.sd:.1f} beta {p.beta:.3f} sigma {p.sigma:.2f} "
        f"c {p.c:.3f} rho {p.rho:+.2f} N {pop.n_of(f.market, p):.1f} "
        f"(anchor {f.market.n_apps:.1f}); fit {f.seconds:.1f}s",
        f"  match rate {st.pop.match_rate:.1%} (published {t.match_rate:.1%})",
        f"  Step 2 CK matched Q1/med/Q3 {qm[0]:.0f}/{qm[1]:.0f}/{qm[2]:.0f} (published "
        f"{m1.q1:.0f}/{m1.median:.0f}/{m1.q3:.0f}); not matched {qu[0]:.0f}/{qu[1]:.0f}/"
        f"{qu[2]:.0f} ({u1.q1:.0f}/{u1.median:.0f}/{u1.q3:.0f})",
        f"  Step 2 CK mean/SD matched {st.score_mean[0]:.1f}/{st.score_sd[0]:.1f} ({m1.mean}/"
        f"{m1.sd}); not matched {st.score_mean[1]:.1f}/{st.score_sd[1]:.1f} ({u1.mean}/{u1.sd})",
        f"  contiguous ranks matched Q1/med/Q3 {km[0]:g}/{km[1]:g}/{km[2]:g} (published "
        f"{rm.q1:g}/{rm.median:g}/{rm.q3:g}); not matched {ku[0]:g}/{ku[1]:g}/{ku[2]:g} "
        f"({ru.q1:g}/{ru.median:g}/{ru.q3:g})",
        f"  P(ranked >= 1) {st.p_ranked:.1%}; interviews per applicant {st.mean_interviews:.2f}",
        "  P(match | Step 2 CK, ranked) "
        + ", ".join(
            f"{s:.0f}: {v:.1%}"
            for s, v in zip(
                scores, pop.p_match_by_score(f.market, p, scores, ranked=True), strict=True
            )
        )
        + " | unconditional "
        + ", ".join(f"{v:.1%}" for v in pop.p_match_by_score(f.market, p, scores)),
    ]


def main() -> None:
    """Fit IM and FM and print the comparison."""
    for s in ("Internal Medicine", "Family Medicine"):
        for line in describe(fit_specialty(s)):
            print(line)


if __name__ == "__main__":
    main()
