"""The top of the plan: three or four sentences from its measured prices only, each figure
written as every other face writes it (`core.plan.figures`)."""

from __future__ import annotations

from smartpick.core.plan.chance_labels import ALL_STEPS
from smartpick.core.plan.figures import PLAN_CHANCE, count, dollars, offers, percent, points
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
    "j1_option": "also accepting a J-1",
}


def summarize(plan: Plan, entry_condition: str | None = None) -> tuple[str, ...]:
    """Three or four sentences for the top of the plan, from its measured prices only;
    `entry_condition`: the US entry restriction its chances hold under (`rules.policy`), said
    right after the chance as on the results page."""
    lines: list[str] = []
    base = plan.baseline
    if base is not None and base.programs == 0:
        lines.append("As you stand, no program can take you: see the red flags and the first step.")
    elif base is not None:
        p = base.p_match
        lines.append(
            f"{PLAN_CHANCE}: {percent(p.point)} (likely between {percent(p.low)} and "
            f"{percent(p.high)}) with {count(base.programs)} programs for {dollars(base.fees_usd)} in "
            f"ERAS fees; about {offers(base.expected_interviews.point)} interview offers."
        )
    if entry_condition is not None:
        lines.append(entry_condition)
    gains = sorted(
        (
            (s.price.delta_p_match.point, STEP_LABELS[s.id])
            for s in plan.steps
            if s.price is not None and s.id in STEP_LABELS
        ),
        reverse=True,
    )
    # a gain shown as +0.0 is no gain: leave it out, or say no step alone helps
    shown = [(d, label) for d, label in gains[:3] if float(points(d)) > 0]
    if shown:
        lines.append(
            "Largest gains, each step alone: "
            + "; ".join(f"{label} {points(d)} percentage points" for d, label in shown)
            + "."
        )
    elif gains:
        lines.append("No step alone raises your chance of matching by 0.1 percentage point.")
    whole: Price | None = plan.whole_plan
    if whole is not None:
        d = whole.delta_p_match
        lines.append(
            f"{ALL_STEPS} ({len(gains)} steps, measured together): "
            f"{percent(whole.baseline.p_match.point)} → {percent(whole.changed.p_match.point)} "
            f"({points(d.point)} percentage points, likely {points(d.low)} to {points(d.high)})."
        )
    volume = next((s for s in plan.steps if s.id == "volume_mix"), None)
    if volume is not None:
        lines.append(volume.title + ".")
    return tuple(lines)
