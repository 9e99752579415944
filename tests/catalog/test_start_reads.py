"""What every start reads from the catalog, read faster: the records (equal to a plain,
field-by-field reading) and the bundled file's digest and ids (once a process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from smartpick.catalog import store
from smartpick.catalog.records import _UNKNOWN, FACT_FIELDS, fact_from, overlay, program_from
from smartpick.catalog.store import bundled_text
from smartpick.core.programs import Program
from smartpick.service.catalog import Catalog


def _plain_program(record: dict[str, Any], user: dict[str, list[tuple[Any, int]]]) -> Program:
    """Every fact field read one by one (what `program_from` did before it was made faster)."""
    facts, conflicts = record["f"], record["c"]
    values = {}
    for name in FACT_FIELDS:
        if name in facts or name in conflicts:
            base = fact_from(facts.get(name), conflicts.get(name))
        else:
            base = _UNKNOWN
        values[name] = overlay(base, user[name]) if name in user else base
    built = program_from({**record, "f": {}, "c": {}}, {})
    return Program(**{**built.__dict__, **values})


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    return bundled_text().splitlines()


def test_records_parse_as_with_the_standard_library(lines: list[bytes]) -> None:
    # orjson refuses NaN and Infinity, which json.dumps would write: the catalog must hold none.
    assert all(orjson.loads(line) == json.loads(line) for line in lines)


@pytest.mark.parametrize(
    "user",
    [
        {},
        {
            "visa_h1b": [("no", 2026)],
            "notes": [("new", 2026), ("old", 2025)],
            "state": [("TX", 2026)],
        },
        {"min_step2ck": [(230, 2026)], "visa_j1": [("yes", 2026), ("no", 2025)]},
    ],
)
def test_program_from_equals_a_field_by_field_reading(
    lines: list[bytes], user: dict[str, list[tuple[Any, int]]]
) -> None:
    records = [orjson.loads(line) for line in lines]
    assert any(r["c"] for r in records)  # conflicts are exercised
    for record in records:
        fast, plain = program_from(record, user), _plain_program(record, user)
        assert fast == plain and repr(fast) == repr(plain), record["program_id"]


def test_a_second_catalog_neither_reads_nor_hashes_the_bundled_file(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server worker opens its own catalog on its first page, after the preload opened one.
    def unread() -> bytes:
        raise AssertionError("the bundled catalog was read again")

    monkeypatch.setattr(store, "bundled_text", unread)
    again = Catalog(tmp_path / "user.sqlite")
    assert again.index.digest == catalog.index.digest
    assert again.get("0400121010") == catalog.get("0400121010")
    assert again.count() == catalog.count() > 5000
