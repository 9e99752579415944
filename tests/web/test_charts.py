"""Chart label placement: labels beside their line, never across another line or label."""

from __future__ import annotations

from smartpick.web.charts import CHAR_WIDTH, place_marks, place_you

LEFT, RIGHT, TOP = 64.0, 636.0, 40.0  # labels may use the right margin


def _span(x: float, label: str, anchor: str) -> tuple[float, float]:
    width = CHAR_WIDTH * len(label)
    return (x - width, x) if anchor == "end" else (x, x + width)


def test_two_close_medians_label_away_from_each_other() -> None:
    marks = place_marks(
        [(420.0, "matched median 251"), (360.0, "unmatched median 243")], LEFT, RIGHT, TOP
    )
    assert [m.x for m in marks] == [360.0, 420.0]
    for m in marks:
        lo, hi = _span(m.label_x, m.label, m.anchor)
        assert lo >= LEFT and hi <= RIGHT
        assert not any(lo < other.x < hi for other in marks if other is not m)
    assert marks[0].label_y != marks[1].label_y


def test_the_applicants_label_avoids_the_lines() -> None:
    lines = [360.0, 420.0]
    x, anchor, beside = place_you(300.0, "you: 224 → 22%", lines, LEFT, RIGHT)
    lo, hi = _span(x, "you: 224 → 22%", anchor)
    assert beside and not any(lo < v < hi for v in lines)
    # Between two close lines with no room either side: moved to the lower-left corner.
    x, anchor, beside = place_you(390.0, "you: 247 → 30%", lines, LEFT, RIGHT)
    assert not beside and x == LEFT + 6 and anchor == "start"
