"""Fixtures shared by the tests and the benchmarks (datasette's `fixtures.py` pattern).

- `reference_profile(name)`: one of the six reference applicants in `examples/profiles/`;
- `isolated_catalog(folder)`: the real bundled catalog with an empty user store in `folder`;
- `synthetic_chances(n, seed=...)`: a random `ChanceMatrix` for optimizer tests and benches;
- `pdf_text_core_font(data)`: the text of a PDF drawn with the core (Latin-1) font.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np

from smartpick.core.chances import ChanceMatrix
from smartpick.core.profile import ApplicantProfile, load_profile
from smartpick.service.catalog import Catalog, open_catalog

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
REFERENCE_NAMES = (
    "average-img",
    "guide-sample",
    "low-score-late",
    "psych-img",
    "strong-img",
    "us-img-fm",
)


def reference_profile(name: str) -> ApplicantProfile:
    """One of the six shared reference applicants (`examples/profiles/NAME.toml`)."""
    return load_profile(EXAMPLES / f"{name}.toml")


def isolated_catalog(folder: Path) -> Catalog:
    """The real bundled catalog with an empty user store under `folder` (never the real home)."""
    return open_catalog(Path(folder) / "user_catalog.sqlite")


def synthetic_chances(
    n: int,
    *,
    seed: int,
    nodes: int = 12,
    draws: int = 8,
    levels: int = 3,
    sigma_u: float = 1.0,
) -> ChanceMatrix:
    """A random matrix: interview logit a_i + sigma_u * u (+ a signal's log-odds), conversion
    logit c_i + 0.5 u."""
    rng = np.random.default_rng(seed)
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    base = rng.normal(-1.5, 1.2, size=n)
    conv = rng.normal(-0.5, 0.6, size=n)
    lift = np.array([0.0, 0.6, 1.2])[None, :levels] * rng.uniform(0.3, 1.5, size=(n, 1))
    jitter = np.concatenate([np.zeros((1, n)), rng.normal(0, 0.15, size=(draws, n))])

    def sig(z: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    interview = tuple(
        sig(base[None, :, None] + jitter[:, :, None] + lift[None, :, s : s + 1] + sigma_u * x)
        for s in range(levels)
    )
    conversion = sig(conv[None, :, None] + jitter[:, :, None] * 0.5 + 0.5 * x)
    ids = tuple(f"P{i:04d}" for i in range(n))
    return ChanceMatrix(
        program_ids=ids, weights=w, interview_by_signal=interview, conversion=conversion
    )


def pdf_text_core_font(data: bytes) -> str:
    """Text drawn with the core (Latin-1) font: inflate every content stream, read the strings."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            raw = zlib.decompress(stream)
        except zlib.error:
            raw = stream
        text += [m.decode("latin-1") for m in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", raw)]
    return " ".join(text).replace("\\(", "(").replace("\\)", ")")
