"""Speed of the chance model: the whole IM catalog for each reference profile.

Usage: .venv/bin/python bench/chances_speed.py

Prints, per reference profile, the programs assessed and the median wall time of `assess()` (catalog
already open, model loaded) and of the model's `predict()` alone, over 5 runs.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from smartpick.core.chances.context import build_context
from smartpick.core.profile import load_profile
from smartpick.service.assess import assess, fitted_model
from smartpick.service.catalog import open_catalog

PROFILES = Path(__file__).resolve().parents[1] / "examples" / "profiles"


def _median_ms(run, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    catalog = open_catalog()
    model = fitted_model()
    programs = [
        p for p in catalog.programs(specialty="Internal Medicine") if p.track == "categorical"
    ]
    contexts = {
        "Internal Medicine": build_context(
            "Internal Medicine", catalog.programs(specialty="Internal Medicine")
        )
    }
    print(f"model: {model.n_draws} bootstrap draws, 16 quadrature nodes")
    for path in sorted(PROFILES.glob("*.toml")):
        profile = load_profile(path)
        whole = _median_ms(
            lambda profile=profile: assess(
                profile, specialties=["Internal Medicine"], catalog=catalog
            )
        )
        alone = _median_ms(lambda profile=profile: model.predict(profile, programs, contexts))
        print(
            f"{path.stem:16} {len(programs)} IM programs: assess {whole:6.0f} ms, predict {alone:6.0f} ms"
        )


if __name__ == "__main__":
    main()
