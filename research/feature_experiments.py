"""The feature-set experiments behind the program model's choices (DESIGN.md section 2).

Usage: .venv/bin/python -m research.feature_experiments   (about 8 minutes)

10-fold cross-validation over programs (2026 data hidden), IM and FM: the plain logistic and the
hierarchical logistic on (a) every older field, (b) the core fields, (c) the non-US IMG share
alone, (d) share + sibling institution's rate, each at ridge 0.1 / 0.3 / 1; then (e) the core-less
set (share + sibling) plus the leave-self-out mean 2026 rate of the other programs in the same
state or Census division (computed from the training programs only).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from research import program_model as pm
from research.dataset import CORE_FEATURES, SPECIALTIES, empirical_logit, joined
from research.evaluate_programs import _scores_varconst, _sub

SETS = {
    "all": None,
    "core": CORE_FEATURES,
    "share": ("img_share", "img_share_missing"),
    "share+sibling": ("img_share", "img_share_missing", "sibling_rate", "sibling_rate_missing"),
}


def _cv(X: np.ndarray, c: pm.Counts, L: np.ndarray, model: str, ridge: float) -> dict[str, float]:
    pred = np.zeros(len(c.n))
    const = np.zeros(len(c.n))
    for test in pm.folds(len(c.n), 10, 0):
        train = np.setdiff1d(np.arange(len(c.n)), test)
        ct = _sub(c, train)
        if model == "logistic":
            b = pm.plain_logistic(X[train], ct, ridge)
            pred[test] = expit(b[0] + X[test] @ b[1:])
        else:
            f = pm.fit(X[train], ct, ridge=ridge, L=L[train], inflated=False)
            pred[test] = f.predictive_rate(X[test]).mean
        const[test] = np.sum(ct.rate * ct.n) / np.sum(ct.n)
    return _scores_varconst(c, pred, const)


def _neighbours(
    keys: list[str | None], emp: np.ndarray, src: np.ndarray, dst: np.ndarray
) -> np.ndarray:
    """Mean empirical logit of the other `src` programs with the same key, shrunk (3 programs'
    weight) toward the `src` mean."""
    grand = float(emp[src].mean())
    out = np.zeros(len(dst))
    for t, i in enumerate(dst):
        same = [j for j in src if keys[j] == keys[i] and j != i]
        out[t] = (float(np.sum(emp[same])) + 3.0 * grand) / (len(same) + 3.0)
    return out


def main() -> None:
    """Print Spearman and deviance explained (CV) for every combination."""
    for s in SPECIALTIES:
        j = joined(s)
        X0 = j.design.X[j.has]
        c = j.counts
        L = pm.likelihood_grid(c)
        names = list(j.design.names)
        for label, cols in SETS.items():
            X = X0 if cols is None else X0[:, [names.index(n) for n in cols if n in names]]
            for model in ("logistic", "hierarchical"):
                for ridge in (0.1, 0.3, 1.0):
                    r = _cv(X, c, L, model, ridge)
                    print(
                        f"{s[:17]:17} {label:14} {model:12} ridge {ridge:3}: Spearman "
                        f"{r['spearman']:.3f}, deviance explained {r['deviance_explained']:6.1%}",
                        flush=True,
                    )
        progs = [p for p, h in zip(j.programs, j.has, strict=True) if h]
        emp = np.array([empirical_logit(e) for e in j.evidence])
        base = X0[:, [names.index(n) for n in SETS["share+sibling"] or () if n in names]]
        for key in ("state", "division"):
            keys = [getattr(p, key).value for p in progs]
            pred = np.zeros(len(c.n))
            const = np.zeros(len(c.n))
            for test in pm.folds(len(c.n), 10, 0):
                train = np.setdiff1d(np.arange(len(c.n)), test)
                f_tr = _neighbours(keys, emp, train, train)
                f_te = _neighbours(keys, emp, train, test)
                mu, sd = f_tr.mean(), f_tr.std() or 1.0
                X_tr = np.column_stack((base[train], (f_tr - mu) / sd))
                X_te = np.column_stack((base[test], (f_te - mu) / sd))
                f = pm.fit(X_tr, _sub(c, train), ridge=0.3, L=L[train], inflated=False)
                pred[test] = f.predictive_rate(X_te).mean
                const[test] = np.sum(c.rate[train] * c.n[train]) / np.sum(c.n[train])
            r = _scores_varconst(c, pred, const)
            print(
                f"{s[:17]:17} share+sibling+{key} neighbours, hierarchical ridge 0.3: Spearman "
                f"{r['spearman']:.3f}, deviance explained {r['deviance_explained']:6.1%}",
                flush=True,
            )


if __name__ == "__main__":
    main()
