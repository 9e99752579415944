"""`smartpick serve`: the web page on the bundled catalog (the README's main command)."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import typer

# Listening on every address names no host a browser would use: those need --allowed-host.
_WILDCARDS = {"0.0.0.0", "::", ""}


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback only by default)."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port, 1-65535."),
    workers: int = typer.Option(
        min(os.cpu_count() or 1, 16),
        "--workers",
        min=1,
        max=16,
        help="Worker processes (1-16; default: one per CPU core, as the model is CPU-bound).",
        show_default="CPU count",
    ),
    user_store: Path | None = typer.Option(
        None,
        "--user-store",
        dir_okay=False,
        help="User catalog of imported facts to merge (default: under $SMARTPICK_HOME).",
    ),
    allowed_host: list[str] = typer.Option(
        [],
        "--allowed-host",
        help="A host name the server answers to, besides 127.0.0.1, localhost, ::1 and --host "
        "(repeat for several; e.g. the name of a shared server). Other Host headers get 400.",
    ),
) -> None:
    """Serve the SmartPick web page. Nothing you entered is stored; open the printed address."""
    # The start allocates a lot and frees almost nothing: the cyclic collector would spend a
    # third of a second scanning it (see `_warm`).
    gc.disable()
    import uvicorn

    from smartpick.service.catalog import check_user_store
    from smartpick.web.app import WebSettings, create_app
    from smartpick.web.workload import default_limit

    hosts = _allowed_hosts(host, allowed_host)
    # A damaged or foreign store file is refused now (exit 2), not on every page later.
    check_user_store(user_store)
    typer.echo(f"SmartPick is running at http://{host}:{port}/  (Ctrl+C to stop)")
    if host in _WILDCARDS and not allowed_host:
        typer.echo(
            "Listening on every address, but answering only to loopback names: add "
            "--allowed-host NAME for the name other computers use to reach this one.",
            err=True,
        )
    # No access log: query strings carry the profile, and nothing about the applicant is kept.
    quiet: dict[str, Any] = {"log_level": "warning", "access_log": False, "server_header": False}
    settings = WebSettings(
        user_store=user_store,
        allowed_hosts=hosts,
        max_concurrent_computations=default_limit(workers),
    )
    app = create_app(settings)
    if workers == 1:
        _collect_for_serving()
        uvicorn.run(app, host=host, port=port, **quiet)
        return
    from smartpick.web.prefork import serve_forked

    # One process loads the app and what no applicant changes, then forks the workers.
    serve_forked(app, host=host, port=port, workers=workers, warm=lambda: _warm(app), **quiet)


def _warm(app: Any) -> None:
    """The preload, then the collector back on for the workers. What the start built stays
    (about a thousand cyclic objects are garbage, measured): it is moved out of the collector's
    reach (`gc.freeze`), so no worker scans it or writes to its shared pages."""
    from smartpick.web.app import preload

    preload(app)
    gc.freeze()
    _collect_for_serving()


def _collect_for_serving() -> None:
    """The cyclic collector on, with a young generation of 10,000 objects instead of 700: a
    results page allocates tens of thousands of short-lived objects and few cycles. Measured on
    the 12 load-test pages in one process: the default ran 3.9 collections a page (2.1 ms of CPU),
    this one 0.1 (0.7 ms) for 8 MB more peak memory; 50,000 held 72 MB more (garbage cycles
    that hold arrays wait longer)."""
    gc.set_threshold(10_000, 20, 20)
    gc.enable()


def _allowed_hosts(host: str, extra: list[str]) -> tuple[str, ...]:
    """Loopback names, plus --host (unless it is a wildcard) and every --allowed-host."""
    import ipaddress
    import re

    from smartpick.web.security import LOOPBACK_HOSTS, normalize_host

    names = list(LOOPBACK_HOSTS)
    for value in ([host] if host not in _WILDCARDS else []) + extra:
        name = normalize_host(value)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            if not re.fullmatch(
                r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*", name
            ):
                raise typer.BadParameter(
                    f"{value!r} is not a host name or address (no scheme, path or port)",
                    param_hint="--allowed-host",
                ) from None
        names.append(name)
    return tuple(dict.fromkeys(names))
