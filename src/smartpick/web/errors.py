"""One place that turns errors into a clear page (HTML) or a JSON body (`/api/`).

`SmartPickError`s carry their own user-facing message and HTTP status; validation errors name the
field and what is allowed; a malformed upload body is a 400; anything unexpected becomes a 500
page without internals (`UnexpectedErrorMiddleware`).
"""

from __future__ import annotations

import logging
import os
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from python_multipart.exceptions import FormParserError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartpick.core.profile.validation import plain_error
from smartpick.errors import SmartPickError, field_named
from smartpick.web.catalog_filters import FILTER_WORDS
from smartpick.web.deps import get_form_spec
from smartpick.web.form_fields import all_fields
from smartpick.web.rendering import render
from smartpick.web.security import BodyTooLarge

log = logging.getLogger(__name__)

# The fields an error page can name that are not the form's (the form names its own: `form_values`).
_PAGE_NAMES = {"program_id": "Program ID"}
# What the API's parameters that are neither the form's nor the catalog filters' allow.
_API_WORDS = {
    "set": "changes written key=value (e.g. step3=235), repeated or joined by |",
    "program_id": "a catalog program id (e.g. 1401200932C)",
}
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
    request: Request,
    status: int,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    *,
    title: str | None = None,
) -> Response:
    """Render one error as JSON (`{"error": {...}}`) or as the error page (`title`: its heading,
    by default the status's)."""
    problems = problems or []
    if wants_json(request):
        body = {"error": {"status": status, "message": message, "problems": problems}}
        return JSONResponse(body, status_code=status)
    context = {
        "status": status,
        "title": title or _TITLES.get(status, "Error"),
        "message": message,
        # Each problem once: a message that already starts with its field's name keeps only it.
        "problems": [
            {**p, "field": None}
            if p.get("field") and str(p["message"]).startswith(f"{p['field']}:")
            else p
            for p in problems
        ],
        # htmx swaps error responses into the panel that asked (see base.html's htmx-config).
        "fragment": request.headers.get("HX-Request") == "true",
    }
    return render(request, "error.html", context, status_code=status)


def _allowed(request: Request, name: str) -> str | None:
    """What a parameter allows, in the words of the form or the catalog filters that declare it."""
    found = all_fields(get_form_spec(request)).get(name)
    if found is not None:
        return found.allowed
    return _API_WORDS.get(name) or FILTER_WORDS.get(name, (None, None))[1]


def _validation_problems(request: Request, exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
        allowed = _allowed(request, loc[0]) if loc else None
        problems.append({"field": ".".join(loc) or None, "message": plain_error(err, allowed)})
    return problems


def _form_label(request: Request, field: str) -> str | None:
    """The profile form's label of `field` (a rule outside the form may name a profile field,
    as the fee schedule names the Match year), or None."""
    found = all_fields(get_form_spec(request)).get(field)
    return None if found is None else found.label


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(SmartPickError)
    async def smartpick_error(request: Request, exc: SmartPickError) -> Response:
        message, field = exc.message, exc.field
        if field and not wants_json(request):  # a page names the field as pages do (the API by key)
            field = _PAGE_NAMES.get(field) or _form_label(request, field) or field
            message = field_named(message, exc.field, field)
        problems = [{"field": field, "message": message}] if field else []
        problem_rows = getattr(exc, "problems", None)
        if problem_rows:
            problems = [
                {"field": f"row {row}, column {column}", "message": reason}
                for row, column, reason in problem_rows
            ]
        return error_response(request, exc.status, message, problems)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = _validation_problems(request, exc)
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

    @app.exception_handler(FormParserError)
    async def malformed_form(request: Request, exc: FormParserError) -> Response:
        # Browsers never send these; a hand-made or damaged upload body is the client's error.
        return error_response(
            request, 400, "The uploaded form could not be read (malformed multipart body)."
        )


class UnexpectedErrorMiddleware:
    """Turns an unexpected exception into the 500 page, logged once, without re-raising.

    Starlette's own last-resort handler re-raises after answering, so uvicorn logs a second
    traceback and drops the keep-alive connection; answering here keeps the connection usable
    and lets the security middleware outside add its headers (including `no-store`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except BodyTooLarge:  # the security middleware outside answers it with 413
            raise
        except Exception as exc:
            # One line, without the exception's message: it may quote what the applicant typed.
            log.error("unexpected error on %s: %s", scope["path"], _where(exc))
            if started:  # too late for an error page: end the connection
                raise
            request = Request(scope, receive)
            response = error_response(
                request,
                500,
                "SmartPick hit an unexpected problem. Nothing you entered was stored; "
                "please try again or report the address of this page.",
            )
            await response(scope, receive, send)


def _where(exc: Exception) -> str:
    """The exception's type and the innermost SmartPick frame (file:line in function)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}smartpick{os.sep}" in f.filename] or frames
    if not ours:
        return type(exc).__name__
    frame = ours[-1]
    where = frame.filename.rsplit(f"smartpick{os.sep}", 1)[-1]
    return f"{type(exc).__name__} at {where}:{frame.lineno} in {frame.name}"


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
