"""Run work on the user's SQLite store safely: SmartPick's own file only, and patient when busy.

- Identity: SmartPick marks its store with `PRAGMA application_id`. A file that is not SQLite, is
  damaged, or is another program's database is refused with a clear message; SmartPick never
  adds its tables to someone else's file. A store made before the mark existed (exactly
  SmartPick's two tables, no mark) is accepted and marked on its next write.
- Contention: writes take the write lock up front (`BEGIN IMMEDIATE`), SQLite waits up to
  BUSY_TIMEOUT_S for a lock, and the whole unit of work is retried with backoff until
  BUSY_DEADLINE_S; then the user gets "busy, try again", never a "database is locked" traceback.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from smartpick.errors import SmartPickError

APPLICATION_ID = 0x534D504B  # "SMPK"
BUSY_TIMEOUT_S = 5.0
BUSY_DEADLINE_S = 30.0
# The tables (and SQLite's own index for the primary key) of a store made before the mark.
_UNMARKED_SMARTPICK = {"imports", "user_facts", "sqlite_autoindex_user_facts_1"}

T = TypeVar("T")


class StoreUnavailable(SmartPickError):
    """The user store cannot be used: damaged, not SmartPick's, or busy for too long."""

    status = 503


def _refuse(path: Path, why: str) -> StoreUnavailable:
    return StoreUnavailable(
        f"{path} {why}. SmartPick keeps your imported facts in its own SQLite file and will not "
        "change another one: move the file away, or choose another file (`smartpick serve "
        "--user-store FILE`, or the SMARTPICK_HOME folder)."
    )


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _check_identity(conn: sqlite3.Connection, path: Path, schema: str, write: bool) -> bool:
    """Whether the store holds SmartPick's tables; creates them in a new, empty file on a write."""
    (app_id,) = conn.execute("PRAGMA application_id").fetchone()
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if app_id == APPLICATION_ID:
        return True
    if app_id != 0 or (names and names != _UNMARKED_SMARTPICK):
        raise _refuse(path, "is another program's SQLite database, not a SmartPick store")
    if write:  # inside the caller's write transaction: mark a new or unmarked store as ours
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if not names:  # one statement at a time: executescript would commit the transaction
            for statement in schema.split(";"):
                if statement.strip():
                    conn.execute(statement)
        return True
    return bool(names)


def read_store(path: Path, work: Callable[[sqlite3.Connection], T], empty: T) -> T:
    """Run `work` in one read transaction; `empty` when the file holds no SmartPick tables yet.

    Raises StoreUnavailable when the file is not a usable SmartPick store or stays busy.
    """

    def attempt() -> T:
        # Read-write mode: never creates the file, but can roll back a crashed write's journal.
        uri = f"{path.resolve().as_uri()}?mode=rw"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        return _transaction(conn, path, "", work, empty)

    return _patiently(path, attempt)


def write_store(path: Path, schema: str, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` in one write transaction, creating and marking a new store with `schema`.

    Raises StoreUnavailable when the file is not a usable SmartPick store or stays busy.
    """

    def attempt() -> T:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        return _transaction(conn, path, schema, work, None)

    return _patiently(path, attempt)


def _patiently(path: Path, attempt: Callable[[], T]) -> T:
    """Retry `attempt` with backoff while the store is locked, up to BUSY_DEADLINE_S."""
    deadline = time.monotonic() + BUSY_DEADLINE_S
    delay = 0.05
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise _refuse(path, f"cannot be used ({exc})") from None
            if time.monotonic() + delay > deadline:
                raise StoreUnavailable(
                    f"{path} is busy: another SmartPick import or removal kept it locked for "
                    f"{BUSY_DEADLINE_S:.0f} seconds. Nothing was changed; try again in a moment."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except sqlite3.DatabaseError:
            raise _refuse(path, "is damaged or is not a SQLite database") from None


def _transaction(
    conn: sqlite3.Connection,
    path: Path,
    schema: str,
    work: Callable[[sqlite3.Connection], T],
    empty: Any,
) -> T:
    """One transaction (the write lock taken up front for a write); `empty` if nothing to read."""
    write = bool(schema)
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        if not _check_identity(conn, path, schema, write):
            conn.execute("ROLLBACK")
            return cast(T, empty)
        result = work(conn)
        conn.execute("COMMIT")
        return result
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
