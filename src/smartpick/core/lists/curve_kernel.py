"""The curve's P(no match) per stage, draw and node, compiled (numba).

A curve has a few hundred stages; in numpy its products are a gather, a subtraction, a product
and an `accumulate` per run of stages, each a pass over memory with its own copies. Compiled, the
same multiplications in the same order (no fastmath: no reassociation, no fused multiply-add),
so every value keeps its bits: `tests/optimizer/test_curve_kernel.py` checks them against numpy.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from smartpick.core.lists.kernel_cache import use_cache_named_after_sources

use_cache_named_after_sources()

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@njit(cache=True)
def fill_factors(interview, rows, conversion, conversion_rows, at, factors):  # type: ignore[no-untyped-def]
    """factors[at[j]] = 1 - interview[:, rows[j]] * conversion[:, conversion_rows[j]], (D, K)
    each; `conversion` (D, n, K), or (D, n, 1) where it is the same at every node."""
    step = 1 if conversion.shape[2] > 1 else 0
    for j in range(at.size):
        i, c, f = rows[j], conversion_rows[j], at[j]
        for d in range(factors.shape[1]):
            for k in range(factors.shape[2]):
                factors[f, d, k] = 1.0 - interview[d, i, k] * conversion[d, c, k * step]


@njit(cache=True)
def run_products(factors, starts, members, member_starts, added, out):  # type: ignore[no-untyped-def]
    """P(no match) per stage, (stages, D, K), from the pairs' factors (pairs, D, K).

    Run r is the stages starts[r] .. starts[r + 1] - 1 (`starts` ends with the number of stages):
    its first stage is the product of the factors `members[member_starts[r]:member_starts[r + 1]]`
    in that order (1 for none), each later stage t the stage before times `factors[added[t]]`."""
    for r in range(starts.size - 1):
        first = starts[r]
        out[first] = 1.0
        for j in range(member_starts[r], member_starts[r + 1]):  # pair by pair, in order
            for d in range(factors.shape[1]):
                for k in range(factors.shape[2]):
                    out[first, d, k] *= factors[members[j], d, k]
        for t in range(first + 1, starts[r + 1]):
            for d in range(factors.shape[1]):
                for k in range(factors.shape[2]):
                    out[t, d, k] = out[t - 1, d, k] * factors[added[t], d, k]
