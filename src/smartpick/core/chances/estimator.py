"""The chance model as an estimator: settings in `__init__`, `fit` learns the `_` attributes from
the catalog's programs and the published tables, `predict` gives one applicant's chances.

Model v2 (docs/model.md): each program's interview probability is anchored on what it did in
2026 (its own non-US IMG interview rate with its count, or a prediction from its older fields),
individualised by the pool equation and the applicant's terms (`terms`), with a population model
calibrated on Charting Outcomes 2026 that contains the program layer (`calibration`). Draw 0 uses
the point values; draws 1..D pair a parametric-bootstrap fit of the population parameters with a
joint draw of every assumption, of the programs' rates and of the visa facts (`draws`).
The estimator does no I/O: `chances.persist` saves and loads the fitted state.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from smartpick.core.chances.applicant_reasons import score_reason
from smartpick.core.chances.assumptions import POINT, Assumptions, draw_assumptions
from smartpick.core.chances.calibration import (
    Anchor,
    anchor,
    fit_draw,
    fit_point,
    layered_market,
    residents_step1,
    typical_alpha,
    typical_market,
)
from smartpick.core.chances.context import (
    TYPICAL_APPLICATIONS,
    ProgramBase,
    Transfer,
    allowance_mix,
    base_from_arrays,
    build_base,
    signal_kind,
)
from smartpick.core.chances.draws import Draws, pool_rate
from smartpick.core.chances.effects import effect_draws
from smartpick.core.chances.features import (
    IM,
    LAYERED,
    apply_aligned,
    categorical_programs,
    fit_columns,
    raw_columns,
    sibling_tables,
)
from smartpick.core.chances.layer_fit import fit_layer
from smartpick.core.chances.outcomes import SOURCE as CO_SOURCE
from smartpick.core.chances.outcomes import SpecialtyOutcomes, charting_outcomes
from smartpick.core.chances.population import Market, Params, PopulationStats, stats
from smartpick.core.chances.program_effects import (
    assumption_columns,
    signal_effects,
)
from smartpick.core.chances.program_layer import LayerFit, logit_rate
from smartpick.core.chances.results import Prediction
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Reason
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import DataUnavailable, InvalidInput

# Catalog specialties without a Charting Outcomes row borrow the nearest one's calibration.
BORROWED = {
    "Transitional Year": "Internal Medicine",
    "Neurodevelopmental Disabilities": "Child Neurology",
}
CACHE_SIZE = 16  # program sides kept per process (a specialty's programs, as the catalog gave them)


class NotFitted(DataUnavailable):
    """The model was used before `fit` (or before loading the fitted state)."""


@dataclass(frozen=True)
class FittedState:
    """Everything `fit` learns (and `persist` stores)."""

    layers: dict[str, LayerFit]  # IM, FM
    anchors: dict[str, Anchor]
    sibling: dict[str, dict[str, dict[str, list[float]]]]
    params: dict[str, list[Params]]  # per Charting Outcomes specialty: point, then D draws
    loo: dict[str, Params]
    has_measures: dict[str, bool]
    typical: dict[str, list[float]]  # per CO specialty and draw: the typical program's baseline
    transfers: dict[str, Transfer]  # per catalog specialty outside IM / FM
    assumptions: list[Assumptions]  # point, then D draws
    effects: dict[str, list[float]]  # assumed applicant effects: point, then D draws
    seconds: dict[str, float]  # fit times


class ChanceModel:
    """Calibrated chance model (estimator shape: settings here, `fit` learns the `_` attributes).

    `n_draws` bootstrap draws give the intervals (`level` is their coverage); `random_state` seeds
    the bootstrap, the assumptions' draws and the programs' rate draws.
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
        programs: Sequence[Program],
        outcomes: Sequence[SpecialtyOutcomes] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> ChanceModel:
        """Fit to the catalog's programs (every specialty, every track) and Charting Outcomes."""
        self._check_settings()
        say = progress or (lambda _msg: None)
        seconds: dict[str, float] = {}
        t0 = time.perf_counter()
        rows = {o.specialty: o for o in (outcomes if outcomes is not None else charting_outcomes())}
        sibling = sibling_tables(programs)
        layers = {
            s: fit_layer(s, [p for p in programs if p.specialty == s], sibling, rows[s])
            for s in LAYERED
        }
        anchors = {s: anchor(s, layers[s]) for s in LAYERED}
        seconds["program_layer"] = time.perf_counter() - t0
        say(f"program layer fitted in {seconds['program_layer']:.0f} s")
        t1 = time.perf_counter()
        step1 = residents_step1(programs)
        point = fit_point(rows, layers, anchors, step1, POINT, self.leave_one_out)
        seconds["population"] = time.perf_counter() - t1
        say(f"population fitted in {seconds['population']:.0f} s")
        t2 = time.perf_counter()
        values = draw_assumptions(self.random_state, self.n_draws)
        params = {name: [p] for name, p in point.params.items()}
        for d in range(1, self.n_draws + 1):
            rng = np.random.default_rng([self.random_state, d])
            for name, p in fit_draw(rng, rows, layers, anchors, point, values[d]).items():
                params[name].append(p)
            say(f"bootstrap draw {d}/{self.n_draws}")
        seconds["bootstrap"] = time.perf_counter() - t2
        typical = {
            name: [
                typical_alpha(name, layers[name], anchors[name], p, values[d])
                if name in LAYERED
                else p.a
                for d, p in enumerate(ps)
            ]
            for name, ps in params.items()
        }
        transfers = self._transfers(programs, sibling, layers, rows, params, typical)
        rng = np.random.default_rng([self.random_state, 1])
        effects = {k: v.tolist() for k, v in effect_draws(rng, self.n_draws).items()}
        seconds["total"] = time.perf_counter() - t0
        state = FittedState(
            layers,
            anchors,
            sibling,
            params,
            point.loo,
            point.has_measures,
            typical,
            transfers,
            values,
            effects,
            {k: round(v, 1) for k, v in seconds.items()},
        )
        return self.set_fitted(state)

    def _transfers(
        self,
        programs: Sequence[Program],
        sibling: Mapping[str, dict[str, dict[str, list[float]]]],
        layers: Mapping[str, LayerFit],
        rows: Mapping[str, SpecialtyOutcomes],
        params: Mapping[str, list[Params]],
        typical: Mapping[str, list[float]],
    ) -> dict[str, Transfer]:
        """Per catalog specialty outside IM / FM: the IM-trained rate prediction, centred so that
        the programs' position-weighted mean pool rate is the calibrated typical program's."""
        out: dict[str, Transfer] = {}
        by: dict[str, list[Program]] = {}
        for p in programs:
            by.setdefault(p.specialty, []).append(p)
        cols = assumption_columns([POINT])
        for specialty, group in sorted(by.items()):
            if specialty in LAYERED:
                continue
            charting = self._charting_name(specialty, rows)
            progs = categorical_programs(group) or group
            raw = raw_columns(progs, sibling)
            names = [c.name for c in layers[IM].columns]
            columns = fit_columns(raw, names)
            pred = layers[IM].rate_fit.predictive_rate(apply_aligned(raw, columns, names))
            lm = logit_rate(pred.mean)
            w = np.array([float(p.pgy1_positions.value or 4) for p in progs])
            centre = float(w @ lm / w.sum())
            p0 = params[charting][0]
            gamma = signal_effects(np.zeros((1, 3)), signal_kind(specialty), cols)[0]
            mix = np.array([allowance_mix(specialty, TYPICAL_APPLICATIONS)])
            if charting in LAYERED:
                target = self._pooled(charting, params, typical, gamma, mix)
            else:
                m = typical_market(rows[charting], POINT)
                target = float(
                    pool_rate(
                        np.array([p0.a]), m.gamma, m.mix, np.array([p0.beta]), *self._pop(p0)
                    )[0]
                )
            shift = 0.0
            for _ in range(40):
                rates = pool_rate(
                    typical[charting][0] + lm - centre + shift,
                    np.repeat(gamma, len(progs), 0),
                    np.repeat(mix, len(progs), 0),
                    np.full(len(progs), p0.beta),
                    *self._pop(p0),
                )
                gap = float(w @ rates / w.sum()) - target
                shift -= gap / max(float(w @ (rates * (1 - rates)) / w.sum()), 1e-9)
                if abs(gap) < 1e-10:
                    break
            out[specialty] = Transfer(columns, centre, shift)
        return out

    def _pooled(
        self,
        charting: str,
        params: Mapping[str, list[Params]],
        typical: Mapping[str, list[float]],
        gamma: np.ndarray,
        mix: np.ndarray,
    ) -> float:
        """The pool rate, under the borrowing specialty's own signals, of the layered
        specialty's typical program."""
        p0 = params[charting][0]
        alpha = np.array([typical[charting][0]])
        return float(pool_rate(alpha, gamma, mix, np.array([p0.beta]), *self._pop(p0))[0])

    @staticmethod
    def _pop(p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (np.array(p.mu), np.array(p.sd), np.array(p.sigma), np.array(p.rho))

    def _check_settings(self) -> None:
        if not isinstance(self.n_draws, int) or self.n_draws < 0:
            raise InvalidInput(f"n_draws: {self.n_draws!r} must be a whole number, 0 or more")
        if not 0.0 < self.level < 1.0:
            raise InvalidInput(f"level: {self.level!r} must be between 0 and 1 (exclusive)")

    def set_fitted(self, state: FittedState) -> ChanceModel:
        """Set the learned state (from `fit`, or read back by `chances.persist`); returns self."""
        self._check_settings()
        self.state_ = state
        self.effects_ = {k: np.array(v, dtype=np.float64) for k, v in state.effects.items()}
        self.cache_: OrderedDict[tuple[int, ...], Draws] = OrderedDict()
        # per specialty, the last tuple of programs asked for and its key in `cache_`
        self.listing_keys_: dict[str, tuple[tuple[Program, ...], tuple[int, ...]]] = {}
        self.outcomes_ = {o.specialty: o for o in charting_outcomes()}
        self.stats_: dict[str, PopulationStats] = {}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "state_"):
            raise NotFitted("The chance model is not fitted: call fit() or load_fitted_model().")

    # --- per specialty ------------------------------------------------------------------------

    @staticmethod
    def _charting_name(specialty: str, rows: Mapping[str, object]) -> str:
        spec = resolve_specialty(BORROWED.get(specialty, specialty))
        name = spec.charting_outcomes or spec.name
        if name not in rows:
            raise DataUnavailable(f"No calibration for specialty {specialty}.")
        return name

    def charting_name(self, specialty: str) -> str:
        """The Charting Outcomes specialty whose calibration a catalog specialty uses."""
        self._check_fitted()
        return self._charting_name(specialty, self.state_.params)

    def context(
        self,
        specialty: str,
        programs: Sequence[Program],
        stored: Mapping[str, np.ndarray] | None = None,
    ) -> Draws:
        """The program side of a specialty's programs under every draw (cached per process: the
        catalog hands out the same program objects until its data change). `stored`: the
        `context.base_arrays` of an earlier build for the same programs, model and code."""
        self._check_fitted()
        last = self.listing_keys_.get(specialty)
        if last is not None and last[0] is programs:  # the same tuple: no pass over its programs
            key = last[1]
        else:
            key = (hash(specialty), *map(id, programs))
            if isinstance(programs, tuple):
                self.listing_keys_[specialty] = (programs, key)
        found = self.cache_.get(key)
        if found is not None:
            self.cache_.move_to_end(key)
            return found
        st = self.state_
        charting = self.charting_name(specialty)
        base: ProgramBase = (
            build_base(specialty, charting, programs, st.layers, st.sibling, st.transfers)
            if stored is None
            else base_from_arrays(specialty, charting, programs, st.layers, stored)
        )
        draws = Draws(
            base=base,
            reference=st.layers.get(specialty) or st.layers[IM],
            params=st.params[charting],
            typical=np.array(st.typical[charting]),
            assumptions=st.assumptions,
            effects=self.effects_,
            seed=self.random_state,
        )
        self.cache_[key] = draws
        while len(self.cache_) > CACHE_SIZE:
            self.cache_.popitem(last=False)
        return draws

    def market(self, charting: str, loo: bool = False) -> Market:
        """The population model's market of a Charting Outcomes specialty (point assumptions)."""
        st = self.state_
        if charting in LAYERED:
            anc = st.anchors[charting]
            return layered_market(charting, st.layers[charting], POINT, anc.apps_per_applicant[0])
        return typical_market(self.outcomes_[charting], POINT)

    def population(self, charting: str) -> PopulationStats:
        """What the calibrated population model predicts for a specialty (cached)."""
        if charting not in self.stats_:
            self.stats_[charting] = stats(self.market(charting), self.state_.params[charting][0])
        return self.stats_[charting]

    def matched_quartiles(self, specialty: str) -> tuple[tuple[float, float, float], str]:
        """Step 2 CK quartiles of matched applicants: published, else the model's estimate."""
        name = self.charting_name(specialty)
        if self.published_quartiles(name):
            q = self.outcomes_[name].step2ck_matched
            assert q is not None and q.q1 is not None and q.median and q.q3
            return (q.q1, q.median, q.q3), CO_SOURCE
        est = self.population(name).score_quantiles(True)
        return (float(est[0]), float(est[1]), float(est[2])), f"SmartPick estimate from {CO_SOURCE}"

    def score_reason(self, profile: ApplicantProfile, specialty: str) -> Reason:
        """Step 2 CK against the specialty's matched applicants."""
        name = self.charting_name(specialty)
        beta = self.state_.params[name][0].beta
        if not self.published_quartiles(name):
            # Said as the plan says it: no estimated median is shown as if it were published.
            return score_reason(profile, None, CO_SOURCE, beta, specialty)
        quartiles, source = self.matched_quartiles(specialty)
        return score_reason(profile, quartiles, source, beta, specialty)

    def published_quartiles(self, charting: str) -> bool:
        """Whether Charting Outcomes 2026 published the specialty's matched Step 2 CK quartiles."""
        o = self.outcomes_.get(charting)
        q = o.step2ck_matched if o else None
        return bool(q is not None and q.published and q.q1 is not None and q.median and q.q3)

    def pooled_rate(self, charting: str) -> float:
        """The specialty's pooled 2026 non-US IMG interview rate (0 outside IM / FM)."""
        anc = self.state_.anchors.get(charting)
        return anc.pooled_rate if anc is not None else 0.0

    # --- prediction ---------------------------------------------------------------------------

    def predict(
        self,
        profile: ApplicantProfile,
        programs: Sequence[Program],
        contexts: Mapping[str, Draws] | None = None,
    ) -> Prediction:
        """Probabilities for every program (several specialties at once share one latent z).

        `contexts`: per specialty, the program side built from its whole catalog (so that the
        specialty's visa rates and caches do not depend on the subset asked for)."""
        from smartpick.core.chances.predict import predict_programs

        self._check_fitted()
        return predict_programs(self, profile, programs, dict(contexts or {}))
