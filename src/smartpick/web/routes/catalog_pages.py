"""The catalog browser (`/programs`) and the program page (`/programs/{id}`), with JSON twins."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from smartpick.core.geography import REGIONS
from smartpick.core.programs import SETTINGS
from smartpick.service.assess import assess
from smartpick.service.catalog import program_summary, program_to_dict
from smartpick.service.listing import signal_nouns
from smartpick.web.catalog_filters import (
    FILTER_WORDS,
    NUMERIC_SORTS,
    SORT_LABELS,
    CatalogFilters,
    check_not_repeated,
    page_filters,
)
from smartpick.web.deps import get_catalog, specialty_names
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.profile_request import read_profile
from smartpick.web.programs_view import labelled_facts
from smartpick.web.rendering import query_string, render

router = APIRouter(responses=API_ERROR_RESPONSES)

PAGE_SIZE = 50


def summary_row(program: Any) -> dict[str, Any]:
    """One program in a list: the catalog's summary plus region and the page address."""
    return {
        **program_summary(program),
        "region": program.region.value,
        "url": f"/programs/{program.id}",
    }


def catalog_context(request: Request, f: CatalogFilters) -> dict[str, Any]:
    """The data behind the catalog browser: the filters, the count and one page of programs."""
    catalog = get_catalog(request)
    args = f.search_args()
    total = catalog.count(**args)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(f.page, pages)
    order = "desc" if f.descending else "asc"
    shown = catalog.search(
        **args, sort=f.sort, order=order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return {
        "filters": {**f.model_dump(exclude={"page"}), "order": order},
        "total": total,
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "programs": [summary_row(p) for p in shown],
    }


def sort_links(params: list[tuple[str, str]], f: CatalogFilters) -> dict[str, dict[str, str]]:
    """Per sortable column: the address that sorts by it and its `aria-sort` state.

    A first click sorts numbers highest first and text A to Z; a second click reverses.
    """
    kept = [(k, v) for k, v in params if k not in ("sort", "order", "page")]
    links = {}
    for column in ("name", "specialty", "state", "setting", *NUMERIC_SORTS):
        first = "desc" if column in NUMERIC_SORTS else "asc"
        current = ("descending" if f.descending else "ascending") if f.sort == column else "none"
        flip = {"descending": "asc", "ascending": "desc"}.get(current, first)
        links[column] = {
            "href": "/programs?" + query_string(kept, sort=column, order=flip),
            "aria_sort": current,
        }
    return links


@router.get("/programs", response_class=HTMLResponse, include_in_schema=False)
def catalog_page(request: Request) -> HTMLResponse:
    """Search, filter and sort real programs, no profile needed.

    A bad filter is shown next to its field with the form as typed (422), not as an error page.
    """
    filters, errors = page_filters(request.query_params)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if errors:
        context: dict[str, Any] = {
            "filters": {name: request.query_params.get(name) for name in FILTER_WORDS},
            "total": 0,
            "page": 1,
            "pages": 1,
            "page_size": PAGE_SIZE,
            "programs": [],
        }
    else:
        context = catalog_context(request, filters)
    return render(
        request,
        "catalog.html",
        {
            **context,
            "errors": errors,
            "specialties": specialty_names(request),
            "regions": REGIONS,
            "settings": SETTINGS,
            "params": params,
            "sorts": sort_links(params, filters),
            "sort_labels": SORT_LABELS,
            "numeric_sorts": NUMERIC_SORTS,
        },
        status_code=422 if errors else 200,
    )


@router.get("/api/programs", tags=["catalog"])
def catalog_json(request: Request, filters: Annotated[CatalogFilters, Query()]) -> dict[str, Any]:
    """Programs matching the filters, 50 per page (`page`, `pages`, `total`); each filter once."""
    check_not_repeated(request.query_params)
    return catalog_context(request, filters)


ProgramId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]


def program_context(request: Request, program_id: str) -> dict[str, Any]:
    """The data behind a program page: every field with source, year and conflicts."""
    program = get_catalog(request).get(program_id)
    data = program_to_dict(program)
    context = {**data, "url": f"/programs/{program.id}", "facts": labelled_facts(data)}
    if "step2ck" in request.query_params or "specialties" in request.query_params:
        context["applicant"] = applicant_view(request, program.id)
    return context


def applicant_view(request: Request, program_id: str) -> dict[str, Any]:
    """This applicant at this program: eligibility with reasons, P(interview) and P(match)."""
    parsed, profile = read_profile(request)
    assessment = assess(profile, program_ids=[program_id], catalog=get_catalog(request))
    found = assessment.to_dict()
    pairs = [(k, v) for k, v in request.query_params.multi_items()]
    query = query_string(pairs)
    view: dict[str, Any] = {"results_url": f"/results?{query}", "notes": found["notes"]}
    if found["programs"]:
        row = found["programs"][0]
        signals = signal_nouns(row["specialty"], profile.match_year)
        return {
            **view,
            **row,
            "signal_nouns": signals,
            "exclusions": [],
            "shortlist": shortlist_links(pairs, program_id),
        }
    excluded = found["excluded"][0]
    return {
        **view,
        **excluded,
        "exclusions": excluded["reasons"],
        "p_interview": None,
        "p_match": None,
        "reasons": [],
        "unknowns": [],
    }


def shortlist_links(pairs: list[tuple[str, str]], program_id: str) -> dict[str, Any]:
    """Results addresses with this program pinned, excluded, or left to the optimizer."""
    mine = {k for k, v in pairs if k in ("pin", "exclude") and v.upper() == program_id}
    rest = [(k, v) for k, v in pairs if not (k in ("pin", "exclude") and v.upper() == program_id)]
    return {
        "state": "pinned" if "pin" in mine else "excluded" if "exclude" in mine else None,
        "pin": "/results?" + query_string(rest, pin=program_id),
        "exclude": "/results?" + query_string(rest, exclude=program_id),
        "release": "/results?" + query_string(rest),
    }


@router.get("/programs/{program_id}", response_class=HTMLResponse, include_in_schema=False)
def program_page(request: Request, program_id: ProgramId) -> HTMLResponse:
    """One program: every catalog field with its source and year, and conflicts."""
    return render(request, "program.html", program_context(request, program_id))


@router.get("/api/programs/{program_id}", tags=["catalog"])
def program_json(request: Request, program_id: ProgramId) -> dict[str, Any]:
    """One program: every field with its value, source, year and conflicting older values.

    With the profile's query parameters (as in `/api/results`), `applicant` adds this applicant's
    eligibility (with reasons), P(interview) and P(match) with intervals, and the model's reasons.
    """
    return program_context(request, program_id)
