"""The shared interval helpers: one quantile pass gives the same as one column at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from smartpick.core.chances.matrix import interval, intervals


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 6)), elements=st.floats(0, 1))
)
def test_intervals_equal_interval_per_column_and_contain_the_point(values: np.ndarray) -> None:
    together = intervals(values)
    for column, (point, low, high) in enumerate(together):
        assert (point, low, high) == interval(values[:, column])
        assert low <= point <= high
