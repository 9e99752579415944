"""Shared per-app resources for the routes: the catalog (opened once) and the form description."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Request

from smartpick.service.catalog import open_catalog
from smartpick.web.form_fields import FieldGroup
from smartpick.web.profile_form import build_form_spec

_lock = threading.Lock()


def get_catalog(request: Request) -> Any:
    """The app's catalog, opened on first use with the settings' catalog path."""
    state = request.app.state
    catalog = getattr(state, "catalog", None)
    if catalog is None:
        with _lock:
            catalog = getattr(state, "catalog", None)
            if catalog is None:
                catalog = open_catalog(state.settings.user_store)
                state.catalog = catalog
    return catalog


def specialty_names(request: Request) -> list[str]:
    """Specialty names from the catalog, sorted."""
    return sorted(get_catalog(request).specialties())


def get_form_spec(request: Request) -> tuple[FieldGroup, ...]:
    """The profile form for this app (specialties from its catalog)."""
    spec = getattr(request.app.state, "form_spec", None)
    if spec is None:
        spec = build_form_spec(specialty_names(request))
        request.app.state.form_spec = spec
    return spec
