"""The HiGHS model behind `core.lists.bound`: tangent cuts, fee envelopes, exact fee tiers.

Columns: x (program, signal level) in [0, 1] (binary in the MILP), y_jk = sum a x per preference
layer j and quadrature node k, t_jk below the tangents of 1 - exp(-y) (objective sum w_k step_j
t_jk), and per fee group the pieces of the fee schedule's lower convex envelope. Rows: the y
definitions, one level per program (exactly one for must-include), the count, the signal
allowances, the budget, and the tangents. See `core.lists.bound` for why this bounds every list.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from smartpick.core.chances.matrix import SIGNAL_LEVELS
from smartpick.core.lists.curve import objective_value
from smartpick.core.lists.optimizer import _validate
from smartpick.core.lists.types import _M_CAP, FloatArray, ListProblem
from smartpick.errors import InvalidInput

# Tangent points of the first round: dense where 1 - exp(-y) bends most.
_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.5, 7.0, 11.0, 16.0)
_INF = highspy.kHighsInf


def _allowances(problem: ListProblem, levels: int) -> dict[tuple[str, int], int]:
    """(signal group, level) -> how many programs may get that level (the chain's reading)."""
    out: dict[tuple[str, int], int] = {}
    for name in {g for g in problem.signal_groups if g is not None}:
        gold, silver = problem.signal_allowances.get(name, (0, 0))
        for level, count in (("gold", gold), ("silver", silver)):
            s = SIGNAL_LEVELS.index(level)
            if s < levels and count > 0:
                out[(name, s)] = count
    return out


def _lower_envelope(cumulative: list[int]) -> list[tuple[int, float]]:
    """(length, slope) segments of the lower convex envelope of points (n, cumulative[n])."""
    hull: list[int] = []
    for n in range(len(cumulative)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies on or above the segment from a to n
            if (cumulative[b] - cumulative[a]) * (n - a) >= (cumulative[n] - cumulative[a]) * (
                b - a
            ):
                hull.pop()
            else:
                break
        hull.append(n)
    return [
        (b - a, (cumulative[b] - cumulative[a]) / (b - a))
        for a, b in zip(hull, hull[1:], strict=False)
    ]


def _runs(marginal: list[int]) -> list[tuple[int, int]]:
    """(width, fee) runs of equal consecutive marginal fees."""
    runs: list[tuple[int, int]] = []
    for fee in marginal:
        if runs and runs[-1][1] == fee:
            runs[-1] = (runs[-1][0] + 1, fee)
        else:
            runs.append((1, fee))
    return runs


@dataclass(frozen=True)
class _GroupFees:
    """One fee group (specialty) in the model: its x columns, fee schedule and envelope pieces."""

    columns: list[int]
    marginal: list[int]
    piece_columns: list[int]
    slopes: list[float]

    @property
    def convex(self) -> bool:
        """Marginal fees never fall (2025-2026): the envelope is exact."""
        return all(b >= a for a, b in zip(self.marginal, self.marginal[1:], strict=False))


class TangentModel:
    """The bound's model for one list problem; `empty` when no list can score above 0."""

    def __init__(self, problem: ListProblem) -> None:
        _validate(problem)
        self.problem = problem
        cm = problem.chances
        n, levels = problem.size, cm.levels
        values = np.ones(n) if problem.values is None else np.asarray(problem.values, float)
        must = set(problem.must_include)
        allowed = set(range(n) if problem.candidates is None else problem.candidates)
        allowed = (allowed - set(problem.excluded)) | must
        transcript = problem.fee_schedule.transcript_fee_usd
        self.program_budget = (
            None if problem.budget_usd is None else problem.budget_usd - transcript
        )
        if self.program_budget is not None and self.program_budget < 0 and must:
            raise InvalidInput(
                "budget_usd: the must-include programs exceed it", field="budget_usd"
            )
        positive = values[sorted(allowed)] > 0
        self.empty = (
            not positive.any() or self.program_budget is not None and self.program_budget < 0
        )
        if self.empty:
            return
        allowance = _allowances(problem, levels)
        pairs = [
            (i, s)
            for i in sorted(allowed)
            for s in range(levels)
            if s == 0 or (problem.signal_groups and (problem.signal_groups[i], s) in allowance)
        ]
        self.pair_program = np.array([i for i, _ in pairs], dtype=np.int64)
        self.pair_level = np.array([s for _, s in pairs], dtype=np.int64)
        conv = cm.point_conversion
        m = np.stack(
            [np.minimum(cm.point_interview[s][i] * conv[i], _M_CAP) for i, s in pairs]
        )  # (pairs, K)
        self.a = -np.log1p(-m)
        self.weights = np.asarray(cm.weights, float)
        distinct = np.unique(values[values > 0])[::-1]  # v(1) > ... > v(J)
        self.steps = distinct - np.append(distinct[1:], 0.0)  # v(j) - v(j+1)
        self.layer_of = values[self.pair_program][:, None] >= distinct[None, :]  # (pairs, J)
        self._build(allowance, must)
        self.cuts = 0
        self.rounds = 0
        cells = self.layers * self.nodes
        self.add_cuts(np.tile(np.arange(cells), len(_GRID)), np.repeat(np.array(_GRID), cells))

    # --- construction --------------------------------------------------------------------------
    def _build(self, allowance: dict[tuple[str, int], int], must: set[int]) -> None:
        problem = self.problem
        P, K, J = len(self.pair_program), self.weights.size, self.steps.size
        self.nodes, self.layers = K, J
        cols_lo: list[float] = [0.0] * P
        cols_hi: list[float] = [1.0] * P
        cost: list[float] = [0.0] * P
        # y (J*K) then t (J*K): t_jk is at most 1 and below every tangent
        self.y0 = P
        self.t0 = P + J * K
        cols_lo += [0.0] * (J * K) + [-_INF] * (J * K)
        cols_hi += [_INF] * (J * K) + [1.0] * (J * K)
        cost += [0.0] * (J * K) + [
            float(self.weights[k] * self.steps[j]) for j in range(J) for k in range(K)
        ]
        rows: list[tuple[list[int], list[float], float, float]] = []
        for j in range(J):  # y_jk = sum a x over the layer
            members = np.flatnonzero(self.layer_of[:, j])
            for k in range(K):
                rows.append(
                    (
                        [self.y0 + j * K + k, *members.tolist()],
                        [1.0, *(-self.a[members, k]).tolist()],
                        0.0,
                        0.0,
                    )
                )
        by_program: dict[int, list[int]] = {}
        for c, i in enumerate(self.pair_program.tolist()):
            by_program.setdefault(i, []).append(c)
        for i, columns in by_program.items():  # one level per program; must-include: exactly one
            rows.append((columns, [1.0] * len(columns), 1.0 if i in must else 0.0, 1.0))
        if problem.max_programs is not None:
            rows.append((list(range(P)), [1.0] * P, 0.0, float(problem.max_programs)))
        for (signal_group, s), count in allowance.items():
            columns = [
                c
                for c in range(P)
                if self.pair_level[c] == s
                and problem.signal_groups[int(self.pair_program[c])] == signal_group
            ]
            rows.append((columns, [1.0] * len(columns), 0.0, float(count)))
        self.fees: list[_GroupFees] = []
        if self.program_budget is not None:
            groups: dict[str, list[int]] = {}
            for c, i in enumerate(self.pair_program.tolist()):
                groups.setdefault(problem.fee_groups[i], []).append(c)
            for columns in groups.values():
                count = len({int(self.pair_program[c]) for c in columns})
                marginal = [problem.fee_schedule.marginal_fee_usd(k) for k in range(count)]
                pieces = _lower_envelope([0, *np.cumsum(marginal).tolist()])
                first = len(cols_lo)
                for length, _ in pieces:
                    cols_lo.append(0.0)
                    cols_hi.append(float(length))
                    cost.append(0.0)
                group = _GroupFees(
                    columns=columns,
                    marginal=marginal,
                    piece_columns=list(range(first, len(cols_lo))),
                    slopes=[slope for _, slope in pieces],
                )
                self.fees.append(group)
                # the pieces add up to the number of programs of the group
                k = len(group.piece_columns)
                rows.append(
                    (group.piece_columns + columns, [1.0] * k + [-1.0] * len(columns), 0.0, 0.0)
                )
            rows.append(
                (
                    [c for g in self.fees for c in g.piece_columns],
                    [v for g in self.fees for v in g.slopes],
                    -_INF,
                    float(self.program_budget),
                )
            )
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_ = len(cols_lo)
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.array(cost)
        lp.col_lower_ = np.array(cols_lo)
        lp.col_upper_ = np.array(cols_hi)
        lp.row_lower_ = np.array([r[2] for r in rows])
        lp.row_upper_ = np.array([r[3] for r in rows])
        matrix = _csr(rows, lp.num_col_)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.sense_ = highspy.ObjSense.kMaximize
        self.highs.passModel(lp)

    def add_cuts(self, cells: NDArray[np.int64], points: FloatArray) -> int:
        """Tangents of 1 - exp(-y) at `points`, one per (layer, node) cell:
        t - e^-p y <= 1 - e^-p (1 + p)."""
        count = len(cells)
        if not count:
            return 0
        slope = np.exp(-points)
        index = np.stack([self.t0 + cells, self.y0 + cells], axis=-1).reshape(-1)
        value = np.stack([np.ones_like(slope), -slope], axis=-1).reshape(-1)
        self.highs.addRows(
            count,
            np.full(count, -_INF),
            1.0 - slope * (1.0 + points),
            2 * count,
            (np.arange(count) * 2).astype(np.int32),
            index.astype(np.int32),
            value,
        )
        self.cuts += count
        return count

    # --- solving -------------------------------------------------------------------------------
    def _solution(self) -> tuple[FloatArray, FloatArray]:
        values = np.asarray(self.highs.getSolution().col_value)
        n = self.layers * self.nodes
        return values[self.y0 : self.y0 + n], values[self.t0 : self.t0 + n]

    def _concave(self, y: FloatArray) -> float:
        per = (1.0 - np.exp(-y)).reshape(self.layers, self.nodes)
        return float(self.steps @ per @ self.weights)

    def add_cuts_at_solution(self, tolerance: float) -> int:
        """Tangents where the model's t overstates 1 - exp(-y) by more than `tolerance`."""
        y, t = self._solution()
        loose = np.flatnonzero(t - (1.0 - np.exp(-y)) > tolerance)
        return self.add_cuts(loose, y[loose])

    def refine(self, tolerance: float, max_rounds: int) -> float:
        """Kelley's cutting planes on the LP; returns the final LP optimum (a valid bound)."""
        value = _INF
        for _ in range(max_rounds):
            self.highs.run()
            self.rounds += 1
            status = self.highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise InvalidInput(
                    f"the bound's linear program ended as {self.highs.modelStatusToString(status)}",
                    field="constraints",
                )
            value = min(value, float(self.highs.getInfo().objective_function_value))
            y, _ = self._solution()
            if value - self._concave(y) <= tolerance or not self.add_cuts_at_solution(tolerance):
                break
        return value

    def make_integer(self) -> None:
        """Binary x; where a fee schedule is not convex, its exact tiers (a binary per tier)."""
        P = len(self.pair_program)
        self._integer(list(range(P)))
        if any(not g.convex for g in self.fees):
            columns: list[int] = []
            fees: list[float] = []
            for group in self.fees:
                if group.convex:  # the envelope is the schedule itself
                    columns += group.piece_columns
                    fees += group.slopes
                else:
                    run_columns, run_fees = self._exact_tiers(group)
                    columns += run_columns
                    fees += run_fees
            self._row(-_INF, float(self.program_budget or 0.0), columns, fees)
        self.highs.setOptionValue("mip_rel_gap", 1e-6)

    def _integer(self, columns: list[int]) -> None:
        kind = highspy.HighsVarType.kInteger
        self.highs.changeColsIntegrality(
            len(columns), np.array(columns, dtype=np.int32), np.array([kind] * len(columns))
        )

    def _row(self, lower: float, upper: float, columns: list[int], values: list[float]) -> None:
        self.highs.addRow(
            lower, upper, len(columns), np.array(columns, dtype=np.int32), np.array(values)
        )

    def _exact_tiers(self, group: _GroupFees) -> tuple[list[int], list[float]]:
        """Runs of equal fees filled in order: z_r <= width_r b_r and z_(r-1) >= width_(r-1) b_r
        with b_r binary ("run r started"). Returns the run columns and their fees."""
        runs = _runs(group.marginal)
        h = self.highs
        first = h.getNumCol()
        for width, _ in runs:
            h.addVar(0.0, float(width))
        for _ in runs:
            h.addVar(0.0, 1.0)
        z = list(range(first, first + len(runs)))
        b = list(range(first + len(runs), first + 2 * len(runs)))
        self._integer(b)
        self._row(0.0, 0.0, z + group.columns, [1.0] * len(z) + [-1.0] * len(group.columns))
        for r, (width, _) in enumerate(runs):
            self._row(-_INF, 0.0, [z[r], b[r]], [1.0, -float(width)])
            if r:
                self._row(0.0, _INF, [z[r - 1], b[r]], [1.0, -float(runs[r - 1][0])])
        return z, [float(fee) for _, fee in runs]

    def solve_integer(self) -> tuple[float, float, bool, NDArray[np.int64]] | None:
        """(modelled objective, dual bound, proven optimal, chosen columns) or None if none found."""
        self.highs.run()
        self.rounds += 1
        info = self.highs.getInfo()
        status = self.highs.getModelStatus()
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return None
        values = np.asarray(self.highs.getSolution().col_value)[: len(self.pair_program)]
        chosen = np.flatnonzero(values > 0.5).astype(np.int64)
        optimal = status == highspy.HighsModelStatus.kOptimal
        return float(info.objective_function_value), float(info.mip_dual_bound), optimal, chosen

    def list_of(self, chosen: NDArray[np.int64]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Positions and signal levels of the chosen (program, level) columns."""
        return (
            tuple(int(i) for i in self.pair_program[chosen]),
            tuple(int(s) for s in self.pair_level[chosen]),
        )

    def exact_list_objective(self, chosen: NDArray[np.int64]) -> float:
        """The optimizer's own objective of the chosen list."""
        selected, signals = self.list_of(chosen)
        return objective_value(self.problem.chances, selected, signals, self.problem.values)


def _csr(
    rows: list[tuple[list[int], list[float], float, float]], columns: int
) -> sparse.csr_matrix:
    indptr = np.cumsum([0, *(len(r[0]) for r in rows)])
    index = np.concatenate([np.asarray(r[0], dtype=np.int64) for r in rows])
    data = np.concatenate([np.asarray(r[1], dtype=float) for r in rows])
    return sparse.csr_matrix((data, index, indptr), shape=(len(rows), columns))
