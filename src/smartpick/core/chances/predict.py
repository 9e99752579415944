"""One applicant's chances at a set of programs: eligibility, the chance matrix and the rows.

The program side of each specialty comes from the model's per-process cache (`ChanceModel.context`);
the applicant's terms are vector operations over draws and programs (`terms`). Eligibility applies
the hard rules of `rules.eligibility`, once per distinct set of the facts those rules read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.draws import Draws
from smartpick.core.chances.matrix import ChanceMatrix
from smartpick.core.chances.population import Z_NODES, Z_WEIGHTS
from smartpick.core.chances.results import ExcludedPrograms, Prediction
from smartpick.core.chances.rows import ChanceRows, RowSpecs, SpecialtyRows
from smartpick.core.chances.terms import (
    ApplicantTerms,
    applicant_terms,
    failed_flags,
    program_columns,
)
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import Eligibility, RuleFacts, check, rule_key
from smartpick.core.rules.visas import MIN_KNOWN_FOR_RATE, VISA_BASE_RATE

if TYPE_CHECKING:
    from smartpick.core.chances.estimator import ChanceModel

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _visa_rates(d: Draws) -> dict[str, float]:
    out = {}
    for kind, (yes, known) in d.base.visa_counts.items():
        out[kind] = yes / known if known >= MIN_KNOWN_FOR_RATE else VISA_BASE_RATE[kind]
    return out


def _rule_groups(d: Draws, visa: str) -> tuple[IntArray, list[Program]]:
    """Each program's group of programs that share what the hard rules read for an applicant
    who needs `visa`, and one program of each group (built once per specialty and visa)."""
    key = f"rule_groups {visa}"
    groups = d.memo.get(key)
    if groups is None:
        number: dict[tuple[object, ...], int] = {}
        first: list[Program] = []
        group = np.zeros(d.size, dtype=np.int64)
        for i, p in enumerate(d.base.programs):
            facts = rule_key(p, visa)
            if facts not in number:
                number[facts] = len(first)
                first.append(p)
            group[i] = number[facts]
        groups = d.memo[key] = (group, first)
    return groups


def _eligibility(profile: ApplicantProfile, d: Draws, positions: IntArray) -> list[Eligibility]:
    """`rules.eligibility.check` at the given programs, computed once per group of programs
    that share what the rules read."""
    rates = _visa_rates(d)
    group, first = _rule_groups(d, profile.visa)
    at = group[positions].tolist()
    facts = RuleFacts.of(profile)  # what the rules read from the profile, once per call
    results = {g: check(profile, first[g], rates, facts=facts) for g in set(at)}
    return list(map(results.__getitem__, at))


def _positions(d: Draws, programs: Sequence[Program]) -> IntArray | None:
    """The programs' positions in the specialty's arrays (None: some are not the ones the
    program side was built from)."""
    key = tuple(map(id, programs))
    known = d.memo.get("positions")
    if known is not None and known[0] == key:
        return known[1]
    index = d.memo.get("index")
    if index is None:
        index = d.memo["index"] = {p.id: i for i, p in enumerate(d.base.programs)}
    out = []
    for p in programs:
        i = index.get(p.id)
        if i is None or d.base.programs[i] is not p:
            return None
        out.append(i)
    positions = np.array(out, dtype=np.int64)
    d.memo["positions"] = (key, positions)  # the ids are those of `d`'s own programs
    return positions


FACTS = ("id", "track", "specialty", "state", "region", "setting")  # `results.ProgramFacts`


def program_facts(d: Draws, positions: IntArray) -> dict[str, NDArray[np.str_]]:
    """The `FACTS` of the specialty's programs at `positions`, as arrays (from the columns the
    specialty's program side keeps)."""
    columns = program_columns(d)
    out = {name: columns[name][positions] for name in FACTS if name != "specialty"}
    return out | {"specialty": np.full(positions.size, d.base.specialty)}


class _Terms:
    """The applicant's terms at the eligible programs, one `ApplicantTerms` per specialty: the
    chance matrix's `DrawSource` (draw 0 for every program at once, other draws for the programs
    asked for). `block[i]` is the specialty of the matrix's program i, `local[i]` its position
    there."""

    def __init__(
        self, blocks: list[ApplicantTerms], block: IntArray, local: IntArray, d1: int
    ) -> None:
        self.blocks, self.block, self.local, self.d1 = blocks, block, local, d1

    def _route(
        self,
        idx: IntArray,
        draws: slice,
        part: Callable[[ApplicantTerms, IntArray, FloatArray | None], FloatArray],
        out: FloatArray | None = None,
    ) -> FloatArray:
        if len(self.blocks) == 1:
            return part(self.blocks[0], self.local[idx], out)
        if out is None:
            out = np.empty((len(range(*draws.indices(self.d1))), idx.size, Z_NODES.size))
        block = self.block[idx]
        for k, b in enumerate(self.blocks):
            at = np.flatnonzero(block == k)
            if at.size:
                out[:, at] = part(b, self.local[idx[at]], None)
        return out

    def interview(
        self, level: int, idx: IntArray, draws: slice, out: FloatArray | None = None
    ) -> FloatArray:
        """P(interview | u) at signal `level`, (draws, len(idx), K) (into `out` where given)."""
        return self._route(idx, draws, lambda b, at, o: b.interview(level, at, draws, o), out)

    def conversion(self, idx: IntArray, draws: slice) -> FloatArray:
        """P(match | interview), the same at every node, (draws, len(idx), K)."""
        return self._route(idx, draws, lambda b, at, _: b.conversion(at, draws))


def _of_specialty(
    programs: Sequence[Program], of: list[str], specialty: str, single: bool
) -> tuple[Sequence[int], Sequence[Program]]:
    """The input positions of the programs of `specialty` (`of`: each program's) and those
    programs. They are usually one run (`assess` lists a specialty's programs together): then a
    range and a slice, found by the list's own search and count instead of a loop."""
    if single:
        return range(len(of)), programs
    start, n = of.index(specialty), of.count(specialty)
    if of[start : start + n].count(specialty) == n:
        return range(start, start + n), programs[start : start + n]
    where = [i for i, s in enumerate(of) if s == specialty]
    return where, [programs[i] for i in where]


def _ascending(positions: list[int]) -> bool:
    """Whether the (distinct) positions are already in increasing order: then the stable sort
    back to the input's order changes nothing (a sort of a sorted list is one pass in C)."""
    return positions == sorted(positions)


def predict_programs(
    model: ChanceModel,
    profile: ApplicantProfile,
    programs: Sequence[Program],
    contexts: Mapping[str, Draws],
) -> Prediction:
    """Probabilities for every program (several specialties share one latent z)."""
    d1 = model.n_draws + 1
    order: list[int] = []  # input position of each kept program
    kept: list[Program] = []
    excluded: list[tuple[Program, Eligibility]] = []
    excluded_at: list[int] = []  # the input position of each
    facts: list[dict[str, NDArray[np.str_]]] = []
    blocks: list[ApplicantTerms] = []
    specs = RowSpecs()
    notes: list[str] = []
    failed = failed_flags(profile)
    of = [p.specialty for p in programs]
    single = len(set(of)) == 1
    for specialty in dict.fromkeys(of):
        where, given = _of_specialty(programs, of, specialty, single)
        d = contexts.get(specialty)
        positions = _positions(d, given) if d is not None else None
        if d is None or positions is None:
            d = model.context(specialty, given)
            positions = np.arange(len(given), dtype=np.int64)
        elig = _eligibility(profile, d, positions)
        ok = [j for j, e in enumerate(elig) if e.eligible]
        if len(ok) < len(elig):
            bad = [j for j, e in enumerate(elig) if not e.eligible]
            excluded_at += [where[j] for j in bad]
            excluded += [(given[j], elig[j]) for j in bad]
        if not ok:
            continue
        t = applicant_terms(profile, d, positions[ok], failed)
        blocks.append(t)
        shared = SpecialtyRows(model, profile, d, failed)
        chosen = [given[j] for j in ok]
        specs.extend(chosen, [elig[j] for j in ok], t.connections, shared)
        kept.extend(chosen)
        order.extend(ok if single else [where[j] for j in ok])
        facts.append(program_facts(d, positions[ok]))
    empty = [np.zeros(0, dtype=np.int64)]
    block = np.concatenate([np.full(b.size, k) for k, b in enumerate(blocks)] or empty)
    local = np.concatenate([np.arange(b.size) for b in blocks] or empty)
    facts_of_kept = {
        name: np.concatenate([f[name] for f in facts]) if facts else np.array([], dtype=str)
        for name in FACTS
    }
    if len(blocks) > 1 and not _ascending(order):  # back to the order the programs were given in
        perm = np.argsort(np.array(order, dtype=np.int64), kind="stable")
        kept = [kept[i] for i in perm]
        specs = specs.reordered(perm.tolist())
        block, local = block[perm], local[perm]
        facts_of_kept = {name: column[perm] for name, column in facts_of_kept.items()}
    terms = _Terms(blocks, block, local, d1)
    chances = ChanceMatrix.on_demand(
        tuple(facts_of_kept["id"].tolist()), Z_WEIGHTS.copy(), terms, levels=3, n_draws=d1
    )
    rows = ChanceRows(chances, model.level, specs)
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
    if not _ascending(excluded_at):  # in the order the programs were given in
        excluded = [excluded[i] for i in np.argsort(excluded_at, kind="stable").tolist()]
    out = ExcludedPrograms([p for p, _ in excluded], [e for _, e in excluded])
    return Prediction(chances, tuple(kept), rows, out, tuple(notes), facts_of_kept)
