"""recommend() end to end on the real catalog and model, with the reference profiles."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.core.chances.matrix import p_match
from smartpick.core.lists.fees import fee_schedule
from smartpick.errors import InvalidInput, NotFound
from smartpick.export.tables import list_xlsx
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import reference_profile


def test_guide_sample_list_under_budget(guide_list) -> None:
    doc = guide_list.to_dict()
    json.dumps(doc)  # the contract is plain JSON
    totals = doc["totals"]
    assert 0 < totals["applications"] == len(doc["programs"])
    assert totals["fees_usd"] <= 800
    assert totals["fees_usd"] == totals["program_fees_usd"] + totals["transcript_fee_usd"]
    assert sum(p["fee_usd"] for p in doc["programs"]) == totals["program_fees_usd"]
    im = [p for p in doc["programs"] if p["specialty"] == "Internal Medicine"]
    assert len(im) == len(doc["programs"])
    # the real 2026 schedule: first 30 at $11, then $30
    n = len(im)
    assert totals["program_fees_usd"] == fee_schedule(2026).specialty_fee_usd(n)
    p = totals["p_match"]
    assert 0 < p["low"] <= p["point"] <= p["high"] < 1
    assert [row["rank"] for row in doc["programs"]] == list(range(1, n + 1))
    for row in doc["programs"]:
        assert row["tier"] in ("reach", "target", "likely")
        assert row["signal"] in ("none", "silver", "gold")
        assert (
            row["p_interview"]["low"] <= row["p_interview"]["point"] <= row["p_interview"]["high"]
        )
        assert row["reasons"]
    signals = doc["signals"]["Internal Medicine"]
    assert signals["gold_used"] <= signals["gold_allowed"] == 3
    assert signals["silver_used"] <= signals["silver_allowed"] == 12
    assert signals["gold_used"] + signals["silver_used"] > 0


def test_totals_recompute_from_the_model(guide_list, guide_sample, catalog: Catalog) -> None:
    from smartpick.service.assess import assess

    assessment = assess(guide_sample, catalog=catalog)
    ids = [p.id for p in assessment.programs]
    selected = [ids.index(row.program.id) for row in guide_list.programs]
    levels = [("none", "silver", "gold").index(row.signal) for row in guide_list.programs]
    draws = p_match(assessment.chances, selected, levels)
    assert guide_list.p_match.point == pytest.approx(float(draws[0]))
    np.testing.assert_allclose(guide_list.p_match_draws, draws)


def test_curve_and_stopping(guide_list) -> None:
    doc = guide_list.to_dict()
    curve = doc["curve"]
    assert [c["applications"] for c in curve] == list(range(len(curve)))
    assert len(curve) >= 100
    values = [c["p_match"]["point"] for c in curve]
    assert all(b >= a - 1e-12 for a, b in zip(values, values[1:], strict=False))
    fees = [c["fees_usd"] for c in curve]
    assert all(b >= a for a, b in zip(fees, fees[1:], strict=False))
    stop = doc["stopping"]
    if stop["stop_at_applications"] is not None:
        k = stop["stop_at_applications"]
        extra_fee = curve[k + 1]["fees_usd"] - curve[k]["fees_usd"]
        assert curve[k + 1]["gain_pp"] / 100 * stop["match_value_usd"] < extra_fee
        assert len(curve) > k + 1


def test_no_budget_stops_where_an_application_stops_paying(guide_sample, catalog) -> None:
    """With no budget or count, the list ends where one more application is worth less than its
    fee at the value of a match; a weak applicant gets at least the guide's 60 by default, and
    a lower value of a match gives a shorter list."""
    plain = guide_sample.model_copy(update={"budget_usd": None})
    rec = recommend(plain, catalog=catalog)
    assert rec.binding == "match value"
    assert len(rec.programs) == rec.stop_at_applications >= 60
    assert rec.how_many.match_value_is_default
    assert rec.next_gain_pp is not None and rec.next_fee_usd is not None
    assert rec.next_gain_pp / 100 * rec.how_many.match_value_usd < rec.next_fee_usd
    cheap = recommend(plain, catalog=catalog, match_value_usd=5_000)
    assert len(cheap.programs) < len(rec.programs)
    assert not cheap.how_many.match_value_is_default
    text = " ".join(rec.how_many.lines)
    assert "60-120" in text and "percentage point" in text
    assert f"${rec.how_many.match_value_usd:,.0f}" in text


def test_every_application_worth_its_fee_says_so(catalog: Catalog) -> None:
    """When each program the applicant can apply to is worth its fee (psych-img: all of
    Psychiatry), the list sends them all and says so, and a budget's shorter list says what the
    rule would send: not that even the first application is not worth its fee."""
    profile = reference_profile("psych-img")
    plain = recommend(profile.model_copy(update={"budget_usd": None}), catalog=catalog)
    assert plain.stop_at_applications is None and plain.binding == "candidates"
    how = plain.how_many
    assert how.rule_count == len(plain.programs) == plain.curve[-1].applications > 0
    assert how.rule_p_match == pytest.approx(plain.p_match.point)
    assert f"all {how.rule_count} of them" in how.lines[0]
    assert not any("not worth its fee" in line for line in how.lines)
    # every application along the curve pays for its fee at the value of a match
    for a, b in zip(plain.curve, plain.curve[1:], strict=False):
        gain = b.p_match_point - a.p_match_point
        assert gain * how.match_value_usd >= b.fees_usd - a.fees_usd
    book = openpyxl.load_workbook(io.BytesIO(list_xlsx(plain)))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Applications worth their fee at that value"] == how.rule_count
    capped = recommend(profile, budget_usd=1200, catalog=catalog)
    assert capped.how_many.rule_count == how.rule_count > len(capped.programs)
    assert any(
        f"limits the list to {len(capped.programs)} programs; the rule would send "
        f"{how.rule_count}" in line
        for line in capped.how_many.lines
    )


def test_filters_must_include_and_exclude(guide_list, guide_sample, catalog: Catalog) -> None:
    first, last = guide_list.programs[0].program.id, guide_list.programs[-1].program.id
    outside = next(
        p.program.id
        for p in guide_list.programs
        if p.program.state.value not in (None, guide_list.programs[0].program.state.value)
    )
    rec = recommend(
        guide_sample,
        budget_usd=800,
        catalog=catalog,
        exclude=[first],
        must_include=[outside],
        exclude_states=[guide_list.programs[0].program.state.value],
    )
    ids = {p.program.id for p in rec.programs}
    assert first not in ids and outside in ids
    state = guide_list.programs[0].program.state.value
    assert all(p.program.state.value != state for p in rec.programs)
    assert rec.filtered_out > 0
    only = recommend(guide_sample, count=10, catalog=catalog, regions=["Midwest"])
    assert all(p.program.region.value == "Midwest" for p in only.programs)
    del last


def test_raising_the_budget_never_lowers_p_match(guide_sample, catalog: Catalog) -> None:
    previous = -1.0
    for budget in (200, 400, 600, 900):
        rec = recommend(guide_sample, budget_usd=budget, catalog=catalog)
        assert rec.total_fees_usd <= budget
        assert rec.p_match.point >= previous
        previous = rec.p_match.point


def test_two_specialties_restart_fee_tiers(catalog: Catalog) -> None:
    profile = reference_profile("low-score-late")
    rec = recommend(profile, budget_usd=1500, catalog=catalog)
    by_specialty = rec.fees_by_specialty
    schedule = fee_schedule(2026)
    for fees in by_specialty.values():
        assert fees["fees_usd"] == schedule.specialty_fee_usd(fees["applications"])
    assert rec.total_fees_usd <= 1500


def test_preferences_change_the_objective(catalog: Catalog) -> None:
    profile = reference_profile("average-img")
    rec = recommend(
        profile,
        count=30,
        catalog=catalog,
        preferences={"regions": {"Midwest": 1.0, "*": 0.3}},
    )
    assert rec.objective == "preference_value" and rec.expected_value is not None
    assert rec.expected_value.point <= rec.p_match.point + 1e-9
    midwest = sum(p.program.region.value == "Midwest" for p in rec.programs)
    plain = recommend(profile, count=30, catalog=catalog)
    assert midwest >= sum(p.program.region.value == "Midwest" for p in plain.programs)


def test_bad_input_names_the_field(guide_sample, catalog: Catalog) -> None:
    with pytest.raises(InvalidInput, match="budget_usd"):
        recommend(guide_sample, budget_usd=-5, catalog=catalog)
    with pytest.raises(InvalidInput, match="count"):
        recommend(guide_sample, count=0, catalog=catalog)
    with pytest.raises(InvalidInput, match="state"):
        recommend(guide_sample, states=["XX"], catalog=catalog)
    with pytest.raises(InvalidInput, match="settings"):
        recommend(guide_sample, settings=["castle"], catalog=catalog)
    with pytest.raises(InvalidInput, match="preferences"):
        recommend(guide_sample, preferences={"regions": {"Midwest": 3}}, catalog=catalog)
    with pytest.raises(InvalidInput, match="season"):
        recommend(guide_sample, season=1999, catalog=catalog)
    with pytest.raises(NotFound, match="must_include"):
        recommend(guide_sample, must_include=["NOPE"], catalog=catalog)


def test_deterministic(guide_sample, catalog: Catalog, guide_list) -> None:
    again = recommend(guide_sample, budget_usd=800, catalog=catalog)
    assert again.to_dict() == guide_list.to_dict()


def test_a_budget_below_one_application_says_so(guide_sample, catalog: Catalog) -> None:
    rec = recommend(guide_sample, budget_usd=50, catalog=catalog)
    assert rec.programs == () and rec.total_fees_usd == 0
    assert any("does not cover one application" in note for note in rec.notes)
    assert rec.next_fee_usd == 91  # $11 + the $80 transcript fee


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(budget=st.integers(90, 2500), extra=st.integers(1, 800))
def test_real_catalog_budget_properties(guide_sample, catalog: Catalog, budget, extra) -> None:
    low = recommend(guide_sample, budget_usd=budget, catalog=catalog)
    high = recommend(guide_sample, budget_usd=budget + extra, catalog=catalog)
    assert low.total_fees_usd <= budget and high.total_fees_usd <= budget + extra
    assert high.p_match.point >= low.p_match.point
    for rec in (low, high):
        sig = rec.signals["Internal Medicine"]
        assert (
            sig["gold_used"] <= sig["gold_allowed"] and sig["silver_used"] <= sig["silver_allowed"]
        )
