"""The CLI's profile options come from the profile model: help, range and error agree with it."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.cli.profile_options import key_help
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.numbers import allowed_range
from smartpick.core.profile.validation import field_bounds
from smartpick.testing import EXAMPLES

# Every CLI option that stands in for a profile field or a list option, and its key.
PROFILE_FLAGS = {"--budget": "budget_usd", "--count": "count", "--specialty": "specialties"}


def _options() -> list[tuple[str, Any]]:
    """(command, option) for every option of every command that reads a profile file (Typer's
    click, duck-typed); elsewhere `--specialty` is a catalog filter, not a profile field."""
    root: Any = typer.main.get_command(app)
    out = []
    stack: list[tuple[str, Any]] = list(root.commands.items())
    while stack:
        name, command = stack.pop()
        stack += [(f"{name} {n}", c) for n, c in getattr(command, "commands", {}).items()]
        options = [p for p in command.params if getattr(p, "opts", None)]
        if any("--profile" in p.opts for p in options):
            out += [(name, p) for p in options]
    return out


def test_every_profile_option_is_generated_from_the_model() -> None:
    seen = set()
    for command, option in _options():
        for flag in option.opts:
            if flag in PROFILE_FLAGS:
                seen.add(command)
                text = key_help(PROFILE_FLAGS[flag], "")
                assert option.help is not None
                assert option.help.startswith(text.split(" (default:")[0]), (command, flag)
    assert {"recommend", "advise", "whatif", "chances"} <= seen


def test_budget_help_range_and_error_say_the_same() -> None:
    info = ApplicantProfile.model_fields["budget_usd"]
    allowed = allowed_range(*field_bounds(info), whole=False)
    assert info.description is not None
    runner = CliRunner()
    help_text = runner.invoke(app, ["recommend", "--help"]).output
    shown = " ".join(w for w in help_text.split() if w != "│")  # Rich's box, wrapped
    assert info.description.rstrip(".") in shown
    assert allowed in shown
    profile = str(EXAMPLES / "average-img.toml")
    failed = runner.invoke(app, ["recommend", "-p", profile, "--budget", "-5"])
    assert failed.exit_code != 0
    assert allowed in failed.output and "--budget" in failed.output  # the option the user typed
