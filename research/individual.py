"""From a program's population rate to one applicant's probability (issue 14 item 2), vectorised
over programs, and the v2 `ChanceMatrix` the shipped optimizer runs on.

For applicant a at program i (specialty S, latent node z ~ N(0, 1)):

    logit q_ai(z) = alpha_i                                   no-signal baseline for the pool
                  + beta_i (s_a - 240) / 10                   score (program slope)
                  + gamma_i[signal_ai]                        the program's own signal effect
                  + phi1_i (F1_a - pbar1) + phi2_i (F2_a - pbar2)   failed Step 1 / Step 2 CK
                  + g_i[geo_ai] - sum_l mgeo_il g_i[l]        geographic preference vs the pool
                  + h_i (H_ai - hbar) + k_i conn_ai           home state; a named connection
                  + lambda x_a' theta                         assumed applicant effects (budget)
                  + sigma_r z
    P(interview) = V_ai q_ai,   P(match at i | interview) = c_i = expit(logit c_S + k_i)

alpha_i solves  r_i / (1 - v + v V_i)  =  E_pool[ sum_l m_il expit(alpha_i + gamma_il + beta_i (s -
240) / 10 + sigma z) ]  with s ~ N(mu, sd), corr(s, z) = rho: the program's published (or
predicted) non-US IMG rate r_i, corrected for the share v of visa-needing applicants whom a program
that does not sponsor (V_i = P(considers the visa)) cannot invite; every applicant term is centred
on the pool (x_a' theta on the reference applicant, failures on their prevalence), so the pool
average of q is r_i and no effect is counted twice. `lambda` scales the assumed effects into
their variance budget and sigma_r is the residual spread of an applicant whose file is known:
lambda^2 Var(x' theta) <= BUDGET_SHARE sigma^2 and sigma_r^2 = sigma^2 - lambda^2 Var(x' theta).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit

from research import population as pop
from research import program_model as pm
from research import re2026
from research.dataset import CORE_FEATURES, RIDGE, joined
from research.decompose import levels_of
from research.program_layer import DEFAULT, Assumptions, decompositions, layer
from research.specialties_v2 import LAYERED, AllFits
from smartpick.core.chances import ChanceMatrix
from smartpick.core.effects import EFFECTS, REFERENCE
from smartpick.core.eligibility import check, step3_passed
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program

FloatArray = NDArray[np.float64]

BUDGET_SHARE_DEFAULT = 0.5  # see program_layer.RANGES["budget_share"]
NONE_LISTED = {"j1": 13 / 108, "h1b": 1 / 108}  # FREIDA empty visa list (AAMC 2021 answers)
UNKNOWN_SCORE_SHIFT = (-0.25, -0.5, 0.0)  # SDs: a missing Step 2 CK is not a typical one
CONNECTION = {"rotation": 1.0, "other": 0.5}  # share of the program's home-state effect
CONNECTION_CAP = math.log(5.0)

# Population spread of the assumed applicant factors among non-US IMG applicants (reasoned; CO
# 2026 gives research counts, nothing on USCE, letters or graduation year): (mean, SD).
POPULATION = {
    "usce": (3.0, 2.5),  # hands-on months, capped at 6
    "letters": (2.5, 1.2),
    "letters_in": (1.5, 1.0),
    "yog": (4.0, 3.0),  # years since graduation, counted 1..10
    "research": (5.0, 5.0),  # items, university programs only (half the programs)
    "step1": (220.0, 12.0),  # numeric Step 1, a third of applicants (older graduates)
}


def effect_values(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """The assumed effects' values (v1's table), with optional overrides (sensitivity)."""
    return {k: v.value for k, v in EFFECTS.items()} | dict(overrides or {})


def assumed_effect_variance(overrides: dict[str, float] | None = None) -> float:
    """Var(x' theta) over the non-US IMG population at the effects' values."""
    e = effect_values(overrides)
    v = (e["usce_hands_on_per_month"] * POPULATION["usce"][1]) ** 2
    v += (e["us_letter"] * POPULATION["letters"][1]) ** 2
    v += (e["us_letter_in_specialty"] * POPULATION["letters_in"][1]) ** 2
    v += (e["years_since_graduation"] * POPULATION["yog"][1]) ** 2
    v += 0.5 * (e["research_item_university"] * POPULATION["research"][1]) ** 2
    v += (1 / 3) * (e["step1_per_10_points"] * POPULATION["step1"][1] / 10) ** 2
    return float(v)


def budget(
    sigma: float, share: float = BUDGET_SHARE_DEFAULT, overrides: dict[str, float] | None = None
) -> tuple[float, float]:
    """(lambda, sigma_r): the scale on the assumed effects and the residual spread."""
    var = assumed_effect_variance(overrides)
    lam = min(1.0, math.sqrt(share * sigma**2 / var))
    return lam, math.sqrt(max(sigma**2 - lam**2 * var, 1e-6))


@dataclass(frozen=True)
class ProgramSide:
    """Everything per program that does not depend on the applicant (built at fit time)."""

    specialty: str
    programs: tuple[Program, ...]
    params: pop.Params
    rate: FloatArray  # pool rate r_i (posterior mean, or predicted)
    rate_logit_sd: FloatArray  # spread of logit r_i (draws): wider without 2026 data
    has_data: FloatArray
    gamma: FloatArray  # (P, 3): none / silver / gold (FM "sent" = gold)
    mix: FloatArray  # (P, 3): the pool's signal mix
    fail1: FloatArray
    fail2: FloatArray
    geo: FloatArray  # (P, 3): no_preference, aligned, not_aligned
    geo_pool: FloatArray  # (P,): the pool's mean geographic term
    home_in: FloatArray
    beta_offset: FloatArray
    conv_offset: FloatArray
    pool_fail: tuple[float, float]
    published_rate: FloatArray
    published_n: FloatArray
    low: FloatArray = field(default_factory=lambda: np.zeros(0))
    high: FloatArray = field(default_factory=lambda: np.zeros(0))


def _three(
    gamma: FloatArray, mix: FloatArray, levels: tuple[str, ...]
) -> tuple[FloatArray, FloatArray]:
    """Reorder signal arrays to (none, silver, gold); a single kind is 'gold'."""
    out_g = np.zeros((gamma.shape[0], 3))
    out_m = np.zeros((gamma.shape[0], 3))
    for j, lv in enumerate(levels):
        k = {"none": 0, "silver": 1, "gold": 2, "sent": 2}[lv]
        out_g[:, k], out_m[:, k] = gamma[:, j], mix[:, j]
    return out_g, out_m


@cache
def program_side(
    specialty: str, fits: AllFits, a: Assumptions = DEFAULT, hidden: bool = False
) -> ProgramSide:
    """Per-program fitted quantities of one specialty (`hidden`: every program's own 2026 rate
    replaced by its cross-validated feature prediction)."""
    params = fits.params[specialty]
    if specialty in LAYERED:
        lay = layer(specialty, a, hidden=hidden)
        g, m = _three(lay.signal_gamma, lay.signal_mix, lay.signal_levels)
        dec = decompositions(specialty)
        geo = np.column_stack(
            (np.zeros_like(lay.geo_aligned), lay.geo_aligned, lay.geo_not_aligned)
        )
        geo_mix = dec["geographic"].nonus_mix.mean(axis=0)
        fail_prev = (
            float(dec["step1_failed"].nonus_mix[:, 1].mean()),
            float(dec["step2ck_failed"].nonus_mix[:, 1].mean()),
        )
        return ProgramSide(
            specialty,
            tuple(joined(specialty).programs),
            params,
            lay.rate,
            lay.logit_sd,
            lay.has,
            g,
            m,
            lay.fail1,
            lay.fail2,
            geo,
            geo @ geo_mix,
            lay.home_in_state,
            lay.beta_offset,
            lay.conv_offset,
            fail_prev,
            lay.published_rate,
            lay.published_n,
            lay.rate_low,
            lay.rate_high,
        )
    return _transferred(specialty, fits)


def _transferred(specialty: str, fits: AllFits) -> ProgramSide:
    """A specialty without 2026 data: program offsets from the IM-trained feature model (with the
    same institution's IM/FM 2026 rates as a feature), centred so the application-weighted pool
    rate equals the calibrated typical program's."""
    params = fits.params[specialty]
    market = fits.markets[specialty]
    progs = joined(specialty).programs
    j_im = joined("Internal Medicine")
    f = pm.fit(j_im.columns()[j_im.has], j_im.counts, ridge=RIDGE, inflated=True)
    j = joined(specialty)
    core = [n for n in CORE_FEATURES if n in j_im.design.names]
    X = np.column_stack(
        [
            j.design.X[:, j.design.names.index(n)] if n in j.design.names else np.zeros(len(progs))
            for n in core
        ]
    )
    pred = f.predictive_rate(X)
    lm = logit(np.clip(pred.mean, 1e-5, 0.99))
    w = np.array([float(p.pgy1_positions.value or 4) for p in progs])
    w = w / w.sum()
    delta = lm - float(w @ lm)
    # The typical program's pool rate under the calibration, then a common shift t so that the
    # weighted mean of the programs' pool rates matches it.
    typical = float(pop.solve_alpha(market, params)[0])
    target = _pool_rate(np.array([typical]), market.gamma, market.mix, params)[0]
    t = 0.0
    for _ in range(30):
        rates = _pool_rate(
            typical + delta + t,
            np.repeat(market.gamma, len(progs), 0),
            np.repeat(market.mix, len(progs), 0),
            params,
        )
        gap = float(w @ rates) - target
        t -= gap / max(float(w @ (rates * (1 - rates))), 1e-9)
        if abs(gap) < 1e-9:
            break
    rates = _pool_rate(
        typical + delta + t,
        np.repeat(market.gamma, len(progs), 0),
        np.repeat(market.mix, len(progs), 0),
        params,
    )
    g3, m3 = _three(
        np.repeat(market.gamma, len(progs), 0),
        np.repeat(market.mix, len(progs), 0),
        ("none", "gold", "silver")[: market.gamma.shape[1]]
        if market.gamma.shape[1] != 2
        else ("none", "sent"),
    )
    zeros = np.zeros(len(progs))
    return ProgramSide(
        specialty,
        progs,
        params,
        rates,
        pred.logit_sd,
        zeros,
        g3,
        m3,
        np.full(len(progs), -0.6),
        np.full(len(progs), -1.4),
        np.zeros((len(progs), 3)),
        zeros,
        np.full(len(progs), 0.7),
        zeros,
        zeros,
        (0.03, 0.015),
        np.full(len(progs), np.nan),
        np.full(len(progs), np.nan),
        pred.low,
        pred.high,
    )


_T, _TW = np.polynomial.hermite_e.hermegauss(20)
_TW = _TW / _TW.sum()


def _pool_rate(alpha: FloatArray, gamma: FloatArray, mix: FloatArray, p: pop.Params) -> FloatArray:
    """Pool rate of programs with baseline alpha (typical-program slope, no offsets)."""
    mean = p.beta * (p.mu - 240.0) / 10.0
    sd = math.sqrt(
        (p.beta * p.sd / 10.0) ** 2 + p.sigma**2 + 2 * p.rho * p.beta * p.sd * p.sigma / 10.0
    )
    q = expit(alpha[:, None, None] + gamma[:, :, None] + mean + sd * _T[None, None, :])
    return np.einsum("plg,pl,g->p", q, mix, _TW)


def visa_factor(profile: ApplicantProfile, p: Program, base: dict[str, float]) -> float:
    """P(the program considers the applicant's visa): v1's rule with H-1B none-listed = 1/108."""

    def one(kind: str) -> float:
        v = (p.visa_j1 if kind == "j1" else p.visa_h1b).value
        if v == "yes":
            return 1.0
        if v == "no":
            return 0.0
        if v == "none_listed":
            return NONE_LISTED[kind]
        return base[kind]

    if profile.visa in ("j1", "h1b"):
        return one(profile.visa)
    if profile.visa == "either":
        h1b = one("h1b") if step3_passed(profile) else 0.0
        return 1.0 - (1.0 - one("j1")) * (1.0 - h1b)
    return 1.0


@dataclass(frozen=True)
class Prediction:
    """Eligible programs, their v2 chance matrix and per-program point figures."""

    programs: tuple[Program, ...]
    chances: ChanceMatrix
    p_interview: FloatArray  # point, no signal
    p_match: FloatArray
    rate: FloatArray  # the program's pool rate used
    published_rate: FloatArray


def _applicant_terms(
    profile: ApplicantProfile, specialty: str, lam: float, overrides: dict[str, float] | None
) -> float:
    """lambda x' theta: the assumed effects relative to the reference applicant."""
    e = effect_values(overrides)
    ref = REFERENCE
    months = (
        profile.usce_hands_on_months + e["observership_weight"] * profile.usce_observership_months
    )
    t = e["usce_hands_on_per_month"] * (min(months, 6.0) - ref.usce_hands_on_months)
    t += e["us_letter"] * (min(profile.us_letters, 4) - ref.us_letters)
    t += e["us_letter_in_specialty"] * (
        min(profile.letters_in(specialty), 3) - ref.us_letters_in_specialty
    )
    t += e["years_since_graduation"] * (
        min(max(profile.years_since_graduation, 1), 10) - ref.years_since_graduation
    )
    if step3_passed(profile):
        assert profile.step3 is not None
        t += e["step3_passed"] + e["step3_per_10_points"] * float(
            np.clip((profile.step3 - 220) / 10, 0, 3)
        )
    if isinstance(profile.step1, int):
        t += e["step1_per_10_points"] * float(np.clip((profile.step1 - 220) / 10, -3, 3))
    if profile.applicant_type in ("us_img", "us_md", "us_do"):
        t += e[profile.applicant_type]
    return lam * t


def failed(profile: ApplicantProfile) -> tuple[float, float]:
    """(ever failed Step 1, ever failed Step 2 CK or Step 3), as 0/1."""
    f1 = profile.step1 == "fail_then_pass" or (
        profile.step1 is not None and profile.step1_attempts > 1
    )
    f2 = profile.step2ck_attempts > 1 or (profile.step3 is not None and profile.step3_attempts > 1)
    return float(f1), float(f2)


def predict(
    profile: ApplicantProfile,
    fits: AllFits,
    specialties: Sequence[str] | None = None,
    a: Assumptions = DEFAULT,
    n_draws: int = 20,
    connections: Sequence[str] = (),
    seed: int = 0,
    hidden: bool = False,
    effects: dict[str, float] | None = None,
) -> Prediction:
    """v2 chances of one applicant at every eligible categorical program of its specialties.

    Draw 0 is the point; draws 1..D sample each program's rate from its posterior (or predictive,
    wider) distribution. `connections`: program ids or institution names the applicant names.
    """
    rng = np.random.default_rng(seed)
    names = tuple(specialties or profile.specialties)
    kept: list[Program] = []
    etas, facs, convs, gams, rates, pubs = [], [], [], [], [], []
    k = pop.Z_NODES.size
    for spec in names:
        side = program_side(spec, fits, a, hidden)
        p = side.params
        lam, sigma_r = budget(p.sigma, a.budget_share, effects)
        elig = [check(profile, prog) for prog in side.programs]
        ok = np.array([e.eligible for e in elig])
        base = {"j1": 0.637, "h1b": 0.22}
        V = np.array([visa_factor(profile, prog, base) for prog in side.programs])
        vj1 = np.array([visa_factor(_as_j1(profile), prog, base) for prog in side.programs])
        r_considered = np.clip(side.rate / (1 - a.visa_share + a.visa_share * vj1), 1e-6, 0.95)
        # Draws of the program rate: logit-normal around the point with the posterior spread.
        noise = rng.standard_normal((n_draws + 1, len(side.programs)))
        noise[0] = 0.0
        r_draw = expit(logit(r_considered)[None, :] + side.rate_logit_sd[None, :] * noise)
        market = pop.Market(
            spec,
            pop.n_of(fits.markets[spec], p),
            np.ones(len(side.programs)) / len(side.programs),
            None,
            side.gamma,
            side.mix,
            side.beta_offset,
            side.conv_offset,
        )
        alphas = np.stack(
            [pop.solve_alpha(_with_rate(market, r_draw[d]), p) for d in range(n_draws + 1)]
        )
        s = float(profile.step2ck) if profile.step2ck is not None else None
        beta_i = np.maximum(p.beta + side.beta_offset, 0.0)
        f1, f2 = failed(profile)
        terms = side.fail1 * (f1 - side.pool_fail[0]) + side.fail2 * (f2 - side.pool_fail[1])
        geo_level = np.array([_geo_level(profile, prog) for prog in side.programs])
        terms = terms + side.geo[np.arange(len(side.programs)), geo_level] - side.geo_pool
        in_state = np.array(
            [float(prog.state.value in profile.ties_states) for prog in side.programs]
        )
        terms = terms + side.home_in * in_state
        conn = np.array([_connection(profile, prog, connections) for prog in side.programs])
        terms = terms + np.minimum(side.home_in * conn, CONNECTION_CAP)
        terms = terms + _applicant_terms(profile, spec, lam, effects)
        if s is None:
            # Unknown Step 2 CK: s ~ N(mu + shift sd, sd), shared by every program like z; its
            # score term and the latent term are folded into one normal per program.
            mean_s = p.mu + UNKNOWN_SCORE_SHIFT[0] * p.sd
            score = beta_i * (mean_s - 240.0) / 10.0
            spread = np.sqrt((beta_i * p.sd / 10.0) ** 2 + sigma_r**2)
        else:
            score = beta_i * (s - 240.0) / 10.0
            spread = np.full(len(side.programs), sigma_r)
        eta = (
            alphas[:, :, None]
            + (score + terms)[None, :, None]
            + spread[None, :, None] * pop.Z_NODES[None, None, :]
        )
        idx = np.flatnonzero(ok)
        kept.extend(side.programs[i] for i in idx)
        etas.append(eta[:, idx, :])
        facs.append(V[idx])
        c = expit(logit(p.c) + side.conv_offset[idx])
        convs.append(np.broadcast_to(c[None, :, None], (n_draws + 1, idx.size, k)))
        gams.append(side.gamma[idx])
        rates.append(side.rate[idx])
        pubs.append(side.published_rate[idx])
    eta = np.concatenate(etas, axis=1)
    fac = np.concatenate(facs)
    gam = np.concatenate(gams)
    levels = tuple(
        np.asarray(fac[None, :, None] * expit(eta + gam[None, :, lv, None]), dtype=np.float64)
        for lv in range(3)
    )
    conv = np.ascontiguousarray(np.concatenate(convs, axis=1))
    chances = ChanceMatrix(tuple(p.id for p in kept), pop.Z_WEIGHTS.copy(), levels, conv)
    p_int = levels[0][0] @ pop.Z_WEIGHTS
    return Prediction(
        tuple(kept),
        chances,
        p_int,
        (levels[0][0] * conv[0]) @ pop.Z_WEIGHTS,
        np.concatenate(rates),
        np.concatenate(pubs),
    )


def _with_rate(m: pop.Market, r: FloatArray) -> pop.Market:
    return pop.Market(m.name, m.n_apps, m.weight, r, m.gamma, m.mix, m.beta_offset, m.conv_offset)


def _as_j1(profile: ApplicantProfile) -> ApplicantProfile:
    return profile if profile.visa == "j1" else profile.with_changes({"visa": "j1"})


def _geo_level(profile: ApplicantProfile, p: Program) -> int:
    """0 no stated preference, 1 aligned, 2 not aligned (ERAS geographic preference)."""
    if not profile.preferred_regions and not profile.preferred_states:
        return 0
    inside = (p.region.value in profile.preferred_regions) or (
        p.state.value in profile.preferred_states
    )
    return 1 if inside else 2


def _connection(profile: ApplicantProfile, p: Program, named: Sequence[str]) -> float:
    """Share of the program's home-state effect a named connection earns (0 without one)."""
    keys = {p.id, p.acgme_code, (p.institution.value or "").casefold(), p.name.casefold()}
    for entry in profile.usce:
        if (
            entry.kind == "hands_on"
            and entry.program_id
            and entry.program_id in (p.id, p.acgme_code)
        ):
            return CONNECTION["rotation"]
    for n in named:
        if n in keys or (len(n) >= 6 and n.casefold() in p.name.casefold()):
            return CONNECTION["other"]
    return 0.0


def _levels_check() -> None:  # the decomposition's level names map to the matrix's levels
    assert levels_of("signal", "Internal Medicine") == ("none", "gold", "silver")
    assert re2026.TYPES[3] == "non_us_img"
