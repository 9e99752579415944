"""A specialty's per-draw arrays laid out by program, for the bootstrap draws of a few programs.

The fitted arrays are (draws, programs): draw 0 (the point estimate) of every program is one
row, which every assessment reads whole. The bootstrap draws are read for the few hundred
programs a list or a curve shows: by row, that touches every draw's row of every array (about
3 MB for Internal Medicine, more than a core's cache); by program, a few hundred runs of 41
values. The same values, transposed once per process and specialty (and applicant type, for
the two arrays that depend on it) and kept with the specialty's program side.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.draws import Draws

FloatArray = NDArray[np.float64]


class ProgramMajor(NamedTuple):
    """`applicant_eta_by_program`'s arrays: alpha, beta, home (P, D1), fail (P, D1, 2), geo
    (P, levels, D1), pool (P, D1): the pool's geographic term per program."""

    alpha: FloatArray
    beta: FloatArray
    fail: FloatArray
    geo: FloatArray
    home: FloatArray
    pool: FloatArray


def program_major(d: Draws, kind: str, pool: FloatArray) -> ProgramMajor:
    """The arrays of `d` for applicant type `kind` by program; `pool`: the pool's geographic
    term of every program (`terms.pool_geography`), (D1, P). Made on first use and kept while
    `d.alpha(kind)` and `pool` are the arrays it was made from."""
    alpha = d.alpha(kind)
    key = f"program major {kind}"
    found = d.memo.get(key)
    if found is None or found[0] is not alpha or found[1] is not pool:
        shared = d.memo.get("program major")
        if shared is None:
            shared = d.memo["program major"] = (
                _by_program(d.beta),
                _by_program(d.fail.transpose(1, 0, 2)),
                _by_program(d.geo.transpose(1, 2, 0)),
                _by_program(d.home),
            )
        beta, fail, geo, home = shared
        arrays = ProgramMajor(_by_program(alpha), beta, fail, geo, home, _by_program(pool))
        found = d.memo[key] = (alpha, pool, arrays)
    return found[2]


def _by_program(values: FloatArray) -> FloatArray:
    """A (D1, P) array as (P, D1), or an array already ordered by program made contiguous."""
    return np.ascontiguousarray(values.T if values.ndim == 2 else values)
