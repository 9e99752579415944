"""Downloads: the list as CSV/XLSX, the plan as PDF, and the profile as a TOML or JSON file.

Each download is built from the profile in the query string, like the results page; nothing is
stored. File names carry no personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from smartpick.core.lists.result import Recommendation
from smartpick.core.plan.types import Plan
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.files import profile_json, profile_toml
from smartpick.export.tables import list_csv as to_csv
from smartpick.export.tables import list_xlsx as to_xlsx
from smartpick.service.advise import advise
from smartpick.service.listing import export_document
from smartpick.service.recommend import recommend
from smartpick.web.deps import get_catalog
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.form_values import ParsedForm, list_options, recommend_options
from smartpick.web.profile_request import FormErrors, form_again, read_profile

router = APIRouter(responses=API_ERROR_RESPONSES)

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


File = tuple[bytes | str, str, str]  # content, media type, file name


def _download(request: Request, make: Callable[[ParsedForm, ApplicantProfile], File]) -> Response:
    """A file built from the profile in the address; the form again (422) when it has errors."""
    try:
        parsed, profile = read_profile(request)
    except FormErrors as err:
        return form_again(request, err.parsed)
    content, media_type, filename = make(parsed, profile)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _list_file(
    request: Request, write: Callable[[dict[str, Any]], bytes | str], media_type: str, name: str
) -> Response:
    def make(parsed: ParsedForm, profile: ApplicantProfile) -> File:
        catalog = get_catalog(request)
        rec = recommend(profile, catalog=catalog, **recommend_options(parsed))
        return write(export_document(rec, catalog)), media_type, name

    return _download(request, make)


@router.get("/export/list.csv", include_in_schema=False)
def list_csv(request: Request) -> Response:
    """The optimized list as CSV (one row per program, the same columns as the CLI's CSV)."""
    return _list_file(request, to_csv, CSV, "smartpick-list.csv")


@router.get("/export/list.xlsx", include_in_schema=False)
def list_xlsx(request: Request) -> Response:
    """The optimized list, its curve and totals as an Excel workbook."""
    return _list_file(request, to_xlsx, XLSX, "smartpick-list.xlsx")


@router.get("/export/plan.pdf", include_in_schema=False)
def plan_pdf(request: Request) -> Response:
    """The advisor's plan with the recommended list as PDF."""

    def make(parsed: ParsedForm, profile: ApplicantProfile) -> File:
        catalog = get_catalog(request)
        plan = advise(
            profile,
            catalog=catalog,
            budget_usd=parsed.values.get("budget_usd"),
            match_value_usd=parsed.values.get("match_value_usd"),
        )
        options = recommend_options(parsed)
        if options.get("must_include") or options.get("exclude"):
            plan = with_choices(plan, recommend(profile, catalog=catalog, **options), catalog)
        from smartpick.export.pdf import plan_pdf as to_pdf  # fpdf loads only for this download

        return to_pdf(plan), "application/pdf", "smartpick-plan.pdf"

    return _download(request, make)


def with_choices(plan: Plan, rec: Recommendation, catalog: Any) -> Plan:
    """The plan whose list is the applicant's own (pins kept, exclusions left out), with a note
    naming both: the advisor prices its steps on the list it chooses by itself."""
    pinned = [item.program.name for item in rec.programs if item.must_include]
    excluded = [catalog.get(pid).name for pid in rec.constraints.get("exclude") or ()]
    note = (
        f"Your list below keeps the programs you pinned ({'; '.join(pinned) or 'none'}) and "
        f"leaves out the ones you excluded ({'; '.join(excluded) or 'none'}). The plan's prices "
        "use the list SmartPick chooses by itself."
    )
    return replace(plan, recommended=rec.programs, notes=(note, *plan.notes))


@router.get("/export/profile.toml", include_in_schema=False)
def profile_file_toml(request: Request) -> Response:
    """The profile and the page's list options as a TOML file (`smartpick ... --profile FILE`
    reads it)."""
    return _download(
        request,
        lambda parsed, profile: (
            profile_toml(profile, list_options(parsed)),
            "application/toml; charset=utf-8",
            "profile.toml",
        ),
    )


@router.get("/export/profile.json", include_in_schema=False)
def profile_file_json(request: Request) -> Response:
    """The profile and the page's list options as a JSON file."""
    return _download(
        request,
        lambda parsed, profile: (
            profile_json(profile, list_options(parsed)),
            "application/json",
            "profile.json",
        ),
    )
