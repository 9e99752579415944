"""The results page (`/results`), the plan and what-if panels, and their JSON twins.

The profile arrives as query parameters (the form is sent with GET), so the page address is the
shareable link. `/results` shows the list at once; the advisor's plan, which re-runs the model
and optimizer for every step it prices, loads into its panel afterwards (htmx), and works as a
plain page without JavaScript. The JSON twins' query models are built by `create_app`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel

from smartpick.core.lists.result import Recommendation
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.whatif import apply_changes, parse_value
from smartpick.core.specialties import charting_name
from smartpick.errors import InvalidInput, SmartPickError
from smartpick.plain_text import counted
from smartpick.service.advise import advise
from smartpick.service.calibration import calibration_report
from smartpick.service.recommend import recommend
from smartpick.service.whatif import whatif
from smartpick.service.wording import (
    ALL_STEPS,
    YOUR_CHANCE,
    SpecialtyFigures,
    change_words,
    other_chances,
)
from smartpick.web.deps import get_catalog, get_form_spec
from smartpick.web.errors import API_ERROR_RESPONSES
from smartpick.web.form_values import (
    ParsedForm,
    list_options,
    profile_query,
    recommend_options,
)
from smartpick.web.geo import STATES_SVG_PATH, states_svg
from smartpick.web.profile_request import FormErrors, form_again, read_profile
from smartpick.web.query_route import OneQueryModelRoute
from smartpick.web.rendering import query_string, render
from smartpick.web.results_view import results_data, standing_charts

router = APIRouter(responses=API_ERROR_RESPONSES)


def _link(request: Request, profile: ApplicantProfile, options: Mapping[str, Any]) -> str:
    """The results page address of a profile with list options."""
    return "/results?" + query_string(profile_query(profile, get_form_spec(request), options))


def shortlisted(request: Request, parsed: ParsedForm, profile: ApplicantProfile) -> Recommendation:
    """The list with the applicant's pinned and excluded programs; a pin the optimizer cannot
    honour (an unknown id, or a program this profile cannot match at) is shown on the form."""
    try:
        return recommend(profile, catalog=get_catalog(request), **recommend_options(parsed))
    except SmartPickError as err:
        name = {"must_include": "pin", "exclude": "exclude"}.get(err.field or "")
        if name is None:
            raise
        label = "Programs you pinned" if name == "pin" else "Programs you excluded"
        parsed.errors[name] = f"{label}: " + err.message.split(":", 1)[-1].strip()
        raise FormErrors(parsed) from None


def results_context(request: Request, *, html: bool = False) -> dict[str, Any]:
    """The data behind the results page: the optimized list and everything shown about it
    (`html`: the list's rows, map dots, charts and the list's form's hidden fields as the
    page's markup, see `results_data`; without it, the JSON twin: no key starts with `_`)."""
    parsed, profile = read_profile(request)
    catalog = get_catalog(request)
    rec = shortlisted(request, parsed, profile)
    query = profile_query(profile, get_form_spec(request), list_options(parsed))
    qs = query_string(query)
    # The model's "where you stand" curve and the published quartiles are for non-US IMGs: a
    # US-citizen IMG (or US graduate) is not compared with them (core.plan.chance_labels).
    standing = (
        standing_charts(
            calibration(
                request, [n for s in profile.specialties if (n := charting_name(s)) is not None]
            ),
            list(profile.specialties),
            profile.step2ck,
            draw=html,
        )
        if profile.applicant_type == "non_us_img"
        else []
    )
    shown = {s["specialty"]: s for s in standing}
    chances = other_chances(
        profile,
        [
            SpecialtyFigures(
                s,
                shown.get(s, {}).get("typical_p_match"),
                shown.get(s, {}).get("match_rate_published"),
            )
            for s in profile.specialties
        ],
    )
    list_query = [(k, v) for k, v in query if k not in ("pin", "exclude")]
    context = {
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
        "list_query": list_query,
        "options_used": options_used(parsed),
        "excluded": [
            {"program_id": pid, "name": catalog.get(pid).name, "url": f"/programs/{pid}?{qs}"}
            for pid in rec.constraints.get("exclude") or ()
        ],
        **results_data(rec, qs, html=html),
        "standing": standing,
        "your_chance_label": YOUR_CHANCE,
        "all_steps_label": ALL_STEPS,
        "other_chances": [c.to_dict() for c in chances],
    }
    if html:
        context["_list_inputs"] = hidden_inputs(list_query)
    return context


def hidden_inputs(pairs: list[tuple[str, str]]) -> Markup:
    """The list's form's hidden fields: the profile and list options it sends again (written
    here, not looped over in the template: a profile has about twenty)."""
    return Markup(
        "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in pairs)
    )


def options_used(parsed: ParsedForm) -> list[str]:
    """The list options behind the page's numbers, in words (empty ones said so)."""
    v = parsed.values
    budget, count, value = v.get("budget_usd"), v.get("count"), v.get("match_value_usd")
    words = [
        f"a fee budget of ${budget:,.0f}" if budget is not None else "no fee budget",
        f"at most {counted(count, 'application')}"
        if count is not None
        else "no cap on the number of applications",
    ]
    if budget is None and count is None:
        worth = f"${value:,.0f}" if value is not None else "the default value of a match"
        words.append(f"stops where one more application is not worth its fee at {worth}")
    pins, drops = len(v.get("pin") or ()), len(v.get("exclude") or ())
    words.append(f"{counted(pins, 'program')} pinned" if pins else "none pinned")
    words.append(f"{drops} excluded" if drops else "none excluded")
    return words


def calibration(request: Request, specialties: list[str]) -> list[dict[str, Any]]:
    """The calibration report's rows for `specialties`, each computed once per app when first
    asked for (they depend on no applicant; the whole report takes seconds)."""
    rows: dict[str, list[dict[str, Any]]] = request.app.state.calibration_rows
    for name in specialties:
        if name not in rows:
            rows[name] = calibration_report([name])
    return [row for name in specialties for row in rows[name]]


def _json(data: dict[str, Any]) -> dict[str, Any] | Response:
    """`data` encoded by orjson (a results page's JSON in about 1 ms instead of 9 with the standard
    library, and without FastAPI's copy of the dict through pydantic); NaN becomes null. A value
    orjson does not know goes through FastAPI as before."""
    try:
        body = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
    except TypeError:
        return data
    return Response(body, media_type="application/json")


def _page(request: Request, build: Callable[[Request], dict[str, Any]], template: str) -> Response:
    """An HTML page or htmx fragment; the form again (422) when the profile has errors."""
    try:
        context = build(request)
    except FormErrors as err:
        return form_again(request, err.parsed)
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, template, {**context, "fragment": fragment})


@router.get(STATES_SVG_PATH, include_in_schema=False)
def states_image() -> Response:
    """The map's state outlines, the same for everyone (cached by browsers: a static path)."""
    return Response(
        states_svg(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/results", response_class=HTMLResponse, include_in_schema=False)
def results_page(request: Request) -> Response:
    """Chances, the list, the curve and the map for the profile in the address."""
    return _page(request, functools.partial(results_context, html=True), "results.html")


def plan_context(request: Request, *, with_list: bool = True) -> dict[str, Any]:
    """The advisor's plan for the profile, every priceable step priced by re-running the model
    (`with_list=False`: without the list and its curve, which the plan panel does not show)."""
    parsed, profile = read_profile(request)
    plan = advise(
        profile,
        catalog=get_catalog(request),
        budget_usd=parsed.values.get("budget_usd"),
        match_value_usd=parsed.values.get("match_value_usd"),
        with_list=with_list,
    )
    data = plan.to_dict()
    for step in data["steps"]:
        price = step.get("price")
        if price:
            change = price.get("change") or {}
            changed, options = apply_changes(profile, change)
            step["rerun_url"] = _link(request, changed, list_options(parsed) | options)
            step["change_param"] = change_param(change)
    query = profile_query(profile, get_form_spec(request), list_options(parsed))
    context: dict[str, Any] = {"query": query, "plan": data}
    if any(parsed.values.get(k) for k in ("count", "pin", "exclude")):
        # The advisor prices steps with the budget and the value rule; other list options stay
        # on the list.
        context["list_options_note"] = (
            "The plan's prices use your budget, the value of a match and the list SmartPick "
            "chooses by itself; the number of applications, pinned and excluded programs you set "
            "apply to the list above."
        )
    return context


def change_param(change: Mapping[str, Any]) -> str:
    """A what-if change as the `set` parameter: `key=value`, several joined by `|`."""
    parts = []
    for key, value in change.items():
        if isinstance(value, Mapping):
            text = ",".join(f"{k}:{v}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
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
    result = whatif(profile, changes, catalog=get_catalog(request), **recommend_options(parsed))
    changed, options = apply_changes(profile, changes)
    return {
        "whatif": result.to_dict(),
        "changes_text": change_words(changes, profile),
        "rerun_url": _link(request, changed, list_options(parsed) | options),
    }


@router.get("/results/whatif", response_class=HTMLResponse, include_in_schema=False)
def whatif_panel(request: Request) -> Response:
    """The combined price of the ticked what-ifs (htmx fragment or a page)."""
    return _page(request, whatif_context, "whatif.html")


@router.get("/results/plan", response_class=HTMLResponse, include_in_schema=False)
def plan_panel(request: Request) -> Response:
    """The plan panel (an htmx fragment, or a full page without JavaScript)."""
    return _page(request, functools.partial(plan_context, with_list=False), "plan.html")


def results_json(request: Request) -> dict[str, Any] | Response:
    """P(match) with interval, expected interviews, fees, the curve and the optimized list."""
    return _json(results_context(request))


def whatif_json(request: Request) -> dict[str, Any] | Response:
    """The price of what-if changes: baseline and changed outcomes and the per-draw delta."""
    return _json(whatif_context(request))


def plan_json(request: Request) -> dict[str, Any] | Response:
    """The advisor's plan for the profile in the query: the same JSON as `smartpick advise --format json`."""
    return _json(plan_context(request))


def _documented(
    handler: Callable[[Request], dict[str, Any] | Response], model: type[BaseModel]
) -> Callable[..., dict[str, Any] | Response]:
    """`handler` with the query model in its signature, so FastAPI validates and documents it."""

    def endpoint(request: Request, **_: Any) -> dict[str, Any] | Response:
        return handler(request)

    functools.update_wrapper(endpoint, handler)
    delattr(endpoint, "__wrapped__")  # FastAPI must read the signature below, not the handler's
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request
            ),
            inspect.Parameter(
                "query", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[model, Query()]
            ),
        ],
        return_annotation=dict[str, Any],
    )
    return endpoint


def api_router(
    profile_query_model: type[BaseModel], whatif_query_model: type[BaseModel]
) -> APIRouter:
    """The JSON twins, their query parameters documented by the models `create_app` built.

    The handlers read the query themselves (`read_profile`); the models validate it first and
    describe it in the OpenAPI schema.
    """
    api = APIRouter(responses=API_ERROR_RESPONSES, tags=["results"], route_class=OneQueryModelRoute)
    api.add_api_route("/api/results", _documented(results_json, profile_query_model))
    api.add_api_route("/api/whatif", _documented(whatif_json, whatif_query_model))
    api.add_api_route("/api/plan", _documented(plan_json, profile_query_model))
    return api
