"""The `smartpick` command line: a thin layer over `smartpick.service`.

Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

from smartpick.cli.errors import CommandGroup

app = CommandGroup(
    name="smartpick",
    help="SmartPick: which US residency programs to apply to (for IMGs). Independent of NRMP/AAMC.",
    no_args_is_help=True,
    add_completion=False,
)

from smartpick.cli import catalog_cmd  # noqa: E402

catalog_cmd.register(app)

from smartpick.cli import serve_cmd  # noqa: E402

app.command("serve")(serve_cmd.serve)

from smartpick.cli import list_cmd  # noqa: E402

app.command("recommend")(list_cmd.recommend)

from smartpick.cli import model_cmd  # noqa: E402

model_cmd.register(app)

from smartpick.cli import advise_cmd  # noqa: E402

advise_cmd.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
