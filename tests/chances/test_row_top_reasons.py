"""A listed program's words show its top reasons only, written without the rest of its reasons
(`ChanceRows` words): they must be, text for text, the top reasons its full row explains."""

from __future__ import annotations

import pytest

from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_top_reasons_alone_are_the_explained_ones(name: str, catalog: Catalog) -> None:
    profile = reference_profile(name)
    specialties = (*profile.specialties, "Internal Medicine", "Family Medicine")
    for p in (profile, profile.model_copy(update={"step2ck": None})):
        words = assess(p, specialties=tuple(dict.fromkeys(specialties)), catalog=catalog).rows
        rows = assess(p, specialties=tuple(dict.fromkeys(specialties)), catalog=catalog).rows
        assert len(words) == len(rows) > 100
        for j in range(len(words)):
            assert words.words(j).reasons == rows[j].reasons, j  # written alone / in full
        # once a row is explained in full, its words read the same texts from it
        assert words[0].reasons == words.words(0).reasons
