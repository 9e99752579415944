"""A figure with its interval: the point estimate and the bootstrap quantiles around it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """point = the model's point estimate (draw 0); low/high = quantiles of the bootstrap draws."""

    point: float
    low: float
    high: float

    def rounded(self, digits: int) -> Estimate:
        """The same estimate rounded to `digits` (as the JSON contracts and the faces show it)."""
        return Estimate(
            round(self.point, digits), round(self.low, digits), round(self.high, digits)
        )

    def to_dict(self, digits: int | None = None) -> dict[str, float]:
        """{"point", "low", "high"}, rounded to `digits` when given."""
        e = self if digits is None else self.rounded(digits)
        return {"point": e.point, "low": e.low, "high": e.high}
