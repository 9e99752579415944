"""Reading the package's bundled data files (reference tables, the fitted model), one way."""

from __future__ import annotations

import csv
import io
from importlib import resources

from smartpick.errors import DataUnavailable


def bundled_text(*path: str) -> str:
    """The text of `smartpick/data/<path...>`; DataUnavailable names the file when it is missing."""
    try:
        return resources.files("smartpick").joinpath("data", *path).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:  # a broken install
        raise DataUnavailable(
            f"The bundled file data/{'/'.join(path)} is missing: reinstall SmartPick, or rebuild "
            "it with the scripts in scripts/."
        ) from exc


def bundled_rows(*path: str) -> list[dict[str, str]]:
    """The rows of a bundled CSV table."""
    return list(csv.DictReader(io.StringIO(bundled_text(*path))))
