"""2026 program truth: how well the program-rate model predicts each IM / FM program's 2026
non-US IMG interview rate (AAMC Residency Explorer, 2026 cycle, as the catalog carries it).

Usage: .venv/bin/python bench/programs_2026.py   (about 3 minutes on one core)

For Internal Medicine and Family Medicine separately: 10-fold cross-validation over programs (a
fold's 2026 data hidden, the model fitted on the others, the hidden programs predicted from their
older fields: what a program without 2026 data gets) and in-sample. Scores: Spearman correlation
with the published rate, and the share of binomial deviance explained against a constant rate
(each fold's training programs' pooled rate). Rows: v1's program offsets (intercept refitted;
measured before v2 by bench/v1_baseline.py at commit dbd1c68: data/model/v1_figures.json), a plain logistic regression on the older catalog
fields (the baseline), the same on the core fields, the hierarchical logistic, the chosen
zero-inflated hierarchical logistic (with the coverage of its 80% intervals), and the anchored
posterior (what a program with 2026 data gets).

Then guide-sample (the guide's sample applicant) with 80 programs, v1 (before) and v2: the sum of
the listed programs' 2026 non-US IMG interview rates (an average non-US IMG's expected interviews
at 2026 rates), how many listed programs have a 2026 rate and how many invited under 1%, the list's
P(match), and the Spearman correlation of guide-sample's P(interview) with the 2026 rates over the
IM programs that publish one; next to the 80 eligible programs with the highest 2026 rates.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.special import expit

from smartpick.core.chances import program_rates as pr
from smartpick.core.chances.features import (
    CORE,
    LAYERED,
    OLDER_FIELDS,
    apply_columns,
    categorical_programs,
    fit_columns,
    has_rate,
    raw_columns,
    sibling_tables,
)
from smartpick.core.chances.layer_fit import RIDGE
from smartpick.service.assess import assess
from smartpick.service.calibration import v1_figures
from smartpick.service.catalog import open_catalog
from smartpick.service.recommend import recommend
from smartpick.testing import reference_profile

V1 = v1_figures()
MODELS = (
    ("plain logistic, older fields (baseline)", "logistic", OLDER_FIELDS, 1.0),
    ("plain logistic, core fields", "logistic", CORE, 1.0),
    ("hierarchical logistic, core", "hierarchical", CORE, RIDGE),
    ("zero-inflated hierarchical, core (chosen)", "zero-inflated", CORE, RIDGE),
)


def _scores(c: pr.Counts, pred: np.ndarray, const: np.ndarray) -> dict[str, float]:
    out = pr.scores(c.rate, c.n, pred, float(const.mean()))
    out["deviance_explained"] = 1.0 - pr.deviance(c.rate, c.n, pred) / pr.deviance(
        c.rate, c.n, const
    )
    return out


def _predict(kind: str, ridge: float, X_tr, c_tr, L_tr, X_te):  # type: ignore[no-untyped-def]
    if kind == "logistic":
        b = pr.plain_logistic(X_tr, c_tr, ridge)
        return expit(b[0] + X_te @ b[1:]), None, None
    f = pr.fit(X_tr, c_tr, ridge=ridge, L=L_tr, inflated=kind == "zero-inflated")
    post = f.predictive_rate(X_te)
    return post.mean, post.low, post.high


def evaluate(specialty: str, programs: list) -> list[str]:  # type: ignore[type-arg]
    """The table rows of one specialty."""
    progs = categorical_programs([p for p in programs if p.specialty == specialty])
    raw = raw_columns(progs, sibling_tables(programs))
    has = np.array([has_rate(p) for p in progs])
    c = pr.Counts.of(progs)
    L = pr.likelihood_grid(c)
    pooled = float(np.sum(c.rate * c.n) / np.sum(c.n))
    lines = []
    v1 = V1["programs_2026"][specialty]
    lines.append(
        f"{specialty:18} {'v1 program offsets (before)':42} {v1['programs']:5d} | "
        f"{v1['cv_spearman']:7.3f} {v1['cv_deviance_explained']:8.1%} | {v1['in_spearman']:7.3f}"
        f" {v1['in_deviance_explained']:8.1%} |      -"
    )
    for label, kind, names, ridge in MODELS:
        t0 = time.perf_counter()
        X = apply_columns(raw, fit_columns(raw, names))[has]
        pred, low, high, const = (np.zeros(len(c.n)) for _ in range(4))
        for test in pr.folds(len(c.n), 10, 0):
            train = np.setdiff1d(np.arange(len(c.n)), test)
            ct = c.subset(train)
            m, lo, hi = _predict(kind, ridge, X[train], ct, L[train], X[test])
            pred[test] = m
            if lo is not None:
                low[test], high[test] = lo, hi
            const[test] = float(np.sum(ct.rate * ct.n) / np.sum(ct.n))
        cv = _scores(c, pred, const)
        full = _predict(kind, ridge, X, c, L, X)[0]
        ins = pr.scores(c.rate, c.n, full, pooled)
        cover = "      -"
        if kind != "logistic":
            inside = (c.rate + 0.005 >= low) & (c.rate - 0.005 <= high)
            cover = f"{inside.mean():7.0%}"
        lines.append(
            f"{specialty:18} {label:42} {len(c.n):5d} | {cv['spearman']:7.3f} "
            f"{cv['deviance_explained']:8.1%} | {ins['spearman']:7.3f} "
            f"{ins['deviance_explained']:8.1%} | {cover}  ({time.perf_counter() - t0:.0f} s)"
        )
    X = apply_columns(raw, fit_columns(raw, CORE))[has]
    f = pr.fit(X, c, ridge=RIDGE, L=L, inflated=True)
    post = pr.posterior(f, X, c, L=L)
    anchored = pr.scores(c.rate, c.n, post.mean, pooled)
    lines.append(
        f"{specialty:18} {'anchored posterior (the program own data)':42} {len(c.n):5d} | "
        f"{'-':>7} {'-':>8} | {anchored['spearman']:7.3f} {anchored['deviance_explained']:8.1%}"
        f" |      -  (tau {f.tau:.2f}, prior closed share {f.closed_share(X).mean():.0%})"
    )
    return lines


def _rate(p) -> float | None:  # type: ignore[no-untyped-def]
    ev = p.interview_evidence
    rc = ev.by_type.get("non_us_img") if ev is not None else None
    return None if rc is None or rc.rate is None or not rc.applicants else float(rc.rate)


def guide_sample(catalog) -> None:  # type: ignore[no-untyped-def]
    """guide-sample's 80-program list against the 2026 rates, v1 (before) and v2."""
    from scipy.stats import spearmanr

    profile = reference_profile("guide-sample")
    rec = recommend(profile, count=80, catalog=catalog)
    known = [r for r in (_rate(p.program) for p in rec.programs) if r is not None]
    a = assess(profile, catalog=catalog)
    pi = np.array([r.p_interview[0] for r in a.rows])
    rates = np.array([_rate(p) if _rate(p) is not None else np.nan for p in a.programs])
    ok = ~np.isnan(rates)
    rho = spearmanr(pi[ok], rates[ok]).statistic
    best = sorted(rates[ok], reverse=True)[:80]
    v1 = V1["guide_sample_80"]
    print("\nguide-sample, 80 programs (an average non-US IMG's interviews at 2026 rates):")
    print(
        f"  v1 (before): sum of 2026 rates {v1['sum_2026_rates']:.2f} over {v1['with_data']} "
        f"programs with data, {v1['under_1pct']} invited under 1%; P(match) {v1['p_match']:.1%};"
        f" Spearman P(interview) vs 2026 rate {v1['spearman_p_interview_vs_2026_rate']:.3f} "
        f"(n={v1['spearman_programs']})"
    )
    print(
        f"  v2:          sum of 2026 rates {sum(known):.2f} over {len(known)} programs with data, "
        f"{sum(r < 0.01 for r in known)} invited under 1%; P(match) {rec.p_match.point:.1%}; "
        f"Spearman P(interview) vs 2026 rate {rho:.3f} (n={int(ok.sum())})"
    )
    print(f"  the 80 eligible programs with the highest 2026 rates: sum {sum(best):.2f}")


def main() -> None:
    """Print the table."""
    print(
        "2026 non-US IMG interview rate per program: cross-validated over programs (10 folds, "
        "the program's 2026 data hidden) and in-sample"
    )
    print(
        f"{'specialty':18} {'model':42} {'progs':>5} | {'CV rho':>7} {'CV dev':>8} | "
        f"{'in rho':>7} {'in dev':>8} | cover80"
    )
    with tempfile.TemporaryDirectory() as home:
        catalog = open_catalog(Path(home) / "user.sqlite")
        programs = catalog.programs()
        for specialty in LAYERED:
            for line in evaluate(specialty, programs):
                print(line, flush=True)
        guide_sample(catalog)


if __name__ == "__main__":
    main()
