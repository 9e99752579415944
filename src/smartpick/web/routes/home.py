"""The profile form (`/`), its JSON twin (`/api/form`), live field checks and the about page."""

from __future__ import annotations

import json
import tomllib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape

from smartpick.core.fees import fee_schedule
from smartpick.core.profile import profile_from_dict
from smartpick.errors import InvalidInput, NotFound
from smartpick.web.deps import get_form_spec
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.forms import (
    all_fields,
    defaults,
    form_values_from_profile,
    parse_form,
    profile_query,
    spec_to_dict,
)
from smartpick.web.rendering import render

router = APIRouter(responses=API_ERROR_RESPONSES)


def fee_note(budget_usd: int | None, specialties: int) -> str:
    """The live ERAS fee next to the budget field: what the budget buys under the real schedule."""
    schedule = fee_schedule()
    tiers = "; ".join(
        f"${t.fee_usd} each for programs {t.first}–{t.last}"
        if t.last
        else f"${t.fee_usd} each from program {t.first}"
        for t in schedule.tiers
    )
    base = (
        f"ERAS {schedule.season} fees per specialty: {tiers}; plus the USMLE transcript fee "
        f"${schedule.transcript_fee_usd} (stated for {schedule.transcript_season})."
    )
    if budget_usd is None:
        return base
    per = max(specialties, 1)
    count = 0
    while count < 1000 and schedule.total_fee_usd(_split(count + 1, per)) <= budget_usd:
        count += 1
    if count == 0:
        return f"${budget_usd:,} does not cover one application. " + base
    total = schedule.total_fee_usd(_split(count, per))
    spread = f" split evenly across {per} specialties" if per > 1 else ""
    return (
        f"${budget_usd:,} pays for up to {count} applications{spread} (${total:,} in fees). " + base
    )


def _split(count: int, specialties: int) -> dict[str, int]:
    """`count` applications spread as evenly as possible over `specialties` (tiers restart)."""
    return {str(i): count // specialties + (i < count % specialties) for i in range(specialties)}


def form_context(request: Request) -> dict[str, Any]:
    """The data behind the form page: fields, defaults, allowed ranges, and the live fee."""
    spec = get_form_spec(request)
    schedule = fee_schedule()
    return {
        "groups": spec_to_dict(spec),
        "defaults": defaults(spec),
        "fees": {
            "season": schedule.season,
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
    if request.query_params:
        parsed = parse_form(spec, request.query_params)
        values.update({k: v for k, v in parsed.raw.items() if v not in (None, [])})
    budget = values.get("budget_usd")
    note = fee_note(
        int(budget) if str(budget).isdigit() else None, len(values.get("specialty") or [])
    )
    return render(
        request, "form.html", {"spec": spec, "values": values, "errors": {}, "fee_note": note}
    )


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
        raise NotFound(f"There is no form field named {name!r}.")
    parsed = parse_form(spec, request.query_params)
    error = parsed.errors.get(name) if name in request.query_params else None
    env = request.app.state.templates
    slot = env.get_template("_fields.html").module.error_slot(name, error)
    html = str(slot)
    if name == "budget_usd":
        budget = parsed.values.get("budget_usd")
        note = fee_note(budget, len(parsed.values.get("specialty") or []))
        html += f'<p class="small" id="fee-note" aria-live="polite" hx-swap-oob="true">{_escape(note)}</p>'
    return HTMLResponse(html)


def _escape(text: str) -> str:
    return str(escape(text))


@router.get("/about", response_class=HTMLResponse, include_in_schema=False)
def about_page(request: Request) -> HTMLResponse:
    """What SmartPick is, privacy, and where the numbers come from."""
    return render(request, "about.html", {})


@router.post("/profile/open", include_in_schema=False)
async def open_profile_file(request: Request) -> Response:
    """Open a saved profile file (TOML or JSON, at most 64 KB): go to its results page.

    The file is read in memory and never written anywhere; its contents become the results page
    address, like a shared link.
    """
    form = await request.form()
    upload = form.get("profile_file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput(
            "profile_file: choose a .toml or .json profile file", field="profile_file"
        )
    raw = await upload.read()
    name = (upload.filename or "").lower()
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if name.endswith(".json") else tomllib.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise InvalidInput(
            f"profile_file: {upload.filename!r} is not a valid TOML or JSON profile ({err})",
            field="profile_file",
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            "profile_file: the file must hold a table of fields", field="profile_file"
        )
    profile = profile_from_dict(data)
    spec = get_form_spec(request)
    query = urlencode(profile_query(form_values_from_profile(profile), spec))
    return RedirectResponse(f"/results?{query}", status_code=303)
