"""The bundled reference tables, dated visa-policy facts included, are what the script builds."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from build_reference import main as build_reference

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_data = pytest.mark.skipif(
    not (SHARED_DATA / "reference").is_dir(), reason="../shared/data absent"
)


def _bundled(name: str) -> str:
    return resources.files("smartpick").joinpath("data", "reference", name).read_text("utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_bundled(name))))


@needs_data
def test_committed_reference_files_equal_a_fresh_copy(tmp_path: Path) -> None:
    build_reference(SHARED_DATA, tmp_path)
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert "policy/h1b_payment_2025.csv" in built
    for name in built:
        assert (tmp_path / name).read_text("utf-8") == _bundled(name), name


def test_entry_restrictions_are_dated_and_sourced() -> None:
    rows = _rows("policy/us_entry_restrictions_2025.csv")
    assert len(rows) == 19
    assert {r["restriction"] for r in rows} == {"full", "partial"}
    for r in rows:
        assert date.fromisoformat(r["effective"]) == date(2025, 6, 9)
        assert r["source_url"].startswith("https://") and len(r["iso2"]) == 2


def test_h1b_payment_facts_say_when_they_end_and_that_later_is_unknown() -> None:
    facts = {r["fact"]: r for r in _rows("policy/h1b_payment_2025.csv")}
    payment = facts["payment_usd"]
    assert payment["value"] == "100000"
    assert (payment["effective"], payment["until"]) == ("2025-09-21", "2026-09-21")
    assert "unless extended" in facts["duration"]["statement"]
    assert "not known" in facts["duration"]["statement"]
    for r in facts.values():
        date.fromisoformat(r["effective"])
        assert r["statement"] and all(
            u.startswith("https://") for u in r["source_urls"].split(" ; ")
        )
    attribution = _bundled("ATTRIBUTION.md")
    assert "policy/h1b_payment_2025.csv" in attribution and "check the current rule" in attribution
