"""User imports: good CSV/XLSX merge on top; any bad file is rejected whole, nothing changes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import openpyxl
import pytest

from smartpick.errors import ImportRejected, NotFound
from smartpick.service.catalog import Catalog, open_catalog, program_to_dict

INOVA = "1405100435C"
ANES = "0401621040"


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_good_csv_is_merged_with_user_import_provenance(
    fresh_catalog: Catalog, tmp_path: Path
) -> None:
    f = _csv(
        tmp_path / "mine.csv",
        "program_id,min_step2ck,max_years_since_graduation,usce_required,visa_h1b,notes\n"
        f"{INOVA},235,5,yes,no,Call the coordinator in July\n"
        f"{ANES},,,no,,\n",
    )
    report = fresh_catalog.import_file(f)
    assert (report.rows, report.programs, report.facts) == (2, 2, 6)
    p = fresh_catalog.get(INOVA)
    assert p.min_step2ck.value == 235 and p.min_step2ck.source == "user import"
    assert p.max_years_since_graduation.value == 5 and p.usce_required.value is True
    assert p.notes.value == "Call the coordinator in July"
    # The bundled FREIDA value that the user overrode stays visible as a conflict.
    assert p.visa_h1b.value == "no"
    assert ("yes", "FREIDA 2025") in [(c.value, c.source) for c in p.visa_h1b.conflicts]
    assert fresh_catalog.get(ANES).usce_required.value is False
    # Search sees the override: the program no longer passes an H-1B filter.
    ids = {x.id for x in fresh_catalog.search(visa="H-1B", state="VA", limit=1000)}
    assert INOVA not in ids


def test_import_persists_in_user_store_across_opens(tmp_path: Path) -> None:
    store = tmp_path / "user.sqlite"
    open_catalog(store).import_file(
        _csv(tmp_path / "a.csv", f"program_id,min_step1\n{INOVA},220\n")
    )
    reopened = open_catalog(store)
    assert reopened.get(INOVA).min_step1.value == 220
    assert [i["file_name"] for i in reopened.imports()] == ["a.csv"]


def test_good_xlsx_with_numeric_code_missing_leading_zero(
    fresh_catalog: Catalog, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["program_id", "min_step2ck", "pct_non_us_img"])
    sheet.append([401621040, 240, 55.5])  # Excel turned 0401621040 into a number
    path = tmp_path / "mine.xlsx"
    book.save(path)
    fresh_catalog.import_file(path)
    p = fresh_catalog.get(ANES)
    assert p.min_step2ck.value == 240 and p.pct_non_us_img.value == 55.5
    assert (32.0, "AAMC Residency Explorer 2021") in [
        (c.value, c.source) for c in p.pct_non_us_img.conflicts
    ]


PRELIM = "1403511253P"


@pytest.mark.parametrize(
    ("text", "row", "column", "reason"),
    [
        (f"program_id,min_step3\n{INOVA},230\n", 1, "min_step3", "unknown column"),
        (f"program_id,min_step2ck\n{PRELIM},230\n{INOVA},999\n", 3, "min_step2ck", "out of range"),
        (f"program_id,min_step2ck\n{PRELIM},230\n{INOVA},abc\n", 3, "min_step2ck", "whole number"),
        (
            "program_id,min_step2ck\n1403511253P,230\n9999999999,230\n",
            3,
            "program_id",
            "not a program id",
        ),
        (f"program_id,min_step2ck\n{PRELIM},230\n1405100435,230\n", 3, "program_id", "has tracks"),
        (
            f"program_id,usce_required\n{PRELIM},yes\n{INOVA},maybe\n",
            3,
            "usce_required",
            "yes or no",
        ),
        (f"program_id,min_step1\n{ANES},220\n{ANES},221\n", 3, "program_id", "already given"),
        (f"program_id,min_step1\n{PRELIM},220\n{ANES},220,extra\n", 3, "", "cells"),
        ("min_step1\n220\n", 1, "program_id", "missing"),
        (
            f"program_id,pct_non_us_img\n{PRELIM},50\n{INOVA},-1\n",
            3,
            "pct_non_us_img",
            "out of range",
        ),
    ],
)
def test_bad_file_is_rejected_whole_and_nothing_changes(
    fresh_catalog: Catalog, tmp_path: Path, text: str, row: int, column: str, reason: str
) -> None:
    fresh_catalog.import_file(_csv(tmp_path / "first.csv", f"program_id,min_step1\n{ANES},215\n"))
    before = [program_to_dict(fresh_catalog.get(i)) for i in (ANES, INOVA, PRELIM)]
    with pytest.raises(ImportRejected) as err:
        fresh_catalog.import_file(_csv(tmp_path / "bad.csv", text))
    problems = err.value.problems
    assert (row, column) in [(r, c) for r, c, _ in problems], problems
    assert any(reason in why for _, _, why in problems), problems
    assert f"row {row}" in err.value.message and "nothing was imported" in err.value.message
    # The valid rows of the rejected file were not stored, and the earlier import is intact.
    assert [program_to_dict(fresh_catalog.get(i)) for i in (ANES, INOVA, PRELIM)] == before
    assert fresh_catalog.get(ANES).min_step1.value == 215
    assert len(fresh_catalog.imports()) == 1


def test_unreadable_files_are_rejected(fresh_catalog: Catalog, tmp_path: Path) -> None:
    for name, data in (("x.xlsx", b"not a zip"), ("x.txt", b"a,b"), ("x.csv", b"\xff\xfe\x00")):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ImportRejected):
            fresh_catalog.import_file(path)
    with pytest.raises(ImportRejected, match="empty"):
        fresh_catalog.import_file(_csv(tmp_path / "empty.csv", ""))
    assert fresh_catalog.imports() == []


def test_one_users_import_does_not_leak_into_another_catalog(
    catalog: Catalog, fresh_catalog: Catalog, tmp_path: Path
) -> None:
    before = catalog.get(ANES).pct_non_us_img.value
    fresh_catalog.import_file(_csv(tmp_path / "x.csv", f"program_id,pct_non_us_img\n{ANES},99\n"))
    assert fresh_catalog.get(ANES).pct_non_us_img.value == 99.0
    assert catalog.get(ANES).pct_non_us_img.value == before == 32.0
    assert ANES in {p.id for p in fresh_catalog.search(min_non_us_img_pct=95, limit=10_000)}
    assert ANES not in {p.id for p in catalog.search(min_non_us_img_pct=95, limit=10_000)}


def test_semicolon_csv_from_a_european_excel(fresh_catalog: Catalog, tmp_path: Path) -> None:
    fresh_catalog.import_file(
        _csv(tmp_path / "eu.csv", f"program_id;min_step2ck;notes\n{ANES};232;a, b\n")
    )
    p = fresh_catalog.get(ANES)
    assert p.min_step2ck.value == 232 and p.notes.value == "a, b"


def test_forget_import_restores_earlier_values(fresh_catalog: Catalog, tmp_path: Path) -> None:
    first = fresh_catalog.import_file(
        _csv(tmp_path / "1.csv", f"program_id,min_step1\n{ANES},210\n")
    )
    second = fresh_catalog.import_file(
        _csv(tmp_path / "2.csv", f"program_id,min_step1\n{ANES},225\n")
    )
    p = fresh_catalog.get(ANES)
    assert p.min_step1.value == 225 and [c.value for c in p.min_step1.conflicts] == [210]
    assert fresh_catalog.forget_import(second.import_id) == 1
    assert fresh_catalog.get(ANES).min_step1.value == 210
    assert [i["import_id"] for i in fresh_catalog.imports()] == [first.import_id]
    with pytest.raises(NotFound, match="import_id"):
        fresh_catalog.forget_import(second.import_id)


def test_import_by_another_process_is_seen_without_reopening(tmp_path: Path) -> None:
    store = tmp_path / "shared_user.sqlite"
    web_side = open_catalog(store)
    assert web_side.get(INOVA).min_step1.value is None
    open_catalog(store).import_file(
        _csv(tmp_path / "cli.csv", f"program_id,min_step1\n{INOVA},219\n")
    )
    assert web_side.get(INOVA).min_step1.value == 219
    assert web_side.count(specialty="Internal Medicine") >= 650


def test_a_store_change_is_reloaded_once_however_many_threads_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "shared_user.sqlite"
    web_side = open_catalog(store)
    loads: list[int] = []
    real_facts = web_side.user.facts

    def slow_counted_facts():  # a big store takes a while to read
        loads.append(1)
        time.sleep(0.2)
        return real_facts()

    monkeypatch.setattr(web_side.user, "facts", slow_counted_facts)
    open_catalog(store).import_file(
        _csv(tmp_path / "cli.csv", f"program_id,min_step1\n{INOVA},219\n")
    )
    seen: list[int | None] = []
    threads = [
        threading.Thread(target=lambda: seen.append(web_side.get(INOVA).min_step1.value))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [219] * 8 and len(loads) == 1
