"""Chances for one applicant: the fitted model run on the catalog's programs.

`assess(profile, ...)` returns an `Assessment`: the eligible programs aligned with a
`core.chances.ChanceMatrix` (for the optimizer), one row per program (P(interview) and the
program's own P(match), each with an interval, the top reasons and unknown facts) and the excluded
programs with their reasons. The fitted model is loaded once per process; each specialty's program
side is built once per process from the catalog's programs (`ChanceModel.context`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from smartpick.core.chances.draws import Draws
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.features import LAYERED
from smartpick.core.chances.persist import load_fitted_model
from smartpick.core.chances.predict import SpecialtyRuns
from smartpick.core.chances.results import Assessment
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import DEFAULT_TRACKS
from smartpick.core.specialties import resolve_specialty
from smartpick.service.catalog import Catalog, open_catalog
from smartpick.service.start_cache import cached_context


@cache
def fitted_model() -> ChanceModel:
    """The shipped fitted model (process-wide, loaded on first use)."""
    return load_fitted_model()


def warm_up(catalog: Catalog, applicant_type: str = "non_us_img") -> None:
    """Build now what no applicant changes for the specialties with 2026 program data: the
    catalog's programs and the model's side of them for one applicant type (both cached for the
    process, so a server can do this once before forking its workers). The pool equation's
    baselines are read from the user's cache directory when an earlier start stored them."""
    model = fitted_model()
    for specialty in LAYERED:
        cached_context(
            model, specialty, catalog.programs(specialty=specialty), applicant_type, catalog
        )


def _in_tracks(d: Draws, tracks: Sequence[str] | None) -> tuple[Program, ...]:
    """The specialty's programs in `tracks` (None: all), in the catalog's order (kept with the
    specialty's program side, which the catalog's listing built)."""
    key = f"tracks {tracks!r}"
    found = d.memo.get(key)
    if found is None:
        found = d.memo[key] = tuple(
            p for p in d.base.programs if tracks is None or p.track in tracks
        )
    return found


def assess(
    profile: ApplicantProfile,
    *,
    specialties: Sequence[str] | None = None,
    program_ids: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    tracks: Sequence[str] | None = DEFAULT_TRACKS,
    model: ChanceModel | None = None,
) -> Assessment:
    """Assess a profile at the catalog's programs.

    By default: every program of the profile's target specialties (or `specialties`) in `tracks`
    (categorical; None: every track). With `program_ids`: exactly those programs (any track), in
    that order.
    """
    catalog = catalog or open_catalog()
    model = model or fitted_model()
    programs: Sequence[Program] = []
    if program_ids:
        programs = [catalog.get(pid) for pid in dict.fromkeys(program_ids)]
        wanted = tuple(dict.fromkeys(p.specialty for p in programs))
    else:
        wanted = tuple(
            dict.fromkeys(
                resolve_specialty(s, field="specialty").name
                for s in (specialties or profile.specialties)
            )
        )
    contexts = {s: model.context(s, catalog.listing(specialty=s)) for s in wanted}
    if not program_ids:
        programs = SpecialtyRuns([(s, _in_tracks(contexts[s], tracks)) for s in wanted])
    prediction = model.predict(profile, programs, contexts)
    return Assessment(
        profile=profile,
        specialties=wanted,
        programs=prediction.programs,
        chances=prediction.chances,
        rows=prediction.rows,
        excluded=prediction.excluded,
        notes=prediction.notes,
        level=model.level,
        facts=prediction.facts,
        tracks=None if program_ids or tracks is None else tuple(tracks),
    )
