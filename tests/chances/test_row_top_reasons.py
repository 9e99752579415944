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


def test_a_caveat_that_may_shut_the_program_leads_its_top_reasons(catalog: Catalog) -> None:
    """A J-1 applicant's program that lists no visa, or that did not take ERAS applications in
    2021, says so among its few top reasons, ahead of its 2026 evidence, however much of that
    evidence there is; a policy merely not known does not take that place."""
    rows = assess(reference_profile("guide-sample"), catalog=catalog).rows
    led = 0
    for j in range(len(rows)):
        row = rows[j]
        if not row.eligible:
            continue
        program = catalog.get(row.program_id)
        caveat = program.visa_j1.value == "none_listed" or False in (
            program.eras.value,
            program.nrmp.value,
            program.accepting_applications.value,
        )
        first = row.reasons[0]
        assert (
            first.startswith(("No visa listed", "Did not take", "Was not accepting")) is caveat
        ), program.id
        led += caveat
    assert led >= 10
