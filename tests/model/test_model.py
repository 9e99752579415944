"""The chance model on the real bundled catalog: invariants, the 2026 evidence, eligibility, reasons."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.core.chances.draws import Draws, pool_rate
from smartpick.core.chances.estimator import ChanceModel, NotFitted
from smartpick.core.chances.matrix import p_match
from smartpick.core.chances.population import solve_alpha
from smartpick.core.chances.results import Prediction
from smartpick.core.profile import ApplicantProfile, profile_from_dict
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.programs import Fact, Program
from smartpick.core.rules.certification import assumed_step2ck
from smartpick.core.rules.eligibility import check
from smartpick.errors import InvalidInput
from smartpick.service.assess import assess, fitted_model
from smartpick.service.catalog import Catalog
from smartpick.testing import possible_visa, reference_profile

IM, FM = "Internal Medicine", "Family Medicine"
CLOSED = "1401200932C"  # invited 0% of 2,872 non-US IMG applicants in 2026
FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="session")
def model() -> ChanceModel:
    return fitted_model()


@pytest.fixture(scope="session")
def sample(catalog: Catalog, model: ChanceModel) -> tuple[list[Program], dict[str, Draws]]:
    """Every 8th IM and FM categorical program, with the program sides of the whole specialties."""
    programs: list[Program] = []
    contexts = {}
    for s in (IM, FM):
        full = catalog.programs(specialty=s)
        contexts[s] = model.context(s, full)
        programs += [p for p in full if p.track == "categorical"][::8]
    return programs, contexts


def _probabilities(pred: Prediction, ids: list[str]) -> np.ndarray:
    """(levels x draws x programs) P(interview) by signal level and P(match), 0 when excluded."""
    out = np.zeros((4, pred.chances.interview.shape[0], len(ids)))
    w = pred.chances.weights
    position = {pid: i for i, pid in enumerate(pred.chances.program_ids)}
    for j, pid in enumerate(ids):
        if pid not in position:
            continue
        i = position[pid]
        for level in range(3):
            out[level, :, j] = pred.chances.interview_by_signal[level][:, i, :] @ w
        out[3, :, j] = (pred.chances.interview[:, i, :] * pred.chances.conversion[:, i, :]) @ w
    return out


def _profile(**changes: Any) -> ApplicantProfile:
    base: dict[str, Any] = {
        "graduation_year": 2023,
        "match_year": 2027,
        "specialties": [IM, FM],
        "step2ck": 235,
        "visa": "none",
    }
    base.update(changes)
    return profile_from_dict(base)


def _changed(profile: ApplicantProfile, changes: dict[str, Any]) -> ApplicantProfile:
    return apply_changes(profile, changes)[0]


profiles = st.fixed_dictionaries(
    {
        "step2ck": st.integers(190, 290),
        "visa": st.sampled_from(["none", "j1", "h1b", "either"]),
        "step3": st.one_of(st.none(), st.integers(180, 270)),
        "graduation_year": st.integers(2012, 2027),
        "us_letters": st.integers(0, 5),
        "step1": st.one_of(st.sampled_from(["pass", "fail_then_pass"]), st.integers(190, 260)),
        "ties_states": st.sampled_from([[], ["TX"], ["NY", "CA"]]),
        "preferred_regions": st.sampled_from([[], ["Midwest"], ["South", "West"]]),
        "applicant_type": st.sampled_from(["non_us_img", "us_img"]),
        "usce": st.sampled_from(
            [[], [{"months": 2, "kind": "observership"}], [{"months": 3, "kind": "hands_on"}]]
        ),
    }
).map(lambda d: {**d, "visa": possible_visa(d["applicant_type"], d["visa"])})


def _pair(sample: Any, model: ChanceModel, a: ApplicantProfile, b: ApplicantProfile) -> Any:
    programs, contexts = sample
    ids = [p.id for p in programs]
    return (
        _probabilities(model.predict(a, programs, contexts), ids),
        _probabilities(model.predict(b, programs, contexts), ids),
    )


@FAST
@given(data=profiles, more=st.integers(1, 40))
def test_higher_step2ck_never_lowers(sample: Any, model: ChanceModel, data: Any, more: int) -> None:
    low, high = _pair(
        sample,
        model,
        _profile(**data),
        _profile(**{**data, "step2ck": min(data["step2ck"] + more, 300)}),
    )
    assert np.all(high >= low - 1e-12)


@FAST
@given(data=profiles, months=st.floats(0.5, 12))
def test_hands_on_usce_never_lowers(
    sample: Any, model: ChanceModel, data: Any, months: float
) -> None:
    before = _profile(**data)
    a, b = _pair(sample, model, before, _changed(before, {"add_usce_hands_on_months": months}))
    assert np.all(b >= a - 1e-12)


@FAST
@given(data=profiles, letters=st.integers(1, 3))
def test_us_letters_never_lower(sample: Any, model: ChanceModel, data: Any, letters: int) -> None:
    before = _profile(**data)
    after = _changed(before, {"add_us_letters_in": {IM: letters}})
    a, b = _pair(sample, model, before, after)
    assert np.all(b >= a - 1e-12)


@FAST
@given(data=profiles, visa=st.sampled_from(["j1", "h1b", "either"]))
def test_needing_a_visa_never_raises(sample: Any, model: ChanceModel, data: Any, visa: str) -> None:
    data = {**data, "applicant_type": "non_us_img"}  # a US citizen needs no visa
    free, bound = _pair(
        sample, model, _profile(**{**data, "visa": "none"}), _profile(**{**data, "visa": visa})
    )
    assert np.all(bound <= free + 1e-12)


@FAST
@given(data=profiles)
def test_a_failed_attempt_never_helps(sample: Any, model: ChanceModel, data: Any) -> None:
    clean = _profile(**{**data, "step1": "pass", "step2ck_attempts": 1})
    failed = _profile(**{**data, "step1": "pass", "step2ck_attempts": 2})
    a, b = _pair(sample, model, clean, failed)
    assert np.all(b <= a + 1e-12)
    step1 = _profile(**{**data, "step1": "fail_then_pass", "step1_attempts": 2})
    a, c = _pair(sample, model, clean, step1)
    assert np.all(c <= a + 1e-12)


@FAST
@given(data=profiles)
def test_probabilities_intervals_and_signals(sample: Any, model: ChanceModel, data: Any) -> None:
    programs, contexts = sample
    pred = model.predict(_profile(**data), programs, contexts)
    for arr in (*pred.chances.interview_by_signal, pred.chances.conversion):
        assert np.all((arr >= 0) & (arr <= 1))
    none, silver, gold = pred.chances.interview_by_signal
    assert np.all(silver >= none - 1e-12) and np.all(gold >= none - 1e-12)  # a signal never hurts
    for row in pred.rows:
        for point, low, high in (row.p_interview, row.p_match):
            assert 0 <= low <= point <= high <= 1
    assert len(pred.rows) + len(pred.excluded) == len(programs)


def test_shared_latent_effect_correlates_outcomes(sample: Any, model: ChanceModel) -> None:
    programs, contexts = sample
    pred = model.predict(reference_profile("average-img"), programs, contexts)
    n = len(pred.programs)
    together = float(p_match(pred.chances, list(range(n)))[0])
    independent = 1.0 - float(np.prod([1.0 - r.p_match[0] for r in pred.rows]))
    assert together < independent  # correlated through z: fewer "independent coins"


def test_a_program_that_invited_no_non_us_img_is_near_zero_and_says_why(catalog: Catalog) -> None:
    closed = catalog.get(CLOSED)
    ev = closed.interview_evidence
    assert ev is not None and ev.by_type["non_us_img"].rate == 0.0
    assert ev.by_type["non_us_img"].applicants > 2000
    result = assess(_profile(specialties=[IM]), program_ids=[CLOSED], catalog=catalog)
    row = result.row(CLOSED)
    assert row.p_interview[0] < 0.005 and row.p_interview[2] < 0.01
    assert row.reasons[0].startswith("Invited 0% of 2,872 non-US IMG applicants in 2026")
    assert "(AAMC Residency Explorer, 2026 cycle)" in row.reasons[0]
    open_program = max(
        assess(_profile(specialties=[IM]), catalog=catalog).rows, key=lambda r: r.p_interview[0]
    )
    assert open_program.p_interview[0] > 20 * row.p_interview[0]


def test_a_program_without_2026_data_gets_a_wider_interval(
    catalog: Catalog, model: ChanceModel
) -> None:
    """The same program with and without its 2026 figures (same older features)."""
    with_data = [p for p in catalog.programs(specialty=IM) if p.interview_evidence is not None]
    without = [replace(p, interview_evidence=None) for p in with_data]
    profile = _profile(specialties=[IM])
    a = model.predict(profile, with_data, None)
    b = model.predict(profile, without, None)

    def widths(pred: Prediction) -> np.ndarray:
        return np.array([np.log(r.p_interview[2] / r.p_interview[1]) for r in pred.rows])

    assert np.median(widths(b)) > 1.5 * np.median(widths(a))
    base_a, base_b = model.context(IM, with_data).base, model.context(IM, without).base
    rate_width_a = np.log(base_a.rate_high / base_a.rate_low)
    rate_width_b = np.log(base_b.rate_high / base_b.rate_low)
    assert np.median(rate_width_b) > 1.5 * np.median(rate_width_a)
    assert np.mean(rate_width_b > rate_width_a) > 0.8  # tiny counts near 0% can be as wide


def test_the_pool_equation_holds(model: ChanceModel, catalog: Catalog) -> None:
    """The pool of a program's non-US IMG applicants averages to its 2026 rate: alpha is solved
    so, and every applicant term is centred on that pool."""
    d = model.context(IM, catalog.programs(specialty=IM))
    alpha = d.alpha("non_us_img")
    pop = {
        k: np.array([getattr(p, k) for p in d.params])[:, None]
        for k in ("mu", "sd", "sigma", "rho")
    }
    v = np.array([a.visa_share for a in d.assumptions])[:, None]
    target = d.pool_rates() / (1.0 - v + v * d.visa["j1"])
    back = pool_rate(
        alpha, d.gamma, d.base.signal_mix, d.beta, pop["mu"], pop["sd"], pop["sigma"], pop["rho"]
    )
    ok = target < 0.9
    assert np.max(np.abs(back - target)[ok]) < 1e-6
    again = solve_alpha(
        target[:1],
        d.gamma[:1],
        d.base.signal_mix,
        d.beta[:1],
        pop["mu"][:1],
        pop["sd"][:1],
        pop["sigma"][:1],
        pop["rho"][:1],
    )
    assert np.allclose(again, alpha[:1], atol=1e-5)


def test_us_imgs_use_their_own_2026_rates(catalog: Catalog) -> None:
    us_img = _profile(applicant_type="us_img", specialties=[FM])
    result = assess(us_img, catalog=catalog)
    shown = [r for r in result.rows if r.program.interview_evidence is not None][:50]
    for row in shown:
        rc = row.program.interview_evidence.by_type.get("us_img")  # type: ignore[union-attr]
        if rc is not None and rc.rate is not None and rc.applicants:
            # its own rate leads, after a caveat that may shut the program (`rows.said`)
            caveats = ("No visa listed", "Did not take", "Was not accepting")
            assert "US IMG applicants" in next(r for r in row.reasons if not r.startswith(caveats))
            assert "non-US IMG applicants" not in " ".join(str(x) for x in row.reason_details)
            if row.program.pct_us_img.value is not None:
                assert "residents are US IMGs" in " ".join(str(x) for x in row.reason_details)
    # a program that invited no non-US IMG but many US IMGs is open to a US IMG
    both = [
        r
        for r in result.rows
        if _rate(r.program, "non_us_img") == 0.0 and (_rate(r.program, "us_img") or 0.0) >= 0.3
    ]
    assert both
    non_us = assess(
        _profile(specialties=[FM]), program_ids=[r.program.id for r in both], catalog=catalog
    )
    for r in both[:10]:
        assert r.p_interview[0] > 3 * non_us.row(r.program.id).p_interview[0]


def _rate(p: Program, kind: str) -> float | None:
    ev = p.interview_evidence
    rc = ev.by_type.get(kind) if ev is not None else None
    return None if rc is None or rc.rate is None or not rc.applicants else rc.rate


def test_unknown_step2ck_is_taken_as_the_passing_score(catalog: Catalog) -> None:
    """A missing Step 2 CK is the passing score at the point (never better than a low pass), and
    its interval reaches a modest pass above it (`unknown_score_shift`, 0 to 10 points)."""
    known = reference_profile("guide-sample")
    missing = known.model_copy(update={"step2ck": None})
    passing = assumed_step2ck(missing)
    b = assess(missing, catalog=catalog)
    assert any("Step 2 CK not given" in n and f"passing score, {passing}" in n for n in b.notes)
    assert any("Step 2 CK not given" in r for r in b.rows[0].reasons)
    at_pass = assess(known.model_copy(update={"step2ck": passing}), catalog=catalog)
    above = assess(known.model_copy(update={"step2ck": passing + 10}), catalog=catalog)
    for row in b.rows[:40]:
        pid = row.program.id
        p, q = b.row(pid).p_interview, at_pass.row(pid).p_interview
        assert p[0] == pytest.approx(q[0], rel=1e-9)
        assert p[0] <= above.row(pid).p_interview[0]
        assert p[2] >= q[2] - 1e-12  # the interval spans scores at and above the pass


def test_a_connection_raises_the_chance_within_its_bound(catalog: Catalog) -> None:
    base = _profile(specialties=[IM])
    target = next(
        r.program
        for r in assess(base, catalog=catalog).rows
        if r.program.interview_evidence is not None and r.p_interview[0] > 0.01
    )
    before = assess(base, program_ids=[target.id], catalog=catalog).row(target.id)
    rotation = _changed(base, {"add_connection": f"{target.id}:rotation"})
    alumni = _changed(base, {"add_connection": f"{target.id}:alumni"})
    r = assess(rotation, program_ids=[target.id], catalog=catalog).row(target.id)
    a = assess(alumni, program_ids=[target.id], catalog=catalog).row(target.id)
    assert before.p_interview[0] <= a.p_interview[0] <= r.p_interview[0]
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert odds(r.p_interview[0]) <= 5.0 * odds(before.p_interview[0]) + 1e-9
    assert any("You rotated here" in x for x in (str(d) for d in r.reason_details))


def test_eligibility_rules() -> None:
    j1 = _profile(visa="j1")
    h1b = _profile(visa="h1b")
    assert not check(j1, _program(visa_j1="no")).eligible
    assert check(j1, _program(visa_j1="no")).exclusions[0].source == "test source"
    listed = check(j1, _program(visa_j1="none_listed"))
    assert listed.eligible and listed.visa_factor == pytest.approx(13 / 108)
    h1b_listed = check(_changed(h1b, {"step3": 230}), _program(visa_h1b="none_listed"))
    assert h1b_listed.eligible and h1b_listed.visa_factor == pytest.approx(1 / 108)
    assert "107 of 108" in str(h1b_listed.soft_reasons[0])
    unknown = check(j1, _program())
    assert unknown.eligible and unknown.unknowns == ("J-1 policy",)
    assert "Step 3" in str(check(h1b, _program(visa_h1b="yes")).exclusions[0])
    assert check(_changed(h1b, {"step3": 230}), _program(visa_h1b="yes")).eligible
    assert not check(_changed(h1b, {"step3": 190}), _program(visa_h1b="yes")).eligible
    # A Step 3 of 199 passed before 2024 (pass mark 198 then), not after (200).
    assert check(
        _changed(h1b, {"step3": 199, "step3_date": "2023-05"}), _program(visa_h1b="yes")
    ).eligible
    assert not check(
        _changed(h1b, {"step3": 199, "step3_date": "2024-05"}), _program(visa_h1b="yes")
    ).eligible
    assert not check(_profile(), _program(eras=False)).eligible
    assert not check(_profile(step2ck=224), _program(min_step2ck=230)).eligible
    no_usce = check(_profile(), _program(usce_required=True))
    assert not no_usce.eligible and "US clinical" in str(no_usce.exclusions[0])
    assert not check(_profile(), _program(setting="military")).eligible


def test_visa_probabilities_are_drawn(model: ChanceModel, catalog: Catalog) -> None:
    d = model.context(IM, catalog.programs(specialty=IM))
    listed = d.base.visa_status["j1"] == 2
    assert listed.any()
    values = d.visa["j1"][:, listed][:, 0]
    assert values[0] == pytest.approx(13 / 108) and np.std(values[1:]) > 0.01


def _program(**facts: Any) -> Program:
    fields = {k: Fact(v, "test source", 2025) for k, v in facts.items()}
    return Program(
        id="9999999999C",
        acgme_code="9999999999",
        name="Test Program",
        specialty=IM,
        track="categorical",
        **fields,
    )


def test_reasons_cite_sources_and_no_internal_references(catalog: Catalog) -> None:
    result = assess(reference_profile("guide-sample"), catalog=catalog)
    assert [p.id for p in result.programs] == list(result.chances.program_ids)
    text = " ".join(str(r) for row in result.rows for r in row.reason_details)
    assert (
        "Step 2 CK 224 is in the lowest quarter of this specialty's matched applicants (below 240)"
        in text
    )
    assert "NRMP Charting Outcomes 2026" in text and "AAMC Residency Explorer, 2026 cycle" in text
    assert "J-1 considered (FREIDA 2025)" in text
    for internal in ("docs/", ".md", "effects.csv", "section ", "rows "):
        assert internal not in text
    assert all(e.reasons for e in result.excluded)
    with_data = [r for r in result.rows if r.program.interview_evidence is not None]
    caveats = ("No visa listed", "Did not take", "Was not accepting")  # lead where they apply
    assert all(
        next(r for r in row.reasons if not r.startswith(caveats)).startswith("Invited ")
        for row in with_data
    )


def test_assess_program_ids_and_multi_specialty(catalog: Catalog) -> None:
    strong = reference_profile("strong-img")
    both = assess(strong, catalog=catalog)
    assert set(both.specialties) == {IM, "Neurology"}
    some = [p.id for p in both.programs[:3]] + [p.id for p in both.programs[-2:]]
    picked = assess(strong, program_ids=some, catalog=catalog)
    assert [p.id for p in picked.programs] == some
    for pid in some:
        assert picked.row(pid).p_interview[0] == pytest.approx(both.row(pid).p_interview[0])


def test_every_catalog_specialty_is_assessable(catalog: Catalog) -> None:
    profile = reference_profile("average-img")
    result = assess(profile, specialties=catalog.specialties(), catalog=catalog, tracks=None)
    assert len(result.rows) > 3000
    for arr in (*result.chances.interview_by_signal, result.chances.conversion):
        assert np.isfinite(arr).all()
    assert {p.track for p in result.programs} >= {"categorical", "preliminary"}


def test_reference_profiles_order(catalog: Catalog) -> None:
    """Stronger files get better chances at the same programs (sanity on the six profiles)."""
    best: dict[str, float] = {}
    for name in ("guide-sample", "average-img", "strong-img"):
        result = assess(reference_profile(name), specialties=[IM], catalog=catalog)
        top = sorted(range(len(result.rows)), key=lambda i: -result.rows[i].p_match[0])[:60]
        best[name] = float(p_match(result.chances, top)[0])
    assert best["guide-sample"] < best["average-img"] < best["strong-img"]


def test_the_estimator_contract(model: ChanceModel) -> None:
    """Settings checked in fit, predict needs fit, predicting changes no fitted attribute."""
    with pytest.raises(NotFitted):
        ChanceModel().predict(reference_profile("guide-sample"), [])
    with pytest.raises(InvalidInput, match="level"):
        ChanceModel(level=1.5).fit([])
    with pytest.raises(InvalidInput, match="n_draws"):
        ChanceModel(n_draws=-1).fit([])
    state = model.state_
    model.matched_quartiles(IM)
    model.predict(reference_profile("guide-sample"), [])
    assert model.state_ is state
