"""`rule_key` holds everything the hard rules read from a program: programs with equal keys get
equal eligibility for every applicant, so the model checks one program per key."""

from __future__ import annotations

import dataclasses

import pytest

from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Fact
from smartpick.core.rules.eligibility import check, rule_key
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile

SPECIALTIES = ("Internal Medicine", "Family Medicine", "Psychiatry")


def _applicants() -> list[ApplicantProfile]:
    out = [reference_profile(name) for name in REFERENCE_NAMES]
    base = reference_profile("guide-sample")
    for visa in ("none", "j1", "h1b", "either"):
        out.append(base.model_copy(update={"visa": visa}))
    return out


@pytest.mark.parametrize("specialty", SPECIALTIES)
def test_programs_with_one_key_get_one_eligibility(specialty: str, catalog: Catalog) -> None:
    programs = catalog.programs(specialty=specialty)
    for profile in _applicants():
        first = {}
        for p in programs:
            first.setdefault(rule_key(p, profile.visa), p)
        assert len(first) < len(programs) / 5  # the grouping is worth it
        by_key = {k: check(profile, p) for k, p in first.items()}
        for p in programs:
            assert check(profile, p) == by_key[rule_key(p, profile.visa)], p.id


def test_every_fact_the_rules_read_is_in_the_key(catalog: Catalog) -> None:
    program = catalog.programs(specialty="Internal Medicine")[0]
    changes = {
        "visa_j1": Fact("no", "user import", 2026),
        "visa_h1b": Fact("no", "user import", 2026),
        "min_step1": Fact(250, "user import", 2026),
        "min_step2ck": Fact(260, "user import", 2026),
        "max_years_since_graduation": Fact(1, "user import", 2026),
        "usce_required": Fact(True, "user import", 2026),
        "setting": Fact("military", "user import", 2026),
        "eras": Fact(False, "user import", 2026),
        "nrmp": Fact(False, "user import", 2026),
        "accepting_applications": Fact(False, "user import", 2026),
    }
    for name, fact in changes.items():
        # an applicant the fact matters to (H-1B with a passed Step 3; J-1, a numeric Step 1)
        profile = reference_profile("strong-img" if name == "visa_h1b" else "guide-sample")
        changed = dataclasses.replace(program, **{name: fact})
        assert check(profile, changed) != check(profile, program), name
        assert rule_key(changed, profile.visa) != rule_key(program, profile.visa), name
