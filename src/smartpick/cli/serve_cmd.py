"""`smartpick serve`: the web page on the bundled catalog (the README's main command)."""

from __future__ import annotations

from pathlib import Path

import typer


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback only by default)."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port, 1-65535."),
    user_store: Path | None = typer.Option(
        None,
        "--user-store",
        dir_okay=False,
        help="User catalog of imported facts to merge (default: under $SMARTPICK_HOME).",
    ),
) -> None:
    """Serve the SmartPick web page. Nothing you enter is stored; open the printed address."""
    import uvicorn

    from smartpick.web import WebSettings, create_app

    app = create_app(WebSettings(user_store=user_store))
    typer.echo(f"SmartPick is running at http://{host}:{port}/  (Ctrl+C to stop)")
    # No access log: query strings carry the profile, and nothing about the applicant is kept.
    uvicorn.run(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )
