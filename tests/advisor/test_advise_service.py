"""`advise` and `whatif` on the real catalog, model and optimizer."""

from __future__ import annotations

import math

import pytest

from smartpick.core.profile.whatif import apply_changes
from smartpick.core.rules.season import Season
from smartpick.errors import InvalidInput
from smartpick.service.advise import advise
from smartpick.service.whatif import whatif
from smartpick.testing import reference_profile
from tests.advisor.advisor_helpers import TODAY, RecordingRecommender


def _step(plan, step_id):
    return next(s for s in plan.steps if s.id == step_id)


def test_guide_sample_plan_recommends_the_guides_steps_each_priced(guide_sample_run) -> None:
    plan, _ = guide_sample_run
    ids = [s.id for s in plan.steps]
    for step_id in ("step3", "usce", "letters", "volume_mix"):
        assert step_id in ids, ids
        step = _step(plan, step_id)
        assert step.price is not None, (step_id, step.price_error)
        assert step.why and step.actions and step.duration_months[0] <= step.duration_months[1]
    # the guide's own targets for its sample applicant
    assert _step(plan, "step3").change == {"step3": 234}
    assert _step(plan, "usce").change == {"usce_months": 4.0}
    assert _step(plan, "letters").change == {"us_letters_in_specialty": 3}
    # Step 3, hands-on USCE and letters each raise P(match) for this applicant
    for step_id in ("step3", "usce", "letters", "regions"):
        assert _step(plan, step_id).price.delta_p_match.point > 0


def test_every_price_comes_from_rerunning_the_optimizer(guide_sample_run) -> None:
    plan, spy = guide_sample_run
    baseline_profile, baseline_options = spy.calls[0]
    assert baseline_profile == reference_profile("guide-sample")
    results = {}
    for profile, options in spy.calls:
        results.setdefault((profile.model_dump_json(), options.get("count")), (profile, options))
    priced = [s for s in plan.steps if s.price is not None]
    assert len(priced) >= 4
    base = reference_profile("guide-sample")
    expected_profiles = {
        "step3": lambda p: p.step3 == 234,
        "usce": lambda p: p.usce_hands_on_months == 4,
        "letters": lambda p: p.letters_in("Internal Medicine") == 3,
        "volume_mix": lambda p: p == base,
    }
    for step in priced:
        check = expected_profiles.get(step.id)
        if check is None:
            continue
        matching = [
            (p, o)
            for p, o in spy.calls[1:]
            if check(p) and (step.id != "volume_mix" or o.get("count") == step.change["count"])
        ]
        assert matching, f"{step.id}: no optimizer run on the changed profile"
    # the baseline every price starts from is the first run's result, and the changed side of
    # each price is the optimizer's result on the changed profile (recomputed independently)
    from smartpick.service.recommend import recommend

    base_rec = recommend(base)
    step3 = _step(plan, "step3")
    assert math.isclose(step3.price.baseline.p_match.point, base_rec.p_match.point, abs_tol=1e-9)
    changed_rec = recommend(apply_changes(base, {"step3": 234})[0])
    assert math.isclose(step3.price.changed.p_match.point, changed_rec.p_match.point, abs_tol=1e-9)
    assert math.isclose(
        step3.price.delta_p_match.point,
        changed_rec.p_match.point - base_rec.p_match.point,
        abs_tol=1e-9,
    )
    assert step3.price.changed.fees_usd == changed_rec.total_fees_usd


def test_prices_follow_the_model_inputs(catalog) -> None:
    """Not a constant: a higher Step 3 target is worth more; a different applicant, different."""
    sample = reference_profile("guide-sample")
    low = whatif(sample, {"step3": 225}, catalog=catalog)
    high = whatif(sample, {"step3": 255}, catalog=catalog)
    assert high.price.delta_p_match.point > low.price.delta_p_match.point
    other = whatif(reference_profile("average-img"), {"step3": 255}, catalog=catalog)
    assert other.price.delta_p_match.point != high.price.delta_p_match.point


def test_whatif_prices_several_changes_at_once(catalog) -> None:
    spy = RecordingRecommender()
    result = whatif(
        reference_profile("guide-sample"),
        {"step3": 240, "usce_months": 4},
        catalog=catalog,
        recommender=spy,
    )
    assert result.runs == 2 and len(spy.calls) == 2
    changed_profile = spy.calls[1][0]
    assert changed_profile.step3 == 240 and changed_profile.usce_hands_on_months == 4
    doc = result.to_dict()
    assert set(doc) >= {"changes", "baseline", "changed", "delta", "runs"}
    d = doc["delta"]["p_match"]
    assert d["low"] <= d["point"] <= d["high"]
    assert d["point"] > 0
    moved = doc["list_changes"]
    base_ids = {r.program.id for r in spy_results(spy, 0).programs}
    new_ids = {r.program.id for r in spy_results(spy, 1).programs}
    assert {r["program_id"] for r in moved["added"]} == new_ids - base_ids
    assert {r["program_id"] for r in moved["removed"]} == base_ids - new_ids


def spy_results(spy: RecordingRecommender, index: int):
    return spy.results[index]


def test_whatif_rejects_unknown_keys_and_bad_values(catalog) -> None:
    sample = reference_profile("guide-sample")
    with pytest.raises(InvalidInput, match="not a what-if key"):
        whatif(sample, {"step4": 250}, catalog=catalog)
    with pytest.raises(InvalidInput, match="count"):
        apply_changes(sample, {"count": 0})
    with pytest.raises(InvalidInput, match="step3"):
        apply_changes(sample, {"step3": 400})
    with pytest.raises(InvalidInput, match="changes"):
        whatif(sample, {}, catalog=catalog)


def test_strong_profile_gets_a_short_plan(strong_plan, guide_sample_run) -> None:
    plan, _ = guide_sample_run
    ids = {s.id for s in strong_plan.steps}
    assert not ids & {"step3", "usce", "letters", "research", "personal_statement"}
    # At most: a connection, the J-1 option (H-1B), volume and interviews; nothing remedial.
    assert len(strong_plan.steps) <= 4 < len(plan.steps)
    assert strong_plan.standing.step2ck.band == "strong"
    assert strong_plan.standing.specialty.matched_percentile > 50


def test_failed_attempt_gets_the_guides_advice(late_plan) -> None:
    ids = [s.id for s in late_plan.steps]
    assert "address_attempt" in ids and "personal_statement" in ids
    attempt = _step(late_plan, "address_attempt")
    assert "Step 1 failed once" in attempt.actions[0]
    assert "honest" in attempt.guide
    flags = {f.id: f for f in late_plan.red_flags}
    assert flags["failed_attempt"].programs_narrowed is not None  # measured by the model
    assert 0 < flags["failed_attempt"].median_interview_cut < 1
    assert "long_since_graduation" in flags


def test_visa_flag_and_h1b_counts_match_the_catalog(guide_sample_run, catalog) -> None:
    plan, spy = guide_sample_run
    im = [p for p in catalog.programs(specialty="Internal Medicine") if p.track == "categorical"]
    flag = next(f for f in plan.red_flags if f.id.startswith("visa"))
    assert flag.programs_total == len(im)
    # "shut" means what the model excludes (a stated "no"); FREIDA's empty list only lowers it
    from smartpick.service.assess import assess

    excluded = assess(reference_profile("guide-sample"), catalog=catalog).excluded
    visa_shut = [e for e in excluded if any(r.rule == "visa" for r in e.reason_details)]
    assert flag.programs_shut == len(visa_shut) == sum(p.visa_j1.value == "no" for p in im)
    details = _step(plan, "step3").details
    assert details["h1b_programs"] == sum(p.visa_h1b.value == "yes" for p in im)
    # the H-1B option states the payment as the visa flag dates it: past its announced end
    assert "announced until 21 September 2026" in " ".join(_step(plan, "step3").actions)
    opened = details["h1b_option"]["programs_opened"]
    # one rule for both counts: the step's words give the programs its price opens (4), not the
    # 7 that state H-1B but not J-1 (one unknown, already open; two not in ERAS)
    assert opened == details["opened_by_h1b"] == 4
    step3 = _step(plan, "step3")
    assert f"Step 3 opens {opened} Internal Medicine programs that take no J-1" in step3.why
    # said once: the H-1B option's action gives the price, not the count again
    assert not any("Step 3 opens" in a for a in step3.actions)
    assert details["h1b_option"]["price"]["change"] == {"step3": 234, "visa": "either"}
    usce = _step(plan, "usce")
    ties = usce.details["tie_programs"]
    tie_price = usce.details["tie_price"]
    assert tie_price["program_id"] == ties[0]["program_id"]
    # a rotation at the program is a tie there: worth at least the same months elsewhere
    assert tie_price["delta"]["p_match"]["point"] >= usce.price.delta_p_match.point - 0.005
    assert any(any(e.program_id == ties[0]["program_id"] for e in p.usce) for p, _ in spy.calls)
    assert ties and all(
        t["setting"] in ("university", "university_affiliated_community") for t in ties
    )


@pytest.mark.parametrize("name", ["low-score-late", "psych-img"])
def test_step3_says_the_programs_its_price_opens(name, catalog) -> None:
    """The Step 3 step's words and its H-1B option count the programs one way: the hard rules
    (a program taking no J-1 opens with an H-1B and a passed Step 3)."""
    profile = reference_profile(name)
    plan = advise(profile, catalog=catalog, today=TODAY)
    step3 = _step(plan, "step3")
    opened = step3.details["h1b_option"]["programs_opened"]
    assert opened == step3.details["opened_by_h1b"] > 0
    # every specialty applied to, counted and named: low-score-late (IM + FM) read "opens 4
    # Internal Medicine programs" where the price opened 4 of them and 6 Family Medicine ones
    by_specialty = step3.details["h1b_option"]["programs_opened_by_specialty"]
    assert by_specialty == step3.details["opened_by_h1b_by_specialty"]
    assert set(by_specialty) == set(profile.specialties)
    named = " and ".join(f"{by_specialty[s]} {s}" for s in profile.specialties if by_specialty[s])
    assert f"Step 3 opens {named} programs that take no J-1" in step3.why
    if name == "low-score-late":
        assert by_specialty == {"Internal Medicine": 4, "Family Medicine": 6}


@pytest.mark.parametrize("plan_name", ["late_plan", "strong_plan"])
def test_red_flags_count_the_programs_the_results_page_rules_out(
    request, plan_name, catalog
) -> None:
    """low-score-late (IM + FM) read "rules out 6 of the 718" for its J-1 where the results page
    said 415 ruled out (369 of them FM programs that take no J-1); strong-img (IM + Neurology)
    513 where it said 654. The flag counts every specialty, from the results page's own count."""
    plan = request.getfixturevalue(plan_name)
    name = {"late_plan": "low-score-late", "strong_plan": "strong-img"}[plan_name]
    from smartpick.service.recommend import recommend

    profile = reference_profile(name)
    rec = recommend(profile, catalog=catalog)  # what the results page shows
    rules = rec.assessment.exclusion_rules()
    assert len(rules) == rec.not_eligible  # "(N ruled out by a rule they state)"
    visa = next(f for f in plan.red_flags if f.id.startswith("visa"))
    assert visa.programs_shut == sum(1 for r in rules.values() if r & {"visa", "h1b_step3"})
    assert visa.programs_total == len(rec.assessment.programs) + rec.not_eligible
    assert f"counts {rec.not_eligible} programs ruled out by a rule they state" in visa.notes[0]
    for specialty in profile.specialties:
        assert f"{specialty} programs state they consider" in visa.detail
    assert visa.programs_shut > {"late_plan": 6, "strong_plan": 513}[plan_name]
    # the narrowed programs are measured over the same programs
    measured = [f for f in plan.red_flags if f.programs_narrowed is not None]
    assert all(f.programs_narrowed <= f.programs_total for f in measured)


def test_volume_follows_the_curve(guide_sample_run) -> None:
    plan, spy = guide_sample_run
    volume = _step(plan, "volume_mix")
    from smartpick.service.recommend import recommend

    rec = recommend(reference_profile("guide-sample"))
    # one rule, one place: the plan's volume is the list's value rule, with the same sentences
    assert volume.details["rule_count"] == rec.how_many.rule_count == len(rec.programs)
    assert f"about {volume.details['rule_count']} programs" in volume.title
    assert all(line in volume.actions for line in rec.how_many.lines)
    assert volume.price is not None and volume.price.changed.programs == volume.change["count"]
    assert volume.change["count"] in (60, 120)  # the list is at the rule: priced against the guide


def test_standing_percentile_and_json_contract(guide_sample_run) -> None:
    plan, _ = guide_sample_run
    doc = plan.to_dict()
    sp = doc["standing"]["specialty_percentile"]
    assert sp["specialty"] == "Internal Medicine" and 0 < sp["matched_percentile"] < 25
    assert doc["standing"]["step1"]["band"] == "low"
    assert doc["baseline"]["programs"] == len(doc["recommended"]) > 0
    for step in doc["steps"]:
        assert {"id", "title", "why", "duration_months", "price", "priceable"} <= set(step)
        if step["price"]:
            for side in ("baseline", "changed"):
                p = step["price"][side]["p_match"]
                assert 0 <= p["low"] <= p["point"] <= p["high"] <= 1
            assert {"p_match", "expected_interviews", "fees_usd"} == set(step["price"]["delta"])
    assert doc["prepared_on"] == "2026-11-24"
    curve = doc["curve"]
    assert [c["applications"] for c in curve] == sorted(c["applications"] for c in curve)
    assert doc["stop_at_applications"] in [c["applications"] for c in curve]
    assert doc["timeline"][0]["start"] == "2026-11"
    assert [t["start_month"] for t in doc["timeline"]] == sorted(
        t["start_month"] for t in doc["timeline"]
    )


def test_the_season_follows_the_match_year() -> None:
    import datetime as dt

    from smartpick.core.rules.season import default_match_year

    assert Season(2027).months_to_opening(TODAY) == 0  # opened June 2026
    assert Season(2027).months_to_opening(dt.date(2026, 1, 10)) == 5
    assert Season(2028).months_to_opening(TODAY) == 7  # June 2027
    assert Season(2027).months_from_opening(TODAY) == -5  # opened five months ago
    assert Season(2028).months_from_opening(TODAY) == 7
    # a new user on 2026-11-30 applies in the season that opens June 2027: the 2028 Match
    assert default_match_year(dt.date(2026, 11, 30)) == 2028
    assert default_match_year(dt.date(2026, 9, 1)) == 2027
    assert default_match_year(dt.date(2026, 1, 10)) == 2027


def _in_match(name: str, match_year: int):
    """A reference applicant entered in another Match, graduated as long before it as in its
    file (reference_profiles.md)."""
    profile = reference_profile(name)
    shift = match_year - profile.match_year
    return type(profile).model_validate(
        {
            **profile.model_dump(),
            "match_year": match_year,
            "graduation_year": profile.graduation_year + shift,
        }
    )


def test_an_opened_season_times_the_following_one(catalog) -> None:
    """us-img-fm in the 2027 Match, whose season opened in June 2026: on 24 November 2026 its list
    goes in when the 2028 season opens, in June 2027 (seven months on, not a year), and its
    interviews run from September 2027 to February 2028, the month before the Match."""
    plan = advise(_in_match("us-img-fm", 2027), catalog=catalog, today=TODAY)
    assert plan.months_to_eras_open == 0  # the contract's "already open"
    entries = {e.step_id: e for e in plan.timeline}
    assert entries["volume_mix"].start_month == 7
    assert "(the following season)" in entries["volume_mix"].label
    assert (entries["interview"].start_month, entries["interview"].end_month) == (10, 15)
    doc = plan.to_dict()
    interview = next(t for t in doc["timeline"] if t["step_id"] == "interview")
    assert (interview["start"], interview["end"]) == ("2027-09", "2028-02")


def test_an_opened_season_is_open_in_every_step(catalog) -> None:
    """guide-sample in the 2027 Match, whose season opened in June 2026: the plan and its Step 3
    step say it is open (0 months to go), and Step 3 counts for the following season."""
    plan = advise(_in_match("guide-sample", 2027), catalog=catalog, today=TODAY)
    step3 = _step(plan, "step3")
    assert plan.months_to_eras_open == step3.details["months_to_eras_open"] == 0
    assert step3.details["before_eras"] is False
    assert "already opened" in " ".join(step3.actions)


def test_the_examples_season_has_not_opened(guide_sample_run) -> None:
    """guide-sample's file enters the 2028 Match, the next season a new user can still enter: on
    24 November 2026 its ERAS season opens in June 2027, seven months on. Step 3 fits before it,
    the list goes in at that opening (its own season), and no note says the season has opened."""
    plan, _ = guide_sample_run
    step3 = _step(plan, "step3")
    assert plan.months_to_eras_open == step3.details["months_to_eras_open"] == 7
    assert step3.details["before_eras"] is True
    assert "already opened" not in " ".join(step3.actions)
    assert not any("opened" in note for note in plan.notes)
    entries = {e.step_id: e for e in plan.timeline}
    assert entries["volume_mix"].start_month == 7
    assert entries["volume_mix"].label == "ERAS opens: submit the list"
    doc = plan.to_dict()
    dates = {t["step_id"]: (t["start"], t["end"]) for t in doc["timeline"]}
    assert dates["volume_mix"][0] == "2027-06"
    assert dates["interview"] == ("2027-09", "2028-02")


def test_advise_uses_the_budget(catalog) -> None:
    spy = RecordingRecommender()
    plan = advise(
        reference_profile("strong-img"),
        budget_usd=200,
        catalog=catalog,
        today=TODAY,
        recommender=spy,
    )
    assert spy.calls[0][1]["budget_usd"] == 200
    assert plan.baseline.fees_usd <= 200


def test_second_specialty_shows_the_joint_list_and_the_alternative(guide_sample_run) -> None:
    plan, spy = guide_sample_run
    step = _step(plan, "second_specialty")
    assert step.change == {"specialties": ("Internal Medicine", "Family Medicine")}
    split = step.details["joint_list_by_specialty"]
    assert set(split) <= {"Internal Medicine", "Family Medicine"} and sum(split.values()) > 0
    assert sum(split.values()) == step.price.changed.programs
    (alt,) = step.details["alternatives_priced"]
    assert alt["specialties"] == ["Internal Medicine", "Neurology"]
    assert any(p.specialties == ("Internal Medicine", "Neurology") for p, _ in spy.calls)
    assert step.price.delta_p_match.point > 0


def test_pending_step2ck_is_priced_against_the_pages_chance(catalog) -> None:
    from smartpick.core.profile import profile_from_dict

    pending = profile_from_dict(
        {
            "applicant_type": "non_us_img",
            "visa": "j1",
            "step1": 212,
            "graduation_year": 2025,
            "match_year": 2027,
            "specialties": ["Internal Medicine"],
        }
    )
    spy = RecordingRecommender()
    plan = advise(pending, catalog=catalog, today=TODAY, recommender=spy)
    step = _step(plan, "step2ck")
    assert step.change == {"step2ck": 227}
    ran = [p.step2ck for p, _ in spy.calls]
    # priced against the page's own chance (the missing score taken as the passing one)
    assert None in ran and 227 in ran and 212 not in ran
    assert step.price.note == (
        "compared with your chance now, which takes Step 2 CK as the passing score 218 until "
        "you give yours"
    )
    assert step.price.baseline.p_match.point == plan.baseline.p_match.point
    assert step.price.delta_p_match.point > 0


def test_every_json_key_is_documented(guide_sample_run) -> None:
    from pathlib import Path

    doc_text = (Path(__file__).resolve().parents[2] / "docs" / "advisor.md").read_text("utf-8")
    plan, _ = guide_sample_run
    doc = plan.to_dict()
    keys = set(doc)
    keys |= {k for s in doc["steps"] for k in s}
    keys |= {k for f in doc["red_flags"] for k in f}
    keys |= {k for t in doc["timeline"] for k in t}
    keys |= set(doc["standing"]) | set(doc["baseline"])
    priced = next(s for s in doc["steps"] if s["price"])
    keys |= set(priced["price"]) | set(priced["price"]["delta"])
    missing = sorted(k for k in keys if f'"{k}"' not in doc_text)
    assert not missing, missing


def test_whole_plan_is_priced_as_one_rerun(guide_sample_run) -> None:
    plan, spy = guide_sample_run
    whole = plan.whole_plan
    assert whole is not None
    singles = [s for s in plan.steps if s.price is not None and s.id != "volume_mix"]
    for step in singles:
        for key, value in step.change.items():
            assert whole.change[key] == value
    assert any(
        p.step3 == 234
        and p.usce_hands_on_months == 4
        and p.specialties == ("Internal Medicine", "Family Medicine")
        for p, _ in spy.calls
    )
    best_single = max(s.price.delta_p_match.point for s in singles)
    assert whole.delta_p_match.point > best_single
    assert plan.summary[0].startswith(
        "Your chance of matching with the list SmartPick chooses by itself: "
    )
    assert any(
        line.startswith(f"If you do every priced step of your plan ({len(singles)} steps")
        for line in plan.summary
    )
    assert not any("P(match)" in line or " pp" in line for line in plan.summary)


def test_the_unchanged_profile_is_assessed_once_per_plan(catalog, monkeypatch) -> None:
    """The baseline list keeps its assessment; the plan's flags and steps reuse it."""
    import smartpick.service.recommend as recommend_module
    from smartpick.service.assess import assess as real_assess

    seen = []

    def counting(profile, **options):
        seen.append(profile)
        return real_assess(profile, **options)

    monkeypatch.setattr(recommend_module, "assess", counting)
    profile = reference_profile("guide-sample")
    advise(profile, catalog=catalog, today=TODAY, assessor=counting)
    assert sum(p == profile for p in seen) == 1, len(seen)


def test_the_connection_step_skips_a_program_whose_row_leads_with_a_caveat(catalog) -> None:
    """psych-img's best tie program (Mount Sinai at Elmhurst) leads its row with "Did not take
    part in the NRMP Main Match in 2021: check its current status": the plan sent the applicant
    there to build a connection. It now names the best program without such a caveat, says
    why it passed the first one over, and prices the USCE tie at the same kind of program."""
    from smartpick.service.assess import assess

    profile = reference_profile("psych-img")
    plan = advise(profile, catalog=catalog, today=TODAY)
    step = _step(plan, "connection")
    passed = "Icahn School of Medicine at Mount Sinai (NYC Health and Hospitals: Elmhurst) Program"
    assert passed not in step.title
    assert any(
        passed in a and "did not take part in the NRMP Main Match" in a for a in step.actions
    )
    target = str(step.details["program_id"])
    usce = _step(plan, "usce")
    tie = usce.details["tie_price"]["program_id"]
    rows = assess(profile, program_ids=[target, tie], catalog=catalog)
    for row in rows.rows:  # the rows lead with a caveat when they have one: these have none
        assert "check its current status" not in row.reasons[0], row.reasons
    ties = usce.details["tie_programs"]
    assert ties[0]["program_id"] != tie and ties[0]["caveat"].startswith("Did not take part")
