"""Cross-validation over programs of the 2026 non-US IMG interview-rate models (IM and FM).

For each specialty, programs with 2026 data are split into 10 folds; each fold's 2026 data is hidden,
the model is fitted on the others, and the hidden programs get their feature-only prediction
(what a program without 2026 data gets). Scores: Spearman correlation with the published rate and
the share of binomial deviance explained against a constant rate (the pooled rate of the training
programs). Models:

- `today`: SmartPick's shipped program offset, 0.7 (L_i - mean L) + 0.5 (P_i - mean P), with an
  intercept refitted on the training programs (so only its ranking and spread are judged);
- `logistic`: a plain binomial logistic regression on the older catalog fields (the baseline);
- `logit-normal`: the hierarchical logistic (random program effect, shrinkage tau fitted);
- `zero-inflated`: the same with a second, "closed" component (programs that invite almost no
  non-US IMG), whose share depends on the features.

In-sample rows: fitted on every program, scored on the same programs; `anchored` is the posterior
given the program's own count (what a program with 2026 data gets).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_expit

from research import program_model as pm
from research.dataset import RIDGE, SPECIALTIES, Joined, joined
from smartpick.core.model import _clip_logit, _img_pct, _interviewed_pct, build_context

# (name, feature set, ridge): the baseline uses every older field; the chosen model is last.
MODELS = (
    ("today", "-", 0.0),
    ("logistic", "all", 1.0),
    ("logistic", "core", 1.0),
    ("logit-normal", "core", RIDGE),
    ("zero-inflated", "all", RIDGE),
    ("zero-inflated", "core", RIDGE),
)


def today_offsets(j: Joined) -> np.ndarray:
    """The shipped model's program offset (point estimate) for every program of `j`."""
    ctx = build_context(j.specialty, list(j.programs))
    out = []
    for p in j.programs:
        pct, _ = _img_pct(p, ctx.non_us_per_img)
        setting = p.setting.value or ""
        img = (
            _clip_logit(pct)
            if pct is not None
            else ctx.img_logit_by_setting.get(setting, ctx.img_logit_mean)
        )
        ipct = _interviewed_pct(p)
        sel = (
            _clip_logit(ipct)
            if ipct is not None
            else ctx.interviewed_logit_by_setting.get(setting, ctx.interviewed_logit_mean)
        )
        out.append(0.7 * (img - ctx.img_logit_mean) + 0.5 * (sel - ctx.interviewed_logit_mean))
    return np.array(out)


def _intercept_only(offset: np.ndarray, c: pm.Counts) -> float:
    k = c.rate * c.n

    def nll(a: float) -> float:
        eta = a + offset
        return float(-(k * log_expit(eta) + (c.n - k) * log_expit(-eta)).sum())

    return float(minimize_scalar(nll, bounds=(-12, 2), method="bounded").x)


def _sub(c: pm.Counts, idx: np.ndarray) -> pm.Counts:
    return pm.Counts(c.lo[idx], c.hi[idx], c.n[idx], c.rate[idx])


def predict(model, ridge, X_tr, c_tr, L_tr, X_te, off_tr, off_te):  # type: ignore[no-untyped-def]
    """Feature-only predicted rate of the test programs after fitting on the training ones:
    (mean, 10% quantile, 90% quantile); the quantiles are None for point predictions."""
    if model == "today":
        a = _intercept_only(off_tr, c_tr)
        return expit(a + off_te), None, None
    if model == "logistic":
        b = pm.plain_logistic(X_tr, c_tr, ridge)
        return expit(b[0] + X_te @ b[1:]), None, None
    f = pm.fit(X_tr, c_tr, ridge=ridge, L=L_tr, inflated=model == "zero-inflated")
    post = f.predictive_rate(X_te)
    return post.mean, post.low, post.high


@dataclass(frozen=True)
class Result:
    """Scores of one model on one specialty."""

    specialty: str
    model: str
    features: str
    cv: dict[str, float]
    in_sample: dict[str, float]
    seconds: float


def evaluate(specialty: str, k: int = 10, seed: int = 0) -> tuple[list[Result], dict[str, float]]:
    """Cross-validated and in-sample scores of every model, plus the anchored posterior's."""
    j = joined(specialty)
    c = j.counts
    L = pm.likelihood_grid(c)
    off = today_offsets(j)[j.has]
    pooled = float(np.sum(c.rate * c.n) / np.sum(c.n))
    results = []
    for model, features, ridge in MODELS:
        X = (j.design.X if features == "all" else j.columns())[j.has]
        t0 = time.perf_counter()
        pred = np.zeros(len(c.n))
        low = np.zeros(len(c.n))
        high = np.zeros(len(c.n))
        const = np.zeros(len(c.n))
        for test in pm.folds(len(c.n), k, seed):
            train = np.setdiff1d(np.arange(len(c.n)), test)
            ct = _sub(c, train)
            m, lo, hi = predict(
                model, ridge, X[train], ct, L[train], X[test], off[train], off[test]
            )
            pred[test] = m
            if lo is not None:
                low[test], high[test] = lo, hi
            const[test] = float(np.sum(ct.rate * ct.n) / np.sum(ct.n))
        cv = _scores_varconst(c, pred, const)
        if model in ("logit-normal", "zero-inflated"):
            # Coverage of the 80% interval, with the published rounding (+-0.5 point) allowed.
            inside = (c.rate + 0.005 >= low) & (c.rate - 0.005 <= high)
            cv["coverage80"] = float(inside.mean())
        full = predict(model, ridge, X, c, L, X, off, off)[0]
        ins = pm.scores(c.rate, c.n, full, pooled)
        results.append(Result(specialty, model, features, cv, ins, time.perf_counter() - t0))
    X = j.columns()[j.has]
    f = pm.fit(X, c, ridge=RIDGE, L=L, inflated=True)
    post = pm.posterior(f, X, c, L=L)
    anchored = pm.scores(c.rate, c.n, post.mean, pooled)
    anchored["tau"] = f.tau
    anchored["closed_share_mean"] = float(f.closed_share(X).mean())
    return results, anchored


def _scores_varconst(c: pm.Counts, pred: np.ndarray, const: np.ndarray) -> dict[str, float]:
    """Scores where the constant-rate reference is each fold's own training rate."""
    d = pm.deviance(c.rate, c.n, pred)
    d0 = pm.deviance(c.rate, c.n, const)
    out = pm.scores(c.rate, c.n, pred, float(const.mean()))
    out["deviance_explained"] = 1.0 - d / d0
    return out


def main() -> None:
    """Print the table (the content of bench/programs_2026.py)."""
    print(
        "2026 non-US IMG interview rate per program: cross-validated over programs (10 folds, the "
        "program's 2026 data hidden) and in-sample"
    )
    print(
        f"{'specialty':18} {'model':14} {'features':8} {'programs':>8} | {'CV Spearman':>11} {'CV dev.expl':>11} |"
        f" {'in Spearman':>11} {'in dev.expl':>11} | {'cover80':>7} {'time':>6}"
    )
    for s in SPECIALTIES:
        results, anchored = evaluate(s)
        for r in results:
            print(
                f"{s:18} {r.model:14} {r.features:8} {int(r.cv['n_programs']):8d} |"
                f" {r.cv['spearman']:11.3f} {r.cv['deviance_explained']:11.1%} |"
                f" {r.in_sample['spearman']:11.3f} {r.in_sample['deviance_explained']:11.1%} |"
                f" {format(r.cv['coverage80'], '7.0%') if 'coverage80' in r.cv else '      -'}"
                f" {r.seconds:5.1f}s"
            )
        print(
            f"{s:18} {'anchored':14} {'core':8} {int(anchored['n_programs']):8d} | {'-':>11} {'-':>11} |"
            f" {anchored['spearman']:11.3f} {anchored['deviance_explained']:11.1%} |"
            f" tau {anchored['tau']:.2f}, prior closed share {anchored['closed_share_mean']:.0%}"
        )


if __name__ == "__main__":
    main()
