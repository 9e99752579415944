"""Reading the profile from a request's query string, and showing the form again on errors.

Shared by the results, export and program pages (routes never import each other).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from smartpick.core.lists.fees import fee_schedule
from smartpick.core.profile import ApplicantProfile
from smartpick.errors import InvalidInput, NotFound
from smartpick.plain_text import counted
from smartpick.web.deps import get_catalog, get_form_spec
from smartpick.web.form_values import ParsedForm, open_sections, parse_form, to_profile
from smartpick.web.rendering import render


class FormErrors(InvalidInput):
    """The form has errors: the HTML page shows the form again with them next to the fields."""

    def __init__(self, parsed: ParsedForm) -> None:
        first = next(iter(parsed.errors))
        super().__init__("; ".join(parsed.errors.values()), field=first)
        self.parsed = parsed


def read_profile(request: Request) -> tuple[ParsedForm, ApplicantProfile]:
    """The profile from the query string, or FormErrors naming every bad field."""
    spec = get_form_spec(request)
    parsed = parse_form(spec, request.query_params)
    profile = to_profile(spec, parsed)
    if profile is None:
        raise FormErrors(parsed)
    return parsed, profile


def fee_note(budget_usd: float | None, specialties: int, season: int | None = None) -> str:
    """The live ERAS fee next to the budget field: what the budget buys under the schedule of the
    season (applications split evenly across the specialties; the optimizer may split otherwise)."""
    schedule = fee_schedule(season, field="match_year")
    tiers = "; ".join(
        f"${t.fee_usd} each for programs {t.first}–{t.last}"
        if t.last
        else f"${t.fee_usd} each from program {t.first}"
        for t in schedule.tiers
    )
    base = (
        f"{schedule.note}, per specialty: {tiers}; plus the USMLE transcript fee "
        f"${schedule.transcript_fee_usd} (stated for {schedule.transcript_season})."
    )
    if budget_usd is None:
        return base
    count = schedule.most_applications(budget_usd, specialties)
    if count == 0:
        return f"${budget_usd:,.0f} does not cover one application. " + base
    total = schedule.even_split_fee_usd(count, specialties)
    spread = f" split evenly across {specialties} specialties" if specialties > 1 else ""
    return (
        f"${budget_usd:,.0f} pays for up to {counted(count, 'application')}{spread} "
        f"(${total:,} in fees). " + base
    )


def program_names(request: Request, values: dict[str, Any]) -> dict[str, str]:
    """Names of the pinned and excluded programs the form shows (an unknown id stays an id)."""
    catalog = get_catalog(request)
    names = {}
    for pid in [*(values.get("pin") or []), *(values.get("exclude") or [])]:
        try:
            names[pid] = catalog.get(pid).name
        except NotFound:
            names[pid] = pid
    return names


def form_again(request: Request, parsed: ParsedForm) -> HTMLResponse:
    """The form again, with every error next to its field (422)."""
    spec = get_form_spec(request)
    budget = parsed.values.get("budget_usd")
    note = fee_note(
        budget, len(parsed.values.get("specialties") or []), parsed.values.get("match_year")
    )
    context: dict[str, Any] = {
        "spec": spec,
        "values": dict(parsed.raw),
        "errors": parsed.errors,
        "fee_note": note,
        "program_names": program_names(request, parsed.raw),
        "open_sections": open_sections(spec, parsed.raw, parsed.errors),
    }
    return render(request, "form.html", context, status_code=422)
