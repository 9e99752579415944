"""The program side under every draw: effects, conversions, visa probabilities and the pool
equation's baselines, as arrays (draws x programs) built once per specialty and applicant type.

Draw 0 uses the point values; draws 1..D pair a bootstrap fit of the population parameters with a
joint draw of every assumption (`assumptions.draw_assumptions`) and of every assumed applicant
effect, a draw of each program's 2026 rate from its posterior (or, without data, its wider
predictive distribution) and Beta draws of the visa probabilities that are estimated from counts.

A program's point rate is its posterior mean, and its draws follow that posterior's own shape
(`ProgramBase.rate_spread`): they average to the point. The draws are independent between
programs, so a long list's P(match) over the draws concentrates near what the per-program means
give; draws scattered symmetrically in logit around the mean would average above it (for a wide
posterior, twice the rate) and leave the point below the list's interval.

The pool equation (`population.solve_alpha`) turns a program's rate for an applicant type into the
no-signal baseline alpha_i of an applicant of that type. For non-US IMGs the published pool
includes the share v of applicants who need a visa, whom a program that does not consider J-1
(probability 1 - V_i) cannot invite: an applicant the program considers has rate r_i / (1 - v +
v V_i). US IMGs and US MD/DO graduates use their own published rate where the program gives one
(the published count behind it carries its own uncertainty) and elsewhere the non-US IMG rate
moved by the measured logit difference between the two types at the same programs.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import betaincinv, expit, logit, ndtr

from smartpick.core.chances.assumptions import Assumptions
from smartpick.core.chances.context import ProgramBase, signal_kind
from smartpick.core.chances.effects import budget
from smartpick.core.chances.features import IM
from smartpick.core.chances.population import POOL_NODES, POOL_WEIGHTS, Params, solve_alpha
from smartpick.core.chances.program_effects import (
    assumption_columns,
    beta_offsets,
    conversion_offsets,
    signal_effects,
)
from smartpick.core.chances.program_layer import LayerFit
from smartpick.core.chances.program_rates import quantile_logits
from smartpick.core.rules.visas import consider_table

FloatArray = NDArray[np.float64]
TYPES = ("non_us_img", "us_img", "us_md", "us_do")


def program_noise(program_id: str, seed: int, n_draws: int) -> FloatArray:
    """Standard-normal draws for one program's rate (0 at draw 0), stable per program."""
    rng = np.random.default_rng([seed, zlib.crc32(program_id.encode())])
    out = rng.standard_normal(n_draws + 1)
    out[0] = 0.0
    return out


def pool_rate(
    alpha: FloatArray,
    gamma: FloatArray,
    mix: FloatArray,
    betas: FloatArray,
    mu: FloatArray,
    sd: FloatArray,
    sigma: FloatArray,
    rho: FloatArray,
) -> FloatArray:
    """The pool's interview rate of programs with baseline `alpha` (the pool equation forward)."""
    mean = betas * (mu - 240.0) / 10.0
    var = (betas * sd / 10.0) ** 2 + sigma**2 + 2.0 * rho * betas * sd * sigma / 10.0
    u = mean[..., None] + np.sqrt(np.maximum(var, 1e-9))[..., None] * POOL_NODES
    q = expit(alpha[..., None, None] + gamma[..., None] + u[..., None, :])
    return np.asarray(np.sum((q @ POOL_WEIGHTS) * mix, axis=-1))


@dataclass
class Draws:
    """The program side of one specialty under every draw (arrays (D + 1, P, ...))."""

    base: ProgramBase
    reference: LayerFit  # whose median levels, pool mixes and type offsets apply (own, else IM's)
    params: Sequence[Params]
    typical: FloatArray  # (D1,) the calibrated typical program's baseline (outside IM / FM)
    assumptions: Sequence[Assumptions]
    effects: Mapping[str, FloatArray]  # assumed applicant effects per draw
    seed: int
    gamma: FloatArray = field(init=False)  # (D1, P, 3) signal effects: none, silver, gold
    beta: FloatArray = field(init=False)  # (D1, P) score slope per 10 points
    conversion: FloatArray = field(init=False)  # (D1, P) P(match | interview)
    fail: FloatArray = field(init=False)  # (D1, P, 2) failed Step 1; Step 2 CK / Step 3
    geo: FloatArray = field(init=False)  # (D1, P, 3) no preference, aligned, not aligned
    home: FloatArray = field(init=False)  # (D1, P) in-state address
    visa: dict[str, FloatArray] = field(init=False)  # j1 / h1b -> (D1, P) P(considered)
    lam: FloatArray = field(init=False)  # (D1,) scale of the assumed applicant effects
    sigma_r: FloatArray = field(init=False)  # (D1,) residual latent spread
    _alpha: dict[str, FloatArray] = field(init=False, default_factory=dict)
    memo: dict[str, Any] = field(init=False, default_factory=dict)  # lookups built on first use

    def __post_init__(self) -> None:
        b, a = self.base, self.assumptions
        d1 = len(self.params)
        col = assumption_columns(a)
        pa = {k: np.array([getattr(p, k) for p in self.params])[:, None] for k in ("beta", "c")}
        w = col["deviation_weight"]
        levels = self.reference.levels
        kind = (
            signal_kind(b.specialty) if b.layer is None else ("two" if b.specialty == IM else "one")
        )
        self.gamma = signal_effects(b.signal_dev, kind, col)
        self.beta = np.maximum(pa["beta"] + beta_offsets(b.beta_raw, col), 0.0)
        score_part = pa["beta"] * col["score_gap_failed"] / 10.0
        fail = np.zeros((d1, b.size, 2))
        for k, key in enumerate(("step1_failed", "step2ck_failed")):
            level = np.minimum(levels[key][0] + score_part, 0.0) * b.fail_scale
            fail[:, :, k] = np.minimum(level + w * b.fail_dev[:, k], 0.0)
        self.fail = fail
        geo = np.zeros((d1, b.size, 3))
        geo[:, :, 1] = np.maximum(
            col["geo_scale"] * levels["geographic"][1] + w * b.geo_dev[:, 0], 0
        )
        geo[:, :, 2] = np.minimum(
            col["geo_scale"] * levels["geographic"][2] + w * b.geo_dev[:, 1], 0
        )
        self.geo = geo
        self.home = np.maximum(col["home_scale"] * levels["home_state"][0] + w * b.home_dev, 0.0)
        centre = b.layer.conv_centre if b.layer is not None else None
        conv = conversion_offsets(b.conv_dev, b.unfilled, centre, col)
        self.conversion = np.asarray(expit(logit(pa["c"]) + conv))
        rng = np.random.default_rng([self.seed, zlib.crc32(b.specialty.encode())])
        self.visa = {}
        for v in ("j1", "h1b"):
            listed = np.array([getattr(x, f"{v}_none_listed") for x in a])
            table = consider_table(v, b.visa_counts[v], listed, rng if d1 > 1 else None)
            self.visa[v] = np.take_along_axis(
                table, np.broadcast_to(b.visa_status[v], (d1, b.size)), axis=1
            )
        lam, sig = [], []
        for d in range(d1):
            values = {k: float(v[d]) for k, v in self.effects.items()}
            lam_d, sig_d = budget(self.params[d].sigma, a[d].budget_share, values)
            lam.append(lam_d)
            sig.append(sig_d)
        self.lam, self.sigma_r = np.array(lam), np.array(sig)

    @property
    def size(self) -> int:
        """Number of programs."""
        return self.base.size

    def _population(self) -> dict[str, FloatArray]:
        return {
            k: np.array([getattr(p, k) for p in self.params])[:, None]
            for k in ("mu", "sd", "sigma", "rho")
        }

    def type_mix(self, factor: str, kind: str) -> FloatArray:
        """The pool's mix over a factor's levels for one applicant type (specialty level)."""
        return np.array(self.reference.type_mix[factor][kind])

    def rate_deviations(self) -> FloatArray:
        """(D1, P) each draw's logit rate minus the point's: 0 at draw 0 (the point is the rate's
        posterior mean); draw d takes the rate's quantile at Phi(noise), so the draws follow the
        rate's distribution and average to the point."""
        b = self.base
        d1 = len(self.params)
        noise = np.stack([program_noise(p.id, self.seed, d1 - 1) for p in b.programs], axis=1)
        if b.size == 0:
            return np.zeros((d1, 0))
        out = quantile_logits(b.rate_spread, noise)
        out[0] = 0.0
        return out

    def pool_rates(self) -> FloatArray:
        """(D1, P) the non-US IMG pool rate of every program in every draw."""
        b = self.base
        deviation = self.rate_deviations()
        if b.layer is not None:
            return np.asarray(expit(logit(np.clip(b.rate, 1e-6, 0.95)) + deviation))
        pop = self._population()
        alpha = self.typical[:, None] + b.offset + deviation
        return pool_rate(
            alpha,
            self.gamma,
            b.signal_mix,
            self.beta,
            pop["mu"],
            pop["sd"],
            pop["sigma"],
            pop["rho"],
        )

    def alpha(self, kind: str) -> FloatArray:
        """(D1, P) the no-signal baseline of an applicant of type `kind` (cached)."""
        if kind not in self._alpha:
            self._alpha[kind] = self._solve(kind)
        return self._alpha[kind]

    def preset_alpha(self, kind: str, values: FloatArray) -> None:
        """Take `values` as `alpha(kind)`: a stored earlier result for these same programs,
        model and code (`service.start_cache`), so the pool equation is not solved again."""
        if values.shape != (len(self.params), self.size) or values.dtype != np.float64:
            raise ValueError(
                f"alpha({kind}) has shape {values.shape}, not {(len(self.params), self.size)}"
            )
        self._alpha[kind] = values

    def _solve(self, kind: str) -> FloatArray:
        b = self.base
        pop = self._population()
        nonus = self.pool_rates()
        mix = b.signal_mix
        if kind == "non_us_img":
            v = np.array([x.visa_share for x in self.assumptions])[:, None]
            rate = nonus / (1.0 - v + v * self.visa["j1"])
        else:
            offset = self.reference.type_offsets.get(kind, 0.0)
            rate = np.asarray(expit(logit(np.clip(nonus, 1e-6, 0.95)) + offset))
            own, n = b.type_rates[kind]
            known = ~np.isnan(own)
            if known.any():
                # The type's own count: Beta(k + 1/2, n - k + 1/2), its mean at draw 0.
                k = own[known] * n[known]
                shape_a, shape_b = k + 0.5, n[known] - k + 0.5
                d1 = len(self.params)
                noise = np.stack(
                    [
                        program_noise(p.id + kind, self.seed, d1 - 1)
                        for p, ok in zip(b.programs, known, strict=True)
                        if ok
                    ],
                    axis=1,
                )
                own_rates = betaincinv(shape_a, shape_b, ndtr(noise))
                own_rates[0] = shape_a / (shape_a + shape_b)
                rate[:, known] = own_rates
            if b.layer is not None:
                mix = np.broadcast_to(self.type_mix("signal", kind), mix.shape)
        return solve_alpha(
            np.clip(rate, 1e-6, 0.95),
            self.gamma,
            mix,
            self.beta,
            pop["mu"],
            pop["sd"],
            pop["sigma"],
            pop["rho"],
        )
