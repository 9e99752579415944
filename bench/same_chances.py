"""Whether two checkouts give the same chances, bit for bit: every assessed program's point and
every draw at every signal level, P(match | interview), the rows (intervals, chances by signal,
confidence, unknowns, reasons), the excluded programs with their reasons and the notes.

    .venv/bin/python bench/same_chances.py --before CHECKOUT

Cases: the six reference profiles, each also without a Step 2 CK (guide-sample also with every
visa need and as a US IMG), on their own specialties, on Internal Medicine, on IM + Family
Medicine, on Psychiatry + FM and on IM with every track; the draws are asked for a subset of the
programs first (as the list does), then for all. Each checkout runs in its own `.venv` (a child
process) and prints one SHA-256 per case; the cases that differ are listed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES: dict[str, dict[str, Any]] = {
    "own": {},
    "IM": {"specialties": ["Internal Medicine"]},
    "IM+FM": {"specialties": ["Internal Medicine", "Family Medicine"]},
    "Psych+FM": {"specialties": ["Psychiatry", "Family Medicine"]},
    "IM, every track": {"specialties": ["Internal Medicine"], "tracks": None},
}


def _digest(assessment: Any) -> str:
    import numpy as np

    h = hashlib.sha256()
    cm = assessment.chances
    h.update(repr(cm.program_ids).encode())
    n = len(cm.program_ids)
    some = np.arange(0, n, 7, dtype=np.int64)  # a subset first, as the list asks
    for level in range(cm.levels):
        h.update(np.ascontiguousarray(cm.interview_draws(level, some)).tobytes())
    for level in range(cm.levels):
        h.update(np.ascontiguousarray(cm.point_interview[level]).tobytes())
        h.update(np.ascontiguousarray(cm.interview_by_signal[level]).tobytes())
    h.update(np.ascontiguousarray(cm.point_conversion).tobytes())
    h.update(np.ascontiguousarray(cm.conversion).tobytes())
    for row in assessment.rows:
        h.update(
            repr(
                (
                    row.program.id,
                    row.p_interview,
                    row.p_match,
                    row.p_interview_signal,
                    row.confidence,
                    row.unknowns,
                    row.explain(),
                )
            ).encode()
        )
    h.update(repr([(e.program.id, e.reasons) for e in assessment.excluded]).encode())
    h.update(repr(assessment.notes).encode())
    return h.hexdigest()


def probe() -> dict[str, str]:
    """One digest per case, for the checkout whose `smartpick` this interpreter imports."""
    from smartpick.service.assess import assess
    from smartpick.service.catalog import open_catalog
    from smartpick.testing import REFERENCE_NAMES, reference_profile

    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="smartpick-same-")) / "user.sqlite")
    profiles = []
    for name in REFERENCE_NAMES:
        base = reference_profile(name)
        profiles += [
            (name, base),
            (f"{name} without Step 2 CK", base.model_copy(update={"step2ck": None})),
        ]
        if name == "guide-sample":
            for visa in ("none", "h1b", "either"):
                profiles.append((f"{name} visa {visa}", base.model_copy(update={"visa": visa})))
            us_img = base.model_copy(update={"applicant_type": "us_img", "visa": "none"})
            profiles.append((f"{name} as a US IMG", us_img))
    out = {}
    for label, profile in profiles:
        for case, options in CASES.items():
            assess(profile, catalog=catalog, **options)  # the second call reads what was kept
            out[f"{label} / {case}"] = _digest(assess(profile, catalog=catalog, **options))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout (with its .venv)")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(probe()))
        return 0
    if args.before is None:
        parser.error("--before CHECKOUT is required")
    sys.path.insert(0, str(HERE))
    from checkouts import run_probe

    before = run_probe(args.before.resolve(), Path(__file__))
    after = run_probe(HERE.parent, Path(__file__))
    differ = [case for case in after if before.get(case) != after[case]]
    for case in differ:
        print(f"differs: {case}")
    print(f"{len(after) - len(differ)} of {len(after)} cases identical bit for bit")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
