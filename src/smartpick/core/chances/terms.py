"""One applicant's terms at a specialty's programs, vectorised over draws and programs.

For applicant a at program i (latent node z ~ N(0, 1), shared by every program and specialty):

    logit q_ai(z) = alpha_i(type)                           the pool equation's no-signal baseline
                  + beta_i (s_a - 240) / 10                 score (the program's slope)
                  + gamma_i[signal]                         the program's own signal effect
                  + phi1_i (F1_a - p1) + phi2_i (F2_a - p2)  failed Step 1; Step 2 CK or Step 3
                  + g_i[geo_ai] - sum_l m_l g_i[l]          stated geographic preference vs the pool
                  + h_i (H_ai - h) + min(k_ai h_i, log 5)   in-state ties; a named connection
                  + lambda x_a' theta                       assumed applicant effects, in budget
                  + sigma_r z
    P(interview at i) = V_ai q_ai(z),   P(match at i | interview) = c_i

Every applicant term is centred on the pool of the applicant's type (the assumed effects on the
reference applicant, failures, geography and home state on their prevalence among the program's
applicants of that type), so the pool average of q_ai is the program's published rate: the rate
is reproduced and signals are counted once. V_ai is the chance the program considers the visa the
applicant needs (1 without one). A missing Step 2 CK is not a typical one: the score is taken as
N(mu + shift sd, sd) (`unknown_score_shift`), integrated into the latent spread for the point and
drawn, one score per draw, for the interval, which then spans the plausible scores.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from smartpick.core.chances.assumptions import CONNECTION_CAP
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.effects import REFERENCE
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.institutions import matches

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
CONNECTION_KINDS = ("rotation", "alumni", "faculty", "other")


def failed_flags(profile: ApplicantProfile) -> tuple[float, float]:
    """(ever failed Step 1, ever failed Step 2 CK or Step 3) as 0/1, by the one failed-attempt
    rule (`rules.usmle.failed_attempts`, through the profile)."""
    f1 = profile.failed_attempts_at("step1") > 0
    f2 = profile.failed_attempts_at("step2ck") + profile.failed_attempts_at("step3") > 0
    return float(f1), float(f2)


def program_columns(d: Draws) -> dict[str, NDArray[np.str_]]:
    """Each program's state, region and setting as arrays (built once per specialty)."""
    cols = d.memo.get("columns")
    if cols is None:
        progs = d.base.programs
        cols = d.memo["columns"] = {
            "state": np.array([p.state.value or "" for p in progs]),
            "region": np.array([p.region.value or "" for p in progs]),
            "setting": np.array([p.setting.value or "" for p in progs]),
        }
    return cols


def geo_levels(
    profile: ApplicantProfile, states: NDArray[np.str_], regions: NDArray[np.str_]
) -> IntArray:
    """Per program: 0 no stated preference, 1 in the preferred area (aligned), 2 outside it."""
    if not profile.preferred_regions and not profile.preferred_states:
        return np.zeros(states.size, dtype=np.int64)
    inside = np.isin(regions, profile.preferred_regions) | np.isin(states, profile.preferred_states)
    return np.where(inside, 1, 2).astype(np.int64)


def connection_kinds(profile: ApplicantProfile, programs: Sequence[Program]) -> list[str | None]:
    """Per program: the applicant's connection there ("rotation" beats the others), or None.

    A connection names a program id (the program, or its ACGME code) or an institution (the one
    name matcher, `core.rules.institutions`); a hands-on USCE block at the program or its
    institution counts as a rotation."""
    named: list[tuple[str | None, str | None, str]] = [
        (c.program_id, c.institution, c.kind) for c in profile.connections
    ]
    named += [
        (e.program_id, e.institution, "rotation")
        for e in profile.usce
        if e.kind == "hands_on" and (e.program_id or e.institution)
    ]
    if not named:
        return [None] * len(programs)
    by_name = [matches(inst, programs) if inst else None for _, inst, _ in named]
    out: list[str | None] = []
    for j, p in enumerate(programs):
        found: str | None = None
        for (pid, _, kind), hits in zip(named, by_name, strict=True):
            hit = bool(pid and pid.upper() in (p.id, p.acgme_code))
            if not hit and hits is not None:
                hit = hits[j]
            if hit and (found is None or kind == "rotation"):
                found = kind
        out.append(found)
    return out


def assumed_effects(
    profile: ApplicantProfile, specialty: str, d: Draws
) -> tuple[FloatArray, FloatArray]:
    """lambda x' theta per draw (D1,) and the research term at university programs (D1, 1)."""
    e, ref = d.effects, REFERENCE
    months = (
        profile.usce_hands_on_months + e["observership_weight"] * profile.usce_observership_months
    )
    t = e["usce_hands_on_per_month"] * (np.minimum(months, 6.0) - ref.usce_hands_on_months)
    t = t + e["us_letter"] * (min(profile.us_letters, 4) - ref.us_letters)
    t = t + e["us_letter_in_specialty"] * (
        min(profile.letters_in(specialty), 3) - ref.us_letters_in_specialty
    )
    years = min(max(profile.years_since_graduation, 1), 10)
    t = t + e["years_since_graduation"] * (years - ref.years_since_graduation)
    if profile.step3_passed and profile.step3 is not None:
        gain = float(np.clip((profile.step3 - ref.step3_reference) / 10.0, 0.0, 3.0))
        t = t + e["step3_passed"] + e["step3_per_10_points"] * gain
    if isinstance(profile.step1, int):
        t = t + e["step1_per_10_points"] * float(
            np.clip((profile.step1 - ref.step1_numeric) / 10.0, -3.0, 3.0)
        )
    research = e["research_item_university"] * (
        min(profile.research_items, 10) - ref.research_items
    )
    return d.lam * t, (d.lam * research)[:, None]


@dataclass(frozen=True)
class ApplicantTerms:
    """The applicant's arrays at the selected programs of one specialty."""

    eta: FloatArray  # (D1, n) log-odds without the latent and signal terms
    spread: FloatArray  # (D1, n) latent spread (sigma_r, widened for a missing score)
    visa: FloatArray  # (D1, n) P(the program considers the applicant's visa)
    gamma: FloatArray  # (D1, n, 3) signal effects
    conversion: FloatArray  # (D1, n)
    connections: list[str | None]


def visa_factor(profile: ApplicantProfile, d: Draws, idx: IntArray) -> FloatArray:
    """(D1, n) P(the program considers the applicant's visa), with the visa facts' draws."""
    shape = (len(d.params), idx.size)
    if profile.visa == "none":
        return np.ones(shape)
    j1 = d.visa["j1"][:, idx]
    h1b = d.visa["h1b"][:, idx] if profile.step3_passed else np.zeros(shape)
    if profile.visa == "j1":
        return np.asarray(j1)
    if profile.visa == "h1b":
        return np.asarray(h1b)
    return np.asarray(1.0 - (1.0 - j1) * (1.0 - h1b))


def unknown_score_draws(seed: int, n: int) -> FloatArray:
    """Standard-normal score draws for a missing Step 2 CK (0 at draw 0), one per draw.

    Stratified: the draws 1..n-1 are the normal's quantiles at (k - 0.5) / (n - 1) in a seeded
    order, so the interval spans the plausible scores rather than a random sample of them.
    """
    m = n - 1
    out = np.zeros(n)
    if m > 0:
        strata = ndtri((np.arange(m) + 0.5) / m)
        out[1:] = np.random.default_rng([seed, zlib.crc32(b"unknown step2ck")]).permutation(strata)
    return out


def applicant_terms(profile: ApplicantProfile, d: Draws, idx: IntArray) -> ApplicantTerms:
    """The applicant's terms at the programs `idx` of the specialty behind `d`."""
    b = d.base
    programs = [b.programs[i] for i in idx]
    kind = profile.applicant_type
    alpha = d.alpha(kind)[:, idx]
    beta = d.beta[:, idx]
    d1 = len(d.params)
    sigma_r = d.sigma_r[:, None]
    if profile.step2ck is not None:
        score = beta * (profile.step2ck - 240.0) / 10.0
        spread = np.broadcast_to(sigma_r, beta.shape)
    else:
        mu = np.array([p.mu for p in d.params])[:, None]
        sd = np.array([p.sd for p in d.params])[:, None]
        shift = np.array([a.unknown_score_shift for a in d.assumptions])[:, None]
        drawn = unknown_score_draws(d.seed, d1)[:, None]
        s = mu + (shift + drawn) * sd
        score = beta * (s - 240.0) / 10.0
        spread = np.broadcast_to(sigma_r, beta.shape).copy()
        spread[0] = np.sqrt((beta[0] * sd[0] / 10.0) ** 2 + sigma_r[0] ** 2)
    f1, f2 = failed_flags(profile)
    ref = d.reference
    p1 = ref.type_mix["step1_failed"][kind][1]
    p2 = ref.type_mix["step2ck_failed"][kind][1]
    fail = d.fail[:, idx]
    terms = fail[:, :, 0] * (f1 - p1) + fail[:, :, 1] * (f2 - p2)
    geo = d.geo[:, idx]
    cols = program_columns(d)
    states, regions = cols["state"][idx], cols["region"][idx]
    level = geo_levels(profile, states, regions)
    pool_geo = geo @ np.array(ref.type_mix["geographic"][kind])
    terms = terms + np.take_along_axis(geo, level[None, :, None], axis=2)[:, :, 0] - pool_geo
    home = d.home[:, idx]
    in_state = np.isin(states, profile.ties_states).astype(np.float64)
    terms = terms + home * (in_state - ref.type_mix["home_state"][kind][1])
    conn = connection_kinds(profile, programs)
    if any(conn):
        share = {
            "rotation": np.array([a.connection_rotation for a in d.assumptions]),
            "other": np.array([a.connection_other for a in d.assumptions]),
        }
        kappa = np.stack(
            [
                share["rotation"] if c == "rotation" else share["other"] if c else np.zeros(d1)
                for c in conn
            ],
            axis=1,
        )
        terms = terms + np.minimum(kappa * home, CONNECTION_CAP)
    assumed, research = assumed_effects(profile, b.specialty, d)
    university = (cols["setting"][idx] == "university").astype(np.float64)
    terms = terms + assumed[:, None] + research * university
    return ApplicantTerms(
        eta=np.asarray(alpha + score + terms),
        spread=np.asarray(spread),
        visa=visa_factor(profile, d, idx),
        gamma=d.gamma[:, idx],
        conversion=d.conversion[:, idx],
        connections=conn,
    )
