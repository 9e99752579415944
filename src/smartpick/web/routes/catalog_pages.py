"""The catalog browser (`/programs`) and the program page (`/programs/{id}`), with JSON twins."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from smartpick.core.geography import REGIONS
from smartpick.core.profile import STATE_CODES
from smartpick.core.programs import SETTINGS
from smartpick.core.specialties import SPECIALTIES
from smartpick.service.assess import assess
from smartpick.service.catalog import program_summary, program_to_dict
from smartpick.web.deps import get_catalog, specialty_names
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.profile_request import read_profile
from smartpick.web.programs_view import labelled_facts
from smartpick.web.query_models import BlankIsMissing
from smartpick.web.rendering import query_string, render

router = APIRouter(responses=API_ERROR_RESPONSES)

PAGE_SIZE = 50


def _member(values: Sequence[str], *, upper: bool = False) -> Callable[[Any], Any]:
    """A check that a text parameter is one of `values` (upper-cased first when asked)."""

    def check(value: Any) -> Any:
        text = value.strip().upper() if upper and isinstance(value, str) else value
        if text not in values:
            raise ValueError(f"must be one of: {', '.join(values)}")
        return text

    return check


def _enum(values: Sequence[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


_NAMES = [s.name for s in SPECIALTIES]
_STATES = sorted(STATE_CODES)
SpecialtyName = Annotated[str, BeforeValidator(_member(_NAMES)), _enum(_NAMES)]
StateCode = Annotated[str, BeforeValidator(_member(_STATES, upper=True)), _enum(_STATES)]
Region = Annotated[str, BeforeValidator(_member(REGIONS)), _enum(REGIONS)]
SettingName = Annotated[str, BeforeValidator(_member(SETTINGS)), _enum(SETTINGS)]


class CatalogFilters(BaseModel):
    """Search and filters of the catalog browser; every one is optional."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(None, max_length=100, description="Text in the program or city name.")
    specialty: SpecialtyName | None = Field(None, description="A catalog specialty name.")
    state: StateCode | None = Field(None, description="Two-letter state or territory code.")
    region: Region | None = Field(None, description="Census region.")
    setting: SettingName | None = None
    visa: Literal["j1", "h1b"] | None = Field(None, description="Only programs stating yes.")
    min_non_us_img_pct: float | None = Field(
        None, ge=0, le=100, description="Minimum share of non-US IMG residents, 0-100."
    )
    min_positions: int | None = Field(None, ge=0, le=500, description="Minimum PGY-1 positions.")
    page: int = Field(1, ge=1, le=10000)


class CatalogPageFilters(BlankIsMissing, CatalogFilters):
    """The same filters as the HTML form sends them: a blank field means "any"."""


def _filter_args(f: CatalogFilters) -> dict[str, Any]:
    return {
        "specialty": f.specialty or None,
        "state": f.state,
        "region": f.region,
        "setting": f.setting,
        "visa": {"j1": "J-1", "h1b": "H-1B"}.get(f.visa or ""),
        "min_non_us_img_pct": f.min_non_us_img_pct,
        "min_positions": f.min_positions,
        "text": f.q or None,
    }


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
    args = _filter_args(f)
    total = catalog.count(**args)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(f.page, pages)
    shown = catalog.search(**args, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return {
        "filters": f.model_dump(exclude={"page"}),
        "total": total,
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "programs": [summary_row(p) for p in shown],
    }


@router.get("/programs", response_class=HTMLResponse, include_in_schema=False)
def catalog_page(request: Request, filters: Annotated[CatalogPageFilters, Query()]) -> HTMLResponse:
    """Search and filter real programs, no profile needed."""
    context = catalog_context(request, filters)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return render(
        request,
        "catalog.html",
        {
            **context,
            "specialties": specialty_names(request),
            "regions": REGIONS,
            "settings": SETTINGS,
            "params": params,
        },
    )


@router.get("/api/programs", tags=["catalog"])
def catalog_json(request: Request, filters: Annotated[CatalogFilters, Query()]) -> dict[str, Any]:
    """Programs matching the filters, 50 per page (`page`, `pages`, `total`)."""
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
    query = query_string([(k, v) for k, v in request.query_params.multi_items()])
    view: dict[str, Any] = {"results_url": f"/results?{query}", "notes": found["notes"]}
    if found["programs"]:
        row = found["programs"][0]
        return {**view, **row, "exclusions": []}
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
