"""The point (draw 0) sits among its own draws: a long list's P(match) and the expected interviews
over every eligible program lie inside the draws' 10th-90th percentiles without any widening
(`matrix.intervals` widens an interval to contain the point; here the raw quantiles are used).

Each program's rate draws are independent between programs, so over a long list the draws
concentrate near what the per-program means give: they must average to the point, not scatter
symmetrically in logit around it (docs/model.md, section 9).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, ndtri

from smartpick.core.chances.matrix import expected_interviews, p_match
from smartpick.core.chances.program_rates import (
    NORMAL_SCORES,
    logit_normal_quantiles,
    quantile_logits,
)
from smartpick.service.assess import assess, fitted_model
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile

LENGTHS = (20, 40, 80, 120, 200, 400)


def _inside(values: np.ndarray) -> tuple[bool, str]:
    low, high = np.quantile(values[1:], [0.1, 0.9])
    return bool(low <= values[0] <= high), f"{values[0]:.4f} vs {low:.4f}-{high:.4f}"


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_long_lists_point_lies_inside_the_draws(catalog: Catalog, name: str) -> None:
    a = assess(reference_profile(name), catalog=catalog)
    cm = a.chances
    each = ((cm.interview * cm.conversion) @ cm.weights)[0]
    order = np.argsort(-each, kind="stable")  # the programs best for this applicant first
    for n in (*[k for k in LENGTHS if k < order.size], order.size):
        ok, text = _inside(p_match(cm, order[:n].tolist()))
        assert ok, f"{name}, {n} programs: P(match) {text}"
    ok, text = _inside(expected_interviews(cm, order.tolist()))
    assert ok, f"{name}: expected interviews over every eligible program {text}"


@pytest.mark.parametrize("specialty", ["Internal Medicine", "Family Medicine"])
def test_rate_draws_average_to_the_point(catalog: Catalog, specialty: str) -> None:
    d = fitted_model().context(specialty, catalog.programs(specialty=specialty))
    b = d.base
    rates = d.pool_rates()
    for has in (True, False):  # with 2026 data (fitted records) and without (predictive)
        sel = b.has_data == has
        point = b.weight[sel] @ b.rate[sel]
        drawn = b.weight[sel] @ rates[1:, sel].mean(axis=0)
        assert drawn == pytest.approx(point, rel=0.05), (specialty, has)


def test_quantile_tables_reproduce_the_mean() -> None:
    mean = np.array([1e-4, 0.003, 0.02, 0.1, 0.4])
    sd = np.array([1.5, 1.2, 1.0, 0.5, 0.2])
    table = logit_normal_quantiles(mean, sd)
    assert table.shape == (mean.size, NORMAL_SCORES.size)
    # The normal's quantiles (stratified), so the average is the integral over the draws' law.
    z = ndtri((np.arange(20000) + 0.5) / 20000)[:, None] * np.ones((1, mean.size))
    drawn = expit(quantile_logits(table, z))
    assert drawn.mean(axis=0) == pytest.approx(mean, rel=0.02)
    # The median draw is below the mean: the draws are not centred on it in logit.
    assert np.all(expit(quantile_logits(table, np.zeros((1, mean.size))))[0] < mean)
