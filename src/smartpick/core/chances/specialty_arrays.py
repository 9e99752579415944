"""What is made once per specialty from its program side and kept with it (`Draws.memo`): the
programs' catalog columns, university flags, connection shares, the signal levels without
effect, the pool's geographic term, and the per-draw arrays laid out by program.

The fitted arrays are (draws, programs): draw 0 (the point estimate) of every program is one
row, which every assessment reads whole. The bootstrap draws are read for the few hundred
programs a list or a curve shows: by row, that touches every draw's row of every array (several
MB for Internal Medicine, more than a core's cache); by program, a few hundred runs of 41
values (`ProgramMajor`: the same values, transposed once per process and specialty, and
applicant type for the two arrays that depend on it).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.draws import Draws

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def program_columns(d: Draws) -> dict[str, NDArray[np.str_]]:
    """Each program's id, track, state, region and setting as arrays ("" where unknown; built
    once per specialty)."""
    cols = d.memo.get("columns")
    if cols is None:
        progs = d.base.programs
        cols = d.memo["columns"] = {
            "id": np.array([p.id for p in progs], dtype=str),
            "track": np.array([p.track for p in progs], dtype=str),
            "state": np.array([p.state.value or "" for p in progs], dtype=str),
            "region": np.array([p.region.value or "" for p in progs], dtype=str),
            "setting": np.array([p.setting.value or "" for p in progs], dtype=str),
        }
    return cols


def university_programs(d: Draws) -> FloatArray:
    """1.0 at each university program of the specialty, else 0.0 (built once per specialty)."""
    found = d.memo.get("university")
    if found is None:
        found = d.memo["university"] = (program_columns(d)["setting"] == "university").astype(
            np.float64
        )
    return found


def connection_shares(d: Draws) -> FloatArray:
    """(2, D1) the assumed effect shares of a rotation and of another connection per draw (built
    once per specialty)."""
    found = d.memo.get("connection_shares")
    if found is None:
        found = d.memo["connection_shares"] = np.array(
            [
                [a.connection_rotation for a in d.assumptions],
                [a.connection_other for a in d.assumptions],
            ]
        )
    return found


def zero_signal_levels(d: Draws) -> tuple[bool, ...]:
    """Per signal level: whether its effect is 0 at every program in every draw (no signal; the
    silver level of a specialty with one kind of signal)."""
    found = d.memo.get("zero_signal_levels")
    if found is None:
        found = d.memo["zero_signal_levels"] = tuple(
            bool((d.gamma[:, :, level] == 0.0).all()) for level in range(d.gamma.shape[2])
        )
    return found


def pool_geography(d: Draws, kind: str, idx: IntArray) -> tuple[FloatArray, IntArray]:
    """The geographic term of the pool of applicants of type `kind` at the programs `idx`: each
    program's effects weighted by the pool's mix over the levels, as (values, columns): program
    k's term is `values[:, columns[k]]`, (D1,).

    Computed once per specialty and type for every program. BLAS gives each program the same
    bits whatever the number of rows, except a single row (numpy's own loop), which is computed
    as it always was (`tests/chances/test_applicant_terms.py`)."""
    mix = np.array(d.reference.type_mix["geographic"][kind])
    if idx.size == 1:
        return np.asarray(d.geo[:, idx] @ mix), np.zeros(1, dtype=np.int64)
    key = f"pool_geography {kind}"
    whole = d.memo.get(key)
    if whole is None:
        whole = d.memo[key] = d.geo @ mix
    return whole, idx


class ProgramMajor(NamedTuple):
    """`d`'s arrays by program: alpha, beta, home, conversion (P, D1), fail (P, D1, 2), geo
    (P, levels, D1), gamma (P, signal levels, D1), pool (P, D1): the pool's geographic term per
    program; visa: P(considered) per visa, (P, D1) each."""

    alpha: FloatArray
    beta: FloatArray
    fail: FloatArray
    geo: FloatArray
    home: FloatArray
    pool: FloatArray
    gamma: FloatArray
    conversion: FloatArray
    visa: dict[str, FloatArray]


def program_major(d: Draws, kind: str, pool: FloatArray) -> ProgramMajor:
    """The arrays of `d` for applicant type `kind` by program; `pool`: the pool's geographic
    term of every program (`pool_geography`), (D1, P). Made on first use and kept while
    `d.alpha(kind)` and `pool` are the arrays it was made from."""
    alpha = d.alpha(kind)
    key = f"program major {kind}"
    found = d.memo.get(key)
    if found is None or found[0] is not alpha or found[1] is not pool:
        shared = d.memo.get("program major")
        if shared is None:
            shared = d.memo["program major"] = (
                transposed(d.beta),
                np.ascontiguousarray(d.fail.transpose(1, 0, 2)),
                np.ascontiguousarray(d.geo.transpose(1, 2, 0)),
                transposed(d.home),
                np.ascontiguousarray(d.gamma.transpose(1, 2, 0)),
                transposed(d.conversion),
                {v: transposed(table) for v, table in d.visa.items()},
            )
        beta, fail, geo, home, gamma, conversion, visa = shared
        arrays = ProgramMajor(
            transposed(alpha), beta, fail, geo, home, transposed(pool), gamma, conversion, visa
        )
        found = d.memo[key] = (alpha, pool, arrays)
    return found[2]


def transposed(values: FloatArray) -> FloatArray:
    """A (draws, programs) array laid out by program, or rows read by program back as the
    (draws, programs) array the draws' code reads: the transpose, C-contiguous (as the compiled
    kernels are typed)."""
    return np.ascontiguousarray(values.T)
