"""The SmartPick web application: `create_app(settings)` wires pages, JSON twins and safety.

Every HTML page has a JSON twin under `/api/` built by the same function from the same data
(datasette's pattern). Nothing about the applicant is stored: the profile travels in the URL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from smartpick import __version__
from smartpick.core.specialties import SPECIALTIES
from smartpick.web import errors
from smartpick.web.compression import RemoteCompression
from smartpick.web.profile_form import build_form_spec
from smartpick.web.query_models import profile_query_model, whatif_query_model
from smartpick.web.rendering import make_templates
from smartpick.web.routes import catalog_pages, exports, home, results
from smartpick.web.security import LOOPBACK_HOSTS, SecurityMiddleware
from smartpick.web.workload import (
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_MAX_QUEUED,
    ExpensiveWorkLimiter,
    default_limit,
)


@dataclass(frozen=True)
class WebSettings:
    """Settings for one app instance, built by `smartpick serve` or a test, never at import time.

    `user_store`: the user catalog (imported facts) merged on the bundled one; None = the default
    store under $SMARTPICK_HOME.
    `max_body_bytes` / `max_query_bytes`: request size limits (413 / 414 beyond them).
    `allowed_hosts`: host names the server answers to (any other Host header gets 400).
    `max_concurrent_computations`: results/what-if/plan/export requests computing at once (the
    others wait their turn); bounds the server's memory. `max_queued_computations`: how many
    may wait (503 with Retry-After beyond). `computation_deadline_seconds`: a computation running
    longer is stopped with 503 (None: no deadline).
    """

    user_store: Path | None = None
    max_body_bytes: int = 64 * 1024
    max_query_bytes: int = 8 * 1024
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    max_concurrent_computations: int = field(default_factory=default_limit)
    max_queued_computations: int = DEFAULT_MAX_QUEUED
    computation_deadline_seconds: float | None = DEFAULT_DEADLINE_SECONDS


USER_STORE_ENV = "SMARTPICK_WEB_USER_STORE"
ALLOWED_HOSTS_ENV = "SMARTPICK_WEB_ALLOWED_HOSTS"


def app_from_environment() -> FastAPI:
    """The app for `smartpick serve --workers N` (uvicorn's factory in each worker process)."""
    store = os.environ.get(USER_STORE_ENV)
    hosts = os.environ.get(ALLOWED_HOSTS_ENV)
    return create_app(
        WebSettings(
            user_store=Path(store) if store else None,
            allowed_hosts=tuple(hosts.split(",")) if hosts else LOOPBACK_HOSTS,
        )
    )


def preload(app: FastAPI) -> None:
    """Load what no applicant changes before the first request: the fitted model, the
    precomputed calibration curves (and the "where you stand" rows of IM and FM), for the
    specialties with 2026 program data (IM, FM) the catalog's programs and their side of the
    model for a non-US IMG, every page template compiled, and the map's state outlines. Leaves
    no file open (the catalog used here is closed again; each process opens its own on first
    use), so workers may be forked after it and share all of it."""
    # LAYERED: the specialties `warm_up` covers (those with 2026 program data)
    from smartpick.service.assess import LAYERED, fitted_model, warm_up
    from smartpick.service.calibration import shipped_curves, stored_calibration_report
    from smartpick.service.catalog import Catalog, default_user_store
    from smartpick.web.geo import state_boxes, states_svg

    fitted_model()
    shipped_curves()
    catalog = Catalog(app.state.settings.user_store or default_user_store())
    warm_up(catalog)  # its programs are shared by every later catalog of the process
    catalog.close()  # before any fork
    for specialty in LAYERED:
        app.state.calibration_rows.setdefault(specialty, stored_calibration_report(specialty))
    templates = app.state.templates
    for name in templates.list_templates():
        templates.get_template(name)  # compiled once here, not once per worker
    states_svg()
    state_boxes()


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the FastAPI app: routes, static files, error pages and security headers."""
    settings = settings or WebSettings()
    app = FastAPI(
        title="SmartPick",
        summary="Which US residency programs an international medical graduate should apply to.",
        description=(
            "JSON twins of every SmartPick page. The applicant profile is passed as query "
            "parameters and never stored. Independent of NRMP and AAMC."
        ),
        version=__version__,
        docs_url=None,  # Swagger UI loads from a CDN; the page must make no outside request
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.calibration_rows = {}  # specialty -> calibration report rows (no applicant data)
    static_dir = Path(str(resources.files("smartpick.web").joinpath("static")))
    for module in (home, catalog_pages, results, exports):
        app.include_router(module.router)
    # after the routes: one of them answers under /static/ too (the map's outlines)
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    # The API's query models document the form's fields (specialty names from the core's list).
    profile_model = profile_query_model(build_form_spec([s.name for s in SPECIALTIES]))
    app.include_router(results.api_router(profile_model, whatif_query_model(profile_model)))
    errors.install(app)
    app.add_middleware(errors.UnexpectedErrorMiddleware)  # inside: its 500 gets the headers
    app.add_middleware(
        ExpensiveWorkLimiter,
        limit=settings.max_concurrent_computations,
        max_queued=settings.max_queued_computations,
        deadline_seconds=settings.computation_deadline_seconds,
    )
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_query_bytes=settings.max_query_bytes,
        allowed_hosts=settings.allowed_hosts,
    )
    app.add_middleware(RemoteCompression)  # outermost: it compresses the finished answer
    return app
