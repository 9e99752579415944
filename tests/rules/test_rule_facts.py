"""`RuleFacts` holds everything the hard rules read from the applicant: the model works them out
once per request and checks every program with them, so they must give what the profile gives."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.core.profile import ApplicantProfile, UsceEntry
from smartpick.core.programs import Fact, Program
from smartpick.core.rules.eligibility import RuleFacts, check, rule_key
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile

# program facts that turn each hard rule on (user imports; the catalog states few of them)
_STATED = {
    "visa_j1": Fact("no", "user import", 2026),
    "visa_h1b": Fact("no", "user import", 2026),
    "min_step1": Fact(230, "user import", 2026),
    "min_step2ck": Fact(245, "user import", 2026),
    "max_years_since_graduation": Fact(3, "user import", 2026),
    "usce_required": Fact(True, "user import", 2026),
    "setting": Fact("military", "user import", 2026),
    "eras": Fact(False, "user import", 2026),
    "nrmp": Fact(False, "user import", 2024),
    "accepting_applications": Fact(False, "user import", 2020),  # stale: a warning
}


@pytest.fixture(scope="module")
def programs(catalog: Catalog) -> list[Program]:
    """One program per rule key of Internal Medicine, and one with each stated rule."""
    im = catalog.programs(specialty="Internal Medicine")
    first = {rule_key(p): p for p in reversed(im)}
    stated = [dataclasses.replace(im[0], **{name: fact}) for name, fact in _STATED.items()]
    return list(first.values()) + stated


_profiles = st.builds(
    dict,
    visa=st.sampled_from(["none", "j1", "h1b", "either"]),
    step1=st.one_of(st.none(), st.integers(200, 260), st.sampled_from(["pass", "fail_then_pass"])),
    step2ck=st.one_of(st.none(), st.integers(200, 270)),
    step3=st.one_of(st.none(), st.integers(190, 230)),
    step3_date=st.sampled_from([None, "2019-05", "2021-03", "2023-12", "2024-01-15", "2025-06"]),
    graduation_year=st.integers(2015, 2026),
    usce=st.sampled_from(
        [(), (UsceEntry(months=2, kind="observership"),), (UsceEntry(months=3, kind="hands_on"),)]
    ),
)
_applicants = _profiles.map(
    lambda update: reference_profile("guide-sample").model_copy(update=update)
)
_examples = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_examples
@given(applicant=_applicants)
def test_the_rules_read_the_applicant_only_through_its_facts(
    programs: list[Program], applicant: ApplicantProfile
) -> None:
    # another applicant's profile with this one's facts: the same results as this profile alone
    other: ApplicantProfile = reference_profile("strong-img")
    facts = RuleFacts.of(applicant)
    for p in programs:
        assert check(other, p, facts=facts) == check(applicant, p), p.id


@_examples
@given(applicant=_applicants)
def test_each_stated_rule_excludes_as_the_profile_says(
    programs: list[Program], applicant: ApplicantProfile
) -> None:
    step1 = applicant.step1_score
    fails = {
        "min_step1": step1 is not None and step1 < 230,
        "min_step2ck": applicant.step2ck is not None and applicant.step2ck < 245,
        "graduation_limit": applicant.years_since_graduation > 3,
        "usce_required": applicant.usce_hands_on_months == 0,
        "military": True,
        "participation": True,
    }
    stated = dict(zip(_STATED, programs[-len(_STATED) :], strict=True))
    for name, rule in (
        ("min_step1", "min_step1"),
        ("min_step2ck", "min_step2ck"),
        ("max_years_since_graduation", "graduation_limit"),
        ("usce_required", "usce_required"),
        ("setting", "military"),
        ("eras", "participation"),
        ("nrmp", "participation"),
    ):
        rules = {r.rule for r in check(applicant, stated[name]).exclusions}
        assert (rule in rules) == fails[rule], name
    no_longer = stated["accepting_applications"]
    old = no_longer.accepting_applications.year
    for evidence, warned in ((None, True), (no_longer.interview_evidence, False)):
        # an old "no" warns, unless a later cycle's ERAS applications to it are counted
        assert evidence is None or evidence.year > old
        stale = check(applicant, dataclasses.replace(no_longer, interview_evidence=evidence))
        assert "participation" not in {r.rule for r in stale.exclusions}
        assert (f"accepting applications after {old}" in stale.unknowns) is warned
    # H-1B needs a passed Step 3 (read from the profile's score and test date); with "either"
    # it shows only where the J-1 is shut too
    passed = applicant.step3_passed
    for p in programs:
        rules = {r.rule for r in check(applicant, p).exclusions}
        if applicant.visa == "h1b":
            assert ("h1b_step3" in rules) == (not passed and p.visa_h1b.value != "no"), p.id
        elif "h1b_step3" in rules:
            assert applicant.visa == "either" and not passed, p.id
