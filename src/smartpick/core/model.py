"""The chance model: per-program interview and match probabilities for one applicant.

For applicant a and program i of specialty S (see docs/model.md):

    logit q_i(z) = a_S + beta_S (Step2CK - 240) / 10 + sigma_S z      (calibrated, `calibration`)
                 + slope_img (L_i - mean L_S) + slope_sel (P_i - mean P_S)   (program offset)
                 + applicant factors (effects relative to the reference applicant)
    q_i(z) <- q_i(z) * P(program considers the visa) * (1 - share screening a failed attempt)^F

L_i is the logit of the program's non-US IMG share of residents, P_i the logit of its share of
applicants interviewed (each shrunk to the setting's, then the specialty's, mean when unknown),
centred on the mean over the specialty's programs weighted by their non-US IMG residents (where
the calibrated "typical program" of an IMG is). z ~ N(0, 1) is shared by every program and
specialty of one applicant (Gauss-Hermite nodes). P(match at i | interview at i) = c_S.

Draw 0 uses the point estimates; draws 1..D pair a parametric-bootstrap replicate of the
calibration with a draw of every assumed effect within its sensitivity range.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit

from smartpick.core.chances.calibration import (
    SCORE_CENTER,
    Z_NODES,
    Z_WEIGHTS,
    Calibration,
    SpecialtyParams,
    calibrate,
    population_stats,
)
from smartpick.core.chances.effects import (
    EFFECTS_SOURCE,
    FAILED_ATTEMPT_SCREEN,
    FAILED_ATTEMPT_SCREEN_DEFAULT,
    REFERENCE,
    SIGNAL_SCALE,
    SPANISH_STATES,
    effect_draws,
)
from smartpick.core.chances.matrix import ChanceMatrix
from smartpick.core.chances.outcomes import SOURCE as CO_SOURCE
from smartpick.core.chances.outcomes import SpecialtyOutcomes, charting_outcomes
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Direction, Reason, check
from smartpick.core.rules.visas import specialty_visa_rates
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import DataUnavailable

FloatArray = NDArray[np.float64]
PLUS: Direction = "+"
MINUS: Direction = "-"
FITTED_FILE = ("data", "model", "calibration.json")
# Catalog specialties without a Charting Outcomes row borrow the nearest one's calibration.
BORROWED = {
    "Transitional Year": "Internal Medicine",
    "Neurodevelopmental Disabilities": "Child Neurology",
}


def _intervals(values: FloatArray, level: float) -> list[tuple[float, float, float]]:
    """`chances.interval` for every column of a (D + 1, n) array at once."""
    point = values[0]
    draws = values[1:] if values.shape[0] > 1 else values
    tail = (1.0 - level) / 2.0
    low = np.minimum(point, np.quantile(draws, tail, axis=0))
    high = np.maximum(point, np.quantile(draws, 1.0 - tail, axis=0))
    return [(float(a), float(b), float(c)) for a, b, c in zip(point, low, high, strict=True)]


def _reason_dict(r: Reason) -> dict[str, Any]:
    """A reason as JSON: direction "+" raises, "-" lowers, "?" unknown, "x" excludes."""
    return {"text": r.text, "source": r.source, "year": r.year, "direction": r.direction}


def _clip_logit(pct: float) -> float:
    return float(logit(min(max(pct / 100.0, 0.01), 0.95)))


@dataclass(frozen=True)
class SpecialtyContext:
    """Averages over a specialty's programs, used to centre and to fill unknown program facts."""

    specialty: str
    img_logit_mean: float
    img_share_mean_pct: float
    img_logit_by_setting: dict[str, float]
    interviewed_logit_mean: float
    interviewed_logit_by_setting: dict[str, float]
    non_us_per_img: float  # non-US IMG share / all-IMG share, for programs with only the latter
    visa_rates: dict[str, float]  # share of programs with a known policy that consider the visa
    typical_positions: float  # median PGY-1 positions, for programs without the figure
    img_logit_sd: float  # spread of L among programs where it is known
    interviewed_logit_sd: float  # spread of P among programs where it is known


def _img_pct(p: Program, ratio: float) -> tuple[float | None, str]:
    if p.pct_non_us_img.value is not None:
        return float(p.pct_non_us_img.value), "non_us"
    if p.pct_img_any.value is not None:
        return float(p.pct_img_any.value) * ratio, "any"
    return None, "unknown"


def _interviewed_pct(p: Program) -> float | None:
    if p.pct_interviewed.value is not None:
        return float(p.pct_interviewed.value)
    apps, done = p.applications_received.value, p.interviews_conducted.value
    if apps and done is not None and apps > 0:
        return 100.0 * min(done / apps, 1.0)
    return None


def resident_weight(p: Program, ctx: SpecialtyContext) -> float:
    """A program's weight in the specialty's "typical program": its non-US IMG residents."""
    pct, _ = _img_pct(p, ctx.non_us_per_img)
    share = ctx.img_share_mean_pct if pct is None else pct
    return float(p.pgy1_positions.value or ctx.typical_positions) * (share + 1.0)


def build_context(specialty: str, programs: Sequence[Program]) -> SpecialtyContext:
    """Averages over a specialty's programs (all tracks given)."""
    both = [
        (float(p.pct_non_us_img.value), float(p.pct_img_any.value))
        for p in programs
        if p.pct_non_us_img.value is not None and p.pct_img_any.value
    ]
    ratio = (
        float(np.clip(sum(a for a, _ in both) / sum(b for _, b in both), 0.2, 1.0))
        if (both and sum(b for _, b in both) > 0)
        else 0.8
    )
    positions = [p.pgy1_positions.value for p in programs if p.pgy1_positions.value]
    typical_positions = float(np.median(positions)) if positions else 8.0
    rows = []
    for p in programs:
        pct, _ = _img_pct(p, ratio)
        size = float(p.pgy1_positions.value or typical_positions)
        rows.append((p, pct, _interviewed_pct(p), size))

    def mean(pairs: Iterable[tuple[float, float]], default: float) -> float:
        items = list(pairs)
        total = sum(w for _, w in items)
        return sum(v * w for v, w in items) / total if total > 0 else default

    # Weight: the program's non-US IMG residents (positions x share), where IMGs train.
    known_img = [(pct, size) for _, pct, _, size in rows if pct is not None]
    img_mean = mean(((_clip_logit(pct), size * (pct + 1.0)) for pct, size in known_img), -1.0)
    share_mean = mean(((pct, size) for pct, size in known_img), 25.0)
    img_default = {p.id: (pct if pct is not None else share_mean) for p, pct, _, _ in rows}
    by_setting_img: dict[str, float] = {}
    by_setting_int: dict[str, float] = {}
    int_mean = mean(
        (
            (_clip_logit(ipct), size * (img_default[p.id] + 1.0))
            for p, _, ipct, size in rows
            if ipct is not None
        ),
        float(logit(0.14)),
    )
    settings = {p.setting.value for p, *_ in rows if p.setting.value is not None}
    for s in settings:
        sub = [r for r in rows if r[0].setting.value == s]
        by_setting_img[s] = mean(
            ((_clip_logit(pct), 1.0) for _, pct, _, _ in sub if pct is not None), img_mean
        )
        by_setting_int[s] = mean(
            ((_clip_logit(ip), 1.0) for _, _, ip, _ in sub if ip is not None), int_mean
        )
    visa_rates = specialty_visa_rates(programs)
    return SpecialtyContext(
        specialty,
        img_mean,
        share_mean,
        by_setting_img,
        int_mean,
        by_setting_int,
        ratio,
        visa_rates,
        typical_positions,
        _spread([_clip_logit(pct) for _, pct, _, _ in rows if pct is not None]),
        _spread([_clip_logit(ip) for _, _, ip, _ in rows if ip is not None]),
    )


def _spread(values: Sequence[float]) -> float:
    """Standard deviation, with a wide default when too few values are known."""
    return float(np.std(values)) if len(values) >= 5 else 1.0


def _identity(p: Program) -> dict[str, Any]:
    """The keys that name a program in every JSON row."""
    return {
        "program_id": p.id,
        "name": p.name,
        "specialty": p.specialty,
        "track": p.track,
        "state": p.state.value,
    }


@dataclass(frozen=True)
class ProgramChance:
    """One program's probabilities (point, low, high) with reasons."""

    program: Program
    p_interview: tuple[float, float, float]
    p_match: tuple[float, float, float]  # this program alone: P(interview) x conversion
    p_interview_signal: dict[str, float]  # point P(interview) per signal level
    confidence: str  # high / medium / low: how many program facts were unknown
    reasons: tuple[str, ...]  # top reasons, as text with their sources
    reason_details: tuple[Reason, ...]
    unknowns: tuple[str, ...]
    eligible: bool = True

    @property
    def program_id(self) -> str:
        """The program's id."""
        return self.program.id

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a program's chances."""
        return {
            **_identity(self.program),
            "eligible": True,
            "p_interview": dict(zip(("point", "low", "high"), self.p_interview, strict=True)),
            "p_match": dict(zip(("point", "low", "high"), self.p_match, strict=True)),
            "p_interview_signal": self.p_interview_signal,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
            "reason_details": [_reason_dict(r) for r in self.reason_details],
            "unknowns": list(self.unknowns),
        }


@dataclass(frozen=True)
class ExcludedProgram:
    """A program the applicant cannot match at, with the reasons kept."""

    program: Program
    reasons: tuple[str, ...]
    reason_details: tuple[Reason, ...]
    eligible: bool = False

    @property
    def program_id(self) -> str:
        """The program's id."""
        return self.program.id

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an excluded program."""
        return {
            **_identity(self.program),
            "eligible": False,
            "reasons": list(self.reasons),
            "reason_details": [_reason_dict(r) for r in self.reason_details],
        }


@dataclass(frozen=True)
class Prediction:
    """Everything the model says for one applicant and a set of programs."""

    chances: ChanceMatrix  # eligible programs only, aligned with `programs` and `rows`
    programs: tuple[Program, ...]
    rows: tuple[ProgramChance, ...]
    excluded: tuple[ExcludedProgram, ...]
    notes: tuple[str, ...] = field(default=())


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
        rows = tuple(outcomes if outcomes is not None else charting_outcomes())
        self.outcomes_ = {o.specialty: o for o in rows}
        self.calibration_ = calibrate(
            rows,
            n_draws=self.n_draws,
            random_state=self.random_state,
            leave_one_out=self.leave_one_out,
            progress=progress,
        )
        self._set_effects()
        return self

    def _set_effects(self) -> None:
        rng = np.random.default_rng([self.random_state, 1])
        self.effects_ = effect_draws(rng, self.n_draws)

    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain data (the shipped `calibration.json`)."""
        cal = self.calibration_
        return {
            "method": "SmartPick chance model: see docs/model.md",
            "source": CO_SOURCE,
            "settings": {
                "n_draws": self.n_draws,
                "level": self.level,
                "random_state": self.random_state,
                "leave_one_out": self.leave_one_out,
            },
            "specialties": {
                name: {
                    "params": p.to_dict(),
                    "has_measures": cal.has_measures[name],
                    "loo": cal.loo[name].to_dict() if name in cal.loo else None,
                    "draws": [d.to_dict() for d in cal.draws[name]],
                }
                for name, p in cal.params.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChanceModel:
        """Rebuild a fitted model from `to_dict` output."""
        model = cls(**data["settings"])

        def params(d: dict[str, float]) -> SpecialtyParams:
            return SpecialtyParams(
                mu=d["mu"],
                sd=d["sd"],
                a=d["a"],
                beta=d["beta"],
                sigma_u=d["sigma_u"],
                c=d["c"],
                n_apps=int(d["n_apps"]),
            )

        specs = data["specialties"]
        model.calibration_ = Calibration(
            params={n: params(s["params"]) for n, s in specs.items()},
            draws={n: [params(d) for d in s["draws"]] for n, s in specs.items()},
            loo={n: params(s["loo"]) for n, s in specs.items() if s["loo"] is not None},
            has_measures={n: bool(s["has_measures"]) for n, s in specs.items()},
        )
        model.outcomes_ = {o.specialty: o for o in charting_outcomes()}
        model._set_effects()
        return model

    @classmethod
    def load(cls) -> ChanceModel:
        """The fitted model shipped with the package (built by scripts/fit_model.py)."""
        try:
            text = resources.files("smartpick").joinpath(*FITTED_FILE).read_text("utf-8")
        except (FileNotFoundError, ModuleNotFoundError) as exc:
            raise DataUnavailable(
                "The fitted model (data/model/calibration.json) is missing: run "
                "scripts/fit_model.py."
            ) from exc
        return cls.from_dict(json.loads(text))

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

    def matched_quartiles(self, specialty: str) -> tuple[tuple[float, float, float], str]:
        """Step 2 CK quartiles of matched applicants: published, else the model's estimate."""
        name = self.charting_name(specialty)
        cache: dict[str, tuple[tuple[float, float, float], str]] = self.__dict__.setdefault(
            "_quartiles", {}
        )
        if name not in cache:
            o = self.outcomes_.get(name)
            d = o.step2ck_matched if o else None
            if d is not None and d.published and d.q1 is not None and d.median and d.q3:
                cache[name] = (d.q1, d.median, d.q3), CO_SOURCE
            else:
                q = population_stats(self.calibration_.params[name]).score_quantiles(True)
                cache[name] = (
                    (float(q[0]), float(q[1]), float(q[2])),
                    f"SmartPick estimate from {CO_SOURCE}",
                )
        return cache[name]

    # --- prediction ---------------------------------------------------------------------------

    def predict(
        self,
        profile: ApplicantProfile,
        programs: Sequence[Program],
        contexts: dict[str, SpecialtyContext] | None = None,
    ) -> Prediction:
        """Probabilities for every program (several specialties at once share one latent z)."""
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
                applicant_terms[p.specialty] = self._applicant_terms(profile, p.specialty)
            spec = by_specialty[p.specialty]
            base, screen, reasons = applicant_terms[p.specialty]
            prog, prog_reasons, unknowns = self._program_terms(profile, p, ctx)
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
        (q1, med, q3), source = self.matched_quartiles(p.specialty)
        s = profile.step2ck
        beta = self.calibration_.params[self.charting_name(p.specialty)].beta
        if s is None:
            return Reason(
                "Step 2 CK not given: the specialty's typical applicant's score is used",
                None,
                None,
                "?",
                0.5,
            )
        weight = abs(beta * (s - med) / 10.0)
        if s < q1:
            text, sign = f"Step 2 CK {s} is below this specialty's matched Q1 ({q1:.0f})", MINUS
        elif s < med:
            text, sign = (
                f"Step 2 CK {s} is below this specialty's matched median ({med:.0f})",
                MINUS,
            )
        elif s < q3:
            text, sign = f"Step 2 CK {s} is above this specialty's matched median ({med:.0f})", PLUS
        else:
            text, sign = f"Step 2 CK {s} is above this specialty's matched Q3 ({q3:.0f})", PLUS
        return Reason(text, source, None, sign, weight + 0.3)

    def _applicant_terms(
        self, profile: ApplicantProfile, specialty: str
    ) -> tuple[FloatArray, FloatArray, list[Reason]]:
        """Applicant factors that do not depend on the program: (log-odds, factor, reasons)."""
        e = self.effects_
        ref = REFERENCE
        reasons: list[Reason] = []
        total = np.zeros_like(e["us_letter"])

        def add(term: FloatArray, text: str, source: str = EFFECTS_SOURCE) -> None:
            nonlocal total
            total = total + term
            if abs(term[0]) > 1e-9:
                sign = PLUS if term[0] > 0 else MINUS
                reasons.append(Reason(text, source, None, sign, abs(float(term[0]))))

        if profile.applicant_type in ("us_img", "us_md", "us_do"):
            label = {"us_img": "US-citizen IMG", "us_md": "US MD", "us_do": "US DO"}
            add(
                e[profile.applicant_type],
                f"{label[profile.applicant_type]}: higher match rates than non-US IMGs",
                "NRMP/ECFMG 2025 match rates by applicant type",
            )
        hands_on = profile.usce_hands_on_months
        months = hands_on + e["observership_weight"] * profile.usce_observership_months
        add(
            e["usce_hands_on_per_month"] * (np.minimum(months, 6.0) - ref.usce_hands_on_months),
            f"US clinical experience: {hands_on:g} months hands-on, "
            f"{profile.usce_observership_months:g} observership (typical: 3 hands-on)",
        )
        in_spec = profile.letters_in(specialty)
        add(
            e["us_letter"] * (min(profile.us_letters, 4) - ref.us_letters)
            + e["us_letter_in_specialty"] * (min(in_spec, 3) - ref.us_letters_in_specialty),
            f"{profile.us_letters} US letters, {in_spec} in {specialty} (typical: 3, 2 in specialty)",
        )
        years = profile.years_since_graduation
        add(
            e["years_since_graduation"] * (min(max(years, 1), 10) - ref.years_since_graduation),
            f"Graduated {years} years before the Match (typical: 3)",
        )
        failed = min(profile.failed_attempts, 2)
        screen_share = FAILED_ATTEMPT_SCREEN.get(
            self.charting_name(specialty), FAILED_ATTEMPT_SCREEN_DEFAULT
        )
        screen = np.ones_like(total)
        if failed:
            share = np.minimum(screen_share * e["failed_attempt_screen_scale"], 0.95)
            screen = (1.0 - share) ** failed
            total = total + e["failed_attempt_soft"] * failed
            reasons.append(
                Reason(
                    f"{failed} failed USMLE attempt{'s' if failed > 1 else ''}: about "
                    f"{screen_share:.0%} of {specialty} "
                    "programs do not interview after one",
                    "NRMP Program Director Survey (about 2010), effects.csv rows 67-74",
                    None,
                    "-",
                    1.0 + float(-np.log(screen[0])),
                )
            )
        if profile.step3_passed and profile.step3 is not None:
            add(
                e["step3_passed"]
                + e["step3_per_10_points"]
                * float(np.clip((profile.step3 - ref.step3_reference) / 10.0, 0.0, 3.0)),
                f"Step 3 passed ({profile.step3})",
            )
        if isinstance(profile.step1, int):
            add(
                e["step1_per_10_points"]
                * float(np.clip((profile.step1 - ref.step1_numeric) / 10.0, -3.0, 3.0)),
                f"Step 1 {profile.step1} (220 is typical; below 215 is low in the guide)",
            )
        return total, screen, reasons

    def _program_terms(
        self, profile: ApplicantProfile, p: Program, ctx: SpecialtyContext
    ) -> tuple[FloatArray, list[Reason], list[str]]:
        """Program-specific log-odds terms, reasons and unknown facts."""
        e = self.effects_
        reasons: list[Reason] = []
        unknowns: list[str] = []
        setting = p.setting.value
        pct, kind = _img_pct(p, ctx.non_us_per_img)
        img: float | FloatArray
        sel: float | FloatArray
        if pct is not None:
            img = _clip_logit(pct)
            fact = p.pct_non_us_img if kind == "non_us" else p.pct_img_any
            if kind == "non_us":
                text = f"{pct:.0f}% of residents are non-US IMGs"
            else:
                text = f"{fact.value:.0f}% of residents are IMGs (about {pct:.0f}% non-US)"
            text += f"; specialty average {ctx.img_share_mean_pct:.0f}%"
            sign = PLUS if img >= ctx.img_logit_mean else MINUS
            weight = abs(0.7 * (_clip_logit(pct) - ctx.img_logit_mean))
            reasons.append(Reason(text, fact.source, fact.year, sign, weight))
        else:
            img = ctx.img_logit_by_setting.get(setting or "", ctx.img_logit_mean) + (
                ctx.img_logit_sd * self._unknown_noise(p.id, "img")
            )
            unknowns.append("share of IMG residents")
            where = f"{setting.replace('_', ' ')} programs'" if setting else "the specialty's"
            reasons.append(
                Reason(
                    f"Share of IMG residents unknown: {where} average used", None, None, "?", 0.6
                )
            )
        term = e["img_access_slope"] * (img - ctx.img_logit_mean)
        ipct = _interviewed_pct(p)
        if ipct is not None:
            sel = _clip_logit(ipct)
            gap = float(sel - ctx.interviewed_logit_mean)
            fact = p.pct_interviewed
            src = (
                (fact.source, fact.year)
                if fact.value is not None
                else (
                    p.interviews_conducted.source,
                    p.interviews_conducted.year,
                )
            )
            reasons.append(
                Reason(
                    f"Interviews {ipct:.0f}% of its applicants",
                    src[0],
                    src[1],
                    PLUS if gap >= 0 else MINUS,
                    abs(0.5 * gap),
                )
            )
        else:
            sel = ctx.interviewed_logit_by_setting.get(
                setting or "", ctx.interviewed_logit_mean
            ) + ctx.interviewed_logit_sd * self._unknown_noise(p.id, "interviewed")
            unknowns.append("share of applicants interviewed")
        term = term + e["selectivity_slope"] * (sel - ctx.interviewed_logit_mean)
        state, region = p.state.value, p.region.value
        if state and state in profile.ties_states:
            term = term + e["in_state_ties"]
            reasons.append(Reason(f"Ties to {state}", EFFECTS_SOURCE, None, "+", 0.69))
        if (region and region in profile.preferred_regions) or (
            state and state in profile.preferred_states
        ):
            term = term + e["geographic_preference"]
            reasons.append(
                Reason(
                    f"In your preferred area ({state or region})", EFFECTS_SOURCE, None, "+", 0.34
                )
            )
        if self._rotated_at(profile, p):
            term = term + e["prior_rotation"]
            reasons.append(Reason("You rotated here (hands-on)", EFFECTS_SOURCE, None, "+", 0.69))
        if "Spanish" in profile.languages and state in SPANISH_STATES:
            term = term + e["spanish_in_hispanic_state"]
            reasons.append(Reason(f"Spanish speaker in {state}", EFFECTS_SOURCE, None, "+", 0.15))
        if setting == "university":
            items = min(profile.research_items, 10)
            term = term + e["research_item_university"] * (items - REFERENCE.research_items)
        if setting is None:
            unknowns.append("program setting")
        return term, reasons, unknowns

    def _unknown_noise(self, program_id: str, what: str) -> FloatArray:
        """Standard-normal draws for an unknown program fact (0 at draw 0), stable per program.

        An unknown fact is filled with its setting's average for the point estimate; the draws
        spread it like the known programs of the specialty, so the interval carries the gap.
        """
        seed = zlib.crc32(f"{program_id}/{what}".encode())
        noise = np.random.default_rng([self.random_state, seed]).standard_normal(self.n_draws + 1)
        noise[0] = 0.0
        return noise

    @staticmethod
    def _rotated_at(profile: ApplicantProfile, p: Program) -> bool:
        names = [n.casefold() for n in (p.name, p.institution.value or "") if n]
        for entry in profile.usce:
            if entry.kind != "hands_on":
                continue
            if entry.program_id and entry.program_id in (p.id, p.acgme_code):
                return True
            inst = (entry.institution or "").casefold().strip()
            if len(inst) >= 6 and any(inst in n for n in names):
                return True
        return False

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
        interview_ci = _intervals(p_int, self.level)
        match_ci = _intervals(p_match, self.level)
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
