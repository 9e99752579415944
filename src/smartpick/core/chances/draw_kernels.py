"""The draws' arithmetic compiled (numba): the applicant's eta, P(interview | u) at the point
estimate (every program, each signal level) and at the bootstrap draws, a list's P(no match) per
draw, and the quantiles of the draws that make the intervals.

Each request computes eta and V expit(eta + sigma_r z + gamma) for a few hundred programs at 40
draws and 16 nodes, and the quantiles of a few hundred columns of draws; in numpy each term is a
pass over memory with its own gathers (the quantiles a partition per column). Compiled with the
numpy code's operations in its order (no fastmath: no reassociation, no fused multiply-add),
every value keeps its bits (`tests/chances/test_draw_kernels.py` checks them against numpy,
scipy's `expit` and `np.quantile`), but one: the bootstrap draws of P(interview | u) factor the
exponential by node (an exp per program and draw instead of one per node: the exp was most of
the kernel's time), which moves them by rounding only (`DRAWS_RELATIVE_ERROR`); the point
estimate, which the optimizer and the page read, keeps numpy's bits.

The kernels call no compiled function outside this file, so numba's own cache check (this
file's stamp) is enough to keep their cache current. Their `exp` is the C library's
(`core.kernel_math`), bound before any of them is compiled or read from the cache.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from smartpick.core.kernel_math import bind_exp_to_libm

bind_exp_to_libm()

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# How far a bootstrap draw's P(interview | u) may sit from numpy's expression, relative to it,
# per unit of |eta| + |sigma_r z| + |gamma| + 1: each way rounds the exponent's sums (about that
# size times 2^-53) and the exponential, product and division (a few 2^-53).
DRAWS_RELATIVE_ERROR = 2.0**-50


# Every kernel here compiles with error_model="numpy": a division is the plain IEEE one, without
# numba's test for a zero divisor (no divisor here can be zero): no branch, and loops over nodes
# may vectorize; the same bits (bench/same_outputs.py).
@njit(cache=True, error_model="numpy", inline="always")
def _at_point(x, v):  # type: ignore[no-untyped-def]
    """V expit(x) at the point estimate: numpy's expression, its bits (they are shown)."""
    return 1.0 / (1.0 + math.exp(-x)) * v


@njit(cache=True, error_model="numpy", inline="always")
def _at_draw(a, spread, v):  # type: ignore[no-untyped-def]
    """V expit(eta + gamma + sigma_r z) at a bootstrap draw from a = exp(-(eta + gamma)) and
    spread = exp(-sigma_r z) (`_spread`): one exp per program instead of one per node."""
    return 1.0 / (1.0 + a * spread) * v


@njit(cache=True, error_model="numpy", inline="always")
def _spread(sigma_r, z, out):  # type: ignore[no-untyped-def]
    """out[k] = exp(-sigma_r z[k]), one draw's spread at every node."""
    for k in range(z.size):
        out[k] = math.exp(-(sigma_r * z[k]))


@njit(cache=True, error_model="numpy")
def _fill(eta, visa, at, first, sigma_r, z, gamma, columns, level, signal, out):  # type: ignore[no-untyped-def]
    spread = np.empty(z.size)  # exp(-sigma_r z) at one draw
    for r in range(out.shape[0]):
        d = first + r
        if d > 0:
            _spread(sigma_r[d], z, spread)
        for i in range(at.size):
            e, v = eta[d, at[i]], visa[d, at[i]]
            g = gamma[d, columns[i], level] if signal else 0.0
            if d == 0:  # the point estimate
                for k in range(z.size):
                    x = e + sigma_r[d] * z[k]
                    if signal:
                        x = x + g
                    out[r, i, k] = _at_point(x, v)
                continue
            # the bootstrap draws: exp(-(e + g + sigma_r z)) = exp(-(e + g)) exp(-sigma_r z)
            a = math.exp(-(e + g))
            for k in range(z.size):
                out[r, i, k] = _at_draw(a, spread[k], v)


@njit(cache=True, error_model="numpy")
def _fill_point(base, gamma, visa, at, signal, out):  # type: ignore[no-untyped-def]
    for i in range(at.size):
        j = at[i]
        g, v = gamma[j] if signal else 0.0, visa[j]
        for k in range(base.shape[1]):
            x = base[j, k]
            if signal:
                x = x + g
            out[0, i, k] = _at_point(x, v)


def point_interview(
    base: FloatArray,
    gamma: FloatArray | None,
    visa: FloatArray,
    at: IntArray,
    out: FloatArray | None = None,
) -> FloatArray:
    """`visa * expit(base + gamma)` at the programs `at`, (1, len(at), K): the point estimate, bit
    for bit numpy's `expit` of the sum times the visa factor (as `drawn_interview` at draw 0).
    `base` (n, K) is eta + spread z, `gamma` (n,) the signal level's effect (None: it adds
    nothing), `visa` (n,). Written into `out` where given, and returned."""
    if out is None:
        out = np.empty((1, at.size, base.shape[1]))
    _fill_point(base, _NO_POINT_GAMMA if gamma is None else gamma, visa, at, gamma is not None, out)
    return out


_NO_POINT_GAMMA = np.zeros(1)


def drawn_interview(
    eta: FloatArray,
    visa: FloatArray,
    at: IntArray,
    draws: slice,
    sigma_r: FloatArray,
    z: FloatArray,
    signal: tuple[FloatArray, IntArray, int] | None,
    out: FloatArray | None = None,
) -> FloatArray:
    """`visa * expit(eta + sigma_r z (+ gamma))` at the programs `at` for `draws`, (draws, at, K):
    at draw 0 (the point estimate) bit for bit the numpy expression on `eta[draws][:, at]` (and
    so on), at the bootstrap draws the same within rounding (`DRAWS_RELATIVE_ERROR`). `eta` and
    `visa` are (D1, n), `sigma_r` (D1,), `z` (K,); `signal` is (gamma (D1, P, levels), each
    program's column of gamma, level), None where the level adds nothing. Written into `out` (any
    strides, e.g. a view of the lazy matrix's store) where given, and returned."""
    first, stop, step = draws.indices(eta.shape[0])
    if step != 1:
        raise ValueError("drawn_interview reads consecutive draws")
    if out is None:
        out = np.empty((max(stop - first, 0), at.size, z.size))
    gamma, columns, level = signal if signal is not None else (_NO_GAMMA, at, 0)
    _fill(eta, visa, at, first, sigma_r, z, gamma, columns, level, signal is not None, out)
    return out


_NO_GAMMA = np.zeros((1, 1, 1))


@njit(cache=True, error_model="numpy", inline="always")
def _eta(  # type: ignore[no-untyped-def]
    alpha, beta, score, fail0, fail1, fail_terms, geo, pool, home, home_term, connected, kappa,
    cap, assumed, research, university,
):  # fmt: skip
    """One program's eta at one draw (`applicant_eta`), each term in the numpy code's order."""
    t = fail0 * fail_terms[0] + fail1 * fail_terms[1]
    t = t + geo - pool
    t = t + home * home_term
    if connected:  # every program then adds min(kappa h, cap), 0 where not connected
        v = kappa * home
        t = t + (cap if v > cap else v)  # np.minimum: a NaN stays NaN
    t = t + assumed + research * university
    return alpha + beta * score / 10.0 + t


@njit(cache=True, error_model="numpy")
def applicant_eta(  # type: ignore[no-untyped-def]
    alpha, beta, score, fail, fail_terms, geo, geo_level, pool, pool_columns, home, home_terms,
    connected, connection, shares, cap, assumed, research, university, j, first, out,
):  # fmt: skip
    """The applicant's eta (`terms.ApplicantTerms.compute`, the formula of `core.chances.terms`)
    for the draws first .. first + len(out) - 1 at the programs `j` (columns of the specialty's
    arrays), (draws, len(j)): each term in the numpy code's order. Per program (i): `geo_level`,
    `pool_columns`, `home_terms` (H - h), `connection` (0 none, 1 rotation, 2 other: the share
    `shares[connection - 1]`) and `university`; per draw (d): `score`, `assumed`, `research`."""
    for r in range(out.shape[0]):
        d = first + r
        for i in range(j.size):
            p, c = j[i], connection[i]
            kappa = shares[c - 1, d] if connected and c > 0 else 0.0
            out[r, i] = _eta(
                alpha[d, p], beta[d, p], score[d], fail[d, p, 0], fail[d, p, 1], fail_terms,
                geo[d, p, geo_level[i]], pool[d, pool_columns[i]], home[d, p], home_terms[i],
                connected, kappa, cap, assumed[d], research[d], university[i],
            )  # fmt: skip


@njit(cache=True, error_model="numpy")
def applicant_eta_by_program(  # type: ignore[no-untyped-def]
    alpha, beta, score, fail, fail_terms, geo, geo_level, pool, pool_columns, home, home_terms,
    connected, connection, shares, cap, assumed, research, university, j, first, out,
):  # fmt: skip
    """`applicant_eta` (the same bits) from the arrays laid out by program
    (`specialty_arrays.ProgramMajor`): alpha, beta, home (P, D1), fail (P, D1, 2), geo (P, levels,
    D1), pool (columns, D1). A program's draws are one short run of memory, so the bootstrap
    draws of a few hundred programs read a few hundred runs instead of every draw's row."""
    for i in range(j.size):
        p, g, column, c = j[i], geo_level[i], pool_columns[i], connection[i]
        for r in range(out.shape[0]):
            d = first + r
            kappa = shares[c - 1, d] if connected and c > 0 else 0.0
            out[r, i] = _eta(
                alpha[p, d], beta[p, d], score[d], fail[p, d, 0], fail[p, d, 1], fail_terms,
                geo[p, g, d], pool[column, d], home[p, d], home_terms[i], connected, kappa, cap,
                assumed[d], research[d], university[i],
            )  # fmt: skip


@njit(cache=True, error_model="numpy")
def gather_columns(values, rows, at, out):  # type: ignore[no-untyped-def]
    """out[:, at[j]] = values[:, rows[j]] for (D, n, K) `values` and (D, m, K) `out`."""
    for j in range(at.size):
        i, t = rows[j], at[j]
        for d in range(out.shape[0]):
            for k in range(out.shape[2]):
                out[d, t, k] = values[d, i, k]


@njit(cache=True, error_model="numpy")
def no_match_and_sum(terms, conversion, conversion_rows, no_match, total):  # type: ignore[no-untyped-def]
    """`np.prod(1.0 - terms * c, axis=1)` into (D, K) `no_match`, with c[:, s] the column
    `conversion_rows[s]` of `conversion`, (D, n, K) or (D, n, 1) where it is the same at every
    node, and `terms.sum(axis=1)` into (D, K) `total`: program after program, as numpy
    multiplies and adds along that axis of a C-ordered array with K > 1 (one pass over the
    terms; numpy's sum of a middle axis made a loop of K values per draw and program)."""
    step = 1 if conversion.shape[2] > 1 else 0
    no_match[:] = 1.0
    total[:] = 0.0
    for s in range(terms.shape[1]):
        c = conversion_rows[s]
        for d in range(no_match.shape[0]):
            for k in range(no_match.shape[1]):
                t = terms[d, s, k]
                no_match[d, k] *= 1.0 - t * conversion[d, c, k * step]
                total[d, k] += t


@njit(cache=True, error_model="numpy")
def _list_outcome(  # type: ignore[no-untyped-def]
    point, point_conversion, x, visa, conversion, spec, sigma, z, no_match, interviews,
):  # fmt: skip
    K = z.size
    no_match[:] = 1.0
    interviews[:] = 0.0
    for s in range(point.shape[0]):  # draw 0: the point's own values
        c = point_conversion[s]
        for k in range(K):
            t = point[s, k]
            no_match[0, k] *= 1.0 - t * c
            interviews[0, k] += t
    spread = np.empty((sigma.shape[0], K))  # exp(-sigma_r z) per specialty at one draw
    for d in range(1, no_match.shape[0]):
        for j in range(sigma.shape[0]):
            _spread(sigma[j, d], z, spread[j])
        for s in range(x.shape[1]):
            a, v, c = math.exp(-x[d - 1, s]), visa[d - 1, s], conversion[d - 1, s]
            for k in range(K):  # `_fill`'s bootstrap draws, then `no_match_and_sum`'s factor
                t = _at_draw(a, spread[spec[s], k], v)
                no_match[d, k] *= 1.0 - t * c
                interviews[d, k] += t


def list_outcome(
    point: FloatArray,
    point_conversion: FloatArray,
    drawn: tuple[FloatArray, FloatArray, FloatArray],
    spec: IntArray,
    sigma: FloatArray,
    z: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """A list's P(no match) and its summed P(interview) per draw and node, (D + 1, K) each, from
    one pass over its programs without keeping their terms: bit for bit `no_match_and_sum` of the
    terms `drawn_interview` writes, and those terms summed over the programs (numpy's
    `terms.sum(axis=1)`, which adds them in the list's order).

    `point` (S, K) and `point_conversion` (S,): draw 0 of the S programs, in the list's order;
    `drawn`: (x, visa, conversion), each (D, S), for draws 1..D, where x is eta plus the signal
    level's effect (`drawn_interview` adds them in that order); `spec` (S,): each program's row of
    `sigma`, the residual spread per specialty and draw (n, D + 1)."""
    x, visa, conversion = drawn
    no_match = np.empty((x.shape[0] + 1, z.size))
    interviews = np.empty_like(no_match)
    _list_outcome(
        point, point_conversion, x, visa, conversion, spec, sigma, z, no_match, interviews
    )
    return no_match, interviews


@njit(cache=True, error_model="numpy", inline="always")
def _insert(column, size, v):  # type: ignore[no-untyped-def]
    """Put v into the ascending column[:size] after the values equal to it (a stable insertion
    sort's step); column[size] is overwritten (the largest falls out where size is full)."""
    at = size
    while at > 0 and column[at - 1] > v:
        column[at] = column[at - 1]
        at -= 1
    column[at] = v


@njit(cache=True, error_model="numpy")
def _quantiles(draws, before, after, gamma, low, high, out):  # type: ignore[no-untyped-def]
    """Each column's quantiles from its `low` smallest and `high` largest values, kept as a
    stable sort orders them (every rank read is among them): a column is a few dozen draws, an
    interval reads four of them. With high 0 and low the column's length: the whole sort."""
    n = draws.shape[0]
    bottom = np.empty(low + 1)  # [low]: room for the one that falls out
    top = np.empty(high + 1)
    for j in range(draws.shape[1]):
        nan = False
        for i in range(n):
            v = draws[i, j]
            nan = nan or math.isnan(v)
            if i < low:
                _insert(bottom, i, v)
            elif low and v < bottom[low - 1]:  # one of the `low` smallest so far
                _insert(bottom, low - 1, v)
            if i < high:
                _insert(top, i, v)
            elif high and v >= top[0]:  # one of the `high` largest so far: the first falls out
                at = 0
                while at + 1 < high and top[at + 1] <= v:
                    top[at] = top[at + 1]
                    at += 1
                top[at] = v
        for q in range(gamma.size):
            if nan:  # as numpy: a column with a NaN has NaN quantiles
                out[q, j] = math.nan
                continue
            r, s = before[q], after[q]
            a = bottom[r] if r < low else top[r - (n - high)]
            b = bottom[s] if s < low else top[s - (n - high)]
            t = gamma[q]
            diff = b - a  # numpy's `_lerp`, from the nearer end
            out[q, j] = b - diff * (1.0 - t) if t >= 0.5 else a + diff * t


@functools.lru_cache(maxsize=16)
def _ranks(n: int, quantiles: tuple[float, ...]) -> tuple[IntArray, IntArray, FloatArray, int, int]:
    """numpy's ranks and weights of the linear method for columns of n draws (before, after,
    gamma), and how many of the smallest and the largest values hold every rank read (all of
    them, as the smallest, where the two would meet)."""
    q = np.asarray(quantiles, dtype=np.float64)
    virtual = (n - 1) * q  # numpy's virtual index and weight for the linear method
    below = np.floor(virtual)
    gamma = virtual - below
    before = np.clip(below, 0, n - 1).astype(np.int64)
    after = np.clip(below + 1, 0, n - 1).astype(np.int64)
    above = virtual >= n - 1  # numpy takes the last value there
    before[above] = after[above] = n - 1
    ranks = [*before.tolist(), *after.tolist()]
    low = max([r + 1 for r in ranks if r < n // 2], default=0)
    high = max([n - r for r in ranks if r >= n // 2], default=0)
    if low + high >= n:
        low, high = n, 0
    for kept in (before, after, gamma):  # shared by every call: read only
        kept.flags.writeable = False
    return before, after, gamma, low, high


def column_quantiles(draws: FloatArray, quantiles: tuple[float, ...]) -> FloatArray:
    """`np.quantile(draws, quantiles, axis=0)` (the linear method), (len(quantiles), m), bit for
    bit for draws that hold no -0.0 (numpy's partition may put -0.0 and 0.0 in either order)."""
    before, after, gamma, low, high = _ranks(draws.shape[0], tuple(quantiles))
    out = np.empty((gamma.size, draws.shape[1]))
    _quantiles(np.ascontiguousarray(draws), before, after, gamma, low, high, out)
    return out
