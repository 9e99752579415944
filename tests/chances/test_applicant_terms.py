"""The applicant's terms computed by parts (draw 0 for every program, the other draws for the
programs asked for, the pool's geographic term once per specialty) give the numbers of computing
every draw of every program at once, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from smartpick.core.chances.assumptions import CONNECTION_CAP
from smartpick.core.chances.connections import connection_kinds
from smartpick.core.chances.draw_kernels import applicant_eta
from smartpick.core.chances.specialty_arrays import pool_geography, program_major
from smartpick.core.chances.terms import ApplicantTerms, visa_factor
from smartpick.service.assess import fitted_model
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile

SPECIALTIES = ("Internal Medicine", "Family Medicine", "Psychiatry", "Neurology")


@pytest.mark.parametrize("specialty", SPECIALTIES)
def test_pool_geography_of_some_programs_equals_their_own_product(
    specialty: str, catalog: Catalog
) -> None:
    d = fitted_model().context(specialty, catalog.programs(specialty=specialty))
    rng = np.random.default_rng(7)
    for kind in ("non_us_img", "us_img", "us_md"):
        mix = np.array(d.reference.type_mix["geographic"][kind])
        for size in (1, 2, 3, 4, 5, 7, 8, 9, 16, 33, d.size // 2, d.size - 1, d.size):
            idx = np.sort(rng.choice(d.size, size, replace=False))
            values, columns = pool_geography(d, kind, idx)
            assert np.array_equal(values[:, columns], d.geo[:, idx] @ mix)


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_terms_asked_by_parts_equal_the_whole_computation(name: str, catalog: Catalog) -> None:
    profile = reference_profile(name)
    specialty = profile.specialties[0]
    d = fitted_model().context(specialty, catalog.programs(specialty=specialty))
    idx = np.flatnonzero([p.track == "categorical" for p in d.base.programs])
    every = np.arange(idx.size)
    terms = ApplicantTerms(profile, d, idx)
    whole = terms.compute(slice(None), every)
    some = np.random.default_rng(3).choice(idx.size, size=min(idx.size, 25), replace=False)
    for first, rest in zip(terms.terms(some, slice(1, terms.d1)), whole, strict=True):
        assert np.array_equal(first, rest[1:, some])
    for part, rest in zip(terms.terms(every, slice(0, terms.d1)), whole, strict=True):
        assert np.array_equal(part, rest)


def test_connections_found_by_the_index_of_codes_are_those_read_from_the_programs(
    catalog: Catalog,
) -> None:
    """`ApplicantTerms` finds a connection's program id in the specialty's index of codes; the
    plain `connection_kinds` reads the programs: the same kinds, at a subset of the programs."""
    d = fitted_model().context("Internal Medicine", catalog.programs(specialty="Internal Medicine"))
    idx = np.flatnonzero([p.track == "categorical" for p in d.base.programs])
    programs = [d.base.programs[i] for i in idx]
    outside = next(p for p in d.base.programs if p.track != "categorical")
    data = reference_profile("guide-sample").model_dump()
    data["connections"] = [
        {"program_id": programs[3].id, "kind": "alumni"},
        {"program_id": programs[3].id.lower(), "kind": "rotation"},
        {"program_id": programs[7].acgme_code, "kind": "faculty"},
        {"program_id": outside.id, "kind": "rotation"},
        {"program_id": "9999999999", "kind": "other"},
        {"institution": programs[11].institution.value or programs[11].name, "kind": "alumni"},
    ]
    profile = type(reference_profile("guide-sample")).model_validate(data)
    kinds = ApplicantTerms(profile, d, idx).connections
    assert kinds == connection_kinds(profile, programs)
    assert kinds[3] == "rotation" and kinds[7] == "faculty" and kinds[11] == "alumni"


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_the_draws_read_by_program_are_the_draws_read_by_row(name: str, catalog: Catalog) -> None:
    """The bootstrap draws' eta, visa factor, signal effects and conversions read from the
    arrays laid out by program (`program_major`) are those read by draw, bit for bit; the layout
    is made once and kept."""
    profile = reference_profile(name)
    specialty = profile.specialties[0]
    d = fitted_model().context(specialty, catalog.programs(specialty=specialty))
    terms = ApplicantTerms(profile, d, np.arange(d.size))
    at = np.sort(np.random.default_rng(11).choice(d.size, size=min(d.size, 90), replace=False))
    for rows in (slice(1, terms.d1), slice(4, 9)):
        by_program = terms.compute(rows, at)[0]
        first, stop, _ = rows.indices(terms.d1)
        by_row = np.empty((stop - first, at.size))
        applicant_eta(
            d.alpha(terms.kind), d.beta, terms.score_by_draw, d.fail, terms.fail_terms, d.geo,
            terms.level[at], terms.pool_geo, terms.pool_columns[at], d.home,
            terms.in_state[at] - terms.home_mix, terms.connected, terms.connection[at],
            terms.shares, CONNECTION_CAP, terms.assumed, terms.research[:, 0],
            terms.university[at], terms.idx[at], first, by_row,
        )  # fmt: skip
        assert np.array_equal(by_program, by_row)
        visa = visa_factor(profile, d, terms.idx[at], rows)  # from the arrays by draw
        assert np.array_equal(terms.compute(rows, at)[2], visa)
    x, _, conversion = terms.list_parts(at, at % d.gamma.shape[2])
    j = terms.idx[at]
    assert np.array_equal(
        x, terms.compute(slice(1, terms.d1), at)[0] + d.gamma[1:, j, at % d.gamma.shape[2]]
    )
    assert np.array_equal(conversion, d.conversion[1:, j])
    kept = program_major(d, terms.kind, terms.pool_geo)
    assert program_major(d, terms.kind, terms.pool_geo) is kept
    assert np.array_equal(kept.alpha, d.alpha(terms.kind).T)
