"""Downloads: the list as CSV/XLSX, the plan as PDF, and the profile as a TOML or JSON file.

Each download is built from the profile in the query string, like the results page; nothing is
stored. File names carry no personal data.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from smartpick.core.lists.result import Recommendation
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.files import profile_json, profile_toml
from smartpick.export.pdf import plan_pdf as to_pdf
from smartpick.export.tables import list_csv as to_csv
from smartpick.export.tables import list_xlsx as to_xlsx
from smartpick.service.advise import advise
from smartpick.service.recommend import recommend
from smartpick.web.deps import get_catalog
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.form_values import ParsedForm, list_options
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
    request: Request, write: Callable[[Recommendation], bytes | str], media_type: str, name: str
) -> Response:
    def make(parsed: ParsedForm, profile: ApplicantProfile) -> File:
        options = list_options(parsed)
        rec = recommend(profile, catalog=get_catalog(request), **options)
        return write(rec), media_type, name

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
        plan = advise(
            profile,
            catalog=get_catalog(request),
            budget_usd=parsed.values.get("budget_usd"),
            match_value_usd=parsed.values.get("match_value_usd"),
        )
        return to_pdf(plan.to_dict()), "application/pdf", "smartpick-plan.pdf"

    return _download(request, make)


@router.get("/export/profile.toml", include_in_schema=False)
def profile_file_toml(request: Request) -> Response:
    """The profile as a TOML file (`smartpick ... --profile FILE` reads it)."""
    return _download(
        request,
        lambda _, profile: (
            profile_toml(profile),
            "application/toml; charset=utf-8",
            "profile.toml",
        ),
    )


@router.get("/export/profile.json", include_in_schema=False)
def profile_file_json(request: Request) -> Response:
    """The profile as a JSON file."""
    return _download(
        request, lambda _, profile: (profile_json(profile), "application/json", "profile.json")
    )
