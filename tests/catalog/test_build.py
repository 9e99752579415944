"""The committed catalog is exactly what the build script makes from ../shared/data."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from catalog_build.pipeline import build_catalog
from catalog_build.report import dump_records, dump_report

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

needs_data = pytest.mark.skipif(not (SHARED_DATA / "raw").is_dir(), reason="../shared/data absent")


def _bundled(name: str) -> str:
    return resources.files("smartpick").joinpath("data", "catalog", name).read_text("utf-8")


@pytest.fixture(scope="module")
def fresh() -> tuple[str, str]:
    records, report = build_catalog(SHARED_DATA)
    return dump_records(records), dump_report(report)


@needs_data
def test_committed_catalog_equals_a_fresh_build(fresh: tuple[str, str]) -> None:
    records, report = fresh
    assert records == _bundled("programs.jsonl")
    assert report == _bundled("build_report.json")


@needs_data
def test_build_is_deterministic(fresh: tuple[str, str]) -> None:
    again = build_catalog(SHARED_DATA)
    assert (dump_records(again[0]), dump_report(again[1])) == fresh


def test_no_staff_contact_data_in_bundled_catalog() -> None:
    import re

    text = _bundled("programs.jsonl")
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)
    assert not re.search(r"\(\d{3}\)\s*\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b", text)
    assert "program_director" not in text and "coordinator" not in text.lower()


def test_report_counts_match_sources() -> None:
    report = json.loads(_bundled("build_report.json"))
    im = report["internal_medicine_categorical"]
    # README: FREIDA 2025 and AAMC 2021 share 525 IM programs; 163 FREIDA-only, 9 AAMC-only.
    assert im["matched_by_code"] == 525
    assert im["freida_only"] + im["matched_by_name"] == 163
    assert im["aamc_only"] + im["matched_by_name"] == 9


def test_nrmp_2020_join_agrees_with_aamc_positions() -> None:
    # An independent check of the name join: the joined 2020 quota should mostly equal the
    # positions AAMC lists for the same program in 2021.
    n = json.loads(_bundled("build_report.json"))["nrmp_2020_national"]
    assert n["programs_joined"] > 2500
    assert (
        n["joined_quota_within_1_of_aamc_2021_positions"] / n["joined_with_aamc_2021_positions"]
        > 0.85
    )


def test_a_program_freida_misplaces_keeps_the_state_of_its_code_and_no_city(catalog) -> None:
    """FREIDA 2025 puts the St Mary and St Clare program (ACGME code state 33, website in New
    Jersey) in Andover, Kansas: the catalog gives New Jersey from the code, says so, and keeps
    its city and map place unknown rather than wrong."""
    program = catalog.get("1403300539C")
    assert program.state.value == "NJ" and program.region.value == "Northeast"
    assert "place it in New Jersey" in " ".join(program.data_notes)
    assert program.city.value is None and program.latitude.value is None
    assert "ACGME code" in (program.state.source or "")
