"""Where does a list's point P(match) sit among its draws, and which source of noise moves it?

Usage: .venv/bin/python bench/point_vs_draws.py [--sources] [PROFILE ...]   (a few minutes)

For each reference profile, at its default list and at its $1,200 list (the shipped optimizer's
choices): the point (draw 0), the median, the mean and the 10th / 90th percentiles over the draws
1..D of the list's P(match), and of the expected interviews over every eligible program (no
signals). The last columns: the median over eligible programs of (point / mean of draws) of each
program's own P(interview), and how often `matrix.intervals` had to widen the list's interval to
contain the point.

With `--sources`, the same figures with only one source of draw-to-draw noise switched on (the
others held at draw 0): the programs' rate draws (independent per program), the bootstrap refits
of the population parameters, the assumptions' joint draws, the assumed applicant effects and the
visa facts' Beta draws.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from smartpick.core.chances import draws as draws_module
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.matrix import SIGNAL_LEVELS, expected_interviews, p_match
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.eligibility import DEFAULT_TRACKS
from smartpick.service.assess import fitted_model
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, reference_profile

SOURCES = ("rates", "params", "assumptions", "effects", "visa")


@contextlib.contextmanager
def _no_rate_noise() -> Iterator[None]:
    """Every program's rate draws held at its point (draw 0): the non-US IMG rate and a type's
    own published rate."""
    deviations = Draws.rate_deviations
    own = draws_module.betaincinv

    def at_point(d: Draws) -> np.ndarray:
        return np.zeros((len(d.params), d.size))

    def own_mean(a: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a / (a + b), np.shape(u)).copy()

    Draws.rate_deviations = at_point  # type: ignore[method-assign]
    draws_module.betaincinv = own_mean
    try:
        yield
    finally:
        Draws.rate_deviations = deviations  # type: ignore[method-assign]
        draws_module.betaincinv = own


def variant(d: Draws, kind: str, active: Sequence[str]) -> Draws:
    """The program side `d` with only the `active` sources drawing (the others at draw 0)."""
    d1 = len(d.params)
    out = Draws(
        base=d.base,
        reference=d.reference,
        params=d.params if "params" in active else [d.params[0]] * d1,
        typical=d.typical if "params" in active else np.full(d1, d.typical[0]),
        assumptions=d.assumptions if "assumptions" in active else [d.assumptions[0]] * d1,
        effects=d.effects
        if "effects" in active
        else {k: np.full(d1, v[0]) for k, v in d.effects.items()},
        seed=d.seed,
    )
    if "visa" not in active:
        out.visa = {k: np.broadcast_to(v[:1], v.shape).copy() for k, v in out.visa.items()}
    with contextlib.nullcontext() if "rates" in active else _no_rate_noise():
        out.alpha(kind)
    return out


@dataclass(frozen=True)
class Lists:
    """A profile's eligible programs in assessment order and its two optimized lists."""

    programs: tuple[Any, ...]
    contexts: dict[str, Draws]
    chosen: dict[str, tuple[list[str], list[int]]]  # list name -> (program ids, signal levels)
    widened: dict[str, tuple[int, int]]  # list name -> (curve points widened, curve points)


def lists_of(model: ChanceModel, catalog: Catalog, profile: ApplicantProfile) -> Lists:
    """The programs `assess` would score and the default and $1,200 lists."""
    chosen, widened = {}, {}
    for name, budget in (("default", None), ("$1,200", 1200.0)):
        rec = recommend(profile, budget_usd=budget, catalog=catalog)
        # `intervals` widened a curve point's interval iff its point is one of its distinct ends
        ends = [
            c.p_match.low < c.p_match.high and c.p_match.point in (c.p_match.low, c.p_match.high)
            for c in rec.curve
        ]
        widened[name] = (sum(ends), len(ends))
        chosen[name] = (
            [r.program.id for r in rec.programs],
            [SIGNAL_LEVELS.index(r.signal) if r.signal else 0 for r in rec.programs],
        )
    by = {s: catalog.programs(specialty=s) for s in profile.specialties}
    programs = tuple(p for s in by for p in by[s] if p.track in DEFAULT_TRACKS)
    contexts = {s: model.context(s, by[s]) for s in by}
    return Lists(programs, contexts, chosen, widened)


def _summary(values: np.ndarray) -> dict[str, float]:
    draws = values[1:]
    return {
        "point": float(values[0]),
        "median": float(np.median(draws)),
        "mean": float(draws.mean()),
        "p10": float(np.quantile(draws, 0.1)),
        "p90": float(np.quantile(draws, 0.9)),
    }


def figures(
    model: ChanceModel,
    profile: ApplicantProfile,
    lists: Lists,
    contexts: Mapping[str, Draws],
) -> dict[str, Any]:
    """P(match) of both lists and expected interviews over every eligible program, per draw."""
    pred = model.predict(profile, lists.programs, contexts)
    cm = pred.chances
    index = {pid: i for i, pid in enumerate(cm.program_ids)}
    out: dict[str, Any] = {}
    for name, (ids, signals) in lists.chosen.items():
        out[name] = _summary(p_match(cm, [index[i] for i in ids], signals))
    every = list(range(len(cm.program_ids)))
    out["interviews"] = _summary(expected_interviews(cm, every))
    p_int = cm.interview @ cm.weights  # (D1, n)
    ratio = p_int[0] / np.maximum(p_int[1:].mean(axis=0), 1e-300)
    out["program_ratio"] = float(np.median(ratio))
    p_match_each = (cm.interview * cm.conversion) @ cm.weights
    outside = []
    for values in (p_int, p_match_each):
        low, high = np.quantile(values[1:], [0.1, 0.9], axis=0)
        outside.append(int(np.sum((values[0] < low) | (values[0] > high))))
    out["programs_outside"] = (*outside, p_int.shape[1])
    return out


def _row(label: str, s: Mapping[str, float], scale: float, unit: str) -> str:
    widened = " widened" if not s["p10"] <= s["point"] <= s["p90"] else ""
    return (
        f"  {label:<22} point {scale * s['point']:6.2f}{unit}  median {scale * s['median']:6.2f}"
        f"  mean {scale * s['mean']:6.2f}  10-90 {scale * s['p10']:6.2f}-{scale * s['p90']:6.2f}"
        f"{widened}"
    )


def report(name: str, f: Mapping[str, Any], title: str) -> None:
    """Print one profile's figures under one variant."""
    print(
        f"{name} [{title}]  program point / draws' mean (median over programs): "
        f"{f['program_ratio']:.3f}"
    )
    for key in ("default", "$1,200"):
        print(_row(f"P(match) {key} list", f[key], 100.0, "%"))
    print(_row("interviews, eligible", f["interviews"], 1.0, " "))
    n_int, n_match, n = f["programs_outside"]
    print(
        f"  programs whose point is outside their draws' 10-90: P(interview) {n_int}/{n}, "
        f"P(match) {n_match}/{n}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profiles", nargs="*", default=list(REFERENCE_NAMES))
    parser.add_argument("--sources", action="store_true", help="one source of noise at a time")
    args = parser.parse_args()
    model = fitted_model()
    catalog = open_catalog()
    for name in args.profiles:
        profile = reference_profile(name)
        lists = lists_of(model, catalog, profile)
        sizes = ", ".join(f"{k}: {len(v[0])} programs" for k, v in lists.chosen.items())
        print(f"\n== {name} ({sizes})")
        report(name, figures(model, profile, lists, lists.contexts), "every source")
        for key, (hit, total) in lists.widened.items():
            print(f"  {key} list's curve: {hit}/{total} intervals widened to contain the point")
        if not args.sources:
            continue
        kind = profile.applicant_type
        for source in SOURCES:
            ctx = {s: variant(d, kind, (source,)) for s, d in lists.contexts.items()}
            report(name, figures(model, profile, lists, ctx), f"only {source}")
        ctx = {s: variant(d, kind, ()) for s, d in lists.contexts.items()}
        report(name, figures(model, profile, lists, ctx), "none (sanity: all = point)")


if __name__ == "__main__":
    main()
