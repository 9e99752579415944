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
applicant needs (1 without one). A missing Step 2 CK is taken as the passing score in force
(`rules.certification.assumed_step2ck`) at the point, and that many points plus a draw of
`unknown_score_shift` (0 or more) in the interval: hiding a low score never raises a chance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.assumptions import CONNECTION_CAP
from smartpick.core.chances.connections import connections_at, named_connections
from smartpick.core.chances.draw_kernels import (
    applicant_eta,
    applicant_eta_by_program,
    drawn_interview,
    point_interview,
)
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.effects import REFERENCE
from smartpick.core.chances.matrix import distinct
from smartpick.core.chances.population import Z_NODES
from smartpick.core.chances.specialty_arrays import (
    ProgramMajor,
    connection_shares,
    pool_geography,
    program_columns,
    program_major,
    transposed,
    university_programs,
    zero_signal_levels,
)
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.certification import assumed_step2ck

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
CONNECTION_KINDS = ("rotation", "alumni", "faculty", "other")


def failed_flags(profile: ApplicantProfile) -> tuple[float, float]:
    """(ever failed Step 1, ever failed Step 2 CK or Step 3) as 0/1, by the one failed-attempt
    rule (`rules.usmle.failed_attempts`, through the profile)."""
    f1 = profile.failed_attempts_at("step1") > 0
    f2 = profile.failed_attempts_at("step2ck") + profile.failed_attempts_at("step3") > 0
    return float(f1), float(f2)


def geo_levels(
    profile: ApplicantProfile, states: NDArray[np.str_], regions: NDArray[np.str_]
) -> IntArray:
    """Per program: 0 no stated preference, 1 in the preferred area (aligned), 2 outside it."""
    if not profile.preferred_regions and not profile.preferred_states:
        return np.zeros(states.size, dtype=np.int64)
    inside = np.isin(regions, profile.preferred_regions) | np.isin(states, profile.preferred_states)
    return np.where(inside, 1, 2).astype(np.int64)


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
        # the bounds as np.clip's, on a Python number (numpy's call on one value costs more)
        gain = float(min(max((profile.step3 - ref.step3_reference) / 10.0, 0.0), 3.0))
        t = t + e["step3_passed"] + e["step3_per_10_points"] * gain
    if isinstance(profile.step1, int):
        t = t + e["step1_per_10_points"] * float(
            min(max((profile.step1 - ref.step1_numeric) / 10.0, -3.0), 3.0)
        )
    research = e["research_item_university"] * (
        min(profile.research_items, 10) - ref.research_items
    )
    return d.lam * t, (d.lam * research)[:, None]


def visa_factor(
    profile: ApplicantProfile,
    d: Draws,
    idx: IntArray,
    rows: slice = slice(None),
    tables: ProgramMajor | None = None,
) -> FloatArray:
    """(draws, n) P(the program considers the applicant's visa), with the visa facts' draws
    (`rows` of them); read from `tables` (the same values laid out by program) where given."""
    shape = (len(range(*rows.indices(len(d.params)))), idx.size)
    if profile.visa == "none":
        return np.ones(shape)

    def considered(visa: str) -> FloatArray:
        if tables is None:
            return np.asarray(d.visa[visa][rows][:, idx])
        return transposed(tables.visa[visa][idx, rows])

    j1 = considered("j1")
    h1b = considered("h1b") if profile.step3_passed else np.zeros(shape)
    if profile.visa == "j1":
        return j1
    if profile.visa == "h1b":
        return h1b
    return np.asarray(1.0 - (1.0 - j1) * (1.0 - h1b))


class ApplicantTerms:
    """The applicant's terms at the selected programs of one specialty, (draws, programs) each:
    draw 0 for every program at once, the draws 1..D for a program the first time it is asked
    for. Each value depends only on its own draw and program (the same operations, in the same
    order, as computing every draw of every program at once), so the numbers do not depend on
    what was asked first."""

    def __init__(
        self,
        profile: ApplicantProfile,
        d: Draws,
        idx: IntArray,
        failed: tuple[float, float] | None = None,
    ) -> None:
        self.profile, self.d, self.idx, self.kind = profile, d, idx, profile.applicant_type
        d1 = len(d.params)
        self.d1 = d1
        ref = d.reference
        f1, f2 = failed or failed_flags(profile)
        self.fail_terms = (
            f1 - ref.type_mix["step1_failed"][self.kind][1],
            f2 - ref.type_mix["step2ck_failed"][self.kind][1],
        )
        self.home_mix = ref.type_mix["home_state"][self.kind][1]
        self.pool_geo, self.pool_columns = pool_geography(d, self.kind, idx)
        cols = program_columns(d)
        states, regions = cols["state"][idx], cols["region"][idx]
        self.level = geo_levels(profile, states, regions)
        self.in_state = (
            np.isin(states, profile.ties_states).astype(np.float64)
            if profile.ties_states
            else np.zeros(idx.size)
        )
        self.university = university_programs(d)[idx]
        self.connections: list[str | None] = [None] * idx.size
        if named_connections(profile):  # else no pass over the program objects
            self.connections = connections_at(profile, d, idx)
        self.connected = any(self.connections)
        # per program: 0 no connection, 1 a rotation, 2 another kind (its share, per draw)
        self.connection = np.zeros(idx.size, dtype=np.int64)
        if self.connected:
            self.connection[:] = [
                0 if not c else 1 if c == "rotation" else 2 for c in self.connections
            ]
        self.shares = connection_shares(d)
        self.assumed, self.research = assumed_effects(profile, d.base.specialty, d)
        if profile.step2ck is not None:
            self.score_by_draw = np.full(d1, profile.step2ck - 240.0)  # s - 240 per draw
        else:
            shift = np.array([a.unknown_score_shift for a in d.assumptions[:d1]])
            self.score_by_draw = assumed_step2ck(profile) + shift - 240.0
        first = slice(0, 1)
        eta, spread, visa = self.compute(first, np.arange(idx.size))
        self.point = (eta[0], spread[0], visa[0])
        self.gamma_point = d.gamma[0, idx]
        self._drawn: tuple[FloatArray, FloatArray] | None = None  # eta and visa, every draw
        self._have = np.zeros(idx.size, dtype=bool)
        self._point_base: FloatArray | None = None  # eta + spread z at the point, (n, K)
        self._point_plain: FloatArray | None = None  # the point without a signal, (1, n, K)

    @property
    def size(self) -> int:
        """Number of programs."""
        return int(self.idx.size)

    def compute(self, rows: slice, at: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(eta, spread, visa) for the draws `rows` at the programs `at` (local positions)."""
        d, j = self.d, self.idx[at]
        first, stop, step = rows.indices(self.d1)
        if step != 1:
            raise ValueError("compute reads consecutive draws")
        eta = np.empty((max(stop - first, 0), j.size))
        tables = self.by_program() if first > 0 else None  # bootstrap draws: by program
        if tables is None:
            kernel, alpha, beta = applicant_eta, d.alpha(self.kind), d.beta
            fail, geo, home, pool = d.fail, d.geo, d.home, self.pool_geo
        else:
            kernel, alpha, beta = applicant_eta_by_program, tables.alpha, tables.beta
            fail, geo, home, pool = tables.fail, tables.geo, tables.home, tables.pool
        kernel(
            alpha,
            beta,
            self.score_by_draw,
            fail,
            self.fail_terms,
            geo,
            self.level[at],
            pool,
            self.pool_columns[at],
            home,
            self.in_state[at] - self.home_mix,
            self.connected,
            self.connection[at],
            self.shares,
            CONNECTION_CAP,
            self.assumed,
            self.research[:, 0],
            self.university[at],
            j,
            first,
            eta,
        )
        sigma_r = d.sigma_r[rows][:, None]
        spread = np.broadcast_to(sigma_r, eta.shape)
        return eta, spread, visa_factor(self.profile, d, j, rows, tables)

    def by_program(self) -> ProgramMajor | None:
        """The specialty's arrays laid out by program, for the bootstrap draws (`program_major`),
        or None for a single program, whose pool term is its own (`pool_geography`)."""
        if self.idx.size == 1:
            return None
        return program_major(self.d, self.kind, self.pool_geo)

    def terms(self, at: IntArray, draws: slice) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(eta, spread, visa) at the programs `at` for `draws`, each (len(draws), len(at))."""
        if draws == slice(0, 1):
            return self.point[0][None, at], self.point[1][None, at], self.point[2][None, at]
        eta, visa = self._computed(at)
        # the spread beyond the point is the draw's sigma_r at every program (`compute`)
        spread = np.empty((self.d1, at.size))
        spread[0] = self.point[1][at]
        spread[1:] = self.d.sigma_r[1:, None]
        return eta[draws][:, at], spread[draws], visa[draws][:, at]

    def _computed(self, at: IntArray) -> tuple[FloatArray, FloatArray]:
        """(eta, visa) of every draw, (D1, programs), computed at the programs `at`."""
        if self._drawn is None:
            shape = (self.d1, self.size)
            self._drawn = (np.empty(shape), np.empty(shape))
            self._drawn[0][0], self._drawn[1][0] = self.point[0], self.point[2]
        missing = distinct(at[~self._have[at]], self._have.size)
        if missing.size and self.d1 > 1:
            eta, _, visa = self.compute(slice(1, self.d1), missing)
            self._drawn[0][1:, missing], self._drawn[1][1:, missing] = eta, visa
            self._have[missing] = True
        return self._drawn

    def gamma(self, level: int, at: IntArray, draws: slice) -> FloatArray:
        """The programs' signal effect at `level`, (len(draws), len(at))."""
        if draws == slice(0, 1):
            return self.gamma_point[None, at, level]
        return self.d.gamma[draws][:, self.idx[at], level]

    def interview(
        self, level: int, at: IntArray, draws: slice, out: FloatArray | None = None
    ) -> FloatArray:
        """P(interview | u) = V expit(eta + spread z + gamma[level]) at the programs `at`,
        (len(draws), len(at), K); written into `out` where given (and returned)."""
        # a level without signal effects adds 0 (expit(x + 0) is expit(x), even at x = -0.0)
        signal = not zero_signal_levels(self.d)[level]
        if draws == slice(0, 1):  # eta + spread z is shared by the signal levels
            if self._point_base is None:
                self._point_base = self.point[1][:, None] * Z_NODES + self.point[0][:, None]
            if not signal and sum(zero_signal_levels(self.d)) > 1:
                return self._point_unsignalled(self._point_base, at, out)
            gamma = self.gamma_point[:, level] if signal else None
            return point_interview(self._point_base, gamma, self.point[2], at, out)
        # beyond the point the spread is the draw's sigma_r at every program: one compiled pass,
        # reading the programs' terms where they are kept
        eta, visa = self._computed(at)
        d = self.d
        signal_at = (d.gamma, self.idx[at], level) if signal else None
        return drawn_interview(eta, visa, at, draws, d.sigma_r, Z_NODES, signal_at, out)

    def _point_unsignalled(
        self, base: FloatArray, at: IntArray, out: FloatArray | None
    ) -> FloatArray:
        """The point estimate at a level without signal effects: the same at every such level
        (a specialty with one kind of signal has two), so computed once for every program and
        gathered (into `out` where given)."""
        if self._point_plain is None:
            every = np.arange(self.size)
            self._point_plain = point_interview(base, None, self.point[2], every)
        found = self._point_plain[:, at]
        if out is None:
            return found
        out[...] = found
        return out

    def list_parts(
        self, at: IntArray, levels: IntArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(x, visa, conversion) at the programs `at` with their signal `levels` for the draws
        1..D, each (D, len(at)): x is eta plus the level's signal effect, added as
        `drawn_interview` adds them (not kept: a priced list reads its draws once)."""
        eta, _, visa = self.compute(slice(1, self.d1), at)
        j = self.idx[at]
        tables = self.by_program()  # as `compute` read the draws (the same values)
        if tables is None:
            return eta + self.d.gamma[1:, j, levels], visa, self.d.conversion[1:, j]
        eta += transposed(tables.gamma[j, levels, 1:])  # x + g is g + x, bit for bit
        return eta, visa, transposed(tables.conversion[j, 1:])

    def conversion(self, at: IntArray, draws: slice) -> FloatArray:
        """P(match | interview), the same at every node, (len(draws), len(at), K)."""
        c = self.d.conversion[draws][:, self.idx[at]]
        return np.broadcast_to(c[:, :, None], (*c.shape, Z_NODES.size))


def applicant_terms(
    profile: ApplicantProfile,
    d: Draws,
    idx: IntArray,
    failed: tuple[float, float] | None = None,
) -> ApplicantTerms:
    """The applicant's terms at the programs `idx` of the specialty behind `d` (`failed`: the
    profile's `failed_flags`, when known)."""
    return ApplicantTerms(profile, d, idx, failed)
