"""Within `shared_checks` (one advisor call) assessments of profiles whose rule facts are equal
share their eligibility verdicts; the chances and verdicts are those of separate assessments,
and nothing is kept once the block ends."""

from __future__ import annotations

import numpy as np

from smartpick.core.chances import predict
from smartpick.core.chances.results import Assessment
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile


def _verdicts(a: Assessment) -> dict[str, object]:
    return {row.program.id: row.reason_details for row in a.excluded}  # the verdict's own tuple


def test_same_rule_facts_share_verdicts_and_change_nothing(catalog: Catalog) -> None:
    base = reference_profile("guide-sample")
    letters = base.model_copy(update={"us_letters": 3})  # the same rule facts
    visa = base.model_copy(update={"visa": "none"})  # other rule facts
    alone = [assess(p, catalog=catalog) for p in (base, letters, visa)]
    with predict.shared_checks():
        shared = [assess(p, catalog=catalog) for p in (base, letters, visa)]
    assert predict._SHARED.get() is None  # nothing kept past the block

    first, again, other = (_verdicts(a) for a in shared)
    assert first and all(again[pid] is verdict for pid, verdict in first.items())
    assert not any(other.get(pid) is verdict for pid, verdict in first.items())
    for a, b in zip(alone, shared, strict=True):
        assert _verdicts(a) == _verdicts(b)
        assert [p.id for p in a.programs] == [p.id for p in b.programs]
        for s in range(a.chances.levels):
            assert np.array_equal(a.chances.point_interview[s], b.chances.point_interview[s])
