"""Profile loading, validation messages and what-if changes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.profile import (
    ApplicantProfile,
    load_profile,
    profile_from_dict,
    profile_json_schema,
)
from smartpick.core.profile.example import example_profile_toml
from smartpick.core.profile.whatif import WHATIF_KEYS, apply_changes
from smartpick.errors import InvalidInput

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
NAMES = ("guide-sample", "low-score-late", "average-img", "strong-img", "us-img-fm", "psych-img")
BASE = {"graduation_year": 2024, "match_year": 2027, "specialties": ["Internal Medicine"]}


@pytest.mark.parametrize("name", NAMES)
def test_reference_profiles_load(name: str) -> None:
    profile = load_profile(PROFILES / f"{name}.toml")
    assert profile.name == name
    assert profile.match_year == 2028


def test_reference_profile_details() -> None:
    guide = load_profile(PROFILES / "guide-sample.toml")
    assert (guide.step1, guide.step2ck, guide.step3, guide.visa) == (209, 224, None, "j1")
    assert guide.usce_observership_months == 1 and guide.usce_hands_on_months == 0
    late = load_profile(PROFILES / "low-score-late.toml")
    assert late.step1_status == "fail_then_pass" and late.failed_attempts == 1
    assert late.years_since_graduation == 7
    assert late.specialties == ("Internal Medicine", "Family Medicine")
    fm = load_profile(PROFILES / "us-img-fm.toml")
    assert fm.applicant_type == "us_img" and fm.ties_states == ("TX",)
    assert fm.letters_in("Family Medicine") == 3


def test_example_is_the_guide_sample() -> None:
    profile = profile_from_dict(tomllib.loads(example_profile_toml()))
    assert (profile.step1, profile.step2ck, profile.step3) == (209, 224, None)
    assert profile.visa == "j1" and profile.specialties == ("Internal Medicine",)


def test_json_roundtrip(tmp_path: Path) -> None:
    profile = load_profile(PROFILES / "average-img.toml")
    path = tmp_path / "p.json"
    path.write_text(profile.model_dump_json(), encoding="utf-8")
    assert load_profile(path) == profile


def test_schema_has_fields() -> None:
    schema = profile_json_schema()
    assert {"step2ck", "visa", "usce", "specialties"} <= set(schema["properties"])
    json.dumps(schema)


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"step2ck": 320}, "step2ck", "1 to 300"),
        ({"step2ck": 0}, "step2ck", "1 to 300"),
        ({"graduation_year": 2031}, "graduation_year", "after the Match year"),
        ({"usce": [{"months": -2, "kind": "hands_on"}]}, "usce[0].months", "0 to 120"),
        ({"specialties": ["Internal Medicin"]}, "specialties", "Did you mean 'Internal Medicine'"),
        ({"visa": "F-1"}, "visa", "j1"),
        ({"step1": 400}, "step1", "1-300"),
        ({"preferred_states": ["ZZ"]}, "preferred_states", "two-letter"),
        ({"preferred_regions": ["Moon"]}, "preferred_regions", "Midwest"),
        ({"favourite_colour": "red"}, "favourite_colour", "not a profile field"),
    ],
)
def test_errors_name_the_field(change: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        profile_from_dict({**BASE, **change})
    assert err.value.field == field
    named = "US clinical experience, block 1: months" if field.startswith("usce") else field
    assert named.split("[")[0] in err.value.message
    assert fragment in err.value.message


@settings(max_examples=30, deadline=None)
@given(score=st.integers(min_value=-50, max_value=400))
def test_step2ck_range(score: int) -> None:
    if 1 <= score <= 300:
        assert profile_from_dict({**BASE, "step2ck": score}).step2ck == score
    else:
        with pytest.raises(InvalidInput, match="step2ck"):
            profile_from_dict({**BASE, "step2ck": score})


def test_whatif_changes_revalidate() -> None:
    guide = load_profile(PROFILES / "guide-sample.toml")

    def with_changes(changes: dict) -> ApplicantProfile:
        return apply_changes(guide, changes)[0]

    changed = with_changes({"step3": 235, "usce_months": 4})
    assert changed.step3 == 235 and changed.usce_hands_on_months == 4
    assert guide.step3 is None  # the original is unchanged
    more = with_changes({"add_us_letters_in": {"Internal Medicine": 2}, "add_posters": 1})
    assert more.us_letters == 3 and more.letters_in("Internal Medicine") == 3 and more.posters == 1
    assert with_changes({"add_specialty": "Family Medicine"}).specialties[-1] == ("Family Medicine")
    with pytest.raises(InvalidInput, match="step3"):
        with_changes({"step3": 999})
    with pytest.raises(InvalidInput, match="not a what-if key"):
        with_changes({"nonsense": 1})
    assert "step3" in WHATIF_KEYS and isinstance(changed, ApplicantProfile)


BOUNDED = {
    "step2ck": (1, 300),
    "step3": (1, 300),
    "us_letters": (0, 20),
    "publications": (0, 500),
    "step2ck_attempts": (1, 6),
    "budget_usd": (0, 100_000),
}


@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(sorted(BOUNDED)), offset=st.integers(1, 1000), above=st.booleans())
def test_out_of_range_names_field_and_range(field: str, offset: int, above: bool) -> None:
    lo, hi = BOUNDED[field]
    value = hi + offset if above else lo - offset
    with pytest.raises(InvalidInput) as err:
        profile_from_dict({**BASE, field: value})
    assert err.value.field == field
    kind = "a number" if field == "budget_usd" else "a whole number"
    assert err.value.message == f"{field}: must be {kind} from {lo} to {hi}; got {value}"


@settings(max_examples=40, deadline=None)
@given(
    field=st.sampled_from(sorted(BOUNDED)),
    value=st.one_of(st.booleans(), st.floats(1.01, 99.99).filter(lambda v: not v.is_integer())),
)
def test_a_yes_no_or_fractional_count_is_rejected_in_plain_words(field: str, value: object) -> None:
    if field == "budget_usd" and not isinstance(value, bool):
        return  # dollars may have cents
    with pytest.raises(InvalidInput) as err:
        profile_from_dict({**BASE, field: value})
    message = err.value.message
    assert err.value.field == field and message.startswith(f"{field}: ")
    assert "Input should" not in message and "integer" not in message
    assert message.endswith(f"got {str(value).lower()}") or "is not allowed here" in message


def test_connections_validate_and_add_as_what_ifs() -> None:
    profile = profile_from_dict(
        {
            **BASE,
            "connections": [
                {"program_id": "1401200932C", "kind": "rotation"},
                {"institution": "Mayo Clinic", "kind": "alumni"},
            ],
        }
    )
    assert [c.kind for c in profile.connections] == ["rotation", "alumni"]
    with pytest.raises(InvalidInput, match="connections"):
        profile_from_dict({**BASE, "connections": [{"kind": "faculty"}]})
    with pytest.raises(InvalidInput, match="connections"):
        profile_from_dict(
            {**BASE, "connections": [{"institution": "X Hospital", "kind": "cousin"}]}
        )
    added = apply_changes(profile, {"add_connection": "Cleveland Clinic: faculty"})[0]
    assert added.connections[-1].institution == "Cleveland Clinic"
    assert added.connections[-1].kind == "faculty"
    with pytest.raises(InvalidInput, match="add_connection"):
        apply_changes(profile, {"add_connection": "Somewhere: cousin"})
    assert "add_connection" in WHATIF_KEYS
