"""Speed of the chance model: the whole IM catalog for each reference profile, before (v1,
data/model/v1_figures.json) and after (v2).

Usage: .venv/bin/python bench/chances_speed.py

Prints, per reference profile, the programs assessed and the median wall time of `assess()` (catalog
open, model loaded, each specialty's program side built: the state of a running server) and of
the model's `predict()` alone, over 5 runs; and the one-time cost of building the IM program side.
The machine is shared: compare figures measured at the same time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from smartpick.service.assess import assess, fitted_model
from smartpick.service.calibration import v1_figures
from smartpick.service.catalog import open_catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile

V1 = v1_figures()
IM = "Internal Medicine"


def _median_ms(run: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        catalog = open_catalog(Path(home) / "user.sqlite")
        model = fitted_model()
        full = catalog.programs(specialty=IM)
        start = time.perf_counter()
        context = model.context(IM, full)
        context.alpha("non_us_img")
        built = 1000 * (time.perf_counter() - start)
        programs = [p for p in full if p.track == "categorical"]
        print(
            f"model: {model.n_draws} bootstrap draws, 16 quadrature nodes; IM program side built "
            f"once per process in {built:.0f} ms"
        )
        for name in REFERENCE_NAMES:
            profile = reference_profile(name)
            assess(profile, specialties=[IM], catalog=catalog)  # build the type's baselines once
            whole = _median_ms(
                lambda profile=profile: assess(profile, specialties=[IM], catalog=catalog)
            )
            alone = _median_ms(
                lambda profile=profile: model.predict(profile, programs, {IM: context})
            )
            before = V1["assess_ms_im"][name]
            print(
                f"{name:16} {len(programs)} IM programs: assess {whole:6.0f} ms (v1 before: "
                f"{before:.0f} ms), predict {alone:6.0f} ms"
            )


if __name__ == "__main__":
    main()
