"""Jinja2 set-up: autoescaping everywhere, and the few filters the templates share."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from smartpick.export.tables import SETTING_WORDS


def _pct(value: Any, digits: int = 0) -> str:
    """A probability in [0, 1] as a percentage; None is "unknown"."""
    if value is None:
        return "unknown"
    return f"{100 * float(value):.{digits}f}%"


def _share(value: Any) -> str:
    """A share already in percent (0-100) as text; None is "unknown"."""
    if value is None:
        return "unknown"
    return f"{float(value):.0f}%"


def _usd(value: Any) -> str:
    if value is None:
        return "unknown"
    return f"${float(value):,.0f}"


def _setting(value: Any) -> str:
    """A program setting in words; None is "unknown"."""
    if value is None:
        return "unknown"
    return SETTING_WORDS.get(str(value), str(value).replace("_", " "))


def _count(value: Any) -> str:
    """A whole number with thousands separators; None is "unknown"."""
    if value is None:
        return "unknown"
    return f"{int(value):,}"


def _visas(j1: Any, h1b: Any) -> str:
    """The visas a program states it takes, in words: "J-1 and H-1B", "J-1", "neither"..."""
    takes = [name for name, status in (("J-1", j1), ("H-1B", h1b)) if status == "yes"]
    if takes:
        return " and ".join(takes)
    if j1 is None or h1b is None:
        return "unknown"
    return "none listed" if "none_listed" in (j1, h1b) else "neither"


def _value(value: Any) -> str:
    """A catalog value as shown to a person: unknown stays unknown."""
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == "none_listed":
        return "none listed"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return value.replace("_", " ") if value.islower() else value
    return str(value)


def query_string(params: Any, **changes: Any) -> str:
    """A query string from a list of (key, value) pairs with some keys replaced."""
    pairs = [(k, v) for k, v in params if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, v) for v in value)
        else:
            pairs.append((key, value))
    return urlencode(pairs)


def make_templates() -> jinja2.Environment:
    """The template environment; autoescape is on for every template (names contain & and ")."""
    directory = Path(str(resources.files("smartpick.web").joinpath("templates")))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=_pct,
        share=_share,
        usd=_usd,
        value=_value,
        query=query_string,
        setting=_setting,
        count=_count,
        visas=_visas,
    )
    return env


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the request and the page's data (the same data as its JSON twin)."""
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)
