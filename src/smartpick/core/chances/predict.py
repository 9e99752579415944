"""One applicant's chances at a set of programs: eligibility, the chance matrix and the rows.

The program side of each specialty comes from the model's per-process cache (`ChanceModel.context`);
the applicant's terms are vector operations over draws and programs (`terms`). Eligibility applies
the hard rules of `rules.eligibility`, once per distinct set of the facts those rules read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from smartpick.core.chances import reasons as why
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.evidence import type_rate
from smartpick.core.chances.matrix import ChanceMatrix, intervals
from smartpick.core.chances.population import Z_NODES, Z_WEIGHTS
from smartpick.core.chances.results import ExcludedProgram, Prediction, ProgramChance
from smartpick.core.chances.terms import applicant_terms, failed_flags
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Eligibility, Reason, check
from smartpick.core.rules.visas import MIN_KNOWN_FOR_RATE, VISA_BASE_RATE

if TYPE_CHECKING:
    from smartpick.core.chances.estimator import ChanceModel

FloatArray = NDArray[np.float64]
# Program facts the hard rules read: programs that share them share their eligibility.
_RULE_FACTS = (
    "visa_j1",
    "visa_h1b",
    "eras",
    "nrmp",
    "accepting_applications",
    "setting",
    "min_step1",
    "min_step2ck",
    "max_years_since_graduation",
    "usce_required",
)


def _visa_rates(d: Draws) -> dict[str, float]:
    out = {}
    for kind, (yes, known) in d.base.visa_counts.items():
        out[kind] = yes / known if known >= MIN_KNOWN_FOR_RATE else VISA_BASE_RATE[kind]
    return out


def _rule_groups(d: Draws) -> dict[tuple[Any, ...], list[int]]:
    """The specialty's programs grouped by the facts the hard rules read (built once)."""
    groups = d.memo.get("rule_groups")
    if groups is None:
        groups = {}
        for i, p in enumerate(d.base.programs):
            facts = tuple(
                (f.value, f.source, f.year) for f in (getattr(p, name) for name in _RULE_FACTS)
            )
            groups.setdefault(facts, []).append(i)
        d.memo["rule_groups"] = groups
    return groups


def _eligibility(
    profile: ApplicantProfile, d: Draws, positions: Sequence[int]
) -> list[Eligibility]:
    """`rules.eligibility.check` at the given programs, computed once per group of programs
    that share the facts the rules read."""
    rates = _visa_rates(d)
    by_position: dict[int, Eligibility] = {}
    wanted = set(positions)
    for members in _rule_groups(d).values():
        hit = [i for i in members if i in wanted]
        if hit:
            result = check(profile, d.base.programs[hit[0]], rates)
            by_position.update((i, result) for i in hit)
    return [by_position[i] for i in positions]


def _positions(d: Draws, programs: Sequence[Program]) -> list[int] | None:
    index = d.memo.get("index")
    if index is None:
        index = d.memo["index"] = {p.id: i for i, p in enumerate(d.base.programs)}
    out = []
    for p in programs:
        i = index.get(p.id)
        if i is None or d.base.programs[i] is not p:
            return None
        out.append(i)
    return out


def predict_programs(
    model: ChanceModel,
    profile: ApplicantProfile,
    programs: Sequence[Program],
    contexts: Mapping[str, Draws],
) -> Prediction:
    """Probabilities for every program (several specialties share one latent z)."""
    d1 = model.n_draws + 1
    k = Z_NODES.size
    order: list[int] = []  # input position of each kept program
    kept: list[Program] = []
    excluded: list[tuple[int, ExcludedProgram]] = []
    blocks: list[tuple[FloatArray, ...]] = []
    rows: list[ProgramChance] = []
    notes: list[str] = []
    failed = failed_flags(profile)
    specialties = list(dict.fromkeys(p.specialty for p in programs))
    for specialty in specialties:
        where = [i for i, p in enumerate(programs) if p.specialty == specialty]
        given = [programs[i] for i in where]
        d = contexts.get(specialty)
        positions = _positions(d, given) if d is not None else None
        if d is None or positions is None:
            d = model.context(specialty, given)
            positions = list(range(len(given)))
        elig = _eligibility(profile, d, positions)
        ok = [j for j, e in enumerate(elig) if e.eligible]
        for j, e in enumerate(elig):
            if not e.eligible:
                reasons = tuple(str(r) for r in e.exclusions)
                excluded.append((where[j], ExcludedProgram(given[j], reasons, e.exclusions)))
        if not ok:
            continue
        idx = np.array([positions[j] for j in ok], dtype=np.int64)
        t = applicant_terms(profile, d, idx)
        eta = t.eta[:, :, None] + t.spread[:, :, None] * Z_NODES[None, None, :]
        levels = tuple(
            np.asarray(t.visa[:, :, None] * expit(eta + t.gamma[:, :, lv, None]), dtype=np.float64)
            for lv in range(3)
        )
        conversion = np.broadcast_to(t.conversion[:, :, None], (d1, idx.size, k))
        blocks.append((*levels, conversion))
        rows.extend(
            _rows(
                model,
                profile,
                d,
                [given[j] for j in ok],
                idx,
                levels,
                conversion,
                [elig[j] for j in ok],
                t.connections,
                failed,
            )
        )
        kept.extend(given[j] for j in ok)
        order.extend(where[j] for j in ok)
    perm = np.argsort(np.array(order, dtype=np.int64), kind="stable")
    if len(blocks) == 1 and np.array_equal(perm, np.arange(perm.size)):
        arrays = list(blocks[0])  # one specialty in catalog order: no (draws x programs) copies
    elif blocks:
        arrays = [np.concatenate([b[i] for b in blocks], axis=1)[:, perm, :] for i in range(4)]
    else:
        empty = np.zeros((d1, 0, k))
        arrays = [empty, empty, empty, empty]
    kept = [kept[i] for i in perm]
    rows = [rows[i] for i in perm]
    chances = ChanceMatrix(
        tuple(p.id for p in kept),
        Z_WEIGHTS.copy(),
        (arrays[0], arrays[1], arrays[2]),
        np.ascontiguousarray(arrays[3]),
    )
    if profile.step2ck is None:
        notes.append(
            "Step 2 CK not given: each chance averages over the scores applicants like you have "
            "(a missing score is taken as below the specialty's average), and the ranges span "
            "them. Add your score for a sharper answer."
        )
    if profile.applicant_type in ("us_md", "us_do"):
        notes.append(
            "The model is calibrated on non-US IMGs; figures for US MD/DO applicants are rough "
            "(each program's own 2026 US MD/DO interview rate is used where it publishes one)."
        )
    elif profile.applicant_type == "us_img":
        notes.append(
            "US-citizen IMG: each program's own 2026 US IMG interview rate is used where it "
            "publishes one; elsewhere the non-US IMG rate moved by the difference measured at "
            "the programs that publish both."
        )
    ex = [e for _, e in sorted(excluded, key=lambda x: x[0])]
    return Prediction(chances, tuple(kept), tuple(rows), tuple(ex), tuple(notes))


def _explain(
    p: Program,
    profile: ApplicantProfile,
    pooled: float,
    failed: tuple[float, float],
    layered: bool,
    elig: Eligibility,
    connection: str | None,
    applicant: Sequence[Reason],
) -> tuple[tuple[str, ...], tuple[Reason, ...]]:
    """A row's reasons: the program's 2026 evidence first, then visa facts, a connection and the
    older proxies; then the applicant's own."""
    evidence = why.evidence_reasons(p, profile, pooled, failed) if layered else []
    program: list[Reason] = evidence or [why.no_evidence_reason(p, layered)]
    program += list(elig.soft_reasons)
    if connection:
        program.append(why.connection_reason(connection))
    program += why.older_proxies(p, profile.applicant_type)
    top = why.top_reasons(program, applicant)
    return tuple(str(r) for r in top), (*program, *applicant)


def _rows(
    model: ChanceModel,
    profile: ApplicantProfile,
    d: Draws,
    programs: Sequence[Program],
    idx: NDArray[np.int64],
    levels: tuple[FloatArray, ...],
    conversion: FloatArray,
    elig: Sequence[Eligibility],
    connections: Sequence[str | None],
    failed: tuple[float, float],
) -> list[ProgramChance]:
    w = Z_WEIGHTS
    p_int = levels[0] @ w
    p_match = (levels[0] * conversion) @ w
    silver, gold = levels[1][0] @ w, levels[2][0] @ w
    interview_ci = intervals(p_int, model.level)
    match_ci = intervals(p_match, model.level)
    b = d.base
    pooled = model.pooled_rate(b.charting)
    layered = b.layer is not None
    applicant = [
        model.score_reason(profile, b.specialty),
        *why.applicant_reasons(
            profile, b.specialty, {k: float(v[0]) for k, v in d.effects.items()}, float(d.lam[0])
        ),
    ]
    if any(failed):
        typical = float(np.median(d.fail[0, :, 0] * failed[0] + d.fail[0, :, 1] * failed[1]))
        applicant.append(why.failed_reason(profile, b.specialty, typical, layered))
    rows = []
    for j, p in enumerate(programs):
        unknowns = list(elig[j].unknowns)
        if not layered or type_rate(p.interview_evidence, profile.applicant_type) is None:
            unknowns.append("2026 interview figures")
        if p.setting.value is None:
            unknowns.append("program setting")
        n_unknown = len(unknowns)
        rows.append(
            ProgramChance(
                program=p,
                p_interview=interview_ci[j],
                p_match=match_ci[j],
                p_interview_signal={
                    "none": float(p_int[0, j]),
                    "silver": float(silver[j]),
                    "gold": float(gold[j]),
                },
                confidence="high" if n_unknown == 0 else "medium" if n_unknown == 1 else "low",
                unknowns=tuple(unknowns),
                explain=partial(
                    _explain,
                    p,
                    profile,
                    pooled,
                    failed,
                    layered,
                    elig[j],
                    connections[j],
                    applicant,
                ),
            )
        )
    return rows
