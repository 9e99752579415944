"""The README and the docs say what the code does: the library example runs, the command table
matches the CLI's `--format` choices, and figures quoted from the catalog build report match it."""

from __future__ import annotations

import doctest
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import typer

from smartpick.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (Typer may bring its own click)
            out.update(_commands(command, f"{prefix}{name} "))
        else:
            out[prefix + name] = command
    return out


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


def _formats(command: Any) -> tuple[str, ...]:
    for param in command.params:
        if "--format" in getattr(param, "opts", ()):
            choices = param.type_descriptor.annotation  # the command's format enum
            return tuple(str(c.value) for c in choices)
    return ()


def test_the_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "the README has no Python example"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(verbose=False)
    for n, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README block {n}", "README.md", 0)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_readme_format_table_matches_the_cli() -> None:
    table = re.search(r"\| command \| `--format` \|\n\|---\|---\|\n((?:\|.*\|\n)+)", README)
    assert table, "the README's command table is missing"
    claimed: dict[str, tuple[str, ...]] = {}
    for row in table.group(1).splitlines():
        names, formats = (cell.strip() for cell in row.strip("|").split("|"))
        choices = () if formats == "none" else tuple(f.strip() for f in formats.split(","))
        for name in re.findall(r"`([^`]+)`", names):
            claimed[name] = choices
    assert set(claimed) == set(COMMANDS), set(claimed) ^ set(COMMANDS)
    for name, choices in claimed.items():
        assert _formats(COMMANDS[name]) == choices, name


def test_every_command_the_readme_shows_exists() -> None:
    shown = re.findall(r"^smartpick ([a-z]+(?: [a-z]+)?)", README, flags=re.M)
    assert shown
    for line in shown:
        words = line.split()
        assert line in COMMANDS or words[0] in COMMANDS, line


def test_docs_quote_the_build_report() -> None:
    report = json.loads(
        resources.files("smartpick")
        .joinpath("data", "catalog", "build_report.json")
        .read_text("utf-8")
    )
    dropped, programs = report["coordinates_dropped_outside_state"], report["programs"]
    web = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    assert f"({dropped} of {programs:,} programs" in web
    catalog = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert f"({dropped} programs; state boxes" in catalog
