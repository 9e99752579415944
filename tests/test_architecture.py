"""The core domain imports no web, CLI, database or service code: faces call the core."""

from __future__ import annotations

import ast
from pathlib import Path

import smartpick

CORE = Path(smartpick.__file__).parent / "core"
FORBIDDEN = (
    "smartpick.web",
    "smartpick.cli",
    "smartpick.catalog",
    "smartpick.service",
    "sqlite3",
    "fastapi",
    "typer",
    "starlette",
    "jinja2",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_faces_or_storage() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in CORE.rglob("*.py")
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders, sorted(offenders)
