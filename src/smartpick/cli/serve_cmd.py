"""`smartpick serve`: the web page on the bundled catalog (the README's main command)."""

from __future__ import annotations

from pathlib import Path

import typer


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback only by default)."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port, 1-65535."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=16, help="Worker processes (1-16); the model is CPU-bound."
    ),
    user_store: Path | None = typer.Option(
        None,
        "--user-store",
        dir_okay=False,
        help="User catalog of imported facts to merge (default: under $SMARTPICK_HOME).",
    ),
) -> None:
    """Serve the SmartPick web page. Nothing you enter is stored; open the printed address."""
    import os

    import uvicorn

    from smartpick.catalog.store import UserStore
    from smartpick.service.catalog import default_user_store
    from smartpick.web.app import USER_STORE_ENV, WebSettings, create_app

    # A damaged or foreign store file is refused now (exit 2), not on every page later.
    UserStore(user_store or default_user_store()).check()
    typer.echo(f"SmartPick is running at http://{host}:{port}/  (Ctrl+C to stop)")
    # No access log: query strings carry the profile, and nothing about the applicant is kept.
    options = {"log_level": "warning", "access_log": False, "server_header": False}
    if workers == 1:
        app = create_app(WebSettings(user_store=user_store))
        uvicorn.run(app, host=host, port=port, **options)
        return
    # Worker processes import the app themselves; the settings travel in the environment.
    if user_store is not None:
        os.environ[USER_STORE_ENV] = str(user_store)
    uvicorn.run(
        "smartpick.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **options,
    )
