"""Input rules every face shares: what-if values, impossible combinations, plain error words."""

from __future__ import annotations

import pytest

from smartpick.core.plan.words import change_words
from smartpick.core.profile import profile_from_dict
from smartpick.core.profile.files import profile_data
from smartpick.core.profile.validation import ProfileInvalid
from smartpick.core.profile.whatif import apply_changes, parse_value
from smartpick.errors import InvalidInput
from smartpick.testing import reference_profile


def test_visa_none_is_a_value_and_an_optional_field_can_be_cleared() -> None:
    applicant = reference_profile("average-img")
    for typed in ("none", "None", " NONE "):
        value = parse_value("visa", typed)
        changed, _ = apply_changes(applicant, {"visa": value})
        assert changed.visa == "none" and not changed.needs_visa
        assert change_words({"visa": typed}) == "no visa needed"
    with_step3, _ = apply_changes(applicant, {"step3": 230})
    cleared, _ = apply_changes(with_step3, {"step3": parse_value("step3", "none")})
    assert cleared.step3 is None
    assert change_words({"step3": None}) == "no Step 3 score"


@pytest.mark.parametrize(
    ("applicant_type", "visa"),
    [
        ("us_img", "j1"),
        ("us_img", "h1b"),
        ("us_img", "either"),
        ("us_md", "j1"),
        ("us_do", "either"),
    ],
)
def test_an_impossible_applicant_type_and_visa_is_rejected(applicant_type: str, visa: str) -> None:
    data = {**profile_data(reference_profile("us-img-fm")), "applicant_type": applicant_type}
    with pytest.raises(ProfileInvalid) as err:
        profile_from_dict({**data, "visa": visa})
    assert err.value.field == "visa"
    assert "applicant type" in err.value.message and "visa" in err.value.message
    with pytest.raises(InvalidInput):  # a what-if is checked by the same rule
        apply_changes(profile_from_dict({**data, "visa": "none"}), {"visa": visa})


@pytest.mark.parametrize("country", ["US", "United States", "usa"])
def test_a_us_citizen_is_not_a_non_us_citizen_img(country: str) -> None:
    """A non-US-citizen IMG who gives US citizenship is told which field to change; a what-if
    that makes the profile so says which change did it, in words."""
    data = profile_data(reference_profile("guide-sample"))
    with pytest.raises(ProfileInvalid) as err:
        profile_from_dict({**data, "citizenship": country})
    assert err.value.field == "citizenship" and "US-citizen IMG" in err.value.message
    assert profile_from_dict({**data, "citizenship": "India"}).citizenship == "IN"
    with pytest.raises(InvalidInput) as changed:
        apply_changes(profile_from_dict(data), {"citizenship": country})
    assert changed.value.message.startswith("with the change to citizenship, citizenship: ")
    assert "->" not in changed.value.message


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"specialties": []}, "specialties: choose 1 to 6; got 0"),
        ({"usce": [{"months": 1, "kind": "hands_on"}] * 41}, "usce: choose up to 8; got 41"),
        ({"step2ck": 224.7}, "step2ck: must be a whole number from 1 to 300; got 224.7"),
        ({"step2ck": True}, "step2ck: must be a whole number from 1 to 300; got true"),
        ({"step2ck": False}, "step2ck: must be a whole number from 1 to 300; got false"),
        ({"publications": True}, "publications: must be a whole number from 0 to 500; got true"),
        ({"step2ck_date": "2020-13"}, "step2ck_date: must be year and month as YYYY-MM"),
    ],
)
def test_a_profile_file_error_is_plain_words(change: dict[str, object], line: str) -> None:
    data = {**profile_data(reference_profile("average-img")), **change}
    with pytest.raises(ProfileInvalid) as err:
        profile_from_dict(data)
    assert err.value.message.startswith(line), err.value.message
