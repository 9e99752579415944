"""Input rules every face shares: what-if values, impossible combinations, plain error words."""

from __future__ import annotations

from smartpick.core.plan.words import change_words
from smartpick.core.profile.whatif import apply_changes, parse_value
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
