"""The JSON twins read their query model in one pass (`web.query_route`): the same validated
values and the same errors as FastAPI's own reading, for any address, and the route still answers
and documents as before."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from smartpick.web.query_route import OneQueryModelRoute, QueryReader

from .conftest import GUIDE_QUERY

# Values a form or a hostile client may send: blanks, digits in other scripts, numbers out of
# range, choices with the wrong case, long text.
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "209",
            "224.5",
            "-3",
            "1e9",
            "nan",
            "٣",
            "j1",
            "J1",
            "Internal Medicine",
            "Family Medicine",
            "pass",
            "fail_then_pass",
            "TX",
            "observership",
            "hands_on",
            "2025",
        ]
    ),  # fmt: skip
    st.text(max_size=30),
    st.integers(-(10**6), 10**6).map(str),
)


def _routes(app: Any) -> dict[str, OneQueryModelRoute]:
    return {r.path: r for r in app.routes if isinstance(r, OneQueryModelRoute)}


def _comparable(errors: list[Any]) -> list[Any]:
    """Errors with their exceptions as text (two ValueErrors with one message are not equal)."""
    return [
        {**e, "ctx": {k: str(v) for k, v in e["ctx"].items()}} if "ctx" in e else e for e in errors
    ]


def _fastapi_reading(route: OneQueryModelRoute, params: QueryParams) -> tuple[Any, list[Any]]:
    values, errors = request_params_to_args(route.dependant.query_params, params)
    return (None if errors else next(iter(values.values()))), errors


def test_the_json_twins_use_the_one_pass_route(app: Any) -> None:
    assert set(_routes(app)) == {"/api/results", "/api/whatif", "/api/plan"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_same_values_and_errors_as_fastapi(app: Any, data: st.DataObject) -> None:
    routes = _routes(app)
    route = routes[data.draw(st.sampled_from(sorted(routes)))]
    (param,) = route.dependant.query_params
    model = param.field_info.annotation
    keys = st.sampled_from([*model.model_fields, "unknown", "set"])
    # a whole profile (so valid addresses are drawn too) or none, then random parameters
    base = parse_qsl(GUIDE_QUERY) if data.draw(st.booleans()) else []
    pairs = base + data.draw(st.lists(st.tuples(keys, VALUES), max_size=3 if base else 25))
    params = QueryParams(urlencode(pairs))
    expected, expected_errors = _fastapi_reading(route, params)
    try:
        got, got_errors = QueryReader(model)(params), []
    except RequestValidationError as exc:
        got, got_errors = None, list(exc.errors())
    assert _comparable(got_errors) == _comparable(expected_errors)
    assert got == expected
    event("valid" if got is not None else "rejected")


def test_a_bad_address_is_a_clear_422_naming_the_field(client: Any, guide_query: str) -> None:
    r = client.get("/api/results?" + guide_query + "&step2ck=999")
    assert r.status_code == 422
    body = r.json()["error"]
    assert any(p["field"] == "step2ck" for p in body["problems"]), body


def test_the_schema_still_documents_every_profile_parameter(app: Any) -> None:
    route = _routes(app)["/api/results"]
    (param,) = route.dependant.query_params
    documented = {p["name"] for p in app.openapi()["paths"]["/api/results"]["get"]["parameters"]}
    assert documented == set(param.field_info.annotation.model_fields)
