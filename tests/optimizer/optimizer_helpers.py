"""Helpers shared by the optimizer tests and bench: reference profiles, random chance matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from smartpick.core.chances import ChanceMatrix
from smartpick.core.profile import ApplicantProfile, load_profile

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


def reference_profile(name: str) -> ApplicantProfile:
    """One of the six shared reference applicants (examples/profiles)."""
    return load_profile(PROFILES / f"{name}.toml")


def synthetic_chances(
    n: int,
    *,
    seed: int,
    nodes: int = 12,
    draws: int = 8,
    levels: int = 3,
    sigma_u: float = 1.0,
) -> ChanceMatrix:
    """A random matrix: interview logit a_i + sigma_u * u (+ a signal log-odds), conversion logit c_i + 0.5 u."""
    rng = np.random.default_rng(seed)
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    base = rng.normal(-1.5, 1.2, size=n)
    conv = rng.normal(-0.5, 0.6, size=n)
    lift = np.array([0.0, 0.6, 1.2])[None, :levels] * rng.uniform(0.3, 1.5, size=(n, 1))
    jitter = np.concatenate([np.zeros((1, n)), rng.normal(0, 0.15, size=(draws, n))])

    def sig(z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-z))

    interview = tuple(
        sig(base[None, :, None] + jitter[:, :, None] + lift[None, :, s : s + 1] + sigma_u * x)
        for s in range(levels)
    )
    conversion = sig(conv[None, :, None] + jitter[:, :, None] * 0.5 + 0.5 * x)
    ids = tuple(f"P{i:04d}" for i in range(n))
    return ChanceMatrix(
        program_ids=ids, weights=w, interview_by_signal=interview, conversion=conversion
    )
