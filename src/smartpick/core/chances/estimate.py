"""A figure with its interval: the point estimate and the bootstrap quantiles around it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """point = the model's point estimate (draw 0); low/high = quantiles of the bootstrap draws."""

    point: float
    low: float
    high: float

    def to_dict(self, digits: int | None = None) -> dict[str, float]:
        """{"point", "low", "high"}, rounded to `digits` when given."""
        if digits is None:
            return {"point": self.point, "low": self.low, "high": self.high}
        return {
            "point": round(self.point, digits),
            "low": round(self.low, digits),
            "high": round(self.high, digits),
        }
