"""The profile form (`/`), its JSON twin (`/api/form`), live field checks and the about page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape

from smartpick.core.lists.fees import fee_schedule
from smartpick.core.profile import read_profile_file
from smartpick.errors import InvalidInput, NotFound
from smartpick.web.deps import get_form_spec
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.form_fields import all_fields, defaults, spec_to_dict
from smartpick.web.form_values import open_sections, parse_form, profile_query
from smartpick.web.profile_request import fee_note, program_names
from smartpick.web.rendering import render

router = APIRouter(responses=API_ERROR_RESPONSES)


def form_context(request: Request) -> dict[str, Any]:
    """The data behind the form page: fields, defaults, allowed ranges, and the live fee."""
    spec = get_form_spec(request)
    schedule = fee_schedule(defaults(spec).get("match_year"))
    return {
        "groups": spec_to_dict(spec),
        "defaults": defaults(spec),
        "fees": {
            "season": schedule.season,
            "note": schedule.note,
            "tiers": [
                {"first": t.first, "last": t.last, "rule": t.rule, "fee_usd": t.fee_usd}
                for t in schedule.tiers
            ],
            "transcript_fee_usd": schedule.transcript_fee_usd,
            "transcript_season": schedule.transcript_season,
            "source_url": schedule.source_url,
        },
        "submit_to": "/results",
        "json_twin": "/api/results",
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def form_page(request: Request) -> HTMLResponse:
    """The profile form with defaults (or refilled from a shared link's query string)."""
    spec = get_form_spec(request)
    values = defaults(spec)
    parsed = parse_form(spec, request.query_params)
    if request.query_params:
        values.update({k: v for k, v in parsed.raw.items() if v not in (None, [])})
    note = fee_note(
        None if "budget_usd" in parsed.errors else parsed.values.get("budget_usd"),
        len(parsed.values.get("specialties") or []),
        None if "match_year" in parsed.errors else parsed.values.get("match_year"),
    )
    context = {
        "spec": spec,
        "values": values,
        "errors": {},
        "fee_note": note,
        "program_names": program_names(request, values),
        "open_sections": open_sections(spec, values, {}),
    }
    return render(request, "form.html", context)


@router.get("/api/form", tags=["form"])
def form_json(request: Request) -> dict[str, Any]:
    """The profile form: every field with its label, allowed range or choices, and default."""
    return form_context(request)


@router.get("/form/check/{name}", response_class=HTMLResponse, include_in_schema=False)
def check_field(request: Request, name: str) -> HTMLResponse:
    """Live inline validation of one field (htmx): returns the field's error slot."""
    spec = get_form_spec(request)
    fields = all_fields(spec)
    if name not in fields:
        raise NotFound(f"There is no form field named {name[:40]!r}.")
    parsed = parse_form(spec, request.query_params)
    error = parsed.errors.get(name) if name in request.query_params else None
    env = request.app.state.templates
    slot = env.get_template("_fields.html").module.error_slot(name, error)
    html = str(slot)
    if name == "budget_usd":
        note = fee_note(
            parsed.values.get("budget_usd"),
            len(parsed.values.get("specialties") or []),
            parsed.values.get("match_year"),
        )
        html += (
            f'<p class="small" id="fee-note" aria-live="polite" hx-swap-oob="true">'
            f"{escape(note)}</p>"
        )
    return HTMLResponse(html)


@router.get("/about", response_class=HTMLResponse, include_in_schema=False)
def about_page(request: Request) -> HTMLResponse:
    """What SmartPick is, privacy, and where the numbers come from."""
    return render(request, "about.html", {})


@router.get("/glossary", response_class=HTMLResponse, include_in_schema=False)
def glossary_page(request: Request) -> HTMLResponse:
    """The words and numbers used on the pages, each in a few plain lines."""
    return render(request, "glossary.html", {})


@router.post("/profile/open", include_in_schema=False)
async def open_profile_file(request: Request) -> Response:
    """Open a saved profile file (TOML or JSON, at most 64 KB): go to its results page.

    The file is read in memory (by the same reader as the CLI) and never written anywhere; its
    contents become the results page address, like a shared link.
    """
    form = await request.form()
    upload = form.get("profile_file")
    try:
        if upload is None or isinstance(upload, str):
            raise InvalidInput(
                "profile_file: choose a .toml or .json profile file", field="profile_file"
            )
        profile, options = read_profile_file(await upload.read(), upload.filename or "")
        query = urlencode(profile_query(profile, get_form_spec(request), options))
        limit = request.app.state.settings.max_query_bytes
        if len(query) > limit:
            raise InvalidInput(
                f"profile_file: the profile is too long to carry in a page address "
                f"({len(query):,} of {limit:,} characters); shorten institution names",
                field="profile_file",
            )
    except InvalidInput as err:
        return _file_refused(request, err.message)
    return RedirectResponse(f"/results?{query}", status_code=303)


def _file_refused(request: Request, message: str) -> HTMLResponse:
    """The form page again with the file's problem, said once, next to the file field (422)."""
    spec = get_form_spec(request)
    text = message.removeprefix("profile_file:").strip()
    note = fee_note(None, 1, defaults(spec).get("match_year"))
    context = {
        "spec": spec,
        "values": defaults(spec),
        "errors": {},
        "file_error": f"Profile file: {text}",
        "fee_note": note,
        "program_names": {},
        "open_sections": set(),
    }
    return render(request, "form.html", context, status_code=422)
