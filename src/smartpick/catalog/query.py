"""The program catalog as the rest of SmartPick reads it: open, look up, search, stats, import.

`open_catalog()` returns a process-wide cached catalog over the bundled data plus the user's
store (`$SMARTPICK_HOME/user_catalog.sqlite`, default `~/.local/share/smartpick/`).
"""

from __future__ import annotations

import difflib
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from smartpick.catalog.evidence import evidence_to_dict, nonus_img_rate
from smartpick.catalog.filters import SearchFilters
from smartpick.catalog.importer import parse_import, read_table
from smartpick.catalog.records import program_from
from smartpick.catalog.store import (
    OVERRIDABLE_INDEX,
    BundledIndex,
    UserStore,
    bundled_report,
    smartpick_home,
)
from smartpick.core.programs import Fact, Program
from smartpick.errors import NotFound

USER_STORE_NAME = "user_catalog.sqlite"
IDENTITY_KEYS = ("acgme_code", "name", "specialty", "track")
# Fields summarized by `stats()` (the ones the model and the advisor lean on).
STATS_FIELDS = (
    "visa_j1",
    "visa_h1b",
    "pct_non_us_img",
    "pct_img_any",
    "pgy1_positions",
    "setting",
    "applications_received",
    "pct_interviewed",
    "step1_range",
    "latitude",
)


@dataclass(frozen=True)
class ImportReport:
    """What an accepted import stored."""

    file: str
    import_id: int
    imported_at: str
    rows: int
    programs: int
    facts: int
    columns: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the `catalog import --format json` contract)."""
        return {
            "file": self.file,
            "import_id": self.import_id,
            "imported_at": self.imported_at,
            "rows": self.rows,
            "programs": self.programs,
            "facts": self.facts,
            "columns": list(self.columns),
        }


def default_user_store() -> Path:
    """The user's store file under $SMARTPICK_HOME (or ~/.local/share/smartpick)."""
    return smartpick_home() / USER_STORE_NAME


# Bundled programs without user facts are the same in every Catalog: built once per process.
_shared: dict[str, dict[str, Program]] = {}
_shared_lock = threading.Lock()
_shared_ids: dict[str, frozenset[str]] = {}


class Catalog:
    """The bundled catalog with the user's imported facts merged on top."""

    def __init__(self, user_store: Path) -> None:
        self.user = UserStore(user_store)
        self.index = BundledIndex()
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._cache: dict[str, Program] = {}
        # the programs of each (specialty, track) listing, dropped whenever the user store changes
        self._listings: dict[tuple[str | None, str | None], tuple[Program, ...]] = {}
        self._user_facts: dict[str, dict[str, list[tuple[Any, int]]]] = {}
        self._user_stamp: tuple[int, int] | None = None
        self._loads = 0  # how many times the user's facts were read
        with _shared_lock:  # the bundled ids: once a process (forked workers inherit them)
            ids = _shared_ids.get(self.index.digest)
            if ids is None:
                ids = _shared_ids[self.index.digest] = frozenset(self.index.all_ids())
        self._ids = ids
        self._load_user()

    def _load_user(self) -> None:
        stamp = self.user.stamp()
        facts = self.user.facts()
        with self._lock:
            self._user_facts = facts
            self._user_stamp = stamp
            self._loads += 1
            self._cache.clear()
            self._listings.clear()
        self.index.set_overlay(
            (pid, {f: vals[0][0] for f, vals in by_field.items() if f in OVERRIDABLE_INDEX})
            for pid, by_field in facts.items()
        )

    def _refresh(self) -> None:
        # Another process (e.g. the CLI while the web page runs) may have imported since.
        if self.user.stamp() != self._user_stamp:
            with self._reload_lock:  # one thread reloads; the others wait, then find it done
                if self.user.stamp() != self._user_stamp:
                    self._load_user()

    def _programs(self, ids: list[str]) -> list[Program]:
        with self._lock:
            missing = [i for i in ids if i not in self._cache]
        if missing:
            built: dict[str, Program] = {}
            with _shared_lock:
                shared = _shared.setdefault(self.index.digest, {})
                plain = [i for i in missing if i not in self._user_facts and i in shared]
                built.update((i, shared[i]) for i in plain)
            records = self.index.records([i for i in missing if i not in built])
            for pid, rec in records.items():
                user = self._user_facts.get(pid)
                built[pid] = program_from(rec, user or {})
                if not user:
                    with _shared_lock:
                        shared[pid] = built[pid]
            with self._lock:
                self._cache.update(built)
        with self._lock:
            return [self._cache[i] for i in ids if i in self._cache]

    def close(self) -> None:
        """Close the bundled index's database connection (the catalog is not used after this)."""
        self.index.conn.close()

    def has_imports(self, programs: Iterable[Program]) -> bool:
        """True when the user's store changes any of `programs` (they are not the bundled ones)."""
        self._refresh()
        with self._lock:
            return any(p.id in self._user_facts for p in programs)

    def get(self, program_id: str) -> Program:
        """One program by id (e.g. "1405100435C"); NotFound with close ids otherwise."""
        self._refresh()
        pid = program_id.strip().upper()
        if pid not in self._ids:
            close = difflib.get_close_matches(pid, sorted(self._ids), n=3, cutoff=0.8)
            tracks = [t for t in (pid + "C", pid + "P") if t in self._ids]
            hint = tracks if tracks else close
            extra = f" Did you mean {', '.join(hint)}?" if hint else ""
            raise NotFound(
                f"program_id: no program '{program_id}' in the catalog.{extra}", field="program_id"
            )
        return self._programs([pid])[0]

    def programs(self, specialty: str | None = None, track: str | None = None) -> list[Program]:
        """All programs, or those of one specialty (any accepted spelling) and/or track."""
        return list(self.listing(specialty, track))

    def listing(
        self, specialty: str | None = None, track: str | None = None
    ) -> tuple[Program, ...]:
        """`programs` as the catalog's own tuple: the same object on every call until the data
        change, so a cache may know it by identity without a pass over its programs."""
        filters = SearchFilters.parse(specialty=specialty, track=track, limit=1)
        self._refresh()
        key = (filters.specialty, filters.track)
        with self._lock:
            listed = self._listings.get(key)
            loaded = self._loads
        if listed is None:  # one query per listing until the next import (the stamp changes)
            listed = tuple(self._programs(self.index.ids(filters, paged=False)))
            with self._lock:
                if self._loads == loaded:  # not built from facts an import just replaced
                    self._listings[key] = listed
        return listed

    def search(
        self,
        *,
        specialty: str | None = None,
        track: str | None = None,
        state: str | None = None,
        region: str | None = None,
        setting: str | None = None,
        visa: str | None = None,
        min_non_us_img_pct: float | None = None,
        min_positions: int | None = None,
        min_nonus_img_interview_pct: float | None = None,
        text: str | None = None,
        sort: str = "name",
        order: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Program]:
        """Programs matching every given filter, in order; see `count` for the total.

        state is a code or a name ("TX", "Texas"); visa is "J-1" or "H-1B" (stated yes);
        min_non_us_img_pct, min_positions and min_nonus_img_interview_pct (the latest cycle's
        non-US IMG interview rate, percent) exclude programs where the value is unknown.
        `sort` is one of `SORT_KEYS` (default name); `order` "asc" or "desc" (default: highest
        first for numbers, A to Z for text); unknown values come last either way.
        """
        filters = SearchFilters.parse(
            specialty=specialty,
            track=track,
            state=state,
            region=region,
            setting=setting,
            visa=visa,
            min_non_us_img_pct=min_non_us_img_pct,
            min_positions=min_positions,
            min_nonus_img_interview_pct=min_nonus_img_interview_pct,
            text=text,
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
        )
        self._refresh()
        return self._programs(self.index.ids(filters))

    def count(self, **filters: Any) -> int:
        """Number of programs matching the same filters as `search` (limit/offset ignored)."""
        parsed = SearchFilters.parse(**filters)
        self._refresh()
        return self.index.count(parsed)

    def specialties(self) -> list[str]:
        """Catalog specialty names that have programs."""
        return self.index.specialties()

    def stats(self) -> list[dict[str, Any]]:
        """Per specialty and track: programs, % of each key field known, and its source years."""
        groups: dict[tuple[str, str], list[Program]] = {}
        self._refresh()
        for p in self._programs(self.index.all_ids()):
            groups.setdefault((p.specialty, p.track), []).append(p)
        rows = []
        for (spec, track), progs in sorted(groups.items()):
            row: dict[str, Any] = {"specialty": spec, "track": track, "programs": len(progs)}
            for name in STATS_FIELDS:
                facts: list[Fact[Any]] = [getattr(p, name) for p in progs]
                known = [f for f in facts if f.known]
                row[f"{name}_known_pct"] = round(100 * len(known) / len(progs), 1)
                years = Counter(f.year for f in known if f.year is not None)
                row[f"{name}_years"] = sorted(years)
            rows.append(row)
        return rows

    def build_report(self) -> dict[str, Any]:
        """The bundled catalog's build report (source match counts and conflicts)."""
        return bundled_report()

    def import_file(self, path: Path) -> ImportReport:
        """Merge a CSV/XLSX of program facts into the user store; rejected whole on any problem."""
        table = read_table(path)
        parsed = parse_import(table, self._ids, path.name)
        when = datetime.now().astimezone()
        import_id = self.user.save_import(path.name, parsed.rows, parsed.facts, when)
        self._load_user()
        return ImportReport(
            file=path.name,
            import_id=import_id,
            imported_at=when.isoformat(timespec="seconds"),
            rows=parsed.rows,
            programs=len({pid for pid, _, _ in parsed.facts}),
            facts=len(parsed.facts),
            columns=parsed.columns,
        )

    def imports(self) -> list[dict[str, Any]]:
        """Past imports into this catalog's user store, oldest first (import_id, file_name,
        imported_at, rows, facts)."""
        return self.user.imports()

    def forget_import(self, import_id: int) -> int:
        """Remove one earlier import and its facts; returns how many facts were removed.

        Raises NotFound when there is no such import.
        """
        removed = self.user.forget_import(import_id)
        if removed < 0:
            known = ", ".join(str(i["import_id"]) for i in self.user.imports()) or "none"
            raise NotFound(f"import_id: no import {import_id}. Known imports: {known}.")
        self._load_user()
        return removed


_default: Catalog | None = None
_default_lock = threading.Lock()


def open_catalog(user_store: Path | None = None) -> Catalog:
    """The catalog; with no argument a process-wide shared one over the default user store."""
    global _default
    if user_store is not None:
        return Catalog(Path(user_store))
    with _default_lock:
        if _default is None:
            _default = Catalog(default_user_store())
        return _default


def fact_to_dict(fact: Fact[Any]) -> dict[str, Any]:
    """{"value", "source", "year", "conflicts": [{"value", "source", "year"}, ...]}."""
    return {
        "value": fact.value,
        "source": fact.source,
        "year": fact.year,
        "conflicts": [
            {"value": c.value, "source": c.source, "year": c.year} for c in fact.conflicts
        ],
    }


def program_to_dict(program: Program) -> dict[str, Any]:
    """A program as the stable JSON contract (see docs/catalog.md, "JSON contract")."""
    out: dict[str, Any] = {"program_id": program.id}
    out.update((k, getattr(program, k)) for k in IDENTITY_KEYS)
    out["fields"] = {
        f.name: fact_to_dict(getattr(program, f.name))
        for f in fields(program)
        if isinstance(getattr(program, f.name), Fact)
    }
    out["nrmp_results"] = [
        {"year": r.year, "quota": r.quota, "matched": r.matched, "source": r.source}
        for r in program.nrmp_results
    ]
    out["data_notes"] = list(program.data_notes)
    out["interview_evidence"] = evidence_to_dict(program.interview_evidence)
    return out


def program_summary(program: Program) -> dict[str, Any]:
    """A flat one-line view of a program (search results, list rows, table/CSV rows).

    `nonus_img_interview_rate` (0-1) and `nonus_img_applicants` are the latest cycle's published
    figures (`interview_evidence_year`); `pct_non_us_img_year` is the year of the residents' share.
    """
    rate = nonus_img_rate(program)
    evidence = program.interview_evidence
    return {
        "program_id": program.id,
        "name": program.name,
        "specialty": program.specialty,
        "track": program.track,
        "city": program.city.value,
        "state": program.state.value,
        "setting": program.setting.value,
        "pgy1_positions": program.pgy1_positions.value,
        "visa_j1": program.visa_j1.value,
        "visa_h1b": program.visa_h1b.value,
        "pct_non_us_img": program.pct_non_us_img.value,
        "pct_non_us_img_year": program.pct_non_us_img.year,
        "nonus_img_interview_rate": None if rate is None else rate.rate,
        "nonus_img_applicants": None if rate is None else rate.applicants,
        "interview_evidence_year": None if rate is None or evidence is None else evidence.year,
        "website": program.website.value,
    }
