"""The curve's P(no match) per stage, draw and node, compiled (numba).

A curve has a few hundred stages; in numpy its products are a gather, a subtraction, a product
and an `accumulate` per run of stages, each a pass over memory with its own copies. Compiled, the
same multiplications in the same order (no fastmath: no reassociation, no fused multiply-add),
so every value keeps its bits: `tests/optimizer/test_curve_kernel.py` checks them against numpy.
The stages come a block at a time (`curve.curve_draws`): a curve's (stages, draws, nodes) array
and its pairs' factors were 1-3 MB of fresh memory a page.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from smartpick.core.lists.kernel_cache import use_cache_named_after_sources

use_cache_named_after_sources()

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


# Every kernel here compiles with error_model="numpy": a division is the plain IEEE one, without
# numba's test for a zero divisor (no divisor here can be zero): no branch, and loops over nodes
# may vectorize; the same bits (bench/same_outputs.py).
@njit(cache=True, error_model="numpy", inline="always")
def _factor(values, i, conversion, c, d, k, step):  # type: ignore[no-untyped-def]
    """A pair's factor 1 - P(match | u) at draw d and node k."""
    return 1.0 - values[d, i, k] * conversion[d, c, k * step]


@njit(cache=True, error_model="numpy")
def stage_no_match(  # type: ignore[no-untyped-def]
    interview, level, rows, conversion, conversion_rows, added, members, member_starts, first, out
):  # fmt: skip
    """P(no match) of the stages first .. first + len(out) - 2 into out[1:], (D, K) each; out[0]
    holds the stage before `first` (read only when `first` continues a run).

    Pair j's factor is 1 - interview[level[j]][:, rows[j]] * conversion[:, conversion_rows[j]]
    (`interview` one (D, n, K) array per signal level, `conversion` (D, n, K) or (D, n, 1) where
    it is the same at every node), computed where it is multiplied in: no (pairs, D, K) array.
    Stage t starts a run when added[t] < 0: it is the product of the factors of its run's pairs
    `members[member_starts[r]:member_starts[r + 1]]` in that order (1 for none), r = -added[t] - 1;
    any other stage is the one before times the factor of pair added[t]."""
    step = 1 if conversion.shape[2] > 1 else 0
    for o in range(1, out.shape[0]):
        a = added[first + o - 1]
        if a < 0:
            r = -a - 1
            out[o] = 1.0
            for m in range(member_starts[r], member_starts[r + 1]):  # pair by pair, in order
                j = members[m]
                values, i, c = interview[level[j]], rows[j], conversion_rows[j]
                for d in range(out.shape[1]):
                    for k in range(out.shape[2]):
                        out[o, d, k] *= _factor(values, i, conversion, c, d, k, step)
        else:
            values, i, c = interview[level[a]], rows[a], conversion_rows[a]
            for d in range(out.shape[1]):
                for k in range(out.shape[2]):
                    out[o, d, k] = out[o - 1, d, k] * _factor(values, i, conversion, c, d, k, step)
