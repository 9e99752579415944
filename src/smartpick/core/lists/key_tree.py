"""The chain's candidate keys with the largest at hand: a tournament tree, compiled (numba).

Each stage of the chain weighs its candidates (levels x programs, about 2,000) from the largest
key down, until the others cannot reach the best gain found (`chain_kernel._best_add`). Two
scans of every key for that were about a fifth of the chain's time; here each node of a binary
tree over the keys holds the largest key below it and its position (the lowest position among
equal keys, as a scan that keeps the first maximum finds), so the largest is at the root and
changing one key walks one path to it (11 nodes for 2,048 keys).

The keys are never NaN (`chain_kernel._best_add`). `tree` is float64 (2 x leaves): the keys, and
`at` int64 (2 x leaves): their positions; node 1 is the root, node i's children 2i and 2i + 1,
the leaves from `leaves` on (positions past the keys hold -inf).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from smartpick.core.lists.kernel_cache import use_cache_named_after_sources

use_cache_named_after_sources()


# Every kernel here compiles with error_model="numpy": a division is the plain IEEE one, without
# numba's test for a zero divisor (no divisor here can be zero): no branch, and loops over nodes
# may vectorize; the same bits (bench/same_outputs.py).
@njit(cache=True, error_model="numpy")
def leaves_for(count):  # type: ignore[no-untyped-def]
    """The number of leaves of a tree for `count` keys: the smallest power of two >= count."""
    leaves = 1
    while leaves < count:
        leaves *= 2
    return leaves


@njit(cache=True, error_model="numpy", inline="always")
def _settle(tree, at, node):  # type: ignore[no-untyped-def]
    """Node `node` takes the larger of its children (the left one, of lower positions, on a tie)."""
    left, right = 2 * node, 2 * node + 1
    if tree[right] > tree[left]:
        tree[node], at[node] = tree[right], at[right]
    else:
        tree[node], at[node] = tree[left], at[left]


@njit(cache=True, error_model="numpy")
def build(keys, tree, at):  # type: ignore[no-untyped-def]
    """Fill the tree from `keys` (flat)."""
    leaves = tree.size // 2
    for i in range(leaves):
        tree[leaves + i] = keys[i] if i < keys.size else -np.inf
        at[leaves + i] = i
    for node in range(leaves - 1, 0, -1):
        _settle(tree, at, node)


@njit(cache=True, error_model="numpy", inline="always")
def put(tree, at, position, key):  # type: ignore[no-untyped-def]
    """Set the key at `position` and the largest keys above it."""
    node = tree.size // 2 + position
    tree[node] = key
    node //= 2
    while node >= 1:
        _settle(tree, at, node)
        node //= 2
