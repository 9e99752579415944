"""The one place where the command line turns a `SmartPickError` into a message and exit code 2.

Every command group is a `CommandGroup`: its commands raise `SmartPickError` (or a subclass) and
the user sees `error: <message>` on stderr, never a traceback. A message about a value the
command took as an option names that option (`--budget`, not the service's `budget_usd`); one
about a profile's own field (in a profile file, or a what-if's `--set KEY=...`) keeps its key.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from smartpick.core.profile.validation import ProfileInvalid
from smartpick.errors import SmartPickError, field_named

F = TypeVar("F", bound=Callable[..., Any])
USER_ERROR_EXIT = 2
# The option of a value the services name otherwise; any other field `x_y` is option `--x-y`.
OPTION_OF = {
    "budget_usd": "--budget",
    "match_value_usd": "--match-value",
    "must_include": "--include",
    "states": "--state",
    "exclude_states": "--exclude-state",
    "regions": "--region",
    "settings": "--setting",
    "tracks": "--track",
    "preferences": "--prefer",
    "specialties": "--specialty",
    "profile_file": "--profile",
    "min_non_us_img_pct": "--min-non-us-img",
    "min_nonus_img_interview_pct": "--min-nonus-img-interview",
}


def _options(command: Callable[..., Any]) -> frozenset[str]:
    """The long options a command takes (an option declared without names is its parameter's)."""
    out: set[str] = set()
    for parameter in inspect.signature(command).parameters.values():
        if isinstance(parameter.default, typer.models.OptionInfo):
            names = parameter.default.param_decls or ("--" + parameter.name.replace("_", "-"),)
            out.update(name for name in names if name.startswith("--"))
    return frozenset(out)


def option_message(exc: SmartPickError, options: frozenset[str]) -> str:
    """The error's message naming its field by the command's option for it, when it takes one."""
    if exc.field is None or isinstance(exc, ProfileInvalid):
        return exc.message
    root = exc.field.split(".")[0]
    option = OPTION_OF.get(root, "--" + root.replace("_", "-"))
    return field_named(exc.message, exc.field, option) if option in options else exc.message


def reports_errors(command: F) -> F:
    """Run a command; a SmartPickError becomes `error: message` and exit code 2."""
    options = _options(command)

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SmartPickError as exc:
            typer.echo(f"error: {option_message(exc, options)}", err=True)
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
