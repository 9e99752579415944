"""The programs' facts as arrays (what the list's filters and fee groups read) follow the programs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from smartpick.core.lists.request import ListFilters, fee_group, fee_group_of, fee_groups
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile


def _assessment(catalog: Catalog):
    return assess(
        reference_profile("us-img-fm"),
        specialties=("Family Medicine", "Internal Medicine"),
        catalog=catalog,
        tracks=("categorical", "preliminary"),
    )


def test_facts_are_the_programs_facts(catalog: Catalog) -> None:
    a = _assessment(catalog)
    facts = a.facts
    assert {p.track for p in a.programs} == {"categorical", "preliminary"}
    for i, p in enumerate(a.programs):
        assert (facts["id"][i], facts["track"][i], facts["specialty"][i]) == (
            p.id,
            p.track,
            p.specialty,
        )
        place = (p.state.value or "", p.region.value or "", p.setting.value or "")
        assert (facts["state"][i], facts["region"][i], facts["setting"][i]) == place
    assert fee_groups(facts) == tuple(fee_group(p) for p in a.programs)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Internal Medicine", "Family Medicine", "Neurology", "Psychiatry"]),
            st.sampled_from(["categorical", "preliminary", "advanced"]),
        ),
        max_size=60,
    )
)
def test_fee_groups_name_each_program_by_its_specialty_and_track(
    pairs: list[tuple[str, str]],
) -> None:
    facts = {
        "specialty": np.array([s for s, _ in pairs], dtype=str),
        "track": np.array([t for _, t in pairs], dtype=str),
    }
    groups = fee_groups(facts)
    assert groups == tuple(fee_group_of(s, t) for s, t in pairs)
    assert all(type(g) is str for g in groups)  # plain strings, as the chain's sort reads them


def test_filters_keep_what_each_filter_allows(catalog: Catalog) -> None:
    a = _assessment(catalog)
    dropped = a.programs[3].id
    filters = ListFilters(
        states=frozenset({"NY", "CA", "TX", "FL"}),
        exclude_states=frozenset({"CA"}),
        regions=frozenset({"Northeast", "South", "West"}),
        settings=frozenset({"community", "university"}),
        tracks=frozenset({"categorical"}),
        exclude=frozenset({dropped}),
    )
    expected = [
        i
        for i, p in enumerate(a.programs)
        if p.track == "categorical"
        and p.id != dropped
        and p.state.value in {"NY", "TX", "FL"}
        and p.region.value in {"Northeast", "South", "West"}
        and p.setting.value in {"community", "university"}
    ]
    assert expected
    assert np.flatnonzero(filters.allows(a.facts)).tolist() == expected
