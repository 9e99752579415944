"""The top of the plan: three or four sentences from its measured prices only."""

from __future__ import annotations

from smartpick.core.plan.types import Plan, Price

STEP_LABELS = {
    "step2ck": "Step 2 CK",
    "step3": "Step 3",
    "usce": "hands-on USCE",
    "connection": "a connection at a program",
    "letters": "US letters",
    "research": "research",
    "regions": "regional preference",
    "second_specialty": "a second specialty",
}


def summarize(plan: Plan) -> tuple[str, ...]:
    """Three or four sentences for the top of the plan, from its measured prices only."""
    lines: list[str] = []
    base = plan.baseline
    if base is not None:
        p = base.p_match
        lines.append(
            f"As you stand: P(match) {100 * p.point:.0f}% ({100 * p.low:.0f}-{100 * p.high:.0f}%) "
            f"with {base.programs} programs for {base.fees_usd:,.0f} USD, "
            f"{base.expected_interviews.point:.1f} expected interviews."
        )
    gains = sorted(
        (
            (s.price.delta_p_match.point, STEP_LABELS[s.id])
            for s in plan.steps
            if s.price is not None and s.id in STEP_LABELS
        ),
        reverse=True,
    )
    if gains:
        lines.append(
            "Largest gains, each alone: "
            + "; ".join(f"{label} {100 * d:+.1f} pp" for d, label in gains[:3])
            + "."
        )
    whole: Price | None = plan.whole_plan
    if whole is not None:
        d = whole.delta_p_match
        lines.append(
            f"All {len(gains)} priced steps together: P(match) "
            f"{100 * whole.baseline.p_match.point:.0f}% -> {100 * whole.changed.p_match.point:.0f}% "
            f"({100 * d.point:+.1f} pp, {100 * d.low:+.1f} to {100 * d.high:+.1f})."
        )
    volume = next((s for s in plan.steps if s.id == "volume_mix"), None)
    if volume is not None:
        lines.append(volume.title + ".")
    return tuple(lines)
