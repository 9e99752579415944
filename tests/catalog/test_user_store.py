"""The user store: only SmartPick's own SQLite file, clear errors when damaged, patient when busy."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartpick.catalog import sqlite_guard
from smartpick.catalog.sqlite_guard import APPLICATION_ID, StoreUnavailable
from smartpick.catalog.store import UserStore
from smartpick.service.catalog import open_catalog
from smartpick.web import WebSettings, create_app

ANES = "0401621040"
WHEN = datetime(2026, 1, 5, 12, 0).astimezone()
SMARTPICK = str(Path(sys.executable).parent / "smartpick")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(20_000))
    return path


def _foreign_db(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 99.5)")
    conn.close()
    return path


def test_new_store_is_marked_as_smartpicks(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "new" / "user.sqlite")
    assert store.facts() == {} and not store.path.exists()  # reading never creates the file
    store.save_import("a.csv", 1, [(ANES, "min_step1", 220)], WHEN)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    assert store.facts() == {ANES: {"min_step1": [(220, 2026)]}}


@pytest.mark.parametrize("make", [_random_bytes, _foreign_db], ids=["not_sqlite", "foreign"])
def test_damaged_or_foreign_file_is_refused_and_left_untouched(tmp_path: Path, make) -> None:
    path = make(tmp_path / "other.sqlite")
    before = _digest(path)
    store = UserStore(path)
    for action in (
        store.facts,
        store.imports,
        store.check,
        lambda: store.save_import("a.csv", 1, [(ANES, "min_step1", 220)], WHEN),
        lambda: store.forget_import(1),
    ):
        with pytest.raises(StoreUnavailable, match="SmartPick keeps your imported facts"):
            action()
    assert _digest(path) == before  # no SmartPick table was added to someone else's file


def test_store_made_before_the_mark_is_still_read_and_marked_on_write(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # the schema as SmartPick created it before
        conn.executescript(
            "CREATE TABLE imports (import_id INTEGER PRIMARY KEY, file_name TEXT NOT NULL,"
            " imported_at TEXT NOT NULL, rows INTEGER NOT NULL);"
            "CREATE TABLE user_facts (program_id TEXT NOT NULL, field TEXT NOT NULL,"
            " value TEXT NOT NULL, import_id INTEGER NOT NULL REFERENCES imports (import_id),"
            " year INTEGER NOT NULL, PRIMARY KEY (program_id, field, import_id));"
            "INSERT INTO imports VALUES (1, 'old.csv', '2025-01-01T00:00:00', 1);"
            f"INSERT INTO user_facts VALUES ('{ANES}', 'min_step1', '210', 1, 2025);"
        )
    conn.close()
    store = UserStore(path)
    assert store.facts() == {ANES: {"min_step1": [(210, 2025)]}}
    store.save_import("new.csv", 1, [(ANES, "min_step1", 220)], WHEN)
    assert [i["file_name"] for i in store.imports()] == ["old.csv", "new.csv"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_a_write_waits_for_another_writer_then_succeeds(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "user.sqlite")
    store.save_import("a.csv", 1, [(ANES, "min_step1", 220)], WHEN)
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long import
    timer = threading.Timer(1.0, lambda: blocker.execute("COMMIT"))
    timer.start()
    try:
        store.save_import("b.csv", 1, [(ANES, "min_step1", 225)], WHEN)
    finally:
        timer.join()
        blocker.close()
    assert [i["file_name"] for i in store.imports()] == ["a.csv", "b.csv"]


def test_a_store_locked_too_long_gives_a_clear_busy_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_guard, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(sqlite_guard, "BUSY_DEADLINE_S", 0.5)
    store = UserStore(tmp_path / "user.sqlite")
    store.save_import("a.csv", 1, [(ANES, "min_step1", 220)], WHEN)
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="is busy.*Nothing was changed; try again"):
            store.save_import("b.csv", 1, [(ANES, "min_step1", 225)], WHEN)
        with pytest.raises(StoreUnavailable, match="is busy"):
            store.forget_import(1)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert [i["file_name"] for i in store.imports()] == ["a.csv"]


def test_many_concurrent_imports_and_forgets_all_finish(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    errors: list[BaseException] = []

    def work(k: int) -> None:
        store = UserStore(path)  # its own connections, as a separate process would have
        try:
            for n in range(5):
                import_id = store.save_import(f"{k}-{n}.csv", 1, [(ANES, "notes", "x")], WHEN)
                store.facts()
                if n % 2:
                    assert store.forget_import(import_id) == 1
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 12 * 3
    conn.close()


def test_web_pages_show_a_clear_error_for_a_damaged_store(tmp_path: Path) -> None:
    path = _random_bytes(tmp_path / "bad.sqlite")
    client = TestClient(create_app(WebSettings(user_store=path)), base_url="http://127.0.0.1")
    for url in ("/programs", f"/programs/{ANES}", "/"):
        page = client.get(url)
        assert page.status_code == 503, url
        assert "damaged or is not a SQLite database" in page.text
        assert "Traceback" not in page.text
    api = client.get("/api/programs")
    assert api.status_code == 503 and "damaged" in api.json()["error"]["message"]


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMARTPICK_HOME": str(home)}
    return subprocess.run(
        [SMARTPICK, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_gives_a_message_and_exit_2_for_a_damaged_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _random_bytes(home / "user_catalog.sqlite")
    done = _cli(home, "catalog", "imports")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and "damaged" in done.stderr
    assert "Traceback" not in done.stderr
    served = _cli(home, "serve", "--port", "1", "--user-store", str(_foreign_db(tmp_path / "f.db")))
    assert served.returncode == 2 and "another program's SQLite database" in served.stderr


def test_open_catalog_over_a_foreign_file_raises_the_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="another program's"):
        open_catalog(_foreign_db(tmp_path / "f.db"))


def test_reading_waits_out_a_short_write(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "user.sqlite")
    store.save_import("a.csv", 1, [(ANES, "min_step1", 220)], WHEN)
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    timer = threading.Timer(0.5, lambda: blocker.execute("COMMIT"))
    timer.start()
    try:
        assert store.facts() == {ANES: {"min_step1": [(220, 2026)]}}
    finally:
        timer.join()
        blocker.close()
    assert time.monotonic() - started >= 0.4
