"""The one place where the command line turns a `SmartPickError` into a message and exit code 2.

Every command group is a `CommandGroup`: its commands raise `SmartPickError` (or a subclass) and
the user sees `error: <message>` on stderr, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from smartpick.errors import SmartPickError

F = TypeVar("F", bound=Callable[..., Any])
USER_ERROR_EXIT = 2


def reports_errors(command: F) -> F:
    """Run a command; a SmartPickError becomes `error: message` and exit code 2."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SmartPickError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(code=USER_ERROR_EXIT) from None

    return run  # type: ignore[return-value]


class CommandGroup(typer.Typer):
    """A Typer app whose every command reports `SmartPickError` the same way."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(function: F) -> F:
            register(reports_errors(function))
            return function

        return decorator
