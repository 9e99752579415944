"""Raw cells → values: CSV rows, numbers, yes/no, web addresses, comparable names."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path


def rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a CSV file (UTF-8, optional BOM) with keys and cells stripped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield {(k or "").strip(): (v or "").strip() for k, v in row.items()}


def to_float(text: str, digits: int = 1) -> float | None:
    """A number rounded to `digits` (a trailing % is fine); None for blank or NA cells."""
    text = text.strip().rstrip("%")
    if not text or text.upper() in {"NA", "N/A", "NAN"}:
        return None
    return round(float(text), digits)


def to_int(text: str) -> int | None:
    """A whole number (cells such as "12.0" included); None for blank or NA cells."""
    number = to_float(text, 3)
    return None if number is None else int(round(number))


def yes_no(text: str) -> bool | None:
    """Yes/No and True/False cells as booleans; None for anything else."""
    return {"yes": True, "true": True, "no": False, "false": False}.get(text.strip().lower())


def website(text: str) -> str | None:
    """A program web address, or None for anything that is not one (e.g. an e-mail address)."""
    text = text.strip()
    if not text or "@" in text or " " in text or "." not in text:
        return None
    return text if re.match(r"https?://", text, re.I) else "http://" + text


@cache
def normalize_name(name: str) -> str:
    """Lower-case program/institution name without punctuation, "program" or filler words."""
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    drop = {"program", "the", "of", "at", "inc", "and"}
    return " ".join(w for w in text.split() if w not in drop)
