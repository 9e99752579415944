"""The layers, checked: each package imports only what its floor may see.

errors -> core -> catalog -> service -> faces (web, cli, export). The core imports no face,
database or service; faces reach the computation through services and read only the core's types,
reference tables and the profile boundary; export reads only core types (and how the plan's
figures are written); no web route imports
another; nothing imports the tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import smartpick

PACKAGE = Path(smartpick.__file__).parent
# The ground floor: modules that import nothing of smartpick, so every layer may use them.
BASE = ("smartpick.errors", "smartpick.plain_text")
THIRD_PARTY_FACES = ("fastapi", "starlette", "jinja2", "typer", "rich", "uvicorn", "sqlite3")
# What a face may read from the core: types, reference tables, the season and the profile boundary.
FACE_CORE = (
    "smartpick.core.profile",
    "smartpick.core.plan.types",
    "smartpick.core.plan.figures",  # how every face writes the plan's figures (no computation)
    "smartpick.core.programs",
    "smartpick.core.specialties",
    "smartpick.core.geography",
    "smartpick.core.lists.fees",
    "smartpick.core.lists.request",
    "smartpick.core.lists.result",
    "smartpick.core.chances.estimate",
    "smartpick.core.chances.results",
    "smartpick.core.rules.season",
    "smartpick.core.rules.usmle",
    "smartpick.core.cancellation",  # the web sets the stop signal that the core's loops check
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _offenders(package: str, allowed: tuple[str, ...], forbidden: tuple[str, ...] = ()) -> set[str]:
    """Imports of smartpick modules outside `allowed`, or of `forbidden` libraries."""
    out = set()
    for path in (PACKAGE / package).rglob("*.py"):
        for name in _imports(path):
            inside = name.startswith("smartpick.")  # the bare package gives only __version__
            if (inside and not name.startswith(allowed)) or name.startswith(forbidden):
                out.add(f"{path.relative_to(PACKAGE)}: {name}")
    return out


def test_the_ground_floor_imports_nothing_of_smartpick() -> None:
    for module in BASE:
        path = PACKAGE / (module.removeprefix("smartpick.") + ".py")
        assert "smartpick" not in " ".join(_imports(path)), module


def test_core_imports_only_core() -> None:
    offenders = _offenders("core", ("smartpick.core", *BASE), THIRD_PARTY_FACES)
    assert not offenders, sorted(offenders)


def test_catalog_imports_core_and_catalog_only() -> None:
    allowed = ("smartpick.core", "smartpick.catalog", *BASE)
    offenders = _offenders("catalog", allowed, ("fastapi", "typer", "jinja2"))
    assert not offenders, sorted(offenders)


def test_services_import_no_face() -> None:
    allowed = ("smartpick.core", "smartpick.catalog", "smartpick.service", *BASE)
    offenders = _offenders("service", allowed, THIRD_PARTY_FACES[:-1])
    assert not offenders, sorted(offenders)


def test_export_reads_only_core_types() -> None:
    # the plan's types and figures, and the list's (which the plan's hold: its rows and their
    # one rules)
    types = (
        "smartpick.core.plan.types",
        "smartpick.core.plan.figures",
        "smartpick.core.lists.result",
    )
    offenders = _offenders("export", (*types, "smartpick.export", *BASE))
    assert not offenders, sorted(offenders)


def test_faces_reach_computation_through_services() -> None:
    web = ("smartpick.web", "smartpick.service", "smartpick.export", *BASE)
    assert not (offenders := _offenders("web", (*web, *FACE_CORE))), sorted(offenders)
    cli = ("smartpick.cli", "smartpick.service", "smartpick.export", *BASE)
    offenders = {
        o
        for o in _offenders("cli", (*cli, *FACE_CORE))
        if not o.startswith("cli/serve_cmd.py: smartpick.web")
    }
    assert not offenders, sorted(offenders)


def test_no_route_imports_another() -> None:
    routes = PACKAGE / "web" / "routes"
    offenders = {
        f"{path.name}: {name}"
        for path in routes.glob("*.py")
        for name in _imports(path)
        if name.startswith("smartpick.web.routes")
    }
    assert not offenders, sorted(offenders)


def test_nothing_imports_the_tests() -> None:
    root = PACKAGE.parents[1]
    for folder in (PACKAGE, root / "bench", root / "scripts"):
        for path in folder.rglob("*.py"):
            assert not any(n.startswith("tests") for n in _imports(path)), path
