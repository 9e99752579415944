"""Tiers of a listed program: reach, target or likely, by its P(interview)."""

from __future__ import annotations

# Tiers by P(interview) at the chosen signal level (integrated over u): SmartPick's own cut-offs
# (docs/optimizer.md), not a published standard.
TIER_REACH_BELOW = 0.20
TIER_LIKELY_FROM = 0.50
TIERS = ("reach", "target", "likely")


def tier_of(p_interview: float) -> str:
    """ "reach" below 20% P(interview), "likely" from 50%, "target" between."""
    if p_interview < TIER_REACH_BELOW:
        return "reach"
    if p_interview >= TIER_LIKELY_FROM:
        return "likely"
    return "target"
