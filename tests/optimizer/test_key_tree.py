"""The chain's key tree (`core.lists.key_tree`) always holds the largest key and its lowest
position, as a scan of the keys finds them, through any sequence of changes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.lists import key_tree

# keys as the chain has them: finite ratios, inf (no bound yet) or -inf (not a candidate), with
# repeats so that ties between positions are common
KEYS = st.sampled_from([-np.inf, 0.0, 1e-12, 0.5, 0.5, 1.0, 2.0, np.inf])


def _scan(keys: np.ndarray) -> tuple[float, int]:
    """The largest key and the first position holding it (position 0 when all are -inf)."""
    top = float(keys.max())
    return top, int(np.flatnonzero(keys == top)[0])


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(KEYS, min_size=1, max_size=70),
    changes=st.lists(st.tuples(st.integers(0, 69), KEYS), max_size=40),
)
def test_the_root_is_the_largest_key_at_its_first_position(
    keys: list[float], changes: list[tuple[int, float]]
) -> None:
    values = np.array(keys)
    leaves = key_tree.leaves_for(values.size)
    assert leaves >= values.size and leaves & (leaves - 1) == 0
    tree, at = np.empty(2 * leaves), np.zeros(2 * leaves, dtype=np.int64)
    key_tree.build(values, tree, at)
    assert (tree[1], at[1]) == _scan(values)
    for position, key in changes:
        position %= values.size
        values[position] = key
        key_tree.put(tree, at, position, key)
        assert (tree[1], at[1]) == _scan(values)
