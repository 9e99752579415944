"""`catalog_counts` keeps what no applicant changes per list of programs and visa need, and reads
the programs shut from the model's own verdicts: its counts must be those of every program
checked one by one, whether the kept side is fresh or reused, for every reference applicant and
visa need, and the plan's shut programs are the ones the results page counts as ruled out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from smartpick.core.plan import counts as counts_module
from smartpick.core.plan.counts import catalog_counts
from smartpick.core.rules.eligibility import DEFAULT_TRACKS, check
from smartpick.core.rules.screens import screened, screens
from smartpick.core.rules.visas import specialty_visa_rates
from smartpick.service.assess import assess
from smartpick.testing import REFERENCE_NAMES, reference_profile


def _shut(profile, catalog) -> dict[str, frozenset[str]]:
    """The hard rules behind each program the results page counts as ruled out."""
    return assess(profile, catalog=catalog, tracks=DEFAULT_TRACKS).exclusion_rules()


def _one_by_one(profile, specialty, programs) -> dict[str, object]:
    """The applicant-dependent counts with the rules and screens run at each program."""
    rates = specialty_visa_rates([p for p in programs if p.specialty == specialty])
    ps = [p for p in programs if p.specialty == specialty and p.track in DEFAULT_TRACKS]
    rules = [{r.rule for r in check(profile, p, rates).exclusions} for p in ps]
    applicant = screened(profile)
    by_kind: dict[str, int] = {}
    for p in ps:
        for kind in {s.kind for s in screens(applicant, p)}:
            by_kind[kind] = by_kind.get(kind, 0) + 1
    return {
        "programs_total": len(ps),
        "shut_by_visa": sum(1 for r in rules if r & {"visa", "h1b_step3"}),
        "shut_by_graduation_limit": sum(1 for r in rules if "graduation_limit" in r),
        "shut_by_usce_requirement": sum(1 for r in rules if "usce_required" in r),
        "screened": by_kind,
    }


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize("visa", ["none", "j1", "h1b", "either"])
def test_counts_are_those_of_each_program_checked_alone(catalog, name: str, visa: str) -> None:
    profile = reference_profile(name)
    profile = profile.model_copy(update={"visa": visa})
    shut = _shut(profile, catalog)
    for specialty in profile.specialties:
        programs = catalog.programs(specialty=specialty)
        counts_module._sides.clear()
        fresh = catalog_counts(profile, specialty, programs, shut=shut)
        reused = catalog_counts(profile, specialty, programs, shut=shut)  # the kept side
        assert reused == fresh
        expected = _one_by_one(profile, specialty, programs)
        assert {k: getattr(fresh, k) for k in expected} == expected
    # another applicant with the same visa need reuses the side and still gets its own counts
    other = replace_scores(profile)
    first = profile.specialties[0]
    programs = catalog.programs(specialty=first)
    counted = catalog_counts(other, first, programs, shut=_shut(other, catalog))
    assert {k: getattr(counted, k) for k in expected} == _one_by_one(other, first, programs)


def replace_scores(profile):
    """The same applicant with a failed Step 1 attempt and a lower Step 2 CK."""
    return profile.model_copy(
        update={"step1": "fail_then_pass", "step1_attempts": 2, "step2ck": 205}
    )


def test_programs_rebuilt_from_an_import_get_their_own_side(catalog) -> None:
    profile = reference_profile("guide-sample")
    first = profile.specialties[0]
    programs = catalog.programs(specialty=first)
    shut = _shut(profile, catalog)
    before = catalog_counts(profile, first, programs, shut=shut)
    # the same programs as new objects, one of them now stating it takes no J-1
    closed = [replace(p) for p in programs]
    j1 = next(i for i, p in enumerate(closed) if p.visa_j1.value == "yes")
    closed[j1] = replace(closed[j1], visa_j1=replace(closed[j1].visa_j1, value="no"))
    after = catalog_counts(
        profile, first, closed, shut={**shut, closed[j1].id: frozenset({"visa"})}
    )
    assert after.visa_sponsoring == before.visa_sponsoring - 1
    assert after.shut_by_visa == before.shut_by_visa + 1
    assert catalog_counts(profile, first, programs, shut=shut) == before


def test_visa_sources_are_the_facts_own(catalog) -> None:
    """Each specialty cites where its stated policies for the applicant's visa come from: IM's
    J-1 facts are FREIDA 2025 (and a few AAMC 2021), Psychiatry's AAMC 2021 only."""
    profile = reference_profile("psych-img")
    for specialty, visa, kinds in (
        ("Psychiatry", "j1", ("j1",)),
        ("Internal Medicine", "j1", ("j1",)),
        ("Internal Medicine", "h1b", ("h1b",)),
        ("Family Medicine", "either", ("j1", "h1b")),
    ):
        applicant = profile.model_copy(update={"visa": visa})
        programs = catalog.programs(specialty=specialty)
        counted = catalog_counts(applicant, specialty, programs, shut={})
        facts = [
            getattr(p, f"visa_{kind}")
            for p in programs
            if p.track in DEFAULT_TRACKS
            for kind in kinds
        ]
        named = {f.source for f in facts if f.value is not None}
        assert set(counted.visa_sources) == named, specialty
    psych = catalog_counts(profile, "Psychiatry", catalog.programs(specialty="Psychiatry"), shut={})
    assert psych.visa_sources == ("AAMC Residency Explorer 2021",)
