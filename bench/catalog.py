"""Catalog speed figures: open (cold and warm cache), load all programs, search, stats, get.

Run: .venv/bin/python bench/catalog.py      (target: open < 0.5 s)
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def _timed(label: str, fn, repeat: int = 1) -> object:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    elapsed = (time.perf_counter() - start) / repeat
    print(f"{label:<46} {elapsed * 1000:8.1f} ms")
    return result


def main() -> None:
    """Print timings over the real bundled catalog with throw-away cache and user folders."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SMARTPICK_CACHE"] = str(Path(tmp) / "cache")
        from smartpick.service.catalog import Catalog

        store = Path(tmp) / "user.sqlite"
        _timed("open, cold cache (builds the SQLite index)", lambda: Catalog(store))
        cat = _timed("open, warm cache", lambda: Catalog(store), repeat=5)
        assert isinstance(cat, Catalog)
        progs = _timed("programs() first call (all programs)", cat.programs)
        _timed("programs() again (cached)", cat.programs, repeat=5)
        _timed(
            "programs('Internal Medicine', 'categorical')",
            lambda: cat.programs("Internal Medicine", "categorical"),
            repeat=5,
        )
        _timed(
            "search(IM, visa J-1, region South, min 10 pos)",
            lambda: cat.search(
                specialty="Internal Medicine", visa="J-1", region="South", min_positions=10
            ),
            repeat=20,
        )
        _timed(
            "search(text='university', limit=1000)",
            lambda: cat.search(text="university", limit=1000),
            repeat=20,
        )
        _timed("get('1405100435C')", lambda: cat.get("1405100435C"), repeat=100)
        _timed("stats()", cat.stats, repeat=3)
        print(f"programs: {len(progs)}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
