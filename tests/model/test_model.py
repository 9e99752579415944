"""The chance model on the real bundled catalog: invariants, eligibility, reasons, service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.core.chances.context import build_context
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.matrix import p_match
from smartpick.core.chances.results import Prediction
from smartpick.core.profile import ApplicantProfile, load_profile, profile_from_dict
from smartpick.core.profile.whatif import apply_changes
from smartpick.core.programs import Fact, Program
from smartpick.core.rules.eligibility import check
from smartpick.service.assess import assess, fitted_model
from smartpick.service.catalog import Catalog

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="session")
def model() -> ChanceModel:
    return fitted_model()


@pytest.fixture(scope="session")
def sample(catalog: Catalog) -> tuple[list[Program], dict[str, Any]]:
    """Every 8th IM and FM categorical program, with contexts from the full specialties."""
    programs = []
    contexts = {}
    for s in ("Internal Medicine", "Family Medicine"):
        full = catalog.programs(specialty=s)
        contexts[s] = build_context(s, full)
        programs += [p for p in full if p.track == "categorical"][::8]
    return programs, contexts


def _probabilities(pred: Prediction, ids: list[str]) -> np.ndarray:
    """(levels x draws x programs) P(interview) and P(match), 0 for excluded programs."""
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
        "specialties": ["Internal Medicine", "Family Medicine"],
        "step2ck": 235,
        "visa": "none",
    }
    base.update(changes)
    return profile_from_dict(base)


profiles = st.fixed_dictionaries(
    {
        "step2ck": st.integers(190, 290),
        "visa": st.sampled_from(["none", "j1", "h1b", "either"]),
        "step3": st.one_of(st.none(), st.integers(180, 270)),
        "graduation_year": st.integers(2012, 2027),
        "us_letters": st.integers(0, 5),
        "step1": st.one_of(st.sampled_from(["pass", "fail_then_pass"]), st.integers(190, 260)),
        "ties_states": st.sampled_from([[], ["TX"], ["NY", "CA"]]),
        "applicant_type": st.sampled_from(["non_us_img", "us_img"]),
        "usce": st.sampled_from(
            [[], [{"months": 2, "kind": "observership"}], [{"months": 3, "kind": "hands_on"}]]
        ),
    }
)


@FAST
@given(data=profiles, more=st.integers(1, 40))
def test_higher_step2ck_never_lowers(sample: Any, model: ChanceModel, data: Any, more: int) -> None:
    programs, contexts = sample
    ids = [p.id for p in programs]
    low = model.predict(_profile(**data), programs, contexts)
    high_score = min(data["step2ck"] + more, 300)
    high = model.predict(_profile(**{**data, "step2ck": high_score}), programs, contexts)
    assert np.all(_probabilities(high, ids) >= _probabilities(low, ids) - 1e-12)


@FAST
@given(data=profiles, months=st.floats(0.5, 12))
def test_hands_on_usce_never_lowers(
    sample: Any, model: ChanceModel, data: Any, months: float
) -> None:
    programs, contexts = sample
    ids = [p.id for p in programs]
    before = _profile(**data)
    after = _changed(before, {"add_usce_hands_on_months": months})
    a = _probabilities(model.predict(before, programs, contexts), ids)
    b = _probabilities(model.predict(after, programs, contexts), ids)
    assert np.all(b >= a - 1e-12)


@FAST
@given(data=profiles, visa=st.sampled_from(["j1", "h1b", "either"]))
def test_needing_a_visa_never_raises(sample: Any, model: ChanceModel, data: Any, visa: str) -> None:
    programs, contexts = sample
    ids = [p.id for p in programs]
    free = _probabilities(
        model.predict(_profile(**{**data, "visa": "none"}), programs, contexts), ids
    )
    bound = _probabilities(
        model.predict(_profile(**{**data, "visa": visa}), programs, contexts), ids
    )
    assert np.all(bound <= free + 1e-12)


@FAST
@given(data=profiles)
def test_probabilities_and_intervals(sample: Any, model: ChanceModel, data: Any) -> None:
    programs, contexts = sample
    pred = model.predict(_profile(**data), programs, contexts)
    for arr in (*pred.chances.interview_by_signal, pred.chances.conversion):
        assert np.all((arr >= 0) & (arr <= 1))
    for row in pred.rows:
        for point, low, high in (row.p_interview, row.p_match):
            assert 0 <= low <= point <= high <= 1
        signal = row.p_interview_signal
        assert signal["none"] <= signal["silver"] <= signal["gold"]
    assert len(pred.rows) + len(pred.excluded) == len(programs)


def test_shared_latent_effect_correlates_outcomes(sample: Any, model: ChanceModel) -> None:
    programs, contexts = sample
    pred = model.predict(load_profile(PROFILES / "average-img.toml"), programs, contexts)
    n = len(pred.programs)
    together = float(p_match(pred.chances, list(range(n)))[0])
    alone = np.array([r.p_match[0] for r in pred.rows])
    independent = 1.0 - float(np.prod(1.0 - alone))
    assert together < independent  # correlated through u: fewer "independent coins"


def _program(**facts: Any) -> Program:
    fields = {k: Fact(v, "test source", 2025) for k, v in facts.items()}
    return Program(
        id="9999999999C",
        acgme_code="9999999999",
        name="Test Program",
        specialty="Internal Medicine",
        track="categorical",
        **fields,
    )


def test_eligibility_rules() -> None:
    j1 = _profile(visa="j1")
    h1b = _profile(visa="h1b")
    assert not check(j1, _program(visa_j1="no")).eligible
    assert check(j1, _program(visa_j1="no")).exclusions[0].source == "test source"
    listed = check(j1, _program(visa_j1="none_listed"))
    assert listed.eligible and 0.05 < listed.visa_factor < 0.25
    unknown = check(j1, _program())
    assert unknown.eligible and unknown.unknowns == ("J-1 policy",)
    assert "Step 3" in str(check(h1b, _program(visa_h1b="yes")).exclusions[0])
    assert check(_changed(h1b, {"step3": 230}), _program(visa_h1b="yes")).eligible
    assert not check(_changed(h1b, {"step3": 190}), _program(visa_h1b="yes")).eligible
    either = _profile(visa="either")
    assert check(either, _program(visa_j1="yes", visa_h1b="yes")).eligible
    assert not check(_profile(), _program(eras=False)).eligible
    assert not check(_profile(), _program(accepting_applications=False)).eligible
    assert not check(_profile(step2ck=224), _program(min_step2ck=230)).eligible
    assert check(_profile(step2ck=235), _program(min_step2ck=230)).eligible
    assert not check(
        _profile(graduation_year=2015), _program(max_years_since_graduation=5)
    ).eligible
    no_usce = check(_profile(), _program(usce_required=True))
    assert not no_usce.eligible and "US clinical" in str(no_usce.exclusions[0])


def test_unknown_facts_lower_confidence_not_exclude(model: ChanceModel) -> None:
    bare = _program(visa_j1="yes")
    known = _program(visa_j1="yes", pct_non_us_img=40.0, pct_interviewed=12.0, setting="community")
    pred = model.predict(_profile(visa="j1"), [bare], None)
    assert len(pred.rows) == 1 and pred.rows[0].confidence == "low"
    assert "share of IMG residents" in pred.rows[0].unknowns
    assert any("unknown" in r for r in pred.rows[0].reasons)
    assert model.predict(_profile(visa="j1"), [known], None).rows[0].confidence == "high"


def test_reasons_cite_sources(catalog: Catalog) -> None:
    result = assess(load_profile(PROFILES / "guide-sample.toml"), catalog=catalog)
    assert len(result.programs) == len(result.rows) == result.chances.interview.shape[1]
    assert [p.id for p in result.programs] == list(result.chances.program_ids)
    text = " ".join(r for row in result.rows for r in row.reasons)
    assert "Step 2 CK 224 is below this specialty's matched Q1 (240)" in text
    assert "NRMP Charting Outcomes 2026" in text
    assert "J-1 considered (FREIDA 2025)" in text
    assert "% of residents are non-US IMGs" in text
    assert all(e.reasons for e in result.excluded)
    assert any("J-1 not considered" in r for e in result.excluded for r in e.reasons)


def test_assess_program_ids_and_multi_specialty(catalog: Catalog) -> None:
    strong = load_profile(PROFILES / "strong-img.toml")
    both = assess(strong, catalog=catalog)
    assert set(both.specialties) == {"Internal Medicine", "Neurology"}
    assert {p.specialty for p in both.programs} == {"Internal Medicine", "Neurology"}
    some = [p.id for p in both.programs[:3]]
    picked = assess(strong, program_ids=some, catalog=catalog)
    assert [p.id for p in picked.programs] == some
    for pid in some:
        assert picked.row(pid).p_interview[0] == pytest.approx(both.row(pid).p_interview[0])


def test_reference_profiles_order(catalog: Catalog) -> None:
    """Stronger files get better chances at the same programs (sanity on the six profiles)."""
    best: dict[str, float] = {}
    for name in ("guide-sample", "average-img", "strong-img"):
        result = assess(
            load_profile(PROFILES / f"{name}.toml"),
            specialties=["Internal Medicine"],
            catalog=catalog,
        )
        top = sorted(range(len(result.rows)), key=lambda i: -result.rows[i].p_match[0])[:60]
        best[name] = float(p_match(result.chances, top)[0])
    assert best["guide-sample"] < best["average-img"] < best["strong-img"]


def test_participation_rules_by_source_age() -> None:
    profile = _profile()
    recent = Program(
        id="9999999998C",
        acgme_code="9999999998",
        name="Recent",
        specialty="Internal Medicine",
        track="categorical",
        nrmp=Fact(False, "FREIDA 2025", 2025),
    )
    assert not check(profile, recent).eligible
    stale = _program(nrmp=False)  # "test source" 2025 is recent: excluded
    assert not check(profile, stale).eligible
    old = Program(
        id="9999999997C",
        acgme_code="9999999997",
        name="Old",
        specialty="Internal Medicine",
        track="categorical",
        nrmp=Fact(False, "AAMC Residency Explorer 2021", 2021),
    )
    warned = check(profile, old)
    assert warned.eligible and "NRMP Match participation" in warned.unknowns
    assert any("check its current status" in str(r) for r in warned.soft_reasons)
    assert not check(profile, _program(setting="military")).eligible


def test_every_catalog_specialty_is_assessable(catalog: Catalog) -> None:
    profile = load_profile(PROFILES / "average-img.toml")
    result = assess(profile, specialties=catalog.specialties(), catalog=catalog, tracks=None)
    assert len(result.rows) > 3000
    for arr in (*result.chances.interview_by_signal, result.chances.conversion):
        assert np.isfinite(arr).all()
    assert {p.track for p in result.programs} >= {"categorical", "preliminary"}


def test_ties_preference_and_rotation_raise(model: ChanceModel) -> None:
    program = _program(
        visa_j1="yes", state="TX", region="South", pct_non_us_img=30.0, setting="community"
    )
    program = Program(
        **{**program.__dict__, "institution": Fact("Texas Valley Hospital", "t", 2025)}
    )
    base = _profile()

    def p_int(profile: ApplicantProfile) -> float:
        return model.predict(profile, [program], None).rows[0].p_interview[0]

    plain = p_int(base)
    assert p_int(_changed(base, {"ties_states": ["TX"]})) > plain
    assert p_int(_changed(base, {"preferred_regions": ["South"]})) > plain
    rotated = _changed(
        base, {"usce": [{"months": 2, "kind": "hands_on", "institution": "Texas Valley Hospital"}]}
    )
    elsewhere = _changed(
        base, {"usce": [{"months": 2, "kind": "hands_on", "institution": "Somewhere Else"}]}
    )
    assert p_int(rotated) > p_int(elsewhere)
    assert "You rotated here (hands-on)" in " ".join(
        model.predict(rotated, [program], None).rows[0].reasons
    )


def test_unknown_facts_widen_the_interval(model: ChanceModel, catalog: Catalog) -> None:
    full = catalog.programs(specialty="Internal Medicine")
    context = build_context("Internal Medicine", full)
    known = _program(visa_j1="yes", setting="community", pct_interviewed=10.0)
    known = Program(**{**known.__dict__, "pct_non_us_img": Fact(40.0, "t", 2021)})
    unknown = _program(visa_j1="yes", setting="community", pct_interviewed=10.0)
    profile = _profile(visa="j1")
    a = model.predict(profile, [known], {"Internal Medicine": context}).rows[0].p_interview
    b = model.predict(profile, [unknown], {"Internal Medicine": context}).rows[0].p_interview
    assert (b[2] - b[1]) / b[0] > (a[2] - a[1]) / a[0]


def _changed(profile, changes):
    return apply_changes(profile, changes)[0]


def test_the_estimator_contract(model: ChanceModel) -> None:
    """scikit-learn's contract: settings checked in fit, predict needs fit, nothing changes
    after fit (reading quartiles or predicting mutates no attribute)."""
    from smartpick.core.chances.estimator import NotFitted
    from smartpick.errors import InvalidInput

    with pytest.raises(NotFitted):
        ChanceModel().predict(load_profile(PROFILES / "guide-sample.toml"), [])
    with pytest.raises(InvalidInput, match="level"):
        ChanceModel(level=1.5).fit()
    with pytest.raises(InvalidInput, match="n_draws"):
        ChanceModel(n_draws=-1).fit()
    before = dict(vars(model))
    model.matched_quartiles("Internal Medicine")
    model.predict(load_profile(PROFILES / "guide-sample.toml"), [])
    assert vars(model).keys() == before.keys()
