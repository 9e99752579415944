"""The chance model as an estimator: settings in `__init__`, `fit` learns the `_` attributes,
`predict` gives every program's probabilities for one applicant.

For applicant a and program i of specialty S (see docs/model.md):

    logit q_i(z) = a_S + beta_S (Step2CK - 240) / 10 + sigma_S z      (calibrated, `calibration`)
                 + slope_img (L_i - mean L_S) + slope_sel (P_i - mean P_S)   (program offset)
                 + applicant factors (effects relative to the reference applicant)
    q_i(z) <- q_i(z) * P(program considers the visa) * (1 - share screening a failed attempt)^F

L_i is the logit of the program's non-US IMG share of residents, P_i the logit of its share of
applicants interviewed (`chances.context`). z ~ N(0, 1) is shared by every program and specialty
of one applicant (Gauss-Hermite nodes). P(match at i | interview at i) = c_S.

Draw 0 uses the point estimates; draws 1..D pair a parametric-bootstrap replicate of the
calibration with a draw of every assumed effect within its sensitivity range. The estimator does
no I/O: `chances.persist` saves and loads the fitted state.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from smartpick.core.chances import terms
from smartpick.core.chances.calibration import Calibration, calibrate
from smartpick.core.chances.context import SpecialtyContext, build_context
from smartpick.core.chances.effects import SIGNAL_SCALE, effect_draws
from smartpick.core.chances.matrix import ChanceMatrix, intervals
from smartpick.core.chances.outcomes import SOURCE as CO_SOURCE
from smartpick.core.chances.outcomes import SpecialtyOutcomes, charting_outcomes
from smartpick.core.chances.population import (
    SCORE_CENTER,
    Z_NODES,
    Z_WEIGHTS,
    SpecialtyParams,
    population_stats,
)
from smartpick.core.chances.results import ExcludedProgram, Prediction, ProgramChance
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Reason, check
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import DataUnavailable, InvalidInput

FloatArray = NDArray[np.float64]
# Catalog specialties without a Charting Outcomes row borrow the nearest one's calibration.
BORROWED = {
    "Transitional Year": "Internal Medicine",
    "Neurodevelopmental Disabilities": "Child Neurology",
}


class NotFitted(DataUnavailable):
    """The model was used before `fit` (or before loading the fitted state)."""


class ChanceModel:
    """Calibrated chance model (estimator shape: settings here, `fit` learns the `_` attributes).

    `n_draws` bootstrap draws give the intervals (`level` is their coverage); `random_state` seeds
    both the bootstrap of the published counts and the draws of the assumed effects.
    """

    def __init__(
        self,
        n_draws: int = 40,
        level: float = 0.8,
        random_state: int = 0,
        leave_one_out: bool = True,
    ) -> None:
        self.n_draws = n_draws
        self.level = level
        self.random_state = random_state
        self.leave_one_out = leave_one_out

    # --- fitting ------------------------------------------------------------------------------

    def fit(
        self,
        outcomes: Sequence[SpecialtyOutcomes] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> ChanceModel:
        """Calibrate every specialty to Charting Outcomes (or the given rows); returns self."""
        self._check_settings()
        rows = tuple(outcomes if outcomes is not None else charting_outcomes())
        calibration = calibrate(
            rows,
            n_draws=self.n_draws,
            random_state=self.random_state,
            leave_one_out=self.leave_one_out,
            progress=progress,
        )
        return self.set_fitted(calibration, {o.specialty: o for o in rows})

    def _check_settings(self) -> None:
        if not isinstance(self.n_draws, int) or self.n_draws < 0:
            raise InvalidInput(f"n_draws: {self.n_draws!r} must be a whole number, 0 or more")
        if not 0.0 < self.level < 1.0:
            raise InvalidInput(f"level: {self.level!r} must be between 0 and 1 (exclusive)")

    def set_fitted(
        self, calibration: Calibration, outcomes: Mapping[str, SpecialtyOutcomes]
    ) -> ChanceModel:
        """Set the learned state (from `fit`, or read back by `chances.persist`); returns self.

        Everything derived from it is computed here, so nothing changes after fitting.
        """
        self._check_settings()
        self.calibration_ = calibration
        self.outcomes_ = dict(outcomes)
        rng = np.random.default_rng([self.random_state, 1])
        self.effects_ = effect_draws(rng, self.n_draws)
        self.quartiles_ = {name: self._quartiles(name) for name in calibration.params}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "calibration_"):
            raise NotFitted("The chance model is not fitted: call fit() or load_fitted_model().")

    # --- parameters per specialty --------------------------------------------------------------

    def charting_name(self, specialty: str) -> str:
        """The Charting Outcomes specialty whose calibration a catalog specialty uses."""
        spec = resolve_specialty(BORROWED.get(specialty, specialty))
        name = spec.charting_outcomes or spec.name
        if name not in self.calibration_.params:
            raise DataUnavailable(f"No calibration for specialty {specialty}.")
        return name

    def params_draws(self, specialty: str) -> list[SpecialtyParams]:
        """Point parameters then one per draw (bootstrap replicates cycled if fewer)."""
        name = self.charting_name(specialty)
        point = self.calibration_.params[name]
        reps = self.calibration_.draws.get(name) or [point]
        return [point] + [reps[d % len(reps)] for d in range(self.n_draws)]

    def _param_arrays(self, specialty: str) -> dict[str, FloatArray]:
        ps = self.params_draws(specialty)
        return {
            k: np.array([getattr(p, k) for p in ps], dtype=np.float64)
            for k in ("a", "beta", "sigma_u", "c", "mu")
        }

    def _quartiles(self, name: str) -> tuple[tuple[float, float, float], str]:
        o = self.outcomes_.get(name)
        d = o.step2ck_matched if o else None
        if d is not None and d.published and d.q1 is not None and d.median and d.q3:
            return (d.q1, d.median, d.q3), CO_SOURCE
        q = population_stats(self.calibration_.params[name]).score_quantiles(True)
        return (float(q[0]), float(q[1]), float(q[2])), f"SmartPick estimate from {CO_SOURCE}"

    def matched_quartiles(self, specialty: str) -> tuple[tuple[float, float, float], str]:
        """Step 2 CK quartiles of matched applicants: published, else the model's estimate."""
        return self.quartiles_[self.charting_name(specialty)]

    # --- prediction ---------------------------------------------------------------------------

    def predict(
        self,
        profile: ApplicantProfile,
        programs: Sequence[Program],
        contexts: dict[str, SpecialtyContext] | None = None,
    ) -> Prediction:
        """Probabilities for every program (several specialties at once share one latent z)."""
        self._check_fitted()
        contexts = dict(contexts or {})
        for specialty in {p.specialty for p in programs} - set(contexts):
            contexts[specialty] = build_context(
                specialty, [p for p in programs if p.specialty == specialty]
            )
        kept: list[Program] = []
        excluded: list[ExcludedProgram] = []
        offsets: list[FloatArray] = []
        factors: list[FloatArray] = []
        details: list[tuple[list[Reason], list[Reason], list[str]]] = []
        by_specialty: dict[str, dict[str, FloatArray]] = {}
        applicant_terms: dict[str, tuple[FloatArray, FloatArray, list[Reason]]] = {}
        for p in programs:
            ctx = contexts[p.specialty]
            elig = check(profile, p, ctx.visa_rates)
            if not elig.eligible:
                excluded.append(
                    ExcludedProgram(
                        p, tuple(str(r) for r in elig.exclusions), tuple(elig.exclusions)
                    )
                )
                continue
            if p.specialty not in by_specialty:
                by_specialty[p.specialty] = self._param_arrays(p.specialty)
                applicant_terms[p.specialty] = terms.applicant_terms(
                    self.effects_, profile, p.specialty, self.charting_name(p.specialty)
                )
            spec = by_specialty[p.specialty]
            base, screen, reasons = applicant_terms[p.specialty]
            prog, prog_reasons, unknowns = terms.program_terms(
                self.effects_, profile, p, ctx, self._unknown_noise
            )
            offsets.append(
                spec["a"]
                + spec["beta"] * (self._score(profile, spec) - SCORE_CENTER) / 10.0
                + base
                + prog
            )
            factors.append(screen * elig.visa_factor)
            details.append(
                (
                    [*elig.soft_reasons, *prog_reasons],
                    [self._score_reason(profile, p), *reasons],
                    [*elig.unknowns, *unknowns],
                )
            )
            kept.append(p)
        chances = self._matrix(kept, offsets, factors, by_specialty)
        rows = self._rows(chances, kept, details)
        notes = []
        if profile.applicant_type in ("us_md", "us_do"):
            notes.append(
                "The model is calibrated on non-US IMGs; figures for US MD/DO applicants are rough."
            )
        return Prediction(chances, tuple(kept), rows, tuple(excluded), tuple(notes))

    def _score(self, profile: ApplicantProfile, spec: dict[str, FloatArray]) -> FloatArray:
        if profile.step2ck is None:
            return spec["mu"]
        return np.full_like(spec["a"], float(profile.step2ck))

    def _score_reason(self, profile: ApplicantProfile, p: Program) -> Reason:
        quartiles, source = self.matched_quartiles(p.specialty)
        beta = self.calibration_.params[self.charting_name(p.specialty)].beta
        return terms.score_reason(profile, quartiles, source, beta)

    def _unknown_noise(self, program_id: str, what: str) -> FloatArray:
        """Standard-normal draws for an unknown program fact (0 at draw 0), stable per program.

        An unknown fact is filled with its setting's average for the point estimate; the draws
        spread it like the known programs of the specialty, so the interval carries the gap.
        """
        seed = zlib.crc32(f"{program_id}/{what}".encode())
        noise = np.random.default_rng([self.random_state, seed]).standard_normal(self.n_draws + 1)
        noise[0] = 0.0
        return noise

    def _matrix(
        self,
        kept: Sequence[Program],
        offsets: Sequence[FloatArray],
        factors: Sequence[FloatArray],
        by_specialty: dict[str, dict[str, FloatArray]],
    ) -> ChanceMatrix:
        d = self.n_draws + 1
        k = Z_NODES.size
        ids = tuple(p.id for p in kept)
        if not kept:
            empty = np.zeros((d, 0, k))
            return ChanceMatrix(ids, Z_WEIGHTS.copy(), (empty, empty, empty), empty)
        eta0 = np.stack(offsets, axis=1)  # (D+1, n)
        factor = np.stack(factors, axis=1)
        sigma = np.stack([by_specialty[p.specialty]["sigma_u"] for p in kept], axis=1)
        conv = np.stack([by_specialty[p.specialty]["c"] for p in kept], axis=1)
        eta = eta0[:, :, None] + sigma[:, :, None] * Z_NODES[None, None, :]
        scale = np.array([SIGNAL_SCALE.get(p.specialty, 1.0) for p in kept])
        levels = []
        for bump in (np.zeros(d), self.effects_["signal_silver"], self.effects_["signal_gold"]):
            q = factor[:, :, None] * expit(eta + (bump[:, None] * scale[None, :])[:, :, None])
            levels.append(np.asarray(q, dtype=np.float64))
        conversion = np.broadcast_to(conv[:, :, None], (d, len(kept), k)).copy()
        return ChanceMatrix(ids, Z_WEIGHTS.copy(), tuple(levels), conversion)

    def _rows(
        self,
        chances: ChanceMatrix,
        kept: Sequence[Program],
        details: Sequence[tuple[list[Reason], list[Reason], list[str]]],
    ) -> tuple[ProgramChance, ...]:
        if not kept:
            return ()
        w = chances.weights
        p_int = chances.interview @ w  # (D+1, n)
        p_match = (chances.interview * chances.conversion) @ w
        silver = chances.interview_by_signal[1][0] @ w
        gold = chances.interview_by_signal[2][0] @ w
        interview_ci = intervals(p_int, self.level)
        match_ci = intervals(p_match, self.level)
        rows = []
        for i, p in enumerate(kept):
            program_reasons, applicant_reasons, unknowns = details[i]
            # The program's own reasons first (up to 3), then the score and the applicant's
            # strongest factor, which are the same at every program of the specialty.
            by_weight = sorted(program_reasons, key=lambda r: -r.weight)[:3]
            score, *others = applicant_reasons
            strongest = sorted(others, key=lambda r: -r.weight)[:1]
            top = [*by_weight, score, *(r for r in strongest if r.weight >= 0.15)]
            reasons = [*program_reasons, *applicant_reasons]
            n_unknown = len(unknowns)
            rows.append(
                ProgramChance(
                    program=p,
                    p_interview=interview_ci[i],
                    p_match=match_ci[i],
                    p_interview_signal={
                        "none": float(p_int[0, i]),
                        "silver": float(silver[i]),
                        "gold": float(gold[i]),
                    },
                    confidence="high" if n_unknown == 0 else "medium" if n_unknown == 1 else "low",
                    reasons=tuple(str(r) for r in top),
                    reason_details=tuple(reasons),
                    unknowns=tuple(unknowns),
                )
            )
        return tuple(rows)
