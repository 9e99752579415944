"""Prototype of `smartpick calibration --programs --format json` (issue 14's contract).

Usage: .venv/bin/python -m research.contract [--json]

One object per IM and FM categorical catalog program: the model's 2026 non-US IMG interview rate
for the program's applicant pool (posterior given its own count, or the feature prediction without
one) with its 80% interval, and the published figure (null without 2026 data). Without --json it
prints the checks the integration tests will make.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from research import re2026
from research.dataset import SPECIALTIES, joined
from research.program_layer import rate_model


def rows() -> list[dict]:  # type: ignore[type-arg]
    """The contract's objects."""
    out = []
    for s in SPECIALTIES:
        j = joined(s)
        rate, low, high, *_ = rate_model(s)
        ev = re2026.by_code(s)
        for i, p in enumerate(j.programs):
            e = ev.get(p.acgme_code) if j.has[i] else None
            out.append(
                {
                    "program_id": p.id,
                    "acgme_code": p.acgme_code,
                    "specialty": s,
                    "predicted": {
                        "nonus_img_interview_rate": round(float(rate[i]), 5),
                        "low": round(float(low[i]), 5),
                        "high": round(float(high[i]), 5),
                    },
                    "published": None
                    if e is None
                    else {
                        "nonus_img_interview_rate": e.nonus.rate,
                        "applicants": e.nonus.applicants,
                        "year": 2026,
                    },
                }
            )
    return out


def main() -> None:
    """Print the JSON, or the checks."""
    data = rows()
    if "--json" in sys.argv:
        print(json.dumps(data, indent=1))
        return
    for s in SPECIALTIES:
        sub = [r for r in data if r["specialty"] == s]
        w = {
            has: np.median(
                [
                    np.log(r["predicted"]["high"] / r["predicted"]["low"])
                    for r in sub
                    if (r["published"] is not None) == has
                ]
            )
            for has in (True, False)
        }
        print(
            f"{s}: {len(sub)} categorical programs, {sum(r['published'] is not None for r in sub)}"
            f" with 2026 data; median 80% interval width (log high/low): with data {w[True]:.2f},"
            f" without {w[False]:.2f}"
        )
    zeros = [
        r
        for r in data
        if r["published"]
        and r["published"]["nonus_img_interview_rate"] == 0.0
        and r["published"]["applicants"] >= 1000
    ]
    worst = max(zeros, key=lambda r: r["published"]["applicants"])
    print(
        f"largest 0% program: {worst['program_id']} invited 0% of {worst['published']['applicants']}"
        f" non-US IMGs; predicted {worst['predicted']['nonus_img_interview_rate']:.2%} "
        f"({worst['predicted']['low']:.2%}-{worst['predicted']['high']:.2%}); "
        f"{len(zeros)} programs invited 0% of 1,000 or more, predicted at most "
        f"{max(r['predicted']['nonus_img_interview_rate'] for r in zeros):.2%}"
    )


if __name__ == "__main__":
    main()
