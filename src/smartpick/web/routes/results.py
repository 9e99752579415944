"""The results page (`/results`), the plan and what-if panels, and their JSON twins.

The profile arrives as query parameters (the form is sent with GET), so the page address is the
shareable link. `/results` shows the list at once; the advisor's plan, which re-runs the model
and optimizer for every step it prices, loads into its panel afterwards (htmx), and works as a
plain page without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, create_model

from smartpick.core.calibration_report import calibration_report
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import parse_value
from smartpick.core.specialties import SPECIALTIES
from smartpick.errors import InvalidInput
from smartpick.service.advise import advise
from smartpick.service.chances import fitted_model
from smartpick.service.recommend import recommend
from smartpick.service.whatif import whatif
from smartpick.web.deps import get_catalog, get_form_spec
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.forms import (
    ParsedForm,
    apply_changes_to_form,
    build_form_spec,
    parse_form,
    profile_query,
    query_model,
    to_profile,
)
from smartpick.web.rendering import query_string, render
from smartpick.web.results_view import results_data, standing_charts
from smartpick.web.routes.home import fee_note

router = APIRouter(responses=API_ERROR_RESPONSES)

# The schema documents the same fields as the form (specialty names from the core's list).
ProfileQuery = query_model(build_form_spec([s.name for s in SPECIALTIES]))
WhatIfQuery = create_model(
    "WhatIfQuery",
    __base__=ProfileQuery,
    set=(
        list[str],
        Field(..., min_length=1, description="Changes as key=value, e.g. step3=235 (repeat)."),
    ),
)


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


def _list_options(parsed: ParsedForm) -> dict[str, Any]:
    return {"budget_usd": parsed.values.get("budget_usd"), "count": parsed.values.get("count")}


def _stop_threshold(parsed: ParsedForm) -> dict[str, Any]:
    stop = parsed.values.get("stop_pp")
    return {} if stop is None else {"stop_threshold_pp": float(stop)}


def results_context(request: Request) -> dict[str, Any]:
    """The data behind the results page: the optimized list and everything shown about it."""
    parsed, profile = read_profile(request)
    catalog = get_catalog(request)
    rec = recommend(profile, catalog=catalog, **_list_options(parsed), **_stop_threshold(parsed))
    spec = get_form_spec(request)
    query = profile_query(parsed.values, spec)
    qs = query_string(query)
    return {
        "profile": profile.model_dump(mode="json"),
        "share_url": f"/results?{qs}",
        "links": {
            "edit": f"/?{qs}",
            "plan": f"/results/plan?{qs}",
            "csv": f"/export/list.csv?{qs}",
            "xlsx": f"/export/list.xlsx?{qs}",
            "pdf": f"/export/plan.pdf?{qs}",
            "profile_toml": f"/export/profile.toml?{qs}",
            "profile_json": f"/export/profile.json?{qs}",
            "json": f"/api/results?{qs}",
        },
        "query": query,
        **results_data(rec.to_dict()),
        "standing": standing_charts(
            calibration(request), list(profile.specialties), profile.step2ck
        ),
    }


def calibration(request: Request) -> list[dict[str, Any]]:
    """The model's calibration report (computed once per app: it depends on no applicant)."""
    report = getattr(request.app.state, "calibration", None)
    if report is None:
        report = calibration_report(fitted_model())
        request.app.state.calibration = report
    return report


def _public(value: Any) -> Any:
    """The JSON twin: the page's data without the SVG geometry (keys starting with `_`)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def form_again(request: Request, err: FormErrors) -> HTMLResponse:
    """The form again, with every error next to its field (422)."""
    spec = get_form_spec(request)
    values = {k: v for k, v in err.parsed.raw.items()}
    budget = err.parsed.values.get("budget_usd")
    note = fee_note(budget, len(err.parsed.values.get("specialties") or []))
    context = {"spec": spec, "values": values, "errors": err.parsed.errors, "fee_note": note}
    return render(request, "form.html", context, status_code=422)


@router.get("/results", response_class=HTMLResponse, include_in_schema=False)
def results_page(request: Request) -> HTMLResponse:
    """Chances, the list, the curve and the map for the profile in the address."""
    try:
        context = results_context(request)
    except FormErrors as err:
        return form_again(request, err)
    return render(request, "results.html", context)


@router.get("/api/results", tags=["results"])
def results_json(request: Request, profile: Annotated[ProfileQuery, Query()]) -> dict[str, Any]:  # type: ignore[valid-type]
    """P(match) with interval, expected interviews, fees, the curve and the optimized list."""
    return _public(results_context(request))


def plan_context(request: Request) -> dict[str, Any]:
    """The advisor's plan for the profile, every priceable step priced by re-running the model."""
    parsed, profile = read_profile(request)
    budget = parsed.values.get("budget_usd")
    plan = advise(profile, catalog=get_catalog(request), budget_usd=budget)
    spec = get_form_spec(request)
    data = plan.to_dict()
    for step in data["steps"]:
        price = step.get("price")
        if price:
            change = price.get("change") or {}
            changed = apply_changes_to_form(parsed.values, change)
            step["rerun_url"] = "/results?" + query_string(profile_query(changed, spec))
            step["change_param"] = change_param(change)
    context: dict[str, Any] = {"query": profile_query(parsed.values, spec), "plan": data}
    if parsed.values.get("count") is not None or parsed.values.get("stop_pp") is not None:
        # The advisor prices steps with the profile's budget; list size options stay on the list.
        context["list_options_note"] = (
            "The plan's prices use your budget and the curve's stopping point; the number of "
            "applications or stopping threshold you set applies to the list above."
        )
    return context


def change_param(change: dict[str, Any]) -> str:
    """A what-if change as the `set` parameter: `key=value`, several joined by `|`."""
    parts = []
    for key, value in change.items():
        text = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}={text}")
    return "|".join(parts)


def parse_sets(sets: list[str]) -> dict[str, Any]:
    """`set` parameters (`key=value`, `|`-joined) into what-if changes; InvalidInput if malformed."""
    changes: dict[str, Any] = {}
    for item in sets:
        for part in item.split("|"):
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep or not key or not value.strip():
                raise InvalidInput(
                    f"set: {part[:40]!r} is not key=value (e.g. step3=235)", field="set"
                )
            changes[key] = parse_value(key, value)
    if not changes:
        raise InvalidInput("set: tick at least one step (or give key=value)", field="set")
    return changes


def whatif_context(request: Request) -> dict[str, Any]:
    """The price of the ticked steps together, measured by re-running the optimizer."""
    parsed, profile = read_profile(request)
    changes = parse_sets(request.query_params.getlist("set"))
    result = whatif(
        profile, changes, budget_usd=parsed.values.get("budget_usd"), catalog=get_catalog(request)
    )
    spec = get_form_spec(request)
    changed = apply_changes_to_form(parsed.values, changes)
    return {
        "whatif": result.to_dict(),
        "changes_text": ", ".join(f"{k} = {v}" for k, v in changes.items()),
        "rerun_url": "/results?" + query_string(profile_query(changed, spec)),
    }


@router.get("/results/whatif", response_class=HTMLResponse, include_in_schema=False)
def whatif_panel(request: Request) -> Response:
    """The combined price of the ticked what-ifs (htmx fragment or a page)."""
    try:
        context = whatif_context(request)
    except FormErrors as err:
        return form_again(request, err)
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, "whatif.html", {**context, "fragment": fragment})


@router.get("/api/whatif", tags=["results"])
def whatif_json(
    request: Request,
    query: Annotated[WhatIfQuery, Query()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    """The price of what-if changes: baseline and changed outcomes and the per-draw delta."""
    return whatif_context(request)


@router.get("/results/plan", response_class=HTMLResponse, include_in_schema=False)
def plan_panel(request: Request) -> Response:
    """The plan panel (an htmx fragment, or a full page without JavaScript)."""
    try:
        context = plan_context(request)
    except FormErrors as err:
        return form_again(request, err)
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, "plan.html", {**context, "fragment": fragment})


@router.get("/api/plan", tags=["results"])
def plan_json(request: Request, profile: Annotated[ProfileQuery, Query()]) -> dict[str, Any]:  # type: ignore[valid-type]
    """The advisor's plan (docs/advisor.md contract) for the profile in the query."""
    return plan_context(request)
