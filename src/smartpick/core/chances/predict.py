"""One applicant's chances at a set of programs: eligibility, the chance matrix and the rows.

The program side of each specialty comes from the model's per-process cache (`ChanceModel.context`);
the applicant's terms are vector operations over draws and programs (`terms`). Eligibility applies
the hard rules of `rules.eligibility`, once per distinct set of the facts those rules read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.draws import Draws
from smartpick.core.chances.matrix import ChanceMatrix, ListTerms
from smartpick.core.chances.population import Z_NODES, Z_WEIGHTS
from smartpick.core.chances.results import ExcludedPrograms, Prediction
from smartpick.core.chances.rows import ChanceRows, RowSpecs, SpecialtyRows
from smartpick.core.chances.specialty_arrays import program_columns
from smartpick.core.chances.terms import ApplicantTerms, applicant_terms, failed_flags
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.certification import missing_step2ck_words
from smartpick.core.rules.eligibility import Eligibility, RuleFacts, check, rule_key
from smartpick.core.rules.visas import MIN_KNOWN_FOR_RATE, VISA_BASE_RATE

if TYPE_CHECKING:
    from smartpick.core.chances.estimator import ChanceModel

T = TypeVar("T")
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _visa_rates(d: Draws) -> dict[str, float]:
    """The specialty's share of programs that consider each visa (built once per specialty)."""
    out: dict[str, float] | None = d.memo.get("visa_rates")
    if out is None:
        out = d.memo["visa_rates"] = {}
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


# The checks shared within one block of work (`shared_checks`), by the rule facts and the
# specialty's program side: {(facts, id(draws)): (draws, {group: verdict})}; None outside one.
_SHARED: ContextVar[dict[tuple[RuleFacts, int], tuple[Draws, dict[int, Eligibility]]] | None] = (
    ContextVar("shared_checks", default=None)
)


@contextmanager
def shared_checks() -> Iterator[None]:
    """Within this block, assessments of profiles whose rule facts are the same share their
    eligibility checks (the advisor assesses a dozen what-ifs of one profile, most with the
    same facts). What is shared lives until the block ends: nothing is kept across requests."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _eligibility(
    profile: ApplicantProfile, d: Draws, positions: IntArray
) -> tuple[list[Eligibility], NDArray[np.bool_]]:
    """`rules.eligibility.check` at the given programs, computed once per group of programs
    that share what the rules read (and once per block of `shared_checks`), and whether each is
    eligible."""
    rates = _visa_rates(d)
    group, first = _rule_groups(d, profile.visa)
    at = group[positions]
    facts = RuleFacts.of(profile)  # what the rules read from the profile, once per call
    seen = np.flatnonzero(np.bincount(at, minlength=len(first))).tolist()  # the groups present
    # a verdict depends on the facts, the program and the specialty's rates only; within
    # `shared_checks` the ones made already are reused (`d` kept: its id stays its own)
    shared = _SHARED.get()
    done = {} if shared is None else shared.setdefault((facts, id(d)), (d, {}))[1]
    results = []
    for g in seen:
        verdict = done.get(g)
        if verdict is None:
            verdict = done[g] = check(profile, first[g], rates, facts=facts)
        results.append(verdict)
    eligible = np.zeros(len(first), dtype=bool)
    eligible[seen] = [r.eligible for r in results]
    verdicts = np.empty(len(first), dtype=object)  # each program's verdict gathered in C
    for g, verdict in zip(seen, results, strict=True):
        verdicts[g] = verdict
    return verdicts[at].tolist(), eligible[at]


def _positions(d: Draws, programs: Sequence[Program]) -> IntArray | None:
    """The programs' positions in the specialty's arrays (None: some are not the ones the
    program side was built from)."""
    known = d.memo.get("positions")
    if known is not None and known[0] is programs and isinstance(programs, tuple):
        return known[2]  # the same (immutable) tuple as last time: no pass over its programs
    key = tuple(map(id, programs))
    if known is not None and known[1] == key:
        return known[2]
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
    d.memo["positions"] = (programs, key, positions)  # the ids are those of `d`'s own programs
    return positions


def _take(items: Sequence[T], positions: list[int]) -> list[T]:
    """`[items[i] for i in positions]`, gathered in C (a list has hundreds of programs)."""
    if len(positions) > 1:
        return list(itemgetter(*positions)(items))
    return [items[i] for i in positions]


def _program_ids(d: Draws) -> tuple[str, ...]:
    """The ids of the specialty's programs (kept with its program side)."""
    ids = d.memo.get("ids")
    if ids is None:
        ids = d.memo["ids"] = tuple(p.id for p in d.base.programs)
    return ids


FACTS = ("id", "track", "specialty", "state", "region", "setting")  # `results.ProgramFacts`


def program_facts(d: Draws, positions: IntArray) -> dict[str, NDArray[np.str_]]:
    """The `FACTS` of the specialty's programs at `positions`, as arrays (from the columns the
    specialty's program side keeps)."""
    columns = program_columns(d)
    return {
        name: np.full(positions.size, d.base.specialty)
        if name == "specialty"
        else columns[name][positions]
        for name in FACTS
    }


class _Terms:
    """The applicant's terms at the eligible programs, one `ApplicantTerms` per specialty: the
    chance matrix's `DrawSource` (draw 0 for every program at once, other draws for the programs
    asked for). `block[i]` is the specialty of the matrix's program i, `local[i]` its position
    there."""

    def __init__(
        self, blocks: list[ApplicantTerms], block: IntArray, local: IntArray, d1: int
    ) -> None:
        self.blocks, self.block, self.local, self.d1 = blocks, block, local, d1

    def _by_block(self, block: IntArray) -> Iterator[tuple[ApplicantTerms, IntArray]]:
        """Each specialty's terms with the positions in `block` (programs' specialties) that are
        its own, for the specialties present."""
        for k, b in enumerate(self.blocks):
            at = np.flatnonzero(block == k)
            if at.size:
                yield b, at

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
        for b, at in self._by_block(self.block[idx]):
            first, last = int(at[0]), int(at[-1])
            if last - first + 1 == at.size:  # one run (the usual order): written in place
                into = out[:, first : last + 1]
                found = part(b, self.local[idx[first : last + 1]], into)
                if found is not into:
                    into[...] = found
            else:
                out[:, at] = part(b, self.local[idx[at]], None)
        return out

    def interview(
        self, level: int, idx: IntArray, draws: slice, out: FloatArray | None = None
    ) -> FloatArray:
        """P(interview | u) at signal `level`, (draws, len(idx), K) (into `out` where given)."""
        return self._route(idx, draws, lambda b, at, o: b.interview(level, at, draws, o), out)

    def conversion(self, idx: IntArray, draws: slice) -> FloatArray:
        """P(match | interview), the same at every node, (draws, len(idx), K): a view that
        repeats one value per draw and program along the nodes (not K copies of it)."""
        if len(self.blocks) == 1:
            return self.blocks[0].conversion(self.local[idx], draws)
        values = np.empty((len(range(*draws.indices(self.d1))), idx.size))
        for b, at in self._by_block(self.block[idx]):
            values[:, at] = b.conversion(self.local[idx[at]], draws)[:, :, 0]
        return np.broadcast_to(values[:, :, None], (*values.shape, Z_NODES.size))

    def list_terms(self, idx: IntArray, levels: IntArray) -> ListTerms:
        """The `ListTerms` of the programs `idx` at signal `levels` (`ApplicantTerms.list_parts`
        of each specialty's programs, in idx's order)."""
        sigma = np.stack([b.d.sigma_r for b in self.blocks])
        if len(self.blocks) == 1:
            parts = self.blocks[0].list_parts(self.local[idx], levels)
            return ListTerms(*parts, np.zeros(idx.size, dtype=np.int64), sigma, Z_NODES)
        block = self.block[idx]
        x, visa, conversion = (np.empty((self.d1 - 1, idx.size)) for _ in range(3))
        for b, at in self._by_block(block):
            x[:, at], visa[:, at], conversion[:, at] = b.list_parts(self.local[idx[at]], levels[at])
        return ListTerms(x, visa, conversion, block, sigma, Z_NODES)


class SpecialtyRuns(Sequence[Program]):
    """Programs as consecutive runs of one specialty each, as `assess` lists them (each run the
    specialty's cached listing). `predict_programs` takes the runs as they are: finding each
    program's specialty is a pass over every program object, a cache miss each, which was a tenth
    of an assessment."""

    def __init__(self, runs: Sequence[tuple[str, tuple[Program, ...]]]) -> None:
        self.runs = tuple(runs)
        self._flat: tuple[Program, ...] | None = None

    def _programs(self) -> tuple[Program, ...]:
        if self._flat is None:
            self._flat = tuple(p for _, run in self.runs for p in run)
        return self._flat

    def __len__(self) -> int:
        return sum(len(run) for _, run in self.runs)

    def __getitem__(self, i: Any) -> Any:
        return self._programs()[i]


def _by_specialty(
    programs: Sequence[Program],
) -> list[tuple[str, Sequence[int], Sequence[Program]]]:
    """Per specialty, in order of first appearance: the input positions of its programs and
    those programs. They are usually one run (`assess` lists a specialty's programs together):
    then a range and a slice, found by the list's own search and count instead of a loop."""
    if isinstance(programs, SpecialtyRuns):
        out: list[tuple[str, Sequence[int], Sequence[Program]]] = []
        start = 0
        for specialty, run in programs.runs:
            out.append((specialty, range(start, start + len(run)), run))
            start += len(run)
        if len({s for s, _, _ in out}) == len(out):
            return out
        programs = programs[:]  # a specialty in two runs: found as in any other sequence
    of = [p.specialty for p in programs]
    if len(set(of)) == 1:
        return [(of[0], range(len(of)), programs)]
    out = []
    for specialty in dict.fromkeys(of):
        start, n = of.index(specialty), of.count(specialty)
        if of[start : start + n].count(specialty) == n:
            out.append((specialty, range(start, start + n), programs[start : start + n]))
        else:
            where = [i for i, s in enumerate(of) if s == specialty]
            out.append((specialty, where, [programs[i] for i in where]))
    return out


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
    ids: list[str] = []  # the kept programs' ids
    excluded: list[tuple[Program, Eligibility]] = []
    excluded_at: list[int] = []  # the input position of each
    facts: list[dict[str, NDArray[np.str_]]] = []
    blocks: list[ApplicantTerms] = []
    specs = RowSpecs()
    notes: list[str] = []
    failed = failed_flags(profile)
    parts = _by_specialty(programs)
    single = len(parts) == 1
    for specialty, where, given in parts:
        d = contexts.get(specialty)
        positions = _positions(d, given) if d is not None else None
        if d is None or positions is None:
            d = model.context(specialty, given)
            positions = np.arange(len(given), dtype=np.int64)
        elig, eligible = _eligibility(profile, d, positions)
        ok = np.flatnonzero(eligible).tolist()
        if len(ok) < len(elig):
            bad = np.flatnonzero(~eligible).tolist()
            excluded_at += [where[j] for j in bad]
            excluded += [(given[j], elig[j]) for j in bad]
        if not ok:
            continue
        t = applicant_terms(profile, d, positions[ok], failed)
        blocks.append(t)
        shared = SpecialtyRows(model, profile, d, failed)
        chosen = _take(given, ok)
        specs.extend(chosen, _take(elig, ok), t.connections, shared)
        kept.extend(chosen)
        ids.extend(_take(_program_ids(d), positions[ok].tolist()))
        order.extend(ok if single else _take(where, ok))
        facts.append(program_facts(d, positions[ok]))
    empty = [np.zeros(0, dtype=np.int64)]
    block = np.concatenate([np.full(b.size, k) for k, b in enumerate(blocks)] or empty)
    local = np.concatenate([np.arange(b.size) for b in blocks] or empty)
    facts_of_kept = (
        facts[0]  # one specialty's: made for this call (`program_facts`), nothing to join
        if len(facts) == 1
        else {
            name: np.concatenate([f[name] for f in facts]) if facts else np.array([], dtype=str)
            for name in FACTS
        }
    )
    if len(blocks) > 1 and not _ascending(order):  # back to the order the programs were given in
        perm = np.argsort(np.array(order, dtype=np.int64), kind="stable")
        kept = _take(kept, perm.tolist())
        ids = _take(ids, perm.tolist())
        specs = specs.reordered(perm.tolist())
        block, local = block[perm], local[perm]
        facts_of_kept = {name: column[perm] for name, column in facts_of_kept.items()}
    terms = _Terms(blocks, block, local, d1)
    chances = ChanceMatrix.on_demand(
        tuple(ids), Z_WEIGHTS.copy(), terms, levels=3, n_draws=d1, list_terms=terms.list_terms
    )
    rows = ChanceRows(chances, model.level, specs)
    if profile.step2ck is None:
        notes.append(missing_step2ck_words(profile) + ".")
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
