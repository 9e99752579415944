"""What-if as a use case: price any set of changes to a profile on demand.

`whatif(profile, changes)` re-runs the optimizer on the changed profile with the same list options
(`smartpick whatif --set ...`, the web's what-if panel) and reports both lists' P(match), expected
interviews and fees, the per-draw difference, and the programs that enter or leave the list.
Keys and values: `core.profile.whatif`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from smartpick.core.plan.types import Price
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.rules.policy import entry_condition
from smartpick.errors import InvalidInput
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.pricing import Assessor, Measured, Pricer, Recommender, price_between


@dataclass(frozen=True)
class WhatIf:
    """The price of a set of changes to a profile."""

    changes: Mapping[str, Any]
    price: Price
    runs: int  # optimizer runs made
    added: tuple[Mapping[str, object], ...] = ()  # programs in the changed list only
    removed: tuple[Mapping[str, object], ...] = ()  # programs in the baseline list only

    def to_dict(self) -> dict[str, Any]:
        """JSON contract (docs/advisor.md)."""
        return {
            "changes": _jsonable(self.changes),
            **self.price.to_dict(),
            "runs": self.runs,
            "list_changes": {"added": list(self.added), "removed": list(self.removed)},
        }


def _list_difference(
    base: Measured, changed: Measured
) -> tuple[tuple[Mapping[str, object], ...], tuple[Mapping[str, object], ...]]:
    """Programs only in the changed list, and only in the baseline list (by list order)."""

    def rows(m: Measured) -> dict[str, Mapping[str, object]]:
        return {
            p.id: {
                "program_id": p.id,
                "name": p.name,
                "state": p.state.value,
                "specialty": p.specialty,
            }
            for p in m.listed
        }

    before, after = rows(base), rows(changed)
    added = tuple(r for pid, r in after.items() if pid not in before)
    removed = tuple(r for pid, r in before.items() if pid not in after)
    return added, removed


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def whatif(
    profile: ApplicantProfile,
    changes: Mapping[str, Any],
    *,
    budget_usd: float | None = None,
    count: int | None = None,
    match_value_usd: float | None = None,
    must_include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    catalog: Catalog | None = None,
    recommender: Recommender | None = None,
    assessor: Assessor | None = None,
) -> WhatIf:
    """Price `changes` by re-running the optimizer on the changed profile with the same list
    options as `recommend` (budget, count, value of a match, pinned and excluded programs; the
    profile's budget when neither budget nor count is given)."""
    if not changes:
        raise InvalidInput("changes: give at least one change, e.g. step3=235", field="changes")
    runner = Pricer(
        catalog or open_catalog(),
        budget_usd,
        recommender,
        assessor,
        count=count,
        match_value_usd=match_value_usd,
        must_include=must_include,
        exclude=exclude,
    )
    changed_profile, options = apply_changes(profile, changes)
    base = runner.measure(profile)
    changed = runner.measure(changed_profile, **options)
    added, removed = _list_difference(base, changed)
    price = price_between(base, changed, changes)
    condition = entry_condition(changed_profile)
    if condition is not None and condition != entry_condition(profile):  # a new restriction
        price = replace(price, note=condition)
    return WhatIf(
        changes=dict(changes),
        price=price,
        runs=runner.runs,
        added=added,
        removed=removed,
    )
