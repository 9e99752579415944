"""The measured figures of DESIGN.md, today's model (v1, shipped) against v2.

Usage: .venv/bin/python -m research.figures_v2 [lists|profiles|reference|floor|unknown|fm|speed|tilt|span|cohort]

- lists: guide-sample with 80 programs: the sum of the listed programs' 2026 non-US IMG interview
  rates, how many invited under 1%, and the Spearman correlation of its P(interview) with the
  2026 rates (v2 anchored, and v2 with every program's own 2026 data hidden).
- profiles: the six reference profiles' P(match) with 80 optimized applications, v1 and v2.
- reference: the reference applicant (Step 2 CK 244, no visa need, IM, reference file): the
  population curve (the cohort's way of applying) against the optimized list with typical signals.
- floor: a profile with every red flag, and the floor the data justify.
- unknown: a missing Step 2 CK (guide-sample without its score).
- fm: the Family Medicine what-if on Step 2 CK (us-img-fm at 215 / 232 / 250) under the FM slope
  range.
- speed: time of the v2 prediction for guide-sample on the IM catalog.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import numpy as np
from scipy.stats import spearmanr

from research import population as pop
from research import re2026
from research.dataset import catalog
from research.individual import predict
from research.lists import p_match_v2, top_by_rate, v1_list, v2_list
from research.program_layer import DEFAULT, layer
from research.specialties_v2 import fit_all, load_fits
from smartpick.core.chances import p_match as p_match_of
from smartpick.core.profile import ApplicantProfile, load_profile, profile_from_dict
from smartpick.service.chances import assess

PROFILES = ("guide-sample", "average-img", "strong-img", "low-score-late", "us-img-fm", "psych-img")
REFERENCE_PROFILE = {
    "name": "reference",
    "applicant_type": "non_us_img",
    "visa": "none",
    "step1": "pass",
    "step2ck": 244,
    "match_year": 2027,
    "graduation_year": 2024,
    "us_letters": 3,
    "us_letters_by_specialty": {"Internal Medicine": 2},
    "abstracts": 2,
    "posters": 1,
    "publications": 2,
    "specialties": ["Internal Medicine"],
    "usce": [{"months": 3, "kind": "hands_on", "specialty": "Internal Medicine"}],
}
RED_FLAGS = {
    "name": "every-red-flag",
    "applicant_type": "non_us_img",
    "visa": "j1",
    "step1": "fail_then_pass",
    "step1_attempts": 2,
    "step2ck": 214,
    "step2ck_attempts": 2,
    "match_year": 2027,
    "graduation_year": 2015,
    "us_letters": 0,
    "specialties": ["Internal Medicine"],
}


def profile(name: str) -> ApplicantProfile:
    """A reference profile from examples/profiles."""
    return load_profile(f"examples/profiles/{name}.toml")


def _rates() -> dict[str, float]:
    cat = catalog()
    out = {}
    for s in ("Internal Medicine", "Family Medicine"):
        ev = re2026.by_code(s)
        for p in cat.programs(specialty=s):
            if p.acgme_code in ev:
                out[p.id] = float(ev[p.acgme_code].nonus.rate or 0.0)
    return out


def lists() -> None:
    """guide-sample, 80 programs: v1 vs v2 lists against the 2026 rates."""
    rates = _rates()
    pr = profile("guide-sample")
    fits = load_fits()

    def summary(ids: tuple[str, ...]) -> str:
        known = [rates[i] for i in ids if i in rates]
        return (
            f"sum of 2026 rates {sum(known):.2f} over {len(known)} programs with data "
            f"({len(ids) - len(known)} without), {sum(r < 0.01 for r in known)} invited under 1%"
        )

    l1 = v1_list(pr, 80)
    pred = predict(pr, fits)
    l2 = v2_list(pred, 80)
    best = top_by_rate(pred, 80)
    print(f"guide-sample, 80 programs, v1 (today): {summary(l1.ids)}; P(match) {l1.p_match:.1%}")
    print(f"guide-sample, 80 programs, v2:         {summary(l2.ids)}; P(match) {l2.p_match:.1%}")
    print(
        f"  the 80 eligible programs with the highest 2026 rates: "
        f"{summary(tuple(pred.programs[i].id for i in best))}"
    )
    print(f"  v2's P(match) of the v1 list: {p_match_v2(pred, l1.ids, l1.signals):.1%}")
    a = assess(pr, catalog=catalog())
    pi = np.array([r.p_interview[0] for r in a.rows])
    rr = np.array([rates.get(r.program.id, np.nan) for r in a.rows])
    ok = ~np.isnan(rr)
    print(
        f"Spearman(P(interview), 2026 rate), guide-sample, IM programs with data: v1 "
        f"{spearmanr(pi[ok], rr[ok]).statistic:.3f} (n={ok.sum()})"
    )
    for hidden in (False, True):
        pv = predict(pr, fits, hidden=hidden)
        ok = ~np.isnan(pv.published_rate)
        rho = spearmanr(pv.p_interview[ok], pv.published_rate[ok]).statistic
        label = "v2, each program's 2026 data hidden (10-fold CV)" if hidden else "v2, anchored"
        print(f"  {label}: {rho:.3f} (n={ok.sum()})")
        if hidden:
            lh = v2_list(pv, 80)
            print(f"  v2 list chosen with hidden 2026 data: {summary(lh.ids)}")


def profiles() -> None:
    """The six reference profiles: P(match) with 80 optimized applications."""
    fits = load_fits()
    print(
        f"{'profile':16} {'v1 P(match)':>11} {'v1 interviews':>13} | {'v2 P(match)':>11} {'v2 interviews':>13}"
    )
    for name in PROFILES:
        pr = profile(name)
        l1 = v1_list(pr, 80)
        l2 = v2_list(predict(pr, fits), 80)
        print(
            f"{name:16} {l1.p_match:11.1%} {l1.expected_interviews:13.1f} | {l2.p_match:11.1%}"
            f" {l2.expected_interviews:13.1f}"
        )


def reference() -> None:
    """The reference applicant: cohort-drawn curve vs the optimized list with typical signals."""
    fits = load_fits()
    im = "Internal Medicine"
    p, m = fits.params[im], fits.markets[im]
    s = np.array([244.0])
    pr = profile_from_dict(REFERENCE_PROFILE)
    pred = predict(pr, fits)
    print(
        f"IM population at Step 2 CK 244, {pop.n_of(m, p):.0f} applications drawn as the cohort "
        f"applied, its typical signals: P(match | ranked) {pop.p_match_by_score(m, p, s, True)[0]:.1%}"
        f" (published IM rate among rankers 48.5%), unconditional "
        f"{pop.p_match_by_score(m, p, s)[0]:.1%}"
    )
    for n in (80, int(round(pop.n_of(m, p)))):
        drawn = pop.p_match_by_score(replace(m), replace(p, n_apps=float(n)), s)[0]
        opt = v2_list(pred, n)
        nosig = v2_list(pred, n, signals=False)
        print(
            f"  N={n}: cohort-drawn {drawn:.1%}; optimized with 3 gold + 12 silver {opt.p_match:.1%}"
            f" (list-quality gain {100 * (opt.p_match - drawn):+.1f} pp); optimized without signals"
            f" {nosig.p_match:.1%}"
        )
    l1 = v1_list(pr, 80)
    print(f"  v1 (today), same profile, optimized 80: {l1.p_match:.1%}")


def floor() -> None:
    """Every red flag: v1 and v2 P(match) at 80 applications."""
    fits = load_fits()
    pr = profile_from_dict(RED_FLAGS)
    l1 = v1_list(pr, 80)
    pred = predict(pr, fits)
    l2 = v2_list(pred, 80)
    print(
        f"every red flag (Step 2 CK 214, Step 1 and Step 2 CK each failed once, graduated 12 years"
        f" before, no USCE, no US letter, J-1): v1 {l1.p_match:.2%} ({l1.expected_interviews:.2f}"
        f" interviews), v2 {l2.p_match:.2%} ({l2.expected_interviews:.2f} interviews)"
    )


def unknown() -> None:
    """guide-sample without its Step 2 CK."""
    fits = load_fits()
    pr = profile("guide-sample")
    missing = pr.with_changes({"step2ck": None})
    p = fits.params["Internal Medicine"]
    known = v2_list(predict(pr, fits), 80).p_match
    point = v2_list(predict(missing, fits), 80).p_match
    lo_s, hi_s = p.mu - 0.25 * p.sd - 1.2816 * p.sd, p.mu - 0.25 * p.sd + 1.2816 * p.sd
    lo = v2_list(predict(pr.with_changes({"step2ck": int(lo_s)}), fits), 80).p_match
    hi = v2_list(predict(pr.with_changes({"step2ck": int(hi_s)}), fits), 80).p_match
    print(
        f"guide-sample with Step 2 CK 224: {known:.1%}; without a score: {point:.1%}, plausible "
        f"range {lo:.1%} (Step 2 CK {lo_s:.0f}) to {hi:.1%} ({hi_s:.0f})"
    )


def fm() -> None:
    """The FM what-if on Step 2 CK under the FM slope range."""
    pr = profile("us-img-fm")
    low_fm = profile("low-score-late").with_changes({"specialties": ["Family Medicine"]})
    for beta in (0.0, 0.15, 0.3):
        a = replace(DEFAULT, fm_beta=beta)
        fits = load_fits() if beta == 0.15 else fit_all(leave_one_out=False, a=a)
        p = fits.params["Family Medicine"]
        for label, who in (("us-img-fm", pr), ("low-score-late (FM only)", low_fm)):
            vals = [
                v2_list(predict(who.with_changes({"step2ck": s}), fits, a=a), 80).p_match
                for s in (215, 232, 250)
            ]
            print(
                f"FM slope {beta:.2f} (rho {p.rho:+.2f}): {label} P(match) at Step 2 CK 215 / 232"
                f" / 250: {vals[0]:.1%} / {vals[1]:.1%} / {vals[2]:.1%}"
            )


def speed() -> None:
    """Time of the v2 prediction (guide-sample, IM catalog), median of 5."""
    fits = load_fits()
    pr = profile("guide-sample")
    predict(pr, fits)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        predict(pr, fits, n_draws=20)
        times.append(time.perf_counter() - t0)
    print(
        f"v2 predict (guide-sample, IM, 21 draws x 16 nodes): median {1000 * np.median(times):.0f} ms"
    )


def main() -> None:
    """Run the named figures (all by default)."""
    names = sys.argv[1:] or [
        "lists",
        "profiles",
        "reference",
        "floor",
        "unknown",
        "fm",
        "speed",
        "tilt",
    ]
    for n in names:
        globals()[n]()


def tilt() -> None:
    """Cross-check: the fitted model's median Step 2 CK of invited non-US IMGs (all programs,
    invitation-weighted) against the programs' published invited medians."""
    fits = load_fits()
    for s in ("Internal Medicine", "Family Medicine"):
        m, p = fits.markets[s], fits.params[s]
        w, qbar, _ = pop.grid(m, p)
        by_s = (w * qbar).sum(axis=1)
        cdf = np.cumsum(by_s) / by_s.sum()
        model_median = float(np.interp(0.5, cdf, pop.S_GRID))
        meds = [
            e.step2ck_invited["non_us_img"].median
            for e in re2026.evidence(s)
            if e.step2ck_invited["non_us_img"].shown
        ]
        print(
            f"{s}: pool mean {p.mu:.1f}; model's invited non-US IMG median {model_median:.1f}; "
            f"published invited medians: median over {len(meds)} programs {np.median(meds):.0f}"
        )


def span() -> None:
    """The review's span: guide-sample at Step 2 CK 240, the weakest and strongest non-score file
    (USCE 0 / 6 hands-on months, US letters 0 / 3, graduated 10 / 0 years before), 80 optimized
    applications, v1 and v2."""
    fits = load_fits()
    pr = profile("guide-sample").with_changes({"step2ck": 240})
    weak = pr.with_changes(
        {
            "usce_hands_on_months": 0,
            "us_letters": 0,
            "us_letters_by_specialty": {},
            "graduation_year": 2017,
        }
    )
    strong = pr.with_changes(
        {
            "usce_hands_on_months": 6,
            "us_letters": 3,
            "us_letters_by_specialty": {"Internal Medicine": 3},
            "graduation_year": 2027,
        }
    )
    for label, p in (("weakest", weak), ("strongest", strong)):
        print(
            f"guide-sample at Step 2 CK 240, {label} non-score file: v1 {v1_list(p, 80).p_match:.1%},"
            f" v2 {v2_list(predict(p, fits), 80).p_match:.1%}"
        )


def cohort() -> None:
    """The individual model against the population curve: the reference applicant's mean P(match)
    over 300 lists of 80 programs drawn as the cohort applied (programs by their 2026 non-US IMG
    application shares, signal levels by the program's pool mix), budget on and off."""
    fits = load_fits()
    m, p = fits.markets["Internal Medicine"], fits.params["Internal Medicine"]
    pr = profile_from_dict(REFERENCE_PROFILE)
    lay = layer("Internal Medicine")
    ids = list(lay.ids)
    curve = pop.p_match_by_score(m, replace(p, n_apps=80.0), np.array([244.0]))[0]
    for share, label in ((DEFAULT.budget_share, "budget on"), (1e-9, "budget off")):
        pred = predict(pr, fits, a=replace(DEFAULT, budget_share=share), n_draws=0)
        pos = [ids.index(q.id) for q in pred.programs]
        w = lay.weight[pos] / lay.weight[pos].sum()
        mix = np.clip(lay.signal_mix[pos], 0.0, None)
        mix = mix / mix.sum(axis=1, keepdims=True)
        rng = np.random.default_rng(0)
        level = {
            0: 0,
            1: 2,
            2: 1,
        }  # layer order none / gold / silver -> matrix none / silver / gold
        vals = []
        for _ in range(300):
            sel = rng.choice(len(w), size=80, replace=False, p=w)
            sig = [level[int(rng.choice(3, p=mix[i]))] for i in sel]
            vals.append(float(p_match_of(pred.chances, list(sel), sig)[0]))
        print(
            f"reference applicant, 80 cohort-drawn applications ({label}): {np.mean(vals):.1%}; "
            f"population curve at Step 2 CK 244, N=80: {curve:.1%}"
        )


if __name__ == "__main__":
    main()
