"""The preload's program side on disk (fixed arrays and pool-equation baselines) and its
calibration rows: equal to a fresh computation bit for bit, computed again whenever an input
changes, never used for programs the user's imports change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import smartpick.service.start_cache as side_cache
from smartpick.core.chances.context import base_arrays
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.persist import load_fitted_model
from smartpick.core.programs import Program
from smartpick.service.catalog import Catalog
from smartpick.testing import isolated_catalog

FM = "Family Medicine"
KIND = "non_us_img"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory of the test's own (the root fixture's is shared)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SMARTPICK_CACHE", str(folder))
    side_cache.inputs_digest.cache_clear()
    yield folder
    side_cache.inputs_digest.cache_clear()


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds for which the pool equation is really solved."""
    seen: list[str] = []
    original = Draws._solve

    def counting(self: Draws, kind: str) -> np.ndarray:
        seen.append(kind)
        return original(self, kind)

    monkeypatch.setattr(Draws, "_solve", counting)
    return seen


def _context(catalog: Catalog, programs: list[Program] | None = None) -> Draws:
    """The program side through the cache, with a model of its own (nothing kept in memory)."""
    programs = catalog.programs(specialty=FM) if programs is None else programs
    return side_cache.cached_context(load_fitted_model(), FM, programs, KIND, catalog)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_stored_program_side_equals_a_fresh_computation_bit_for_bit(
    catalog: Catalog, cache: Path, solves: list[str]
) -> None:
    fresh = load_fitted_model().context(FM, catalog.programs(specialty=FM))
    computed = _context(catalog)
    assert solves == [KIND] and len(list(cache.glob("program-side-*.npz"))) == 1
    read = _context(catalog)
    assert solves == [KIND]  # read back, not solved again
    assert _same(read.alpha(KIND), fresh.alpha(KIND))
    assert _same(read.alpha(KIND), computed.alpha(KIND))
    stored, built = base_arrays(read.base), base_arrays(fresh.base)
    assert stored.keys() == built.keys()
    assert all(_same(stored[k], built[k]) for k in built)
    assert read.base.visa_counts == fresh.base.visa_counts
    assert read.base.fail_scale == fresh.base.fail_scale
    assert read.base.programs == fresh.base.programs and read.base.layer is not None
    for name in ("gamma", "beta", "conversion", "fail", "geo", "home", "lam", "sigma_r"):
        assert _same(getattr(read, name), getattr(fresh, name)), name
    assert all(_same(read.visa[v], fresh.visa[v]) for v in fresh.visa)
    assert not list(cache.glob("*.tmp"))


@pytest.mark.parametrize("change", ["code version", "fitted model", "catalog", "programs"])
def test_a_changed_input_is_computed_again(
    catalog: Catalog,
    cache: Path,
    solves: list[str],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    _context(catalog)
    if change == "code version":
        monkeypatch.setattr(side_cache, "CODE_VERSION", "another")
    elif change == "fitted model":
        original = side_cache.bundled_text
        monkeypatch.setattr(side_cache, "bundled_text", lambda *p: original(*p) + " ")
    elif change == "catalog":
        monkeypatch.setattr(catalog.index, "digest", "0" * 64)
    side_cache.inputs_digest.cache_clear()
    (first,) = cache.glob("program-side-*.npz")
    _context(catalog, catalog.programs(specialty=FM)[1:] if change == "programs" else None)
    assert solves == [KIND, KIND]
    # Files of other inputs are never read again: writing a current one deletes them. Another
    # list of programs under the same inputs is a file of its own, kept.
    assert first.exists() == (change == "programs")
    assert len(list(cache.glob("program-side-*.npz"))) == (2 if change == "programs" else 1)


def test_files_of_older_inputs_are_deleted_and_others_left_alone(
    catalog: Catalog, cache: Path
) -> None:
    cache.mkdir(parents=True)
    older = [
        cache / "program-side-000000000000-abc.npz",
        cache / "start-000000000000-abc.json",
        cache / f"program-side-{'0' * 40}.npz",  # the first naming, without a generation
    ]
    unrelated = [cache / "index-catalog.sqlite", cache / "program-side-notes.txt"]
    for path in older + unrelated:
        path.write_bytes(b"old")
    _context(catalog)
    side_cache.cached_json("calibration-report-test", lambda: {"rows": []})
    assert not any(path.exists() for path in older)
    assert all(path.exists() for path in unrelated)
    assert len(list(cache.glob("program-side-*.npz"))) == len(list(cache.glob("start-*.json"))) == 1


def test_a_damaged_file_is_computed_again_and_replaced(
    catalog: Catalog, cache: Path, solves: list[str]
) -> None:
    computed = _context(catalog).alpha(KIND)
    (stored,) = cache.glob("program-side-*.npz")
    stored.write_bytes(stored.read_bytes()[:100])
    assert _same(_context(catalog).alpha(KIND), computed) and solves == [KIND, KIND]
    assert _same(_context(catalog).alpha(KIND), computed) and solves == [KIND, KIND]


@pytest.mark.parametrize("damage", ["alpha", "base.rate", "base.visa_status:j1"])
def test_a_file_of_the_wrong_shape_is_computed_again(
    catalog: Catalog, cache: Path, solves: list[str], damage: str
) -> None:
    fresh = load_fitted_model().context(FM, catalog.programs(specialty=FM))
    _context(catalog)
    (stored,) = cache.glob("program-side-*.npz")
    with np.load(stored, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays[damage] = arrays[damage][..., :-1] if damage == "alpha" else arrays[damage][:-1]
    np.savez(stored, **arrays)
    again = _context(catalog)
    assert solves == [KIND, KIND] and _same(again.alpha(KIND), fresh.alpha(KIND))
    assert all(_same(v, base_arrays(fresh.base)[k]) for k, v in base_arrays(again.base).items())


def test_programs_changed_by_the_users_imports_are_never_cached(
    tmp_path: Path, cache: Path, solves: list[str]
) -> None:
    mine = isolated_catalog(tmp_path / "home")
    program = mine.programs(specialty=FM)[0]
    upload = tmp_path / "mine.csv"
    upload.write_text(f"program_id,visa_j1\n{program.id},no\n", encoding="utf-8")
    mine.import_file(upload)
    _context(mine)
    _context(mine)
    assert solves == [KIND, KIND]
    assert not cache.exists() or not list(cache.glob("program-side-*.npz"))


def test_stored_calibration_rows_equal_a_fresh_report(cache: Path) -> None:
    from smartpick.service.calibration import calibration_report, stored_calibration_report

    fresh = calibration_report([FM])
    assert stored_calibration_report(FM) == fresh  # computed and stored
    calls: list[str] = []

    def compute() -> object:
        calls.append(FM)
        return fresh

    assert side_cache.cached_json(f"calibration-report-{FM}", compute) == fresh
    assert calls == []  # read back from the file
    assert len(list(cache.glob("start-*.json"))) == 1
