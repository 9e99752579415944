"""Jinja2 set-up: autoescaping everywhere, and the few filters the templates share."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from smartpick.plain_text import counted
from smartpick.web import formats
from smartpick.web.results_markup import tier_mark


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


def _compiled_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between launches in Jinja's per-user temporary directory (keyed by
    each template's source, so an edit recompiles it): compiling them all takes about 0.3 s of a
    server's start, loading them 10 ms. None where no safe directory exists."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except RuntimeError:
        return None


def make_templates() -> jinja2.Environment:
    """The template environment; autoescape is on for every template (names contain & and ")."""
    directory = Path(str(resources.files("smartpick.web").joinpath("templates")))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_compiled_cache(),
    )
    env.filters.update(
        pct=formats.pct,
        share=formats.share,
        usd=formats.usd,
        value=formats.value,
        query=query_string,
        setting=formats.setting,
        count=formats.count,
        counted=counted,
        visas=formats.visas,
    )
    env.globals["tier_mark"] = lambda tier, x, y: Markup(tier_mark(tier, x, y))
    return env


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the request and the page's data (the same data as its JSON twin)."""
    env: jinja2.Environment = request.app.state.templates
    parts = env.get_template(template).generate(request=request, **context)
    # Encoded part by part: the same bytes as encoding the joined page, but most parts are ASCII
    # (copied as they are) while a page joined whole is widened to its widest character.
    return HTMLResponse(b"".join([part.encode() for part in parts]), status_code=status_code)
