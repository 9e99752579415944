"""The advisor's pure rules: the guide's bands, the percentile, and which steps apply."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.chances.estimate import Estimate
from smartpick.core.lists.economics import how_many
from smartpick.core.plan.assemble import assess_standing, build_plan
from smartpick.core.plan.figures import dollars, offers, percent, points
from smartpick.core.plan.flags import red_flags
from smartpick.core.plan.guide import competitiveness_group
from smartpick.core.plan.standing import (
    FiveNumber,
    match_rates,
    place_score,
    step1_band,
    step2ck_band,
)
from smartpick.core.plan.timeline import submission_month
from smartpick.core.plan.types import CatalogCounts, ListFacts, Outcome, Price
from smartpick.core.profile import ApplicantProfile, profile_from_dict
from smartpick.core.rules.certification import step2ck_block
from smartpick.testing import possible_visa

# NRMP Charting Outcomes 2026, Internal Medicine, non-US IMGs, Step 2 CK.
IM_MATCHED = FiveNumber(2649, 209, 240, 251, 259, 284)
IM_NOT_MATCHED = FiveNumber(2730, 209, 233, 243, 253, 279)


def _profile(**fields) -> ApplicantProfile:
    base = {
        "applicant_type": "non_us_img",
        "visa": "j1",
        "step1": 209,
        "step2ck": 224,
        "match_year": 2027,
        "graduation_year": 2025,
        "usce": [{"months": 1, "kind": "observership"}],
        "us_letters": 1,
        "us_letters_by_specialty": {"Internal Medicine": 1},
        "specialties": ["Internal Medicine"],
    }
    return profile_from_dict({**base, **fields})


def _with(profile: ApplicantProfile, **changes) -> ApplicantProfile:
    return profile_from_dict({**profile.model_dump(), **changes})


GUIDE_SAMPLE = _profile()
STRONG = _profile(
    visa="h1b",
    step1="pass",
    step2ck=256,
    step3=240,
    graduation_year=2026,
    usce=[{"months": 6, "kind": "hands_on"}],
    us_letters=3,
    us_letters_by_specialty={"Internal Medicine": 3},
    publications=4,
    specialties=["Internal Medicine", "Neurology"],
)
COUNTS = CatalogCounts(
    specialty="Internal Medicine",
    programs_total=600,
    visa_sponsoring=400,
    visa_not_sponsoring=150,
    visa_unknown=50,
    h1b_programs=200,
    opened_by_h1b=20,
    shut_by_visa=150,
    shut_by_any_rule=150,
    shut_by_graduation_limit=0,
    shut_by_usce_requirement=0,
)
_CURVE = [(n, 80 + 11 * min(n, 30) + 30 * max(n - 30, 0), 0.5 * (1 - 0.98**n)) for n in range(120)]
LIST = ListFacts(
    programs=40,
    how_many=how_many(
        match_value_usd=60_000,
        is_default=True,
        curve=_CURVE,
        rule_index=85,
        listed=40,
        limited_by="budget",
        specialties=("Internal Medicine",),
    ),
    p_match_by_count=[(n, p) for n, _, p in _CURVE],
    settings={"university": 10, "university_affiliated_community": 20, "community": 10},
    budget_usd=None,
)


def _plan(profile: ApplicantProfile, months: int = 12):
    standing = assess_standing(
        profile,
        place_score(
            "Internal Medicine",
            profile.step2ck or 0,
            IM_MATCHED,
            IM_NOT_MATCHED,
            match_rate_pct=48.5,
            source="NRMP Charting Outcomes 2026",
        ),
    )
    return build_plan(
        profile,
        standing=standing,
        counts=(COUNTS,),
        list_facts=LIST,
        match_rates={"Internal Medicine": 0.4851, "Family Medicine": 0.5387},
        months_to_eras_open=months,
    )


@pytest.mark.parametrize(
    ("months", "said"),
    [
        (12, "enough for the guide's 6-9 months of preparation if you start now"),
        (9, "enough for the guide's 6-9 months of preparation if you start now"),
        (6, "enough for the shortest of the guide's 6-9 months of preparation if you start now"),
        (5, "there is less time than the guide's 6 months of preparation"),
    ],
)
def test_step3_says_how_much_of_the_preparation_time_is_left(months: int, said: str) -> None:
    step3 = next(s for s in _plan(GUIDE_SAMPLE, months).steps if s.id == "step3")
    assert said in " ".join(step3.actions)


def test_the_volume_step_counts_every_listed_program_and_regions_are_not_repeated() -> None:
    """The list's mix names the programs of unknown setting too (they were left out of the
    count), and the regional preference names only the open regions not already preferred."""
    mixed = replace(LIST, settings={**LIST.settings, "unknown": 3})
    standing = assess_standing(GUIDE_SAMPLE)
    plan = build_plan(
        _with(GUIDE_SAMPLE, preferred_regions=["Midwest"]),
        standing=standing,
        counts=(COUNTS,),
        list_facts=mixed,
        match_rates={},
        months_to_eras_open=12,
    )
    steps = {s.id: s for s in plan.steps}
    assert (
        "10 university, 20 university-affiliated community and 10 community programs (and 3 "
        "of unknown setting)" in " ".join(steps["volume_mix"].actions)
    )
    region = steps["regions"].actions[0]
    # the title asks what the body asks, and "where the guide finds ..." no longer trails the
    # region already preferred
    assert steps["regions"].title == "Also state a geographic preference for the South"
    assert region == (
        "In ERAS, also state a preference for the South: the guide finds the Midwest and the "
        "South more open to IMGs (you already prefer the Midwest)."
    )


def test_a_change_that_rounds_to_nothing_is_never_written_minus_zero() -> None:
    assert points(-0.0004) == "+0.0" and points(0.0004) == "+0.0" and points(-0.0006) == "-0.1"
    assert offers(-0.04, signed=True) == "+0.0" and offers(-0.06, signed=True) == "-0.1"


def test_guide_bands() -> None:
    assert step1_band("score", 209).band == "low"
    assert step1_band("score", 215).band == "competitive"
    assert step1_band("score", 230).band == "above_average"
    assert step1_band("fail_then_pass", None).band == "failed_attempt"
    assert step1_band("not_taken", None) is None
    assert step2ck_band(224).band == "low"
    assert step2ck_band(225).band == "average"
    assert step2ck_band(240).band == "strong"


def test_percentile_hits_published_points() -> None:
    assert IM_MATCHED.percentile_of(251) == 50.0
    assert IM_MATCHED.percentile_of(240) == 25.0
    assert IM_MATCHED.percentile_of(200) == 0.0
    assert IM_MATCHED.percentile_of(290) == 100.0
    standing = place_score(
        "Internal Medicine", 224, IM_MATCHED, IM_NOT_MATCHED, match_rate_pct=48.5, source="x"
    )
    # 224 lies between min 209 and Q1 240 of matched: 25 * 15/31
    assert abs(standing.matched_percentile - 12.1) < 0.1
    assert standing.not_matched_percentile > standing.matched_percentile


@settings(max_examples=40, deadline=None)
@given(st.floats(150, 300), st.floats(150, 300))
def test_percentile_is_monotone(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert IM_MATCHED.percentile_of(lo) <= IM_MATCHED.percentile_of(hi)
    assert 0.0 <= IM_MATCHED.percentile_of(a) <= 100.0


def test_guide_sample_gets_the_guides_plan() -> None:
    plan = _plan(GUIDE_SAMPLE)
    ids = [s.id for s in plan.steps]
    for expected in ("step3", "usce", "letters", "research", "volume_mix", "personal_statement"):
        assert expected in ids
    step3 = next(s for s in plan.steps if s.id == "step3")
    assert step3.change == {"step3": 234}
    assert "Step 3 opens 20 Internal Medicine programs that take no J-1" in step3.why
    usce = next(s for s in plan.steps if s.id == "usce")
    assert usce.change == {"usce_months": 4.0}
    volume = next(s for s in plan.steps if s.id == "volume_mix")
    assert volume.change == {"count": 85}
    assert "85" in volume.title
    flag_ids = {f.id for f in plan.red_flags}
    assert "visa_needed" in flag_ids
    # the timeline covers every step it schedules in order and ends with the interview season
    assert plan.timeline[-1].step_id == "interview"


def _specialty(name: str, total: int, yes: int, no: int, *sources: str, **more) -> CatalogCounts:
    """COUNTS for another specialty: its programs, visa policies (the rest unknown), sources."""
    return replace(
        COUNTS,
        specialty=name,
        programs_total=total,
        visa_sponsoring=yes,
        visa_not_sponsoring=no,
        visa_unknown=total - yes - no,
        visa_sources=sources,
        **more,
    )


def test_the_red_flags_count_every_specialty_applied_to() -> None:
    """low-score-late applies to IM and FM: the J-1 flag said "6 of the 718" (IM alone) where
    the results page counted 415 ruled out, 369 of them FM programs that take no J-1."""
    fm = _specialty(
        "Family Medicine",
        791,
        341,
        369,
        "AAMC Residency Explorer 2021",
        shut_by_visa=369,
        shut_by_any_rule=369,
    )
    # IM: 40 more programs ruled out by other stated rules (not in ERAS, military)
    im = replace(COUNTS, visa_sources=("FREIDA 2025",), shut_by_any_rule=190)
    two = _with(GUIDE_SAMPLE, specialties=["Internal Medicine", "Family Medicine"])
    flags = {f.id: f for f in red_flags(two, (im, fm))}
    visa = flags["visa_needed"]
    assert visa.programs_total == 600 + 791
    assert visa.programs_shut == 150 + 369
    assert "400 of 600 Internal Medicine programs" in visa.detail
    assert "341 of 791 Family Medicine programs" in visa.detail
    # each specialty cites the sources its own visa facts come from, not a fixed list
    assert "Internal Medicine programs state they consider J-1; 150 state no" in visa.detail
    assert "(source: FREIDA 2025). 341" in visa.detail
    assert visa.detail.endswith("(source: AAMC Residency Explorer 2021).")
    assert "2026" not in visa.detail
    assert visa.notes[0] == (
        "SmartPick's list counts 559 programs ruled out by a rule they state: these 519 for the "
        "visa, and 40 for other rules (each program's entry says which)."
    )
    plan = build_plan(
        two,
        standing=assess_standing(two, None, {}),
        counts=(im, fm),
        list_facts=LIST,
        match_rates={},
        months_to_eras_open=12,
    )
    assert next(f for f in plan.red_flags if f.id == "visa_needed").programs_total == 1391


def test_visa_facts_cite_only_their_own_sources() -> None:
    """Psychiatry's visa facts are AAMC Residency Explorer 2021 only: the flag said "FREIDA 2025
    and AAMC Residency Explorer 2021 and 2026" for every specialty."""
    psych = _specialty("Psychiatry", 292, 200, 62, "AAMC Residency Explorer 2021")
    applicant = _with(GUIDE_SAMPLE, specialties=["Psychiatry"])
    visa = next(f for f in red_flags(applicant, (psych,)) if f.id.startswith("visa"))
    assert "(source: AAMC Residency Explorer 2021)" in visa.detail
    assert "FREIDA" not in visa.detail
    unsourced = replace(psych, visa_sources=())
    visa = next(f for f in red_flags(applicant, (unsourced,)) if f.id.startswith("visa"))
    assert "source" not in visa.detail


def test_words_follow_where_the_applicant_stands() -> None:
    """psych-img (Step 2 CK 241, strong for most IMGs) read that a Step 3 would show "academic
    recovery" and that letters matter "with below average board scores": said now only to a
    record the guide calls low, as the guide sample's."""
    strong_score = _with(GUIDE_SAMPLE, step1="pass", step2ck=241)
    steps = {s.id: s for s in _plan(strong_score).steps}
    assert "recovery" not in steps["step3"].why
    assert "Step 2 CK 241, strong for most IMGs (240+)" in steps["step3"].why
    assert "below average" not in steps["letters"].why
    average = {s.id: s for s in _plan(_with(strong_score, step2ck=232)).steps}
    assert "recovery" not in average["step3"].why
    assert "Step 2 CK 232, around average" in average["step3"].why
    low = {s.id: s for s in _plan(GUIDE_SAMPLE).steps}
    assert "academic recovery over your Step 2 CK 224" in low["step3"].why
    assert low["letters"].why.startswith("With below average board scores or a failed attempt")
    failed = {s.id: s for s in _plan(_with(strong_score, step1="fail_then_pass")).steps}
    assert "academic recovery" in failed["step3"].why


def test_strong_profile_gets_a_short_different_plan() -> None:
    strong = _plan(STRONG)
    sample = _plan(GUIDE_SAMPLE)
    ids = {s.id for s in strong.steps}
    assert not ids & {"step3", "usce", "letters", "research", "personal_statement"}
    assert len(strong.steps) < len(sample.steps) / 2
    interview = next(s for s in strong.steps if s.id == "interview")
    assert not any("Step score" in a for a in interview.actions)


def test_failed_attempt_gets_the_guides_advice() -> None:
    late = _with(
        GUIDE_SAMPLE,
        step1="fail_then_pass",
        step1_attempts=2,
        step2ck=221,
        graduation_year=2020,
        usce=[{"months": 3, "kind": "hands_on"}],
        us_letters=2,
        us_letters_by_specialty={"Internal Medicine": 2},
        posters=1,
        specialties=["Internal Medicine", "Family Medicine"],
    )
    plan = _plan(late)
    ids = [s.id for s in plan.steps]
    assert "address_attempt" in ids and "gap_explanation" in ids
    attempt = next(s for s in plan.steps if s.id == "address_attempt")
    assert "Step 1 failed once" in attempt.actions[0]
    assert any("what changed" in a.lower() for a in attempt.actions)
    statement = next(s for s in plan.steps if s.id == "personal_statement")
    assert "Step 2 CK 221 and Step 1 failed once, then passed" in statement.actions[0]
    # no invented facts: a low Step 2 CK is not called a "better later score"
    assert "Step 2 CK 221" in attempt.actions[2] and "better" not in attempt.actions[2]
    flags = {f.id: f for f in plan.red_flags}
    assert "failed_attempt" in flags and "long_since_graduation" in flags
    assert "address_attempt" in flags["failed_attempt"].addressed_by
    # already two specialties: no second-specialty step
    assert "second_specialty" not in ids


def test_low_single_specialty_gets_a_second_specialty() -> None:
    ids = [s.id for s in _plan(GUIDE_SAMPLE).steps]
    assert "second_specialty" in ids
    step = next(s for s in _plan(GUIDE_SAMPLE).steps if s.id == "second_specialty")
    assert step.change == {"specialties": ("Internal Medicine", "Family Medicine")}


def test_step3_too_late_is_flagged() -> None:
    plan = _plan(GUIDE_SAMPLE, months=3)
    step3 = next(s for s in plan.steps if s.id == "step3")
    assert step3.details["before_eras"] is False
    assert "following season" in " ".join(step3.actions)


def test_red_flags_count_programs() -> None:
    no_usce = _with(GUIDE_SAMPLE, usce=[], us_letters=0, us_letters_by_specialty={})
    flags = {f.id: f for f in red_flags(no_usce, (COUNTS,))}
    assert flags["no_usce"].programs_total == 600
    assert flags["visa_needed"].programs_shut == COUNTS.shut_by_visa
    assert "no_us_letters" in flags


def test_competitiveness_groups() -> None:
    assert competitiveness_group("Dermatology").startswith("harder")
    assert "open to IMGs" in competitiveness_group("Family Medicine")
    assert competitiveness_group("Anesthesiology").startswith("not grouped")


def test_plan_json_contract_keys() -> None:
    doc = _plan(GUIDE_SAMPLE).to_dict()
    assert set(doc) >= {"standing", "red_flags", "steps", "timeline", "baseline"}
    step = doc["steps"][0]
    assert set(step) >= {"id", "title", "why", "duration_months", "price", "priceable"}


def test_step3_only_for_low_scores_or_a_visa() -> None:
    """The guide: 'If Step 2 CK is already low: Consider Step 3'; H-1B needs Step 3."""
    average_citizen = _with(
        GUIDE_SAMPLE, applicant_type="us_img", visa="none", step1="pass", step2ck=232
    )
    assert "step3" not in {s.id for s in _plan(average_citizen).steps}
    low_citizen = _with(average_citizen, step2ck=220)
    assert "step3" in {s.id for s in _plan(low_citizen).steps}
    visa = _with(average_citizen, applicant_type="non_us_img", visa="h1b")
    assert "step3" in {s.id for s in _plan(visa).steps}


def test_languages_get_the_service_step_even_for_strong_profiles() -> None:
    assert "service_languages" not in {s.id for s in _plan(STRONG).steps}
    arabic = _with(STRONG, languages=["Arabic"])
    step = next(s for s in _plan(arabic).steps if s.id == "service_languages")
    assert "Arabic" in step.actions[0]


profile_strategy = st.builds(
    lambda kind, visa, step1, step2ck, attempts, step3, years, hands_on, observed, letters, in_spec, items, languages, specialties: (
        _profile(
            applicant_type=kind,
            visa=possible_visa(kind, visa),
            step1=step1,
            step2ck=step2ck,
            step2ck_attempts=attempts if step2ck is not None else 1,
            step3=step3,
            graduation_year=2027 - years,
            usce=[
                {"months": hands_on, "kind": "hands_on"},
                {"months": observed, "kind": "observership"},
            ],
            us_letters=letters + in_spec,
            us_letters_by_specialty={specialties[0]: in_spec},
            abstracts=items,
            languages=languages,
            specialties=specialties,
        )
    ),
    st.sampled_from(["non_us_img", "us_img", "us_md", "us_do"]),
    st.sampled_from(["none", "j1", "h1b", "either"]),
    st.one_of(st.none(), st.integers(180, 280), st.sampled_from(["pass", "fail_then_pass"])),
    st.one_of(st.none(), st.integers(180, 285)),
    st.integers(1, 3),
    st.one_of(st.none(), st.integers(180, 280)),
    st.integers(0, 20),
    st.floats(0, 24),
    st.floats(0, 12),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 5),
    st.sampled_from([[], ["Spanish"], ["Arabic", "French"]]),
    st.sampled_from(
        [["Internal Medicine"], ["Internal Medicine", "Family Medicine"], ["Dermatology"]]
    ),
)


@settings(max_examples=60, deadline=None)
@given(profile_strategy, st.integers(0, 20))
def test_any_profile_gets_a_consistent_plan(profile: ApplicantProfile, months: int) -> None:
    plan = _plan(profile, months=months)
    ids = [s.id for s in plan.steps]
    assert len(ids) == len(set(ids))
    blocked = step2ck_block(profile)  # a failing Step 2 CK: the plan is the retake, no list
    assert "volume_mix" in ids and ("interview" in ids) == (blocked is None)
    if blocked is not None:
        assert ids[0] == "step2ck" and plan.steps[0].change is not None
    for entry in plan.timeline:
        assert entry.step_id in ids and 0 <= entry.start_month <= entry.end_month
    for flag in plan.red_flags:
        assert set(flag.addressed_by) <= set(ids)
    for step in plan.steps:
        assert step.price is None and step.why and step.actions
    if profile.step3_passed:
        assert "step3" not in ids
    elif (
        profile.step3 is not None
        and profile.applicant_type in ("non_us_img", "us_img")
        and blocked is None
    ):
        assert "step3" in ids  # a failed Step 3 is offered again (after a Step 2 CK pass)
    if profile.usce_hands_on_months >= 4 or blocked is not None:
        assert "usce" not in ids
    if profile.letters_in(profile.specialties[0]) >= 3:
        assert "letters" not in ids
    if profile.failed_attempts:
        assert "address_attempt" in ids


def test_harder_specialty_with_low_scores_gets_the_specialty_choice_step() -> None:
    derm = _with(GUIDE_SAMPLE, specialties=["Dermatology"], us_letters_by_specialty={})
    plan = _plan(derm)
    step = next(s for s in plan.steps if s.id == "specialty_choice")
    assert "Dermatology" in step.title
    assert "Dermatology" in step.guide
    assert step.why.startswith("Programs in these specialties scrutinize scores heavily")
    # a harder first choice gets the guide's default second specialty, FM
    second = next(s for s in plan.steps if s.id == "second_specialty")
    assert second.change == {"specialties": ("Dermatology", "Family Medicine")}
    assert "specialty_choice" not in {s.id for s in _plan(GUIDE_SAMPLE).steps}


def test_h1b_without_step3_shuts_every_program_and_step3_comes_first() -> None:
    h1b = _with(GUIDE_SAMPLE, visa="h1b")
    # as the eligibility rules say
    shut_all = replace(COUNTS, shut_by_visa=600, shut_by_any_rule=600)
    flags = {f.id: f for f in red_flags(h1b, (shut_all,))}
    assert flags["visa_few_sponsors"].programs_shut == COUNTS.programs_total
    assert "needs a passed Step 3" in flags["visa_few_sponsors"].detail
    empty = replace(LIST, programs=0, p_match_by_count=[], settings={})
    standing = assess_standing(h1b, None, {})
    plan = build_plan(
        h1b,
        standing=standing,
        counts=(COUNTS,),
        list_facts=empty,
        match_rates={},
        months_to_eras_open=12,
    )
    volume = next(s for s in plan.steps if s.id == "volume_mix")
    assert volume.change is None and "No program" in volume.title
    assert plan.steps[0].id == "step3"


def test_us_graduates_get_no_img_flags() -> None:
    md = _with(
        GUIDE_SAMPLE,
        applicant_type="us_md",
        visa="none",
        usce=[],
        us_letters=0,
        us_letters_by_specialty={},
    )
    ids = {f.id for f in red_flags(md, (COUNTS,))}
    assert not ids & {"no_usce", "no_us_letters", "visa_needed", "visa_few_sponsors"}
    assert "usce" not in {s.id for s in _plan(md).steps}


def test_pending_step2ck_gets_the_guides_target() -> None:
    pending = _with(GUIDE_SAMPLE, step2ck=None)
    plan = _plan(pending)
    step = next(s for s in plan.steps if s.id == "step2ck")
    assert step.change == {"step2ck": 224}  # Step 1 209 + 15
    assert "10-15 points" in step.actions[0]
    order = {e.step_id: e for e in plan.timeline}
    assert order["step3"].start_month >= order["step2ck"].end_month
    pass_fail = _with(pending, step1="pass")
    strong = next(s for s in _plan(pass_fail).steps if s.id == "step2ck")
    assert strong.change == {"step2ck": 240} and strong.details["target_score"] == 240
    # priced against the chance shown now, which takes the missing score as the passing one
    assert "compare_with" not in step.details
    assert step.details["assumed_score"] == 218
    assert "passing score 218" in str(step.details["priced_as"])
    assert "step2ck" not in {s.id for s in _plan(GUIDE_SAMPLE).steps}


def test_regions_step_adds_the_guides_open_regions() -> None:
    step = next(s for s in _plan(GUIDE_SAMPLE).steps if s.id == "regions")
    assert step.change == {"preferred_regions": ("Midwest", "South")}
    assert step.title == "State a geographic preference for the Midwest and the South"
    assert step.actions[0] == (
        "In ERAS, state a preference for the Midwest and the South, where the guide finds "
        "programs more open to IMGs."
    )
    west = _with(GUIDE_SAMPLE, preferred_regions=["West"])
    step = next(s for s in _plan(west).steps if s.id == "regions")
    assert step.change == {"preferred_regions": ("Midwest", "South", "West")}
    both = _with(GUIDE_SAMPLE, preferred_regions=["South", "Midwest"])
    assert "regions" not in {s.id for s in _plan(both).steps}
    assert "regions" not in {s.id for s in _plan(STRONG).steps}


def test_repeated_step3_counts_as_a_failed_attempt() -> None:
    repeat = _with(STRONG, step3=225, step3_attempts=2)
    flags = {f.id: f for f in red_flags(repeat, (COUNTS,))}
    assert "Step 3 taken 2 times" in flags["failed_attempt"].detail
    plan = _plan(repeat)
    statement = next(s for s in plan.steps if s.id == "personal_statement")
    assert "Step 3 taken 2 times" in statement.actions[0]


def test_standing_names_the_match_rate_rounded_once() -> None:
    """IM: 3392 of 6992 non-US IMGs matched (48.51%). Kept as 48.5 and formatted again it read
    48%, where the results page reads 49%: the plan rounds the exact rate once."""
    assert match_rates()["Internal Medicine"] == 3392 / 6992
    standing = assess_standing(GUIDE_SAMPLE, None, {"Internal Medicine": 3392 / 6992})
    assert (
        "match rate 49% (NRMP Charting Outcomes 2026)"
        in standing.competitiveness["Internal Medicine"]
    )
    derm = _with(GUIDE_SAMPLE, specialties=["Dermatology"])
    why = next(s for s in _plan(derm).steps if s.id == "specialty_choice").why
    assert "Internal Medicine" not in why  # only the applicant's specialties are named


def test_dollars_are_written_one_way() -> None:
    """Every face writes money as "$4,160" (advise printed "4,160 USD"); a change is signed and a
    change that rounds to nothing reads "+$0"."""
    assert dollars(4160.0) == "$4,160" and dollars(1020.4, signed=True) == "+$1,020"
    assert dollars(-1500.0, signed=True) == "-$1,500" and dollars(-0.4, signed=True) == "+$0"


def test_figures_round_once_from_the_exact_value() -> None:
    """psych-img's 7.25125 interview offers read 7.3 in the summary but 7.2 in the step prices
    (formatted again from the JSON's 7.25); strong-img's +0.052539 read +5.3 and +5.2. Every face
    now writes the exact value once, so both read as the summary did."""
    assert offers(7.251250570181327) == "7.3" and offers(0.86, signed=True) == "+0.9"
    assert points(0.05253912217124279) == "+5.3" and percent(0.4851258581235698) == "49%"
    one = Estimate(7.251250570181327, 1.6, 12.1)
    outcome = Outcome(Estimate(0.75, 0.45, 0.85), one, 6320.0, 227)
    changed = replace(outcome, expected_interviews=Estimate(9.849234793430174, 2.0, 15.0))
    price = Price(
        outcome,
        changed,
        Estimate(0.05253912217124279, 0.04, 0.08),
        Estimate(2.6, 0.5, 3.0),
        0.0,
        {"step3": 251},
    )
    shown = price.to_dict()["shown"]
    assert shown["interviews_before"] == "7.3" and shown["interviews_after"] == "9.8"
    assert shown["delta_p_match"] == "+5.3"
    # the JSON's numbers stay rounded for programs; formatted again they would read otherwise
    assert price.to_dict()["baseline"]["expected_interviews"]["point"] == 7.25
    assert f"{7.25:.1f}" == "7.2"
    # the CLI and the PDF write the same figures
    from smartpick.cli.advise_cmd import _price_cells
    from smartpick.export.pdf import price_line

    cells = _price_cells(price)
    assert cells["change"].startswith("+5.3 points") and cells["chance of matching"] == "75% → 75%"
    line = price_line(price)
    assert "interview offers 7.3 -> 9.8" in line and "change +5.3 points" in line


@pytest.mark.parametrize(
    ("months", "lead", "expected"),
    [
        (7, 0, (7, True)),  # the season opens in 7 months: the list goes in then
        (7, 6, (7, True)),
        (3, 6, (15, False)),  # too soon for 6 months of preparation: the next season
        (-2, 0, (0, True)),  # opened 2 months ago, programs not reviewing yet: now
        (-2, 6, (10, False)),  # the next opening is 12 months after this one, not after today
        (-5, 0, (7, False)),  # programs already reviewing: the next season
        (-5, 9, (19, False)),
    ],
)
def test_the_list_goes_in_at_the_right_opening(months, lead, expected) -> None:
    assert submission_month(months, lead) == expected
