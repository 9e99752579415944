"""One place that turns errors into a clear page (HTML) or a JSON body (`/api/`).

`SmartPickError`s carry their own user-facing message and HTTP status; validation errors name the
field and what is allowed; anything unexpected becomes a 500 page without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartpick.errors import SmartPickError
from smartpick.web.rendering import render
from smartpick.web.security import SECURITY_HEADERS

log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    414: "Address too long",
    422: "Please check your input",
    500: "Something went wrong",
    503: "SmartPick cannot use its data right now",
}


def wants_json(request: Request) -> bool:
    """JSON for the API, the OpenAPI schema and exports; HTML pages for everything else."""
    return request.url.path.startswith("/api/")


def error_response(
    request: Request, status: int, message: str, problems: list[dict[str, Any]] | None = None
) -> Response:
    """Render one error as JSON (`{"error": {...}}`) or as the error page."""
    problems = problems or []
    if wants_json(request):
        body = {"error": {"status": status, "message": message, "problems": problems}}
        return JSONResponse(body, status_code=status)
    context = {
        "status": status,
        "title": _TITLES.get(status, "Error"),
        "message": message,
        "problems": problems,
        # htmx swaps error responses into the panel that asked (see base.html's htmx-config).
        "fragment": request.headers.get("HX-Request") == "true",
    }
    return render(request, "error.html", context, status_code=status)


def _validation_problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
        problems.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    return problems


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(SmartPickError)
    async def smartpick_error(request: Request, exc: SmartPickError) -> Response:
        problems = [{"field": exc.field, "message": exc.message}] if exc.field else []
        problem_rows = getattr(exc, "problems", None)
        if problem_rows:
            problems = [
                {"field": f"row {row}, column {column}", "message": reason}
                for row, column, reason in problem_rows
            ]
        return error_response(request, exc.status, exc.message, problems)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = _validation_problems(exc)
        message = "; ".join(
            f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems
        )
        return error_response(request, 422, message or "Invalid input.", problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is no page at {request.url.path}."
        response = error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        response = error_response(
            request,
            500,
            "SmartPick hit an unexpected problem. Nothing you entered was stored; "
            "please try again or report the address of this page.",
        )
        # This handler runs outside the app's middleware, so it adds the headers itself.
        for key, value in SECURITY_HEADERS:
            response.headers[key.decode()] = value.decode()
        return response


class Problem(BaseModel):
    """One problem: the field it is about (None = the request as a whole) and what is wrong."""

    field: str | None
    message: str


class ErrorDetail(BaseModel):
    status: int
    message: str
    problems: list[Problem]


class ErrorBody(BaseModel):
    """Every `/api/` error: `{"error": {"status", "message", "problems": [{"field", "message"}]}}`."""

    error: ErrorDetail


API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such program (or page)."},
    413: {"model": ErrorBody, "description": "Request body too large."},
    414: {"model": ErrorBody, "description": "Query string too long."},
    422: {"model": ErrorBody, "description": "A value is out of range; the field is named."},
}
