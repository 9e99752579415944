"""Fixtures shared by the tests and the benchmarks (datasette's `fixtures.py` pattern).

- `reference_profile(name)`: one of the six reference applicants in `examples/profiles/`;
- `possible_visa(applicant_type, visa)`: the visa need a profile of that applicant type may have;
- `reference_applicant()`, `every_red_flag()`: the calibration's typical applicant and a profile
  with every red flag (the list-quality and floor checks);
- `isolated_catalog(folder)`: the real bundled catalog with an empty user store in `folder`;
- `synthetic_chances(n, seed=...)`: a random `ChanceMatrix` for optimizer tests and benches;
- `pdf_text_core_font(data)`: the text of a PDF drawn with the core (Latin-1) font;
- `optimizer_calls()`: the list problems `recommend()` hands the optimizer, with its answers;
- `reference_problem(name, catalog, **options)`: the list problem `recommend()` poses for one;
- `connections_by_process(pids, port)`: the established connections to a local port each process
  holds (how a server's workers share their clients).
"""

from __future__ import annotations

import os
import re
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from smartpick.core.chances.matrix import ChanceMatrix
from smartpick.core.lists.types import ListProblem, ListSolution
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


def possible_visa(applicant_type: str, visa: str) -> str:
    """`visa`, or the nearest need an applicant of this type may have (for generated profiles):
    none for a US citizen, an H-1B for a US graduate (the J-1 is for schools abroad)."""
    if applicant_type == "us_img":
        return "none"
    if applicant_type in ("us_md", "us_do") and visa in ("j1", "either"):
        return "h1b"
    return visa


def reference_profile(name: str) -> ApplicantProfile:
    """One of the six shared reference applicants (`examples/profiles/NAME.toml`)."""
    return load_profile(EXAMPLES / f"{name}.toml")


# The calibration's typical applicant (Step 2 CK 244, no visa need, the reference file of
# core/chances/effects.py) and a profile with every red flag: the list-quality and floor checks.
REFERENCE_APPLICANT: dict[str, object] = {
    "name": "reference",
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
EVERY_RED_FLAG: dict[str, object] = {
    "name": "every-red-flag",
    "visa": "j1",
    "step1": "fail_then_pass",
    "step1_attempts": 2,
    "step2ck": 214,
    "step2ck_attempts": 2,
    "step2ck_date": "2024-06",  # 214 passed then (the standard is 218 from July 2025)
    "match_year": 2027,
    "graduation_year": 2015,
    "specialties": ["Internal Medicine"],
}


def reference_applicant() -> ApplicantProfile:
    """The calibration's typical applicant (`REFERENCE_APPLICANT`)."""
    from smartpick.core.profile import profile_from_dict

    return profile_from_dict(REFERENCE_APPLICANT)


def every_red_flag() -> ApplicantProfile:
    """Step 2 CK 214 (passed in June 2024), Step 1 and Step 2 CK each failed once, 12 years out, no USCE or letter, J-1."""
    from smartpick.core.profile import profile_from_dict

    return profile_from_dict(EVERY_RED_FLAG)


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


def full_profile() -> ApplicantProfile:
    """A profile with every field set (several USCE blocks, one institution with a comma, letters
    in two specialties, exam dates, a failed Step 3 attempt, research months...)."""
    from smartpick.core.profile import profile_from_dict

    return profile_from_dict(
        {
            "name": "every-field",
            "applicant_type": "non_us_img",
            "visa": "either",
            "citizenship": "EG",
            "step1": 215,
            "step1_attempts": 2,
            "step1_date": "2021-06",
            "step2ck": 232,
            "step2ck_attempts": 1,
            "step2ck_date": "2023-04",
            "step3": 221,
            "step3_attempts": 2,
            "step3_date": "2024-09",
            "match_year": 2027,
            "graduation_year": 2021,
            "usce": [
                {
                    "months": 3,
                    "kind": "hands_on",
                    "institution": "Mercy Hospital, Chicago",
                    "program_id": "1401621160C",
                    "state": "IL",
                    "specialty": "Internal Medicine",
                },
                {
                    "months": 1.5,
                    "kind": "observership",
                    "institution": "St Vincent Hospital",
                    "program_id": "1402521234",
                    "state": "MA",
                    "specialty": "Family Medicine",
                },
            ],
            "us_letters": 4,
            "us_letters_by_specialty": {"Internal Medicine": 2, "Family Medicine": 1},
            "abstracts": 2,
            "posters": 1,
            "publications": 1,
            "research_months": 24,
            "research_institution": "a state university",
            "languages": ["Spanish", "Arabic"],
            "specialties": ["Internal Medicine", "Family Medicine"],
            "preferred_states": ["OH", "MI"],
            "preferred_regions": ["Midwest", "South"],
            "ties_states": ["IL"],
            "connections": [
                {"program_id": "1401621160C", "kind": "rotation"},
                {"institution": "University of Illinois Hospital", "kind": "alumni"},
            ],
            "budget_usd": 1500,
        }
    )


@contextmanager
def optimizer_calls() -> Iterator[list[tuple[ListProblem, ListSolution, float]]]:
    """Inside the block, each (problem, solution, seconds) of `recommend()`'s optimizer runs."""
    import smartpick.service.recommend as service

    seen: list[tuple[ListProblem, ListSolution, float]] = []
    original = service.optimize_list

    def timed(problem: ListProblem, **options: Any) -> ListSolution:
        started = time.perf_counter()
        solution = original(problem, **options)
        seen.append((problem, solution, time.perf_counter() - started))
        return solution

    service.optimize_list = timed
    try:
        yield seen
    finally:
        service.optimize_list = original


def reference_problem(name: str, catalog: Catalog, **options: Any) -> ListProblem:
    """The list problem `recommend()` solves for a reference profile with these options
    (`specialties` replaces the profile's)."""
    from smartpick.service.recommend import recommend

    profile = reference_profile(name)
    if "specialties" in options:
        profile = profile.model_copy(update={"specialties": options.pop("specialties")})
    with optimizer_calls() as calls:
        recommend(profile, catalog=catalog, **options)
    return calls[0][0]


def chosen_list(solution: ListSolution) -> tuple[object, ...]:
    """What a solution says of its chosen list: the stage, the programs in order with their
    signals, fees and contributions, the next step and what limited the list (two chains that
    choose alike give equal tuples, however far each ran)."""
    return (
        solution.stage,
        solution.order,
        solution.signals,
        solution.fees_usd,
        solution.contributions,
        solution.next_stage,
        solution.binding,
    )


def connections_by_process(pids: Sequence[int], port: int) -> dict[int, int]:
    """How many established TCP connections to the local `port` each process holds (Linux,
    from /proc)."""
    inodes: dict[str, int] = {}  # socket inode -> its connection's local port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "01":  # ESTABLISHED
                    inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    held = {}
    for pid in pids:
        links = (_link(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))
        held[pid] = sum(
            inodes.get(link[len("socket:[") : -1]) == port
            for link in links
            if link.startswith("socket:[")
        )
    return held


def _link(path: str) -> str:
    try:
        return os.readlink(path)
    except FileNotFoundError:  # closed while the others were read
        return ""
